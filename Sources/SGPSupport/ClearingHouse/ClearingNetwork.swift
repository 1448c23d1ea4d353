/// A min-cost circulation on a network of unit arcs (plus one return arc from sink to source), kept
/// optimal while arcs are banned and restored: the relaxation the clearing run's branch and bound
/// solves at every node.
///
/// Optimality is kept by node potentials: every arc with residual capacity has a non-negative
/// reduced cost `cost + π(from) − π(to)`. Banning an arc that carries flow leaves one unit stranded
/// at its tail and missing at its head; one Dijkstra from the tail to the head (through the return
/// arc when the unit must go back to the source) repairs it and keeps the potentials valid. The
/// return arc costs −M, M larger than any difference in total score, so the circulation fills as
/// many sessions as it can first and scores them best second.
struct ClearingNetwork {
    static let source: Int32 = 0
    static let sink: Int32 = 1
    private static let unreachable = Int64.max / 4

    private(set) var nodeCount: Int
    // Arcs in compressed rows: a node's arcs are arcStart[node]..<arcStart[node + 1].
    private var arcStart: [Int32] = []
    private var arcTo: [Int32] = []
    private var arcReverse: [Int32] = []
    private var arcCapacity: [Int32] = []
    private var arcCost: [Int64] = []
    private var arcFrom: [Int32] = []
    /// The forward arc of each edge, in the order the edges were added.
    private(set) var edgeArc: [Int32] = []
    private var potential: [Int64]
    private var returnArc: Int32 = -1
    private var returnCost: Int64 = 0
    private var returnCapacityLimit: Int32 = 0

    /// Units of flow through the network (sessions filled) and their total cost without the return arc.
    private(set) var flow = 0
    private(set) var cost: Int64 = 0

    // Dijkstra's scratch space, reused: a stamp marks which entries belong to the current search.
    private var distance: [Int64]
    private var parentArc: [Int32]
    private var stamp: [Int32]
    private var settled: [Int32]
    private var currentStamp: Int32 = 0
    private var heap = MinHeap()

    struct Edge {
        var from: Int32
        var to: Int32
        var capacity: Int32
        var cost: Int64
    }

    /// Builds the network; `edges` must run forward in node order (source first, sink last in any
    /// path) so the first potentials come from one pass over them.
    init(nodeCount: Int, edges: [Edge], returnCost: Int64, returnCapacity: Int32) {
        self.nodeCount = nodeCount
        potential = Array(repeating: 0, count: nodeCount)
        distance = Array(repeating: 0, count: nodeCount)
        parentArc = Array(repeating: -1, count: nodeCount)
        stamp = Array(repeating: 0, count: nodeCount)
        settled = Array(repeating: 0, count: nodeCount)
        self.returnCost = returnCost
        var all = edges
        all.append(Edge(from: Self.sink, to: Self.source, capacity: 0, cost: returnCost))
        var degree = Array(repeating: Int32(0), count: nodeCount + 1)
        for edge in all {
            degree[Int(edge.from) + 1] += 1
            degree[Int(edge.to) + 1] += 1
        }
        for node in 0..<nodeCount { degree[node + 1] += degree[node] }
        arcStart = degree
        let arcCount = Int(degree[nodeCount])
        arcTo = Array(repeating: 0, count: arcCount)
        arcFrom = Array(repeating: 0, count: arcCount)
        arcReverse = Array(repeating: 0, count: arcCount)
        arcCapacity = Array(repeating: 0, count: arcCount)
        arcCost = Array(repeating: 0, count: arcCount)
        edgeArc = Array(repeating: 0, count: all.count)
        var next = degree
        for (index, edge) in all.enumerated() {
            let forward = next[Int(edge.from)]
            next[Int(edge.from)] += 1
            let backward = next[Int(edge.to)]
            next[Int(edge.to)] += 1
            arcTo[Int(forward)] = edge.to
            arcFrom[Int(forward)] = edge.from
            arcCapacity[Int(forward)] = edge.capacity
            arcCost[Int(forward)] = edge.cost
            arcReverse[Int(forward)] = backward
            arcTo[Int(backward)] = edge.from
            arcFrom[Int(backward)] = edge.to
            arcCost[Int(backward)] = -edge.cost
            arcReverse[Int(backward)] = forward
            edgeArc[index] = forward
        }
        returnArc = edgeArc.removeLast()
        // Shortest distances from the source over the open forward arcs: every edge runs from a lower
        // node to a higher one, except into the sink, which has none of its own, so one pass in node
        // order settles them all.
        var first = Array(repeating: Self.unreachable, count: nodeCount)
        first[Int(Self.source)] = 0
        for node in 0..<nodeCount where first[node] < Self.unreachable {
            for arc in arcStart[node]..<arcStart[node + 1] where arcCapacity[Int(arc)] > 0 {
                let next = Int(arcTo[Int(arc)])
                first[next] = min(first[next], first[node] + arcCost[Int(arc)])
            }
        }
        let reached = first.filter { $0 < Self.unreachable }.max() ?? 0
        potential = first.map { $0 < Self.unreachable ? $0 : reached }
        returnCapacityLimit = returnCapacity
    }

    private func reducedCost(_ arc: Int32) -> Int64 {
        arcCost[Int(arc)] + potential[Int(arcFrom[Int(arc)])] - potential[Int(arcTo[Int(arc)])]
    }

    func carriesFlow(edge: Int) -> Bool {
        arcCapacity[Int(arcReverse[Int(edgeArc[edge])])] > 0
    }

    /// The optimum with the return arc closed: primal–dual successive shortest paths, many
    /// augmenting paths per Dijkstra (every path of zero reduced cost is a shortest one), while a
    /// path costs less than the return arc earns. Then the return arc opens carrying the flow, its
    /// reduced cost made exactly zero by the last potential update.
    mutating func solve() {
        let weight = -returnCost
        while true {
            let reach = dijkstra(from: Self.source, to: Self.sink)
            let span = potential[Int(Self.sink)] - potential[Int(Self.source)]
            if reach >= Self.unreachable || reach + span >= weight {
                updatePotentials(limit: max(0, weight - span))
                break
            }
            updatePotentials(limit: reach)
            var visited = Array(repeating: false, count: nodeCount)
            var cursor = Array(arcStart.dropLast())
            while augmentAlongZeroReducedCost(&visited, &cursor) {
                for index in visited.indices { visited[index] = false }
            }
        }
        arcCapacity[Int(returnArc)] = returnCapacityLimit - Int32(flow)
        arcCapacity[Int(arcReverse[Int(returnArc)])] = Int32(flow)
    }

    /// One augmenting path from source to sink over arcs of zero reduced cost, found depth first.
    private mutating func augmentAlongZeroReducedCost(_ visited: inout [Bool], _ cursor: inout [Int32]) -> Bool {
        var path: [Int32] = []
        var node = Self.source
        visited[Int(node)] = true
        while node != Self.sink {
            var advanced = false
            while cursor[Int(node)] < arcStart[Int(node) + 1] {
                let arc = cursor[Int(node)]
                let next = arcTo[Int(arc)]
                if arcCapacity[Int(arc)] > 0, !visited[Int(next)], reducedCost(arc) == 0 {
                    path.append(arc)
                    visited[Int(next)] = true
                    node = next
                    advanced = true
                    break
                }
                cursor[Int(node)] += 1
            }
            if !advanced {
                // A dead end for this phase: step back and never try it again.
                guard let last = path.popLast() else { return false }
                node = arcFrom[Int(last)]
                cursor[Int(node)] += 1
            }
        }
        for arc in path { push(arc) }
        flow += 1
        return true
    }

    private mutating func push(_ arc: Int32) {
        arcCapacity[Int(arc)] -= 1
        arcCapacity[Int(arcReverse[Int(arc)])] += 1
        if arc != returnArc && arcReverse[Int(arc)] != returnArc { cost += arcCost[Int(arc)] }
    }

    /// Shortest reduced distances from `start` until `target` is settled; returns its distance.
    private mutating func dijkstra(from start: Int32, to target: Int32) -> Int64 {
        currentStamp += 1
        heap.removeAll()
        distance[Int(start)] = 0
        stamp[Int(start)] = currentStamp
        parentArc[Int(start)] = -1
        heap.push(0, start)
        while let (distanceHere, node) = heap.pop() {
            if settled[Int(node)] == currentStamp || distanceHere > distance[Int(node)] { continue }
            settled[Int(node)] = currentStamp
            if node == target { return distanceHere }
            let base = potential[Int(node)]
            for arc in arcStart[Int(node)]..<arcStart[Int(node) + 1] where arcCapacity[Int(arc)] > 0 {
                let next = arcTo[Int(arc)]
                let candidate = distanceHere + arcCost[Int(arc)] + base - potential[Int(next)]
                if stamp[Int(next)] != currentStamp || candidate < distance[Int(next)] {
                    stamp[Int(next)] = currentStamp
                    distance[Int(next)] = candidate
                    parentArc[Int(next)] = arc
                    heap.push(candidate, next)
                }
            }
        }
        return Self.unreachable
    }

    /// After a search that settled `target` at `limit`: nodes settled closer move by their distance,
    /// all others by `limit`, which keeps every reduced cost non-negative.
    private mutating func updatePotentials(limit: Int64) {
        for node in 0..<nodeCount {
            if settled[node] == currentStamp && stamp[node] == currentStamp && distance[node] < limit {
                potential[node] += distance[node]
            } else {
                potential[node] += limit
            }
        }
    }

    /// Moves one stranded unit from `excess` to `deficit` along a cheapest residual path.
    private mutating func repair(from excess: Int32, to deficit: Int32) {
        let found = dijkstra(from: excess, to: deficit)
        precondition(found < Self.unreachable, "the return arc always offers a way back")
        updatePotentials(limit: found)
        var node = deficit
        while node != excess {
            let arc = parentArc[Int(node)]
            if arc == returnArc {
                flow += 1
            } else if arcReverse[Int(arc)] == returnArc {
                flow -= 1
            }
            push(arc)
            node = arcFrom[Int(arc)]
        }
    }

    /// Closes an edge; the flow stays optimal for the network without it.
    mutating func ban(edge: Int) {
        let arc = edgeArc[edge]
        let back = arcReverse[Int(arc)]
        arcCapacity[Int(arc)] = 0
        guard arcCapacity[Int(back)] > 0 else { return }
        arcCapacity[Int(back)] = 0
        cost -= arcCost[Int(arc)]
        repair(from: arcFrom[Int(arc)], to: arcTo[Int(arc)])
    }

    /// Opens a banned edge again; the flow stays optimal with it.
    mutating func restore(edge: Int) {
        let arc = edgeArc[edge]
        guard arcCapacity[Int(arc)] == 0, arcCapacity[Int(arcReverse[Int(arc)])] == 0 else { return }
        arcCapacity[Int(arc)] = 1
        if reducedCost(arc) < 0 {
            push(arc)
            repair(from: arcTo[Int(arc)], to: arcFrom[Int(arc)])
        }
    }
}

/// A binary heap of (distance, node), smallest distance first.
struct MinHeap {
    private var keys: [Int64] = []
    private var nodes: [Int32] = []

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        nodes.removeAll(keepingCapacity: true)
    }

    mutating func push(_ key: Int64, _ node: Int32) {
        keys.append(key)
        nodes.append(node)
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard keys[parent] > keys[child] else { break }
            keys.swapAt(parent, child)
            nodes.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> (Int64, Int32)? {
        guard let top = keys.first else { return nil }
        let node = nodes[0]
        let lastKey = keys.removeLast()
        let lastNode = nodes.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey
            nodes[0] = lastNode
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < keys.count else { break }
                let right = left + 1
                let smaller = right < keys.count && keys[right] < keys[left] ? right : left
                guard keys[smaller] < keys[parent] else { break }
                keys.swapAt(parent, smaller)
                nodes.swapAt(parent, smaller)
                parent = smaller
            }
        }
        return (top, node)
    }
}
