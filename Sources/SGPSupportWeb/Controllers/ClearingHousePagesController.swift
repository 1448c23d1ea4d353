import Foundation
import Hummingbird
import SGPSupport

/// The clearing-house pages: the session boards, the post form, a session with its applications and
/// candidates, the GP's work available and offers, bookings, and availability.
struct ClearingHousePagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let api: ClearingHouseAPIController

    struct SessionRow: Sendable {
        var id: Int64
        var date: String
        var time: String
        var practice: String
        var locality: String
        var kind: String
        var rate: String
        var status: String
        var skills: String
    }

    struct BoardPage: Sendable {
        var page: PageChrome
        var heading: String
        var rows: [SessionRow]
        var canPost: Bool
        var isGP: Bool
        var offers: [OfferRow]
        var hasOffers: Bool
    }

    struct OfferRow: Sendable {
        var id: Int64
        var sessionId: Int64
        var text: String
        var expires: String
    }

    struct CandidateRow: Sendable {
        var gpId: Int64
        var name: String
        var score: Int
        var reasons: String
        var eligible: Bool
        var ineligibleBecause: String
    }

    struct ApplicationRow: Sendable {
        var id: Int64
        var gpName: String
        var status: String
        var pending: Bool
    }

    struct PackSection: Sendable {
        var title: String
        var text: String
    }

    struct SessionPage: Sendable {
        var page: PageChrome
        var session: SessionRow
        var notes: String?
        var isOpen: Bool
        var canManage: Bool
        var canOffer: Bool
        var canWithdraw: Bool
        var isGP: Bool
        var canApply: Bool
        var whyNot: String?
        /// The GP's application waits for the practice.
        var applied: Bool
        /// The offer made to this GP, still standing.
        var offer: OfferRow?
        var applications: [ApplicationRow]
        var candidates: [CandidateRow]
        var booking: BookingRow?
        var pack: [PackSection]
        var reasonField: FormField
    }

    struct BookingRow: Sendable {
        var id: Int64
        var sessionId: Int64
        var date: String
        var time: String
        var practice: String
        var gpName: String
        var status: String
        var confirmed: Bool
        var canComplete: Bool
        var cancelReason: String?
    }

    struct BookingsPage: Sendable {
        /// The secret calendar feed: its address is shown only when just made (only a digest is kept).
        struct CalendarPanel: Sendable {
            var hasFeed: Bool
            var url: String?
        }
        var page: PageChrome
        var rows: [BookingRow]
        var calendar: CalendarPanel?
        var arrangementFields: [FormField]
        var canReport: Bool
        var arrangements: [ArrangementRow]
        var hasArrangements: Bool
    }

    struct ArrangementRow: Sendable {
        var id: Int64
        var text: String
        /// This person is the side that confirms it.
        var waitingForYou: Bool
    }

    struct AvailabilityPage: Sendable {
        struct Day: Sendable {
            var name: String
            var weekday: String
            var parts: [Part]
        }
        struct Part: Sendable {
            var name: String
            var label: String
            var checked: Bool
        }
        struct Exception: Sendable {
            var text: String
        }
        var page: PageChrome
        var gpId: Int64
        var timesText: String
        var days: [Day]
        var exceptions: [Exception]
        var hasExceptions: Bool
        var fields: [FormField]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/sessions", use: board)
        router.get("/sessions/new", use: newSession)
        router.post("/sessions/new", use: postSession)
        router.get("/sessions/:id", use: show)
        router.post("/sessions/:id/apply", use: apply)
        router.post("/sessions/:id/offer", use: offer)
        router.post("/sessions/:id/withdraw", use: withdraw)
        router.post("/applications/:id/accept", use: acceptApplication)
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
    }

    static func row(_ listing: SessionListing) -> SessionRow {
        let session = listing.session
        return SessionRow(
            id: session.id!, date: session.date.displayText, time: "\(session.start)–\(session.end)",
            practice: listing.practice.name,
            locality: listing.practice.locality, kind: session.kind.title,
            rate: session.rateText,
            status: session.status.title,
            skills: session.requiredSkills.joined(separator: ", "))
    }

    // MARK: Boards

    @Sendable func board(_ request: Request, context: AppRequestContext) async throws -> Response {
        let board = try await database.sessionBoard(by: try context.requirePrincipal())
        if board.kind == .workAvailable { return .seeOther("/work") }
        let model = BoardPage(
            page: PageChrome(title: "Sessions", context: context, path: "/sessions", notice: Notice.from(request)),
            heading: board.kind == .supportTeam ? "Open sessions" : "Your practice's sessions",
            rows: board.sessions.map(Self.row),
            canPost: board.mayPost, isGP: false, offers: [], hasOffers: false)
        return renderer.render("sessions", model)
    }

    @Sendable func work(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let sessions = try await database.workAvailable(filter: SessionFilter(), by: principal)
        let now = database.clock.now()
        let offers = try await database.offers(by: principal).filter { $0.0.effectiveStatus(now: now) == "pending" }.map {
            offer, listing in
            OfferRow(
                id: offer.id!, sessionId: listing.session.id!,
                text:
                    "\(listing.practice.name): \(listing.session.kind.title.lowercased()), \(listing.session.date.displayText) \(listing.session.start)–\(listing.session.end)",
                expires: DisplayDate.dayAndTime(offer.expiresAt))
        }
        let model = BoardPage(
            page: PageChrome(title: "Work available", context: context, path: "/work", notice: Notice.from(request)),
            heading: "Work available to you", rows: sessions.map(Self.row), canPost: false, isGP: true, offers: offers,
            hasOffers: !offers.isEmpty)
        return renderer.render("sessions", model)
    }

    // MARK: Posting

    @Sendable func newSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderPostForm(context: context, form: nil, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func postSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        var input = SessionInput()
        input.practiceId = Int64(form.text("practiceId"))
        input.date = form["date"]
        input.start = form["start"]
        input.end = form["end"]
        input.kind = form["kind"]
        input.requiredSkills = form.all("requiredSkills")
        input.rate = form.text("rate").isEmpty ? nil : Double(form.text("rate").replacingOccurrences(of: "£", with: "")) ?? -1
        input.rateUnit = form["rateUnit"]
        input.notes = form["notes"]
        input.repeatWeeks = form.text("repeatWeeks").isEmpty ? 1 : Int(form.text("repeatWeeks")) ?? 0
        do {
            let posted = try await database.postSessions(input, by: principal)
            return .seeOther("/sessions/\(posted[0].id!)?done=posted")
        } catch DomainError.validationFailed(let errors) {
            return try await renderPostForm(context: context, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    private func renderPostForm(
        context: AppRequestContext, form: FormFields?, errors: ValidationErrors, status: HTTPResponse.Status
    )
        async throws -> Response
    {
        let practices = try await database.practicesForPosting(by: try context.requirePrincipal())
        let first = practices[0]
        let skills = try await database.skills(organisationId: first.organisationId)
        func value(_ name: String) -> String? { form?.text(name) }
        let fields: [FormField] = [
            .select(
                "practiceId", "Practice", value: value("practiceId") ?? String(first.id!),
                choices: practices.map { (String($0.id!), $0.name) }, errors: errors),
            .text("date", "Date", value: value("date"), errors: errors, hint: "YYYY-MM-DD", type: "date"),
            .text("start", "Start time", value: value("start"), errors: errors, hint: "24-hour clock, like 08:30", type: "time"),
            .text("end", "End time", value: value("end"), errors: errors, hint: "Like 12:30", type: "time"),
            .select(
                "kind", "Kind of session", value: value("kind") ?? "surgery",
                choices: ClinicalSession.Kind.allCases.map { ($0.rawValue, $0.title) }, errors: errors),
            .checkboxes(
                "requiredSkills", "Skills needed", selected: form?.all("requiredSkills") ?? [],
                choices: skills.map { ($0.code, $0.name) }, errors: errors),
            .text("rate", "Rate (£)", value: value("rate"), errors: errors),
            .select(
                "rateUnit", "Rate is per", value: value("rateUnit") ?? "session",
                choices: [("session", "Session"), ("hour", "Hour")], errors: errors),
            .textarea("notes", "Notes for the GP", value: value("notes"), errors: errors),
            .text(
                "repeatWeeks", "Repeat weekly for (weeks)", value: value("repeatWeeks") ?? "1", errors: errors,
                hint: "1 posts just this date", type: "number"),
        ]
        let model = FormPage(
            page: PageChrome(title: "Post a session", context: context, path: "/sessions/new", errors: errors),
            heading: "Post a session you cannot fill", action: "/sessions/new", fields: fields, submit: "Post the session",
            cancel: "/sessions")
        return renderer.render("form", model, status: status)
    }

    // MARK: One session

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderSession(request, context: context, id: try context.pathID(), reasonError: nil, status: .ok)
    }

    private func renderSession(
        _ request: Request, context: AppRequestContext, id: Int64, reasonError: String?, status: HTTPResponse.Status,
        notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.session(id: id, by: principal)
        let listing = view.listing
        var applications: [ApplicationRow] = []
        var candidates: [CandidateRow] = []
        if view.may.contains(.decideApplications) {
            applications = try await database.applications(sessionId: id, by: principal).map { application, gp in
                ApplicationRow(
                    id: application.id!, gpName: gp.name, status: application.status.title,
                    pending: application.status == .pending)
            }
        }
        if view.may.contains(.manage) && listing.session.status == .open {
            candidates = try await database.candidates(
                sessionId: id, includeIneligible: view.may.contains(.seeIneligibleCandidates), by: principal
            ).map {
                CandidateRow(
                    gpId: $0.gpId, name: $0.name, score: $0.score, reasons: $0.reasons.joined(separator: "; "),
                    eligible: $0.eligible,
                    ineligibleBecause: $0.ineligibleBecause.joined(separator: "; "))
            }
        }
        var pack: [PackSection] = []
        if view.may.contains(.seePack),
            let saved = try await database.practicePack(practiceId: listing.practice.id!, by: principal)
        {
            pack = PracticePack.sections.compactMap { section in
                let text = PracticePagesController.text(of: saved, section.key)
                return text.isEmpty ? nil : PackSection(title: section.title, text: text)
            }
        }
        var errors = ValidationErrors()
        if let reasonError { errors.add("reason", reasonError) }
        let model = SessionPage(
            page: PageChrome(
                title: "Session on \(listing.session.date.displayText)", context: context, path: "/sessions/\(id)",
                errors: errors, notice: notice ?? Notice.from(request)),
            session: Self.row(listing), notes: listing.session.notes, isOpen: listing.session.status == .open,
            canManage: view.may.contains(.manage), canOffer: view.may.contains(.offer),
            canWithdraw: view.may.contains(.withdraw),
            isGP: principal.reach.isGP, canApply: view.may.contains(.apply), whyNot: view.whyNotApply,
            applied: view.ownApplication?.status == .pending,
            offer: view.ownOffer.map {
                OfferRow(id: $0.id!, sessionId: id, text: "", expires: DisplayDate.dayAndTime($0.expiresAt))
            },
            applications: applications, candidates: candidates,
            booking: view.booking.map { bookingRow($0, may: view.may) },
            pack: pack,
            reasonField: .text("reason", "Reason for cancelling", value: nil, errors: errors))
        return renderer.render("session", model, status: status)
    }

    /// A booking's row; on the session page the session's capabilities say which buttons show.
    func bookingRow(_ listing: BookingListing, may: Set<SessionCapability>? = nil) -> BookingRow {
        let confirmed = listing.booking.status == .confirmed
        return BookingRow(
            id: listing.booking.id!, sessionId: listing.session.id!, date: listing.session.date.displayText,
            time: "\(listing.session.start)–\(listing.session.end)", practice: listing.practice.name, gpName: listing.gpName,
            status: listing.booking.status.title, confirmed: may.map { $0.contains(.cancelBooking) } ?? confirmed,
            canComplete: may.map { $0.contains(.complete) }
                ?? (confirmed && AppDatabase.endInstant(listing.session) <= database.clock.now()),
            cancelReason: listing.booking.cancelReason)
    }

    // MARK: Actions

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        do {
            let outcome = try await database.apply(sessionId: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/sessions/\(id)?done=applied")
        } catch DomainError.conflict(let message) {
            // Applied already, or no longer open: the page says so, with what the person can do now.
            return try await renderSession(request, context: context, id: id, reasonError: nil, status: .ok, notice: message)
        }
    }

    @Sendable func offer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        let outcome = try await database.offer(sessionId: id, gpId: Int64(form.text("gpId")), by: principal, links: api.links)
        await api.send(outcome.notifications, context: context)
        return .seeOther("/sessions/\(id)?done=offered")
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        _ = try await database.withdrawSession(
            id: id, reason: try await request.formFields(context: context)["reason"], by: principal)
        return .seeOther("/sessions/\(id)?done=withdrawn")
    }

    @Sendable func acceptApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.acceptApplication(id: try context.pathID(), by: principal, links: api.links)
        await api.send(outcome.notifications, context: context)
        return .seeOther("/sessions/\(outcome.value.sessionId)?done=booked")
    }

    @Sendable func acceptOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        do {
            let outcome = try await database.acceptOffer(id: id, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/sessions/\(outcome.value.sessionId)?done=booked")
        } catch DomainError.conflict(let message) {
            // Accepted already, expired or gone: the session's page says so.
            guard let sessionId = try await database.offers(by: principal).first(where: { $0.0.id == id })?.0.sessionId else {
                throw DomainError.conflict(message)
            }
            return try await renderSession(
                request, context: context, id: sessionId, reasonError: nil, status: .ok, notice: message)
        }
    }

    @Sendable func declineOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        _ = try await database.declineOffer(id: try context.pathID(), by: principal)
        return .seeOther("/work?done=offer-declined")
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            let outcome = try await database.cancelBooking(id: id, reason: form.text("reason"), by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/bookings?done=cancelled")
        } catch DomainError.validationFailed(let errors) {
            let booking = try await database.booking(id: id, by: principal)
            return try await renderSession(
                request, context: context, id: booking.session.id!, reasonError: errors["reason"], status: .unprocessableContent)
        }
    }

    @Sendable func complete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.completeBooking(id: try context.pathID(), by: principal, links: api.links)
        await api.send(outcome.notifications, context: context)
        return .seeOther("/bookings?done=completed")
    }

    // MARK: Bookings and availability

    @Sendable func bookings(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderBookings(request, context: context, form: nil, errors: ValidationErrors(), status: .ok)
    }

    /// Makes the GP's (or the practice's) calendar feed address, replacing any before it, and shows
    /// it this once: the page answers directly, as a redirect would lose it.
    @Sendable func newCalendarAddress(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard case .new(let token) = try await database.ownCalendarAddress(reset: true, by: principal) else {
            throw DomainError.conflict("The calendar address could not be made; try again")
        }
        return try await renderBookings(
            request, context: context, form: nil, errors: ValidationErrors(), newCalendarURL: api.feedURL(token), status: .ok)
    }

    /// A session arranged directly between a practice and a GP, reported so it counts once the
    /// other side confirms it.
    @Sendable func recordArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        var input = ArrangementInput(
            practiceId: Int64(form.text("practiceId")), gpId: nil, date: form["date"], start: form["start"], end: form["end"],
            kind: form["kind"])
        input.gmcNumber = form["gmcNumber"]
        do {
            let outcome = try await database.recordArrangement(input, by: principal, links: api.links)
            await api.send(outcome.notifications, context: context)
            return .seeOther("/bookings?done=arrangement-recorded")
        } catch DomainError.validationFailed(let errors) {
            return try await renderBookings(request, context: context, form: form, errors: errors, status: .unprocessableContent)
        }
    }

    struct ArrangementPage: Sendable {
        var page: PageChrome
        var id: Int64
        var text: String
        var status: String
        var recordedBy: String
        var canDecide: Bool
        var bookingSessionId: Int64?
    }

    static func arrangementText(_ view: ArrangementView) -> String {
        let arrangement = view.arrangement
        return "\(arrangement.kind.title) session at \(view.practice.name) with \(view.gpName), "
            + "\(arrangement.date.displayText) \(arrangement.start)–\(arrangement.end)"
    }

    /// The page an arrangement's email links to: what was reported, and Confirm / Decline for the other side.
    @Sendable func arrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.arrangement(id: try context.pathID(), by: try context.requirePrincipal())
        let recordedBy: String =
            switch view.arrangement.recordedBySide {
            case .gp: "Reported by \(view.gpName)"
            case .practice: "Reported by \(view.practice.name)"
            case .liaisonOfficer: "Reported by the sessional GP support team"
            }
        let model = ArrangementPage(
            page: PageChrome(
                title: "Arranged session", context: context, path: "/arrangements/\(view.arrangement.id!)",
                notice: Notice.from(request)),
            id: view.arrangement.id!, text: Self.arrangementText(view), status: view.arrangement.status.title,
            recordedBy: recordedBy, canDecide: view.may.contains(.confirm), bookingSessionId: view.sessionId)
        return renderer.render("arrangement", model)
    }

    @Sendable func confirmArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.pathID()
        let outcome = try await database.confirmArrangement(id: id, by: try context.requirePrincipal(), links: api.links)
        await api.send(outcome.notifications, context: context)
        return .seeOther("/arrangements/\(id)?done=arrangement-confirmed")
    }

    @Sendable func declineArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.pathID()
        _ = try await database.declineArrangement(id: id, by: try context.requirePrincipal())
        return .seeOther("/arrangements/\(id)?done=arrangement-declined")
    }

    private func renderBookings(
        _ request: Request, context: AppRequestContext, form: FormFields?, errors: ValidationErrors,
        newCalendarURL: String? = nil, status: HTTPResponse.Status
    )
        async throws -> Response
    {
        let principal = try context.requirePrincipal()
        let listings = try await database.bookings(for: principal, from: database.clock.today.adding(days: -60), to: nil)
        let calendar = try await database.hasOwnCalendarFeed(by: principal).map {
            BookingsPage.CalendarPanel(hasFeed: $0, url: newCalendarURL)
        }
        let practices = try await database.practicesForArrangements(by: principal)
        let provisional = try await database.provisionalArrangements(by: principal).map {
            ArrangementRow(
                id: $0.arrangement.id!, text: Self.arrangementText($0),
                waitingForYou: $0.may.contains(.confirm))
        }
        func value(_ name: String) -> String? { form?.text(name) }
        var fields: [FormField] = [
            .select(
                "practiceId", "Practice", value: value("practiceId"), choices: practices.map { (String($0.id!), $0.name) },
                errors: errors)
        ]
        if !principal.reach.isGP {
            fields.append(.text("gmcNumber", "GP's GMC number", value: value("gmcNumber"), errors: errors))
        }
        fields += [
            .text("date", "Date", value: value("date"), errors: errors, hint: "YYYY-MM-DD; past dates are fine", type: "date"),
            .text("start", "Start time", value: value("start"), errors: errors, hint: "Like 08:30", type: "time"),
            .text("end", "End time", value: value("end"), errors: errors, hint: "Like 12:30", type: "time"),
            .select(
                "kind", "Kind of session", value: value("kind") ?? "surgery",
                choices: ClinicalSession.Kind.allCases.map { ($0.rawValue, $0.title) }, errors: errors),
        ]
        let model = BookingsPage(
            page: PageChrome(
                title: "Bookings", context: context, path: "/bookings", errors: errors, notice: Notice.from(request)),
            rows: listings.map { bookingRow($0) }, calendar: calendar, arrangementFields: fields,
            canReport: !practices.isEmpty, arrangements: provisional, hasArrangements: !provisional.isEmpty)
        return renderer.render("bookings", model, status: status)
    }

    @Sendable func availabilityPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.availability(gpId: nil, by: try context.requirePrincipal())
        return renderAvailability(request, context: context, view: view, errors: ValidationErrors(), status: .ok)
    }

    private func renderAvailability(
        _ request: Request, context: AppRequestContext, view: AvailabilityView, errors: ValidationErrors,
        status: HTTPResponse.Status
    ) -> Response {
        let (gpId, availability, times) = (view.gpId, view.availability, view.times)
        let timesText = DayPart.allCases.map {
            "\($0.rawValue) \(ClockTime.format(times.span($0).startMinute))–\(ClockTime.format(times.span($0).endMinute))"
        }.joined(separator: ", ")
        let days = Weekday.allCases.map { weekday in
            let chosen = availability.weekly.first { $0.weekday == weekday.number }?.dayParts ?? []
            return AvailabilityPage.Day(
                name: weekday.rawValue.capitalized, weekday: weekday.rawValue,
                parts: DayPart.allCases.map {
                    AvailabilityPage.Part(name: $0.rawValue, label: $0.rawValue.capitalized, checked: chosen.contains($0))
                })
        }
        let exceptions = availability.dates.map {
            AvailabilityPage.Exception(
                text:
                    "\($0.date.displayText), \($0.dayParts.map(\.rawValue).joined(separator: ", ")): \($0.available ? "available" : "not available")"
            )
        }
        let fields: [FormField] = [
            .text("exceptionDate", "Date", value: nil, errors: errors, hint: "YYYY-MM-DD", type: "date"),
            .checkboxes(
                "exceptionParts", "Parts of that day", selected: [],
                choices: DayPart.allCases.map { ($0.rawValue, $0.rawValue.capitalized) }, errors: errors),
            .select(
                "exceptionAvailable", "On that date I am", value: "false",
                choices: [("false", "Not available"), ("true", "Available")], errors: errors),
        ]
        let model = AvailabilityPage(
            page: PageChrome(
                title: "Your availability", context: context, path: "/availability", errors: errors, notice: Notice.from(request)),
            gpId: gpId, timesText: timesText, days: days, exceptions: exceptions, hasExceptions: !exceptions.isEmpty,
            fields: fields)
        return renderer.render("availability", model, status: status)
    }

    @Sendable func saveAvailability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.availability(gpId: nil, by: principal)
        let current = view.availability
        let form = try await request.formFields(context: context)
        let weekly = Weekday.allCases.map { weekday in
            AvailabilityInput.WeeklyEntry(weekday: weekday.rawValue, dayParts: form.all("weekly-\(weekday.rawValue)"))
        }
        var dates =
            form["clearExceptions"] == "true"
            ? []
            : current.dates.map {
                AvailabilityInput.DateEntry(
                    date: $0.date.description, dayParts: $0.dayParts.map(\.rawValue), available: $0.available)
            }
        var errors = ValidationErrors()
        if !form.text("exceptionDate").isEmpty {
            if Day(form.text("exceptionDate")) == nil { errors.add("exceptionDate", "Enter a real date as YYYY-MM-DD") }
            if form.all("exceptionParts").isEmpty { errors.add("exceptionParts", "Choose the parts of that day") }
            dates.append(
                .init(
                    date: form.text("exceptionDate"), dayParts: form.all("exceptionParts"),
                    available: form["exceptionAvailable"] == "true"))
        }
        guard errors.isEmpty else {
            return renderAvailability(request, context: context, view: view, errors: errors, status: .unprocessableContent)
        }
        _ = try await database.setOwnAvailability(AvailabilityInput(weekly: weekly, dates: dates), by: principal)
        return .seeOther("/availability?done=saved")
    }
}
