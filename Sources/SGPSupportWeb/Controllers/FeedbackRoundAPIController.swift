import Foundation
import Hummingbird
import SGPSupport

/// Colleague and patient feedback rounds for programs (issue 23). The answer route takes no sign-in:
/// its token is the single-use link or the patient's code.
struct FeedbackRoundAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let baseURL: String
    var links: Links { Links(baseURL: baseURL) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/gps/:id/feedback-rounds", use: request)
        router.get("/api/v1/gps/:id/feedback-rounds", use: list)
        router.get("/api/v1/feedback-rounds/:id", use: show)
        router.get("/api/v1/feedback-rounds/:id/items", use: items)
        router.post("/api/v1/feedback-rounds/:id/open", use: open)
        router.post("/api/v1/feedback-rounds/:id/close", use: close)
        router.post("/api/v1/feedback-rounds/:id/extend", use: extend)
        router.post("/api/v1/feedback-rounds/:id/colleagues", use: addColleague)
        router.post("/api/v1/feedback-rounds/:id/patient-slips", use: patientSlips)
        router.post("/api/v1/feedback-rounds/:id/reflection", use: reflect)
        router.post("/api/v1/feedback-answers/:token", use: answer)
    }

    struct KindBody: Decodable {
        var kind: String?
    }

    struct ClosingBody: Decodable {
        var closesOn: String?
    }

    struct ReflectionBody: Decodable {
        var reflection: String?
    }

    struct SlipsBody: Decodable {
        var bookingId: Int64?
        var count: Int?
    }

    struct CodesBody: Encodable {
        var codes: [String]
        var link: String
    }

    struct RoundBody: Encodable {
        struct PracticeCount: Encodable {
            var practice: String
            var invited: Int
        }

        var id: Int64
        var gpId: Int64
        var kind: String
        var status: String
        /// Null while the round runs, except for the support team.
        var responses: Int?
        var minimum: Int
        var target: Int
        var closesOn: Day?
        var extended: Bool
        var invited: Int
        var invitedByPractice: [PracticeCount]
        var report: FeedbackRoundReport?
        var reflection: String?
        var may: [String]

        init(_ view: FeedbackRoundView) {
            id = view.round.id!
            gpId = view.round.gpId
            kind = view.round.kind.rawValue
            status = view.round.status.rawValue
            responses = view.responses
            minimum = view.round.minimum
            target = view.round.target
            closesOn = view.round.closesOn
            extended = view.round.extended
            invited = view.invited
            invitedByPractice = view.invitedByPractice.map { PracticeCount(practice: $0.practice, invited: $0.count) }
            report = view.report
            reflection = view.may.contains(.readReport) ? view.round.reflection : nil
            may = view.may.map(\.rawValue).sorted()
        }
    }

    struct ItemBody: Encodable {
        var item: String
        var position: Int
        var domain: String
        var text: String
    }

    @Sendable func request(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let body = try await request.decodeJSON(KindBody.self, context: context)
        let view = try await database.requestFeedbackRound(gpId: gpId, kind: body.kind, by: principal)
        return try .json(RoundBody(view), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let items = try await database.feedbackRounds(gpId: try context.pathID(), by: principal).map(RoundBody.init)
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(RoundBody(try await database.feedbackRound(id: try context.pathID(), by: principal)))
    }

    @Sendable func items(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let items = try await database.feedbackRoundItems(roundId: try context.pathID(), by: principal).map {
            ItemBody(item: $0.code, position: $0.position, domain: $0.domain, text: $0.text)
        }
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(ClosingBody.self, context: context)
        let outcome = try await database.openFeedbackRound(id: id, closesOn: body.closesOn, by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(RoundBody(outcome.value))
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.closeFeedbackRound(id: try context.pathID(), by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(RoundBody(outcome.value))
    }

    @Sendable func extend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(ClosingBody.self, context: context)
        let outcome = try await database.extendFeedbackRound(id: id, closesOn: body.closesOn, by: principal, links: links)
        return try .json(RoundBody(outcome.value))
    }

    @Sendable func addColleague(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(ColleagueInput.self, context: context)
        let outcome = try await database.addColleague(roundId: id, body, by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(RoundBody(outcome.value), status: .created)
    }

    @Sendable func patientSlips(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(SlipsBody.self, context: context)
        let codes = try await database.patientSlips(roundId: id, bookingId: body.bookingId, count: body.count, by: principal)
        return try .json(CodesBody(codes: codes, link: links.url("/feedback-rounds/answer/")), status: .created)
    }

    @Sendable func reflect(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(ReflectionBody.self, context: context)
        return try .json(RoundBody(try await database.reflectOnFeedbackRound(id: id, reflection: body.reflection, by: principal)))
    }

    @Sendable func answer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let body = try await request.decodeJSON(FeedbackAnswersInput.self, context: context)
        try await database.answerFeedback(token: token, body)
        return Response(status: .noContent)
    }
}
