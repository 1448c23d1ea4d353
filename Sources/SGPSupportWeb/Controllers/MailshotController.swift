import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SGPSupport

/// The weekly mailshot: compose, preview, send (in the background, resumable), the archive, the
/// one-click unsubscribe and the GP's subscription setting; its API beside the pages.
struct MailshotController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    let links: Links

    struct ItemRow: Sendable {
        var id: Int64
        var editable: Bool
        var kind: String
        var title: String
        var detail: String
        var first: Bool
        var last: Bool
    }

    struct MailshotRow: Sendable {
        var id: Int64
        var week: String
        var monday: String
        var status: String
    }

    struct ListPage: Sendable {
        var page: PageChrome
        var rows: [MailshotRow]
        var canCompose: Bool
        var organisationId: Int64?
        var weekField: FormField
    }

    struct MailshotPage: Sendable {
        var page: PageChrome
        var id: Int64
        var heading: String
        var isDraft: Bool
        var isSending: Bool
        var isSent: Bool
        var canManage: Bool
        var items: [ItemRow]
        var newsFields: [FormField]
        var eventFields: [FormField]
        var includePracticeManagers: Bool
        var recipients: Int
        var sent: Int
        var pending: Int
        var failed: Int
        var failures: [Failure]
        var hasFailures: Bool
        var archiveText: String?
        var previewField: FormField
    }

    struct Failure: Sendable {
        var email: String
        var reason: String
    }

    struct PreviewPage: Sendable {
        var page: PageChrome
        var id: Int64
        var subject: String
        var text: String
        var htmlURL: String
    }

    struct UnsubscribePage: Sendable {
        var page: PageChrome
        var heading: String
        var message: String
        var token: String?
    }

    struct SubscriptionPage: Sendable {
        var page: PageChrome
        var subscribed: Bool
        var since: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/mailshots", use: list)
        router.post("/mailshots", use: compose)
        router.get("/mailshots/:id", use: show)
        router.post("/mailshots/:id/items", use: addItem)
        router.post("/mailshots/:id/settings", use: settings)
        router.get("/mailshots/:id/preview", use: preview)
        router.get("/mailshots/:id/preview.html", use: previewHTML)
        router.get("/mailshots/:id/send", use: confirmSend)
        router.post("/mailshots/:id/send", use: send)
        router.post("/mailshot-items/:id/move", use: moveItem)
        router.post("/mailshot-items/:id/remove", use: removeItem)
        router.get("/unsubscribe/:token", use: unsubscribePage)
        router.post("/unsubscribe/:token", use: unsubscribe)
        router.get("/mailshot-subscription", use: subscriptionPage)
        router.post("/mailshot-subscription", use: saveSubscription)
        router.post("/api/v1/mailshots", use: apiCompose)
        router.get("/api/v1/mailshots/:id", use: apiShow)
        router.post("/api/v1/mailshots/:id/items", use: apiAddItem)
        router.get("/api/v1/mailshots/:id/preview", use: apiPreview)
        router.post("/api/v1/mailshots/:id/send", use: apiSend)
    }

    // MARK: Pages

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderList(context: context, notice: Notice.from(request))
    }

    private func renderList(
        context: AppRequestContext, week: String? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        // The one they support, or the one they work in.
        let organisationId = try principal.organisationId(named: nil, as: .anyRole)
        let mailshots = try await database.mailshots(organisationId: organisationId, by: principal)
        let next = IsoWeek(containing: database.clock.today.adding(days: 2)).description
        let model = ListPage(
            page: PageChrome(title: "Mailshots", context: context, path: "/mailshots", errors: errors, notice: notice),
            rows: mailshots.map {
                MailshotRow(id: $0.id!, week: $0.week, monday: $0.isoWeek.monday.displayText, status: $0.status.title)
            },
            canCompose: principal.may(.manageOrganisation(organisationId: organisationId)),
            organisationId: organisationId,
            weekField: .text("week", "Week", value: week ?? next, errors: errors, hint: "The ISO week, like \(next)"))
        return renderer.render("mailshots", model, status: status)
    }

    @Sendable func compose(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        guard let organisationId = Int64(form.text("organisationId")) else {
            throw DomainError.notFound("Choose the organisation")
        }
        do {
            let mailshot = try await database.mailshot(organisationId: organisationId, week: form.text("week"), by: principal)
            return .seeOther("/mailshots/\(mailshot.id!)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderList(context: context, week: form.text("week"), errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderMailshot(context: context, notice: Notice.from(request))
    }

    private func renderMailshot(
        context: AppRequestContext, form: FormFields? = nil, errors: ValidationErrors = ValidationErrors(), notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.mailshotView(id: try context.pathID(), by: principal)
        let mailshot = view.mailshot
        let canManage = principal.may(.manageOrganisation(organisationId: mailshot.organisationId))
        let isTeam = principal.may(.superviseOrganisation(organisationId: mailshot.organisationId))
        let recipients =
            canManage && mailshot.status == .draft
            ? try await database.mailshotRecipientCount(id: mailshot.id!, by: principal) : 0
        let archive = isTeam ? nil : try await database.mailshotArchiveText(id: mailshot.id!, links: links, by: principal).text
        let kind = form?.text("kind")
        let model = MailshotPage(
            page: PageChrome(
                title: "Mailshot \(mailshot.week)", context: context, path: "/mailshots", errors: errors, notice: notice),
            id: mailshot.id!, heading: "Mailshot for the week of \(mailshot.isoWeek.monday.displayText)",
            isDraft: mailshot.status == .draft, isSending: mailshot.status == .sending, isSent: mailshot.status == .sent,
            canManage: canManage,
            items: view.items.enumerated().map { index, item in
                ItemRow(
                    id: item.id!, editable: canManage && mailshot.status == .draft,
                    kind: item.kind == .news ? "News" : "Event", title: item.title,
                    detail: item.kind == .event
                        ? [
                            item.eventDate?.displayText, item.place,
                            item.cpdHours.map { "\(String(format: "%g", $0)) CPD hours" },
                        ]
                        .compactMap { $0 }.joined(separator: " · ") : String((item.body ?? "").prefix(140)),
                    first: index == 0, last: index == view.items.count - 1)
            },
            newsFields: [
                .text("title", "Title", value: kind == "news" ? form?["title"] : nil, errors: kind == "news" ? errors : .init()),
                .textarea(
                    "body", "Text", value: kind == "news" ? form?["body"] : nil, errors: kind == "news" ? errors : .init(),
                    hint: "Markdown: *emphasis*, **bold**, lists with -, links as [words](https://...)."),
            ],
            eventFields: [
                .text(
                    "title", "Event", value: kind == "event" ? form?["title"] : nil, errors: kind == "event" ? errors : .init()),
                .text(
                    "eventDate", "Date", value: kind == "event" ? form?["eventDate"] : nil,
                    errors: kind == "event" ? errors : .init(), hint: "YYYY-MM-DD", type: "date"),
                .text(
                    "place", "Place", value: kind == "event" ? form?["place"] : nil, errors: kind == "event" ? errors : .init()),
                .text(
                    "cpdHours", "CPD hours", value: kind == "event" ? form?["cpdHours"] : nil,
                    errors: kind == "event" ? errors : .init()),
                .text(
                    "bookingLink", "Booking link", value: kind == "event" ? form?["bookingLink"] : nil,
                    errors: kind == "event" ? errors : .init(), hint: "A full address, starting https://", type: "url"),
            ],
            includePracticeManagers: mailshot.includePracticeManagers, recipients: recipients, sent: view.deliveries.sent,
            pending: view.deliveries.pending, failed: view.deliveries.failed,
            failures: view.failures.map { Failure(email: $0.email, reason: $0.reason) }, hasFailures: !view.failures.isEmpty,
            archiveText: archive,
            previewField: .text("gmc", "GMC number of the GP to preview as", value: nil, errors: .init()))
        var response = renderer.render("mailshot", model, status: status)
        // While sending, the page reloads itself to show progress (no script needed).
        if mailshot.status == .sending { response.headers[HTTPField.Name("Refresh")!] = "5" }
        return response
    }

    @Sendable func addItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.addMailshotItem(
                mailshotId: id,
                MailshotItemInput(
                    kind: form["kind"], title: form["title"], body: form["body"], eventDate: form["eventDate"],
                    place: form["place"], cpdHours: Double(form.text("cpdHours")), bookingLink: form["bookingLink"]),
                by: principal)
            return .seeOther("/mailshots/\(id)?done=item-added")
        } catch DomainError.validationFailed(var errors) {
            if !form.text("cpdHours").isEmpty && Double(form.text("cpdHours")) == nil {
                errors.add("cpdHours", "Give CPD hours as a number, like 1.5")
            }
            return try await renderMailshot(context: context, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        try await database.setMailshotIncludesPracticeManagers(id: id, form["includePracticeManagers"] == "true", by: principal)
        return .seeOther("/mailshots/\(id)?done=saved")
    }

    @Sendable func moveItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        let mailshotId = try await database.moveMailshotItem(
            id: try context.pathID(), up: form["direction"] == "up", by: principal)
        return .seeOther("/mailshots/\(mailshotId)?done=saved")
    }

    @Sendable func removeItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let mailshotId = try await database.removeMailshotItem(id: try context.pathID(), by: principal)
        return .seeOther("/mailshots/\(mailshotId)?done=saved")
    }

    /// The GP to preview as: by GMC number, or the first consenting GP.
    private func previewGP(_ request: Request, mailshotId: Int64, principal: Principal) async throws -> Int64? {
        let view = try await database.mailshotView(id: mailshotId, by: principal)
        guard let gmc = request.uri.queryParameters.get("gmc"), !gmc.isEmpty else { return nil }
        guard let gpId = try await database.gpId(gmcNumber: gmc, organisationId: view.mailshot.organisationId, by: principal)
        else {
            throw DomainError.notFound("No GP of this organisation has the GMC number \(gmc)")
        }
        return gpId
    }

    @Sendable func preview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let gpId = try await previewGP(request, mailshotId: id, principal: principal)
        let rendered = try await database.previewMailshot(id: id, gpId: gpId, links: links, by: principal)
        let gmc = request.uri.queryParameters.get("gmc") ?? ""
        let model = PreviewPage(
            page: PageChrome(title: "Preview", context: context, path: "/mailshots"), id: id, subject: rendered.subject,
            text: rendered.text, htmlURL: "/mailshots/\(id)/preview.html?gmc=\(gmc.filter(\.isNumber))")
        return renderer.render("mailshot-preview", model)
    }

    /// The HTML part on its own, framed by the preview page: inline styles allowed, nothing else.
    @Sendable func previewHTML(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let gpId = try await previewGP(request, mailshotId: id, principal: principal)
        let rendered = try await database.previewMailshot(id: id, gpId: gpId, links: links, by: principal)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
                .xFrameOptions: "SAMEORIGIN",
            ],
            body: .init(byteBuffer: ByteBuffer(string: rendered.html)))
    }

    struct ConfirmSendPage: Sendable {
        var page: PageChrome
        var id: Int64
        var heading: String
        var recipients: Int
        var items: [String]
    }

    /// Sending is irreversible: the page that says to whom and what, before the one button that sends.
    @Sendable func confirmSend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.mailshotView(id: try context.pathID(), by: principal)
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: view.mailshot.organisationId))
        guard view.mailshot.status == .draft else { return .seeOther("/mailshots/\(view.mailshot.id!)") }
        let model = ConfirmSendPage(
            page: PageChrome(title: "Send the mailshot?", context: context, path: "/mailshots"), id: view.mailshot.id!,
            heading: "Send the mailshot for the week of \(view.mailshot.isoWeek.monday.displayText)?",
            recipients: try await database.mailshotRecipientCount(id: view.mailshot.id!, by: principal),
            items: view.items.map(\.title))
        return renderer.render("mailshot-send", model)
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        // One click never sends: without the confirmation page's answer, show that page.
        let view = try await database.mailshotView(id: id, by: principal)
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: view.mailshot.organisationId))
        guard try await request.formFields(context: context)["confirmed"] == "yes" else {
            return .seeOther("/mailshots/\(id)/send")
        }
        try await startSending(id, by: principal, logger: context.logger)
        return .seeOther("/mailshots/\(id)?done=sending")
    }

    /// Checks the send may start, then sends in the background; the mailshot's page shows progress.
    private func startSending(_ id: Int64, by principal: Principal, logger: Logger) async throws {
        let view = try await database.mailshotView(id: id, by: principal)
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: view.mailshot.organisationId))
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

    // MARK: Unsubscribe and subscription

    @Sendable func unsubscribePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        do {
            // An out-of-date link says so before anyone presses the button.
            try await database.checkUnsubscribeLink(token: token)
        } catch DomainError.conflict(let message) {
            return unusableLink(message, status: .gone, context: context)
        } catch DomainError.notFound(let message) {
            return unusableLink(message, status: .notFound, context: context)
        }
        let model = UnsubscribePage(
            page: PageChrome(title: "Unsubscribe", context: context, path: "/unsubscribe"), heading: "Stop the weekly mailshot?",
            message: "You will get no more weekly mailshots. You can subscribe again from your page in sgpst at any time.",
            token: token)
        return renderer.render("unsubscribe", model)
    }

    /// Both the page's button and a mail provider's one-click POST (RFC 8058) land here.
    @Sendable func unsubscribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        do {
            let email = try await database.unsubscribe(token: token)
            let model = UnsubscribePage(
                page: PageChrome(title: "Unsubscribed", context: context, path: "/unsubscribe"), heading: "Unsubscribed",
                message: "\(email) will get no more weekly mailshots.", token: nil)
            return renderer.render("unsubscribe", model)
        } catch DomainError.notFound(let message) {
            return unusableLink(message, status: .notFound, context: context)
        } catch DomainError.conflict(let message) {
            return unusableLink(message, status: .gone, context: context)
        }
    }

    /// A link we never sent (404), or one sent before the GP subscribed again (410: it has ended).
    private func unusableLink(_ message: String, status: HTTPResponse.Status, context: AppRequestContext) -> Response {
        let model = UnsubscribePage(
            page: PageChrome(title: "Unsubscribe", context: context, path: "/unsubscribe"),
            heading: status == .gone ? "This link is out of date" : "This link cannot be used", message: message, token: nil)
        return renderer.render("unsubscribe", model, status: status)
    }

    @Sendable func subscriptionPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let gp = try await database.ownEntry(by: try context.requirePrincipal()).gp
        let model = SubscriptionPage(
            page: PageChrome(
                title: "Weekly mailshot", context: context, path: "/mailshot-subscription", notice: Notice.from(request)),
            subscribed: gp.mailshotConsent, since: gp.mailshotConsentAt.map { Day($0).displayText })
        return renderer.render("mailshot-subscription", model)
    }

    @Sendable func saveSubscription(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        _ = try await database.setOwnMailshotConsent(form["subscribe"] == "true", by: principal)
        return .seeOther("/mailshot-subscription?done=saved")
    }

    // MARK: API

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

    @Sendable func apiCompose(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(ComposeRequest.self, context: context)
        let organisationId = try principal.organisationId(named: body.organisationId, as: .anyRole)
        let mailshot = try await database.mailshot(organisationId: organisationId, week: body.week ?? "", by: principal)
        return try .json(MailshotBody(try await database.mailshotView(id: mailshot.id!, by: principal)), status: .created)
    }

    @Sendable func apiShow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(MailshotBody(try await database.mailshotView(id: try context.pathID(), by: principal)))
    }

    @Sendable func apiAddItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let input = try await request.decodeJSON(MailshotItemInput.self, context: context)
        _ = try await database.addMailshotItem(mailshotId: id, input, by: principal)
        return try .json(MailshotBody(try await database.mailshotView(id: id, by: principal)), status: .created)
    }

    @Sendable func apiPreview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = request.uri.queryParameters.get("gpId").flatMap { Int64($0) }
        let rendered = try await database.previewMailshot(id: try context.pathID(), gpId: gpId, links: links, by: principal)
        return try .json(PreviewBody(subject: rendered.subject, text: rendered.text, html: rendered.html))
    }

    /// Starts the send and answers 202; `GET /api/v1/mailshots/{id}` shows the deliveries as they go.
    @Sendable func apiSend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        try await startSending(id, by: principal, logger: context.logger)
        return try .json(MailshotBody(try await database.mailshotView(id: id, by: principal)), status: .accepted)
    }
}
