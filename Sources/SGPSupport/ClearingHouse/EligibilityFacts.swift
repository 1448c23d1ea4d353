import Foundation
import GRDB
import Synchronization

/// What the eligibility rules read about some GPs (their side) and some practices (the practices'
/// side), as plain values: loaded from SQLite for one read, or kept per organisation by
/// `EligibilityCache` and merged for the organisations a question spans.
struct EligibilityFacts: Sendable {
    var gps: [Int64: GP] = [:]
    /// Each organisation's check types in order: a GP is cleared by their own organisation's.
    var checkTypes: [Int64: [CheckType]] = [:]
    var checks: [Int64: [String: CredentialCheck]] = [:]
    var availability: [Int64: Availability] = [:]
    /// Confirmed and completed bookings by GP, on and after `bookingsFrom` at least.
    var bookings: [Int64: [Booking]] = [:]
    /// Each GP organisation's day-part times: availability is given against them.
    var dayPartTimes: [Int64: DayPartTimes] = [:]
    /// By practice, then GP.
    var preferences: [Int64: [Int64: PracticePreference.Kind]] = [:]
    var completedAtPractice: [Int64: [Int64: Int]] = [:]
    /// By practice organisation.
    var partners: [Int64: Set<Int64>] = [:]
    /// The practices' organisations' skill names by code.
    var skillNames: [String: String] = [:]

    /// The GP side for some GPs: their entries, checks, availability and the bookings dated in
    /// `window` (none without one; to any date without its end).
    static func gpSide(_ db: Database, gpIds: [Int64], bookings window: (from: Day, to: Day?)?) throws -> EligibilityFacts {
        var facts = EligibilityFacts()
        guard !gpIds.isEmpty else { return facts }
        let list = String(describing: gpIds)
        for gp in try GP.filter(ids: gpIds).fetchAll(db) { facts.gps[gp.id!] = gp }
        for organisationId in Set(facts.gps.values.map(\.organisationId)) {
            facts.checkTypes[organisationId] =
                try CheckType
                .filter(CheckType.Columns.organisationId == organisationId).order(CheckType.Columns.position).fetchAll(db)
            facts.dayPartTimes[organisationId] = try AppDatabase.dayPartTimes(db, organisationId: organisationId)
        }
        facts.checks = try AppDatabase.currentChecks(db, gpIds: gpIds)
        facts.availability = try AppDatabase.availability(db, gpIds: gpIds)
        guard let (from, to) = window else { return facts }
        for booking in try Booking.fetchAll(
            db,
            sql: """
                SELECT * FROM booking WHERE gpId IN (SELECT value FROM json_each(?))
                AND status IN ('confirmed', 'completed') AND date >= ? AND (? IS NULL OR date <= ?)
                """,
            arguments: [list, from, to, to])
        {
            facts.bookings[booking.gpId, default: []].append(booking)
        }
        return facts
    }

    /// The practices' side: each practice's preferences and who completed sessions there, the
    /// partners and skill names of their organisations.
    static func practiceSide(_ db: Database, practiceIds: [Int64], organisationIds: Set<Int64>) throws -> EligibilityFacts {
        var facts = EligibilityFacts()
        // One query each for every practice at once (an organisation's run asks about hundreds).
        let list = String(describing: practiceIds)
        for preference in try PracticePreference.fetchAll(
            db, sql: "SELECT * FROM practicePreference WHERE practiceId IN (SELECT value FROM json_each(?))",
            arguments: [list])
        {
            facts.preferences[preference.practiceId, default: [:]][preference.gpId] = preference.preference
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT s.practiceId, b.gpId, COUNT(*) AS n FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                WHERE s.practiceId IN (SELECT value FROM json_each(?)) AND b.status = 'completed' GROUP BY s.practiceId, b.gpId
                """,
            arguments: [list])
        {
            facts.completedAtPractice[row["practiceId"], default: [:]][row["gpId"]] = row["n"]
        }
        // Reasons name the skills of the sessions' organisations as people know them.
        for organisationId in organisationIds.sorted() {
            facts.partners[organisationId] = Set(try AppDatabase.partnerOrganisationIds(db, of: organisationId))
            for skill in try Skill.filter(Skill.Columns.organisationId == organisationId).fetchAll(db) {
                facts.skillNames[skill.code] = facts.skillNames[skill.code] ?? skill.name
            }
        }
        return facts
    }

    /// One GP side and one practices' side as one set of facts.
    static func combining(gpSide: EligibilityFacts, practiceSide: EligibilityFacts) -> EligibilityFacts {
        var facts = gpSide
        facts.preferences = practiceSide.preferences
        facts.completedAtPractice = practiceSide.completedAtPractice
        facts.partners = practiceSide.partners
        facts.skillNames = practiceSide.skillNames
        return facts
    }

    /// Several organisations' facts as one (organisations never share a GP or a practice).
    static func merging(_ parts: [EligibilityFacts]) -> EligibilityFacts {
        guard var facts = parts.first else { return EligibilityFacts() }
        for part in parts.dropFirst() {
            facts.gps.merge(part.gps) { kept, _ in kept }
            facts.checkTypes.merge(part.checkTypes) { kept, _ in kept }
            facts.checks.merge(part.checks) { kept, _ in kept }
            facts.availability.merge(part.availability) { kept, _ in kept }
            facts.bookings.merge(part.bookings) { kept, _ in kept }
            facts.dayPartTimes.merge(part.dayPartTimes) { kept, _ in kept }
            facts.preferences.merge(part.preferences) { kept, _ in kept }
            facts.completedAtPractice.merge(part.completedAtPractice) { kept, _ in kept }
            facts.partners.merge(part.partners) { kept, _ in kept }
            facts.skillNames.merge(part.skillNames) { kept, _ in kept }
        }
        return facts
    }
}

/// One organisation as the clearing-house's questions read it, kept in memory: its GPs' facts and
/// its practices' facts, and its open sessions from the day it was made.
struct OrganisationEligibility: Sendable {
    var organisationId: Int64
    var gpSide: EligibilityFacts
    var practiceSide: EligibilityFacts
    var partnerIds: [Int64]
    /// Open sessions dated on or after the day it was made, by locality, soonest first.
    var openSessionsByLocality: [String: [SessionListing]]

    /// Bookings are kept from a week before the first of the month: wide enough for the ISO week
    /// and the calendar month of any session from `today` on (the rules count both).
    static func bookingsFrom(today: Day) -> Day {
        Day(year: today.year, month: today.month, day: 1)!.adding(days: -7)
    }

    static func load(_ db: Database, organisationId: Int64, today: Day) throws -> OrganisationEligibility {
        let gpIds = try Int64.fetchAll(
            db, sql: "SELECT id FROM gp WHERE organisationId = ? ORDER BY id", arguments: [organisationId])
        let practices = try Practice.filter(Practice.Columns.organisationId == organisationId).fetchAll(db)
        let practiceById = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0) })
        let sessions = try ClinicalSession.fetchAll(
            db,
            sql: """
                SELECT s.* FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
                WHERE s.status = 'open' AND s.date >= ? AND p.organisationId = ? ORDER BY s.date, s.startMinute, s.id
                """,
            arguments: [today, organisationId])
        let practiceSide = try EligibilityFacts.practiceSide(
            db, practiceIds: practices.map { $0.id! }, organisationIds: [organisationId])
        return OrganisationEligibility(
            organisationId: organisationId,
            gpSide: try EligibilityFacts.gpSide(db, gpIds: gpIds, bookings: (bookingsFrom(today: today), nil)),
            practiceSide: practiceSide, partnerIds: (practiceSide.partners[organisationId] ?? []).sorted(),
            openSessionsByLocality: Dictionary(
                grouping: sessions.map { SessionListing(session: $0, practice: practiceById[$0.practiceId]!) },
                by: \.practice.locality))
    }
}

/// The facts for one question's organisations, merged once and kept: the GPs of `gpSide`
/// weighed for sessions at practices of `practiceSide`.
struct MergedEligibility: Sendable {
    var facts: EligibilityFacts
    /// Active GPs, by name as SQLite orders text.
    var activeByName: [Int64]
    /// The same, by locality they work in.
    var activeByLocality: [String: [Int64]]

    init(_ facts: EligibilityFacts) {
        self.facts = facts
        let active = facts.gps.values.filter { $0.status == .active }.sorted {
            $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
                || ($0.name.utf8.elementsEqual($1.name.utf8) && $0.id! < $1.id!)
        }
        activeByName = active.map { $0.id! }
        var byLocality: [String: [Int64]] = [:]
        for gp in active {
            for locality in Set(gp.localities) { byLocality[locality, default: []].append(gp.id!) }
        }
        activeByLocality = byLocality
    }
}

/// Each organisation's eligibility facts in memory, built once and rebuilt after a committed write
/// to any table they are read from (`EligibilityChangeObserver` counts those), on a new day, and
/// after `lifetime` (so that a write from another process, such as an import at the command line,
/// shows within it).
final class EligibilityCache: Sendable {
    struct Sides: Hashable, Sendable {
        var gpSide: [Int64]
        var practiceSide: [Int64]
    }

    private struct Stamp: Sendable {
        var generation: Int
        var day: Day
        var until: Date

        func holds(generation: Int, day: Day, now: Date) -> Bool {
            self.generation == generation && self.day == day && now < until
        }
    }

    private struct Entries: Sendable {
        var organisations: [Int64: (stamp: Stamp, value: OrganisationEligibility)] = [:]
        var merged: [Sides: (stamp: Stamp, value: MergedEligibility)] = [:]

        /// Entries from before a counted change are never served again: let them go (partners
        /// change, so merged entries' keys do too).
        mutating func forgetOlder(than generation: Int) {
            organisations = organisations.filter { $0.value.stamp.generation >= generation }
            merged = merged.filter { $0.value.stamp.generation >= generation }
        }
    }

    static let lifetime: TimeInterval = 30
    private let changes = Atomic<Int>(0)
    private let entries = Mutex(Entries())

    /// Read before the read transaction that may build an entry begins: an entry is stamped with
    /// the count it was built under, so one built from data older than a commit is never served
    /// after that commit has counted.
    var generation: Int { changes.load(ordering: .acquiring) }

    func noteChange() {
        changes.add(1, ordering: .releasing)
    }

    /// The organisation's facts, built in `db` when none are kept for this generation and day.
    func organisation(_ organisationId: Int64, _ db: Database, generation: Int, today: Day, now: Date) throws
        -> OrganisationEligibility
    {
        try organisationEntry(organisationId, db, generation: generation, today: today, now: now).value
    }

    private func organisationEntry(_ organisationId: Int64, _ db: Database, generation: Int, today: Day, now: Date) throws
        -> (stamp: Stamp, value: OrganisationEligibility)
    {
        if let kept = entries.withLock({ $0.organisations[organisationId] }),
            kept.stamp.holds(generation: generation, day: today, now: now)
        {
            return kept
        }
        let built = try OrganisationEligibility.load(db, organisationId: organisationId, today: today)
        let stamp = Stamp(generation: generation, day: today, until: now.addingTimeInterval(Self.lifetime))
        entries.withLock { entries in
            entries.forgetOlder(than: generation)
            // A slower build from an older count never replaces a newer one.
            if (entries.organisations[organisationId]?.stamp.generation ?? .min) <= generation {
                entries.organisations[organisationId] = (stamp, built)
            }
        }
        return (stamp, built)
    }

    /// The GPs of the `gpSide` organisations with the practices of the `practiceSide` ones; kept no
    /// longer than the organisations' facts it was merged from.
    func merged(_ sides: Sides, _ db: Database, generation: Int, today: Day, now: Date) throws -> MergedEligibility {
        if let kept = entries.withLock({ $0.merged[sides] }), kept.stamp.holds(generation: generation, day: today, now: now) {
            return kept.value
        }
        let gpSide = try sides.gpSide.map { try organisationEntry($0, db, generation: generation, today: today, now: now) }
        let practiceSide = try sides.practiceSide.map {
            try organisationEntry($0, db, generation: generation, today: today, now: now)
        }
        let built = MergedEligibility(
            EligibilityFacts.combining(
                gpSide: EligibilityFacts.merging(gpSide.map(\.value.gpSide)),
                practiceSide: EligibilityFacts.merging(practiceSide.map(\.value.practiceSide))))
        let until = (gpSide + practiceSide).map(\.stamp.until).min() ?? now.addingTimeInterval(Self.lifetime)
        let stamp = Stamp(generation: generation, day: today, until: until)
        entries.withLock { entries in
            entries.forgetOlder(than: generation)
            if (entries.merged[sides]?.stamp.generation ?? .min) <= generation { entries.merged[sides] = (stamp, built) }
        }
        return built
    }
}

/// Counts the committed transactions that changed a table the eligibility facts are read from.
/// It lives on the pool's writer and is called only there, one transaction at a time.
final class EligibilityChangeObserver: TransactionObserver, @unchecked Sendable {
    static let tables: Set<String> = [
        "gp", "credentialCheck", "checkType", "availabilityWeekly", "availabilityDate", "availabilityRange", "booking",
        "practicePreference", "sharingAgreement", "organisationDayPart", "organisationSkill", "practice", "clinicalSession",
        "organisation",
    ]
    private let cache: EligibilityCache
    private var changed = false

    init(cache: EligibilityCache) {
        self.cache = cache
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange() {
        changed = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidChange(with event: DatabaseEvent) {
        changed = true
        stopObservingDatabaseChangesUntilNextTransaction()
    }

    func databaseDidCommit(_ db: Database) {
        if changed { cache.noteChange() }
        changed = false
    }

    func databaseDidRollback(_ db: Database) {
        changed = false
    }
}
