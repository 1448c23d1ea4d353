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
            full ? .choice("profession", "Profession", \.profession, of: GP.Profession.self) : nil,
            full
                ? .text(
                    "registrationNumber", "Registration number", \.registrationNumber,
                    hint: "GMC reference number for a doctor (7 digits), NMC PIN for a nurse (like 12A3456E), "
                        + "GPhC registration number for a pharmacist (7 digits).") : nil,
            full ? .formerName("gmcNumber", of: "registrationNumber", \.gmcNumber) : nil,
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
        registrationNumber = gp.registrationNumber
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
    /// `types` are the checks of the GP's own profession; `appraisalMonths` the organisation's setting.
    static func declaration(types: [CheckType], appraisalMonths: Int) -> FormDeclaration<CheckInput> {
        FormDeclaration([
            .select("type", "Check", \.typeCode, choices: types.map { ($0.code, $0.name) }),
            .choice("status", "Result", \.status, of: CredentialCheck.Status.self),
            .date("verifiedOn", "Date checked", \.verifiedOn, hint: "Today if left blank"),
            .date(
                "expiresOn", "Expires on", \.expiresOn,
                hint:
                    "The last day it is good for. An appraisal without one counts for \(appraisalMonths) months from the day it took place."
            ),
            .date(
                "appraisalOn", "Appraisal took place on", \.appraisalOn,
                hint: "Appraisals only. The GP's last appraisal date if left blank."),
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

    /// The document the check rests on, if there is one to keep: a field of the page, not of the
    /// check (the register import has no such column).
    static func documentField(errors: ValidationErrors) -> FormField {
        .file(
            "document", "The document (optional)", errors: errors,
            hint: "The scan or photo of the certificate, if you have it: \(DocumentForms.kindsAndSize). Only the GP "
                + "and the liaison officer can open it.",
            accept: DocumentForms.accept)
    }

    static func page(
        chrome: (String) -> PageChrome, gp: GP, declaration: FormDeclaration<CheckInput>, posted: FormFields?,
        errors: ValidationErrors
    ) -> FormPage {
        let path = "/gps/\(gp.id!)/checks/new"
        return FormPage(
            page: chrome("Record a check for \(gp.name)"), heading: "Record a check for \(gp.name)", action: path,
            fields: declaration.rendered(current: blank, posted: posted, errors: errors) + [documentField(errors: errors)],
            submit: "Record the check", cancel: "/gps/\(gp.id!)", multipart: true)
    }
}

extension CheckInput {
    /// The check type as the form's choice holds it.
    var typeCode: String? {
        get { type }
        set { type = newValue?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
    }
}

/// The public form a GP, nurse or pharmacist fills in to join an organisation's register (`/join`).
enum JoinForm {
    /// The form's own fields: the organisation is chosen on it, and is not part of the register entry.
    struct Application {
        var organisation: String?
        var entry = GPInput()
    }

    static func declaration(organisations: [(id: Int64, name: String)]) -> FormDeclaration<Application> {
        FormDeclaration([
            .select(
                "organisation", "Organisation", \.organisation,
                choices: [("", "Choose your organisation")] + organisations.map { (String($0.id), $0.name) },
                hint: "The integrated care board, PCN or federation whose support team you want to join."),
            .text("name", "Full name", \.entry.name, autocomplete: "name"),
            .choice("profession", "Profession", \.entry.profession, of: GP.Profession.self),
            .text(
                "registrationNumber", "Registration number", \.entry.registrationNumber,
                hint: "Your GMC reference number if you are a doctor (7 digits), your NMC PIN if you are a nurse "
                    + "(like 12A3456E), or your GPhC registration number if you are a pharmacist (7 digits)."),
            .formerName("gmcNumber", of: "registrationNumber", \.entry.gmcNumber),
            .choice("kind", "How do you work?", \.entry.kind, of: GP.Kind.self),
            .text("email", "Email", \.entry.email, type: "email", autocomplete: "email"),
            .text("phone", "UK phone number", \.entry.phone, type: "tel", autocomplete: "tel"),
            .text("postcode", "Postcode", \.entry.postcode, autocomplete: "postal-code"),
            .textarea("applicationNote", "Anything the support team should know", \.entry.applicationNote),
            .checkbox("mailshotConsent", "Send me the weekly mailshot: work available and news", \.entry.mailshotConsent),
        ])
    }

    static var blank: Application {
        var application = Application()
        application.entry.profession = GP.Profession.gp.rawValue
        application.entry.kind = GP.Kind.freelance.rawValue
        return application
    }

    static func page(
        chrome: PageChrome, declaration: FormDeclaration<Application>, posted: FormFields?, errors: ValidationErrors
    ) -> FormPage {
        FormPage(
            page: chrome, heading: "Join the sessional register", action: "/join",
            fields: declaration.rendered(current: blank, posted: posted, errors: errors), submit: "Put my name forward",
            cancel: "/")
    }
}
