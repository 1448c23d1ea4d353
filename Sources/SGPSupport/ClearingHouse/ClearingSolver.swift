import Dispatch
import Foundation
import Synchronization

/// A week's clearing problem in the file format any solver can read (`sgpst clearing export`): the
/// open sessions, the GPs with their weekly room and bookings, and the pairs a GP may take with
/// the candidate ranking's score.
public struct ClearingInstance: Codable, Sendable, Equatable {
    public struct Session: Codable, Sendable, Equatable {
        public var id: Int64
        public var date: String
        public var start: String
        public var end: String

        public init(id: Int64, date: String, start: String, end: String) {
            self.id = id
            self.date = date
            self.start = start
            self.end = end
        }
    }

    public struct Interval: Codable, Sendable, Equatable {
        public var date: String
        public var start: String
        public var end: String

        public init(date: String, start: String, end: String) {
            self.date = date
            self.start = start
            self.end = end
        }
    }

    public struct GP: Codable, Sendable, Equatable {
        public var id: Int64
        /// How many more sessions the GP may take this week.
        public var maxSessions: Int
        public var booked: [Interval]
        /// Subtracted for the GP's first, second, ... proposed session (non-decreasing); a list
        /// shorter than `maxSessions` repeats its last value.
        public var penalties: [Double]

        public init(id: Int64, maxSessions: Int, booked: [Interval], penalties: [Double]) {
            self.id = id
            self.maxSessions = maxSessions
            self.booked = booked
            self.penalties = penalties
        }
    }

    public struct Pair: Codable, Sendable, Equatable {
        public var gpId: Int64
        public var sessionId: Int64
        public var score: Double

        public init(gpId: Int64, sessionId: Int64, score: Double) {
            self.gpId = gpId
            self.sessionId = sessionId
            self.score = score
        }
    }

    public var sessions: [Session]
    public var gps: [GP]
    public var pairs: [Pair]

    public init(sessions: [Session], gps: [GP], pairs: [Pair]) {
        self.sessions = sessions
        self.gps = gps
        self.pairs = pairs
    }
}

public struct ClearingAssignment: Codable, Sendable, Hashable {
    public var sessionId: Int64
    public var gpId: Int64

    public init(sessionId: Int64, gpId: Int64) {
        self.sessionId = sessionId
        self.gpId = gpId
    }
}

/// The best proposal: as many sessions filled as possible, then the highest score less penalties.
public struct ClearingSolution: Codable, Sendable, Equatable {
    public var filled: Int
    public var objective: Double
    public var assignments: [ClearingAssignment]
    /// False only when the search stopped at its node limit before proving the proposal best.
    public var optimal: Bool
    /// Independent parts solved (in parallel) and branch-and-bound nodes visited over all of them.
    public var parts: Int
    public var searchNodes: Int
}

/// Solves a clearing instance exactly.
///
/// Each independent part (GPs and sessions linked by pairs) is a min-cost circulation: source →
/// GP (one arc per proposed session, costing that session's penalty) → GP-date-group → session
/// (costing minus the score) → sink → source (costing −M, so filling comes first). A group holds
/// sessions of one GP's date whose times all overlap one another, so "one session per group" never
/// forbids anything allowed. Sessions that straddle groups (12:00–14:00 against a morning and an
/// afternoon) are where the relaxation can still give a GP two clashing sessions; branch and bound
/// settles each such clash exactly: either the GP does not take the straddling session, or takes it
/// and none of the sessions it overlaps. The relaxation bounds every branch, so the first clash-free
/// proposal that reaches the root's bound ends the search.
public enum ClearingSolver {
    /// Scores and penalties are compared in thousandths, exactly.
    static let scale = 1000.0
    static let nodeLimit = 200_000

    public static func solve(
        _ instance: ClearingInstance, pinned: [ClearingAssignment] = [], excluded: Set<ClearingAssignment> = []
    ) throws -> ClearingSolution {
        let problem = try Problem(instance, pinned: pinned, excluded: excluded)
        let parts = problem.parts()
        let results = Mutex([PartResult?](repeating: nil, count: parts.count))
        // Largest first, so the two cores finish together.
        let order = parts.indices.sorted { parts[$0].pairs.count > parts[$1].pairs.count }
        DispatchQueue.concurrentPerform(iterations: order.count) { index in
            let part = parts[order[index]]
            var search = PartSearch(problem: problem, part: part)
            let result = search.run()
            results.withLock { $0[order[index]] = result }
        }
        var chosen = problem.pinnedPairs
        var optimal = true
        var nodes = 0
        for result in results.withLock({ $0 }) {
            guard let result else { continue }
            chosen += result.pairs
            optimal = optimal && result.optimal
            nodes += result.nodes
        }
        return problem.solution(pairs: chosen, optimal: optimal, parts: parts.count, nodes: nodes)
    }
}

/// The instance checked and indexed: sessions, GPs and pairs by position.
struct Problem: Sendable {
    var sessionIds: [Int64]
    var sessionDate: [Int]
    var sessionStart: [Int]
    var sessionEnd: [Int]
    var gpIds: [Int64]
    var gpCapacity: [Int]
    /// Each GP's penalties for its 1st, 2nd, ... session in this solve (after any pinned ones).
    var gpPenalties: [[Double]]
    var pairGP: [Int]
    var pairSession: [Int]
    var pairScore: [Double]
    /// Pinned pairs (kept whatever the search finds), by index into the original pair list.
    var pinnedPairs: [Int] = []
    /// Pairs the search may use.
    var openPairs: [Int] = []
    var originalPenalties: [[Double]]

    init(_ instance: ClearingInstance, pinned: [ClearingAssignment], excluded: Set<ClearingAssignment>) throws {
        var errors = ValidationErrors()
        var dates: [String: Int] = [:]
        func interval(_ date: String, _ start: String, _ end: String, _ what: String) -> (Int, Int, Int)? {
            guard Day(date) != nil else {
                errors.add(what, "\(what): the date \"\(date)\" must look like 2026-12-07")
                return nil
            }
            guard let from = ClockTime.parse(start), let to = ClockTime.parse(end), from < to else {
                errors.add(what, "\(what): start and end must be HH:MM with the end after the start, not \(start)–\(end)")
                return nil
            }
            let day = dates[date] ?? dates.count
            dates[date] = day
            return (day, from, to)
        }
        sessionIds = []
        sessionDate = []
        sessionStart = []
        sessionEnd = []
        var sessionIndex: [Int64: Int] = [:]
        for session in instance.sessions {
            guard sessionIndex[session.id] == nil else {
                errors.add("sessions", "sessions: the id \(session.id) appears twice")
                continue
            }
            guard let (day, from, to) = interval(session.date, session.start, session.end, "sessions") else { continue }
            sessionIndex[session.id] = sessionIds.count
            sessionIds.append(session.id)
            sessionDate.append(day)
            sessionStart.append(from)
            sessionEnd.append(to)
        }
        gpIds = []
        gpCapacity = []
        gpPenalties = []
        var gpIndex: [Int64: Int] = [:]
        var booked: [[(Int, Int, Int)]] = []
        for gp in instance.gps {
            guard gpIndex[gp.id] == nil else {
                errors.add("gps", "gps: the id \(gp.id) appears twice")
                continue
            }
            if gp.maxSessions < 0 { errors.add("gps", "gps: GP \(gp.id) has a negative maxSessions") }
            if zip(gp.penalties, gp.penalties.dropFirst()).contains(where: { $0 > $1 }) {
                errors.add("gps", "gps: GP \(gp.id)'s penalties must not decrease")
            }
            if gp.penalties.contains(where: { !$0.isFinite || abs($0) > 1e9 }) {
                errors.add("gps", "gps: GP \(gp.id)'s penalties must be numbers under a billion")
            }
            gpIndex[gp.id] = gpIds.count
            gpIds.append(gp.id)
            gpCapacity.append(max(0, gp.maxSessions))
            let last = gp.penalties.last ?? 0
            gpPenalties.append((0..<max(0, gp.maxSessions)).map { $0 < gp.penalties.count ? gp.penalties[$0] : last })
            booked.append(gp.booked.compactMap { interval($0.date, $0.start, $0.end, "gps") })
        }
        originalPenalties = gpPenalties
        pairGP = []
        pairSession = []
        pairScore = []
        // Pairs by GP and session position in one integer key (hashing two ids per pair costs more);
        // −1 marks a listed pair that clashes with a booking.
        let sessionCount = sessionIds.count
        var pairIndex: [Int: Int] = Dictionary(minimumCapacity: instance.pairs.count)
        for pair in instance.pairs {
            guard let gp = gpIndex[pair.gpId], let session = sessionIndex[pair.sessionId] else {
                errors.add("pairs", "pairs: GP \(pair.gpId) and session \(pair.sessionId) must both be listed")
                continue
            }
            let key = gp * sessionCount + session
            guard pairIndex.updateValue(-1, forKey: key) == nil else {
                errors.add("pairs", "pairs: GP \(pair.gpId) with session \(pair.sessionId) appears twice")
                continue
            }
            guard pair.score.isFinite, abs(pair.score) < 1e9 else {
                errors.add(
                    "pairs", "pairs: the score of GP \(pair.gpId) with session \(pair.sessionId) must be a number under a billion"
                )
                continue
            }
            // A pair that clashes with one of the GP's bookings cannot be taken.
            let clashes = booked[gp].contains { day, from, to in
                day == sessionDate[session] && from < sessionEnd[session] && sessionStart[session] < to
            }
            if clashes { continue }
            pairIndex[key] = pairGP.count
            pairGP.append(gp)
            pairSession.append(session)
            pairScore.append(pair.score)
        }
        // Pins first: each takes its GP's next slot and closes the session and the GP's clashing pairs.
        var taken = Set<Int>()
        var pinnedByGP: [Int: [Int]] = [:]
        func listed(_ assignment: ClearingAssignment) -> Int? {
            guard let gp = gpIndex[assignment.gpId], let session = sessionIndex[assignment.sessionId],
                let pair = pairIndex[gp * sessionCount + session], pair >= 0
            else { return nil }
            return pair
        }
        for pin in pinned {
            guard let pair = listed(pin) else {
                errors.add("pinned", "GP \(pin.gpId) cannot take session \(pin.sessionId): they are not an eligible pair")
                continue
            }
            let session = pairSession[pair]
            let gp = pairGP[pair]
            let clashes = (pinnedByGP[gp] ?? []).contains { other in
                let otherSession = pairSession[other]
                return sessionDate[otherSession] == sessionDate[session] && sessionStart[otherSession] < sessionEnd[session]
                    && sessionStart[session] < sessionEnd[otherSession]
            }
            if !taken.insert(session).inserted || clashes || (pinnedByGP[gp]?.count ?? 0) >= gpCapacity[gp] {
                errors.add("pinned", "GP \(pin.gpId) cannot also be pinned to session \(pin.sessionId)")
                continue
            }
            pinnedByGP[gp, default: []].append(pair)
            pinnedPairs.append(pair)
        }
        try errors.throwIfAny()
        for (gp, pairs) in pinnedByGP {
            gpCapacity[gp] -= pairs.count
            gpPenalties[gp] = Array(gpPenalties[gp].dropFirst(pairs.count))
        }
        var closed = Set(excluded.compactMap(listed))
        for (gp, pinnedPairs) in pinnedByGP {
            for pair in pairGP.indices where pairGP[pair] == gp {
                if pinnedPairs.contains(where: { overlaps(pairSession[$0], pairSession[pair]) }) { closed.insert(pair) }
            }
        }
        openPairs.reserveCapacity(pairGP.count)
        for pair in pairGP.indices where gpCapacity[pairGP[pair]] > 0 && !taken.contains(pairSession[pair]) {
            if closed.isEmpty || !closed.contains(pair) { openPairs.append(pair) }
        }
    }

    func overlaps(_ first: Int, _ second: Int) -> Bool {
        sessionDate[first] == sessionDate[second] && sessionStart[first] < sessionEnd[second]
            && sessionStart[second] < sessionEnd[first]
    }

    struct Part: Sendable {
        var pairs: [Int]
    }

    /// Independent parts: GPs and sessions joined by open pairs (organisations that share no GP
    /// never meet in one part).
    func parts() -> [Part] {
        var parent = Array(0..<(gpIds.count + sessionIds.count))
        func root(_ node: Int) -> Int {
            var node = node
            while parent[node] != node {
                parent[node] = parent[parent[node]]
                node = parent[node]
            }
            return node
        }
        for pair in openPairs {
            let a = root(pairGP[pair])
            let b = root(gpIds.count + pairSession[pair])
            if a != b { parent[a] = b }
        }
        var byRoot: [Int: [Int]] = [:]
        for pair in openPairs { byRoot[root(pairGP[pair]), default: []].append(pair) }
        return byRoot.values.map { Part(pairs: $0) }
    }

    func solution(pairs: [Int], optimal: Bool, parts: Int, nodes: Int) -> ClearingSolution {
        var countByGP: [Int: Int] = [:]
        var objective = 0.0
        var assignments: [ClearingAssignment] = []
        for pair in pairs {
            let gp = pairGP[pair]
            let index = countByGP[gp, default: 0]
            countByGP[gp] = index + 1
            objective += pairScore[pair] - originalPenalties[gp][index]
            assignments.append(ClearingAssignment(sessionId: sessionIds[pairSession[pair]], gpId: gpIds[gp]))
        }
        assignments.sort { ($0.sessionId, $0.gpId) < ($1.sessionId, $1.gpId) }
        return ClearingSolution(
            filled: assignments.count, objective: (objective * ClearingSolver.scale).rounded() / ClearingSolver.scale,
            assignments: assignments, optimal: optimal, parts: parts, searchNodes: nodes)
    }
}

struct PartResult: Sendable {
    var pairs: [Int]
    var optimal: Bool
    var nodes: Int
}

/// Branch and bound over one independent part.
struct PartSearch {
    let problem: Problem
    let part: Problem.Part
    private var network: ClearingNetwork
    /// The network edge of each of the part's pairs (same order as `part.pairs`).
    private var pairEdge: [Int] = []
    /// Each GP's pairs (positions in `part.pairs`), by date then start.
    /// Each of the part's GPs' pairs (positions in `part.pairs`), by date then start.
    private var pairsOfGP: [[Int]] = []
    /// Pairs closed by the branches above the current node.
    private var banned: [Bool] = []
    private var best: (key: Key, pairs: [Int])?
    private var rootBound: Key = Key(filled: 0, objective: 0)
    private var nodes = 0
    private var stopped = false
    /// A filled session outweighs any difference in score: proposals compare as
    /// `fillWeight × filled + objective`.
    private var fillWeight: Int64 = 1
    private var returnCapacity: Int32 = 1
    private var baseEdges: [ClearingNetwork.Edge] = []
    /// Every maximal set of one GP's mutually overlapping sessions on a date, with its Lagrange
    /// multiplier (made when the search first needs a sharper bound).
    private var cliques: [[Int]] = []
    private var cliquesOfPosition: [[Int]] = []
    private var multipliers: [Int64] = []

    struct Key: Comparable {
        var filled: Int
        var objective: Int64

        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.filled, lhs.objective) < (rhs.filled, rhs.objective) }
    }

    init(problem: Problem, part: Problem.Part) {
        self.problem = problem
        self.part = part
        func scaled(_ value: Double) -> Int64 { Int64((value * ClearingSolver.scale).rounded()) }
        func session(_ position: Int) -> Int { problem.pairSession[part.pairs[position]] }
        // The part's GPs in the problem's order, and each one's pairs by date and start.
        var localGP = [Int32](repeating: -1, count: problem.gpIds.count)
        for pair in part.pairs { localGP[problem.pairGP[pair]] = 0 }
        var gps: [Int] = []
        for gp in localGP.indices where localGP[gp] == 0 {
            localGP[gp] = Int32(gps.count)
            gps.append(gp)
        }
        var byGP = [[Int]](repeating: [], count: gps.count)
        for position in part.pairs.indices { byGP[Int(localGP[problem.pairGP[part.pairs[position]]])].append(position) }
        for index in byGP.indices {
            byGP[index].sort {
                let a = session($0)
                let b = session($1)
                return (problem.sessionDate[a], problem.sessionStart[a], a) < (problem.sessionDate[b], problem.sessionStart[b], b)
            }
        }
        pairsOfGP = byGP
        banned = Array(repeating: false, count: part.pairs.count)
        // Nodes: source 0, sink 1, then GPs, their date trees and the sessions, in that order.
        var nextNode = Int32(2 + gps.count)
        var edges: [ClearingNetwork.Edge] = []
        edges.reserveCapacity(part.pairs.count * 5 / 4 + 16)
        var magnitude: Int64 = 0
        for (index, gp) in gps.enumerated() {
            for slot in 0..<min(problem.gpCapacity[gp], byGP[index].count) {
                let penalty = scaled(problem.gpPenalties[gp][slot])
                magnitude += abs(penalty)
                edges.append(ClearingNetwork.Edge(from: 0, to: Int32(2 + index), capacity: 1, cost: penalty))
            }
        }
        var groupEdges: [(group: Int32, position: Int)] = []
        groupEdges.reserveCapacity(part.pairs.count)
        for (index, positions) in byGP.enumerated() {
            var first = 0
            while first < positions.count {
                let date = problem.sessionDate[session(positions[first])]
                var last = first
                while last + 1 < positions.count && problem.sessionDate[session(positions[last + 1])] == date { last += 1 }
                Self.addDateTree(
                    problem: problem, part: part, positions: Array(positions[first...last]), parent: Int32(2 + index),
                    nextNode: &nextNode, edges: &edges, groupEdges: &groupEdges)
                first = last + 1
            }
        }
        var sessionNode = [Int32](repeating: -1, count: problem.sessionIds.count)
        var bestScore: [Int64] = []
        for pair in part.pairs {
            let here = problem.pairSession[pair]
            if sessionNode[here] < 0 {
                sessionNode[here] = nextNode + Int32(bestScore.count)
                bestScore.append(0)
            }
            let slot = Int(sessionNode[here] - nextNode)
            bestScore[slot] = max(bestScore[slot], abs(scaled(problem.pairScore[pair])))
        }
        magnitude += bestScore.reduce(0, +)
        pairEdge = Array(repeating: 0, count: part.pairs.count)
        for (group, position) in groupEdges {
            let pair = part.pairs[position]
            pairEdge[position] = edges.count
            edges.append(
                ClearingNetwork.Edge(
                    from: group, to: sessionNode[problem.pairSession[pair]], capacity: 1, cost: -scaled(problem.pairScore[pair])))
        }
        for slot in bestScore.indices {
            edges.append(ClearingNetwork.Edge(from: nextNode + Int32(slot), to: ClearingNetwork.sink, capacity: 1, cost: 0))
        }
        fillWeight = 2 * magnitude + 1
        returnCapacity = Int32(bestScore.count + 1)
        baseEdges = edges
        // The search's network breaks ties away from clashes: every cost is multiplied by `tieScale`
        // and a pair that may clash with another of its GP's pairs that day costs one more. The
        // extras of a whole proposal stay below `tieScale`, so they only choose among equal proposals.
        var groupOf = [Int32](repeating: 0, count: part.pairs.count)
        for (group, position) in groupEdges { groupOf[position] = group }
        tieScale = Int64(bestScore.count + 1)
        var searchEdges = edges
        for index in searchEdges.indices { searchEdges[index].cost *= tieScale }
        for positions in byGP {
            for (index, position) in positions.enumerated() {
                let here = session(position)
                var later = index + 1
                while later < positions.count, problem.sessionDate[session(positions[later])] == problem.sessionDate[here],
                    problem.sessionStart[session(positions[later])] < problem.sessionEnd[here]
                {
                    if groupOf[positions[later]] != groupOf[position] {
                        if searchEdges[pairEdge[position]].cost % tieScale == 0 { searchEdges[pairEdge[position]].cost += 1 }
                        if searchEdges[pairEdge[positions[later]]].cost % tieScale == 0 {
                            searchEdges[pairEdge[positions[later]]].cost += 1
                        }
                    }
                    later += 1
                }
            }
        }
        network = ClearingNetwork(
            nodeCount: Int(nextNode) + bestScore.count, edges: searchEdges, returnCost: -fillWeight * tieScale,
            returnCapacity: returnCapacity)
    }

    /// One GP's sessions on one date as a tree of capacities: the point most sessions cover splits
    /// them into those covering it (a group that all overlap: at most one), those wholly before and
    /// those wholly after (each a subtree); every subtree may take no more sessions than the most
    /// that fit side by side in it. Each capacity holds for every clash-free choice, so the tree
    /// only tightens the relaxation; clashes between a group and its neighbours are left to the search.
    static func addDateTree(
        problem: Problem, part: Problem.Part, positions: [Int], parent: Int32, nextNode: inout Int32,
        edges: inout [ClearingNetwork.Edge], groupEdges: inout [(group: Int32, position: Int)]
    ) {
        guard !positions.isEmpty else { return }
        func session(_ position: Int) -> Int { problem.pairSession[part.pairs[position]] }
        // The most sessions that fit side by side: earliest end first.
        var fit = 0
        var freeFrom = Int.min
        for position in positions.sorted(by: { problem.sessionEnd[session($0)] < problem.sessionEnd[session($1)] })
        where problem.sessionStart[session(position)] >= freeFrom {
            fit += 1
            freeFrom = problem.sessionEnd[session(position)]
        }
        let node = nextNode
        nextNode += 1
        edges.append(ClearingNetwork.Edge(from: parent, to: node, capacity: Int32(fit), cost: 0))
        guard fit > 1 else {
            for position in positions { groupEdges.append((node, position)) }
            return
        }
        // A point covered by most sessions is some session's start.
        var point = 0
        var covered = -1
        for start in Set(positions.map { problem.sessionStart[session($0)] }).sorted() {
            let count = positions.filter {
                problem.sessionStart[session($0)] <= start && start < problem.sessionEnd[session($0)]
            }.count
            if count > covered {
                point = start
                covered = count
            }
        }
        let group = nextNode
        nextNode += 1
        edges.append(ClearingNetwork.Edge(from: node, to: group, capacity: 1, cost: 0))
        var before: [Int] = []
        var after: [Int] = []
        for position in positions {
            let here = session(position)
            if problem.sessionEnd[here] <= point {
                before.append(position)
            } else if problem.sessionStart[here] > point {
                after.append(position)
            } else {
                groupEdges.append((group, position))
            }
        }
        addDateTree(
            problem: problem, part: part, positions: before, parent: node, nextNode: &nextNode, edges: &edges,
            groupEdges: &groupEdges)
        addDateTree(
            problem: problem, part: part, positions: after, parent: node, nextNode: &nextNode, edges: &edges,
            groupEdges: &groupEdges)
    }

    private var tieScale: Int64 = 1

    /// The search network's proposal without its tie-breaks (each below one unit in total).
    private var bound: Key {
        let cost = network.cost
        let whole = cost >= 0 ? cost / tieScale : -((-cost + tieScale - 1) / tieScale)
        return Key(filled: network.flow, objective: -whole)
    }

    private func value(_ key: Key) -> Int64 { fillWeight * Int64(key.filled) + key.objective }

    /// Whether the Lagrangian bound shows that no clash-free proposal under the current bans beats
    /// `best`. Each clique "at most one of these" the flow leaves out is priced into its pairs' costs
    /// instead; for any prices the priced optimum plus the prices bounds every clash-free proposal,
    /// and the prices follow the subgradient toward the lowest such bound (the linear programme's).
    private mutating func lagrangianProves(iterations: Int) -> Bool {
        guard let incumbent = best else { return false }
        if cliques.isEmpty { makeCliques() }
        let target = value(incumbent.key)
        var step = 2.0
        var lowest = Int64.max
        var sinceImproved = 0
        for _ in 0..<iterations {
            var edges = baseEdges
            for position in part.pairs.indices {
                let edge = pairEdge[position]
                edges[edge].capacity = banned[position] ? 0 : 1
                for clique in cliquesOfPosition[position] { edges[edge].cost += multipliers[clique] }
            }
            var priced = ClearingNetwork(
                nodeCount: network.nodeCount, edges: edges, returnCost: -fillWeight, returnCapacity: returnCapacity)
            priced.solve()
            let prices = multipliers.reduce(0, +)
            let bound = fillWeight * Int64(priced.flow) - priced.cost + prices
            if bound <= target { return true }
            if bound < lowest {
                lowest = bound
                sinceImproved = 0
            } else {
                sinceImproved += 1
                if sinceImproved >= 4 {
                    step /= 2
                    sinceImproved = 0
                }
            }
            let taken = part.pairs.indices.map { priced.carriesFlow(edge: pairEdge[$0]) }
            var gradient = Array(repeating: Int64(0), count: cliques.count)
            var norm = 0.0
            for (index, clique) in cliques.enumerated() {
                gradient[index] = Int64(clique.filter { taken[$0] }.count) - 1
                if gradient[index] > 0 || multipliers[index] > 0 { norm += Double(gradient[index] * gradient[index]) }
            }
            if norm == 0 { return false }
            let length = step * Double(bound - target) / norm
            for index in cliques.indices where gradient[index] > 0 || multipliers[index] > 0 {
                multipliers[index] = max(0, multipliers[index] + Int64((length * Double(gradient[index])).rounded(.up)))
            }
        }
        return false
    }

    private mutating func makeCliques() {
        cliquesOfPosition = Array(repeating: [], count: part.pairs.count)
        var known = Set<[Int]>()
        for positions in pairsOfGP {
            func session(_ position: Int) -> Int { problem.pairSession[part.pairs[position]] }
            for date in Set(positions.map { problem.sessionDate[session($0)] }).sorted() {
                let sameDay = positions.filter { problem.sessionDate[session($0)] == date }
                var found: [Set<Int>] = []
                // Each maximal clique of intervals is the set covering some session's start.
                for start in Set(sameDay.map { problem.sessionStart[session($0)] }).sorted() {
                    let covering = Set(
                        sameDay.filter { problem.sessionStart[session($0)] <= start && start < problem.sessionEnd[session($0)] })
                    if covering.count > 1 { found.append(covering) }
                }
                for clique in found where !found.contains(where: { $0 != clique && $0.isSuperset(of: clique) }) {
                    let members = clique.sorted()
                    guard known.insert(members).inserted else { continue }
                    for member in members { cliquesOfPosition[member].append(cliques.count) }
                    cliques.append(members)
                }
            }
        }
        multipliers = Array(repeating: 0, count: cliques.count)
    }

    mutating func run() -> PartResult {
        network.solve()
        rootBound = bound
        explore()
        return PartResult(pairs: best?.pairs.map { part.pairs[$0] } ?? [], optimal: !stopped, nodes: nodes)
    }

    /// A GP given two clashing sessions, and the one of them that clashes with more of the GP's
    /// sessions that day (the straddler), with those it clashes with.
    private func clash() -> (straddler: Int, neighbours: [Int])? {
        for positions in pairsOfGP {
            // Sorted by date and start: if no two taken sessions in a row overlap, none do.
            var previous = -1
            for position in positions where network.carriesFlow(edge: pairEdge[position]) {
                defer { previous = position }
                guard previous >= 0,
                    problem.overlaps(problem.pairSession[part.pairs[previous]], problem.pairSession[part.pairs[position]])
                else { continue }
                let neighboursOfPrevious = neighbours(of: previous, among: positions)
                let neighboursOfThis = neighbours(of: position, among: positions)
                return neighboursOfPrevious.count >= neighboursOfThis.count
                    ? (previous, neighboursOfPrevious) : (position, neighboursOfThis)
            }
        }
        return nil
    }

    private func neighbours(of position: Int, among positions: [Int]) -> [Int] {
        let session = problem.pairSession[part.pairs[position]]
        return positions.filter { $0 != position && problem.overlaps(session, problem.pairSession[part.pairs[$0]]) }
    }

    private mutating func explore() {
        nodes += 1
        let here = bound
        if let best, here <= best.key { return }
        guard let (straddler, neighbours) = clash() else {
            best = (here, part.pairs.indices.filter { network.carriesFlow(edge: pairEdge[$0]) })
            return
        }
        if best != nil && nodes > ClearingSolver.nodeLimit {
            stopped = true
            return
        }
        if lagrangianProves(iterations: cliques.isEmpty ? 60 : 20) { return }
        // Either the GP does not take the straddling session ...
        close([straddler])
        explore()
        reopen([straddler])
        if let best, best.key >= rootBound || here <= best.key || stopped { return }
        // ... or takes it and none of the sessions it overlaps.
        let closed = neighbours.filter { !banned[$0] }
        close(closed)
        explore()
        reopen(closed)
    }

    private mutating func close(_ positions: [Int]) {
        for position in positions {
            banned[position] = true
            network.ban(edge: pairEdge[position])
        }
    }

    private mutating func reopen(_ positions: [Int]) {
        for position in positions.reversed() {
            banned[position] = false
            network.restore(edge: pairEdge[position])
        }
    }
}
