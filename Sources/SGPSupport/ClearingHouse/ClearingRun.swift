import Foundation
import GRDB

/// A liaison officer's weekly clearing run: the best whole-week proposal of GPs for the
/// organisation's open sessions, adjusted by pinning or removing proposals, then sent as offers.
public struct ClearingRun: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case proposed, sent
    }

    /// Why a session was left without a proposal.
    public struct Unfilled: Codable, Sendable, Equatable {
        public enum Reason: String, Codable, Sendable, CaseIterable {
            case noOneEligible = "no-one-eligible"
            case eligibleAllUsed = "eligible-all-used"
        }

        public var sessionId: Int64
        public var reason: Reason
        public var why: String
        /// The GPs who fail exactly one rule for the session, best first (at most `nearMissLimit`):
        /// where a session nobody can take could still be filled.
        public var nearMisses: [NearMiss]

        private enum CodingKeys: String, CodingKey {
            case sessionId, reason, why, nearMisses
        }
    }

    /// A GP who fails exactly one of the clearing-house's rules for a session, and which, in words
    /// for the run's liaison officer (a partner's GP: "not cleared" without which check).
    public struct NearMiss: Codable, Sendable, Equatable {
        public var gpId: Int64
        public var gpName: String
        public var rule: EligibilityRule
        public var reason: String

        /// Whether the GP can lift the rule themselves (their availability).
        public var gpCanFix: Bool { rule.gpCanFix }
    }

    /// How many near misses a session lists.
    public static let nearMissLimit = 5

    public var id: Int64?
    public var organisationId: Int64
    public var week: String
    public var status: Status
    public var createdAt: Date
    public var createdById: Int64?
    public var solvedAt: Date
    public var sessionCount: Int
    public var filled: Int
    public var objective: Double
    public var optimal: Bool
    public var pins: [ClearingAssignment]
    public var exclusions: [ClearingAssignment]
    public var unfilled: [Unfilled]
    public var sentAt: Date?
    public var sentById: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The run's week (stored as `2026-W51`).
    public var isoWeek: IsoWeek? { IsoWeek(week) }
}

extension ClearingRun.Unfilled {
    /// Runs saved before near misses were worked out have none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sessionId = try container.decode(Int64.self, forKey: .sessionId)
        reason = try container.decode(Reason.self, forKey: .reason)
        why = try container.decode(String.self, forKey: .why)
        nearMisses = try container.decodeIfPresent([ClearingRun.NearMiss].self, forKey: .nearMisses) ?? []
    }
}

/// One proposed GP for one session, with the ranking's reasons.
public struct ClearingProposal: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var runId: Int64
    public var sessionId: Int64
    public var gpId: Int64
    public var score: Double
    /// What the score was made of, in words: the ranking's parts and the fairness step.
    public var reasons: [ScoreReason]
    public var pinned: Bool
    public var offerId: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A run as its page and the API show it.
public struct ClearingRunView: Sendable {
    public struct Proposed: Sendable {
        public var proposal: ClearingProposal
        public var session: ClinicalSession
        public var practice: Practice
        public var gpName: String
    }

    public struct Left: Sendable {
        public var unfilled: ClearingRun.Unfilled
        public var session: ClinicalSession
        public var practice: Practice
        /// The near misses as the person asking may follow them.
        public var nearMisses: [NearMissSeen]
    }

    public struct NearMissSeen: Sendable {
        public var nearMiss: ClearingRun.NearMiss
        /// What the person asking may do with the GP's register entry (`.seeEntry`: open it).
        public var may: Set<GPCapability>
    }

    public var run: ClearingRun
    /// By date, then start time.
    public var proposals: [Proposed]
    public var unfilled: [Left]
    /// The organisation's skill names by code, for the sessions' required skills.
    public var skillNames: [String: String]
}

/// What sending a run's offers did.
public struct ClearingSendReport: Sendable {
    public var offered: Int
    /// Proposals not offered, with why (the session went, or the GP can no longer take it).
    public var skipped: [(sessionId: Int64, reason: String)]
}

extension AppDatabase {
    /// Runs the clearing for an organisation's week and keeps the proposal.
    public func startClearingRun(organisationId: Int64?, week: String?, by principal: Principal) async throws -> ClearingRunView {
        var errors = ValidationErrors()
        if organisationId == nil { errors.add("organisationId", "Choose the organisation") }
        let parsedWeek = week.flatMap(IsoWeek.init)
        if parsedWeek == nil { errors.add("week", "Give the week as YYYY-Www, like 2026-W50") }
        try errors.throwIfAny()
        let now = clock.now()
        let today = clock.today
        guard parsedWeek!.sunday >= today else {
            throw DomainError.validationFailed(ValidationErrors(field: "week", message: "Choose this week or a later one"))
        }
        return try await write { db in
            guard let organisation = try Organisation.fetchOne(db, id: organisationId!) else {
                throw DomainError.notFound("No organisation has that id")
            }
            try Self.requireRunsClearing(principal, organisationId: organisation.id!)
            var run = ClearingRun(
                id: nil, organisationId: organisation.id!, week: parsedWeek!.description, status: .proposed, createdAt: now,
                createdById: principal.isCommandLine ? nil : principal.userId, solvedAt: now, sessionCount: 0, filled: 0,
                objective: 0, optimal: true, pins: [],
                exclusions: [], unfilled: [])
            try run.insert(db)
            try Self.solveClearingRun(db, run: &run, today: today, now: now)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "clearingRun", entityId: run.id, action: "run")
            return try Self.clearingRunView(db, run: run, principal: principal)
        }
    }

    public func clearingRun(id: Int64, by principal: Principal) async throws -> ClearingRunView {
        try await read { db in
            let run = try Self.clearingRunRecord(db, id: id, principal: principal)
            return try Self.clearingRunView(db, run: run, principal: principal)
        }
    }

    /// The organisation's runs, newest first.
    public func clearingRuns(organisationId: Int64, by principal: Principal) async throws -> [ClearingRun] {
        try Self.requireRunsClearing(principal, organisationId: organisationId)
        return try await read { db in
            try ClearingRun.fetchAll(
                db, sql: "SELECT * FROM clearingRun WHERE organisationId = ? ORDER BY createdAt DESC, id DESC LIMIT 50",
                arguments: [organisationId])
        }
    }

    /// Removes a proposal: that GP is not proposed for that session again in this run, and the
    /// rest is solved again around it.
    public func removeClearingProposal(runId: Int64, sessionId: Int64?, by principal: Principal) async throws -> ClearingRunView {
        try await adjustClearingRun(runId: runId, by: principal) { db, run in
            guard let sessionId,
                let proposal = try ClearingProposal.fetchOne(
                    db, sql: "SELECT * FROM clearingProposal WHERE runId = ? AND sessionId = ?", arguments: [run.id, sessionId])
            else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "sessionId", message: "Choose a session this run proposes a GP for"))
            }
            let removed = ClearingAssignment(sessionId: sessionId, gpId: proposal.gpId)
            run.pins.removeAll { $0.sessionId == sessionId }
            if !run.exclusions.contains(removed) { run.exclusions.append(removed) }
        }
    }

    /// Swaps in another GP for a session: that pair is pinned, and the rest is solved again around it.
    public func swapClearingProposal(runId: Int64, sessionId: Int64?, gpId: Int64?, by principal: Principal) async throws
        -> ClearingRunView
    {
        let today = clock.today
        return try await adjustClearingRun(runId: runId, by: principal) { db, run in
            var errors = ValidationErrors()
            if sessionId == nil { errors.add("sessionId", "Choose the session") }
            if gpId == nil { errors.add("gpId", "Choose the GP to propose instead") }
            try errors.throwIfAny()
            let data = try Self.clearingData(db, organisationIds: [run.organisationId], week: IsoWeek(run.week)!, today: today)
            guard let session = data.sessions[sessionId!] else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "sessionId", message: "That session is not open in this run's week"))
            }
            guard data.instance.pairs.contains(where: { $0.sessionId == sessionId && $0.gpId == gpId }) else {
                let practice = data.practices[session.practiceId]!
                let why =
                    data.context.gps[gpId!] == nil
                    ? ["they are not an active GP of this organisation or a partner"]
                    : data.context.evaluate(gpId: gpId!, session: session, practice: practice).ineligibleBecause
                throw DomainError.validationFailed(
                    ValidationErrors(field: "gpId", message: "That GP cannot take this session: " + why.joined(separator: "; ")))
            }
            let pin = ClearingAssignment(sessionId: sessionId!, gpId: gpId!)
            // The newest choice wins: the session's earlier pin, and the GP's pins at overlapping times, go.
            run.pins.removeAll { other in
                guard other.sessionId != sessionId else { return true }
                guard other.gpId == gpId, let pinned = data.sessions[other.sessionId] else { return false }
                return pinned.date == session.date
                    && pinned.overlaps(startMinute: session.startMinute, endMinute: session.endMinute)
            }
            run.exclusions.removeAll { $0 == pin }
            run.pins.append(pin)
        }
    }

    private func adjustClearingRun(
        runId: Int64, by principal: Principal, _ change: @escaping @Sendable (Database, inout ClearingRun) throws -> Void
    ) async throws -> ClearingRunView {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var run = try Self.clearingRunRecord(db, id: runId, principal: principal)
            guard run.status == .proposed else {
                throw DomainError.conflict("This run's offers have been sent; start a new run to propose again")
            }
            try change(db, &run)
            try Self.solveClearingRun(db, run: &run, today: today, now: now)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "clearingRun", entityId: run.id, action: "adjust")
            return try Self.clearingRunView(db, run: run, principal: principal)
        }
    }

    /// Makes an offer for every proposal, through the clearing-house's own offer rules, in one
    /// transaction; nothing is booked until a GP accepts.
    public func sendClearingRun(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<ClearingSendReport> {
        let now = clock.now()
        return try await write { db in
            var run = try Self.clearingRunRecord(db, id: id, principal: principal)
            guard run.status == .proposed else { throw DomainError.conflict("This run's offers have already been sent") }
            var report = ClearingSendReport(offered: 0, skipped: [])
            var mail: [MailMessage] = []
            for var proposal in try ClearingProposal.fetchAll(
                db, sql: "SELECT * FROM clearingProposal WHERE runId = ? ORDER BY id", arguments: [id])
            {
                let (session, practice) = try Self.sessionAndPractice(db, proposal.sessionId)
                guard session.status == .open else {
                    report.skipped.append((proposal.sessionId, "The session is no longer open"))
                    continue
                }
                guard let gp = try GP.fetchOne(db, id: proposal.gpId) else { continue }
                do {
                    let (offer, message) = try Self.makeOffer(
                        db, session: session, practice: practice, gp: gp, by: principal, now: now, links: links)
                    proposal.offerId = offer.id
                    try proposal.update(db)
                    mail += message
                    report.offered += 1
                } catch DomainError.conflict(let reason) {
                    report.skipped.append((proposal.sessionId, reason))
                }
            }
            // Each practice is told which of its sessions were offered, and to whom.
            var offeredByPractice: [Int64: (Practice, [String])] = [:]
            for proposal in try ClearingProposal.fetchAll(
                db, sql: "SELECT * FROM clearingProposal WHERE runId = ? AND offerId IS NOT NULL ORDER BY id", arguments: [id])
            {
                let (session, practice) = try Self.sessionAndPractice(db, proposal.sessionId)
                let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [proposal.gpId]) ?? ""
                let line =
                    "- \(session.date.displayText) \(session.start)–\(session.end), offered to \(name): "
                    + links.url("/sessions/\(session.id!)")
                offeredByPractice[practice.id!, default: (practice, [])].1.append(line)
            }
            for (_, (practice, lines)) in offeredByPractice.sorted(by: { $0.key < $1.key }) {
                mail += try Self.practiceRecipients(db, practice).map {
                    MailMessage(
                        to: $0, subject: "Offers sent for your sessions",
                        text: """
                            The sessional GP support team's weekly clearing run has offered these sessions of \
                            \(practice.name) to GPs. Each offer stands for \(DurationText.words(Self.offerLifetime)); you will \
                            be emailed when a GP accepts.

                            \(lines.joined(separator: "\n"))
                            """)
                }
            }
            run.status = .sent
            run.sentAt = now
            run.sentById = principal.isCommandLine ? nil : principal.userId
            try run.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "clearingRun", entityId: id, action: "send")
            return Outcome(value: report, notifications: mail)
        }
    }

    static func requireRunsClearing(_ principal: Principal, organisationId: Int64) throws {
        guard AccessPolicy.permits(principal, .manageOrganisation(organisationId: organisationId)) else {
            throw DomainError.forbidden("Only the organisation's liaison officer runs its clearing")
        }
    }

    static func clearingRunRecord(_ db: Database, id: Int64, principal: Principal) throws -> ClearingRun {
        guard let run = try ClearingRun.fetchOne(db, id: id) else { throw DomainError.notFound("No clearing run has that id") }
        try requireRunsClearing(principal, organisationId: run.organisationId)
        return run
    }

    /// Solves the run's week again (pins kept while they still hold) and replaces its proposals.
    static func solveClearingRun(_ db: Database, run: inout ClearingRun, today: Day, now: Date) throws {
        let data = try clearingData(db, organisationIds: [run.organisationId], week: IsoWeek(run.week)!, today: today)
        let pairs = Set(data.instance.pairs.map { ClearingAssignment(sessionId: $0.sessionId, gpId: $0.gpId) })
        // A pin whose session was booked meanwhile, or whose GP can no longer take it, lapses.
        run.pins = run.pins.filter { pairs.contains($0) }
        let solution: ClearingSolution
        do {
            solution = try ClearingSolver.solve(data.instance, pinned: run.pins, excluded: Set(run.exclusions))
        } catch DomainError.validationFailed(let errors) {
            throw DomainError.conflict(errors.entries.map(\.message).joined(separator: "; "))
        }
        let scores = Dictionary(
            data.instance.pairs.map { (ClearingAssignment(sessionId: $0.sessionId, gpId: $0.gpId), $0.score) },
            uniquingKeysWith: { first, _ in first })
        try db.execute(sql: "DELETE FROM clearingProposal WHERE runId = ?", arguments: [run.id])
        let week = IsoWeek(run.week)!
        let proposedPerGP = Dictionary(grouping: solution.assignments, by: \.gpId).mapValues(\.count)
        for assignment in solution.assignments {
            let session = data.sessions[assignment.sessionId]!
            let practice = data.practices[session.practiceId]!
            var reasons = data.context.ranking(gpId: assignment.gpId, session: session, practice: practice, explain: true)
                .reasons
            let booked = (data.context.bookings[assignment.gpId] ?? []).filter {
                $0.date >= week.monday && $0.date <= week.sunday
            }
            if let fairness = fairnessReason(
                booked: booked.count, proposedElsewhere: proposedPerGP[assignment.gpId, default: 1] - 1)
            {
                reasons.append(fairness)
            }
            var proposal = ClearingProposal(
                id: nil, runId: run.id!, sessionId: assignment.sessionId, gpId: assignment.gpId, score: scores[assignment]!,
                reasons: reasons, pinned: run.pins.contains(assignment), offerId: nil)
            try proposal.insert(db)
        }
        let filled = Set(solution.assignments.map(\.sessionId))
        let eligible = Dictionary(grouping: data.instance.pairs, by: \.sessionId)
        run.unfilled = data.instance.sessions.filter { !filled.contains($0.id) }.map { listed in
            let session = data.sessions[listed.id]!
            let nearMisses = nearestMisses(session: session, data: data, organisationId: run.organisationId)
            guard let candidates = eligible[listed.id], !candidates.isEmpty else {
                return ClearingRun.Unfilled(
                    sessionId: listed.id, reason: .noOneEligible, why: whyNoOneEligible(session: session, data: data),
                    nearMisses: nearMisses)
            }
            let removed = run.exclusions.filter { $0.sessionId == listed.id }.count
            return ClearingRun.Unfilled(
                sessionId: listed.id, reason: .eligibleAllUsed,
                why: "\(candidates.count) GP\(candidates.count == 1 ? " is" : "s are") eligible, and every one is proposed "
                    + "elsewhere at that time or has reached their weekly limit"
                    + (removed > 0 ? " (\(removed) removed from this session by hand)" : ""),
                nearMisses: nearMisses)
        }
        run.sessionCount = data.instance.sessions.count
        run.filled = solution.filled
        run.objective = solution.objective
        run.optimal = solution.optimal
        run.solvedAt = now
        try run.update(db)
    }

    /// The commonest reason the organisation's GPs cannot take a session nobody can take.
    static func whyNoOneEligible(session: ClinicalSession, data: ClearingData) -> String {
        let practice = data.practices[session.practiceId]!
        var counts: [String: Int] = [:]
        for gpId in data.context.gps.keys {
            if let first = data.context.evaluate(gpId: gpId, session: session, practice: practice).ineligibleBecause.first {
                counts[first, default: 0] += 1
            }
        }
        guard let (reason, count) = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else {
            return "No active GP in the organisation or its partners"
        }
        return "No GP is eligible; the commonest reason: \(reason) (\(count) of \(data.context.gps.count) GPs)"
    }

    /// The GPs of the organisation and its partners who fail exactly one rule for the session, best
    /// first: those who can lift it themselves (their availability), then by the ranking's score,
    /// then by name. The run's own GPs' reasons are the liaison officer's to read in full; a
    /// partner's GP is "not cleared" without which check, as the candidates list says it.
    static func nearestMisses(session: ClinicalSession, data: ClearingData, organisationId: Int64)
        -> [ClearingRun.NearMiss]
    {
        let practice = data.practices[session.practiceId]!
        var found: [(miss: ClearingRun.NearMiss, score: Int)] = []
        for (gpId, gp) in data.context.gps {
            let audience: EligibilityAudience = gp.organisationId == organisationId ? .everything : .withoutCheckDetail
            guard let blocker = data.context.onlyBlocker(gpId: gpId, session: session, practice: practice, audience: audience)
            else { continue }
            let score = data.context.ranking(gpId: gpId, session: session, practice: practice, explain: false).score
            found.append(
                (ClearingRun.NearMiss(gpId: gpId, gpName: gp.name, rule: blocker.rule, reason: blocker.text), score))
        }
        found.sort { first, second in
            if first.miss.gpCanFix != second.miss.gpCanFix { return first.miss.gpCanFix }
            if first.score != second.score { return first.score > second.score }
            return (first.miss.gpName, first.miss.gpId) < (second.miss.gpName, second.miss.gpId)
        }
        return found.prefix(ClearingRun.nearMissLimit).map(\.miss)
    }

    static func clearingRunView(_ db: Database, run: ClearingRun, principal: Principal) throws -> ClearingRunView {
        let proposals = try ClearingProposal.fetchAll(
            db, sql: "SELECT * FROM clearingProposal WHERE runId = ? ORDER BY id", arguments: [run.id])
        let sessionIds = Set(proposals.map(\.sessionId) + run.unfilled.map(\.sessionId))
        let sessions = Dictionary(
            uniqueKeysWithValues: try ClinicalSession.filter(ids: sessionIds).fetchAll(db).map { ($0.id!, $0) })
        let practices = Dictionary(
            uniqueKeysWithValues: try Practice.filter(ids: Set(sessions.values.map(\.practiceId))).fetchAll(db).map {
                ($0.id!, $0)
            })
        let names = Dictionary(
            uniqueKeysWithValues: try GP.filter(ids: Set(proposals.map(\.gpId))).fetchAll(db).map { ($0.id!, $0.name) })
        func order(_ session: ClinicalSession) -> (Day, Int, Int64) { (session.date, session.startMinute, session.id!) }
        let proposed = proposals.compactMap { proposal -> ClearingRunView.Proposed? in
            guard let session = sessions[proposal.sessionId] else { return nil }
            return ClearingRunView.Proposed(
                proposal: proposal, session: session, practice: practices[session.practiceId]!, gpName: names[proposal.gpId] ?? ""
            )
        }.sorted { order($0.session) < order($1.session) }
        // Whether the person asking may open each near miss's register entry, from the entry as it is now.
        let nearMissGPs = Dictionary(
            uniqueKeysWithValues: try GP.filter(ids: Set(run.unfilled.flatMap { $0.nearMisses.map(\.gpId) })).fetchAll(db).map {
                ($0.id!, $0)
            })
        let left = run.unfilled.compactMap { unfilled -> ClearingRunView.Left? in
            guard let session = sessions[unfilled.sessionId] else { return nil }
            return ClearingRunView.Left(
                unfilled: unfilled, session: session, practice: practices[session.practiceId]!,
                nearMisses: unfilled.nearMisses.map { nearMiss in
                    ClearingRunView.NearMissSeen(
                        nearMiss: nearMiss, may: nearMissGPs[nearMiss.gpId].map { capabilities(principal, on: $0) } ?? [])
                })
        }.sorted { order($0.session) < order($1.session) }
        let skillNames = Dictionary(
            try Skill.filter(Skill.Columns.organisationId == run.organisationId).fetchAll(db).map { ($0.code, $0.name) },
            uniquingKeysWith: { first, _ in first })
        return ClearingRunView(run: run, proposals: proposed, unfilled: left, skillNames: skillNames)
    }
}
