import Foundation
import SGPSupport

/// The support team's evidence page (`/organisations/{id}/evidence`): the local audits with how
/// many joined and completed, the form to publish one, the CPD target, and counts of entries by kind.
struct OrganisationEvidencePage: Sendable {
    /// Which of the page's forms came back refused.
    enum Form: Sendable {
        case topic, target
    }

    struct CountRow: Sendable {
        var label: String
        var value: String
    }

    var page: PageChrome
    var organisationId: Int64
    var organisationName: String
    var topics: [AuditTopicRow]
    var hasTopics: Bool
    var topicFields: [FormField]
    var targetFields: [FormField]
    var canSetTarget: Bool
    var counts: [CountRow]

    /// `canSetTarget` is the access policy's answer for the reader (the liaison officer sets it).
    init(
        page: PageChrome, evidence: OrganisationEvidence, canSetTarget: Bool,
        posted: (form: Form, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        func shown(_ form: Form) -> FormFields? { posted?.form == form ? posted?.fields : nil }
        self.page = page
        organisationId = evidence.organisation.id!
        organisationName = evidence.organisation.name
        topics = evidence.topics.map(AuditTopicRow.init)
        hasTopics = !evidence.topics.isEmpty
        topicFields = AuditTopicForm.declaration.rendered(current: AuditTopicForm.blank, posted: shown(.topic), errors: errors)
        targetFields = CPDTargetInput.declaration.rendered(
            current: CPDTargetInput(hours: HoursText.of(evidence.cpdTarget)), posted: shown(.target), errors: errors)
        self.canSetTarget = canSetTarget
        counts = evidence.countsByKind.map {
            CountRow(label: EvidenceKind(rawValue: $0.label)?.title ?? $0.label, value: String($0.count))
        }
    }
}

/// Publishing a locally agreed audit.
enum AuditTopicForm {
    static var declaration: FormDeclaration<AuditTopicInput> {
        FormDeclaration([
            .text("title", "Topic", \.title),
            .textarea(
                "criteria", "Criteria and standard", \.criteria,
                hint: "What each GP measures, and the standard, like “FeverPAIN score recorded: 90%”"),
            .date("closesOn", "Closing date (optional)", \.closesOn, hint: "GPs can join until the end of this day"),
        ])
    }

    static var blank: AuditTopicInput { AuditTopicInput(title: nil, criteria: nil, closesOn: nil) }
}

/// The CPD hours a year the organisation's GPs aim for, as typed.
struct CPDTargetInput {
    var hours: String?

    /// The number the domain checks; unreadable text is no number, which it refuses.
    var value: Double? { Double((hours ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) }

    static var declaration: FormDeclaration<CPDTargetInput> {
        FormDeclaration([.text("cpdTargetHours", "CPD hours a year", \.hours)])
    }
}

/// A practice's feedback on a hospital admission, sent to the GP who saw the patient.
enum AdmissionFeedbackForm {
    static func declaration(colleagues: [PracticeColleague]) -> FormDeclaration<AdmissionFeedbackInput> {
        FormDeclaration([
            .select(
                "gpId", "GP who saw the patient", \.gpText,
                choices: [("", "Choose a GP")]
                    + colleagues.map { (String($0.gpId), "\($0.name) (last worked \($0.lastWorkedOn.displayText))") }),
            .date("admittedOn", "Date of admission (optional)", \.admittedOn, hint: "Leave empty if you do not know it"),
            .textarea(
                "feedback", "Feedback", \.feedback,
                hint:
                    "What the admission showed, constructively. Never identify the patient: no name, date of birth or NHS number."
            ),
        ])
    }

    static var blank: AdmissionFeedbackInput { AdmissionFeedbackInput(gpId: nil, bookingId: nil, admittedOn: nil, feedback: nil) }

    static func page(
        page: PageChrome, practiceId: Int64, colleagues: [PracticeColleague], posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) -> FormPage {
        FormPage(
            page: page, heading: "Feedback on a hospital admission", action: "/practices/\(practiceId)/admission-feedback",
            fields: declaration(colleagues: colleagues).rendered(current: blank, posted: posted, errors: errors),
            submit: "Send to the GP", cancel: "/practices/\(practiceId)")
    }
}

extension AdmissionFeedbackInput {
    /// The GP as the form's choice holds it.
    var gpText: String? {
        get { gpId.map(String.init) }
        set { gpId = Int64((newValue ?? "").trimmingCharacters(in: .whitespaces)) }
    }
}
