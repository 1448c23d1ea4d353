import Foundation
import Hummingbird
import SGPSupport

/// The feedback pages: the inbox, a card (its form, or the card as submitted with what may follow),
/// the form an emailed link opens, concern handling, the template editor and the summaries. The
/// pages' models and forms are in Views/Feedback.
struct FeedbackPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: FeedbackAPIController

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/feedback", use: inbox)
        router.get("/feedback/cards/:id", use: showCard)
        router.post("/feedback/cards/:id", use: saveCard)
        router.post("/feedback/cards/:id/addendum", use: addAddendum)
        router.post("/feedback/cards/:id/appraisal", use: markForAppraisal)
        router.post("/feedback/cards/:id/concern", use: raiseConcern)
        router.post("/feedback/concerns/:id", use: handleConcern)
        router.get("/feedback/:token", use: showByLink)
        router.post("/feedback/:token", use: saveByLink)
        router.get("/organisations/:id/feedback-templates", use: templates)
        router.post("/organisations/:id/feedback-templates", use: saveTemplate)
        router.get("/gps/:id/feedback", use: gpSummary)
        router.get("/practices/:id/feedback", use: practiceSummary)
    }

    /// A card named as the inbox names it (the dashboard lists cards too).
    static func cardTitle(_ direction: FeedbackDirection, gpName: String, practiceName: String) -> String {
        FeedbackCardRow.title(direction, gpName: gpName, practiceName: practiceName)
    }

    // MARK: Inbox

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let model = FeedbackInboxPage(
            page: PageChrome(title: "Feedback", context: context, path: "/feedback", notice: Notice.from(request)),
            inbox: try await database.feedbackInbox(for: principal), reach: principal.reach)
        return renderer.render("feedback-inbox", model)
    }

    // MARK: A card

    @Sendable func showCard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.feedbackCard(id: try context.pathID(), by: principal)
        return try await renderCard(view, context: context, notice: Notice.from(request))
    }

    @Sendable func saveCard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        let submit = form["action"] == "submit"
        // The card's own boxes say which fields its form has.
        let view = try await database.feedbackCard(id: id, by: principal)
        do {
            let outcome = try await database.saveFeedbackCard(
                id: id, FeedbackCardForm.declaration(view.card).decode(form, into: FeedbackCardForm.blank), submit: submit,
                author: .principal(principal), links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            return .seeOther("/feedback/cards/\(id)?done=\(submit ? "card-submitted" : "draft-saved")")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCard(
                view, context: context, posted: (form: .card, fields: form), errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func showByLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        do {
            let view = try await database.feedbackCard(token: token)
            return try await renderCard(view, context: context, byLink: token, notice: Notice.from(request))
        } catch DomainError.conflict(let message), DomainError.notFound(let message) {
            return linkMessage(message, context: context)
        }
    }

    @Sendable func saveByLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = try await request.formFields(context: context)
        let submit = form["action"] == "submit"
        do {
            let view = try await database.feedbackCard(token: token)
            do {
                let outcome = try await database.saveFeedbackCard(
                    id: nil, FeedbackCardForm.declaration(view.card).decode(form, into: FeedbackCardForm.blank),
                    submit: submit, author: .token(token), links: api.links)
                await api.mailer.deliver(outcome.notifications, logger: context.logger)
            } catch DomainError.validationFailed(let errors) {
                return try await renderCard(
                    view, context: context, byLink: token, posted: (form: .card, fields: form), errors: errors,
                    status: .unprocessableContent)
            }
        } catch DomainError.conflict(let message), DomainError.notFound(let message) {
            return linkMessage(message, context: context)
        }
        guard submit else { return .seeOther("/feedback/\(token)?done=draft-saved") }
        return renderer.render(
            "message",
            MessagePage(
                page: PageChrome(title: "Thank you", context: context, path: "/feedback"), heading: "Thank you",
                message: "Your feedback card has been submitted. It is final; this link now closes."))
    }

    private func linkMessage(_ message: String, context: AppRequestContext) -> Response {
        renderer.render(
            "message",
            MessagePage(
                page: PageChrome(title: "Feedback link", context: context, path: "/feedback"),
                heading: "This link cannot be used", message: message),
            status: .gone)
    }

    @Sendable func addAddendum(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await cardAction(request, context: context, form: .addendum) { id, form, principal in
            let input = AddendumInput.declaration.decode(form, into: AddendumInput())
            _ = try await database.addFeedbackAddendum(cardId: id, text: input.text ?? "", by: principal)
            return .addendumAdded
        }
    }

    @Sendable func markForAppraisal(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await cardAction(request, context: context, form: .appraisal) { id, form, principal in
            // "use=false" is the button that takes the card out of the portfolio.
            let input = AppraisalReflectionInput.declaration.decode(form, into: AppraisalReflectionInput())
            _ = try await database.markFeedbackForAppraisal(
                cardId: id, use: form["use"] != "false", reflection: input.reflection, by: principal)
            return .saved
        }
    }

    @Sendable func raiseConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await cardAction(request, context: context, form: .raiseConcern) { id, form, principal in
            let outcome = try await database.raiseFeedbackConcern(
                cardId: id, FeedbackCardForm.concern.decode(form, into: FeedbackCardForm.noConcern), by: principal,
                links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            return .concernRaised
        }
    }

    /// A form posted from a submitted card's page: done, back to the card with a notice; refused, the
    /// card again with the messages beside the fields.
    private func cardAction(
        _ request: Request, context: AppRequestContext, form posted: FeedbackCardPage.Form,
        perform: (_ cardId: Int64, FormFields, Principal) async throws -> Notice
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            let notice = try await perform(id, form, principal)
            return .seeOther("/feedback/cards/\(id)?done=\(notice.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            let view = try await database.feedbackCard(id: id, by: principal)
            return try await renderCard(
                view, context: context, posted: (form: posted, fields: form), errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func handleConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            let concern = try await database.handleFeedbackConcern(
                id: id, ConcernHandlingForm.declaration.decode(form, into: ConcernHandlingForm.blank), by: principal)
            return .seeOther("/feedback/cards/\(concern.cardId)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            // Only a refused form needs the card again, to show the messages beside the fields.
            guard let cardId = try await database.feedbackConcerns(by: principal).first(where: { $0.concern.id == id })?.card.id
            else { throw DomainError.notFound("No concern has that id") }
            let view = try await database.feedbackCard(id: cardId, by: principal)
            return try await renderCard(
                view, context: context, posted: (form: .handling, fields: form), errors: errors, status: .unprocessableContent)
        }
    }

    private func renderCard(
        _ view: FeedbackCardView, context: AppRequestContext, byLink token: String? = nil,
        posted: (form: FeedbackCardPage.Form, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let model = FeedbackCardPage(
            page: PageChrome(title: "Feedback card", context: context, path: "/feedback", errors: errors, notice: notice),
            view: view, rights: try await database.feedbackCardRights(view, by: context.principal, viaLink: token != nil),
            token: token, posted: posted, errors: errors)
        return renderer.render("feedback-card", model, status: status)
    }

    // MARK: Templates

    @Sendable func templates(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderTemplates(context: context, notice: Notice.from(request))
    }

    @Sendable func saveTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let form = try await request.formFields(context: context)
        let direction = FeedbackDirection(rawValue: form.text("direction"))
        do {
            _ = try await database.saveFeedbackTemplate(
                organisationId: organisation.id!, direction: direction,
                FeedbackTemplateInput.declaration.decode(form, into: FeedbackTemplateInput(boxes: nil)), by: principal)
            return .seeOther("/organisations/\(organisation.id!)/feedback-templates?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTemplates(
                context: context, posted: direction.map { (direction: $0, fields: form) }, errors: errors,
                status: .unprocessableContent)
        }
    }

    private func renderTemplates(
        context: AppRequestContext, posted: (direction: FeedbackDirection, fields: FormFields)? = nil,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        try context.require(.manageOrganisation(organisationId: organisation.id!))
        let model = FeedbackTemplatesPage(
            page: PageChrome(
                title: "Feedback cards", context: context, path: "/organisations/\(organisation.id!)", errors: errors,
                notice: notice),
            organisationId: organisation.id!,
            templates: try await database.feedbackTemplates(organisationId: organisation.id!, by: principal), posted: posted,
            errors: errors)
        return renderer.render("feedback-templates", model, status: status)
    }

    // MARK: Summaries

    @Sendable func gpSummary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        return try await renderSummary(.gp(gp.id!), heading: "Feedback on \(gp.name)", principal, context: context)
    }

    @Sendable func practiceSummary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context).practice
        return try await renderSummary(
            .practice(practice.id!), heading: "Feedback on \(practice.name)", principal, context: context)
    }

    private func renderSummary(
        _ subject: FeedbackSubject, heading: String, _ principal: Principal, context: AppRequestContext
    ) async throws -> Response {
        let model = FeedbackSummaryPage(
            page: PageChrome(title: heading, context: context, path: "/feedback"), heading: heading,
            summary: try await database.feedbackSummary(about: subject, by: principal),
            cards: try await database.feedbackCards(about: subject, by: principal))
        return renderer.render("feedback-summary", model)
    }
}
