import Foundation
import GRDB

/// Secret-address iCalendar feeds of bookings, one per GP and one per practice.
public enum CalendarOwner: Sendable, Equatable {
    case gp(Int64)
    case practice(Int64)

    var kind: String {
        switch self {
        case .gp: "gp"
        case .practice: "practice"
        }
    }

    var id: Int64 {
        switch self {
        case .gp(let id), .practice(let id): id
        }
    }
}

/// A feed's secret address, as far as it can be told: only its digest is stored, like every other
/// secret, so the token itself is known only at the moment it is made.
public enum CalendarFeedAddress: Sendable, Equatable {
    /// Made just now (the first time it was asked for, or a reset): the one time the token is known.
    case new(token: String)
    /// Made before and still working; it cannot be shown again, only replaced by a reset.
    case issuedBefore
}

extension AppDatabase {
    /// The feed's address: made on first request, and made anew with `reset` (the old address then
    /// stops working). A feed made before answers `issuedBefore`: the token is not kept.
    public func calendarAddress(for owner: CalendarOwner, reset: Bool, by principal: Principal) async throws
        -> CalendarFeedAddress
    {
        try await write { db in
            try Self.requireCalendarAccess(db, owner, principal)
            if !reset, try Self.feedExists(db, owner) { return CalendarFeedAddress.issuedBefore }
            let token = SecretToken.generate()
            try db.execute(
                sql: "INSERT OR REPLACE INTO calendarFeed (ownerKind, ownerId, tokenDigest) VALUES (?, ?, ?)",
                arguments: [owner.kind, owner.id, SecretToken.digest(token)])
            return CalendarFeedAddress.new(token: token)
        }
    }

    /// Whether the owner has a feed (the bookings page offers to make one, or a new one).
    /// Whose feed a person's bookings page offers: the GP's own, else the manager's first practice.
    public static func ownCalendar(of principal: Principal) -> CalendarOwner? {
        if let gpId = principal.gpId { return .gp(gpId) }
        return principal.practiceIds.first.map { .practice($0) }
    }

    /// Makes (or, with `reset`, replaces) the feed of the person signed in.
    public func ownCalendarAddress(reset: Bool, by principal: Principal) async throws -> CalendarFeedAddress {
        guard let owner = Self.ownCalendar(of: principal) else {
            throw DomainError.forbidden("Calendar addresses are for GPs and practices")
        }
        return try await calendarAddress(for: owner, reset: reset, by: principal)
    }

    /// Whether the person signed in has a feed; nil when they can have none.
    public func hasOwnCalendarFeed(by principal: Principal) async throws -> Bool? {
        guard let owner = Self.ownCalendar(of: principal) else { return nil }
        return try await hasCalendarFeed(for: owner, by: principal)
    }

    public func hasCalendarFeed(for owner: CalendarOwner, by principal: Principal) async throws -> Bool {
        try await read { db in
            try Self.requireCalendarAccess(db, owner, principal)
            return try Self.feedExists(db, owner)
        }
    }

    private static func feedExists(_ db: Database, _ owner: CalendarOwner) throws -> Bool {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM calendarFeed WHERE ownerKind = ? AND ownerId = ?", arguments: [owner.kind, owner.id])
            == 1
    }

    /// The GP themselves or their liaison officer; for a practice, whoever may post its sessions.
    private static func requireCalendarAccess(_ db: Database, _ owner: CalendarOwner, _ principal: Principal) throws {
        switch owner {
        case .gp(let id):
            guard let gp = try GP.fetchOne(db, id: id) else { throw DomainError.notFound("No GP has that id") }
            guard
                principal.gpId == id || AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId))
            else {
                throw DomainError.forbidden("Only the GP or their liaison officer can see this calendar address")
            }
        case .practice(let id):
            guard let practice = try Practice.fetchOne(db, id: id) else { throw DomainError.notFound("No practice has that id") }
            try Self.requireCanPost(principal, practice: practice)
        }
    }

    /// The iCalendar text of the feed a token opens, or nil for an unknown token.
    public func calendarFeed(token: String) async throws -> String? {
        let now = clock.now()
        return try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT ownerKind, ownerId FROM calendarFeed WHERE tokenDigest = ?",
                    arguments: [SecretToken.digest(token)])
            else { return nil }
            let kind: String = row["ownerKind"]
            let ownerId: Int64 = row["ownerId"]
            let filter = kind == "gp" ? "b.gpId = ?" : "s.practiceId = ?"
            let bookings = try Booking.fetchAll(
                db,
                sql:
                    "SELECT b.* FROM booking b JOIN clinicalSession s ON s.id = b.sessionId WHERE \(filter) ORDER BY b.date, b.startMinute",
                arguments: [ownerId])
            let name =
                kind == "gp"
                ? try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [ownerId]) ?? "GP"
                : try String.fetchOne(db, sql: "SELECT name FROM practice WHERE id = ?", arguments: [ownerId]) ?? "Practice"
            var events: [ICalendar.Event] = []
            for booking in bookings {
                let (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
                let gpName = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [booking.gpId]) ?? ""
                events.append(Self.calendarEvent(booking, session, practice, gpName: gpName, forGP: kind == "gp"))
            }
            return ICalendar.render(name: "\(name): sessional GP bookings", events: events, stamp: now)
        }
    }

    /// A booking as a calendar event: the feed's and the confirmation email's, with one UID.
    static func calendarEvent(
        _ booking: Booking, _ session: ClinicalSession, _ practice: Practice, gpName: String, forGP: Bool
    ) -> ICalendar.Event {
        ICalendar.Event(
            uid: "booking-\(booking.id!)@sgpst", start: Self.instant(session.date, session.startMinute),
            end: Self.instant(session.date, session.endMinute),
            summary: forGP ? "\(session.kind.title) at \(practice.name)" : "\(session.kind.title): \(gpName)",
            location: [practice.name, practice.address, practice.postcode].compactMap { $0 }.joined(separator: ", "),
            description: "Booked through the sessional GP support team. \(session.rateText).",
            cancelled: booking.status == .cancelled)
    }

    static func instant(_ day: Day, _ minute: Int) -> Date {
        Day.calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 0, minute: minute))!
    }
}

/// Just enough RFC 5545 for a read-only feed: UTC times, escaped text (every TEXT value goes through
/// `escape`), folded lines, CRLF.
enum ICalendar {
    struct Event {
        var uid: String
        var start: Date
        var end: Date
        var summary: String
        var location: String
        var description: String
        var cancelled: Bool
    }

    static func render(name: String, events: [Event], stamp: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sgpst//Sessional GP support//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        ]
        lines.append("X-WR-CALNAME:" + escape(name))
        for event in events {
            lines += [
                "BEGIN:VEVENT",
                "UID:\(event.uid)",
                "DTSTAMP:\(utc(stamp))",
                "DTSTART:\(utc(event.start))",
                "DTEND:\(utc(event.end))",
                "SUMMARY:" + escape(event.summary),
                "LOCATION:" + escape(event.location),
                "DESCRIPTION:" + escape(event.description),
                "STATUS:\(event.cancelled ? "CANCELLED" : "CONFIRMED")",
                // A cancellation is a newer version of the same event.
                "SEQUENCE:\(event.cancelled ? 1 : 0)",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!)
    }

    /// Characters a reader may take for the end of a content line: each is written as `\n`.
    static let lineBreaks: Set<Unicode.Scalar> = [
        "\n", "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{85}", "\u{2028}", "\u{2029}",
    ]

    /// A TEXT value (RFC 5545 3.3.11): backslash, `;` and `,` escaped, every line break (CRLF once)
    /// written as `\n`, and the other control characters dropped, so a name never starts a new line.
    static func escape(_ text: String) -> String {
        var result = ""
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n" where afterCR: continue
            case _ where lineBreaks.contains(scalar): result += "\\n"
            case "\t": result += "\t"
            case _ where scalar.properties.generalCategory == .control: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Lines longer than 75 octets continue on the next line after a space, never splitting a character.
    static func fold(_ line: String) -> String {
        var result = ""
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            if octets + size > 75 {
                result += current + "\r\n "
                current = ""
                octets = 1
            }
            current.append(character)
            octets += size
        }
        return result + current
    }
}
