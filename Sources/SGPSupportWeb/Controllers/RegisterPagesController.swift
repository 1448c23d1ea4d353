import Foundation
import Hummingbird
import SGPSupport

/// The register's pages: the GP list, profiles with checks, edit and check forms, applicants.
struct RegisterPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    let baseURL: String

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
        var errors = ValidationErrors()
        var filter = GPFilter()
        do {
            filter = try RegisterQuery.gpFilter(request)
        } catch DomainError.validationFailed(let found) {
            errors = found
        }
        let listing = try await database.gps(
            organisationId: organisationId, filter: filter, page: request.pageRequest(), by: principal)
        let model = RegisterListPage(
            page: PageChrome(title: "Register", context: context, path: "/gps", errors: errors), listing: listing,
            query: FormFields(urlEncoded: request.uri.query ?? ""),
            skills: try await database.skills(organisationId: organisationId),
            localities: try await database.localities(organisationId: organisationId), errors: errors,
            canManage: principal.may(.manageOrganisation(organisationId: organisationId)),
            linkBase: RegisterPages.queryWithout(request, "page"))
        return renderer.render("gps", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: A GP's profile

    @Sendable func profile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderProfile(context: context, entry: try await database.gp(at: context), notice: Notice.from(request))
    }

    /// The profile, also as it comes back from one of its own forms (a renewal, a verification).
    func renderProfile(
        context: AppRequestContext, entry: GPEntryView, posted: GPProfilePage.Posted? = nil,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = entry.gp
        let restrictions =
            entry.may.contains(.seeWorkRestrictions) ? try await database.workRestrictions(gpId: gp.id!, by: principal) : []
        let documents = entry.may.contains(.seeDocuments) ? try await database.documents(gpId: gp.id!, by: principal) : []
        let warnings = entry.may.contains(.seeEntry) ? try await database.lateCancellations(gpId: gp.id!, by: principal) : []
        let model = GPProfilePage(
            page: PageChrome(title: gp.name, context: context, path: "/gps/\(gp.id!)", errors: errors, notice: notice),
            entry: entry, history: try await database.checks(gpId: gp.id!, by: principal),
            types: try await database.checkTypes(organisationId: gp.organisationId),
            skills: try await database.skills(organisationId: gp.organisationId),
            expiring: try await database.expiringChecks(organisationId: gp.organisationId, gpId: gp.id!, by: principal),
            workRestrictions: restrictions, documents: documents, today: database.clock.today, posted: posted, errors: errors,
            lateCancellations: warnings)
        return renderer.render("gp", model, status: status)
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
            let declaration = try await gpForm(organisationId: organisationId, full: true, context: context)
            let gp = try await database.createGP(
                organisationId: organisationId, declaration.decode(form, into: GPInput()), by: principal)
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
            let declaration = try await gpForm(organisationId: gp.organisationId, full: full, context: context)
            _ = try await database.updateGP(id: gp.id!, declaration.decode(form, into: GPInput()), by: principal)
            return .seeOther("/gps/\(gp.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderGPForm(
                context: context, organisationId: gp.organisationId, gp: gp, full: full, form: form, errors: errors,
                status: .unprocessableContent)
        }
    }

    private func gpForm(organisationId: Int64, full: Bool, context: AppRequestContext) async throws
        -> FormDeclaration<GPInput>
    {
        // Only the full form (the liaison officer's) chooses a mentor.
        let mentors = full ? try await database.mentors(organisationId: organisationId, by: try context.requirePrincipal()) : []
        return GPForm.declaration(
            full: full,
            choices: GPForm.Choices(
                skills: try await database.skills(organisationId: organisationId),
                localities: try await database.localities(organisationId: organisationId), mentors: mentors))
    }

    private func renderGPForm(
        context: AppRequestContext, organisationId: Int64, gp: GP?, full: Bool, form: FormFields?, errors: ValidationErrors,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let declaration = try await gpForm(organisationId: organisationId, full: full, context: context)
        let path = gp.map { "/gps/\($0.id!)/edit" } ?? "/gps/new"
        let model = GPForm.page(
            chrome: { PageChrome(title: $0, context: context, path: path, errors: errors) }, gp: gp,
            declaration: declaration, posted: form, errors: errors)
        return renderer.render("form", model, status: status)
    }

    // MARK: Recording a check

    @Sendable func checkForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let entry = try await database.gp(at: context)
        try entry.require(.recordChecks)
        let gp = entry.gp
        return try await renderCheckForm(context: context, gp: gp, form: nil, errors: ValidationErrors(), status: .ok)
    }

    /// The check, with the document it rests on when one is chosen (the form posts multipart).
    @Sendable func recordCheck(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.gp(at: context)
        // Refused before the body, which may hold a document, is read.
        try entry.require(.recordChecks)
        let gp = entry.gp
        let submission = try await request.formSubmission(context: context)
        let form = submission.fields
        let declaration = try await checkForm(gp)
        let input = declaration.decode(form, into: CheckInput(type: ""))
        let document = submission.files["document"].map { DocumentUpload(filename: $0.filename, bytes: Data($0.bytes)) }
        do {
            _ = try await database.recordCheck(gpId: gp.id!, input, document: document, by: principal)
            return .seeOther("/gps/\(gp.id!)?done=check-recorded")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCheckForm(context: context, gp: gp, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    private func renderCheckForm(
        context: AppRequestContext, gp: GP, form: FormFields?, errors: ValidationErrors, status: HTTPResponse.Status
    ) async throws -> Response {
        let path = "/gps/\(gp.id!)/checks/new"
        let model = CheckForm.page(
            chrome: { PageChrome(title: $0, context: context, path: path, errors: errors) }, gp: gp,
            declaration: try await checkForm(gp),
            posted: form, errors: errors)
        return renderer.render("form", model, status: status)
    }

    private func checkForm(_ gp: GP) async throws -> FormDeclaration<CheckInput> {
        CheckForm.declaration(
            types: try await database.checkTypes(organisationId: gp.organisationId, for: gp.profession),
            appraisalMonths: try await database.appraisalValidityMonths(organisationId: gp.organisationId))
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
        var errors = ValidationErrors()
        if let errorFor { errors.add("reason-\(errorFor.gpId)", errorFor.message) }
        let model = ApplicantsPage(
            page: PageChrome(
                title: "Applicants", context: context, path: "/applicants", errors: errors, notice: Notice.from(request)),
            entries: page.items, refused: errorFor)
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
