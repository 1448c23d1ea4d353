import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SGPSupport
import Synchronization
import Testing

@testable import SGPSupportWeb

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A real temporary database, with the demo data loaded unless asked not to.
struct TestEnvironment {
    let path: String
    let database: AppDatabase
    var configuration: AppConfiguration
    /// Every email the app would have sent.
    let mailbox = RecordingMailTransport()

    /// Sign-ins need no authenticator code unless the test is about that (`secondFactor`): codes
    /// follow the real clock and each works once, which would ration how often a test may sign in.
    init(
        demo: Bool = true, path: String? = nil, maxPageCount: Int? = nil, secondFactor: Bool = false,
        passwords: PasswordHasher = PasswordHasher(cost: 4), caches: Bool = true
    ) async throws {
        self.path =
            path ?? FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-web-\(UUID().uuidString).sqlite").path
        database = try AppDatabase(
            path: self.path, passwords: passwords, maxPageCount: maxPageCount,
            secondFactorRoles: secondFactor ? Role.needingSecondFactor : [], eligibilityCache: caches)
        configuration = AppConfiguration(resourcesDirectory: repositoryRoot, mailer: mailbox, responseCache: caches)
        if demo, try await database.organisation(code: "DEMO1") == nil {
            _ = try await database.loadDemo(try DemoData.load(from: repositoryRoot.appendingPathComponent("seeds/demo.json")))
        }
    }

    /// Runs the very application `sgpst serve` runs, without sockets (or, with `.live`, on a local
    /// port, for what needs a real peer address).
    func test<Value: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (Browser) async throws -> Value)
        async throws -> Value
    {
        let app = try await buildApplication(configuration: configuration, database: database)
        return try await app.test(setup) { client in try await body(Browser(client)) }
    }
}

let demoPassword = "demo-password"

/// A client that keeps cookies like a browser and remembers the CSRF token of the last page.
final class Browser: Sendable {
    let client: any TestClientProtocol
    private let state = Mutex<(cookies: [String: String], csrf: String?)>(([:], nil))

    init(_ client: any TestClientProtocol) {
        self.client = client
    }

    var cookies: [String: String] { state.withLock { $0.cookies } }
    var csrfToken: String? { state.withLock { $0.csrf } }

    func setCookie(_ name: String, _ value: String) {
        state.withLock { $0.cookies[name] = value }
    }

    @discardableResult
    func request(
        _ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: String? = nil,
        bytes: [UInt8]? = nil
    ) async throws -> TestResponse {
        var headers = headers
        let cookieHeader = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        if !cookieHeader.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await client.executeRequest(
            uri: uri, method: method, headers: headers,
            body: body.map { ByteBuffer(string: $0) } ?? bytes.map { ByteBuffer(bytes: $0) })
        state.withLock { state in
            for setCookie in response.headers[values: .setCookie] {
                let pair = setCookie.split(separator: ";")[0]
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                let value = String(pair[pair.index(after: equals)...])
                if value.isEmpty || setCookie.contains("Max-Age=0") {
                    state.cookies[name] = nil
                } else {
                    state.cookies[name] = value
                }
            }
            if let token = Self.csrfField(in: String(buffer: response.body)) { state.csrf = token }
        }
        return response
    }

    /// Posts a form the way a browser does, with the page's CSRF token unless told otherwise.
    @discardableResult
    func submit(_ uri: String, _ fields: [String: String], csrf: Bool = true, headers: HTTPFields = [:]) async throws
        -> TestResponse
    {
        var fields = fields
        if csrf, let token = csrfToken { fields["_csrf"] = token }
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await request(uri, method: .post, headers: headers, body: Self.formEncode(fields))
    }

    /// Posts a form with a file as a browser does (`multipart/form-data`), with the page's CSRF token
    /// unless told otherwise.
    @discardableResult
    func upload(
        _ uri: String, _ fields: [String: String], file: (name: String, filename: String, bytes: [UInt8]),
        csrf: Bool = true
    ) async throws -> TestResponse {
        var fields = fields
        if csrf, let token = csrfToken { fields["_csrf"] = token }
        let boundary = "----sgpst-test-\(UUID().uuidString)"
        return try await request(
            uri, method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
            bytes: Self.multipartBody(fields, file: file, boundary: boundary))
    }

    static func multipartBody(
        _ fields: [String: String], file: (name: String, filename: String, bytes: [UInt8]), boundary: String
    ) -> [UInt8] {
        var body: [UInt8] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").utf8)
        body += file.bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return body
    }

    /// Signs in through the form and checks it worked.
    func signIn(_ email: String, password: String = demoPassword) async throws {
        try await request("/sign-in")
        let response = try await submit("/sign-in", ["email": email, "password": password])
        #expect(response.status == .seeOther, "sign-in as \(email)")
    }

    static func formEncode(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    private static func csrfField(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(html[range]).components(separatedBy: "value=\"")[1].dropLast().description
    }
}

/// A JSON API client with an optional bearer token.
struct APIClient {
    let client: any TestClientProtocol
    var token: String?

    @discardableResult
    func send(_ uri: String, method: HTTPRequest.Method = .get, json: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await client.executeRequest(
            uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Signs in through `POST /api/v1/session` and returns a client holding the token.
    static func signedIn(_ client: any TestClientProtocol, _ email: String, password: String = demoPassword) async throws
        -> APIClient
    {
        let response = try await APIClient(client: client).send(
            "/api/v1/session", method: .post, json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
        #expect(response.status == .created)
        let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return APIClient(client: client, token: try #require(body?["token"] as? String))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// The `error.code` of an API error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

/// Counts bcrypt runs (hashes and checks), to show where the slow work is done and where it is not.
final class BcryptCounter: Sendable {
    private let count = Mutex(0)

    var runs: Int { count.withLock { $0 } }

    /// A hasher at bcrypt's lowest cost that counts each run here.
    var hasher: PasswordHasher {
        PasswordHasher(cost: 4, willRunBcrypt: { [self] in self.count.withLock { $0 += 1 } })
    }
}

/// Keeps sent mail in memory for the test to read.
final class RecordingMailTransport: MailTransport {
    private let messages = Mutex<[MailMessage]>([])

    func send(_ message: MailMessage) async throws {
        messages.withLock { $0.append(message) }
    }

    var sent: [MailMessage] { messages.withLock { $0 } }
}

extension APIClient {
    /// Makes the demo GP (signed in as this client) free on Wednesdays and answers a Wednesday she
    /// can work: clear of her bookings and before her indemnity runs out (the demo's, in three weeks).
    func demoGPsFreeWednesday() async throws -> String {
        let availability = try await send(
            "/api/v1/gps/1/availability", method: .put,
            json: #"{"weekly": [{"weekday": "wednesday", "dayParts": ["morning", "afternoon"]}], "dates": []}"#)
        #expect(availability.status == .ok)
        let bookedDays = Set(
            (try await send("/api/v1/bookings").json["items"] as? [[String: Any]] ?? []).compactMap { $0["date"] as? String })
        let wednesdays = [0, 7].map { Day(ReliabilityWebTests.nextWednesday)!.adding(days: $0).description }
        return try #require(wednesdays.first { !bookedDays.contains($0) })
    }
}
