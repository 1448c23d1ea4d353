import Foundation
import GRDB

/// One GP weighed for one session: eligible or not (with every reason), and how well they fit.
public struct Candidate: Sendable, Equatable {
    public var gpId: Int64
    public var name: String
    public var eligible: Bool
    public var score: Int
    /// Why the candidate ranks where it does.
    public var reasons: [String]
    /// Why the candidate cannot take the session (empty when eligible).
    public var ineligibleBecause: [String]
}

/// One part of a GP's score for a session, in words ("Worked here 3 times before"), with the points
/// it gave (negative for the fairness step). Pages show the words; the JSON keeps the points too.
public struct ScoreReason: Codable, Sendable, Equatable {
    public var text: String
    /// Nil only for reasons kept from before they carried points.
    public var points: Double?

    public init(text: String, points: Double?) {
        self.text = text
        self.points = points
    }

    private enum CodingKeys: String, CodingKey {
        case text, points
    }

    /// Proposals stored before reasons carried points hold plain strings.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(text: text, points: nil)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            text: try container.decode(String.self, forKey: .text),
            points: try container.decodeIfPresent(Double.self, forKey: .points))
    }
}

/// The clearing-house's rules for who may take a session, each with its own reason.
public enum EligibilityRule: String, Codable, Sendable, CaseIterable {
    /// Another profession's session: never a near miss, nobody can change it.
    case profession
    case sharing, locality, skills, availability, clash
    case weeklyLimit = "weekly-limit"
    case notWanted = "not-wanted"
    case clearance

    /// Whether the GP can lift it themselves, at once: only their availability is theirs to change
    /// (a check takes evidence and verification, the rest is the practice's or the scheme's).
    public var gpCanFix: Bool { self == .availability }
}

/// "a", "a and b", "a, b and c".
private func listInWords(_ items: [String]) -> String {
    guard let last = items.last, items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " and " + last
}

/// One rule that stops a GP taking a session, with its reason as written for the audience.
struct Blocker: Equatable {
    var rule: EligibilityRule
    var text: String
}

/// Clearances already worked out, by GP and day (used within one read, on one thread).
final class ClearanceMemo {
    private struct Key: Hashable {
        var gpId: Int64
        var day: Day
    }
    private var values: [Key: Clearance] = [:]

    func value(_ gpId: Int64, _ day: Day, _ make: () -> Clearance) -> Clearance {
        let key = Key(gpId: gpId, day: day)
        if let known = values[key] { return known }
        let made = make()
        values[key] = made
        return made
    }
}

/// Everything the eligibility rules read for one question, with a memo of the clearances worked out
/// while answering it (so it is made afresh for each read, from facts loaded or kept).
struct EligibilityContext {
    var gps: [Int64: GP]
    var clearance: (Int64, Day) -> Clearance
    var availability: [Int64: Availability]
    var bookings: [Int64: [Booking]]
    var preferences: [Int64: [Int64: PracticePreference.Kind]]
    var completedAtPractice: [Int64: [Int64: Int]]
    var partners: [Int64: Set<Int64>]
    /// Each GP's organisation's day-part times: availability is given against them.
    var dayPartTimes: [Int64: DayPartTimes]
    /// Skill names by code, for reasons that name skills; codes stand in where a caller loads none.
    var skillNames: [String: String] = [:]

    init(_ facts: EligibilityFacts) {
        let gps = facts.gps
        let checkTypes = facts.checkTypes
        let checks = facts.checks
        // A GP's clearance on a day is asked once per session that day: work it out once.
        let memo = ClearanceMemo()
        clearance = { gpId, day in
            memo.value(gpId, day) {
                let gp = gps[gpId]!
                return Clearance.evaluate(
                    gp: gp, requiredTypes: checkTypes[gp.organisationId] ?? [], currentChecks: checks[gpId] ?? [:], on: day)
            }
        }
        self.gps = gps
        availability = facts.availability
        bookings = facts.bookings
        preferences = facts.preferences
        completedAtPractice = facts.completedAtPractice
        partners = facts.partners
        dayPartTimes = facts.dayPartTimes
        skillNames = facts.skillNames
    }

    /// The facts for these GPs and practices, read from SQLite now, with the bookings the
    /// sessions' weeks and months need.
    static func load(_ db: Database, gpIds: [Int64], sessions: [ClinicalSession], practices: [Practice]) throws
        -> EligibilityContext
    {
        let dates = sessions.map(\.date)
        var window: (from: Day, to: Day?)?
        if let first = dates.min(), let last = dates.max() {
            // Wide enough for the ISO week and the calendar month of every session.
            window = (
                OrganisationEligibility.bookingsFrom(today: first),
                Day(year: last.year, month: last.month, day: 1)!.adding(months: 1).adding(days: 7)
            )
        }
        let gpSide = try EligibilityFacts.gpSide(db, gpIds: gpIds, bookings: window)
        let practiceSide = try EligibilityFacts.practiceSide(
            db, practiceIds: practices.compactMap(\.id), organisationIds: Set(practices.map(\.organisationId)))
        return EligibilityContext(EligibilityFacts.combining(gpSide: gpSide, practiceSide: practiceSide))
    }

    /// The clearing-house's rules, each giving its own reason, then the ranking.
    func evaluate(
        gpId: Int64, session: ClinicalSession, practice: Practice, audience: EligibilityAudience = .everything
    ) -> Candidate {
        let gp = gps[gpId]!
        let blocks = blockers(gpId: gpId, session: session, practice: practice, limit: .max, audience: audience)
        let (score, reasons) = ranking(gpId: gpId, session: session, practice: practice, explain: true)
        return Candidate(
            gpId: gpId, name: gp.name, eligible: blocks.isEmpty, score: score, reasons: reasons.map(\.text),
            ineligibleBecause: blocks.map(\.text))
    }

    /// How well the GP fits the session, and with `explain` why, each part in words with its points
    /// (the clearing run scores millions of pairs and writes reasons only for those it proposes).
    /// `forTheGP` leaves the practice's private preference out: a list the GP reads must not be
    /// ordered by what only the practice and the support team may know.
    func ranking(gpId: Int64, session: ClinicalSession, practice: Practice, explain: Bool, forTheGP: Bool = false)
        -> (score: Int, reasons: [ScoreReason])
    {
        let gp = gps[gpId]!
        let isOwn = gp.organisationId == practice.organisationId
        let booked = bookings[gpId] ?? []
        let preference = forTheGP ? nil : preferences[practice.id!]?[gpId]
        var score = 100
        var reasons: [ScoreReason] = []
        func add(_ points: Int, _ text: @autoclosure () -> String) {
            score += points
            if explain { reasons.append(ScoreReason(text: text(), points: Double(points))) }
        }
        if preference == .preferred { add(50, "On the practice's preferred list") }
        if let times = completedAtPractice[practice.id!]?[gpId], times > 0 {
            add(min(30, 10 * times), "Worked here \(times == 1 ? "once" : "\(times) times") before")
        }
        let thisMonth = booked.filter { other -> Bool in
            other.sessionId != session.id && other.date.year == session.date.year && other.date.month == session.date.month
        }.count
        // Fewer sessions this month ranks higher; from five on it adds nothing, so it is no reason.
        let lightMonth = max(0, 20 - 4 * thisMonth)
        if lightMonth > 0 {
            add(
                lightMonth,
                thisMonth == 0
                    ? "No other sessions booked this month"
                    : "Only \(thisMonth) other session\(thisMonth == 1 ? "" : "s") booked this month")
        }
        if isOwn {
            add(5, "From this organisation")
        } else {
            add(0, "From a partner organisation")
        }
        return (score, reasons)
    }

    /// Whether the GP may take the session: the same rules as `evaluate`, stopping at the first that
    /// says no and writing no reasons (the mailshot and the clearing run ask this millions of times).
    func isEligible(gpId: Int64, session: ClinicalSession, practice: Practice) -> Bool {
        blockers(gpId: gpId, session: session, practice: practice, limit: 1, audience: .everything).isEmpty
    }

    /// The one rule that stops the GP taking the session, when exactly one does (a near miss), with
    /// its reason for the audience in the most specific words there are ("Not available on Wednesday
    /// mornings", "Lacks the skill Coil fitting"). Counted with every rule, whatever the audience may read.
    func onlyBlocker(gpId: Int64, session: ClinicalSession, practice: Practice, audience: EligibilityAudience)
        -> Blocker?
    {
        let every = blockers(gpId: gpId, session: session, practice: practice, limit: 2, audience: .everything)
        // Someone of another profession is not nearly right for the session, whatever else holds.
        guard every.count == 1, every[0].rule != .profession,
            let worded = blockers(gpId: gpId, session: session, practice: practice, limit: 1, audience: audience).first
        else { return nil }
        // The specific words name only what the audience may already read (day parts, skills, times).
        guard audience.namesEveryRule || worded.rule == .skills else { return worded }
        let gp = gps[gpId]!
        switch worded.rule {
        case .availability:
            let times = dayPartTimes[gp.organisationId] ?? .defaults
            let missing = times.covering(startMinute: session.startMinute, endMinute: session.endMinute).filter {
                !(availability[gpId]?.isAvailable(on: session.date, $0) ?? false)
            }
            return Blocker(rule: .availability, text: Self.unavailableText(missing, on: session.date, availability[gpId]))
        case .skills:
            let missing = session.requiredSkills.filter { !gp.skills.contains($0) }.map { skillNames[$0] ?? $0 }
            return Blocker(
                rule: .skills,
                text: "Lacks the skill\(missing.count == 1 ? "" : "s") " + listInWords(missing))
        case .clash:
            let times = dayPartTimes[gp.organisationId] ?? .defaults
            guard
                let other = (bookings[gpId] ?? []).first(where: { other in
                    other.sessionId != session.id && other.date == session.date
                        && session.overlaps(startMinute: other.startMinute, endMinute: other.endMinute)
                })
            else { return worded }
            let part = times.covering(startMinute: other.startMinute, endMinute: other.endMinute).first ?? .evening
            return Blocker(
                rule: .clash,
                text: "Already booked that \(part.title.lowercased()), \(ClockTime.format(other.startMinute))–"
                    + ClockTime.format(other.endMinute))
        default:
            return worded
        }
    }

    /// "Not available on Wednesday mornings" when the weekly pattern leaves the parts out; "Not
    /// available on the morning of Wed 16 Dec 2026" when a dated entry (a holiday) does.
    static func unavailableText(_ parts: [DayPart], on date: Day, _ availability: Availability?) -> String {
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        let names = parts.map { $0.title.lowercased() }
        let marked = parts.contains { part in
            availability?.dates.contains { $0.date == date && $0.dayParts.contains(part) && !$0.available } ?? false
        }
        if marked || parts.isEmpty {
            return "Not available on " + (names.isEmpty ? date.displayText : "the \(listInWords(names)) of \(date.displayText)")
        }
        return "Not available on \(weekdays[date.isoWeekday - 1]) " + listInWords(names.map { $0 + "s" })
    }

    /// Every rule that stops the GP taking the session, cheapest first, stopping once `limit` are found.
    /// Each reason is written for its audience: which check failed only for those who may see the
    /// GP's checks, a practice's private preference never for the GP.
    private func blockers(
        gpId: Int64, session: ClinicalSession, practice: Practice, limit: Int, audience: EligibilityAudience
    ) -> [Blocker] {
        let gp = gps[gpId]!
        var blocks: [Blocker] = []
        // Says whether `limit` blockers are found.
        func block(_ rule: EligibilityRule, _ reason: @autoclosure () -> String) -> Bool {
            blocks.append(Blocker(rule: rule, text: reason()))
            return blocks.count >= limit
        }
        // A practice hears only what the register's summary shows, and its own preference.
        let unavailable = "Not available for this session"
        func named(_ rule: EligibilityRule, _ reason: @autoclosure () -> String) -> Bool {
            guard audience.namesEveryRule else {
                if blocks.contains(where: { $0.text == unavailable }) { return blocks.count >= limit }
                return block(rule, unavailable)
            }
            return block(rule, reason())
        }
        // The register summary shows the profession, so every audience may hear this one.
        if gp.profession != session.profession,
            block(.profession, "Not a \(session.profession.inSentence): the session is for \(session.profession.inSentence)s")
        {
            return blocks
        }
        let isOwn = gp.organisationId == practice.organisationId
        if !isOwn && !(partners[practice.organisationId] ?? []).contains(gp.organisationId) {
            if named(.sharing, "Belongs to an organisation without a sharing agreement with this practice's") {
                return blocks
            }
        }
        if !gp.localities.contains(practice.locality) {
            if named(.locality, "Does not work in \(practice.locality)") { return blocks }
        }
        let missing = session.requiredSkills.filter { !gp.skills.contains($0) }
        if !missing.isEmpty,
            block(.skills, "Lacks required skills: \(missing.map { skillNames[$0] ?? $0 }.joined(separator: ", "))")
        {
            return blocks
        }
        let times = dayPartTimes[gp.organisationId] ?? .defaults
        let available =
            availability[gpId]?.covers(
                date: session.date, startMinute: session.startMinute, endMinute: session.endMinute, times: times)
            ?? false
        if !available, named(.availability, "Not available then") { return blocks }
        let booked = bookings[gpId] ?? []
        let clashes = booked.contains { other -> Bool in
            guard other.sessionId != session.id, other.date == session.date else { return false }
            return session.overlaps(startMinute: other.startMinute, endMinute: other.endMinute)
        }
        if clashes, named(.clash, "Already booked at an overlapping time") { return blocks }
        if let cap = gp.maxSessionsPerWeek {
            let week = session.date.adding(days: 1 - session.date.isoWeekday)
            let weekEnd = week.adding(days: 6)
            let thisWeek = booked.filter { other -> Bool in
                other.sessionId != session.id && other.date >= week && other.date <= weekEnd
            }.count
            if thisWeek >= cap, named(.weeklyLimit, "Already at their limit of \(cap) sessions that week") { return blocks }
        }
        // The practice's preference still blocks; only its wording is kept from the GP.
        if preferences[practice.id!]?[gpId] == .notWanted,
            block(.notWanted, audience == .theGP ? "Not open to you" : "On the practice's not-wanted list")
        {
            return blocks
        }
        let notCleared = clearance(gpId, session.date).reasons
        if audience == .everything || audience == .theGP {
            for reason in notCleared where block(.clearance, "Not cleared on \(session.date.shortText): \(reason)") {
                return blocks
            }
        } else if !notCleared.isEmpty, block(.clearance, "Not cleared to work on \(session.date.shortText)") {
            return blocks
        }
        return blocks
    }
}

extension AppDatabase {
    /// The GPs who could take a session, best first; with `includeIneligible`, the others too, each
    /// with the reasons they cannot.
    public func candidates(sessionId: Int64, includeIneligible: Bool, by principal: Principal) async throws -> [Candidate] {
        let today = clock.today
        let now = clock.now()
        let generation = eligibility?.generation
        return try await read { db in
            guard let session = try ClinicalSession.fetchOne(db, id: sessionId),
                let practice = try Practice.fetchOne(db, id: session.practiceId)
            else { throw DomainError.notFound("No session has that id") }
            guard
                principal.practiceIds.contains(practice.id!)
                    || AccessPolicy.permits(principal, .superviseOrganisation(organisationId: practice.organisationId))
            else { throw DomainError.forbidden("Only the practice and its support team see candidates") }
            let context: EligibilityContext
            let gpIds: [Int64]
            if let cache = self.eligibility, let generation, session.date >= today {
                // The kept facts hold every booking a session from today on is weighed against.
                let home = try cache.organisation(practice.organisationId, db, generation: generation, today: today, now: now)
                let merged = try cache.merged(
                    EligibilityCache.Sides(
                        gpSide: [practice.organisationId] + home.partnerIds, practiceSide: [practice.organisationId]),
                    db, generation: generation, today: today, now: now)
                context = EligibilityContext(merged.facts)
                // Nobody who does not work in the practice's locality can take it.
                gpIds = includeIneligible ? merged.activeByName : merged.activeByLocality[practice.locality] ?? []
            } else {
                let organisations = [practice.organisationId] + (try Self.partnerOrganisationIds(db, of: practice.organisationId))
                gpIds = try Int64.fetchAll(
                    db,
                    sql:
                        "SELECT id FROM gp WHERE status = 'active' AND organisationId IN (SELECT value FROM json_each(?)) ORDER BY name, id",
                    arguments: [String(describing: organisations)])
                context = try EligibilityContext.load(db, gpIds: gpIds, sessions: [session], practices: [practice])
            }
            let all = gpIds.map { gpId in
                context.evaluate(
                    gpId: gpId, session: session, practice: practice,
                    audience: EligibilityAudience.of(principal, about: context.gps[gpId]!, at: practice))
            }
            let eligible = all.filter(\.eligible).sorted { ($0.score, $1.name) > ($1.score, $0.name) }
            // Who cannot take it, and why, is the support team's (the page shows it to them); a
            // practice asking gets them with only what the register's summary shows.
            let others = includeIneligible ? all.filter { !$0.eligible } : []
            return eligible + others
        }
    }

    /// The open sessions a GP may take, soonest first (`eligibleFor=me`).
    func eligibleSessions(gpId: Int64, filter: SessionFilter) async throws -> [SessionListing] {
        let today = clock.today
        let now = clock.now()
        let generation = eligibility?.generation
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            // Only sessions where the GP works are weighed (a rule of its own): the soonest 500 of those.
            let localities = Set(gp.localities)
            if let cache = self.eligibility, let generation,
                case let home = try cache.organisation(gp.organisationId, db, generation: generation, today: today, now: now),
                case let organisations = [gp.organisationId] + home.partnerIds,
                case let merged = try cache.merged(
                    EligibilityCache.Sides(gpSide: [gp.organisationId], practiceSide: organisations), db,
                    generation: generation, today: today, now: now),
                // Kept from before a commit this read already sees (or another process's): read afresh.
                merged.facts.gps[gpId] == gp
            {
                var listings: [SessionListing] = []
                for other in organisations {
                    let kept =
                        other == gp.organisationId
                        ? home : try cache.organisation(other, db, generation: generation, today: today, now: now)
                    for locality in localities {
                        listings += (kept.openSessionsByLocality[locality] ?? []).filter { filter.admits($0, from: today) }
                    }
                }
                listings.sort(by: SessionListing.soonerFirst)
                let context = EligibilityContext(merged.facts)
                return listings.prefix(Self.workAvailableLimit).filter {
                    context.isEligible(gpId: gpId, session: $0.session, practice: $0.practice)
                }
            }
            let organisations = [gp.organisationId] + (try Self.partnerOrganisationIds(db, of: gp.organisationId))
            var sql = """
                SELECT s.* FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
                WHERE s.status = 'open' AND s.date >= ? AND p.organisationId IN (SELECT value FROM json_each(?))
                AND p.locality IN (\(databaseQuestionMarks(count: localities.count)))
                """
            var arguments: StatementArguments = [max(today, filter.from ?? today), String(describing: organisations)]
            arguments += StatementArguments(localities.sorted())
            if let to = filter.to {
                sql += " AND s.date <= ?"
                arguments += [to]
            }
            if let locality = filter.locality, !locality.isEmpty {
                sql += " AND p.locality = ?"
                arguments += [locality]
            }
            if let practiceId = filter.practiceId {
                sql += " AND s.practiceId = ?"
                arguments += [practiceId]
            }
            let sessions = try ClinicalSession.fetchAll(
                db, sql: sql + " ORDER BY s.date, s.startMinute, s.id LIMIT \(Self.workAvailableLimit)", arguments: arguments)
            let practices = try Practice.filter(ids: Set(sessions.map(\.practiceId))).fetchAll(db)
            let byId = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0) })
            let context = try EligibilityContext.load(db, gpIds: [gpId], sessions: sessions, practices: practices)
            return sessions.filter { context.isEligible(gpId: gpId, session: $0, practice: byId[$0.practiceId]!) }
                .map { SessionListing(session: $0, practice: byId[$0.practiceId]!) }
        }
    }

    /// Work available weighs the soonest this many open sessions in the GP's localities.
    static let workAvailableLimit = 500
}

extension SessionListing {
    /// By date, then start, then id: the order lists of sessions are read in.
    static func soonerFirst(_ one: SessionListing, _ other: SessionListing) -> Bool {
        (one.session.date, one.session.startMinute, one.session.id!) < (
            other.session.date, other.session.startMinute, other.session.id!
        )
    }
}

extension SessionFilter {
    /// Whether an open session from `today` on passes the filter's dates, locality and practice, as
    /// the SQL of the uncached read asks.
    func admits(_ listing: SessionListing, from today: Day) -> Bool {
        let date = listing.session.date
        if date < max(today, from ?? today) { return false }
        if let to, date > to { return false }
        if let locality, !locality.isEmpty, listing.practice.locality != locality { return false }
        if let practiceId, listing.session.practiceId != practiceId { return false }
        return true
    }
}
