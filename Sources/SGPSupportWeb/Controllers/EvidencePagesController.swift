import Foundation
import Hummingbird
import SGPSupport

/// The evidence pages: a GP's log, an entry's form, the printable portfolio, the support team's
/// audit topics, and a practice's admission feedback. The pages' models and forms are in Views/Evidence.
struct EvidencePagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: EvidenceAPIController

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/gps/:id/evidence", use: log)
        router.get("/gps/:id/evidence/new", use: newEntry)
        router.post("/gps/:id/evidence", use: createEntry)
        router.get("/evidence/:id", use: showEntry)
        router.post("/evidence/:id", use: updateEntry)
        router.post("/evidence/:id/delete", use: deleteEntry)
        router.get("/gps/:id/portfolio/:year", use: portfolio)
        router.get("/organisations/:id/evidence", use: team)
        router.post("/organisations/:id/audit-topics", use: publishTopic)
        router.post("/organisations/:id/cpd-target", use: setTarget)
        router.post("/audit-topics/:id/join", use: joinTopic)
        router.get("/practices/:id/admission-feedback", use: admissionForm)
        router.post("/practices/:id/admission-feedback", use: sendAdmission)
    }

    // MARK: The log

    @Sendable func log(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let filter = try EvidenceAPIController.filter(request)
        let log = try await database.evidenceLog(gpId: gpId, filter: filter, by: principal)
        let topics =
            log.isOwner ? try await database.auditTopics(organisationId: log.gp.organisationId, by: principal) : []
        let model = EvidenceLogPage(
            page: PageChrome(
                title: "Evidence log", context: context, path: "/gps/\(gpId)/evidence", notice: Notice.from(request)),
            log: log, filter: filter, topics: topics, today: database.clock.today)
        return renderer.render("evidence-log", model)
    }

    // MARK: An entry

    @Sendable func newEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        try database.requireEvidenceAuthor(gpId: gpId, by: principal)
        guard let kind = request.uri.queryParameters.get("kind").flatMap(EvidenceKind.init(rawValue:)),
            kind != .feedbackReflection
        else {
            return .seeOther("/gps/\(gpId)/evidence")
        }
        return try await renderEntry(kind: kind, entry: nil, gpId: gpId, context: context)
    }

    @Sendable func createEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let form = try await request.formFields(context: context)
        guard let kind = EvidenceKind(rawValue: form.text("kind")), kind != .feedbackReflection else {
            try database.requireEvidenceAuthor(gpId: gpId, by: principal)
            return .seeOther("/gps/\(gpId)/evidence")
        }
        do {
            let declaration = try await entryForm(kind, entry: nil, gpId: gpId, principal)
            let entry = try await database.createEvidenceEntry(
                gpId: gpId, EvidenceForm.input(declaration, form, kind: kind), by: principal)
            return .seeOther("/evidence/\(entry.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderEntry(kind: kind, entry: nil, gpId: gpId, context: context, posted: form, errors: errors)
        }
    }

    @Sendable func showEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.evidenceEntry(id: try context.pathID(), by: principal)
        return try await renderEntry(
            kind: entry.kind, entry: entry, gpId: entry.gpId, context: context, notice: Notice.from(request))
    }

    @Sendable func updateEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.evidenceEntry(id: try context.pathID(), by: principal)
        let form = try await request.formFields(context: context)
        do {
            let declaration = try await entryForm(entry.kind, entry: entry, gpId: entry.gpId, principal)
            _ = try await database.updateEvidenceEntry(
                id: entry.id!, EvidenceForm.input(declaration, form, kind: entry.kind), by: principal)
            return .seeOther("/evidence/\(entry.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderEntry(
                kind: entry.kind, entry: entry, gpId: entry.gpId, context: context, posted: form, errors: errors)
        }
    }

    @Sendable func deleteEntry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.evidenceEntry(id: try context.pathID(), by: principal)
        try await database.deleteEvidenceEntry(id: entry.id!, by: principal)
        return .seeOther("/gps/\(entry.gpId)/evidence?done=deleted")
    }

    /// The entry's form for its author (the choice of practice is theirs to read, nobody else's).
    private func entryForm(_ kind: EvidenceKind, entry: EvidenceEntry?, gpId: Int64, _ principal: Principal) async throws
        -> FormDeclaration<EvidenceInput>
    {
        let practices = kind == .feedbackReflection ? [] : try await database.evidencePracticeChoices(gpId: gpId, by: principal)
        return EvidenceForm.declaration(kind, entry: entry, practices: practices)
    }

    private func renderEntry(
        kind: EvidenceKind, entry: EvidenceEntry?, gpId: Int64, context: AppRequestContext, notice: String? = nil,
        posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        // Only the GP writes their evidence: a mentor, or the practice that sent it, reads it.
        let form =
            database.mayAuthorEvidence(gpId: gpId, by: principal)
            ? try await entryForm(kind, entry: entry, gpId: gpId, principal) : nil
        let model = EvidenceEntryPage(
            page: PageChrome(
                title: entry?.title ?? "New evidence", context: context, path: "/gps/\(gpId)/evidence", errors: errors,
                notice: notice),
            kind: kind, entry: entry, gpId: gpId, form: form, today: database.clock.today,
            readerIsPractice: principal.reach.managesPractices, posted: posted, errors: errors)
        return renderer.render("evidence-entry", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: The portfolio

    @Sendable func portfolio(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let year = context.parameters.get("year", as: Int.self) else {
            throw DomainError.notFound("Give the appraisal year as the year it starts, like /portfolio/2026")
        }
        let portfolio = try await database.portfolio(gpId: try context.pathID(), year: year, by: principal)
        let model = PortfolioPage(
            page: PageChrome(
                title: "Appraisal portfolio \(portfolio.yearLabel)", context: context, path: "/gps/\(portfolio.gpId)/evidence"),
            portfolio: portfolio)
        return renderer.render("portfolio", model)
    }

    // MARK: The support team's page

    @Sendable func team(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderTeam(context: context, notice: Notice.from(request))
    }

    private func renderTeam(
        context: AppRequestContext, posted: (form: OrganisationEvidencePage.Form, fields: FormFields)? = nil,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try context.pathID()
        let model = OrganisationEvidencePage(
            page: PageChrome(
                title: "Evidence and audits", context: context, path: "/organisations/\(organisationId)", errors: errors,
                notice: notice),
            evidence: try await database.organisationEvidence(organisationId: organisationId, by: principal),
            canSetTarget: principal.may(.manageOrganisation(organisationId: organisationId)), posted: posted, errors: errors)
        return renderer.render("organisation-evidence", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func publishTopic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.publishAuditTopic(
                organisationId: organisationId, AuditTopicForm.declaration.decode(form, into: AuditTopicForm.blank),
                by: principal)
            return .seeOther("/organisations/\(organisationId)/evidence?done=published")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTeam(context: context, posted: (form: .topic, fields: form), errors: errors)
        }
    }

    @Sendable func setTarget(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            let target = CPDTargetInput.declaration.decode(form, into: CPDTargetInput())
            try await database.setCPDTarget(organisationId: organisationId, hours: target.value, by: principal)
            return .seeOther("/organisations/\(organisationId)/evidence?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTeam(context: context, posted: (form: .target, fields: form), errors: errors)
        }
    }

    @Sendable func joinTopic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.joinAuditTopic(id: try context.pathID(), by: principal)
        return .seeOther("/evidence/\(entry.id!)?done=joined")
    }

    // MARK: Admission feedback from a practice

    @Sendable func admissionForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderAdmission(context: context)
    }

    @Sendable func sendAdmission(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            // The choice of GPs is the page's: what the post says is read the same without it.
            let outcome = try await database.sendAdmissionFeedback(
                practiceId: practiceId,
                AdmissionFeedbackForm.declaration(colleagues: []).decode(form, into: AdmissionFeedbackForm.blank),
                by: principal, links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            return .seeOther("/evidence/\(outcome.value.id!)?done=admission-sent")
        } catch DomainError.validationFailed(let errors) {
            return try await renderAdmission(context: context, posted: form, errors: errors)
        }
    }

    private func renderAdmission(
        context: AppRequestContext, posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = try context.pathID()
        let model = AdmissionFeedbackForm.page(
            page: PageChrome(
                title: "Feedback on a hospital admission", context: context, path: "/practices/\(practiceId)", errors: errors),
            practiceId: practiceId, colleagues: try await database.practiceColleagues(practiceId: practiceId, by: principal),
            posted: posted, errors: errors)
        return renderer.render("form", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
