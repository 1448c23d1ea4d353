import Foundation
import GRDB

/// A GP booked for a session (through the scheme, or an arrangement reported to it).
public struct Booking: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case confirmed, completed, cancelled
    }

    public var id: Int64?
    public var sessionId: Int64
    public var gpId: Int64
    public var status: Status
    public var date: Day
    public var startMinute: Int
    public var endMinute: Int
    public var gpOrganisationId: Int64
    public var practiceOrganisationId: Int64
    public var createdAt: Date
    public var completedAt: Date?
    public var cancelledAt: Date?
    public var cancelledById: Int64?
    public var cancelledByRole: String?
    public var cancelReason: String?
    /// The GP's terms in force when the booking was made (JSON of `TermsSnapshot`).
    public var terms: String?
    /// What a late cancellation by the practice owes the GP under those terms, and the notice given.
    public var cancellationFeePence: Int?
    public var cancellationNoticeDays: Int?

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let sessionId = Column(CodingKeys.sessionId)
        public static let gpId = Column(CodingKeys.gpId)
        public static let status = Column(CodingKeys.status)
        public static let date = Column(CodingKeys.date)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A GP's request to take an open session.
public struct Application: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, accepted, declined, withdrawn
    }

    public var id: Int64?
    public var sessionId: Int64
    public var gpId: Int64
    public var status: Status
    public var createdAt: Date
    public var decidedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A session offered to one GP, who accepts or declines before it expires.
public struct Offer: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, accepted, declined, withdrawn
    }

    public var id: Int64?
    public var sessionId: Int64
    public var gpId: Int64
    public var status: Status
    public var createdAt: Date
    public var createdById: Int64?
    public var expiresAt: Date
    public var decidedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// As callers see it: a pending offer past its time has expired.
    public func effectiveStatus(now: Date) -> String {
        status == .pending && now >= expiresAt ? "expired" : status.rawValue
    }
}

/// The result of a clearing-house action and the emails it asks to be sent once it is saved.
public struct Outcome<Value: Sendable>: Sendable {
    public var value: Value
    public var notifications: [MailMessage]
}

/// A booking with its session, practice and GP, as lists show it.
public struct BookingListing: Sendable {
    public var booking: Booking
    public var session: ClinicalSession
    public var practice: Practice
    public var gpName: String
}

extension AppDatabase {
    /// How long an offer stands.
    public static let offerLifetime: TimeInterval = 48 * 3600

    // MARK: Applications

    /// A GP applies for an open session they are eligible for; the practice is told.
    public func apply(sessionId: Int64, by principal: Principal, links: Links) async throws -> Outcome<Application> {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("Only a GP can apply for a session") }
        let now = clock.now()
        return try await write { db in
            let (session, practice) = try Self.sessionAndPractice(db, sessionId)
            let (application, mail) = try Self.makeApplication(
                db, session: session, practice: practice, gpId: gpId, by: principal, now: now, links: links)
            return Outcome(value: application, notifications: mail)
        }
    }

    /// A GP's application for an open session they may take, with the practice's notice: the one
    /// way applications are made (by the GP, or as the demo loads).
    static func makeApplication(
        _ db: Database, session: ClinicalSession, practice: Practice, gpId: Int64, by principal: Principal, now: Date,
        links: Links
    ) throws -> (Application, [MailMessage]) {
        let sessionId = session.id!
        guard session.status == .open else { throw DomainError.conflict("This session is no longer open") }
        try Self.requireEligible(db, gpId: gpId, session: session, practice: practice, by: principal)
        if let existing = try Application.fetchOne(
            db, sql: "SELECT * FROM application WHERE sessionId = ? AND gpId = ?", arguments: [sessionId, gpId])
        {
            guard existing.status == .withdrawn else {
                throw DomainError.conflict("You have already applied for this session")
            }
            try db.execute(sql: "DELETE FROM application WHERE id = ?", arguments: [existing.id])
        }
        var application = Application(id: nil, sessionId: sessionId, gpId: gpId, status: .pending, createdAt: now)
        try application.insert(db)
        try AuditEvent.record(db, at: now, actor: principal.actor, entity: "session", entityId: sessionId, action: "apply")
        let gp = try GP.fetchOne(db, id: gpId)!
        let mail = try Self.practiceRecipients(db, practice).map {
            MailMessage(
                to: $0, subject: "\(gp.name) applied for your session on \(session.date.displayText)",
                text: """
                    \(gp.name) (\(gp.registrationNumberName) \(gp.registrationNumber)) has applied for the \(session.kind.title.lowercased()) session at \
                    \(practice.name) on \(session.date.displayText), \(session.start)–\(session.end).

                    Accept the application on the session's page:
                    \(links.url("/sessions/\(sessionId)"))
                    """)
        }
        return (application, mail)
    }

    /// The GP takes back an application the practice has not decided; they may apply again later.
    public func withdrawApplication(id: Int64, by principal: Principal) async throws -> Application {
        let now = clock.now()
        return try await write { db in
            guard var application = try Application.fetchOne(db, id: id) else {
                throw DomainError.notFound("No application has that id")
            }
            guard principal.gpId == application.gpId else {
                throw DomainError.forbidden("Only the GP who applied can withdraw an application")
            }
            guard application.status == .pending else {
                throw DomainError.conflict(
                    application.status == .withdrawn
                        ? "You have already withdrawn your application"
                        : "The practice has already \(application.status.title.lowercased()) your application")
            }
            application.status = .withdrawn
            application.decidedAt = now
            try application.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "session", entityId: application.sessionId,
                action: "withdraw-application")
            return application
        }
    }

    /// One application, for the GP who made it and those who decide it.
    public func application(id: Int64, by principal: Principal) async throws -> Application {
        try await read { db in
            guard let application = try Application.fetchOne(db, id: id) else {
                throw DomainError.notFound("No application has that id")
            }
            if principal.gpId != application.gpId {
                let (_, practice) = try Self.sessionAndPractice(db, application.sessionId)
                try Self.requireCanPost(principal, practice: practice)
            }
            return application
        }
    }

    public func applications(sessionId: Int64, by principal: Principal) async throws -> [(Application, GP)] {
        try await read { db in
            let (_, practice) = try Self.sessionAndPractice(db, sessionId)
            try Self.requireCanPost(principal, practice: practice)
            let applications = try Application.fetchAll(
                db, sql: "SELECT * FROM application WHERE sessionId = ? ORDER BY createdAt", arguments: [sessionId])
            return try applications.map { ($0, try GP.fetchOne(db, id: $0.gpId)!) }
        }
    }

    /// The practice (or liaison officer) accepts an application: the booking is made in the same
    /// transaction that checks the session is still open, so only one of many accepts succeeds.
    public func acceptApplication(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<Booking> {
        let now = clock.now()
        return try await write { db in
            guard var application = try Application.fetchOne(db, id: id) else {
                throw DomainError.notFound("No application has that id")
            }
            var (session, practice) = try Self.sessionAndPractice(db, application.sessionId)
            try Self.requireCanPost(principal, practice: practice)
            guard application.status == .pending else {
                throw DomainError.conflict(
                    application.status == .withdrawn
                        ? "The GP has withdrawn this application"
                        : "This application has already been \(application.status.title.lowercased())")
            }
            let booking = try Self.book(db, session: &session, gpId: application.gpId, practice: practice, now: now)
            application.status = .accepted
            application.decidedAt = now
            try application.update(db)
            try db.execute(
                sql: "UPDATE application SET status = 'declined', decidedAt = ? WHERE sessionId = ? AND status = 'pending'",
                arguments: [now, session.id])
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "booking", entityId: booking.id, action: "accept-application")
            return Outcome(
                value: booking,
                notifications: try Self.confirmationMail(
                    db, booking: booking, session: session, practice: practice, links: links, now: now)
            )
        }
    }

    // MARK: Offers

    /// The practice or the liaison officer offers a session to an eligible GP; the offer stands 48 hours.
    public func offer(sessionId: Int64, gpId: Int64?, by principal: Principal, links: Links) async throws -> Outcome<Offer> {
        let now = clock.now()
        return try await write { db in
            let (session, practice) = try Self.sessionAndPractice(db, sessionId)
            try Self.requireCanPost(principal, practice: practice)
            guard let gpId else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "gpId", message: "Name the GP to offer the session to"))
            }
            guard session.status == .open else { throw DomainError.conflict("This session is no longer open") }
            // Only a GP the practice could book is weighed: anyone else (another organisation's,
            // an applicant, a leaver) is answered as if there were none, so no one is named.
            let organisations = [practice.organisationId] + (try Self.partnerOrganisationIds(db, of: practice.organisationId))
            guard let gp = try GP.fetchOne(db, id: gpId), gp.status == .active, organisations.contains(gp.organisationId)
            else {
                throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "No GP has that id"))
            }
            let (offer, mail) = try Self.makeOffer(
                db, session: session, practice: practice, gp: gp, by: principal, now: now, links: links)
            return Outcome(value: offer, notifications: mail)
        }
    }

    /// Offers an open session to a GP who may take it: the one way offers are made (by hand, or by
    /// a clearing run), with the GP's email.
    static func makeOffer(
        _ db: Database, session: ClinicalSession, practice: Practice, gp: GP, by principal: Principal, now: Date,
        links: Links
    ) throws -> (Offer, [MailMessage]) {
        let sessionId = session.id!
        let gpId = gp.id!
        try Self.requireEligible(db, gpId: gpId, session: session, practice: practice, by: principal)
        var offer = Offer(
            id: nil, sessionId: sessionId, gpId: gpId, status: .pending, createdAt: now, createdById: principal.recordedUserId,
            expiresAt: now.addingTimeInterval(Self.offerLifetime))
        try offer.insert(db)
        try AuditEvent.record(db, at: now, actor: principal.actor, entity: "session", entityId: sessionId, action: "offer")
        let mail =
            gp.email.map {
                [
                    MailMessage(
                        to: $0, toName: gp.name, subject: "Session offered: \(practice.name), \(session.date.displayText)",
                        text: """
                            Dear \(gp.name),

                            \(practice.name) (\(practice.locality)) offers you a \(session.kind.title.lowercased()) session:

                            \(Self.sessionParticulars(session, practice))

                            The offer stands until \(Self.timeText(offer.expiresAt)). Accept or decline it here:
                            \(links.url("/sessions/\(sessionId)"))
                            """)
                ]
            } ?? []
        return (offer, mail)
    }

    /// The GP accepts an offer made to them: booked, unless it expired or the session went.
    public func acceptOffer(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<Booking> {
        let now = clock.now()
        return try await write { db in
            guard var offer = try Offer.fetchOne(db, id: id) else { throw DomainError.notFound("No offer has that id") }
            guard principal.gpId == offer.gpId else { throw DomainError.forbidden("This offer was made to another GP") }
            guard offer.status == .pending else { throw Self.offerDecided(offer) }
            guard now < offer.expiresAt else {
                throw DomainError.conflict("This offer expired at \(Self.timeText(offer.expiresAt))")
            }
            var (session, practice) = try Self.sessionAndPractice(db, offer.sessionId)
            let booking = try Self.book(db, session: &session, gpId: offer.gpId, practice: practice, now: now)
            offer.status = .accepted
            offer.decidedAt = now
            try offer.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "booking", entityId: booking.id, action: "accept-offer")
            return Outcome(
                value: booking,
                notifications: try Self.confirmationMail(
                    db, booking: booking, session: session, practice: practice, links: links, now: now)
            )
        }
    }

    public func declineOffer(id: Int64, by principal: Principal) async throws -> Offer {
        let now = clock.now()
        return try await write { db in
            guard var offer = try Offer.fetchOne(db, id: id) else { throw DomainError.notFound("No offer has that id") }
            guard principal.gpId == offer.gpId else { throw DomainError.forbidden("This offer was made to another GP") }
            guard offer.status == .pending else { throw Self.offerDecided(offer) }
            offer.status = .declined
            offer.decidedAt = now
            try offer.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "session", entityId: offer.sessionId, action: "decline-offer")
            return offer
        }
    }

    /// What an answer to an offer already answered (a button pressed twice) is told.
    static func offerDecided(_ offer: Offer) -> DomainError {
        .conflict(
            offer.status == .withdrawn
                ? "This offer was withdrawn: the session is no longer offered to you"
                : "You have already \(offer.status.title.lowercased()) this offer")
    }

    func offers(gpId: Int64) async throws -> [(Offer, SessionListing)] {
        try await read { db in
            let offers = try Offer.fetchAll(
                db, sql: "SELECT * FROM offer WHERE gpId = ? ORDER BY createdAt DESC", arguments: [gpId])
            return try offers.map { offer in
                let (session, practice) = try Self.sessionAndPractice(db, offer.sessionId)
                return (offer, SessionListing(session: session, practice: practice))
            }
        }
    }

    // MARK: Booking, cancelling, completing

    /// Books a GP into an open session. Both rules are checked here and again by the database
    /// (a unique index per session, a trigger against overlaps), so no race can break them.
    static func book(_ db: Database, session: inout ClinicalSession, gpId: Int64, practice: Practice, now: Date) throws -> Booking
    {
        guard session.status == .open else {
            throw DomainError.conflict(
                "This session has already been \(session.status == .booked ? "booked" : session.status.rawValue)")
        }
        guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
        let clash =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM booking WHERE gpId = ? AND date = ? AND status IN ('confirmed', 'completed')
                    AND startMinute < ? AND ? < endMinute
                    """,
                arguments: [gpId, session.date, session.endMinute, session.startMinute]) ?? 0
        if clash > 0 { throw DomainError.conflict("\(gp.name) already has a booking at an overlapping time") }
        var booking = Booking(
            id: nil, sessionId: session.id!, gpId: gpId, status: .confirmed, date: session.date, startMinute: session.startMinute,
            endMinute: session.endMinute, gpOrganisationId: gp.organisationId, practiceOrganisationId: practice.organisationId,
            createdAt: now)
        booking.terms = try Self.termsInForce(db, gpId: gpId, practiceId: practice.id, now: now).0.snapshot.encoded
        do {
            try booking.insert(db)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw DomainError.conflict("This session has just been booked, or the GP has just been booked elsewhere at that time")
        }
        session.status = .booked
        session.bookedAt = now
        try session.update(db)
        return booking
    }

    /// Either side cancels a booking with a reason, and the other side is told. When the GP cancels,
    /// the session opens again; when the practice cancels, the session is cancelled.
    public func cancelBooking(id: Int64, reason: String, by principal: Principal, links: Links) async throws
        -> Outcome<Booking>
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let now = clock.now()
        return try await write { db in
            guard var booking = try Booking.fetchOne(db, id: id) else { throw DomainError.notFound("No booking has that id") }
            var (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
            let byGP = principal.gpId == booking.gpId
            if !byGP { try Self.requireCanPost(principal, practice: practice) }
            guard !reason.isEmpty else {  // after who asks is settled
                throw DomainError.validationFailed(ValidationErrors(field: "reason", message: "Give the reason for cancelling"))
            }
            guard booking.status == .confirmed else {
                throw DomainError.conflict(
                    booking.status == .cancelled
                        ? "This booking has already been cancelled" : "This booking is completed, so it cannot be cancelled")
            }
            booking.status = .cancelled
            booking.cancelledAt = now
            booking.cancelledById = principal.recordedUserId
            booking.cancelledByRole =
                byGP ? "gp" : (principal.practiceIds.contains(practice.id!) ? "practice" : "liaison-officer")
            booking.cancelReason = reason
            let warning = try Self.recordLateCancellation(
                db, booking: &booking, session: session, practice: practice, byGP: byGP,
                byPractice: booking.cancelledByRole == "practice", reason: reason, now: now)
            try booking.update(db)
            if byGP {
                session.status = .open
                session.bookedAt = nil
            } else {
                session.status = .cancelled
                session.cancelledAt = now
                session.cancelledById = principal.recordedUserId
                session.cancelledByRole = booking.cancelledByRole
                session.cancelReason = reason
            }
            try session.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "booking", entityId: id, action: "cancel", detail: reason)
            let gp = try GP.fetchOne(db, id: booking.gpId)!
            let subject = "Cancelled: \(practice.name), \(session.date.displayText) \(session.start)–\(session.end)"
            let text = """
                The booking of \(gp.name) for the \(session.kind.title.lowercased()) session at \(practice.name) on \
                \(session.date.displayText), \(session.start)–\(session.end), has been cancelled by the \
                \(byGP ? "GP" : "practice").

                Reason: \(reason)

                \(byGP ? "The session is open again for other GPs:" : "The session:") \(links.url("/sessions/\(session.id!)"))
                \(warning.map { "\n\($0)" } ?? "")
                """
            let recipients = byGP ? try Self.practiceRecipients(db, practice) : (gp.email.map { [$0] } ?? [])
            return Outcome(value: booking, notifications: recipients.map { MailMessage(to: $0, subject: subject, text: text) })
        }
    }

    /// Marks a booking completed once its session has ended (the practice, the GP or the team); the
    /// feedback cards are issued and their links emailed.
    public func completeBooking(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<Booking> {
        let now = clock.now()
        return try await write { db in
            guard var booking = try Booking.fetchOne(db, id: id) else { throw DomainError.notFound("No booking has that id") }
            var (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
            if principal.gpId != booking.gpId { try Self.requireCanPost(principal, practice: practice) }
            guard booking.status == .confirmed else {
                throw DomainError.conflict(
                    booking.status == .completed
                        ? "This booking has already been marked completed"
                        : "This booking was cancelled, so it cannot be completed")
            }
            guard Self.endInstant(session) <= now else {
                throw DomainError.conflict(
                    "The session has not ended yet; it can be completed after \(session.end) on \(session.date.displayText)")
            }
            let mail = try Self.complete(db, booking: &booking, session: &session, now: now, links: links)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "booking", entityId: id, action: "complete")
            return Outcome(value: booking, notifications: mail)
        }
    }

    /// Completes every confirmed booking whose session has ended; the service runs this regularly.
    public func completeFinishedBookings(links: Links) async throws -> Outcome<Int> {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            let candidates = try Booking.fetchAll(
                db, sql: "SELECT * FROM booking WHERE status = 'confirmed' AND date <= ?", arguments: [today])
            var completed = 0
            var mail: [MailMessage] = []
            for var booking in candidates {
                guard var session = try ClinicalSession.fetchOne(db, id: booking.sessionId), Self.endInstant(session) <= now
                else { continue }
                mail += try Self.complete(db, booking: &booking, session: &session, now: now, links: links)
                try AuditEvent.record(db, at: now, actor: .system, entity: "booking", entityId: booking.id, action: "complete")
                completed += 1
            }
            return Outcome(value: completed, notifications: mail)
        }
    }

    static func complete(
        _ db: Database, booking: inout Booking, session: inout ClinicalSession, now: Date, links: Links
    ) throws -> [MailMessage] {
        booking.status = .completed
        booking.completedAt = now
        try booking.update(db)
        session.status = .completed
        try session.update(db)
        return try issueFeedbackCards(db, booking: booking, now: now, links: links)
    }

    /// When a session ends, as an instant (UK time).
    /// When the session starts, in the organisation's time zone (as `endInstant`).
    public static func startInstant(_ session: ClinicalSession) -> Date {
        var components = DateComponents(year: session.date.year, month: session.date.month, day: session.date.day)
        components.minute = session.startMinute
        components.hour = 0
        return Day.calendar.date(from: components)!
    }

    public static func endInstant(_ session: ClinicalSession) -> Date {
        var components = DateComponents(year: session.date.year, month: session.date.month, day: session.date.day)
        components.minute = session.endMinute
        components.hour = 0
        return Day.calendar.date(from: components)!
    }

    // MARK: Lists

    /// The bookings a person may see: a GP's own, a practice's, or the organisation's for its team.
    public func bookings(for principal: Principal, from: Day?, to: Day?) async throws -> [BookingListing] {
        try await read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let gpId = principal.gpId {
                clauses.append("b.gpId = ?")
                arguments += [gpId]
            }
            if !principal.practiceIds.isEmpty {
                clauses.append("s.practiceId IN (SELECT value FROM json_each(?))")
                arguments += [String(describing: principal.practiceIds)]
            }
            let team = principal.organisationIds(as: .liaisonOfficer) + principal.organisationIds(as: .mentor)
            if !team.isEmpty {
                clauses.append(
                    "(b.practiceOrganisationId IN (SELECT value FROM json_each(?)) OR b.gpOrganisationId IN (SELECT value FROM json_each(?)))"
                )
                arguments += [String(describing: team), String(describing: team)]
            }
            if principal.isAdministrator { clauses.append("1") }
            guard !clauses.isEmpty else { return [] }
            var sql =
                "SELECT b.* FROM booking b JOIN clinicalSession s ON s.id = b.sessionId WHERE ("
                + clauses.joined(separator: " OR ") + ")"
            if let from {
                sql += " AND b.date >= ?"
                arguments += [from]
            }
            if let to {
                sql += " AND b.date <= ?"
                arguments += [to]
            }
            let bookings = try Booking.fetchAll(db, sql: sql + " ORDER BY b.date, b.startMinute LIMIT 1000", arguments: arguments)
            return try bookings.map { booking in
                let (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
                let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [booking.gpId]) ?? ""
                return BookingListing(booking: booking, session: session, practice: practice, gpName: name)
            }
        }
    }

    func booking(id: Int64) async throws -> BookingListing? {
        try await read { db in
            guard let booking = try Booking.fetchOne(db, id: id) else { return nil }
            let (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
            let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [booking.gpId]) ?? ""
            return BookingListing(booking: booking, session: session, practice: practice, gpName: name)
        }
    }

    // MARK: Helpers

    static func sessionAndPractice(_ db: Database, _ sessionId: Int64) throws -> (ClinicalSession, Practice) {
        guard let session = try ClinicalSession.fetchOne(db, id: sessionId),
            let practice = try Practice.fetchOne(db, id: session.practiceId)
        else { throw DomainError.notFound("No session has that id") }
        return (session, practice)
    }

    /// Refuses a GP who cannot take the session, saying why in words for the person asking: a GP
    /// is never told a practice's private preference, and someone who may not see the GP's checks is
    /// told only that they are not cleared.
    static func requireEligible(
        _ db: Database, gpId: Int64, session: ClinicalSession, practice: Practice, by principal: Principal
    )
        throws
    {
        let context = try EligibilityContext.load(db, gpIds: [gpId], sessions: [session], practices: [practice])
        let gp = context.gps[gpId]!
        let audience = EligibilityAudience.of(principal, about: gp, at: practice)
        let verdict = context.evaluate(gpId: gpId, session: session, practice: practice, audience: audience)
        guard !verdict.eligible else { return }
        if audience == .theGP { throw DomainError.conflict(Self.applyRefusal) }
        throw DomainError.conflict("\(gp.name) cannot take this session: " + verdict.ineligibleBecause.joined(separator: "; "))
    }

    /// The practice's own address and its managers'.
    static func practiceRecipients(_ db: Database, _ practice: Practice) throws -> [String] {
        let managers = try String.fetchAll(
            db,
            sql: """
                SELECT u.email FROM user u JOIN roleGrant g ON g.userId = u.id
                WHERE g.role = 'practice-manager' AND g.practiceId = ? AND u.disabledAt IS NULL
                """,
            arguments: [practice.id!])
        var seen = Set<String>()
        return ([practice.email].compactMap { $0 } + managers).filter { seen.insert($0).inserted }
    }

    /// Date, times, practice, address and rate, as an offer and a booking confirmation give them.
    static func sessionParticulars(_ session: ClinicalSession, _ practice: Practice) -> String {
        let address = [practice.name, practice.address, practice.postcode].compactMap { $0 }.joined(separator: ", ")
        return """
            Date: \(session.date.displayText), \(session.start)–\(session.end)
            Practice: \(address)
            Rate: \(session.rateText)
            """
    }

    static func confirmationMail(
        _ db: Database, booking: Booking, session: ClinicalSession, practice: Practice, links: Links, now: Date
    ) throws -> [MailMessage] {
        let gp = try GP.fetchOne(db, id: booking.gpId)!
        let what =
            "\(session.kind.title.lowercased()) session at \(practice.name) on \(session.date.displayText), \(session.start)–\(session.end)"
        var mail = try practiceRecipients(db, practice).map {
            MailMessage(
                to: $0, subject: "Booked: \(gp.name), \(session.date.displayText)",
                text: "\(gp.name) is booked for the \(what).\n\nThe booking: \(links.url("/sessions/\(session.id!)"))")
        }
        if let email = gp.email {
            mail.append(
                MailMessage(
                    to: email, toName: gp.name, subject: "Confirmed: \(practice.name), \(session.date.displayText)",
                    text: """
                        Dear \(gp.name),

                        You are booked for the \(what).

                        \(Self.sessionParticulars(session, practice))

                        The practice pack (arrival, logins, contacts) is on the booking's page:
                        \(links.url("/sessions/\(session.id!)"))

                        The session is attached as a calendar event (the same one as in your sgpst calendar feed).
                        """,
                    attachments: [
                        MailAttachment(
                            filename: "session.ics", contentType: "text/calendar; method=PUBLISH",
                            content: ICalendar.render(
                                name: "Sessional GP booking",
                                events: [Self.calendarEvent(booking, session, practice, gpName: gp.name, forGP: true)],
                                stamp: now))
                    ]))
        }
        return mail
    }

    static func timeText(_ date: Date) -> String {
        let parts = Day.calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d on ", parts.hour!, parts.minute!) + Day(date).displayText
    }
}
