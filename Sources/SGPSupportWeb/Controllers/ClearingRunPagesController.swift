import Foundation
import Hummingbird
import SGPSupport

/// The liaison officer's clearing run pages: pick a week and run; proposals by day with reasons and
/// the sessions left unfilled with why; remove or swap a proposal; send the offers.
struct ClearingRunPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    /// Where the offers' emails link to.
    let links: Links

    struct RunRow: Sendable {
        var id: Int64
        var week: String
        var created: String
        var filled: String
        var status: String
    }

    struct RunsPage: Sendable {
        var page: PageChrome
        var organisationId: Int64
        var runs: [RunRow]
        var hasRuns: Bool
        var fields: [FormField]
    }

    struct ProposalRow: Sendable {
        var sessionId: Int64
        var time: String
        var practice: String
        var kind: String
        var gpName: String
        var score: String
        var reasons: [String]
        var pinned: Bool
        var offered: Bool
    }

    struct UnfilledRow: Sendable {
        var sessionId: Int64
        var time: String
        var practice: String
        var reason: String
        var why: String
    }

    struct Day: Sendable {
        var heading: String
        var proposals: [ProposalRow]
        var unfilled: [UnfilledRow]
        var hasProposals: Bool
        var hasUnfilled: Bool
    }

    struct RunPage: Sendable {
        var page: PageChrome
        var runId: Int64
        var organisationId: Int64
        var week: String
        var summary: String
        var days: [Day]
        var hasProposals: Bool
        var canChange: Bool
        var optimal: Bool
    }

    struct CandidateRow: Sendable {
        var gpId: Int64
        var name: String
        var score: Int
        var reasons: String
        var current: Bool
    }

    struct SwapPage: Sendable {
        var page: PageChrome
        var runId: Int64
        var sessionId: Int64
        var heading: String
        var candidates: [CandidateRow]
        var hasCandidates: Bool
    }

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
            organisationId: try Self.organisationId(request, principal: principal), context: context, notice: Notice.from(request)
        )
    }

    private func renderRuns(
        organisationId: Int64, context: AppRequestContext, week: String? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil
    ) async throws -> Response {
        let runs = try await database.clearingRuns(organisationId: organisationId, by: try context.requirePrincipal())
        let thisWeek = IsoWeek(containing: database.clock.today)
        let weeks = (0..<6).map { IsoWeek(containing: thisWeek.monday.adding(days: 7 * $0)) }
        let choices = weeks.map { ($0.description, "\($0) (from \($0.monday.displayText))") }
        let model = RunsPage(
            page: PageChrome(title: "Clearing run", context: context, path: "/clearing-runs", errors: errors, notice: notice),
            organisationId: organisationId,
            runs: runs.map {
                RunRow(
                    id: $0.id!, week: $0.week, created: DisplayDate.dayAndTime($0.createdAt),
                    filled: "\($0.filled) of \($0.sessionCount)", status: $0.status == .sent ? "Offers sent" : "Proposed")
            }, hasRuns: !runs.isEmpty,
            fields: [
                .select(
                    "week", "Week", value: week ?? weeks[1].description, choices: choices, errors: errors,
                    hint: "Every open session of the week is weighed against every GP who may take it")
            ])
        return renderer.render("clearing-runs", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        let organisationId = Int64(form.text("organisationId"))
        do {
            let view = try await database.startClearingRun(organisationId: organisationId, week: form["week"], by: principal)
            return .seeOther("/clearing-runs/\(view.run.id!)")
        } catch DomainError.validationFailed(let errors) {
            guard let organisationId else { throw DomainError.validationFailed(errors) }
            return try await renderRuns(organisationId: organisationId, context: context, week: form["week"], errors: errors)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderRun(context: context, notice: Notice.from(request))
    }

    private func renderRun(context: AppRequestContext, errors: ValidationErrors = ValidationErrors(), notice: String? = nil)
        async throws -> Response
    {
        let view = try await database.clearingRun(id: try context.pathID(), by: try context.requirePrincipal())
        let run = view.run
        func time(_ session: ClinicalSession) -> String { "\(session.start)–\(session.end)" }
        var days: [Day] = []
        let dates = Set(view.proposals.map(\.session.date) + view.unfilled.map(\.session.date)).sorted()
        for date in dates {
            let proposals = view.proposals.filter { $0.session.date == date }
            let unfilled = view.unfilled.filter { $0.session.date == date }
            days.append(
                Day(
                    heading: date.displayText,
                    proposals: proposals.map {
                        ProposalRow(
                            sessionId: $0.session.id!, time: time($0.session), practice: $0.practice.name,
                            kind: $0.session.kind.title, gpName: $0.gpName, score: String(Int($0.proposal.score)),
                            reasons: $0.proposal.reasons, pinned: $0.proposal.pinned, offered: $0.proposal.offerId != nil)
                    },
                    unfilled: unfilled.map {
                        UnfilledRow(
                            sessionId: $0.session.id!, time: time($0.session), practice: $0.practice.name,
                            reason: $0.unfilled.reason == .noOneEligible ? "No one eligible" : "Everyone eligible already used",
                            why: $0.unfilled.why)
                    }, hasProposals: !proposals.isEmpty, hasUnfilled: !unfilled.isEmpty))
        }
        let model = RunPage(
            page: PageChrome(
                title: "Clearing run, \(run.week)", context: context, path: "/clearing-runs", errors: errors, notice: notice),
            runId: run.id!, organisationId: run.organisationId, week: run.week,
            summary: "\(run.filled) of \(run.sessionCount) open sessions proposed"
                + (run.status == .sent ? "; offers sent \(run.sentAt.map(DisplayDate.dayAndTime) ?? "")." : "."),
            days: days, hasProposals: !view.proposals.isEmpty, canChange: run.status == .proposed, optimal: run.optimal)
        return renderer.render("clearing-run", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func swapChoices(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let runId = try context.pathID()
        let sessionId = try context.pathID("sessionId")
        let view = try await database.clearingRun(id: runId, by: principal)
        let listing = try await database.session(id: sessionId, by: principal).listing
        let current = view.proposals.first { $0.session.id == sessionId }?.proposal.gpId
        let candidates = try await database.candidates(sessionId: sessionId, includeIneligible: false, by: principal)
        let model = SwapPage(
            page: PageChrome(title: "Swap a proposal", context: context, path: "/clearing-runs"), runId: runId,
            sessionId: sessionId,
            heading: "\(listing.session.kind.title) at \(listing.practice.name), \(listing.session.date.displayText) "
                + "\(listing.session.start)–\(listing.session.end)",
            candidates: candidates.map {
                CandidateRow(
                    gpId: $0.gpId, name: $0.name, score: $0.score, reasons: $0.reasons.joined(separator: "; "),
                    current: $0.gpId == current)
            }, hasCandidates: !candidates.isEmpty)
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

    struct ConfirmSendPage: Sendable {
        var page: PageChrome
        var runId: Int64
        var heading: String
        var offers: [String]
    }

    /// Offers go to GPs at once and cannot be called back: the page that lists them, before the
    /// one button that sends.
    @Sendable func confirmSend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.clearingRun(id: try context.pathID(), by: try context.requirePrincipal())
        let offers = view.proposals.map {
            "\($0.session.date.displayText) \($0.session.start)–\($0.session.end), \($0.practice.name): \($0.gpName)"
        }
        let model = ConfirmSendPage(
            page: PageChrome(title: "Send the offers?", context: context, path: "/clearing-runs"), runId: view.run.id!,
            heading: "Send \(offers.count) offer\(offers.count == 1 ? "" : "s")?", offers: offers)
        return renderer.render("clearing-run-send", model)
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
