import Foundation
import GRDB

/// A late cancellation or a no-show, on the record of the side that caused it. The support team
/// sees them, each side sees its own, and they are kept for six months.
public struct LateCancellation: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Side: String, Codable, Sendable {
        case practice, gp
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case lateCancellation = "late-cancellation"
        case noShow = "no-show"

        public var title: String {
            switch self {
            case .lateCancellation: "Late cancellation"
            case .noShow: "Did not attend"
            }
        }
    }

    public var id: Int64?
    public var bookingId: Int64
    public var side: Side
    public var kind: Kind
    public var gpId: Int64
    public var practiceId: Int64
    public var noticeDays: Int?
    public var reason: String?
    public var recordedAt: Date

    public init(
        id: Int64?, bookingId: Int64, side: Side, kind: Kind, gpId: Int64, practiceId: Int64, noticeDays: Int?,
        reason: String?, recordedAt: Date
    ) {
        self.id = id
        self.bookingId = bookingId
        self.side = side
        self.kind = kind
        self.gpId = gpId
        self.practiceId = practiceId
        self.noticeDays = noticeDays
        self.reason = reason
        self.recordedAt = recordedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// A practice cancelling with under 7 days' notice, or a GP with under 3, is late.
    public static let practiceNoticeDays = 7
    public static let gpNoticeDays = 3
    /// How long after its session a no-show can still be reported.
    public static let noShowReportableDays = 14
    /// How long a warning stays on a record.
    public static let keptForMonths = 6
}

/// A warning as lists show it.
public struct LateCancellationListing: Sendable {
    public var warning: LateCancellation
    public var gpName: String
    public var practiceName: String
    public var date: Day

    public init(warning: LateCancellation, gpName: String, practiceName: String, date: Day) {
        self.warning = warning
        self.gpName = gpName
        self.practiceName = practiceName
        self.date = date
    }
}

extension AppDatabase {
    /// Whole days' notice: the session's day minus the day it was cancelled (0 on the day).
    static func noticeDays(before session: ClinicalSession, now: Date) -> Int { Day(now).days(until: session.date) }

    /// Records a late cancellation on the side that made it, and (the practice cancelling inside
    /// the GP's scale) the fee the GP may invoice. A cancellation by the support team is neither
    /// side's. Returns a sentence for the emails, if any.
    static func recordLateCancellation(
        _ db: Database, booking: inout Booking, session: ClinicalSession, practice: Practice, byGP: Bool, byPractice: Bool,
        reason: String, now: Date
    ) throws -> String? {
        guard byGP || byPractice else { return nil }
        let notice = Self.noticeDays(before: session, now: now)
        booking.cancellationNoticeDays = notice
        var sentences: [String] = []
        if !byGP {
            let terms =
                try TermsSnapshot.decoded(booking.terms)
                ?? Self.termsInForce(db, gpId: booking.gpId, practiceId: practice.id, now: now).0.snapshot
            let percent = terms.scale.percent(forNoticeDays: notice)
            if percent > 0 {
                let fee = PayRules.share(of: Self.fee(session, booking: booking), basisPoints: percent * 100)
                booking.cancellationFeePence = fee
                sentences.append(
                    "Under the GP's terms, cancelling with \(notice) day\(notice == 1 ? "" : "s")' notice costs \(percent) % of the fee: \(Money.pounds(fee)), which the GP may invoice."
                )
            }
        }
        let late = byGP ? notice < LateCancellation.gpNoticeDays : notice < LateCancellation.practiceNoticeDays
        if late {
            var warning = LateCancellation(
                id: nil, bookingId: booking.id!, side: byGP ? .gp : .practice, kind: .lateCancellation, gpId: booking.gpId,
                practiceId: practice.id!, noticeDays: notice, reason: reason, recordedAt: now)
            try warning.insert(db)
            sentences.append(
                "As a cancellation with under \(byGP ? LateCancellation.gpNoticeDays : LateCancellation.practiceNoticeDays) days' notice, it is recorded on the \(byGP ? "GP's" : "practice's") record for \(LateCancellation.keptForMonths) months."
            )
        }
        return sentences.isEmpty ? nil : sentences.joined(separator: " ")
    }

    /// The practice reports that the booked GP did not come: the booking is cancelled and the
    /// no-show recorded on the GP's record. Only once the session has started.
    public func reportNoShow(bookingId: Int64, by principal: Principal, links: Links) async throws -> Outcome<Booking> {
        let now = clock.now()
        return try await write { db in
            guard var booking = try Booking.fetchOne(db, id: bookingId) else {
                throw DomainError.notFound("No booking has that id")
            }
            var (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
            try Self.requireCanPost(principal, practice: practice)
            // The scheduler completes a booking when its session ends, so a no-show noticed later
            // is still reported: within two weeks, while it is on no invoice.
            let invoiced =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM invoiceLine WHERE bookingId = ?)", arguments: [bookingId]) ?? false
            let reportable =
                booking.status == .confirmed
                || (booking.status == .completed && !invoiced
                    && Day(now).days(until: session.date) >= -LateCancellation.noShowReportableDays)
            guard reportable else {
                throw DomainError.conflict(
                    invoiced
                        ? "The GP has invoiced this session: take it up with them and your support team"
                        : "Only a booking not yet cancelled, and within \(LateCancellation.noShowReportableDays) days of its session, can be reported as not attended"
                )
            }
            guard now >= Self.startInstant(session) else {
                throw DomainError.conflict("The session has not started yet; cancel the booking instead")
            }
            booking.status = .cancelled
            booking.completedAt = nil
            booking.cancelledAt = now
            booking.cancelledById = principal.recordedUserId
            booking.cancelledByRole = "practice"
            booking.cancelReason = "The GP did not attend"
            booking.cancellationNoticeDays = 0
            try booking.update(db)
            session.status = .cancelled
            session.cancelledAt = now
            session.cancelledById = principal.recordedUserId
            session.cancelledByRole = "practice"
            session.cancelReason = "The GP did not attend"
            try session.update(db)
            var warning = LateCancellation(
                id: nil, bookingId: bookingId, side: .gp, kind: .noShow, gpId: booking.gpId, practiceId: practice.id!,
                noticeDays: 0, reason: nil, recordedAt: now)
            try warning.insert(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "booking", entityId: bookingId, action: "no-show")
            let gp = try GP.fetchOne(db, id: booking.gpId)!
            let mail =
                gp.email.map {
                    [
                        MailMessage(
                            to: $0, subject: "Recorded as not attended: \(practice.name), \(session.date.displayText)",
                            text: """
                                \(practice.name) has recorded that you did not attend the session on \(session.date.displayText), \
                                \(session.start)–\(session.end). It stays on your record for \(LateCancellation.keptForMonths) months. \
                                If this is wrong, contact your support team.

                                The session: \(links.url("/sessions/\(session.id!)"))
                                """)
                    ]
                } ?? []
            return Outcome(value: booking, notifications: mail)
        }
    }

    /// Warnings from the last six months: a GP's (for the GP and the support team), a practice's
    /// (for the practice and the support team), or all of an organisation's (the support team).
    public func lateCancellations(gpId: Int64? = nil, practiceId: Int64? = nil, by principal: Principal) async throws
        -> [LateCancellationListing]
    {
        let since = Day.calendar.date(byAdding: .month, value: -LateCancellation.keptForMonths, to: clock.now())!
        return try await read { db in
            if let gpId {
                guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
                try AccessPolicy.require(principal, .viewGP(gpId: gpId, organisationId: gp.organisationId))
            } else if let practiceId {
                guard let practice = try Practice.fetchOne(db, id: practiceId) else {
                    throw DomainError.notFound("No practice has that id")
                }
                try AccessPolicy.require(
                    principal, .viewPractice(practiceId: practiceId, organisationId: practice.organisationId))
            } else {
                throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "Name the GP or the practice"))
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT w.*, g.name AS gpName, p.name AS practiceName, b.date AS bookingDate FROM lateCancellation w
                    JOIN gp g ON g.id = w.gpId JOIN practice p ON p.id = w.practiceId JOIN booking b ON b.id = w.bookingId
                    WHERE w.recordedAt >= ? AND (? IS NULL OR (w.gpId = ? AND w.side = 'gp'))
                      AND (? IS NULL OR (w.practiceId = ? AND w.side = 'practice'))
                    ORDER BY w.recordedAt DESC
                    """,
                arguments: [since, gpId, gpId, practiceId, practiceId])
            return try rows.map {
                LateCancellationListing(
                    warning: try LateCancellation(row: $0), gpName: $0["gpName"], practiceName: $0["practiceName"],
                    date: Day($0["bookingDate"] as String)!)
            }
        }
    }
}
