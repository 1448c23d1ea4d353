import Foundation
import HTTPTypes
import Hummingbird
import SGPSupport

/// The weekly mailshot's pages: compose, change its items, preview it as a GP chosen by name, a test
/// copy to oneself, send (in the background, resumable), the archive, the one-click unsubscribe and
/// the GP's subscription setting. The models are in Views/Mailshot; the API is `MailshotAPIController`.
struct MailshotController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: MailshotAPIController

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
        router.post("/mailshots/:id/test-copy", use: testCopy)
        router.get("/mailshot-items/:id/edit", use: editItemForm)
        router.post("/mailshot-items/:id/edit", use: editItem)
        router.post("/mailshot-items/:id/move", use: moveItem)
        router.post("/mailshot-items/:id/remove", use: removeItem)
        router.get("/unsubscribe/:token", use: unsubscribePage)
        router.post("/unsubscribe/:token", use: unsubscribe)
        router.get("/mailshot-subscription", use: subscriptionPage)
        router.post("/mailshot-subscription", use: saveSubscription)
    }

    // MARK: The list and composing

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
        let model = MailshotListPage(
            page: PageChrome(title: "Mailshots", context: context, path: "/mailshots", errors: errors, notice: notice),
            list: try await database.mailshotList(organisationId: organisationId, by: principal),
            organisationId: organisationId, today: database.clock.today, week: week, errors: errors)
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

    // MARK: A mailshot and its items

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderMailshot(context: context, notice: Notice.from(request))
    }

    private func renderMailshot(
        context: AppRequestContext, posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.mailshotView(id: try context.pathID(), by: principal)
        let id = view.mailshot.id!
        // Who it would go to, for a draft; the archive's reading for all but the support team.
        var recipients = 0
        var readers: [MailshotGPReader] = []
        if view.may.contains(.change) {
            recipients = try await database.mailshotRecipientCount(id: id, by: principal)
            readers = try await database.mailshotGPReaders(id: id, by: principal)
        }
        let archive =
            view.may.contains(.preview) ? nil : try await database.mailshotArchiveText(id: id, links: api.links, by: principal)
        let model = MailshotPage(
            page: PageChrome(
                title: "Mailshot for \(view.mailshot.isoWeek.displayText)", context: context, path: "/mailshots",
                errors: errors, notice: notice),
            view: view, recipients: recipients, archiveText: archive?.text, readers: readers, posted: posted, errors: errors)
        var response = renderer.render("mailshot", model, status: status)
        // While sending, the page reloads itself to show progress (no script needed).
        if view.mailshot.status == .sending { response.headers[HTTPField.Name("Refresh")!] = "5" }
        return response
    }

    @Sendable func addItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.addMailshotItem(mailshotId: id, MailshotItemForm.decode(form), by: principal)
            return .seeOther("/mailshots/\(id)?done=\(Notice.itemAdded.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderMailshot(context: context, posted: form, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func editItemForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (item, view) = try await database.mailshotItem(id: try context.pathID(), by: try context.requirePrincipal())
        try view.require(.change)
        return renderItemForm(context: context, item: item, posted: nil, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func editItem(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (item, view) = try await database.mailshotItem(id: try context.pathID(), by: principal)
        try view.require(.change)
        let form = try await request.formFields(context: context)
        do {
            let input = MailshotItemForm.declaration(item.kind).decode(form, into: MailshotItemInput(current: item))
            try await database.updateMailshotItem(id: item.id!, input, by: principal)
            return .seeOther("/mailshots/\(item.mailshotId)?done=\(Notice.saved.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return renderItemForm(context: context, item: item, posted: form, errors: errors, status: .unprocessableContent)
        }
    }

    private func renderItemForm(
        context: AppRequestContext, item: MailshotItem, posted: FormFields?, errors: ValidationErrors,
        status: HTTPResponse.Status
    ) -> Response {
        let model = MailshotItemForm.editPage(
            chrome: { PageChrome(title: $0, context: context, path: "/mailshots", errors: errors) }, item: item,
            posted: posted, errors: errors)
        return renderer.render("form", model, status: status)
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

    // MARK: Preview

    /// The GP to preview as: chosen by name (the choice sends `gpId`), or by GMC number as earlier
    /// links gave it; none for the archive's reading.
    private func previewGP(_ request: Request, view: MailshotView, principal: Principal) async throws -> Int64? {
        let query = request.uri.queryParameters
        if let chosen = query.get("gpId"), !chosen.isEmpty {
            guard let gpId = Int64(chosen) else {
                throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "Choose a GP of this organisation"))
            }
            return gpId
        }
        guard let gmc = query.get("gmc"), !gmc.isEmpty else { return nil }
        guard let gpId = try await database.gpId(gmcNumber: gmc, organisationId: view.mailshot.organisationId, by: principal)
        else {
            throw DomainError.notFound("No GP of this organisation has the GMC number \(gmc)")
        }
        return gpId
    }

    @Sendable func preview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.mailshotView(id: try context.pathID(), by: principal)
        try view.require(.preview)
        let id = view.mailshot.id!
        let gpId = try await previewGP(request, view: view, principal: principal)
        let model = MailshotPreviewPage(
            page: PageChrome(title: "Preview", context: context, path: "/mailshots"), mailshotId: id,
            rendered: try await database.previewMailshot(id: id, gpId: gpId, links: api.links, by: principal),
            readers: try await database.mailshotGPReaders(id: id, by: principal), gpId: gpId)
        return renderer.render("mailshot-preview", model)
    }

    /// The HTML part on its own, framed by the preview page: inline styles allowed, nothing else.
    @Sendable func previewHTML(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.mailshotView(id: try context.pathID(), by: principal)
        let gpId = try await previewGP(request, view: view, principal: principal)
        let rendered = try await database.previewMailshot(id: view.mailshot.id!, gpId: gpId, links: api.links, by: principal)
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

    // MARK: Sending

    /// Sending is irreversible: the page that says to whom and what, before the one button that sends,
    /// with a test copy to oneself first.
    @Sendable func confirmSend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.mailshotView(id: try context.pathID(), by: principal)
        try view.require(.send)
        let id = view.mailshot.id!
        guard view.mailshot.status == .draft else { return .seeOther("/mailshots/\(id)") }
        let model = MailshotSendPage(
            page: PageChrome(
                title: "Send the mailshot?", context: context, path: "/mailshots",
                notice: Notice.from(request, principal: principal)),
            view: view, recipients: try await database.mailshotRecipientCount(id: id, by: principal),
            readers: try await database.mailshotGPReaders(id: id, by: principal), ownAddress: principal.email)
        return renderer.render("mailshot-send", model)
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        // One click never sends: without the confirmation page's answer, show that page.
        try await database.mailshotView(id: id, by: principal).require(.send)
        guard try await request.formFields(context: context)["confirmed"] == "yes" else {
            return .seeOther("/mailshots/\(id)/send")
        }
        try await api.startSending(id, by: principal, logger: context.logger)
        return .seeOther("/mailshots/\(id)?done=sending")
    }

    /// The mailshot as the chosen GP would get it, to the signed-in person's own address only (the
    /// form names no address); then back to the confirmation page.
    @Sendable func testCopy(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        try await database.sendMailshotTestCopy(
            id: id, asGP: Int64(form.text("gpId")), transport: api.mailer, links: api.links, by: principal)
        return .seeOther("/mailshots/\(id)/send?done=\(Notice.testCopySent.rawValue)")
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
        let page = PageChrome(title: "Unsubscribe", context: context, path: "/unsubscribe")
        return renderer.render("unsubscribe", UnsubscribePage.asking(page: page, token: token))
    }

    /// Both the page's button and a mail provider's one-click POST (RFC 8058) land here.
    @Sendable func unsubscribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        do {
            let email = try await database.unsubscribe(token: token)
            let page = PageChrome(title: "Unsubscribed", context: context, path: "/unsubscribe")
            return renderer.render("unsubscribe", UnsubscribePage.done(page: page, email: email))
        } catch DomainError.notFound(let message) {
            return unusableLink(message, status: .notFound, context: context)
        } catch DomainError.conflict(let message) {
            return unusableLink(message, status: .gone, context: context)
        }
    }

    /// A link we never sent (404), or one sent before the GP subscribed again (410: it has ended).
    private func unusableLink(_ message: String, status: HTTPResponse.Status, context: AppRequestContext) -> Response {
        let model = UnsubscribePage.unusable(
            page: PageChrome(title: "Unsubscribe", context: context, path: "/unsubscribe"), message: message,
            outOfDate: status == .gone)
        return renderer.render("unsubscribe", model, status: status)
    }

    @Sendable func subscriptionPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let gp = try await database.ownEntry(by: try context.requirePrincipal()).gp
        let model = MailshotSubscriptionPage(
            page: PageChrome(
                title: "Weekly mailshot", context: context, path: "/mailshot-subscription", notice: Notice.from(request)),
            gp: gp)
        return renderer.render("mailshot-subscription", model)
    }

    @Sendable func saveSubscription(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        _ = try await database.setOwnMailshotConsent(form["subscribe"] == "true", by: principal)
        return .seeOther("/mailshot-subscription?done=saved")
    }
}
