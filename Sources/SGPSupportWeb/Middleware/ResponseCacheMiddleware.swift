import Foundation
import Hummingbird
import SGPSupport
import Synchronization

/// Signed-in GET answers kept in memory, per sign-in and address, until anything is written.
///
/// People refresh boards and lists far more often than anything changes, and some answers (a
/// session's candidates, a GP's work available) weigh every GP or session of an organisation. An
/// entry is served only to the same sign-in (the same cookie or bearer token, so the same CSRF
/// token and permissions), only while no write has committed since it was made, on the same day,
/// and for at most `lifetime` (a write from another process, such as an import at the command
/// line, shows within it). Downloads and answers that set a cookie are never kept.
struct ResponseCacheMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let database: AppDatabase
    let cache: ResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard request.method == .get, context.principal != nil,
            let identity = request.headers[.authorization] ?? request.headers[.cookie]
        else { return try await next(request, context) }
        let key = ResponseCache.Key(identity: identity, uri: request.uri.description, day: database.clock.today)
        let generation = database.writeGeneration
        if let hit = cache.lookup(key, generation: generation) {
            return Response(status: .ok, headers: hit.headers, body: .init(byteBuffer: hit.body))
        }
        let response = try await next(request, context)
        guard response.status == .ok, response.headers[.setCookie] == nil, response.headers[.contentDisposition] == nil
        else { return response }
        let collector = BodyCollector()
        try await response.body.write(CollectingWriter(collector: collector))
        let body = collector.buffer.withLock { $0 }
        cache.store(key, .init(generation: generation, headers: response.headers, body: body))
        return Response(status: .ok, headers: response.headers, body: .init(byteBuffer: body))
    }
}

/// The entries, shared by every request of the process.
final class ResponseCache: Sendable {
    struct Key: Hashable, Sendable {
        var identity: String
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
    private let entries = Mutex<[Key: Entry]>([:])

    init(lifetime: Duration = .seconds(2), capacity: Int = 4096) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func lookup(_ key: Key, generation: Int) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[key], entry.generation == generation,
                ContinuousClock.now - entry.storedAt < lifetime
            else { return nil }
            return entry
        }
    }

    func store(_ key: Key, _ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= capacity {
                // Old generations first; if that is not enough, start again.
                entries = entries.filter { $0.value.generation == entry.generation }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = entry
        }
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
