import Foundation
import Hummingbird
import SGPSupport

/// The register's pages: the GP list, profiles with checks, edit and check forms, applicants.
struct RegisterPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    let baseURL: String

    struct Row: Sendable {
        var id: Int64
        var name: String
        var gmcNumber: String
        var kind: String
        var status: String
        var cleared: Bool
        var firstReason: String?
        var localities: String
    }

    struct ListPage: Sendable {
        var page: PageChrome
        var fields: [FormField]
        var rows: [Row]
        var total: Int
        var canManage: Bool
        /// "1 GP matches.", "12 GPs match." (a stored value: templates read stored properties).
        var matching: String
        var previousPage: String?
        var nextPage: String?
    }

    struct CheckRow: Sendable {
        var typeName: String
        var status: String
        var verifiedOn: String?
        var expiresOn: String?
        var note: String?
        var dbs: String?
        var recorded: String
    }

    struct ProfilePage: Sendable {
        var page: PageChrome
        var gp: GPView
        var cleared: Bool
        var reasons: [String]
        var current: [CheckRow]
        var history: [CheckRow]
        var expiring: [String]
        var hasExpiring: Bool
        var hasHistory: Bool
        var canManage: Bool
        var canEdit: Bool
        var canDownload: Bool
        /// The GP, or their mentor (who sees what the GP shares).
        var canSeeEvidence: Bool
        /// Conditions on the GP's work from open support cases, for the support team (never the case).
        var workRestrictions: [String]
        var isApplicant: Bool
    }

    struct GPView: Sendable {
        var id: Int64
        var name: String
        var gmcNumber: String
        var profession: String
        var kind: String
        var status: String
        var email: String?
        var phone: String?
        var postcode: String?
        var localities: String
        var skills: String
        var maxSessionsPerWeek: String?
        var usualRate: String?
        var appraisalMonth: String?
        var lastAppraisalOn: String?
        var revalidationDueOn: String?
        var mailshotConsent: String
        var applicationNote: String?
        var declineReason: String?
    }

    struct FormPage: Sendable {
        var page: PageChrome
        var heading: String
        var action: String
        var fields: [FormField]
        var submit: String
        var cancel: String
    }

    struct ApplicantsPage: Sendable {
        struct Applicant: Sendable {
            var id: Int64
            var name: String
            var gmcNumber: String
            var email: String?
            var note: String?
            var applied: String
            var reasonError: String?
        }
        var page: PageChrome
        var applicants: [Applicant]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/gps", use: list)
        router.get("/gps/new", use: newForm)
        router.post("/gps/new", use: create)
        router.get("/gps/:id", use: profile)
        router.get("/gps/:id/edit", use: editForm)
        router.post("/gps/:id/edit", use: update)
        router.get("/gps/:id/checks/new", use: checkForm)
        router.post("/gps/:id/checks/new", use: recordCheck)
        router.get("/applicants", use: applicants)
        router.post("/applicants/:id/approve", use: approve)
        router.post("/applicants/:id/decline", use: decline)
    }

    // MARK: The register list

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        let query = request.uri.queryParameters
        var errors = ValidationErrors()
        var filter = GPFilter()
        do {
            filter = try RegisterQuery.gpFilter(request)
        } catch DomainError.validationFailed(let found) {
            errors = found
        }
        let pageRequest = request.pageRequest()
        let page = try await database.gps(organisationId: organisationId, filter: filter, page: pageRequest, by: principal)
        let skills = try await database.skills(organisationId: organisationId)
        let localities = try await database.localities(organisationId: organisationId)
        let rows = page.items.map {
            Row(
                id: $0.gp.id!, name: $0.gp.name, gmcNumber: $0.gp.gmcNumber, kind: $0.gp.kind.title,
                status: $0.gp.status.title,
                cleared: $0.clearance.cleared,
                firstReason: $0.clearance.reasons.isEmpty ? nil : $0.clearance.reasons.joined(separator: "; "),
                localities: $0.gp.localities.joined(separator: ", "))
        }
        let fields = [
            FormField.text("text", "Name, GMC number or email", value: query.get("text"), errors: errors),
            FormField.select(
                "status", "Status", value: query.get("status"),
                choices: [("", "Any")] + GP.Status.allCases.map { ($0.rawValue, $0.rawValue.capitalized) }, errors: errors),
            FormField.select(
                "skill", "Skill", value: query.get("skill"), choices: [("", "Any")] + skills.map { ($0.code, $0.name) },
                errors: errors),
            FormField.select(
                "locality", "Locality", value: query.get("locality"), choices: [("", "Any")] + localities.map { ($0, $0) },
                errors: errors),
            FormField.text(
                "clearedOn", "Cleared to work on", value: query.get("clearedOn"), errors: errors, hint: "YYYY-MM-DD", type: "date"
            ),
            FormField.text(
                "notClearedOn", "Not cleared to work on", value: query.get("notClearedOn"), errors: errors, hint: "YYYY-MM-DD",
                type: "date"
            ),
            FormField.text(
                "expiringWithinDays", "Checks expiring within (days)", value: query.get("expiringWithinDays"), errors: errors,
                type: "number"),
        ]
        let linkBase = RegisterPages.queryWithout(request, "page")
        let model = ListPage(
            page: PageChrome(title: "Register", context: context, path: "/gps", errors: errors), fields: fields, rows: rows,
            total: page.total, canManage: principal.may(.manageOrganisation(organisationId: organisationId)),
            matching: page.total == 1 ? "1 GP matches." : "\(page.total) GPs match.",
            previousPage: page.page > 1 ? "/gps?\(linkBase)page=\(page.page - 1)" : nil,
            nextPage: page.page * page.perPage < page.total ? "/gps?\(linkBase)page=\(page.page + 1)" : nil)
        return renderer.render("gps", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: A GP's profile

    @Sendable func profile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.gp(at: context)
        let gp = entry.gp
        // The profile is the whole entry; a practice manager's view of a GP is the register summary.
        let history = try await database.checks(gpId: gp.id!, by: principal)
        let types = try await database.checkTypes(organisationId: gp.organisationId)
        let names = Dictionary(uniqueKeysWithValues: types.map { ($0.code, $0.name) })
        var newest: [String: CredentialCheck] = [:]
        for check in history where newest[check.type] == nil { newest[check.type] = check }
        let current = types.compactMap { type in newest[type.code].map { Self.checkRow($0, names) } }
        let expiring = try await database.expiringChecks(organisationId: gp.organisationId, gpId: gp.id!, by: principal)
            .map { "\($0.typeName) expires \($0.expiresOn.displayText)" }
        let restrictions =
            entry.may.contains(.seeWorkRestrictions) ? try await database.workRestrictions(gpId: gp.id!, by: principal) : []
        let model = ProfilePage(
            page: PageChrome(
                title: gp.name, context: context, path: request.uri.path, notice: Notice.from(request)),
            gp: Self.view(gp), cleared: entry.clearance.cleared, reasons: entry.clearance.reasons, current: current,
            history: history.map { Self.checkRow($0, names) }, expiring: expiring, hasExpiring: !expiring.isEmpty,
            hasHistory: !history.isEmpty, canManage: entry.may.contains(.recordChecks),
            canEdit: entry.may.contains(.edit), canDownload: entry.may.contains(.downloadPersonalData),
            canSeeEvidence: entry.may.contains(.seeEvidence),
            workRestrictions: restrictions,
            isApplicant: gp.status == .applicant)
        return renderer.render("gp", model)
    }

    static func checkRow(_ check: CredentialCheck, _ names: [String: String]) -> CheckRow {
        var dbs: String?
        if let number = check.dbsCertificateNumber {
            dbs =
                "Certificate \(number)" + (check.dbsLevel.map { ", \($0)" } ?? "")
                + (check.dbsIssuedOn.map { ", issued \($0.displayText)" } ?? "")
                + (check.dbsUpdateService == true ? ", on the Update Service" : "")
        }
        return CheckRow(
            typeName: names[check.type] ?? check.type, status: check.status.title, verifiedOn: check.verifiedOn?.displayText,
            expiresOn: check.expiresOn?.displayText, note: check.note, dbs: dbs,
            recorded: DisplayDate.dayAndTime(check.recordedAt))
    }

    static func view(_ gp: GP) -> GPView {
        let months = [
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
            "December",
        ]
        return GPView(
            id: gp.id!, name: gp.name, gmcNumber: gp.gmcNumber, profession: gp.profession.title, kind: gp.kind.title,
            status: gp.status.title, email: gp.email, phone: gp.phone, postcode: gp.postcode,
            localities: gp.localities.joined(separator: ", "), skills: gp.skills.joined(separator: ", "),
            maxSessionsPerWeek: gp.maxSessionsPerWeek.map(String.init),
            usualRate: gp.usualRatePence.map { String(format: "£%.2f", Double($0) / 100) },
            appraisalMonth: gp.appraisalMonth.map { months[$0 - 1] }, lastAppraisalOn: gp.lastAppraisalOn?.displayText,
            revalidationDueOn: gp.revalidationDueOn?.displayText,
            mailshotConsent: gp.mailshotConsent
                ? "Yes" + (gp.mailshotConsentAt.map { ", since \(DisplayDate.day($0))" } ?? "") : "No",
            applicationNote: gp.applicationNote, declineReason: gp.declineReason)
    }

    // MARK: Adding and editing

    @Sendable func newForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        try context.require(.manageOrganisation(organisationId: organisationId))
        return try await renderGPForm(
            context: context, organisationId: organisationId, gp: nil, full: true, form: nil, errors: ValidationErrors(),
            status: .ok)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        let form = try await request.formFields(context: context)
        do {
            let gp = try await database.createGP(organisationId: organisationId, Self.gpInput(form, full: true), by: principal)
            return .seeOther("/gps/\(gp.id!)?done=added")
        } catch DomainError.validationFailed(let errors) {
            return try await renderGPForm(
                context: context, organisationId: organisationId, gp: nil, full: true, form: form, errors: errors,
                status: .unprocessableContent)
        }
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let entry = try await database.gp(at: context)
        let gp = entry.gp
        let full = entry.may.contains(.editEverything)
        try entry.require(.edit)
        return try await renderGPForm(
            context: context, organisationId: gp.organisationId, gp: gp, full: full, form: nil, errors: ValidationErrors(),
            status: .ok)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.gp(at: context)
        let gp = entry.gp
        let full = entry.may.contains(.editEverything)
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.updateGP(id: gp.id!, Self.gpInput(form, full: full), by: principal)
            return .seeOther("/gps/\(gp.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderGPForm(
                context: context, organisationId: gp.organisationId, gp: gp, full: full, form: form, errors: errors,
                status: .unprocessableContent)
        }
    }

    /// Reads the form's fields into an input; checkboxes absent from the post mean "none"/"no".
    static func gpInput(_ form: FormFields, full: Bool) -> GPInput {
        var input = GPInput()
        func optionalInt(_ name: String) -> Int? { form.text(name).isEmpty ? nil : Int(form.text(name)) ?? -1 }
        input.email = form["email"]
        input.phone = form["phone"]
        input.postcode = form["postcode"]
        input.localities = form.all("localities")
        input.skills = form.all("skills")
        input.mailshotConsent = form["mailshotConsent"] == "true"
        if full {
            input.name = form["name"]
            input.gmcNumber = form["gmcNumber"]
            input.profession = form["profession"]
            input.kind = form["kind"]
            input.status = form["status"]
            input.mentorId = Int64(form.text("mentorId"))
            input.maxSessionsPerWeek = optionalInt("maxSessionsPerWeek")
            input.appraisalMonth = optionalInt("appraisalMonth")
            input.usualRate =
                form.text("usualRate").isEmpty
                ? nil : Double(form.text("usualRate").replacingOccurrences(of: "£", with: "")) ?? -1
            input.lastAppraisalOn = form["lastAppraisalOn"]
            input.revalidationDueOn = form["revalidationDueOn"]
        }
        return input
    }

    private func renderGPForm(
        context: AppRequestContext, organisationId: Int64, gp: GP?, full: Bool, form: FormFields?, errors: ValidationErrors,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let skills = try await database.skills(organisationId: organisationId)
        let localities = try await database.localities(organisationId: organisationId)
        // Only the full form (the liaison officer's) chooses a mentor.
        let mentors = full ? try await database.mentors(organisationId: organisationId, by: try context.requirePrincipal()) : []
        func value(_ name: String, _ current: String?) -> String? { form.map { $0.text(name) } ?? current }
        var fields: [FormField] = []
        if full {
            fields += [
                .text("name", "Full name", value: value("name", gp?.name), errors: errors, autocomplete: "name"),
                .text(
                    "gmcNumber", "GMC reference number", value: value("gmcNumber", gp?.gmcNumber), errors: errors,
                    hint: "7 digits"),
                .select(
                    "profession", "Profession", value: value("profession", gp?.profession.rawValue ?? "gp"),
                    choices: [("gp", "GP"), ("nurse", "Nurse"), ("pharmacist", "Pharmacist")], errors: errors),
                .select(
                    "kind", "Kind of work", value: value("kind", gp?.kind.rawValue ?? "freelance"),
                    choices: [
                        ("freelance", "Freelance / locum"), ("salaried", "Salaried"), ("retainer", "Retainer"),
                        ("returner", "Returner"),
                    ],
                    errors: errors),
                .select(
                    "status", "Status", value: value("status", gp?.status.rawValue ?? "active"),
                    choices: GP.Status.allCases.map { ($0.rawValue, $0.rawValue.capitalized) }, errors: errors),
                .select(
                    "mentorId", "Mentor", value: value("mentorId", gp?.mentorId.map(String.init)),
                    choices: [("", "None")] + mentors.map { (String($0.id), $0.name) }, errors: errors),
            ]
        }
        fields += [
            .text("email", "Email", value: value("email", gp?.email), errors: errors, type: "email", autocomplete: "email"),
            .text("phone", "UK phone number", value: value("phone", gp?.phone), errors: errors, type: "tel", autocomplete: "tel"),
            .text("postcode", "Postcode", value: value("postcode", gp?.postcode), errors: errors, autocomplete: "postal-code"),
            .checkboxes(
                "localities", "Localities willing to work in", selected: form?.all("localities") ?? gp?.localities ?? [],
                choices: localities.map { ($0, $0) }, errors: errors),
            .checkboxes(
                "skills", "Skills", selected: form?.all("skills") ?? gp?.skills ?? [], choices: skills.map { ($0.code, $0.name) },
                errors: errors),
        ]
        if full {
            fields += [
                .text(
                    "maxSessionsPerWeek", "Maximum sessions a week",
                    value: value("maxSessionsPerWeek", gp?.maxSessionsPerWeek.map(String.init)),
                    errors: errors, type: "number"),
                .text(
                    "usualRate", "Usual rate per session (£)",
                    value: value("usualRate", gp?.usualRatePence.map { String(format: "%.2f", Double($0) / 100) }), errors: errors
                ),
                .text(
                    "appraisalMonth", "Appraisal month (1–12)",
                    value: value("appraisalMonth", gp?.appraisalMonth.map(String.init)),
                    errors: errors, type: "number"),
                .text(
                    "lastAppraisalOn", "Last appraisal", value: value("lastAppraisalOn", gp?.lastAppraisalOn?.description),
                    errors: errors,
                    hint: "YYYY-MM-DD", type: "date"),
                .text(
                    "revalidationDueOn", "Revalidation due",
                    value: value("revalidationDueOn", gp?.revalidationDueOn?.description),
                    errors: errors, hint: "YYYY-MM-DD", type: "date"),
            ]
        }
        fields.append(
            .checkbox(
                "mailshotConsent", "Send the weekly mailshot by email",
                checked: form.map { $0["mailshotConsent"] == "true" } ?? gp?.mailshotConsent ?? false,
                errors: errors, hint: "Work available and news from the support team. Can be withdrawn at any time."))
        let path = gp.map { "/gps/\($0.id!)/edit" } ?? "/gps/new"
        let model = FormPage(
            page: PageChrome(title: gp == nil ? "Add a GP" : "Change \(gp!.name)", context: context, path: path, errors: errors),
            heading: gp == nil ? "Add a GP to the register" : "Change \(gp!.name)", action: path, fields: fields,
            submit: gp == nil ? "Add to the register" : "Save changes", cancel: gp.map { "/gps/\($0.id!)" } ?? "/gps")
        return renderer.render("form", model, status: status)
    }

    // MARK: Recording a check

    @Sendable func checkForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let entry = try await database.gp(at: context)
        try entry.require(.recordChecks)
        let gp = entry.gp
        return try await renderCheckForm(context: context, gp: gp, form: nil, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func recordCheck(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        let form = try await request.formFields(context: context)
        let input = CheckInput(
            type: form.text("type"), status: form["status"], verifiedOn: form["verifiedOn"], expiresOn: form["expiresOn"],
            note: form["note"], dbsCertificateNumber: form["dbsCertificateNumber"], dbsIssuedOn: form["dbsIssuedOn"],
            dbsLevel: form["dbsLevel"], dbsUpdateService: form["dbsUpdateService"] == "true")
        do {
            _ = try await database.recordCheck(gpId: gp.id!, input, by: principal)
            return .seeOther("/gps/\(gp.id!)?done=check-recorded")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCheckForm(context: context, gp: gp, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    private func renderCheckForm(
        context: AppRequestContext, gp: GP, form: FormFields?, errors: ValidationErrors, status: HTTPResponse.Status
    ) async throws -> Response {
        let types = try await database.checkTypes(organisationId: gp.organisationId)
        let fields: [FormField] = [
            .select("type", "Check", value: form?.text("type"), choices: types.map { ($0.code, $0.name) }, errors: errors),
            .select(
                "status", "Result", value: form?.text("status") ?? "verified",
                choices: CredentialCheck.Status.allCases.map { ($0.rawValue, $0.rawValue.capitalized) }, errors: errors),
            .text(
                "verifiedOn", "Date checked", value: form?.text("verifiedOn"), errors: errors,
                hint: "YYYY-MM-DD; today if left blank", type: "date"),
            .text(
                "expiresOn", "Expires on", value: form?.text("expiresOn"), errors: errors,
                hint: "The last day it is good for. An appraisal without one counts for \(appraisalValidityMonths) months.",
                type: "date"),
            .textarea(
                "note", "Evidence note", value: form?.text("note"), errors: errors,
                hint: "What was seen, e.g. \"GMC online register, licence to practise\"."),
            .text(
                "dbsCertificateNumber", "DBS certificate number", value: form?.text("dbsCertificateNumber"), errors: errors,
                hint: "DBS only: 12 digits. Never record what a disclosure says."),
            .text("dbsIssuedOn", "DBS certificate issued", value: form?.text("dbsIssuedOn"), errors: errors, type: "date"),
            .select(
                "dbsLevel", "DBS level", value: form?.text("dbsLevel"),
                choices: [("", "Not a DBS check")] + CredentialCheck.DBSLevel.allCases.map { ($0.rawValue, $0.rawValue) },
                errors: errors),
            .checkbox(
                "dbsUpdateService", "Subscribed to the DBS Update Service", checked: form?["dbsUpdateService"] == "true",
                errors: errors),
        ]
        let path = "/gps/\(gp.id!)/checks/new"
        let model = FormPage(
            page: PageChrome(title: "Record a check for \(gp.name)", context: context, path: path, errors: errors),
            heading: "Record a check for \(gp.name)", action: path, fields: fields, submit: "Record the check",
            cancel: "/gps/\(gp.id!)")
        return renderer.render("form", model, status: status)
    }

    // MARK: Applicants

    @Sendable func applicants(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderApplicants(request, context: context, errorFor: nil, status: .ok)
    }

    private func renderApplicants(
        _ request: Request, context: AppRequestContext, errorFor: (gpId: Int64, message: String)?, status: HTTPResponse.Status
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        try context.require(.manageOrganisation(organisationId: organisationId))
        let page = try await database.gps(
            organisationId: organisationId, filter: GPFilter(status: .applicant),
            page: PageRequest(perPage: PageRequest.maximumPerPage), by: principal)
        let applicants = page.items.map {
            ApplicantsPage.Applicant(
                id: $0.gp.id!, name: $0.gp.name, gmcNumber: $0.gp.gmcNumber, email: $0.gp.email, note: $0.gp.applicationNote,
                applied: DisplayDate.day($0.gp.createdAt), reasonError: errorFor?.gpId == $0.gp.id ? errorFor?.message : nil)
        }
        var errors = ValidationErrors()
        if let errorFor { errors.add("reason-\(errorFor.gpId)", errorFor.message) }
        let model = ApplicantsPage(
            page: PageChrome(
                title: "Applicants", context: context, path: "/applicants", errors: errors, notice: Notice.from(request)),
            applicants: applicants)
        return renderer.render("applicants", model, status: status)
    }

    /// Approves an applicant and emails them the link to choose a password.
    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        let invite = try await database.approveApplicant(gpId: gp.id!, by: principal)
        try await RegisterMail.sendInvite(invite, mailer: mailer, baseURL: baseURL)
        return .seeOther("/applicants?done=approved")
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.declineApplicant(gpId: gp.id!, reason: form.text("reason"), by: principal)
            return .seeOther("/applicants?done=declined")
        } catch DomainError.validationFailed(let errors) {
            // The message goes beside this applicant's reason field, and into the summary linked to it.
            let message = errors["reason"] ?? "Give the reason for declining"
            return try await renderApplicants(
                request, context: context, errorFor: (gp.id!, message), status: .unprocessableContent)
        }
    }

}

/// Which organisation a register page is about, for the person asking.
enum RegisterPages {
    static func supervisedOrganisation(_ request: Request, _ principal: Principal) throws -> Int64 {
        try principal.organisationId(named: try RegisterQuery.namedOrganisation(request), as: .supportTeam)
    }

    static func managedOrganisation(_ request: Request, _ principal: Principal) throws -> Int64 {
        try principal.organisationId(named: try RegisterQuery.namedOrganisation(request), as: .liaisonOfficer)
    }

    /// The current query string without one parameter, ending in `&` when not empty (for page links).
    static func queryWithout(_ request: Request, _ name: String) -> String {
        let parts = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("\(name)=") }
        return parts.isEmpty ? "" : parts.joined(separator: "&") + "&"
    }
}
