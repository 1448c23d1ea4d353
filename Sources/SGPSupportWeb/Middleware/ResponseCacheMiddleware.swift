import Foundation
import Hummingbird
import SGPSupport
import Synchronization

/// Signed-in GET answers kept in memory, per sign-in and address, until anything is written.
///
/// People refresh boards and lists far more often than anything changes, and some answers (a
/// session's candidates, a GP's work available) weigh every GP or session of an organisation. An
/// entry is served only to the same sign-in: the session `AuthenticationMiddleware` found (its id,
/// its user and the kind of credential, so the same CSRF token and permissions), never to whoever
/// sends the same header; only while no write has committed since it was made, on the same day,
/// and for at most `lifetime` (a write from another process, such as an import at the command
/// line, shows within it). Downloads, answers that set a cookie and answers that say `no-store` are
/// never kept.
///
/// It must run inside `AuthenticationMiddleware`: a request it sees without an authenticated
/// session is passed on and nothing is kept.
struct ResponseCacheMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let database: AppDatabase
    let cache: ResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .get, let principal = context.principal, let authentication = context.authentication,
            authentication.userId == principal.userId
        else { return try await next(request, context) }
        let key = ResponseCache.Key(
            authentication: authentication, uri: request.uri.description, day: database.clock.today)
        let generation = database.writeGeneration
        switch cache.begin(key, generation: generation) {
        case .hit(let entry):
            return Self.response(entry.headers, entry.body)
        case .wait(let flight):
            // The same answer is being worked out by another request: take its result.
            if let entry = await flight.result() { return Self.response(entry.headers, entry.body) }
            return try await next(request, context)
        case .lead(let flight):
            do {
                let response = try await next(request, context)
                // A handler's own no-store (a GP's document) is kept here too, not only by browsers.
                guard response.status == .ok, response.headers[.setCookie] == nil,
                    response.headers[.contentDisposition] == nil,
                    response.headers[.cacheControl]?.contains("no-store") != true
                else {
                    cache.finish(key, flight, nil)
                    return response
                }
                let collector = BodyCollector()
                try await response.body.write(CollectingWriter(collector: collector))
                let body = collector.buffer.withLock { $0 }
                cache.finish(key, flight, .init(generation: generation, headers: response.headers, body: body))
                return Self.response(response.headers, body)
            } catch {
                cache.finish(key, flight, nil)
                throw error
            }
        }
    }

    static func response(_ headers: HTTPFields, _ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

/// The entries, shared by every request of the process.
final class ResponseCache: Sendable {
    struct Key: Hashable, Sendable {
        /// Who the answer was made for: the authenticated session, never a header's raw value.
        var authentication: AuthenticatedSession
        var uri: String
        var day: Day
    }

    struct Entry: Sendable {
        var generation: Int
        var headers: HTTPFields
        var body: ByteBuffer
        var storedAt = ContinuousClock.now
    }

    let lifetime: Duration
    let capacity: Int
    /// The bodies kept, in all: pages can be large, memory is not.
    let byteLimit: Int

    init(lifetime: Duration = .seconds(2), capacity: Int = 4096, byteLimit: Int = 64 << 20) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.byteLimit = byteLimit
    }

    enum Begin: Sendable {
        /// Served from memory (while fresh, or while another request refreshes it).
        case hit(Entry)
        /// Another request is working this answer out for the same data: wait for it.
        case wait(Flight)
        /// Work it out, then `finish`.
        case lead(Flight)
    }

    /// One answer being worked out; requests for the same one wait on it instead of repeating it.
    final class Flight: Sendable {
        let generation: Int
        private let state = Mutex<(done: Bool, entry: Entry?, waiters: [CheckedContinuation<Entry?, Never>])>((false, nil, []))

        init(generation: Int) {
            self.generation = generation
        }

        func result() async -> Entry? {
            await withCheckedContinuation { continuation in
                let known: Entry?? = state.withLock { state in
                    if state.done { return .some(state.entry) }
                    state.waiters.append(continuation)
                    return .none
                }
                if let known { continuation.resume(returning: known) }
            }
        }

        func complete(_ entry: Entry?) {
            let waiters = state.withLock { state in
                state.done = true
                state.entry = entry
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(returning: entry) }
        }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var flights: [Key: Flight] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())

    func begin(_ key: Key, generation: Int) -> Begin {
        state.withLock { state in
            if let entry = state.entries[key], entry.generation == generation {
                if ContinuousClock.now - entry.storedAt < lifetime { return .hit(entry) }
                // Past its lifetime but nothing written here since: one request refreshes it while
                // the others are still served this one.
                if let flight = state.flights[key], flight.generation == generation { return .hit(entry) }
            } else if let flight = state.flights[key], flight.generation == generation {
                return .wait(flight)
            }
            let flight = Flight(generation: generation)
            state.flights[key] = flight
            return .lead(flight)
        }
    }

    func finish(_ key: Key, _ flight: Flight, _ entry: Entry?) {
        state.withLock { state in
            if state.flights[key] === flight { state.flights[key] = nil }
            guard let entry else { return }
            if state.entries.count >= capacity || state.bytes + entry.body.readableBytes > byteLimit {
                // Old generations first; if that is not enough, start again.
                state.entries = state.entries.filter { $0.value.generation == entry.generation }
                state.bytes = state.entries.values.reduce(0) { $0 + $1.body.readableBytes }
                if state.entries.count >= capacity || state.bytes + entry.body.readableBytes > byteLimit {
                    state.entries.removeAll(keepingCapacity: true)
                    state.bytes = 0
                }
            }
            state.bytes += entry.body.readableBytes - (state.entries[key]?.body.readableBytes ?? 0)
            state.entries[key] = entry
        }
        flight.complete(entry)
    }
}

final class BodyCollector: Sendable {
    let buffer = Mutex(ByteBuffer())
}

/// A response body writer that keeps what it is given.
struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.buffer.withLock { collected in
            var incoming = buffer
            collected.writeBuffer(&incoming)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
