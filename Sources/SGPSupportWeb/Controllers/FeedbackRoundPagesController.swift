import Foundation
import Hummingbird
import SGPSupport

/// The feedback-round pages (issue 23): a GP's rounds and asking for one, the liaison officer's list
/// of a GP's rounds, one round with what each person may do with it, the patient slips a practice
/// prints, and the questionnaire a colleague's link or a patient's slip opens with no sign-in (as a
/// feedback card's emailed link does: the token is the capability, and the form carries the CSRF
/// token of the cookie set before sign-in). The models are in Views/FeedbackRounds; the domain
/// decides who sees and does what.
struct FeedbackRoundPagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    /// Where the invitations' and the slips' links point.
    let links: Links

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/feedback-rounds", use: ownRounds)
        router.post("/feedback-rounds", use: ask)
        router.get("/feedback-rounds/:id", use: show)
        router.post("/feedback-rounds/:id/open", use: openRound)
        router.post("/feedback-rounds/:id/close", use: closeRound)
        router.post("/feedback-rounds/:id/extend", use: extendRound)
        router.post("/feedback-rounds/:id/colleagues", use: addColleague)
        router.post("/feedback-rounds/:id/reflection", use: reflect)
        router.post("/feedback-rounds/:id/patient-slips", use: patientSlips)
        router.get("/gps/:id/feedback-rounds", use: gpRounds)
        router.get("/feedback-rounds/answer/:token", use: showQuestionnaire)
        router.post("/feedback-rounds/answer/:token", use: saveAnswers)
    }

    // MARK: Lists

    @Sendable func ownRounds(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderOwnRounds(context: context, notice: Notice.from(request))
    }

    /// Anyone not a GP has no rounds of their own (403).
    private func renderOwnRounds(
        context: AppRequestContext, errors: ValidationErrors = ValidationErrors(), notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try database.ownGPId(by: principal)
        let model = FeedbackRoundsPage(
            page: PageChrome(
                title: "Your feedback rounds", context: context, path: "/feedback-rounds", errors: errors, notice: notice),
            rounds: try await database.feedbackRounds(gpId: gpId, by: principal), gpName: nil, ownPage: true)
        return renderer.render("feedback-rounds", model, status: status)
    }

    /// The GP asks for a round of the kind their button posts (`kind`: colleague or patient).
    @Sendable func ask(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try database.ownGPId(by: principal)
        let form = try await request.formFields(context: context)
        do {
            let view = try await database.requestFeedbackRound(gpId: gpId, kind: form["kind"], by: principal)
            return .seeOther("/feedback-rounds/\(view.round.id!)?done=\(Notice.roundRequested.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderOwnRounds(context: context, errors: errors, status: .unprocessableContent)
        } catch DomainError.conflict(let message) {
            // One of the kind under way already, or the cycle's rounds used up.
            return try await renderOwnRounds(
                context: context, errors: ValidationErrors(field: FeedbackRoundsPage.askAnchor, message: message),
                status: .conflict)
        }
    }

    /// A GP's rounds for their support team (and the GP): the domain refuses anyone else.
    @Sendable func gpRounds(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let rounds = try await database.feedbackRounds(gpId: gpId, by: principal)
        let gp = try await database.gp(at: context).gp
        let model = FeedbackRoundsPage(
            page: PageChrome(title: "Feedback rounds: \(gp.name)", context: context, path: "/gps/\(gpId)"),
            rounds: rounds, gpName: gp.name, ownPage: false)
        return renderer.render("feedback-rounds", model)
    }

    // MARK: One round

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderRound(context: context, id: try context.pathID(), notice: Notice.from(request))
    }

    private func renderRound(
        context: AppRequestContext, id: Int64, notice: String? = nil,
        posted: (form: FeedbackRoundPage.Form, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors(),
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.feedbackRound(id: id, by: principal)
        var sessions: [BookingListing] = []
        if view.may.contains(.printSlips) { sessions = try await slipSessions(principal) }
        let model = FeedbackRoundPage(
            page: PageChrome(
                title: "\(view.round.kind.title) for \(view.gpName)", context: context, path: "/feedback-rounds",
                errors: errors, notice: notice),
            view: view, viewer: principal, slipSessions: sessions, posted: posted, errors: errors)
        return renderer.render("feedback-round", model, status: status)
    }

    /// The bookings the person may see that slips can be made for (the domain's window around today).
    private func slipSessions(_ principal: Principal) async throws -> [BookingListing] {
        let today = database.clock.today
        return try await database.bookings(
            for: principal, from: today.adding(days: -AppDatabase.patientCodeDays),
            to: today.adding(days: AppDatabase.patientSlipDaysAhead))
    }

    /// A form posted from the round's page: done, back to the round with a notice; refused, the round
    /// again with the messages beside that form's fields (422), or with why its state no longer allows
    /// it (409). Who may is the domain's first question, answered 403 or 404 before anything else.
    private func roundAction(
        _ request: Request, context: AppRequestContext, form posted: FeedbackRoundPage.Form?,
        perform: (_ roundId: Int64, FormFields, Principal) async throws -> Notice
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            let notice = try await perform(id, form, principal)
            return .seeOther("/feedback-rounds/\(id)?done=\(notice.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderRound(
                context: context, id: id, posted: posted.map { (form: $0, fields: form) }, errors: errors,
                status: .unprocessableContent)
        } catch DomainError.conflict(let message) {
            return try await renderRound(
                context: context, id: id, errors: ValidationErrors(field: FeedbackRoundPage.actionsAnchor, message: message),
                status: .conflict)
        }
    }

    static func closingDate(_ form: FormFields) -> String? {
        ClosingDateForm.declaration(label: "").decode(form, into: ClosingDateInput()).closesOn
    }

    @Sendable func openRound(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await roundAction(request, context: context, form: .open) { id, form, principal in
            let outcome = try await database.openFeedbackRound(
                id: id, closesOn: Self.closingDate(form), by: principal, links: links)
            await mailer.deliver(outcome.notifications, logger: context.logger)
            return .roundOpened
        }
    }

    @Sendable func closeRound(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await roundAction(request, context: context, form: nil) { id, _, principal in
            let outcome = try await database.closeFeedbackRound(id: id, by: principal, links: links)
            await mailer.deliver(outcome.notifications, logger: context.logger)
            return .roundClosed
        }
    }

    @Sendable func extendRound(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await roundAction(request, context: context, form: .extend) { id, form, principal in
            let outcome = try await database.extendFeedbackRound(
                id: id, closesOn: Self.closingDate(form), by: principal, links: links)
            await mailer.deliver(outcome.notifications, logger: context.logger)
            return .roundExtended
        }
    }

    @Sendable func reflect(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await roundAction(request, context: context, form: .reflection) { id, form, principal in
            let input = ReflectionForm.declaration.decode(form, into: ReflectionInput())
            _ = try await database.reflectOnFeedbackRound(id: id, reflection: input.reflection, by: principal)
            return .reflectionSaved
        }
    }

    @Sendable func addColleague(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await roundAction(request, context: context, form: .colleague) { id, form, principal in
            let outcome = try await database.addColleague(
                roundId: id, ColleagueForm.declaration.decode(form, into: ColleagueInput()), by: principal, links: links)
            await mailer.deliver(outcome.notifications, logger: context.logger)
            return .colleagueAdded
        }
    }

    /// The slips are shown once, on a page of their own to print (kept in no cache: the codes are
    /// the patients' capabilities, and the service keeps only their digests).
    @Sendable func patientSlips(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        let input = PatientSlipsForm.declaration(sessions: []).decode(form, into: PatientSlipsInput())
        let codes: [String]
        do {
            codes = try await database.patientSlips(
                roundId: id, bookingId: input.bookingNumber, count: input.count, by: principal)
        } catch DomainError.validationFailed(let errors) {
            return try await renderRound(
                context: context, id: id, posted: (form: .slips, fields: form), errors: errors,
                status: .unprocessableContent)
        } catch DomainError.conflict(let message) {
            return try await renderRound(
                context: context, id: id, errors: ValidationErrors(field: FeedbackRoundPage.actionsAnchor, message: message),
                status: .conflict)
        }
        let view = try await database.feedbackRound(id: id, by: principal)
        let session = try await slipSessions(principal).first { $0.booking.id == input.bookingNumber }
        let model = PatientSlipsPage(
            page: PageChrome(title: "Patient slips for \(view.gpName)", context: context, path: "/feedback-rounds"),
            view: view, codes: codes, session: session, links: links)
        var response = renderer.render("feedback-round-slips", model)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    // MARK: Answering, with no sign-in

    @Sendable func showQuestionnaire(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        do {
            let questionnaire = try await database.questionnaire(token: token)
            return renderAnswer(questionnaire, token: token, context: context)
        } catch DomainError.notFound(let message) {
            return unknownLink(message, context: context)
        }
    }

    @Sendable func saveAnswers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        let form = try await request.formFields(context: context)
        var questionnaire: FeedbackQuestionnaire
        do {
            questionnaire = try await database.questionnaire(token: token)
        } catch DomainError.notFound(let message) {
            return unknownLink(message, context: context)
        }
        guard questionnaire.closedReason == nil else { return renderAnswer(questionnaire, token: token, context: context) }
        do {
            try await database.answerFeedback(
                token: token, FeedbackAnswersForm.declaration(questionnaire.items).decode(form, into: FeedbackAnswersForm.blank))
        } catch DomainError.validationFailed(let errors) {
            return renderAnswer(
                questionnaire, token: token, context: context, posted: form, errors: errors, status: .unprocessableContent)
        } catch DomainError.conflict(let message) {
            // Answered in another tab, or closed, since the page was shown.
            questionnaire.closedReason = message
            return renderAnswer(questionnaire, token: token, context: context)
        }
        return renderer.render(
            "message",
            MessagePage(
                page: PageChrome(title: "Thank you", context: context, path: "/feedback-rounds/answer"),
                heading: "Thank you",
                message:
                    "Your answers are in. They are kept with nothing that says who gave them, and \(questionnaire.gpName) "
                    + "sees them only collated with everyone else's. This link now closes."))
    }

    /// The questionnaire; a link used or closed says why instead (410, as a card's used link does).
    private func renderAnswer(
        _ questionnaire: FeedbackQuestionnaire, token: String, context: AppRequestContext, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors(), status: HTTPResponse.Status? = nil
    ) -> Response {
        let model = FeedbackRoundAnswerPage(
            page: PageChrome(
                title: "Feedback on \(questionnaire.gpName)", context: context, path: "/feedback-rounds/answer",
                errors: errors),
            questionnaire: questionnaire, token: token, posted: posted, errors: errors)
        let shown: HTTPResponse.Status = status ?? (questionnaire.closedReason == nil ? .ok : .gone)
        return renderer.render("feedback-round-answer", model, status: shown)
    }

    /// A link or code the service does not know: the domain's words, which say what to check.
    private func unknownLink(_ message: String, context: AppRequestContext) -> Response {
        renderer.render(
            "message",
            MessagePage(
                page: PageChrome(title: "Feedback link", context: context, path: "/feedback-rounds/answer"),
                heading: "This link or code cannot be used", message: message),
            status: .notFound)
    }
}
