import Foundation
import SGPSupport

/// A support case (`/support/cases/{id}`) as its reader may see it: the summary, the figures beside
/// the organisation's spread, meetings, the plan and the reports; for the mentor, the forms to change them.
struct SupportCasePage: Sendable {
    struct Line: Sendable {
        var label: String
        var value: String
    }

    struct ReportRow: Sendable {
        var version: Int
        var referringBody: String
        var written: String
        var link: String
    }

    /// Which of the page's forms came back with problems (the others show what is stored).
    enum Form {
        case meeting, plan, report, details
    }

    var page: PageChrome
    var caseId: Int64
    var heading: String
    var isMentor: Bool
    var isSubject: Bool
    var summary: [Line]
    var metrics: [Line]
    var hasMetrics: Bool
    var concernLink: String?
    var meetings: [Line]
    var hasMeetings: Bool
    var meetingFields: [FormField]
    var plan: [Line]
    var hasPlan: Bool
    var planFields: [FormField]
    var reports: [ReportRow]
    var hasReports: Bool
    var reportFields: [FormField]
    var caseFields: [FormField]

    /// `metrics` are empty for the GP (who is not shown them); `supervisors` are the plan's choices.
    init(
        page: PageChrome, view: SupportCaseView, metrics: [MetricComparison], supervisors: [(id: Int64, name: String)],
        today: Day, posted: (form: Form, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        let supportCase = view.supportCase
        let id = supportCase.id!
        func number(_ value: Double?) -> String { value.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "–" }
        func shown(_ form: Form) -> FormFields? { posted?.form == form ? posted?.fields : nil }
        self.page = page
        caseId = id
        heading = "Support for \(view.gpName)"
        isMentor = view.reader == .mentor
        isSubject = view.reader == .subject
        summary = [
            Line(label: "How it began", value: supportCase.routeIn.title),
            Line(label: "Opened", value: supportCase.openedOn.displayText),
            Line(label: "GP told", value: "\(supportCase.toldOn.displayText), by \(supportCase.toldBy)"),
            Line(
                label: "Support offered",
                value: supportCase.signposts.isEmpty
                    ? "None recorded" : supportCase.signposts.map(\.title).joined(separator: ", ")),
            Line(label: "Work restriction", value: supportCase.workRestriction ?? "None"),
            Line(
                label: "Status",
                value: supportCase.outcome.map { "Closed \(supportCase.closedOn?.displayText ?? ""): \($0.title)" } ?? "Open"),
        ]
        self.metrics = metrics.map {
            Line(
                label: $0.measure,
                value: "\(number($0.value)) — organisation: lower quartile \(number($0.lowerQuartile)), "
                    + "median \(number($0.median)), upper quartile \(number($0.upperQuartile)) (\($0.gps) GPs)")
        }
        hasMetrics = !metrics.isEmpty
        concernLink = view.concernCardId.map { "/feedback/cards/\($0)" }
        meetings = view.meetings.map { Line(label: $0.date.displayText, value: $0.notes) }
        hasMeetings = !view.meetings.isEmpty
        meetingFields = SupportCaseForms.meeting.rendered(
            current: SupportMeetingInput(date: today.description), posted: shown(.meeting), errors: errors)
        plan =
            view.plan.map {
                [
                    Line(label: "Objectives", value: $0.objectives),
                    Line(label: "Activities", value: $0.activities ?? "–"),
                    Line(label: "Educational supervisor", value: view.supervisorName ?? "Not yet chosen"),
                    Line(label: "Reviews", value: $0.reviewDates.map(\.displayText).joined(separator: ", ")),
                    Line(label: "Completed", value: $0.completedOn?.displayText ?? "Not yet"),
                ]
            } ?? []
        hasPlan = view.plan != nil
        planFields = SupportCaseForms.plan(supervisors: supervisors).rendered(
            current: SupportCaseUpdate.PlanInput(current: view.plan), posted: shown(.plan), errors: errors)
        reports = view.reports.map {
            ReportRow(
                version: $0.version, referringBody: $0.referringBody, written: Day($0.writtenAt).displayText,
                link: "/support/cases/\(id)/reports/\($0.version)")
        }
        hasReports = !view.reports.isEmpty
        // A new version is usually for the same body as the last.
        reportFields = SupportCaseForms.report.rendered(
            current: ProgressReportInput(referringBody: view.reports.first?.referringBody), posted: shown(.report),
            errors: errors)
        caseFields = SupportCaseForms.details.rendered(
            current: SupportCaseUpdate(current: supportCase), posted: shown(.details), errors: errors)
    }
}

/// A meeting note as its form posts it.
struct SupportMeetingInput {
    var date: String?
    var notes: String?
}

/// A progress report as its form posts it.
struct ProgressReportInput {
    var referringBody: String?
    var body: String?
}

/// The case page's forms, each declared once.
enum SupportCaseForms {
    static var meeting: FormDeclaration<SupportMeetingInput> {
        FormDeclaration([.date("date", "Date", \.date), .textarea("notes", "Notes", \.notes)])
    }

    static func plan(supervisors: [(id: Int64, name: String)]) -> FormDeclaration<SupportCaseUpdate.PlanInput> {
        FormDeclaration([
            .textarea("plan.objectives", "Objectives", \.objectives),
            .textarea("plan.activities", "Activities", \.activities),
            .select(
                "plan.supervisorId", "Educational supervisor", \.supervisorText,
                choices: [("", "Choose")] + supervisors.map { (String($0.id), $0.name) }),
            .text("plan.reviewDates", "Review dates", \.reviewDatesText, hint: "YYYY-MM-DD, separated by commas"),
            .date("plan.completedOn", "Completed on (optional)", \.completedOn),
        ])
    }

    static var report: FormDeclaration<ProgressReportInput> {
        FormDeclaration([.text("referringBody", "For", \.referringBody), .textarea("body", "Report", \.body)])
    }

    /// Support offered, the work restriction and the outcome (choosing one closes the case).
    static var details: FormDeclaration<SupportCaseUpdate> {
        FormDeclaration([
            .checkboxes(
                "signposts", "Support offered", \.signposts,
                choices: SupportCase.Signpost.choices.map { ($0.code, $0.title) }),
            .text(
                "workRestriction", "Work restriction (optional)", \.workRestriction,
                hint: "A condition on the GP's work. The liaison officer sees this, and only this, while the case is open."),
            .choice("outcome", "Outcome", \.outcome, of: SupportCase.Outcome.self, none: "Still open"),
        ])
    }
}

extension SupportCaseUpdate {
    /// The case as its form shows it before any change.
    init(current supportCase: SupportCase) {
        self.init()
        signposts = supportCase.signposts.map(\.rawValue)
        workRestriction = supportCase.workRestriction
        outcome = supportCase.outcome?.rawValue
    }
}

extension SupportCaseUpdate.PlanInput {
    /// The plan as its form shows it (empty before there is one).
    init(current plan: DevelopmentPlan?) {
        self.init()
        objectives = plan?.objectives
        activities = plan?.activities
        supervisorId = plan?.supervisorId
        reviewDates = plan?.reviewDates.map(\.description)
        completedOn = plan?.completedOn?.description
    }

    /// The supervisor as the form's choice holds it: an id, or empty for none chosen (left as it is).
    var supervisorText: String? {
        get { supervisorId.map(String.init) }
        set { supervisorId = newValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
    }

    /// The review dates as one line, separated by commas.
    var reviewDatesText: String? {
        get { reviewDates?.joined(separator: ", ") }
        set { reviewDates = newValue.map { $0.split(separator: ",").map(String.init) } }
    }
}
