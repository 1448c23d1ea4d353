import Foundation
import Hummingbird
import Logging
import SGPSupport

/// The mailshot's API (`/api/v1/mailshots`): compose, read, add items, preview, send. The pages
/// start a send through `startSending` here too.
struct MailshotAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let links: Links

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/mailshots", use: compose)
        router.get("/api/v1/mailshots/:id", use: show)
        router.post("/api/v1/mailshots/:id/items", use: addItem)
        router.get("/api/v1/mailshots/:id/preview", use: preview)
        router.post("/api/v1/mailshots/:id/send", use: send)
    }

    struct ComposeRequest: Decodable {
        var organisationId: Int64?
        var week: String?
    }

    struct MailshotBody: Encodable {
        struct Item: Encodable {
            var id: Int64
            var kind: String
            var title: String
            var body: String?
            var eventDate: Day?
            var place: String?
            var cpdHours: Double?
            var bookingLink: String?
        }
        var id: Int64
        var organisationId: Int64
        var week: String
        var status: String
        var includePracticeManagers: Bool
        var items: [Item]
        var deliveries: DeliveryCounts
        var sentAt: Date?

        init(_ view: MailshotView) {
            id = view.mailshot.id!
            organisationId = view.mailshot.organisationId
            week = view.mailshot.week
            status = view.mailshot.status.rawValue
            includePracticeManagers = view.mailshot.includePracticeManagers
            items = view.items.map {
                Item(
                    id: $0.id!, kind: $0.kind.rawValue, title: $0.title, body: $0.body, eventDate: $0.eventDate, place: $0.place,
                    cpdHours: $0.cpdHours, bookingLink: $0.bookingLink)
            }
            deliveries = view.deliveries
            sentAt = view.mailshot.sentAt
        }
    }

    struct PreviewBody: Encodable {
        var subject: String
        var text: String
        var html: String
    }

    @Sendable func compose(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(ComposeRequest.self, context: context)
        let organisationId = try principal.organisationId(named: body.organisationId, as: .anyRole)
        let mailshot = try await database.mailshot(organisationId: organisationId, week: body.week ?? "", by: principal)
        return try .json(MailshotBody(try await database.mailshotView(id: mailshot.id!, by: principal)), status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(MailshotBody(try await database.mailshotView(id: try context.pathID(), by: principal)))
    }

    @Sendable func addItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let input = try await request.decodeJSON(MailshotItemInput.self, context: context)
        _ = try await database.addMailshotItem(mailshotId: id, input, by: principal)
        return try .json(MailshotBody(try await database.mailshotView(id: id, by: principal)), status: .created)
    }

    @Sendable func preview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = request.uri.queryParameters.get("gpId").flatMap { Int64($0) }
        let rendered = try await database.previewMailshot(id: try context.pathID(), gpId: gpId, links: links, by: principal)
        return try .json(PreviewBody(subject: rendered.subject, text: rendered.text, html: rendered.html))
    }

    /// Starts the send and answers 202; `GET /api/v1/mailshots/{id}` shows the deliveries as they go.
    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        try await startSending(id, by: principal, logger: context.logger)
        return try .json(MailshotBody(try await database.mailshotView(id: id, by: principal)), status: .accepted)
    }

    /// Checks the send may start, then sends in the background; the mailshot's page shows progress.
    func startSending(_ id: Int64, by principal: Principal, logger: Logger) async throws {
        let view = try await database.mailshotView(id: id, by: principal)
        try view.require(.send)
        guard view.mailshot.status != .sent else { throw DomainError.conflict("This mailshot has already been sent") }
        let database = database
        let mailer = mailer
        let links = links
        Task.detached {
            do {
                let report = try await database.sendMailshot(id: id, transport: mailer, links: links, by: principal)
                logger.info("Mailshot \(id) sent: \(report.sent) of \(report.recipients), \(report.failed.count) failed")
            } catch {
                logger.error("Mailshot \(id) stopped: \(error); it resumes when the server next checks")
            }
        }
    }
}
