import Foundation
import Hummingbird
import SGPSupport

/// The liaison officer's clearing run pages: pick a week and run; proposals by day with reasons and
/// the sessions left unfilled with why and who nearly fits; remove or swap a proposal; send the
/// offers. The page models are in Views/ClearingRun.
struct ClearingRunPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    /// Where the offers' emails link to.
    let links: Links

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/clearing-runs", use: runs)
        router.post("/clearing-runs", use: start)
        router.get("/clearing-runs/:id", use: show)
        router.get("/clearing-runs/:id/sessions/:sessionId", use: swapChoices)
        router.post("/clearing-runs/:id/remove", use: remove)
        router.post("/clearing-runs/:id/swap", use: swap)
        router.get("/clearing-runs/:id/send", use: confirmSend)
        router.post("/clearing-runs/:id/send", use: send)
    }

    private static func organisationId(_ request: Request, principal: Principal) throws -> Int64 {
        try principal.organisationId(named: try RegisterQuery.namedOrganisation(request), as: .liaisonOfficer)
    }

    @Sendable func runs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try await renderRuns(
            organisationId: try Self.organisationId(request, principal: principal), context: context,
            notice: Notice.from(request))
    }

    private func renderRuns(
        organisationId: Int64, context: AppRequestContext, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) async throws -> Response {
        let model = ClearingRunsPage(
            page: PageChrome(title: "Clearing run", context: context, path: "/clearing-runs", errors: errors, notice: notice),
            organisationId: organisationId,
            runs: try await database.clearingRuns(organisationId: organisationId, by: try context.requirePrincipal()),
            today: database.clock.today, posted: posted, errors: errors)
        return renderer.render("clearing-runs", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        let organisationId = Int64(form.text("organisationId"))
        let input = ClearingRunsPage.form(today: database.clock.today).decode(form, into: ClearingRunsPage.StartInput())
        do {
            let view = try await database.startClearingRun(organisationId: organisationId, week: input.week, by: principal)
            return .seeOther("/clearing-runs/\(view.run.id!)")
        } catch DomainError.validationFailed(let errors) {
            guard let organisationId else { throw DomainError.validationFailed(errors) }
            return try await renderRuns(organisationId: organisationId, context: context, posted: form, errors: errors)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderRun(context: context, notice: Notice.from(request))
    }

    private func renderRun(context: AppRequestContext, errors: ValidationErrors = ValidationErrors(), notice: String? = nil)
        async throws -> Response
    {
        let view = try await database.clearingRun(id: try context.pathID(), by: try context.requirePrincipal())
        let page = PageChrome(
            title: ClearingRunPage.title(view.run), context: context, path: "/clearing-runs", errors: errors, notice: notice)
        return renderer.render(
            "clearing-run", ClearingRunPage(page: page, view: view), status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func swapChoices(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let sessionId = try context.pathID("sessionId")
        let model = ClearingSwapPage(
            page: PageChrome(title: "Swap a proposal", context: context, path: "/clearing-runs"),
            view: try await database.clearingRun(id: try context.pathID(), by: principal),
            listing: try await database.session(id: sessionId, by: principal).listing,
            candidates: try await database.candidates(sessionId: sessionId, includeIneligible: false, by: principal))
        return renderer.render("clearing-swap", model)
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let runId = try context.pathID()
        do {
            _ = try await database.removeClearingProposal(
                runId: runId, sessionId: Int64(form.text("sessionId")), by: try context.requirePrincipal())
            return .seeOther("/clearing-runs/\(runId)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderRun(context: context, errors: errors)
        }
    }

    @Sendable func swap(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let runId = try context.pathID()
        do {
            _ = try await database.swapClearingProposal(
                runId: runId, sessionId: Int64(form.text("sessionId")), gpId: Int64(form.text("gpId")),
                by: try context.requirePrincipal())
            return .seeOther("/clearing-runs/\(runId)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderRun(context: context, errors: errors)
        }
    }

    /// Offers go to GPs at once and cannot be called back: the page that lists them, before the
    /// one button that sends.
    @Sendable func confirmSend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.clearingRun(id: try context.pathID(), by: try context.requirePrincipal())
        let page = PageChrome(title: "Send the offers?", context: context, path: "/clearing-runs")
        return renderer.render("clearing-run-send", ClearingRunSendPage(page: page, view: view))
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let runId = try context.pathID()
        // One click never sends: without the confirmation page's answer, show that page.
        let view = try await database.clearingRun(id: runId, by: try context.requirePrincipal())
        guard try await request.formFields(context: context)["confirmed"] == "yes" else {
            return .seeOther("/clearing-runs/\(view.run.id!)/send")
        }
        let outcome = try await database.sendClearingRun(id: runId, by: try context.requirePrincipal(), links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return .seeOther("/clearing-runs/\(runId)?done=offers-sent")
    }
}
