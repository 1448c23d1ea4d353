import Foundation
import Hummingbird

/// The fields of a submitted HTML form. Handlers pick the fields they accept by name, so a posted
/// field the form does not have (say `status=verified`) is never read.
struct FormFields: Sendable {
    private var values: [String: [String]]

    /// Parses `application/x-www-form-urlencoded` by hand: Foundation's URLComponents traps on a
    /// malformed escape such as `%zz`, and a form body is whatever a client chose to send.
    init(urlEncoded body: String) {
        var values: [String: [String]] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
        self.values = values
    }

    /// Fields already read from another encoding (a multipart form's text parts).
    init(values: [String: [String]]) {
        self.values = values
    }

    private static func decode(_ raw: Substring) -> String {
        let spaced = raw.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of a field, nil when absent.
    subscript(_ name: String) -> String? { values[name]?.first }

    /// The names of the fields sent.
    var names: [String] { Array(values.keys) }

    /// Every value of a repeated field (a group of checkboxes).
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The field with surrounding white space removed; empty when absent.
    func text(_ name: String) -> String {
        (self[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Request {
    /// Reads the body as a form (bodies are collated by the CSRF middleware, so they can be read again).
    func formFields(context: AppRequestContext) async throws -> FormFields {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        return FormFields(urlEncoded: String(buffer: buffer))
    }

    /// Decodes a JSON body into a narrow input type, answering 400 `invalid_json` with what is wrong.
    func decodeJSON<Input: Decodable>(_ type: Input.Type, context: AppRequestContext) async throws -> Input {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Input.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw APIError.badRequest(Self.describe(error), code: "invalid_json")
        }
    }

    /// As `decodeJSON`, for a body a client may leave out: an empty body is `whenEmpty`.
    func decodeJSON<Input: Decodable>(_ type: Input.Type, context: AppRequestContext, whenEmpty: Input) async throws -> Input {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        guard data.contains(where: { !Set(" \t\r\n".utf8).contains($0) }) else { return whenEmpty }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Input.self, from: data)
        } catch let error as DecodingError {
            throw APIError.badRequest(Self.describe(error), code: "invalid_json")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? "the body" : "'\(path)'"
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "The request body is not valid JSON; send a JSON object"
        case .dataCorrupted(let context):
            return "The value of \(path(context)) is not valid: \(context.debugDescription)"
        case .keyNotFound(let key, _):
            return "The field '\(key.stringValue)' is missing"
        case .typeMismatch(let type, let context):
            return "The value of \(path(context)) should be \(Self.jsonName(of: type))"
        case .valueNotFound(let type, let context):
            return "The value of \(path(context)) should be \(Self.jsonName(of: type)), not null"
        @unknown default:
            return "The request body could not be read"
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "a JSON object or list of the documented shape"
        }
    }
}

extension Response {
    /// A JSON response with camelCase fields and ISO 8601 dates.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A file to save rather than show (CSV exports, the personal-data download).
    static func download(_ bytes: some Sequence<UInt8>, filename: String, contentType: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .contentDisposition: "attachment; filename=\"\(filename)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// 303 See Other: where a form post sends the browser next.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// The paginated list shape every list endpoint answers.
struct ListBody<Item: Encodable>: Encodable {
    var items: [Item]
    var total: Int
    var page: Int
    var perPage: Int
}

extension Optional {
    /// `map` for an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
