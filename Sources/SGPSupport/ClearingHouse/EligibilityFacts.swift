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
/// to any table they are read from (`EligibilityChangeObserver` counts those) and on a new day;
/// and, for a write from another process (an import at the command line), after `lifetime`: an
/// entry only past its lifetime is still served while one request builds it again.
///
/// One request builds an entry; the others that need the same one wait for it rather than build
/// it too (after a booking, 64 requests would otherwise build the same organisation at once).
/// They wait on GRDB's reader threads, which build nothing else meanwhile, and builds never wait
/// on one another but for the organisations a merged entry is made from.
final class EligibilityCache: @unchecked Sendable {
    struct Sides: Hashable, Sendable {
        var gpSide: [Int64]
        var practiceSide: [Int64]
    }

    private struct Stamp: Sendable {
        var generation: Int
        var day: Day
        var until: Date
    }

    private enum Key: Hashable, Sendable {
        case organisation(Int64)
        case merged(Sides)
    }

    private enum Value: Sendable {
        case organisation(OrganisationEligibility)
        case merged(MergedEligibility)
    }

    private struct Entries {
        var kept: [Key: (stamp: Stamp, value: Value)] = [:]
        var building: Set<Key> = []

        /// Entries from before a counted change are never served again: let them go (partners
        /// change, so merged entries' keys do too).
        mutating func forgetOlder(than generation: Int) {
            kept = kept.filter { $0.value.stamp.generation >= generation }
        }
    }

    static let lifetime: TimeInterval = 30
    private let changes = Atomic<Int>(0)
    /// Guards `entries` (hence `@unchecked Sendable`), and wakes those waiting for a build.
    private let condition = NSCondition()
    private var entries = Entries()

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
        guard case .organisation(let value) = try organisationEntry(organisationId, db, generation, today, now).value
        else { preconditionFailure("an organisation's key holds its facts") }
        return value
    }

    /// The GPs of the `gpSide` organisations with the practices of the `practiceSide` ones; kept no
    /// longer than the organisations' facts it was merged from.
    func merged(_ sides: Sides, _ db: Database, generation: Int, today: Day, now: Date) throws -> MergedEligibility {
        let entry = try entry(.merged(sides), generation: generation, today: today, now: now) {
            var gpSide: [EligibilityFacts] = []
            var practiceSide: [EligibilityFacts] = []
            var until = now.addingTimeInterval(Self.lifetime)
            for (organisations, isGPSide) in [(sides.gpSide, true), (sides.practiceSide, false)] {
                for organisationId in organisations {
                    let part = try self.organisationEntry(organisationId, db, generation, today, now)
                    guard case .organisation(let facts) = part.value else { continue }
                    if isGPSide { gpSide.append(facts.gpSide) } else { practiceSide.append(facts.practiceSide) }
                    until = min(until, part.stamp.until)
                }
            }
            let merged = MergedEligibility(
                EligibilityFacts.combining(
                    gpSide: EligibilityFacts.merging(gpSide), practiceSide: EligibilityFacts.merging(practiceSide)))
            return (.merged(merged), until)
        }
        guard case .merged(let value) = entry.value else { preconditionFailure("merged sides' key holds merged facts") }
        return value
    }

    private func organisationEntry(_ organisationId: Int64, _ db: Database, _ generation: Int, _ today: Day, _ now: Date)
        throws -> (stamp: Stamp, value: Value)
    {
        try entry(.organisation(organisationId), generation: generation, today: today, now: now) {
            (
                .organisation(try OrganisationEligibility.load(db, organisationId: organisationId, today: today)),
                now.addingTimeInterval(Self.lifetime)
            )
        }
    }

    /// The kept entry for this generation and day, or one built now by `build` (or by the request
    /// already building it, waited for).
    private func entry(
        _ key: Key, generation: Int, today: Day, now: Date, build: () throws -> (value: Value, until: Date)
    ) throws -> (stamp: Stamp, value: Value) {
        condition.lock()
        while true {
            // Built under this count or a later one (newer than this read needs, never older).
            if let kept = entries.kept[key], kept.stamp.generation >= generation, kept.stamp.day == today {
                // Current; or only past its lifetime while another request builds it again.
                if now < kept.stamp.until || entries.building.contains(key) {
                    condition.unlock()
                    return kept
                }
                break
            }
            guard entries.building.contains(key) else { break }
            condition.wait()
        }
        entries.building.insert(key)
        condition.unlock()
        defer {
            condition.lock()
            entries.building.remove(key)
            condition.broadcast()
            condition.unlock()
        }
        let (value, until) = try build()
        let stamp = Stamp(generation: generation, day: today, until: until)
        condition.lock()
        entries.forgetOlder(than: generation)
        // A build from an older count never replaces a newer one.
        if (entries.kept[key]?.stamp.generation ?? .min) <= generation { entries.kept[key] = (stamp, value) }
        condition.unlock()
        return (stamp, value)
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
