import Foundation
import GRDB

/// A time of day as minutes after midnight, read and written as `HH:MM`.
public enum ClockTime {
    public static func parse(_ text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440
        else { return nil }
        return hour * 60 + minute
    }

    public static func format(_ minutes: Int) -> String {
        // Lists format thousands of times a page: written out, not through String(format:).
        Day.padded(minutes / 60, 2) + ":" + Day.padded(minutes % 60, 2)
    }
}

/// A session a practice cannot fill, posted to the clearing-house.
public struct ClinicalSession: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case surgery
        case homeVisits = "home-visits"
        case telephoneTriage = "telephone-triage"
        case clinic
        case extendedHours = "extended-hours"
        case outOfHours = "out-of-hours"

        public var title: String {
            switch self {
            case .surgery: "Surgery"
            case .homeVisits: "Home visits"
            case .telephoneTriage: "Telephone triage"
            case .clinic: "Clinic"
            case .extendedHours: "Extended hours"
            case .outOfHours: "Out-of-hours"
            }
        }
    }

    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case open, booked, completed, cancelled, withdrawn
    }

    public enum RateUnit: String, Codable, Sendable, CaseIterable {
        case session, hour
    }

    public var id: Int64?
    public var practiceId: Int64
    public var date: Day
    public var startMinute: Int
    public var endMinute: Int
    public var kind: Kind
    /// Who the session is for: a GP's surgery is never offered to a pharmacist.
    public var profession: GP.Profession = .gp
    public var requiredSkills: [String]
    public var ratePence: Int
    public var rateUnit: RateUnit
    public var notes: String?
    public var status: Status
    public var source: String = "scheme"
    public var seriesId: String?
    public var postedAt: Date
    public var postedById: Int64?
    public var bookedAt: Date?
    public var cancelledAt: Date?
    public var cancelledById: Int64?
    public var cancelledByRole: String?
    public var cancelReason: String?

    public static let databaseTableName = "clinicalSession"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let practiceId = Column(CodingKeys.practiceId)
        public static let date = Column(CodingKeys.date)
        public static let status = Column(CodingKeys.status)
        public static let startMinute = Column(CodingKeys.startMinute)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public var start: String { ClockTime.format(startMinute) }
    public var end: String { ClockTime.format(endMinute) }
    public var hours: Double { Double(endMinute - startMinute) / 60 }

    /// "£380.00 per session (£95.00 per hour)": a practice quotes one, a GP compares by the other.
    /// Arrangements reported afterwards have no rate the scheme knows.
    public var rateText: String {
        guard ratePence > 0 else { return "rate arranged directly" }
        let minutes = endMinute - startMinute
        guard minutes > 0 else { return "\(Money.pounds(ratePence)) per \(rateUnit.rawValue)" }
        switch rateUnit {
        case .session:
            return "\(Money.pounds(ratePence)) per session (\(Money.pounds(ratePence * 60 / minutes)) per hour)"
        case .hour:
            return "\(Money.pounds(ratePence)) per hour (\(Money.pounds(ratePence * minutes / 60)) for the session)"
        }
    }

    /// Whether two time ranges on the same day share any minute.
    public func overlaps(startMinute: Int, endMinute: Int) -> Bool {
        self.startMinute < endMinute && startMinute < self.endMinute
    }
}

/// What a practice manager (or the liaison officer for them) sends to post a session; decoded
/// straight from API bodies.
public struct SessionInput: Sendable, Decodable {
    public var practiceId: Int64?
    public var date: String?
    public var start: String?
    public var end: String?
    public var kind: String?
    /// gp (the default), nurse or pharmacist.
    public var profession: String?
    public var requiredSkills: [String]?
    public var rate: Double?
    public var rateUnit: String?
    public var notes: String?
    /// Post the same session every week for this many weeks (1 = just this one).
    public var repeatWeeks: Int?

    public init() {}
}

/// Filters for session lists.
public struct SessionFilter: Sendable {
    public var status: ClinicalSession.Status?
    public var from: Day?
    public var to: Day?
    public var practiceId: Int64?
    public var locality: String?

    public init(
        status: ClinicalSession.Status? = nil, from: Day? = nil, to: Day? = nil, practiceId: Int64? = nil, locality: String? = nil
    ) {
        self.status = status
        self.from = from
        self.to = to
        self.practiceId = practiceId
        self.locality = locality
    }
}

/// A session with its practice, as lists show it.
public struct SessionListing: Sendable {
    public var session: ClinicalSession
    public var practice: Practice
}

extension AppDatabase {
    /// Posts a session, or a weekly series of them, in one transaction.
    public func postSessions(_ input: SessionInput, by principal: Principal) async throws -> [ClinicalSession] {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            // A practice manager of one practice need not name it.
            let named = input.practiceId ?? (principal.practiceIds.count == 1 ? principal.practiceIds.first : nil)
            guard let practiceId = named, let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.validationFailed(ValidationErrors(field: "practiceId", message: "Choose the practice"))
            }
            try Self.requireCanPost(principal, practice: practice)
            let first = try Self.validatedSession(input, practice: practice, today: today, now: now, db: db)
            let weeks = input.repeatWeeks ?? 1
            guard (1...52).contains(weeks) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "repeatWeeks", message: "Repeat for 1 to 52 weeks"))
            }
            let seriesId = weeks > 1 ? UUID().uuidString.lowercased() : nil
            var posted: [ClinicalSession] = []
            for week in 0..<weeks {
                var session = first
                session.date = first.date.adding(days: 7 * week)
                session.seriesId = seriesId
                session.postedById = principal.isCommandLine ? nil : principal.userId
                try session.insert(db)
                posted.append(session)
                try AuditEvent.record(
                    db, at: now, actor: principal.actor, entity: "session", entityId: session.id, action: "post")
            }
            return posted
        }
    }

    static func requireCanPost(_ principal: Principal, practice: Practice) throws {
        guard
            principal.practiceIds.contains(practice.id!)
                || AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId))
        else { throw DomainError.forbidden("Only the practice's manager or the liaison officer can post or change its sessions") }
    }

    static func validatedSession(_ input: SessionInput, practice: Practice, today: Day, now: Date, db: Database) throws
        -> ClinicalSession
    {
        var errors = ValidationErrors()
        let date = Self.requiredDay(input.date, field: "date", into: &errors)
        if let date, date < today { errors.add("date", "The session cannot be in the past") }
        let start = input.start.flatMap(ClockTime.parse)
        let end = input.end.flatMap(ClockTime.parse)
        if start == nil { errors.add("start", "Enter the start time as HH:MM, like 08:30") }
        if end == nil { errors.add("end", "Enter the end time as HH:MM, like 12:30") }
        if let start, let end, end <= start { errors.add("end", "The end time must be after the start time") }
        let kind = ClinicalSession.Kind.named(input.kind ?? "surgery")
        if kind == nil {
            errors.add("kind", "Choose the kind of session: \(ClinicalSession.Kind.titlesInWords)")
        }
        let profession = GP.Profession.named(input.profession ?? GP.Profession.gp.rawValue)
        if profession == nil { errors.add("profession", "Choose who the session is for: \(GP.Profession.titlesInWords)") }
        let known = try String.fetchAll(
            db, sql: "SELECT code FROM organisationSkill WHERE organisationId = ?", arguments: [practice.organisationId])
        let skills = cleanList(input.requiredSkills ?? [])
        let unknown = skills.filter { !known.contains($0) }
        if !unknown.isEmpty {
            errors.add(
                "requiredSkills",
                "Unknown skills: \(unknown.joined(separator: ", ")). Choose from: \(known.sorted().joined(separator: ", "))")
        }
        let rate = input.rate ?? 0
        if !(rate > 0 && rate < 10_000) { errors.add("rate", "Enter a rate in pounds, more than 0") }
        let unit = ClinicalSession.RateUnit.named(input.rateUnit ?? "session")
        if unit == nil { errors.add("rateUnit", "Choose per session or per hour") }
        let notes = input.notes?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let notes, notes.count > 2000 { errors.add("notes", "Keep the notes under 2,000 characters") }
        try errors.throwIfAny()
        return ClinicalSession(
            id: nil, practiceId: practice.id!, date: date!, startMinute: start!, endMinute: end!, kind: kind!,
            profession: profession!, requiredSkills: skills,
            ratePence: Int((rate * 100).rounded()), rateUnit: unit!, notes: notes?.isEmpty == true ? nil : notes, status: .open,
            postedAt: now)
    }

    static func requiredDay(_ raw: String?, field: String, into errors: inout ValidationErrors) -> Day? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            errors.add(field, "Enter the date as YYYY-MM-DD, like 2026-12-07")
            return nil
        }
        return optionalDay(raw, field: field, into: &errors)
    }

    func session(id: Int64) async throws -> SessionListing? {
        try await read { db in
            guard let session = try ClinicalSession.fetchOne(db, id: id),
                let practice = try Practice.fetchOne(db, id: session.practiceId)
            else { return nil }
            return SessionListing(session: session, practice: practice)
        }
    }

    /// Sessions of the given organisations' practices, soonest first.
    func sessions(organisationIds: [Int64], filter: SessionFilter, page: PageRequest) async throws -> Page<SessionListing> {
        try await read { db in
            var sql = """
                FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
                WHERE p.organisationId IN (SELECT value FROM json_each(?))
                """
            var arguments: StatementArguments = [String(describing: organisationIds)]
            if let status = filter.status {
                sql += " AND s.status = ?"
                arguments += [status.rawValue]
            }
            if let from = filter.from {
                sql += " AND s.date >= ?"
                arguments += [from]
            }
            if let to = filter.to {
                sql += " AND s.date <= ?"
                arguments += [to]
            }
            if let practiceId = filter.practiceId {
                sql += " AND s.practiceId = ?"
                arguments += [practiceId]
            }
            if let locality = filter.locality, !locality.isEmpty {
                sql += " AND p.locality = ?"
                arguments += [locality]
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) " + sql, arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT s.id " + sql + " ORDER BY s.date, s.startMinute, s.id LIMIT ? OFFSET ?",
                arguments: arguments + [page.perPage, page.offset])
            let ids: [Int64] = rows.map { $0[0] }
            let sessions = try ClinicalSession.filter(ids: ids).fetchAll(db)
            let practices = try Practice.filter(ids: Set(sessions.map(\.practiceId))).fetchAll(db)
            let byId = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0) })
            let ordered = ids.compactMap { id in sessions.first { $0.id == id } }
            return Page(
                items: ordered.map { SessionListing(session: $0, practice: byId[$0.practiceId]!) }, total: total, page: page.page,
                perPage: page.perPage)
        }
    }

    /// Withdraws an open session (the practice no longer needs it).
    public func withdrawSession(id: Int64, reason: String?, by principal: Principal) async throws -> ClinicalSession {
        let now = clock.now()
        return try await write { db in
            guard var session = try ClinicalSession.fetchOne(db, id: id),
                let practice = try Practice.fetchOne(db, id: session.practiceId)
            else { throw DomainError.notFound("No session has that id") }
            try Self.requireCanPost(principal, practice: practice)
            guard session.status == .open else {
                throw DomainError.conflict(
                    "Only an open session can be withdrawn; this one is \(session.status.title.lowercased()). Cancel its booking instead."
                )
            }
            session.status = .withdrawn
            session.cancelledAt = now
            session.cancelledById = principal.recordedUserId
            session.cancelledByRole = principal.practiceIds.contains(practice.id!) ? "practice" : "liaison-officer"
            session.cancelReason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
            try session.update(db)
            try db.execute(
                sql: "UPDATE offer SET status = 'withdrawn', decidedAt = ? WHERE sessionId = ? AND status = 'pending'",
                arguments: [now, id])
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "session", entityId: id, action: "withdraw")
            return session
        }
    }
}
