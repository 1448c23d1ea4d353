import Foundation
import Hummingbird
import SGPSupport

/// The feedback pages: the inbox, a card (its form, or the card as submitted with what may follow),
/// the form an emailed link opens, concern handling, the template editor and the summaries.
struct FeedbackPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: FeedbackAPIController

    struct RatingOption: Sendable {
        var id: String
        var value: String
        var label: String
        var checked: Bool
    }

    struct BoxRow: Sendable {
        var key: String
        var title: String
        var rated: Bool
        var options: [RatingOption]
        var ratingText: String
        var comment: String
        var error: String?
    }

    struct AddendumRow: Sendable {
        var date: String
        var text: String
    }

    struct ConcernPanel: Sendable {
        var id: Int64
        var severity: String
        var serious: Bool
        var details: String?
        var raised: String
        var isOpen: Bool
        var contactMadeOn: String?
        var response: String?
        var outcome: String?
        var outcomeOn: String?
        var canHandle: Bool
        var fields: [FormField]
        /// The GP's mentor: the case this concern opened, or the button to open one.
        var supportCaseLink: String?
        var canOpenSupportCase: Bool
    }

    struct CardPage: Sendable {
        var page: PageChrome
        var cardId: Int64
        var heading: String
        var about: String
        var formAction: String
        var editable: Bool
        var byLink: Bool
        var status: String
        var reminder: String
        var nextStage: String
        var contactLine: String?
        var boxes: [BoxRow]
        var fields: [FormField]
        var concernFields: [FormField]
        var overallComment: String?
        var discussFurther: Bool
        var submittedText: String?
        var addenda: [AddendumRow]
        var hasAddenda: Bool
        var canAddAddendum: Bool
        var addendumField: FormField
        var canMarkForAppraisal: Bool
        var useForAppraisal: Bool
        var reflection: String?
        var reflectionField: FormField
        var canRaiseConcern: Bool
        var concern: ConcernPanel?
    }

    struct CardRow: Sendable {
        var id: Int64
        var title: String
        var date: String
        var status: String
        var concern: String?
        var forAppraisal: Bool
    }

    struct ConcernRow: Sendable {
        var cardId: Int64
        var severity: String
        var serious: Bool
        var title: String
        var raised: String
        var status: String
    }

    struct CountRow: Sendable {
        var organisation: String
        var issued: Int
        var submitted: Int
        var returnRate: String
        var concernsOpen: Int
    }

    struct InboxPage: Sendable {
        var page: PageChrome
        var waiting: [CardRow]
        var aboutMe: [CardRow]
        var written: [CardRow]
        var mentees: [CardRow]
        var concerns: [ConcernRow]
        var hasConcerns: Bool
        var counts: [CountRow]
        var isGP: Bool
        var isMentor: Bool
        var isTeam: Bool
        var gpId: Int64?
        var practiceIds: [Int64]
    }

    struct TemplateSection: Sendable {
        var direction: String
        var title: String
        var field: FormField
    }

    struct TemplatesPage: Sendable {
        var page: PageChrome
        var organisationId: Int64
        var sections: [TemplateSection]
    }

    struct SummaryBoxRow: Sendable {
        var title: String
        var ratings: Int
        var average: String
        var comments: Int
        var lowRatings: Int
    }

    struct PeriodRow: Sendable {
        var period: String
        var cards: Int
        var averages: String
    }

    struct SummaryPage: Sendable {
        var page: PageChrome
        var heading: String
        var issued: Int
        var submitted: Int
        var returnRate: String
        var concernsRaised: Int
        var concernsOpen: Int
        var showsRatings: Bool
        var boxes: [SummaryBoxRow]
        var periods: [PeriodRow]
        var anonymousNote: String?
        var cards: [CardRow]
    }

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

    // MARK: Inbox

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let inbox = try await database.feedbackInbox(for: principal)
        let model = InboxPage(
            page: PageChrome(title: "Feedback", context: context, path: "/feedback", notice: Notice.from(request)),
            waiting: inbox.waiting.map(Self.cardRow), aboutMe: inbox.aboutMe.map(Self.cardRow),
            written: inbox.written.map(Self.cardRow), mentees: inbox.mentees.map(Self.cardRow),
            concerns: inbox.concerns.map {
                ConcernRow(
                    cardId: $0.card.id!, severity: $0.concern.severity.rawValue, serious: $0.concern.severity == .serious,
                    title: Self.cardTitle($0.card.direction, gpName: $0.gpName, practiceName: $0.practiceName),
                    raised: Day($0.concern.raisedAt).displayText, status: $0.concern.isOpen ? "Open" : "Closed")
            },
            hasConcerns: !inbox.concerns.isEmpty,
            counts: inbox.organisationCounts.map {
                CountRow(
                    organisation: $0.organisation.name, issued: $0.summary.cardsIssued, submitted: $0.summary.cardsSubmitted,
                    returnRate: Self.percent($0.summary.returnRate), concernsOpen: $0.summary.concernsOpen)
            },
            isGP: principal.reach.isGP, isMentor: principal.reach.mentors, isTeam: principal.reach.isSupportTeam,
            gpId: principal.reach.ownGPId, practiceIds: principal.reach.practiceIds)
        return renderer.render("feedback-inbox", model)
    }

    static func cardTitle(_ direction: FeedbackDirection, gpName: String, practiceName: String) -> String {
        switch direction {
        case .practiceAboutGP: "\(practiceName) about \(gpName)"
        case .gpAboutPractice: "\(gpName) about \(practiceName)"
        }
    }

    static func cardRow(_ view: FeedbackCardView) -> CardRow {
        let card = view.card
        let title =
            card.direction == .gpAboutPractice && card.anonymous
            ? "A GP (anonymous) about \(view.practiceName)"
            : cardTitle(card.direction, gpName: view.gpName, practiceName: view.practiceName)
        return CardRow(
            id: card.id!, title: title, date: view.sessionDate.displayText,
            status: card.status == .submitted ? "Submitted" : (card.status == .draft ? "Draft saved" : "Waiting"),
            concern: view.concern.map { "\($0.severity.title) concern" }, forAppraisal: card.useForAppraisal)
    }

    static func percent(_ rate: Double?) -> String {
        rate.map { "\(Int(($0 * 100).rounded()))%" } ?? "–"
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
        let submission = Self.submission(form)
        do {
            let outcome = try await database.saveFeedbackCard(
                id: id, submission, submit: submit, author: .principal(principal), links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            return .seeOther("/feedback/cards/\(id)?done=\(submit ? "card-submitted" : "draft-saved")")
        } catch DomainError.validationFailed(let errors) {
            let view = try await database.feedbackCard(id: id, by: principal)
            return try await renderCard(
                view, context: context, submission: submission, errors: errors, status: .unprocessableContent)
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
        let submission = Self.submission(form)
        do {
            let outcome = try await database.saveFeedbackCard(
                id: nil, submission, submit: submit, author: .token(token), links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            if submit {
                return renderer.render(
                    "message",
                    MessagePage(
                        page: PageChrome(title: "Thank you", context: context, path: "/feedback"), heading: "Thank you",
                        message: "Your feedback card has been submitted. It is final; this link now closes."))
            }
            return .seeOther("/feedback/\(token)?done=draft-saved")
        } catch DomainError.validationFailed(let errors) {
            let view = try await database.feedbackCard(token: token)
            return try await renderCard(
                view, context: context, byLink: token, submission: submission, errors: errors, status: .unprocessableContent)
        } catch DomainError.conflict(let message), DomainError.notFound(let message) {
            return linkMessage(message, context: context)
        }
    }

    private func linkMessage(_ message: String, context: AppRequestContext) -> Response {
        renderer.render(
            "message",
            MessagePage(
                page: PageChrome(title: "Feedback link", context: context, path: "/feedback"),
                heading: "This link cannot be used",
                message: message),
            status: .gone)
    }

    @Sendable func addAddendum(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await cardAction(request, context: context) { id, form, principal in
            _ = try await database.addFeedbackAddendum(cardId: id, text: form.text("text"), by: principal)
            return .addendumAdded
        }
    }

    @Sendable func markForAppraisal(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await cardAction(request, context: context) { id, form, principal in
            _ = try await database.markFeedbackForAppraisal(
                cardId: id, use: form["use"] != "false", reflection: form["reflection"], by: principal)
            return .saved
        }
    }

    @Sendable func raiseConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await cardAction(request, context: context) { id, form, principal in
            let outcome = try await database.raiseFeedbackConcern(
                cardId: id, ConcernInput(severity: form["severity"], details: form["details"]), by: principal, links: api.links)
            await api.mailer.deliver(outcome.notifications, logger: context.logger)
            return .concernRaised
        }
    }

    /// A form posted from a submitted card's page: done, back to the card with a notice; refused, the
    /// card again with the messages beside the fields.
    private func cardAction(
        _ request: Request, context: AppRequestContext,
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
            return try await renderCard(view, context: context, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func handleConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        let input = ConcernHandlingInput(
            contactMadeOn: form["contactMadeOn"], response: form["response"], outcome: form["outcome"],
            outcomeOn: form["outcomeOn"])
        do {
            let concern = try await database.handleFeedbackConcern(id: id, input, by: principal)
            return .seeOther("/feedback/cards/\(concern.cardId)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            // Only a refused form needs the card again, to show the messages beside the fields.
            guard let cardId = try await database.feedbackConcerns(by: principal).first(where: { $0.concern.id == id })?.card.id
            else { throw DomainError.notFound("No concern has that id") }
            let view = try await database.feedbackCard(id: cardId, by: principal)
            return try await renderCard(view, context: context, concernForm: form, errors: errors, status: .unprocessableContent)
        }
    }

    /// A card's page. For its author before submission: the form (kept as typed after an error). After:
    /// the card as submitted, and what may follow for the person looking.
    private func renderCard(
        _ view: FeedbackCardView, context: AppRequestContext, byLink token: String? = nil,
        submission: FeedbackSubmission? = nil, concernForm: FormFields? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let card = view.card
        let principal = context.principal
        let rights = try await database.feedbackCardRights(view, by: principal, viaLink: token != nil)
        let editable = rights.may.contains(.edit)
        let answers =
            submission.map { sent in
                (sent.answers ?? []).map { FeedbackAnswer(box: $0.box ?? "", rating: $0.rating, comment: $0.comment) }
            } ?? card.answers
        let boxes = card.boxes.map { box -> BoxRow in
            let answer = answers.first { $0.box == box.key }
            let options =
                (1...5).map {
                    RatingOption(
                        id: "rating-\(box.key)-\($0)", value: String($0), label: FeedbackRating.label($0),
                        checked: answer?.rating == $0)
                } + [
                    RatingOption(
                        id: "rating-\(box.key)-none", value: "", label: FeedbackRating.notObserved, checked: answer?.rating == nil
                    )
                ]
            return BoxRow(
                key: box.key, title: box.title, rated: box.rated, options: options,
                ratingText: FeedbackRating.label(answer?.rating), comment: answer?.comment ?? "", error: errors[box.key])
        }
        let aboutGP = card.direction == .practiceAboutGP
        let contactLine =
            aboutGP
            ? view.gpPhone.map { "\(view.gpName)'s phone: \($0). If something is worth a conversation, call them first." }
            : view.practicePhone.map {
                "\(view.practiceName)'s phone: \($0). If something is worth a conversation, call the practice."
            }
        let sent = submission
        var fields = [
            FormField.textarea(
                "comment", "Anything else", value: sent?.comment ?? card.comment, errors: errors,
                hint: "Overall comments, what went well and what would help next time."),
            FormField.checkbox(
                "discussFurther", "We would like to discuss this further", checked: sent?.discussFurther ?? card.discussFurther,
                errors: errors, hint: "The support team will contact you to arrange a conversation."),
        ]
        if !aboutGP {
            fields.append(
                FormField.checkbox(
                    "anonymous", "Do not show my name to the practice", checked: sent?.anonymous ?? card.anonymous,
                    errors: errors,
                    hint: "The practice then sees your card only combined with others, in batches of "
                        + "\(FeedbackAccess.anonymityThreshold) anonymous cards. The support team still knows who wrote it."
                ))
        }
        let severityChoices: [(String, String)] = [
            ("", "No, just feedback"), ("minor", "Minor"), ("significant", "Significant"), ("serious", "Serious"),
        ]
        let concernFields = [
            FormField.select(
                "severity", "Raise this card as a concern?", value: sent?.concern?.severity ?? "", choices: severityChoices,
                errors: errors, hint: "A concern goes to the GP mentor and the liaison officer, who will contact you."),
            FormField.textarea(
                "details", "What the concern is about (optional)", value: sent?.concern?.details, errors: errors),
        ]
        let concern = view.concern.map { concern -> ConcernPanel in
            ConcernPanel(
                id: concern.id!, severity: concern.severity.title, serious: concern.severity == .serious,
                details: concern.details, raised: Day(concern.raisedAt).displayText, isOpen: concern.isOpen,
                contactMadeOn: concern.contactMadeOn?.displayText, response: concern.response,
                outcome: concern.outcome?.title, outcomeOn: concern.outcomeOn?.displayText,
                canHandle: rights.may.contains(.handleConcern),
                fields: [
                    FormField.text(
                        "contactMadeOn", "Contact made on",
                        value: concernForm?["contactMadeOn"] ?? concern.contactMadeOn?.description,
                        errors: errors, hint: "YYYY-MM-DD", type: "date"),
                    FormField.textarea(
                        "response", "Response", value: concernForm?["response"] ?? concern.response, errors: errors),
                    FormField.select(
                        "outcome", "Outcome", value: concernForm?["outcome"] ?? concern.outcome?.rawValue,
                        choices: [("", "Still open")] + FeedbackConcern.Outcome.allCases.map { ($0.rawValue, $0.title) },
                        errors: errors),
                    FormField.text(
                        "outcomeOn", "Outcome date", value: concernForm?["outcomeOn"] ?? concern.outcomeOn?.description,
                        errors: errors, hint: "Today if left empty", type: "date"),
                ], supportCaseLink: rights.supportCaseId.map { "/support/cases/\($0)" },
                canOpenSupportCase: rights.may.contains(.openSupportCase))
        }
        let model = CardPage(
            page: PageChrome(
                title: "Feedback card", context: context, path: "/feedback", errors: errors, notice: notice),
            cardId: card.id!,
            heading: aboutGP ? "Feedback on \(view.gpName)" : "Feedback on \(view.practiceName)",
            about:
                "\(view.sessionKind) session at \(view.practiceName) on \(view.sessionDate.displayText), \(view.sessionTime)"
                + (aboutGP ? " with \(view.gpName)" : ""),
            formAction: token.map { "/feedback/\($0)" } ?? "/feedback/cards/\(card.id!)", editable: editable,
            byLink: token != nil, status: card.status.title, reminder: AppDatabase.constructiveReminder,
            nextStage: AppDatabase.nextStageText, contactLine: contactLine, boxes: boxes, fields: fields,
            concernFields: concernFields, overallComment: card.comment, discussFurther: card.discussFurther,
            submittedText: card.submittedAt.map { "Submitted on \(Day($0).displayText). A submitted card is final." },
            addenda: view.addenda.map { AddendumRow(date: Day($0.createdAt).displayText, text: $0.text) },
            hasAddenda: !view.addenda.isEmpty,
            canAddAddendum: rights.may.contains(.addAddendum),
            addendumField: FormField.textarea("text", "Add a dated addendum", value: nil, errors: errors),
            canMarkForAppraisal: rights.may.contains(.markForAppraisal), useForAppraisal: card.useForAppraisal,
            reflection: card.reflection,
            reflectionField: FormField.textarea(
                "reflection", "Your reflection", value: card.reflection, errors: errors,
                hint: "What you take from this feedback; it goes into your appraisal portfolio with the card."),
            canRaiseConcern: rights.may.contains(.raiseConcern),
            concern: concern)
        return renderer.render("feedback-card", model, status: status)
    }

    /// Reads the card form: `rating-{box}` radios and `comment-{box}` boxes, the concern choice.
    static func submission(_ form: FormFields) -> FeedbackSubmission {
        let keys = Set(
            form.names.compactMap { name -> String? in
                for prefix in ["rating-", "comment-"] where name.hasPrefix(prefix) { return String(name.dropFirst(prefix.count)) }
                return nil
            })
        let answers = keys.sorted().map { key in
            FeedbackSubmission.Answer(box: key, rating: Int(form.text("rating-\(key)")), comment: form["comment-\(key)"])
        }
        let severity = form.text("severity")
        return FeedbackSubmission(
            answers: answers, comment: form["comment"], discussFurther: form["discussFurther"] == "true",
            anonymous: form["anonymous"] == "true",
            concern: severity.isEmpty ? nil : ConcernInput(severity: severity, details: form["details"]))
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
        let boxes = form.text("boxes").split(whereSeparator: \.isNewline).map { line -> FeedbackTemplateInput.Box in
            let marker = "(comment only)"
            let text = line.trimmingCharacters(in: .whitespaces)
            let commentOnly = text.lowercased().hasSuffix(marker)
            return .init(title: commentOnly ? String(text.dropLast(marker.count)) : text, rated: !commentOnly)
        }
        do {
            _ = try await database.saveFeedbackTemplate(
                organisationId: organisation.id!, direction: direction, FeedbackTemplateInput(boxes: boxes), by: principal)
            return .seeOther("/organisations/\(organisation.id!)/feedback-templates?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTemplates(
                context: context, typed: direction.map { ($0, form.text("boxes")) }, errors: errors,
                status: .unprocessableContent)
        }
    }

    private func renderTemplates(
        context: AppRequestContext, typed: (FeedbackDirection, String)? = nil, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        try context.require(.manageOrganisation(organisationId: organisation.id!))
        let templates = try await database.feedbackTemplates(organisationId: organisation.id!, by: principal)
        let sections = templates.map { template in
            let isTyped = typed?.0 == template.direction
            let text =
                isTyped
                ? typed!.1 : template.boxes.map { $0.title + ($0.rated ? "" : " (comment only)") }.joined(separator: "\n")
            var field = FormField.textarea(
                "boxes", "Boxes on the card", value: text, errors: isTyped ? errors : ValidationErrors(),
                hint: "One box per line. End a line with “(comment only)” for a box without a rating.")
            field.name = "boxes"
            return TemplateSection(direction: template.direction.rawValue, title: template.direction.title, field: field)
        }
        let model = TemplatesPage(
            page: PageChrome(
                title: "Feedback cards", context: context, path: "/organisations/\(organisation.id!)", errors: errors,
                notice: notice),
            organisationId: organisation.id!, sections: sections)
        return renderer.render("feedback-templates", model, status: status)
    }

    // MARK: Summaries

    @Sendable func gpSummary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        let summary = try await database.feedbackSummary(about: .gp(gp.id!), by: principal)
        let cards = try await database.feedbackCards(about: .gp(gp.id!), by: principal)
        return renderSummary(summary, cards: cards, heading: "Feedback on \(gp.name)", context: context)
    }

    @Sendable func practiceSummary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context).practice
        let summary = try await database.feedbackSummary(about: .practice(practice.id!), by: principal)
        let cards = try await database.feedbackCards(about: .practice(practice.id!), by: principal)
        return renderSummary(summary, cards: cards, heading: "Feedback on \(practice.name)", context: context)
    }

    private func renderSummary(
        _ summary: FeedbackSummary, cards: [FeedbackCardView], heading: String, context: AppRequestContext
    ) -> Response {
        let titles = Dictionary((summary.boxes ?? []).map { ($0.key, $0.title) }, uniquingKeysWith: { $1 })
        let model = SummaryPage(
            page: PageChrome(title: heading, context: context, path: "/feedback"), heading: heading,
            issued: summary.cardsIssued, submitted: summary.cardsSubmitted, returnRate: Self.percent(summary.returnRate),
            concernsRaised: summary.concernsRaised, concernsOpen: summary.concernsOpen, showsRatings: summary.boxes != nil,
            boxes: (summary.boxes ?? []).map {
                SummaryBoxRow(
                    title: $0.title, ratings: $0.ratings, average: $0.average.map { String(format: "%.1f", $0) } ?? "–",
                    comments: $0.comments, lowRatings: $0.lowRatings)
            },
            periods: (summary.periods ?? []).map { period in
                PeriodRow(
                    period: period.period, cards: period.cards,
                    averages: period.averages.map { "\(titles[$0.box] ?? $0.box) \(String(format: "%.1f", $0.average))" }
                        .joined(separator: "; "))
            },
            anonymousNote: summary.anonymousCardsIncluded.map { _ in
                "Cards GPs send anonymously count here only combined, \(FeedbackAccess.anonymityThreshold) at a time: the "
                    + "figures take them in once \(FeedbackAccess.anonymityThreshold) more have arrived, and never by quarter."
            },
            cards: cards.map(Self.cardRow))
        return renderer.render("feedback-summary", model)
    }
}
