import Foundation
import Hummingbird
import SGPSupport

/// The evidence API: a GP's entries, the appraisal portfolio, audit topics and admission feedback.
struct EvidenceAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let links: Links

    struct EntryBody: Encodable {
        var id: Int64
        var gpId: Int64
        var kind: String
        var status: String
        var title: String
        var date: Day
        var details: [String: DetailValue]
        var practiceId: Int64?
        var bookingId: Int64?
        var feedbackCardId: Int64?
        var auditTopicId: Int64?
        var tags: [String]
        var followUpOn: Day?
        var sharedWithMentor: Bool
        var createdAt: Date
        var updatedAt: Date?

        init(_ entry: EvidenceEntry) {
            id = entry.id!
            gpId = entry.gpId
            kind = entry.kind.rawValue
            status = entry.status.rawValue
            title = entry.title
            date = entry.date
            details = entry.details
            practiceId = entry.practiceId
            bookingId = entry.bookingId
            feedbackCardId = entry.feedbackCardId
            auditTopicId = entry.auditTopicId
            tags = entry.tags
            followUpOn = entry.followUpOn
            sharedWithMentor = entry.sharedWithMentor
            createdAt = entry.createdAt
            updatedAt = entry.updatedAt
        }
    }

    struct TopicBody: Encodable {
        var id: Int64
        var organisationId: Int64
        var title: String
        var criteria: String
        var closesOn: Day?
        var publishedAt: Date
        var joined: Int
        var completed: Int
        var myEntryId: Int64?

        init(_ topic: AuditTopic, joined: Int = 0, completed: Int = 0, myEntryId: Int64? = nil) {
            id = topic.id!
            organisationId = topic.organisationId
            title = topic.title
            criteria = topic.criteria
            closesOn = topic.closesOn
            publishedAt = topic.publishedAt
            self.joined = joined
            self.completed = completed
            self.myEntryId = myEntryId
        }

        init(_ listing: AuditTopicListing) {
            self.init(listing.topic, joined: listing.joined, completed: listing.completed, myEntryId: listing.myEntryId)
        }
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/gps/:id/evidence", use: list)
        router.post("/api/v1/gps/:id/evidence", use: create)
        router.get("/api/v1/evidence/:id", use: show)
        router.patch("/api/v1/evidence/:id", use: update)
        router.delete("/api/v1/evidence/:id", use: delete)
        router.get("/api/v1/gps/:id/portfolio", use: portfolio)
        router.get("/api/v1/organisations/:id/audit-topics", use: topics)
        router.post("/api/v1/organisations/:id/audit-topics", use: publishTopic)
        router.post("/api/v1/audit-topics/:id/join", use: joinTopic)
        router.post("/api/v1/practices/:id/admission-feedback", use: sendAdmissionFeedback)
    }

    /// `?kind=` and `?year=` as the log's filter, saying what to fix.
    static func filter(_ request: Request) throws -> EvidenceFilter {
        let query = request.uri.queryParameters
        var errors = ValidationErrors()
        var filter = EvidenceFilter()
        if let kind = query.get("kind"), !kind.isEmpty {
            filter.kind = EvidenceKind(rawValue: kind)
            if filter.kind == nil {
                errors.add("kind", "Choose a kind: " + EvidenceKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let year = query.get("year"), !year.isEmpty {
            filter.year = Int(year).flatMap { (1990...2200).contains($0) ? $0 : nil }
            if filter.year == nil { errors.add("year", "Give the appraisal year as the year it starts, like 2026") }
        }
        try errors.throwIfAny()
        return filter
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let log = try await database.evidenceLog(gpId: try context.pathID(), filter: try Self.filter(request), by: principal)
        let page = request.pageRequest()
        let slice = log.entries.dropFirst((page.page - 1) * page.perPage).prefix(page.perPage)
        return try .json(
            ListBody(items: slice.map(EntryBody.init), total: log.entries.count, page: page.page, perPage: page.perPage))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(EvidenceInput.self, context: context)
        let entry = try await database.createEvidenceEntry(gpId: try context.pathID(), input, by: principal)
        return try .json(EntryBody(entry), status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(EntryBody(try await database.evidenceEntry(id: try context.pathID(), by: principal)))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(EvidenceInput.self, context: context)
        return try .json(EntryBody(try await database.updateEvidenceEntry(id: try context.pathID(), input, by: principal)))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await database.deleteEvidenceEntry(id: try context.pathID(), by: principal)
        return Response(status: .noContent)
    }

    @Sendable func portfolio(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let year = try Self.filter(request).year
        return try .json(try await database.portfolio(gpId: try context.pathID(), year: year, by: principal))
    }

    @Sendable func topics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let listings = try await database.auditTopics(organisationId: try context.pathID(), by: principal)
        return try .json(
            ListBody(items: listings.map(TopicBody.init), total: listings.count, page: 1, perPage: max(listings.count, 1)))
    }

    @Sendable func publishTopic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(AuditTopicInput.self, context: context)
        let topic = try await database.publishAuditTopic(organisationId: try context.pathID(), input, by: principal)
        return try .json(TopicBody(topic), status: .created)
    }

    @Sendable func joinTopic(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(EntryBody(try await database.joinAuditTopic(id: try context.pathID(), by: principal)), status: .created)
    }

    @Sendable func sendAdmissionFeedback(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(AdmissionFeedbackInput.self, context: context)
        let outcome = try await database.sendAdmissionFeedback(
            practiceId: try context.pathID(), input, by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        let sent = try await database.evidenceEntry(id: outcome.value.id!, by: principal)
        return try .json(EntryBody(sent), status: .created)
    }
}
