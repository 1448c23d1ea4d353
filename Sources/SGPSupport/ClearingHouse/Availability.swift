import Foundation
import GRDB

/// Parts of a working day; a session is covered by a GP's availability when every day part it
/// overlaps is available.
public enum DayPart: String, Codable, Sendable, CaseIterable {
    case morning, afternoon, evening
}

/// When each day part runs in an organisation, in minutes after midnight.
public struct DayPartTimes: Sendable, Equatable {
    public struct Span: Sendable, Equatable {
        public var startMinute: Int
        public var endMinute: Int

        public init(startMinute: Int, endMinute: Int) {
            self.startMinute = startMinute
            self.endMinute = endMinute
        }
    }

    public var spans: [DayPart: Span]

    /// Morning 08:00–13:00, afternoon 13:00–18:30, evening 18:30–22:00.
    public static let defaults = DayPartTimes(spans: [
        .morning: Span(startMinute: 8 * 60, endMinute: 13 * 60),
        .afternoon: Span(startMinute: 13 * 60, endMinute: 18 * 60 + 30),
        .evening: Span(startMinute: 18 * 60 + 30, endMinute: 22 * 60),
    ])

    public func span(_ part: DayPart) -> Span { spans[part] ?? Self.defaults.spans[part]! }

    /// The day parts a time range touches. A session from 12:00 to 14:00 straddles morning and
    /// afternoon and needs both; a session outside every part (a night shift) touches none and
    /// then needs the evening, the latest part a GP can offer.
    public func covering(startMinute: Int, endMinute: Int) -> [DayPart] {
        let touched = DayPart.allCases.filter { span($0).startMinute < endMinute && startMinute < span($0).endMinute }
        return touched.isEmpty ? [.evening] : touched
    }
}

/// A GP's availability: a weekly pattern, with dated entries that override it.
public struct Availability: Sendable, Equatable {
    public struct Weekly: Sendable, Equatable, Codable {
        public var weekday: Int
        public var dayParts: [DayPart]
    }

    public struct Dated: Sendable, Equatable, Codable {
        public var date: Day
        public var dayParts: [DayPart]
        public var available: Bool
    }

    public var weekly: [Weekly]
    public var dates: [Dated]

    public init(weekly: [Weekly], dates: [Dated]) {
        self.weekly = weekly
        self.dates = dates
    }

    /// Whether the GP offers every part of the day a session needs on its date, with the day parts
    /// as the GP's organisation times them.
    public func covers(date: Day, startMinute: Int, endMinute: Int, times: DayPartTimes) -> Bool {
        times.covering(startMinute: startMinute, endMinute: endMinute).allSatisfy { isAvailable(on: date, $0) }
    }

    func isAvailable(on date: Day, _ part: DayPart) -> Bool {
        // A dated entry for that day and part wins over the weekly pattern.
        if let dated = dates.last(where: { $0.date == date && $0.dayParts.contains(part) }) { return dated.available }
        return weekly.contains { $0.weekday == date.isoWeekday && $0.dayParts.contains(part) }
    }
}

public enum Weekday: String, CaseIterable, Sendable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    public var number: Int { Weekday.allCases.firstIndex(of: self)! + 1 }

    public init?(number: Int) {
        guard (1...7).contains(number) else { return nil }
        self = Weekday.allCases[number - 1]
    }
}

/// What a GP sends to set their availability (`PUT /api/v1/gps/{id}/availability`).
public struct AvailabilityInput: Sendable {
    public struct WeeklyEntry: Sendable {
        public var weekday: String
        public var dayParts: [String]

        public init(weekday: String, dayParts: [String]) {
            self.weekday = weekday
            self.dayParts = dayParts
        }
    }

    public struct DateEntry: Sendable {
        public var date: String
        public var dayParts: [String]
        public var available: Bool

        public init(date: String, dayParts: [String], available: Bool) {
            self.date = date
            self.dayParts = dayParts
            self.available = available
        }
    }

    public var weekly: [WeeklyEntry]
    public var dates: [DateEntry]

    public init(weekly: [WeeklyEntry], dates: [DateEntry]) {
        self.weekly = weekly
        self.dates = dates
    }
}

extension AppDatabase {
    /// Replaces a GP's availability (the GP, or the liaison officer for them).
    public func setAvailability(gpId: Int64, _ input: AvailabilityInput, by principal: Principal) async throws -> Availability {
        var errors = ValidationErrors()
        var weekly: [Availability.Weekly] = []
        for (index, entry) in input.weekly.enumerated() {
            guard let weekday = Weekday(rawValue: entry.weekday.lowercased()) else {
                errors.add("weekly.\(index).weekday", "Use a weekday name: monday … sunday")
                continue
            }
            let parts = entry.dayParts.compactMap(DayPart.init(rawValue:))
            if parts.count != entry.dayParts.count {
                errors.add("weekly.\(index).dayParts", "Day parts are morning, afternoon or evening")
            }
            weekly.append(Availability.Weekly(weekday: weekday.number, dayParts: parts))
        }
        var dates: [Availability.Dated] = []
        for (index, entry) in input.dates.enumerated() {
            guard let day = Day(entry.date) else {
                errors.add("dates.\(index).date", "Enter the date as YYYY-MM-DD")
                continue
            }
            let parts = entry.dayParts.compactMap(DayPart.init(rawValue:))
            if parts.count != entry.dayParts.count || parts.isEmpty {
                errors.add("dates.\(index).dayParts", "Day parts are morning, afternoon or evening")
            }
            dates.append(Availability.Dated(date: day, dayParts: parts, available: entry.available))
        }
        try errors.throwIfAny()
        let now = clock.now()
        let (weeklyEntries, datedEntries) = (weekly, dates)
        return try await write { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            guard
                principal.gpId == gpId || AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId))
            else {
                throw DomainError.forbidden("Only the GP or their liaison officer can change this availability")
            }
            try db.execute(sql: "DELETE FROM availabilityWeekly WHERE gpId = ?", arguments: [gpId])
            try db.execute(sql: "DELETE FROM availabilityDate WHERE gpId = ?", arguments: [gpId])
            for entry in weeklyEntries {
                for part in Set(entry.dayParts) {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO availabilityWeekly (gpId, weekday, dayPart) VALUES (?, ?, ?)",
                        arguments: [gpId, entry.weekday, part.rawValue])
                }
            }
            for entry in datedEntries {
                for part in Set(entry.dayParts) {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO availabilityDate (gpId, date, dayPart, available) VALUES (?, ?, ?, ?)",
                        arguments: [gpId, entry.date, part.rawValue, entry.available])
                }
            }
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "set-availability")
            return try Self.availability(db, gpIds: [gpId])[gpId] ?? Availability(weekly: [], dates: [])
        }
    }

    func availability(gpId: Int64) async throws -> Availability {
        try await read { db in try Self.availability(db, gpIds: [gpId])[gpId] ?? Availability(weekly: [], dates: []) }
    }

    /// A GP's availability with the day-part times it is given against: for the GP and their
    /// organisation's support team (`gpId` nil: the GP signed in).
    public func availability(gpId: Int64?, by principal: Principal) async throws -> AvailabilityView {
        guard let gpId = gpId ?? principal.gpId else { throw DomainError.forbidden("Availability is for GPs") }
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try AccessPolicy.require(principal, .viewGP(gpId: gpId, organisationId: gp.organisationId))
            return AvailabilityView(
                gpId: gpId, availability: try Self.availability(db, gpIds: [gpId])[gpId] ?? Availability(weekly: [], dates: []),
                times: try Self.dayPartTimes(db, organisationId: gp.organisationId))
        }
    }

    /// Saves the availability of the GP signed in.
    public func setOwnAvailability(_ input: AvailabilityInput, by principal: Principal) async throws -> Availability {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("Availability is for GPs") }
        return try await setAvailability(gpId: gpId, input, by: principal)
    }

    static func availability(_ db: Database, gpIds: [Int64]) throws -> [Int64: Availability] {
        let list = String(describing: gpIds)
        var weekly: [Int64: [Int: [DayPart]]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT gpId, weekday, dayPart FROM availabilityWeekly WHERE gpId IN (SELECT value FROM json_each(?))",
            arguments: [list])
        {
            if let part = DayPart(rawValue: row["dayPart"]) {
                weekly[row["gpId"], default: [:]][row["weekday"], default: []].append(part)
            }
        }
        var dated: [Int64: [Availability.Dated]] = [:]
        for row in try Row.fetchAll(
            db,
            sql:
                "SELECT gpId, date, dayPart, available FROM availabilityDate WHERE gpId IN (SELECT value FROM json_each(?)) ORDER BY date",
            arguments: [list])
        {
            if let part = DayPart(rawValue: row["dayPart"]), let day = Day.fromDatabaseValue(row["date"]) {
                dated[row["gpId"], default: []].append(
                    Availability.Dated(date: day, dayParts: [part], available: row["available"]))
            }
        }
        var result: [Int64: Availability] = [:]
        for gpId in gpIds {
            let pattern = (weekly[gpId] ?? [:]).sorted { $0.key < $1.key }.map {
                Availability.Weekly(weekday: $0.key, dayParts: DayPart.allCases.filter($0.value.contains))
            }
            result[gpId] = Availability(weekly: pattern, dates: dated[gpId] ?? [])
        }
        return result
    }
}

/// A GP's availability, and the times of day its parts stand for in their organisation.
public struct AvailabilityView: Sendable {
    public var gpId: Int64
    public var availability: Availability
    public var times: DayPartTimes
}

extension AppDatabase {
    public func dayPartTimes(organisationId: Int64) async throws -> DayPartTimes {
        try await read { db in try Self.dayPartTimes(db, organisationId: organisationId) }
    }

    static func dayPartTimes(_ db: Database, organisationId: Int64) throws -> DayPartTimes {
        var times = DayPartTimes.defaults
        for row in try Row.fetchAll(
            db, sql: "SELECT dayPart, startMinute, endMinute FROM organisationDayPart WHERE organisationId = ?",
            arguments: [organisationId])
        {
            if let part = DayPart(rawValue: row["dayPart"]) {
                times.spans[part] = DayPartTimes.Span(startMinute: row["startMinute"], endMinute: row["endMinute"])
            }
        }
        return times
    }

    /// The liaison officer sets the organisation's day-part times (`HH:MM`); parts must run in order
    /// without overlapping.
    public func setDayPartTimes(organisationId: Int64, _ input: [String: (start: String, end: String)], by principal: Principal)
        async throws -> DayPartTimes
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        var errors = ValidationErrors()
        var times = try await dayPartTimes(organisationId: organisationId)
        for part in DayPart.allCases {
            guard let entry = input[part.rawValue] else { continue }
            guard let start = ClockTime.parse(entry.start), let end = ClockTime.parse(entry.end), end > start else {
                errors.add(part.rawValue, "Give the \(part.rawValue)'s start and end as HH:MM, the end after the start")
                continue
            }
            times.spans[part] = DayPartTimes.Span(startMinute: start, endMinute: end)
        }
        let ordered = DayPart.allCases.map(times.span)
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where later.startMinute < earlier.endMinute {
            errors.add("dayParts", "Day parts must not overlap: each must start when or after the one before ends")
        }
        try errors.throwIfAny()
        let now = clock.now()
        let saved = times
        try await write { db in
            for part in DayPart.allCases {
                let span = saved.span(part)
                try db.execute(
                    sql:
                        "INSERT OR REPLACE INTO organisationDayPart (organisationId, dayPart, startMinute, endMinute) VALUES (?, ?, ?, ?)",
                    arguments: [organisationId, part.rawValue, span.startMinute, span.endMinute])
            }
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId, action: "set-day-parts")
        }
        return saved
    }
}
