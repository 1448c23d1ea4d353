import Foundation
import Hummingbird
import SGPSupport

/// The clearing-house pages: the session boards, the post form, a session with what the person can
/// do about it, offers, bookings, arrangements and availability. The pages' models are built in
/// Views/ClearingHouse; here requests become domain calls, and their answers pages or redirects.
struct ClearingHousePagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: ClearingHouseAPIController

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/sessions", use: board)
        router.get("/sessions/new", use: newSession)
        router.post("/sessions/new", use: postSession)
        router.get("/sessions/:id", use: show)
        router.post("/sessions/:id/apply", use: apply)
        router.post("/sessions/:id/offer", use: offer)
        router.post("/sessions/:id/withdraw", use: withdraw)
        router.post("/applications/:id/accept", use: acceptApplication)
        router.post("/applications/:id/withdraw", use: withdrawApplication)
        router.post("/offers/:id/accept", use: acceptOffer)
        router.post("/offers/:id/decline", use: declineOffer)
        router.get("/work", use: work)
        router.get("/bookings", use: bookings)
        router.post("/bookings/calendar-address", use: newCalendarAddress)
        router.post("/bookings/:id/cancel", use: cancel)
        router.post("/bookings/:id/complete", use: complete)
        router.post("/arrangements", use: recordArrangement)
        router.get("/arrangements/:id", use: arrangement)
        router.post("/arrangements/:id/confirm", use: confirmArrangement)
        router.post("/arrangements/:id/decline", use: declineArrangement)
        router.get("/availability", use: availabilityPage)
        router.post("/availability", use: saveAvailability)
        router.post("/availability/exceptions", use: addTimeAway)
        router.post("/availability/exceptions/remove", use: removeException)
    }

    /// An arrangement in words (the dashboard lists them the same way).
    static func arrangementText(_ view: ArrangementView) -> String { ArrangementPage.text(view) }

    /// The names of the skills the sessions need, from their practices' organisations.
    private func skillNames(_ listings: [SessionListing]) async throws -> SkillNames {
        var skills: [Skill] = []
        for organisationId in Set(listings.map(\.practice.organisationId)) {
            skills += try await database.skills(organisationId: organisationId)
        }
        return SkillNames(skills)
    }

    // MARK: Boards

    @Sendable func board(_ request: Request, context: AppRequestContext) async throws -> Response {
        let board = try await database.sessionBoard(by: try context.requirePrincipal())
        if board.kind == .workAvailable { return .seeOther("/work") }
        let model = SessionBoardPage(
            page: PageChrome(title: "Sessions", context: context, path: "/sessions", notice: Notice.from(request)),
            board: board, skills: try await skillNames(board.sessions))
        return renderer.render("sessions", model)
    }

    @Sendable func work(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let sessions = try await database.workAvailable(filter: SessionFilter(), by: principal)
        let model = SessionBoardPage(
            page: PageChrome(title: "Work available", context: context, path: "/work", notice: Notice.from(request)),
            work: sessions, offers: try await database.offers(by: principal), skills: try await skillNames(sessions),
            now: database.clock.now())
        return renderer.render("sessions", model)
    }

    // MARK: Posting

    @Sendable func newSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderPostForm(context: context, posted: nil, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func postSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            let (declaration, _) = try await sessionForm(principal)
            let posted = try await database.postSessions(declaration.decode(form, into: SessionInput()), by: principal)
            return .seeOther("/sessions/\(posted[0].id!)?done=posted")
        } catch DomainError.validationFailed(let errors) {
            return try await renderPostForm(context: context, posted: form, errors: errors, status: .unprocessableContent)
        }
    }

    /// The form for the practices this person posts for (403 for anyone else), with the first one's skills.
    private func sessionForm(_ principal: Principal) async throws -> (FormDeclaration<SessionInput>, [Practice]) {
        let practices = try await database.practicesForPosting(by: principal)
        let skills = try await database.skills(organisationId: practices[0].organisationId)
        return (SessionForm.declaration(practices: practices, skills: skills), practices)
    }

    private func renderPostForm(
        context: AppRequestContext, posted: FormFields?, errors: ValidationErrors, status: HTTPResponse.Status
    ) async throws -> Response {
        let (declaration, practices) = try await sessionForm(try context.requirePrincipal())
        let model = SessionForm.page(
            chrome: PageChrome(title: "Post a session", context: context, path: "/sessions/new", errors: errors),
            declaration: declaration, blank: SessionForm.blank(practices: practices), posted: posted, errors: errors)
        return renderer.render("form", model, status: status)
    }

    // MARK: One session

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderSession(request, context: context, id: try context.pathID())
    }

    private func renderSession(
        _ request: Request, context: AppRequestContext, id: Int64, notice: String? = nil, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.session(id: id, by: principal)
        let practice = view.listing.practice
        let applications =
            view.may.contains(.decideApplications) ? try await database.applications(sessionId: id, by: principal) : []
        let candidates =
            view.may.contains(.manage) && view.listing.session.status == .open
            ? try await database.candidates(
                sessionId: id, includeIneligible: view.may.contains(.seeIneligibleCandidates), by: principal) : []
        let pack = view.may.contains(.seePack) ? try await database.practicePack(practiceId: practice.id!, by: principal) : nil
        // Each applicant's terms for this practice, beside their application: those the domain lets
        // this person read (none shown for one it does not).
        var terms: [Int64: TermsView] = [:]
        for (application, gp) in applications where application.status == .pending {
            do {
                terms[gp.id!] = try await database.terms(gpId: gp.id!, practiceId: practice.id!, by: principal)
            } catch DomainError.notFound(_), DomainError.forbidden(_) {
                continue
            }
        }
        let model = SessionPage(
            page: PageChrome(
                title: "Session on \(view.listing.session.date.displayText)", context: context, path: "/sessions/\(id)",
                errors: errors, notice: notice ?? Notice.from(request)),
            view: view, applications: applications, candidates: candidates, pack: pack,
            skills: SkillNames(try await database.skills(organisationId: practice.organisationId)),
            now: database.clock.now(), terms: terms, posted: posted, errors: errors)
        return renderer.render("session", model, status: status)
    }

    /// An action already done or overtaken (Apply pressed twice, an offer taken, a booking already
    /// cancelled) answers with the session's page saying so, never an error page.
    private func orSessionPage(
        _ request: Request, context: AppRequestContext, sessionId: () async throws -> Int64,
        _ action: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await action()
        } catch DomainError.conflict(let message) {
            return try await renderSession(request, context: context, id: try await sessionId(), notice: message)
        }
    }

    // MARK: Applying, offering, booking

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orSessionPage(request, context: context, sessionId: { id }) {
            let outcome = try await database.apply(sessionId: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/sessions/\(id)?done=applied")
        }
    }

    @Sendable func withdrawApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orSessionPage(
            request, context: context, sessionId: { try await database.application(id: id, by: principal).sessionId }
        ) {
            let application = try await database.withdrawApplication(id: id, by: principal)
            return .seeOther("/sessions/\(application.sessionId)?done=application-withdrawn")
        }
    }

    @Sendable func offer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        return try await orSessionPage(request, context: context, sessionId: { id }) {
            let outcome = try await database.offer(
                sessionId: id, gpId: Int64(form.text("gpId")), by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/sessions/\(id)?done=offered")
        }
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let reason = try await request.formFields(context: context)["reason"]
        return try await orSessionPage(request, context: context, sessionId: { id }) {
            _ = try await database.withdrawSession(id: id, reason: reason, by: principal)
            return .seeOther("/sessions/\(id)?done=withdrawn")
        }
    }

    @Sendable func acceptApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orSessionPage(
            request, context: context, sessionId: { try await database.application(id: id, by: principal).sessionId }
        ) {
            let outcome = try await database.acceptApplication(id: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/sessions/\(outcome.value.sessionId)?done=booked")
        }
    }

    /// The session an offer to the GP signed in is for (only theirs: anyone else's was refused first).
    private func offerSessionId(_ id: Int64, _ principal: Principal) async throws -> Int64 {
        guard let offered = try await database.offers(by: principal).first(where: { $0.0.id == id }) else {
            throw DomainError.notFound("No offer has that id")
        }
        return offered.0.sessionId
    }

    @Sendable func acceptOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orSessionPage(request, context: context, sessionId: { try await offerSessionId(id, principal) }) {
            let outcome = try await database.acceptOffer(id: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/sessions/\(outcome.value.sessionId)?done=booked")
        }
    }

    @Sendable func declineOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orSessionPage(request, context: context, sessionId: { try await offerSessionId(id, principal) }) {
            _ = try await database.declineOffer(id: id, by: principal)
            return .seeOther("/work?done=offer-declined")
        }
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        let sessionId = { try await database.booking(id: id, by: principal).session.id! }
        return try await orSessionPage(request, context: context, sessionId: sessionId) {
            do {
                let reason = CancelForm.declaration.decode(form, into: CancelForm.Input()).reason ?? ""
                let outcome = try await database.cancelBooking(id: id, reason: reason, by: principal, links: api.links)
                await api.send(outcome.notifications, context: context)
                return .seeOther("/bookings?done=cancelled")
            } catch DomainError.validationFailed(let errors) {
                return try await renderSession(
                    request, context: context, id: try await sessionId(), posted: form, errors: errors,
                    status: .unprocessableContent)
            }
        }
    }

    @Sendable func complete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orSessionPage(
            request, context: context, sessionId: { try await database.booking(id: id, by: principal).session.id! }
        ) {
            let outcome = try await database.completeBooking(id: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/bookings?done=completed")
        }
    }

    // MARK: Bookings and arrangements

    @Sendable func bookings(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderBookings(request, context: context, posted: nil, errors: ValidationErrors(), status: .ok)
    }

    /// Makes the GP's (or the practice's) calendar feed address, replacing any before it, and shows
    /// it this once: the page answers directly, as a redirect would lose it.
    @Sendable func newCalendarAddress(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard case .new(let token) = try await database.ownCalendarAddress(reset: true, by: principal) else {
            throw DomainError.conflict("The calendar address could not be made; try again")
        }
        return try await renderBookings(
            request, context: context, posted: nil, errors: ValidationErrors(), newCalendarURL: api.feedURL(token), status: .ok)
    }

    /// A session arranged directly between a practice and a GP, reported so it counts once the
    /// other side confirms it.
    @Sendable func recordArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            let declaration = ArrangementForm.declaration(
                practices: try await database.practicesForArrangements(by: principal), gps: [],
                namesTheGP: !principal.reach.isGP)
            let outcome = try await database.recordArrangement(
                declaration.decode(form, into: ArrangementForm.empty), by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/bookings?done=arrangement-recorded")
        } catch DomainError.validationFailed(let errors) {
            return try await renderBookings(
                request, context: context, posted: form, errors: errors, status: .unprocessableContent)
        }
    }

    private func renderBookings(
        _ request: Request, context: AppRequestContext, posted: FormFields?, errors: ValidationErrors,
        newCalendarURL: String? = nil, status: HTTPResponse.Status
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practices = try await database.practicesForArrangements(by: principal)
        let model = BookingsPage(
            page: PageChrome(
                title: "Bookings", context: context, path: "/bookings", errors: errors, notice: Notice.from(request)),
            bookings: try await database.bookings(
                for: principal, from: database.clock.today.adding(days: -BookingsPage.daysShownBefore), to: nil),
            hasFeed: try await database.hasOwnCalendarFeed(by: principal), newCalendarURL: newCalendarURL,
            provisional: try await database.provisionalArrangements(by: principal),
            arrangementForm: ArrangementForm.declaration(
                practices: practices,
                gps: principal.reach.isGP || practices.isEmpty ? [] : try await database.gpsForArrangements(by: principal),
                namesTheGP: !principal.reach.isGP),
            canReport: !practices.isEmpty, posted: posted, errors: errors)
        return renderer.render("bookings", model, status: status)
    }

    /// The page an arrangement's email links to: what was reported, and Confirm / Decline for the other side.
    @Sendable func arrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderArrangement(request, context: context, id: try context.pathID(), notice: Notice.from(request))
    }

    private func renderArrangement(_ request: Request, context: AppRequestContext, id: Int64, notice: String?)
        async throws -> Response
    {
        let view = try await database.arrangement(id: id, by: try context.requirePrincipal())
        let model = ArrangementPage(
            page: PageChrome(title: "Arranged session", context: context, path: "/arrangements/\(id)", notice: notice),
            view: view)
        return renderer.render("arrangement", model)
    }

    /// Confirming or declining an arrangement already decided answers with its page saying so.
    private func orArrangementPage(
        _ request: Request, context: AppRequestContext, id: Int64, _ action: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await action()
        } catch DomainError.conflict(let message) {
            return try await renderArrangement(request, context: context, id: id, notice: message)
        }
    }

    @Sendable func confirmArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.pathID()
        let principal = try context.requirePrincipal()
        return try await orArrangementPage(request, context: context, id: id) {
            let outcome = try await database.confirmArrangement(id: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/arrangements/\(id)?done=arrangement-confirmed")
        }
    }

    @Sendable func declineArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.pathID()
        let principal = try context.requirePrincipal()
        return try await orArrangementPage(request, context: context, id: id) {
            _ = try await database.declineArrangement(id: id, by: principal)
            return .seeOther("/arrangements/\(id)?done=arrangement-declined")
        }
    }

    // MARK: Availability

    @Sendable func availabilityPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.availability(gpId: nil, by: try context.requirePrincipal())
        return renderAvailability(request, context: context, view: view)
    }

    private func renderAvailability(
        _ request: Request, context: AppRequestContext, view: AvailabilityView, posted: FormFields? = nil,
        form: AvailabilityPage.PostedForm = .week, errors: ValidationErrors = ValidationErrors(),
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let model = AvailabilityPage(
            page: PageChrome(
                title: "Your availability", context: context, path: "/availability", errors: errors,
                notice: Notice.from(request)),
            view: view, today: database.clock.today, posted: posted, form: form, errors: errors)
        return renderer.render("availability", model, status: status)
    }

    /// The usual week, one day's exception, or every exception removed.
    @Sendable func saveAvailability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.availability(gpId: nil, by: principal)
        let form = try await request.formFields(context: context)
        let change = AvailabilityForm.declaration(hasExceptions: true).decode(form, into: AvailabilityChange())
        do {
            _ = try await database.changeAvailability(change, by: principal)
            return .seeOther("/availability?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return renderAvailability(
                request, context: context, view: view, posted: form, errors: errors, status: .unprocessableContent)
        }
    }

    /// A range of days away; the same range sent twice is kept once.
    @Sendable func addTimeAway(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.availability(gpId: nil, by: principal)
        let form = try await request.formFields(context: context)
        let away = AwayForm.declaration.decode(form, into: AwayForm.Input())
        do {
            _ = try await database.addRangeAway(from: away.from, to: away.to, by: principal)
            return .seeOther("/availability?done=away-added")
        } catch DomainError.validationFailed(let errors) {
            return renderAvailability(
                request, context: context, view: view, posted: form, form: .away, errors: errors,
                status: .unprocessableContent)
        }
    }

    /// One exception's Remove button; one already removed (the button pressed twice) is gone all the same.
    @Sendable func removeException(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try await database.availability(gpId: nil, by: principal)  // who asks is settled before what they sent
        let form = try await request.formFields(context: context)
        guard let exception = AvailabilityPage.exception(code: form.text("exception")) else {
            return .seeOther("/availability")
        }
        try await database.removeAvailabilityException(exception, by: principal)
        return .seeOther("/availability?done=exception-removed")
    }
}
