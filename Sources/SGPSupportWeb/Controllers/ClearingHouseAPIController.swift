import Foundation
import Hummingbird
import Logging
import SGPSupport

/// The clearing-house API: sessions, candidates, applications, offers, bookings, availability,
/// arrangements, sharing agreements and calendar addresses.
struct ClearingHouseAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let baseURL: String
    var links: Links { Links(baseURL: baseURL) }

    struct SessionBody: Encodable {
        var id: Int64
        var practiceId: Int64
        var date: Day
        var start: String
        var end: String
        var kind: String
        var profession: String
        var requiredSkills: [String]
        var rate: Double
        var rateUnit: String
        var notes: String?
        var status: String
        var seriesSessionIds: [Int64]?

        init(_ session: ClinicalSession, series: [Int64]? = nil) {
            id = session.id!
            practiceId = session.practiceId
            date = session.date
            start = session.start
            end = session.end
            kind = session.kind.rawValue
            profession = session.profession.rawValue
            requiredSkills = session.requiredSkills
            rate = Double(session.ratePence) / 100
            rateUnit = session.rateUnit.rawValue
            notes = session.notes
            status = session.status.rawValue
            seriesSessionIds = series
        }
    }

    struct BookingBody: Encodable {
        var id: Int64
        var sessionId: Int64
        var gpId: Int64
        var status: String
        var date: Day
        var start: String
        var end: String
        var practiceId: Int64?
        var cancelReason: String?
        /// What a late cancellation by the practice owes the GP under their terms.
        var cancellationFeePence: Int?

        init(_ booking: Booking, practiceId: Int64? = nil) {
            id = booking.id!
            sessionId = booking.sessionId
            gpId = booking.gpId
            status = booking.status.rawValue
            date = booking.date
            start = ClockTime.format(booking.startMinute)
            end = ClockTime.format(booking.endMinute)
            self.practiceId = practiceId
            cancelReason = booking.cancelReason
            cancellationFeePence = booking.cancellationFeePence
        }
    }

    /// An arrangement made outside the scheme: provisional until the other side confirms it.
    struct ArrangementBody: Encodable {
        var id: Int64
        var status: String
        var practiceId: Int64
        var gpId: Int64
        var date: Day
        var start: String
        var end: String
        var kind: String
        var recordedBy: String
        /// The booking made when it was confirmed.
        var bookingId: Int64?

        init(_ arrangement: Arrangement) {
            id = arrangement.id!
            status = arrangement.status.rawValue
            practiceId = arrangement.practiceId
            gpId = arrangement.gpId
            date = arrangement.date
            start = arrangement.start
            end = arrangement.end
            kind = arrangement.kind.rawValue
            recordedBy = arrangement.recordedBySide.rawValue
            bookingId = arrangement.bookingId
        }
    }

    struct CandidateBody: Encodable {
        var gpId: Int64
        var name: String
        var score: Int
        var reasons: [String]
        var eligible: Bool
        var ineligibleBecause: [String]?
    }

    struct OfferBody: Encodable {
        var id: Int64
        var sessionId: Int64
        var gpId: Int64
        var status: String
        var expiresAt: Date
    }

    struct ApplicationBody: Encodable {
        var id: Int64
        var sessionId: Int64
        var gpId: Int64
        var status: String
    }

    struct GPIdRequest: Decodable { var gpId: Int64? }
    struct ReasonRequest: Decodable { var reason: String? }
    struct PartnerRequest: Decodable { var partnerOrganisationId: Int64? }
    struct URLBody: Encodable { var url: String }

    struct AvailabilityBody: Codable {
        struct Weekly: Codable {
            var weekday: String
            var dayParts: [String]
        }
        struct Dated: Codable {
            var date: String
            var dayParts: [String]
            var available: Bool
        }
        /// Days away, `from` to `to` included; the id is the saved range's (ignored when sent).
        struct AwayRange: Codable {
            var id: Int64?
            var from: String
            var to: String
        }
        var weekly: [Weekly]?
        var dates: [Dated]?
        /// Left out of a PUT, the saved ranges stay (clients written before ranges keep their holidays).
        var ranges: [AwayRange]?
    }

    struct AgreementBody: Encodable {
        var id: Int64
        var organisationId: Int64
        var partnerOrganisationId: Int64
        var status: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/sessions", use: listSessions)
        router.post("/api/v1/sessions", use: postSession)
        router.get("/api/v1/sessions/:id", use: showSession)
        router.post("/api/v1/sessions/:id/withdraw", use: withdraw)
        router.get("/api/v1/sessions/:id/candidates", use: candidates)
        router.post("/api/v1/sessions/:id/applications", use: apply)
        router.post("/api/v1/sessions/:id/offers", use: offer)
        router.post("/api/v1/applications/:id/accept", use: acceptApplication)
        router.post("/api/v1/offers/:id/accept", use: acceptOffer)
        router.post("/api/v1/offers/:id/decline", use: declineOffer)
        router.get("/api/v1/bookings", use: listBookings)
        router.post("/api/v1/bookings/:id/cancel", use: cancel)
        router.post("/api/v1/bookings/:id/complete", use: complete)
        router.get("/api/v1/gps/:id/availability", use: availability)
        router.put("/api/v1/gps/:id/availability", use: setAvailability)
        router.post("/api/v1/arrangements", use: arrangement)
        router.get("/api/v1/arrangements/:id", use: showArrangement)
        router.post("/api/v1/arrangements/:id/confirm", use: confirmArrangement)
        router.post("/api/v1/arrangements/:id/decline", use: declineArrangement)
        router.post("/api/v1/sharing-agreements", use: proposeSharing)
        router.post("/api/v1/sharing-agreements/:id/accept", use: acceptSharing)
        router.post("/api/v1/sharing-agreements/:id/end", use: endSharing)
        router.get("/api/v1/gps/:id/calendar-url", use: gpCalendar)
        router.post("/api/v1/gps/:id/calendar-url", use: resetGPCalendar)
        router.get("/api/v1/practices/:id/calendar-url", use: practiceCalendar)
        router.post("/api/v1/practices/:id/calendar-url", use: resetPracticeCalendar)
        router.get("/calendar/:token", use: feed)
    }

    // MARK: Sessions

    @Sendable func listSessions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let filter = try ClearingQuery.sessionFilter(request)
        if request.uri.queryParameters.get("eligibleFor") == "me" {
            let sessions = try await database.workAvailable(filter: filter, by: principal)
            let page = request.pageRequest()
            let slice = Array(sessions.dropFirst((page.page - 1) * page.perPage).prefix(page.perPage))
            return try .json(
                ListBody(
                    items: slice.map { SessionBody($0.session) }, total: sessions.count, page: page.page, perPage: page.perPage))
        }
        let page = try await database.sessions(filter: filter, page: request.pageRequest(), by: principal)
        return try .json(
            ListBody(items: page.items.map { SessionBody($0.session) }, total: page.total, page: page.page, perPage: page.perPage)
        )
    }

    @Sendable func postSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(SessionInput.self, context: context)
        let posted = try await database.postSessions(input, by: principal)
        return try .json(SessionBody(posted[0], series: posted.count > 1 ? posted.map { $0.id! } : nil), status: .created)
    }

    @Sendable func showSession(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.session(id: try context.pathID(), by: try context.requirePrincipal())
        return try .json(SessionBody(view.listing.session))
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(ReasonRequest.self, context: context)
        return try .json(SessionBody(try await database.withdrawSession(id: id, reason: body.reason, by: principal)))
    }

    @Sendable func candidates(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let includeIneligible = request.uri.queryParameters.get("includeIneligible") == "true"
        let candidates = try await database.candidates(
            sessionId: try context.pathID(), includeIneligible: includeIneligible, by: principal)
        let items = candidates.map {
            CandidateBody(
                gpId: $0.gpId, name: $0.name, score: $0.score, reasons: $0.reasons, eligible: $0.eligible,
                ineligibleBecause: $0.eligible ? nil : $0.ineligibleBecause)
        }
        return try .json(["items": items])
    }

    @Sendable func apply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.apply(sessionId: try context.pathID(), by: principal, links: links)
        await send(outcome.notifications, context: context)
        let application = outcome.value
        return try .json(
            ApplicationBody(
                id: application.id!, sessionId: application.sessionId, gpId: application.gpId, status: application.status.rawValue
            ),
            status: .created)
    }

    @Sendable func offer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(GPIdRequest.self, context: context)
        let outcome = try await database.offer(sessionId: try context.pathID(), gpId: body.gpId, by: principal, links: links)
        await send(outcome.notifications, context: context)
        return try .json(Self.offerBody(outcome.value, now: database.clock.now()), status: .created)
    }

    static func offerBody(_ offer: Offer, now: Date) -> OfferBody {
        OfferBody(
            id: offer.id!, sessionId: offer.sessionId, gpId: offer.gpId, status: offer.effectiveStatus(now: now),
            expiresAt: offer.expiresAt)
    }

    @Sendable func acceptApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.acceptApplication(id: try context.pathID(), by: principal, links: links)
        await send(outcome.notifications, context: context)
        return try .json(BookingBody(outcome.value), status: .created)
    }

    @Sendable func acceptOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.acceptOffer(id: try context.pathID(), by: principal, links: links)
        await send(outcome.notifications, context: context)
        return try .json(BookingBody(outcome.value), status: .created)
    }

    @Sendable func declineOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let offer = try await database.declineOffer(id: try context.pathID(), by: principal)
        return try .json(Self.offerBody(offer, now: database.clock.now()))
    }

    // MARK: Bookings

    @Sendable func listBookings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let from = try ClearingQuery.day(query.get("from"), "from")
        let to = try ClearingQuery.day(query.get("to"), "to")
        let bookings = try await database.bookings(for: principal, from: from, to: to)
        let page = request.pageRequest()
        let slice = Array(bookings.dropFirst((page.page - 1) * page.perPage).prefix(page.perPage))
        return try .json(
            ListBody(
                items: slice.map { BookingBody($0.booking, practiceId: $0.practice.id) }, total: bookings.count, page: page.page,
                perPage: page.perPage))
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(ReasonRequest.self, context: context)
        let outcome = try await database.cancelBooking(
            id: try context.pathID(), reason: body.reason ?? "", by: principal, links: links)
        await send(outcome.notifications, context: context)
        return try .json(BookingBody(outcome.value))
    }

    @Sendable func complete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.completeBooking(id: try context.pathID(), by: principal, links: links)
        await send(outcome.notifications, context: context)
        return try .json(BookingBody(outcome.value))
    }

    @Sendable func arrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(ArrangementInput.self, context: context)
        let outcome = try await database.recordArrangement(input, by: principal, links: links)
        await send(outcome.notifications, context: context)
        return try .json(ArrangementBody(outcome.value), status: .created)
    }

    @Sendable func showArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.arrangement(id: try context.pathID(), by: try context.requirePrincipal())
        return try .json(ArrangementBody(view.arrangement))
    }

    @Sendable func confirmArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let outcome = try await database.confirmArrangement(
            id: try context.pathID(), by: try context.requirePrincipal(), links: links)
        await send(outcome.notifications, context: context)
        return try .json(ArrangementBody(outcome.value))
    }

    @Sendable func declineArrangement(_ request: Request, context: AppRequestContext) async throws -> Response {
        let arrangement = try await database.declineArrangement(id: try context.pathID(), by: try context.requirePrincipal())
        return try .json(ArrangementBody(arrangement))
    }

    // MARK: Availability

    @Sendable func availability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.availability(gpId: try context.pathID(), by: try context.requirePrincipal())
        return try .json(Self.availabilityBody(view.availability))
    }

    @Sendable func setAvailability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let body = try await request.decodeJSON(AvailabilityBody.self, context: context)
        let input = AvailabilityInput(
            weekly: (body.weekly ?? []).map { .init(weekday: $0.weekday, dayParts: $0.dayParts) },
            dates: (body.dates ?? []).map { .init(date: $0.date, dayParts: $0.dayParts, available: $0.available) },
            ranges: body.ranges?.map { AvailabilityInput.RangeEntry(from: $0.from, to: $0.to) })
        return try .json(Self.availabilityBody(try await database.setAvailability(gpId: gpId, input, by: principal)))
    }

    static func availabilityBody(_ availability: Availability) -> AvailabilityBody {
        AvailabilityBody(
            weekly: availability.weekly.map {
                .init(weekday: Weekday(number: $0.weekday)!.rawValue, dayParts: $0.dayParts.map(\.rawValue))
            },
            dates: availability.dates.map {
                .init(date: $0.date.description, dayParts: $0.dayParts.map(\.rawValue), available: $0.available)
            },
            ranges: availability.ranges.map {
                AvailabilityBody.AwayRange(id: $0.id, from: $0.from.description, to: $0.to.description)
            })
    }

    // MARK: Sharing agreements

    @Sendable func proposeSharing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(PartnerRequest.self, context: context)
        guard let partner = body.partnerOrganisationId else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "partnerOrganisationId", message: "Name the partner organisation"))
        }
        return try .json(
            Self.agreementBody(try await database.proposeSharing(partnerOrganisationId: partner, by: principal)), status: .created
        )
    }

    @Sendable func acceptSharing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(Self.agreementBody(try await database.acceptSharing(id: try context.pathID(), by: principal)))
    }

    @Sendable func endSharing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(Self.agreementBody(try await database.endSharing(id: try context.pathID(), by: principal)))
    }

    static func agreementBody(_ agreement: SharingAgreement) -> AgreementBody {
        AgreementBody(
            id: agreement.id!, organisationId: agreement.organisationId, partnerOrganisationId: agreement.partnerOrganisationId,
            status: agreement.status.rawValue)
    }

    // MARK: Calendars

    @Sendable func gpCalendar(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await calendarURL(.gp(try context.pathID()), reset: false, context: context)
    }

    @Sendable func resetGPCalendar(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await calendarURL(.gp(try context.pathID()), reset: true, context: context)
    }

    @Sendable func practiceCalendar(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await calendarURL(.practice(try context.pathID()), reset: false, context: context)
    }

    @Sendable func resetPracticeCalendar(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await calendarURL(.practice(try context.pathID()), reset: true, context: context)
    }

    /// The feed's address, answered when it is made (the first GET, or a POST): only its digest is
    /// kept, so a later GET says how to get a new one instead.
    private func calendarURL(_ owner: CalendarOwner, reset: Bool, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        switch try await database.calendarAddress(for: owner, reset: reset, by: principal) {
        case .new(let token):
            return try .json(URLBody(url: feedURL(token)))
        case .issuedBefore:
            throw DomainError.conflict(
                "This calendar's address was shown when it was made and only a digest of it is kept, so it cannot be shown "
                    + "again. POST to this address for a new one (the old one then stops working).")
        }
    }

    /// The secret address of the feed a token opens.
    func feedURL(_ token: String) -> String {
        "\(baseURL)/calendar/\(token).ics"
    }

    /// The feed itself: public, the secret address is the key.
    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        let raw = context.parameters.get("token") ?? ""
        let token = raw.hasSuffix(".ics") ? String(raw.dropLast(4)) : raw
        guard let ics = try await database.calendarFeed(token: token) else {
            throw DomainError.notFound("No calendar at this address")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: ics))
        )
    }

    // MARK: Helpers

    /// Sends the emails an action asked for. The action is already saved, so a mail failure is
    /// logged for the administrator rather than undoing it.
    func send(_ messages: [MailMessage], context: AppRequestContext) async {
        await mailer.deliver(messages, logger: context.logger)
    }
}

/// Query and path parsing for the clearing-house routes.
enum ClearingQuery {
    static func day(_ raw: String?, _ name: String) throws -> Day? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let day = Day(raw) else {
            throw DomainError.validationFailed(ValidationErrors(field: name, message: "Enter a real date as YYYY-MM-DD"))
        }
        return day
    }

    static func sessionFilter(_ request: Request) throws -> SessionFilter {
        let query = request.uri.queryParameters
        var filter = SessionFilter()
        if let raw = query.get("status"), !raw.isEmpty {
            guard let status = ClinicalSession.Status(rawValue: raw) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "status", message: "Choose open, booked, completed, cancelled or withdrawn"))
            }
            filter.status = status
        }
        filter.from = try day(query.get("from"), "from")
        filter.to = try day(query.get("to"), "to")
        if let raw = query.get("practice"), !raw.isEmpty {
            guard let id = Int64(raw) else {
                throw DomainError.validationFailed(ValidationErrors(field: "practice", message: "Use the practice's id"))
            }
            filter.practiceId = id
        }
        filter.locality = query.get("locality")
        return filter
    }
}
