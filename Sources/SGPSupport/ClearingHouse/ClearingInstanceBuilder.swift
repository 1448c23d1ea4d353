import Foundation
import GRDB

/// A week's clearing instance built from the register and the clearing-house, with what a run
/// needs to explain its proposals.
struct ClearingData {
    var instance: ClearingInstance
    var sessions: [Int64: ClinicalSession]
    var practices: [Int64: Practice]
    var context: EligibilityContext
}

extension AppDatabase {
    /// Fairness: each further session a GP is proposed (or already booked) in a week is worth this
    /// many points less, so work spreads instead of going to a few.
    public static let clearingFairnessStep = 3.0

    /// The fairness step as a reason for one proposal: what this session would cost the GP if it
    /// were their last of the week (the solver counts each further one `clearingFairnessStep` less).
    /// Nil when it is the GP's only session that week.
    static func fairnessReason(booked: Int, proposedElsewhere: Int) -> ScoreReason? {
        let others = booked + proposedElsewhere
        guard others > 0 else { return nil }
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        let text: String
        if booked == 0 {
            text = "Also proposed for \(count(proposedElsewhere, "other session")) this week"
        } else if proposedElsewhere == 0 {
            text = "Already booked for \(count(booked, "session")) this week"
        } else {
            text = "Already booked for \(count(booked, "session")) and proposed for \(proposedElsewhere) more this week"
        }
        return ScoreReason(
            text: text + ", so it counts a little less (work is spread)", points: -clearingFairnessStep * Double(others))
    }

    /// The open sessions of these organisations' practices in the week (from today on), the active
    /// GPs of the organisations and their partners, and every pair the clearing-house's rules allow,
    /// scored as the candidate ranking scores them.
    static func clearingData(_ db: Database, organisationIds: [Int64], week: IsoWeek, today: Day) throws -> ClearingData {
        let from = max(week.monday, today)
        let sessions = try ClinicalSession.fetchAll(
            db,
            sql: """
                SELECT s.* FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
                WHERE s.status = 'open' AND s.date BETWEEN ? AND ? AND p.organisationId IN (SELECT value FROM json_each(?))
                ORDER BY s.date, s.startMinute, s.id
                """,
            arguments: [from, week.sunday, String(describing: organisationIds)])
        let practices = try Practice.filter(ids: Set(sessions.map(\.practiceId))).fetchAll(db)
        let practiceById = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0) })
        var gpOrganisations = Set(organisationIds)
        for organisationId in organisationIds {
            gpOrganisations.formUnion(try partnerOrganisationIds(db, of: organisationId))
        }
        let gpIds = try Int64.fetchAll(
            db,
            sql: "SELECT id FROM gp WHERE status = 'active' AND organisationId IN (SELECT value FROM json_each(?)) ORDER BY id",
            arguments: [String(describing: gpOrganisations.sorted())])
        var context = try EligibilityContext.load(db, gpIds: gpIds, sessions: sessions, practices: practices)
        // Near misses name the skills a GP lacks: the practices' organisations' names for them.
        for skill in try Skill.fetchAll(
            db, sql: "SELECT * FROM organisationSkill WHERE organisationId IN (SELECT value FROM json_each(?))",
            arguments: [String(describing: Set(practices.map(\.organisationId)).sorted())])
        where context.skillNames[skill.code] == nil {
            context.skillNames[skill.code] = skill.name
        }
        // GPs by organisation and locality: a session only asks those who work where it is.
        struct Place: Hashable {
            var organisationId: Int64
            var locality: String
        }
        var gpsByPlace: [Place: [Int64]] = [:]
        for gpId in gpIds {
            let gp = context.gps[gpId]!
            for locality in gp.localities {
                gpsByPlace[Place(organisationId: gp.organisationId, locality: locality), default: []].append(gpId)
            }
        }
        var pairs: [ClearingInstance.Pair] = []
        var pairCount: [Int64: Int] = [:]
        for session in sessions {
            let practice = practiceById[session.practiceId]!
            let organisations = [practice.organisationId] + (context.partners[practice.organisationId] ?? []).sorted()
            for organisationId in organisations {
                for gpId in gpsByPlace[Place(organisationId: organisationId, locality: practice.locality)] ?? []
                where context.isEligible(gpId: gpId, session: session, practice: practice) {
                    let score = context.ranking(gpId: gpId, session: session, practice: practice, explain: false).score
                    pairs.append(ClearingInstance.Pair(gpId: gpId, sessionId: session.id!, score: Double(score)))
                    pairCount[gpId, default: 0] += 1
                }
            }
        }
        var gps: [ClearingInstance.GP] = []
        for gpId in gpIds {
            let gp = context.gps[gpId]!
            let booked = (context.bookings[gpId] ?? []).filter { $0.date >= week.monday && $0.date <= week.sunday }
                .sorted { ($0.date, $0.startMinute) < ($1.date, $1.startMinute) }
            // No weekly limit: the GP can take every session they are paired with, overlaps aside.
            let room = gp.maxSessionsPerWeek.map { max(0, $0 - booked.count) } ?? (pairCount[gpId] ?? 0)
            gps.append(
                ClearingInstance.GP(
                    id: gpId, maxSessions: room,
                    booked: booked.map {
                        ClearingInstance.Interval(
                            date: $0.date.description, start: ClockTime.format($0.startMinute),
                            end: ClockTime.format($0.endMinute))
                    },
                    penalties: (0..<room).map { clearingFairnessStep * Double(booked.count + $0) }))
        }
        let instance = ClearingInstance(
            sessions: sessions.map {
                ClearingInstance.Session(id: $0.id!, date: $0.date.description, start: $0.start, end: $0.end)
            }, gps: gps, pairs: pairs)
        return ClearingData(
            instance: instance, sessions: Dictionary(uniqueKeysWithValues: sessions.map { ($0.id!, $0) }),
            practices: practiceById, context: context)
    }

    /// The instance for an organisation's clearing run (`sgpst clearing export`).
    public func clearingInstance(organisationId: Int64, week: IsoWeek, by principal: Principal) async throws -> ClearingInstance {
        guard AccessPolicy.permits(principal, .manageOrganisation(organisationId: organisationId)) else {
            throw DomainError.forbidden("Only the organisation's liaison officer runs its clearing")
        }
        let today = clock.today
        return try await read { db in
            try Self.clearingData(db, organisationIds: [organisationId], week: week, today: today).instance
        }
    }

    /// Every organisation's sessions in one instance (the national benchmark).
    /// Every organisation's clearing instance in one (the benchmark): the operator's only.
    public func nationalClearingInstance(week: IsoWeek, by principal: Principal) async throws -> ClearingInstance {
        try AccessPolicy.require(principal, .administer)
        let today = clock.today
        return try await read { db in
            let organisations = try Int64.fetchAll(db, sql: "SELECT id FROM organisation ORDER BY id")
            return try Self.clearingData(db, organisationIds: organisations, week: week, today: today).instance
        }
    }
}
