import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let xRequestId = Self("X-Request-Id")!
}

/// Gives every request an id, answers it in `X-Request-Id` (errors included) and logs one line
/// for it: the id, the method, the route as the router names it (`/api/v1/gps/{id}`, never the
/// path's own ids nor its query), the status and how long it took. Never a header, a body, a
/// token or anything about a person. A proxy's own id (nginx's `$request_id`) is kept when it
/// looks like one, so its log and ours can be read side by side.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let logger: Logger
    /// Only these may name the request's id (a client could otherwise reuse another's).
    let trustedProxies: [NetworkRange]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let fromProxy = trustedProxies.contains { $0.contains(context.peerAddress) }
        let id = Self.requestId(fromProxy ? request.headers[.xRequestId] : nil)
        var context = context
        context.requestId = id
        context.logger[metadataKey: "requestId"] = .string(id)
        let started = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[.xRequestId] = id
            log(request, context, status: Int(response.status.code), since: started)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context, status: Int(error.status.code), since: started)
            throw RequestIdentifiedError(error: error, requestId: id)
        } catch {
            // `ErrorMiddleware` answers everything; should anything pass it, it is still logged.
            log(request, context, status: 500, since: started)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = started.duration(to: .now).components
        let milliseconds = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15
        logger.info(
            "request",
            metadata: [
                "requestId": .string(context.requestId), "method": .string(request.method.rawValue),
                "route": .string(context.endpointPath ?? "unmatched"), "status": .stringConvertible(status),
                "durationMs": .stringConvertible((milliseconds * 10).rounded() / 10),
            ])
    }

    /// The proxy's id when it is 8 to 64 letters, digits, dots, dashes or underscores; else a new one.
    static func requestId(_ offered: String?) -> String {
        if let offered, (8...64).contains(offered.utf8.count),
            offered.utf8.allSatisfy({ byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || [45, 46, 95].contains(byte)
            })
        {
            return offered
        }
        return String(UInt64.random(in: .min ... .max), radix: 16) + String(UInt64.random(in: .min ... .max), radix: 16)
    }
}

/// An error that escaped every other middleware, answered with the request's id all the same.
struct RequestIdentifiedError: HTTPResponseError {
    let error: any HTTPResponseError
    let requestId: String

    var status: HTTPResponse.Status { error.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try error.response(from: request, context: context)
        response.headers[.xRequestId] = requestId
        return response
    }
}

/// `--log-format json`: one JSON object a line, on standard error: the time (UTC, milliseconds),
/// the level, the message, the logger's label and the metadata (the request's id, route, status
/// and duration for a request's line).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    /// Where each finished line goes (standard error; a test's collector).
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [
            "time": Self.timestamp(Date()), "level": event.level.rawValue, "message": "\(event.message)", "label": label,
        ]
        // The line's own fields are never overwritten by a metadata key of the same name.
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new })
        where fields[key] == nil {
            fields[key] = Self.plain(value)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let number as Int): number
        case .stringConvertible(let number as Double): number
        case .stringConvertible(let other): other.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
