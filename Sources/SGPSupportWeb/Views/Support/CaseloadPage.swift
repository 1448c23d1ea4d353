import Foundation
import SGPSupport

/// The support page (`/support`): the cases this person may open, and for a mentor the forms to open
/// a case and to log a pastoral contact, with the contacts logged.
struct CaseloadPage: Sendable {
    struct CaseRow: Sendable {
        var id: Int64
        var gpName: String
        var routeIn: String
        var opened: String
        var status: String
        var restriction: String?
    }

    struct ContactRow: Sendable {
        var date: String
        var gpName: String
        var topic: String
        var signpostedTo: String?
    }

    /// Which of the page's two forms came back with problems (the other shows as new).
    enum Form {
        case openCase, pastoral
    }

    var page: PageChrome
    var cases: [CaseRow]
    var hasCases: Bool
    var isMentor: Bool
    var openFields: [FormField]
    var pastoralFields: [FormField]
    var contacts: [ContactRow]
    var hasContacts: Bool

    /// `mentees` are the GPs a case can be opened for (the mentor's); `today` starts the date fields.
    init(
        page: PageChrome, cases: [SupportCaseView], isMentor: Bool, mentees: [(id: Int64, name: String)],
        contacts: [(contact: PastoralContact, gpName: String)], today: Day, posted: (form: Form, fields: FormFields)? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        self.cases = cases.map {
            CaseRow(
                id: $0.supportCase.id!, gpName: $0.gpName, routeIn: $0.supportCase.routeIn.title,
                opened: $0.supportCase.openedOn.displayText,
                status: $0.supportCase.outcome.map { "Closed: \($0.title)" } ?? "Open",
                restriction: $0.supportCase.workRestriction)
        }
        hasCases = !cases.isEmpty
        self.isMentor = isMentor
        let gps = mentees.map { (String($0.id), $0.name) }
        openFields = SupportForms.openCase(mentees: gps).rendered(
            current: SupportForms.newCase(today: today), posted: posted?.form == .openCase ? posted?.fields : nil,
            errors: errors)
        pastoralFields = SupportForms.pastoral(mentees: gps).rendered(
            current: PastoralContactInput(date: today.description), posted: posted?.form == .pastoral ? posted?.fields : nil,
            errors: errors)
        self.contacts = contacts.map {
            ContactRow(
                date: $0.contact.date.displayText, gpName: $0.gpName, topic: $0.contact.topic,
                signpostedTo: $0.contact.signpostedTo)
        }
        hasContacts = !contacts.isEmpty
    }
}

/// A pastoral contact as its form posts it (the domain takes the parts one by one).
struct PastoralContactInput {
    var gpId: String?
    var date: String?
    var topic: String?
    var signpostedTo: String?
}

/// The support pages' forms, each declared once: the fields shown and the input read from a post.
enum SupportForms {
    static func openCase(mentees: [(String, String)]) -> FormDeclaration<SupportCaseInput> {
        FormDeclaration([
            .select("gpId", "GP", \.gpText, choices: [("", "Choose a GP")] + mentees),
            .choice("routeIn", "How it began", \.routeIn, of: SupportCase.RouteIn.self),
            .date("toldOn", "Date the GP was told", \.toldOn),
            .text("toldBy", "Told by", \.toldBy, hint: "Name and role"),
        ])
    }

    /// A new case starts as told today.
    static func newCase(today: Day) -> SupportCaseInput {
        SupportCaseInput(gpId: nil, routeIn: nil, toldOn: today.description, toldBy: nil)
    }

    /// The GP field has a name of its own: the open-case form on the same page has a `gpId` too.
    static func pastoral(mentees: [(String, String)]) -> FormDeclaration<PastoralContactInput> {
        FormDeclaration([
            .select("pastoral-gpId", "GP", \.gpId, choices: [("", "Choose a GP")] + mentees),
            .date("date", "Date", \.date),
            .text("topic", "Topic", \.topic, hint: "A few words; no case needed"),
            .text("signpostedTo", "Signposted to (optional)", \.signpostedTo),
        ])
    }
}

extension SupportCaseInput {
    /// The GP as the form's choice holds it (an id, or empty before one is chosen).
    var gpText: String? {
        get { gpId.map(String.init) }
        set { gpId = newValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
    }
}
