import Foundation
import Hummingbird
import SGPSupport

/// The weekly clearing run's API: run, look, remove or swap a proposal, send the offers.
struct ClearingRunAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    /// Where the offers' emails link to.
    let links: Links

    struct ProposalBody: Encodable {
        var sessionId: Int64
        var date: Day
        var start: String
        var end: String
        var practiceId: Int64
        var practiceName: String
        var gpId: Int64
        var gpName: String
        var score: Double
        var reasons: [String]
        /// The reasons with the points each gave the score (the fairness step's are negative).
        var scoreReasons: [ScoreReasonBody]
        var pinned: Bool
        var offerId: Int64?
    }

    struct ScoreReasonBody: Encodable {
        var text: String
        var points: Double?
    }

    /// A GP who fails exactly one rule for an unfilled session: `rule` is its code, `reason` its words.
    struct NearMissBody: Encodable {
        var gpId: Int64
        var gpName: String
        var rule: String
        var reason: String
        var gpCanFix: Bool
    }

    struct UnfilledBody: Encodable {
        var sessionId: Int64
        var date: Day
        var start: String
        var end: String
        var practiceId: Int64
        var practiceName: String
        var reason: String
        var why: String
        var nearMisses: [NearMissBody]
    }

    struct RunBody: Encodable {
        var id: Int64
        var organisationId: Int64
        var week: String
        var status: String
        var sessions: Int
        var filled: Int
        var objective: Double
        var optimal: Bool
        var solvedAt: Date
        var sentAt: Date?
        var pins: [ClearingAssignment]
        var exclusions: [ClearingAssignment]
        var proposals: [ProposalBody]?
        var unfilled: [UnfilledBody]?

        init(_ run: ClearingRun) {
            id = run.id!
            organisationId = run.organisationId
            week = run.week
            status = run.status.rawValue
            sessions = run.sessionCount
            filled = run.filled
            objective = run.objective
            optimal = run.optimal
            solvedAt = run.solvedAt
            sentAt = run.sentAt
            pins = run.pins
            exclusions = run.exclusions
        }

        init(_ view: ClearingRunView) {
            self.init(view.run)
            proposals = view.proposals.map {
                ProposalBody(
                    sessionId: $0.session.id!, date: $0.session.date, start: $0.session.start, end: $0.session.end,
                    practiceId: $0.practice.id!, practiceName: $0.practice.name, gpId: $0.proposal.gpId, gpName: $0.gpName,
                    score: $0.proposal.score, reasons: $0.proposal.reasons.map(\.text),
                    scoreReasons: $0.proposal.reasons.map { reason in ScoreReasonBody(text: reason.text, points: reason.points) },
                    pinned: $0.proposal.pinned, offerId: $0.proposal.offerId)
            }
            unfilled = view.unfilled.map {
                UnfilledBody(
                    sessionId: $0.session.id!, date: $0.session.date, start: $0.session.start, end: $0.session.end,
                    practiceId: $0.practice.id!, practiceName: $0.practice.name, reason: $0.unfilled.reason.rawValue,
                    why: $0.unfilled.why,
                    nearMisses: $0.nearMisses.map(\.nearMiss).map { miss in
                        NearMissBody(
                            gpId: miss.gpId, gpName: miss.gpName, rule: miss.rule.rawValue, reason: miss.reason,
                            gpCanFix: miss.gpCanFix)
                    })
            }
        }
    }

    struct StartRequest: Decodable {
        var organisationId: Int64?
        var week: String?
    }

    struct ProposalRequest: Decodable {
        var sessionId: Int64?
        var gpId: Int64?
    }

    struct SkippedBody: Encodable {
        var sessionId: Int64
        var reason: String
    }

    struct SendBody: Encodable {
        var offered: Int
        var skipped: [SkippedBody]
        var run: RunBody
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/clearing-runs", use: start)
        router.get("/api/v1/clearing-runs", use: list)
        router.get("/api/v1/clearing-runs/:id", use: show)
        router.post("/api/v1/clearing-runs/:id/remove", use: remove)
        router.post("/api/v1/clearing-runs/:id/swap", use: swap)
        router.post("/api/v1/clearing-runs/:id/send", use: send)
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(StartRequest.self, context: context)
        let view = try await database.startClearingRun(
            organisationId: body.organisationId, week: body.week, by: try context.requirePrincipal())
        return try .json(RunBody(view), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()  // who asks comes before what they ask
        guard let organisationId = request.uri.queryParameters.get("organisationId").flatMap({ Int64($0) }) else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "organisationId", message: "Give the organisation's id as organisationId"))
        }
        let runs = try await database.clearingRuns(organisationId: organisationId, by: principal)
        return try .json(ListBody(items: runs.map(RunBody.init), total: runs.count, page: 1, perPage: max(runs.count, 1)))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try .json(RunBody(try await database.clearingRun(id: try context.pathID(), by: try context.requirePrincipal())))
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ProposalRequest.self, context: context)
        let view = try await database.removeClearingProposal(
            runId: try context.pathID(), sessionId: body.sessionId, by: try context.requirePrincipal())
        return try .json(RunBody(view))
    }

    @Sendable func swap(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ProposalRequest.self, context: context)
        let view = try await database.swapClearingProposal(
            runId: try context.pathID(), sessionId: body.sessionId, gpId: body.gpId, by: try context.requirePrincipal())
        return try .json(RunBody(view))
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let outcome = try await database.sendClearingRun(id: id, by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(
            SendBody(
                offered: outcome.value.offered,
                skipped: outcome.value.skipped.map { SkippedBody(sessionId: $0.sessionId, reason: $0.reason) },
                run: RunBody(try await database.clearingRun(id: id, by: principal))))
    }
}
