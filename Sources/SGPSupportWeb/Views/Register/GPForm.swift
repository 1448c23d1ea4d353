import Foundation
import SGPSupport

/// Adding a GP to the register or changing an entry. The liaison officer's form is the whole entry;
/// a GP changing their own sees only what they may change (contact details, localities, skills, consent).
enum GPForm {
    struct Choices {
        var skills: [Skill]
        var localities: [String]
        var mentors: [(id: Int64, name: String)]
    }

    static func declaration(full: Bool, choices: Choices) -> FormDeclaration<GPInput> {
        FormDeclaration([
            full ? .text("name", "Full name", \.name, autocomplete: "name") : nil,
            full ? .text("gmcNumber", "GMC reference number", \.gmcNumber, hint: "7 digits") : nil,
            full ? .choice("profession", "Profession", \.profession, of: GP.Profession.self) : nil,
            full ? .choice("kind", "Kind of work", \.kind, of: GP.Kind.self) : nil,
            full ? .choice("status", "Status", \.status, of: GP.Status.self) : nil,
            full
                ? .select(
                    "mentorId", "Mentor", \.mentorText, choices: [("", "None")] + choices.mentors.map { (String($0.id), $0.name) }
                )
                : nil,
            .text("email", "Email", \.email, type: "email", autocomplete: "email"),
            .text("phone", "UK phone number", \.phone, type: "tel", autocomplete: "tel"),
            .text("postcode", "Postcode", \.postcode, autocomplete: "postal-code"),
            .checkboxes(
                "localities", "Localities willing to work in", \.localities, choices: choices.localities.map { ($0, $0) }),
            .checkboxes("skills", "Skills", \.skills, choices: choices.skills.map { ($0.code, $0.name) }),
            full ? .number("maxSessionsPerWeek", "Maximum sessions a week", \.maxSessionsPerWeek) : nil,
            full ? .pounds("usualRate", "Usual rate per session (£)", \.usualRate) : nil,
            full ? .number("appraisalMonth", "Appraisal month (1–12)", \.appraisalMonth) : nil,
            full ? .date("lastAppraisalOn", "Last appraisal", \.lastAppraisalOn) : nil,
            full ? .date("revalidationDueOn", "Revalidation due", \.revalidationDueOn) : nil,
            .checkbox(
                "mailshotConsent", "Send the weekly mailshot by email", \.mailshotConsent,
                hint: "Work available and news from the support team. Can be withdrawn at any time."),
        ])
    }

    /// What a new entry starts as.
    static var blank: GPInput {
        var input = GPInput()
        input.profession = GP.Profession.gp.rawValue
        input.kind = GP.Kind.freelance.rawValue
        input.status = GP.Status.active.rawValue
        return input
    }

    static func page(
        chrome: (String) -> PageChrome, gp: GP?, declaration: FormDeclaration<GPInput>, posted: FormFields?,
        errors: ValidationErrors
    ) -> FormPage {
        let path = gp.map { "/gps/\($0.id!)/edit" } ?? "/gps/new"
        let heading = gp.map { "Change \($0.name)" } ?? "Add a GP to the register"
        return FormPage(
            page: chrome(gp.map { "Change \($0.name)" } ?? "Add a GP"), heading: heading, action: path,
            fields: declaration.rendered(current: gp.map(GPInput.init(current:)) ?? blank, posted: posted, errors: errors),
            submit: gp == nil ? "Add to the register" : "Save changes", cancel: gp.map { "/gps/\($0.id!)" } ?? "/gps")
    }
}

extension GPInput {
    /// The entry as the form shows it before any change.
    init(current gp: GP) {
        self.init()
        name = gp.name
        gmcNumber = gp.gmcNumber
        profession = gp.profession.rawValue
        kind = gp.kind.rawValue
        status = gp.status.rawValue
        mentorId = gp.mentorId
        email = gp.email
        phone = gp.phone
        postcode = gp.postcode
        localities = gp.localities
        skills = gp.skills
        maxSessionsPerWeek = gp.maxSessionsPerWeek
        usualRate = gp.usualRatePence.map { Double($0) / 100 }
        appraisalMonth = gp.appraisalMonth
        lastAppraisalOn = gp.lastAppraisalOn?.description
        revalidationDueOn = gp.revalidationDueOn?.description
        mailshotConsent = gp.mailshotConsent
    }

    /// The mentor as the form's choice holds it (an id, or empty for none).
    var mentorText: String? {
        get { mentorId.map(String.init) }
        set { mentorId = newValue.flatMap { Int64($0) } }
    }
}

/// Recording a credential check on a GP's entry.
enum CheckForm {
    static func declaration(types: [CheckType]) -> FormDeclaration<CheckInput> {
        FormDeclaration([
            .select("type", "Check", \.typeCode, choices: types.map { ($0.code, $0.name) }),
            .choice("status", "Result", \.status, of: CredentialCheck.Status.self),
            .date("verifiedOn", "Date checked", \.verifiedOn, hint: "Today if left blank"),
            .date(
                "expiresOn", "Expires on", \.expiresOn,
                hint: "The last day it is good for. An appraisal without one counts for \(appraisalValidityMonths) months."),
            .textarea(
                "note", "Evidence note", \.note, hint: "What was seen, e.g. \"GMC online register, licence to practise\"."),
            .text(
                "dbsCertificateNumber", "DBS certificate number", \.dbsCertificateNumber,
                hint: "DBS only: 12 digits. Never record what a disclosure says."),
            .date("dbsIssuedOn", "DBS certificate issued", \.dbsIssuedOn),
            .choice("dbsLevel", "DBS level", \.dbsLevel, of: CredentialCheck.DBSLevel.self, none: "Not a DBS check"),
            .checkbox("dbsUpdateService", "Subscribed to the DBS Update Service", \.dbsUpdateService),
        ])
    }

    static var blank: CheckInput { CheckInput(type: "", status: CredentialCheck.Status.verified.rawValue) }

    static func page(
        chrome: (String) -> PageChrome, gp: GP, declaration: FormDeclaration<CheckInput>, posted: FormFields?,
        errors: ValidationErrors
    ) -> FormPage {
        let path = "/gps/\(gp.id!)/checks/new"
        return FormPage(
            page: chrome("Record a check for \(gp.name)"), heading: "Record a check for \(gp.name)", action: path,
            fields: declaration.rendered(current: blank, posted: posted, errors: errors), submit: "Record the check",
            cancel: "/gps/\(gp.id!)")
    }
}

extension CheckInput {
    /// The check type as the form's choice holds it.
    var typeCode: String? {
        get { type }
        set { type = newValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
    }
}
