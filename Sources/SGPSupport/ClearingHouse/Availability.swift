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

/// A GP's availability: a weekly pattern, with dated entries that override it, and ranges of days
/// away (holidays) when they are not available at all.
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

    /// Not available on any day from `from` to `to`, both included (a holiday, a course).
    public struct DateRange: Sendable, Equatable, Codable {
        public var id: Int64?
        public var from: Day
        public var to: Day

        public init(id: Int64? = nil, from: Day, to: Day) {
            self.id = id
            self.from = from
            self.to = to
        }

        public func contains(_ day: Day) -> Bool { from <= day && day <= to }
    }

    /// One exception to the weekly pattern, as a person removes it: a day's dated entries, or a range.
    public enum Exception: Sendable, Hashable {
        case day(Day)
        case range(id: Int64)
    }

    public var weekly: [Weekly]
    public var dates: [Dated]
    public var ranges: [DateRange]

    public init(weekly: [Weekly], dates: [Dated], ranges: [DateRange] = []) {
        self.weekly = weekly
        self.dates = dates
        self.ranges = ranges
    }

    /// Whether the GP offers every part of the day a session needs on its date, with the day parts
    /// as the GP's organisation times them.
    public func covers(date: Day, startMinute: Int, endMinute: Int, times: DayPartTimes) -> Bool {
        times.covering(startMinute: startMinute, endMinute: endMinute).allSatisfy { isAvailable(on: date, $0) }
    }

    func isAvailable(on date: Day, _ part: DayPart) -> Bool {
        // A day inside a range away is never available, whatever else says so: the GP is on holiday.
        if ranges.contains(where: { $0.contains(date) }) { return false }
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

    /// A range of days away, `YYYY-MM-DD` to `YYYY-MM-DD`, both included.
    public struct RangeEntry: Sendable {
        public var from: String
        public var to: String

        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public var weekly: [WeeklyEntry]
    public var dates: [DateEntry]
    /// Nil keeps the ranges already saved: a client that does not know about ranges (they came
    /// later) replaces the week and its dates without removing a GP's holidays.
    public var ranges: [RangeEntry]?

    public init(weekly: [WeeklyEntry], dates: [DateEntry], ranges: [RangeEntry]? = nil) {
        self.weekly = weekly
        self.dates = dates
        self.ranges = ranges
    }
}

/// What the availability page sends: the week as ticked, and one day's exception to add, or every
/// exception removed. Field names are the form's.
public struct AvailabilityChange: Sendable {
    /// The day parts ticked for each weekday (a weekday not named has none).
    public var weekly: [Weekday: [String]] = [:]
    public var exceptionDate: String?
    public var exceptionParts: [String]?
    public var exceptionAvailable: Bool = false
    public var clearExceptions: Bool?

    public init() {}
}

/// The longest range away one entry may cover: longer is more likely a typing slip than a holiday.
public let longestRangeAwayDays = 366

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
        var ranges: [Availability.DateRange]?
        if let entries = input.ranges {
            ranges = []
            for (index, entry) in entries.enumerated() {
                let range = Self.validatedRange(
                    from: entry.from, to: entry.to, fields: ("ranges.\(index).from", "ranges.\(index).to"), into: &errors)
                if let range { ranges?.append(range) }
            }
        }
        try errors.throwIfAny()
        let now = clock.now()
        let (weeklyEntries, datedEntries, rangeEntries) = (weekly, dates, ranges)
        return try await write { db in
            try Self.requireMayChangeAvailability(db, gpId: gpId, by: principal)
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
            if let rangeEntries {
                try db.execute(sql: "DELETE FROM availabilityRange WHERE gpId = ?", arguments: [gpId])
                for range in rangeEntries { try Self.insertRange(db, gpId: gpId, range, now: now) }
            }
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "set-availability")
            return try Self.availability(db, gpIds: [gpId])[gpId] ?? Availability(weekly: [], dates: [])
        }
    }

    /// The GP, or their liaison officer (or an administrator), may change a GP's availability.
    static func requireMayChangeAvailability(_ db: Database, gpId: Int64, by principal: Principal) throws {
        guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
        guard principal.gpId == gpId || AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId))
        else {
            throw DomainError.forbidden("Only the GP or their liaison officer can change this availability")
        }
    }

    /// A range away from two typed dates, or nil with each problem beside its field.
    static func validatedRange(
        from: String?, to: String?, fields: (from: String, to: String), into errors: inout ValidationErrors
    ) -> Availability.DateRange? {
        let first = Self.requiredDay(from, field: fields.from, into: &errors)
        let last = Self.requiredDay(to, field: fields.to, into: &errors)
        guard let first, let last else { return nil }
        guard first <= last else {
            errors.add(fields.to, "The last day away must be the same as or after the first")
            return nil
        }
        guard first.days(until: last) < longestRangeAwayDays else {
            errors.add(fields.to, "A time away can be at most a year; add another for longer")
            return nil
        }
        return Availability.DateRange(from: first, to: last)
    }

    static func insertRange(_ db: Database, gpId: Int64, _ range: Availability.DateRange, now: Date) throws {
        try db.execute(
            sql: "INSERT INTO availabilityRange (gpId, fromDay, toDay, createdAt) VALUES (?, ?, ?, ?)",
            arguments: [gpId, range.from, range.to, now])
    }

    /// The GP whose availability a page changes: the one named, or the GP signed in.
    private static func availabilityOwner(_ gpId: Int64?, _ principal: Principal) throws -> Int64 {
        guard let gpId = gpId ?? principal.gpId else { throw DomainError.forbidden("Availability is for GPs") }
        return gpId
    }

    /// The change the availability page sends: the week replaced, one day's exception added, or
    /// every exception (dates and ranges) removed. Who asks is settled before what they sent is read.
    public func changeAvailability(gpId: Int64? = nil, _ change: AvailabilityChange, by principal: Principal) async throws
        -> Availability
    {
        let gpId = try Self.availabilityOwner(gpId, principal)
        try await read { db in try Self.requireMayChangeAvailability(db, gpId: gpId, by: principal) }
        var errors = ValidationErrors()
        let current = try await availability(gpId: gpId)
        let clear = change.clearExceptions == true
        var dates: [AvailabilityInput.DateEntry] = []
        if !clear {
            dates = current.dates.map {
                AvailabilityInput.DateEntry(
                    date: $0.date.description, dayParts: $0.dayParts.map(\.rawValue), available: $0.available)
            }
        }
        let typed = change.exceptionDate?.trimmingCharacters(in: .whitespaces) ?? ""
        if !typed.isEmpty {
            let parts = change.exceptionParts ?? []
            if Day(typed) == nil { errors.add("exceptionDate", "Enter a real date as YYYY-MM-DD") }
            if parts.isEmpty || parts.contains(where: { DayPart(rawValue: $0) == nil }) {
                errors.add("exceptionParts", "Choose the parts of that day")
            }
            dates.append(AvailabilityInput.DateEntry(date: typed, dayParts: parts, available: change.exceptionAvailable))
        }
        for (weekday, parts) in change.weekly where parts.contains(where: { DayPart(rawValue: $0) == nil }) {
            errors.add("weekly-\(weekday.rawValue)", "Day parts are morning, afternoon or evening")
        }
        try errors.throwIfAny()
        let weekly = Weekday.allCases.map {
            AvailabilityInput.WeeklyEntry(weekday: $0.rawValue, dayParts: change.weekly[$0] ?? [])
        }
        return try await setAvailability(
            gpId: gpId, AvailabilityInput(weekly: weekly, dates: dates, ranges: clear ? [] : nil), by: principal)
    }

    /// Adds a range of days away (`from` and `to` as typed, errors beside those fields). Adding the
    /// same range again changes nothing, so a form sent twice leaves one.
    public func addRangeAway(gpId: Int64? = nil, from: String?, to: String?, by principal: Principal) async throws
        -> Availability
    {
        let gpId = try Self.availabilityOwner(gpId, principal)
        try await read { db in try Self.requireMayChangeAvailability(db, gpId: gpId, by: principal) }
        var errors = ValidationErrors()
        let range = Self.validatedRange(from: from, to: to, fields: ("from", "to"), into: &errors)
        try errors.throwIfAny()
        let now = clock.now()
        return try await write { db in
            try Self.requireMayChangeAvailability(db, gpId: gpId, by: principal)
            let current = try Self.availability(db, gpIds: [gpId])[gpId]
            if let range, current?.ranges.contains(where: { $0.from == range.from && $0.to == range.to }) != true {
                try Self.insertRange(db, gpId: gpId, range, now: now)
                try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "add-range-away")
            }
            return try Self.availability(db, gpIds: [gpId])[gpId] ?? Availability(weekly: [], dates: [])
        }
    }

    /// Removes one exception; one already gone (a form sent twice) is not an error. Answers whether
    /// anything was removed.
    @discardableResult
    public func removeAvailabilityException(gpId: Int64? = nil, _ exception: Availability.Exception, by principal: Principal)
        async throws -> Bool
    {
        let gpId = try Self.availabilityOwner(gpId, principal)
        let now = clock.now()
        return try await write { db in
            try Self.requireMayChangeAvailability(db, gpId: gpId, by: principal)
            switch exception {
            case .day(let day):
                try db.execute(sql: "DELETE FROM availabilityDate WHERE gpId = ? AND date = ?", arguments: [gpId, day])
            case .range(let id):
                try db.execute(sql: "DELETE FROM availabilityRange WHERE gpId = ? AND id = ?", arguments: [gpId, id])
            }
            let removed = db.changesCount > 0
            if removed {
                try AuditEvent.record(
                    db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "remove-availability-exception")
            }
            return removed
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
        var ranges: [Int64: [Availability.DateRange]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT id, gpId, fromDay, toDay FROM availabilityRange WHERE gpId IN (SELECT value FROM json_each(?))
                ORDER BY fromDay, toDay, id
                """,
            arguments: [list])
        {
            if let from = Day.fromDatabaseValue(row["fromDay"]), let to = Day.fromDatabaseValue(row["toDay"]) {
                ranges[row["gpId"], default: []].append(Availability.DateRange(id: row["id"], from: from, to: to))
            }
        }
        var result: [Int64: Availability] = [:]
        for gpId in gpIds {
            let pattern = (weekly[gpId] ?? [:]).sorted { $0.key < $1.key }.map {
                Availability.Weekly(weekday: $0.key, dayParts: DayPart.allCases.filter($0.value.contains))
            }
            result[gpId] = Availability(weekly: pattern, dates: dated[gpId] ?? [], ranges: ranges[gpId] ?? [])
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
