import Foundation
import Hummingbird
import SGPSupport

/// The feedback API: cards, concerns, templates and summaries.
struct FeedbackAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let links: Links

    struct BoxBody: Encodable {
        var key: String
        var title: String
        var rated: Bool
    }

    struct ConcernBody: Encodable {
        var id: Int64
        var cardId: Int64
        var severity: String
        var details: String?
        var raisedAt: Date
        var status: String
        var contactMadeOn: Day?
        var response: String?
        var outcome: String?
        var outcomeOn: Day?

        init(_ concern: FeedbackConcern) {
            id = concern.id!
            cardId = concern.cardId
            severity = concern.severity.rawValue
            details = concern.details
            raisedAt = concern.raisedAt
            status = concern.isOpen ? "open" : "closed"
            contactMadeOn = concern.contactMadeOn
            response = concern.response
            outcome = concern.outcome?.rawValue
            outcomeOn = concern.outcomeOn
        }
    }

    struct AddendumBody: Encodable {
        var text: String
        var createdAt: Date
    }

    struct CardBody: Encodable {
        var id: Int64
        var direction: String
        var bookingId: Int64
        var gpId: Int64
        var practiceId: Int64
        var status: String
        var sessionDate: Day
        var boxes: [BoxBody]
        var answers: [FeedbackAnswer]
        var comment: String?
        var discussFurther: Bool
        var anonymous: Bool
        var respondBy: Date
        var submittedAt: Date?
        var useForAppraisal: Bool
        var reflection: String?
        var addenda: [AddendumBody]
        var concern: ConcernBody?

        init(_ view: FeedbackCardView) {
            let card = view.card
            id = card.id!
            direction = card.direction.rawValue
            bookingId = card.bookingId
            gpId = card.gpId
            practiceId = card.practiceId
            status = card.status.rawValue
            sessionDate = view.sessionDate
            boxes = card.boxes.map { BoxBody(key: $0.key, title: $0.title, rated: $0.rated) }
            answers = card.answers
            comment = card.comment
            discussFurther = card.discussFurther
            anonymous = card.anonymous
            respondBy = card.respondBy
            submittedAt = card.submittedAt
            useForAppraisal = card.useForAppraisal
            reflection = card.reflection
            addenda = view.addenda.map { AddendumBody(text: $0.text, createdAt: $0.createdAt) }
            concern = view.concern.map(ConcernBody.init)
        }
    }

    struct TemplateBody: Encodable {
        var organisationId: Int64
        var direction: String
        var boxes: [BoxBody]

        init(_ template: FeedbackTemplate) {
            organisationId = template.organisationId
            direction = template.direction.rawValue
            boxes = template.boxes.map { BoxBody(key: $0.key, title: $0.title, rated: $0.rated) }
        }
    }

    struct AddendumRequest: Decodable { var text: String? }
    struct AppraisalRequest: Decodable {
        var use: Bool?
        var reflection: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/feedback-cards", use: list)
        router.get("/api/v1/feedback-cards/:id", use: show)
        router.post("/api/v1/feedback-cards/:id/draft", use: saveDraft)
        router.post("/api/v1/feedback-cards/:id/submit", use: submit)
        router.post("/api/v1/feedback-cards/:id/concern", use: raiseConcern)
        router.post("/api/v1/feedback-cards/:id/addenda", use: addAddendum)
        router.post("/api/v1/feedback-cards/:id/appraisal", use: markForAppraisal)
        router.get("/api/v1/feedback-concerns", use: concerns)
        router.patch("/api/v1/feedback-concerns/:id", use: handleConcern)
        router.get("/api/v1/organisations/:id/feedback-templates", use: templates)
        router.put("/api/v1/organisations/:id/feedback-templates/:direction", use: saveTemplate)
        router.get("/api/v1/gps/:id/feedback-summary", use: gpSummary)
        router.get("/api/v1/practices/:id/feedback-summary", use: practiceSummary)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let views: [FeedbackCardView]
        if let about = request.uri.queryParameters.get("about") {
            guard let subject = FeedbackSubject(about) else {
                throw APIError.badRequest("Give about as gp:{id} or practice:{id}", code: "invalid_query")
            }
            views = try await database.feedbackCards(about: subject, by: principal)
        } else {
            // Without a subject: the cards waiting for this person to fill in.
            views = try await database.feedbackInbox(for: principal).waiting
        }
        let page = request.pageRequest()
        let slice = Array(views.dropFirst((page.page - 1) * page.perPage).prefix(page.perPage))
        return try .json(ListBody(items: slice.map(CardBody.init), total: views.count, page: page.page, perPage: page.perPage))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(CardBody(try await database.feedbackCard(id: try context.pathID(), by: principal)))
    }

    @Sendable func saveDraft(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await save(request, context: context, submit: false)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await save(request, context: context, submit: true)
    }

    private func save(_ request: Request, context: AppRequestContext, submit: Bool) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let submission = try await request.decodeJSON(FeedbackSubmission.self, context: context)
        let outcome = try await database.saveFeedbackCard(
            id: id, submission, submit: submit, author: .principal(principal), links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(CardBody(try await database.feedbackCard(id: id, by: principal)))
    }

    @Sendable func raiseConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(ConcernInput.self, context: context)
        let outcome = try await database.raiseFeedbackConcern(cardId: try context.pathID(), input, by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(ConcernBody(outcome.value), status: .created)
    }

    @Sendable func addAddendum(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(AddendumRequest.self, context: context)
        let addendum = try await database.addFeedbackAddendum(cardId: try context.pathID(), text: body.text ?? "", by: principal)
        return try .json(AddendumBody(text: addendum.text, createdAt: addendum.createdAt), status: .created)
    }

    @Sendable func markForAppraisal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(AppraisalRequest.self, context: context)
        _ = try await database.markFeedbackForAppraisal(
            cardId: id, use: body.use ?? true, reflection: body.reflection, by: principal)
        return try .json(CardBody(try await database.feedbackCard(id: id, by: principal)))
    }

    @Sendable func concerns(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let listings = try await database.feedbackConcerns(by: principal)
        let items = listings.map(\.concern).map(ConcernBody.init)
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func handleConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(ConcernHandlingInput.self, context: context)
        return try .json(ConcernBody(try await database.handleFeedbackConcern(id: try context.pathID(), input, by: principal)))
    }

    @Sendable func templates(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let templates = try await database.feedbackTemplates(organisationId: organisation.id!, by: principal)
        return try .json(ListBody(items: templates.map(TemplateBody.init), total: templates.count, page: 1, perPage: 2))
    }

    @Sendable func saveTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let direction = context.parameters.get("direction").flatMap(FeedbackDirection.init(rawValue:))
        let input = try await request.decodeJSON(FeedbackTemplateInput.self, context: context)
        let template = try await database.saveFeedbackTemplate(
            organisationId: organisation.id!, direction: direction, input, by: principal)
        return try .json(TemplateBody(template))
    }

    @Sendable func gpSummary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(try await database.feedbackSummary(about: .gp(try context.pathID()), by: principal))
    }

    @Sendable func practiceSummary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(try await database.feedbackSummary(about: .practice(try context.pathID()), by: principal))
    }
}
