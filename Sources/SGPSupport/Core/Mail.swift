import Foundation

/// An email the service sends: plain text always, HTML optionally.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var toName: String?
    public var subject: String
    public var text: String
    public var html: String?
    /// Extra headers (List-Unsubscribe ...). Values are folded onto one line when written.
    public var headers: [String: String]
    /// Set when a resend must carry the same Message-ID (mailshot deliveries); otherwise made up.
    public var messageID: String?
    /// Files that go with it (a booking's calendar event).
    public var attachments: [MailAttachment]

    public init(
        to: String, toName: String? = nil, subject: String, text: String, html: String? = nil, headers: [String: String] = [:],
        messageID: String? = nil, attachments: [MailAttachment] = []
    ) {
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = headers
        self.messageID = messageID
        self.attachments = attachments
    }
}

/// Who the service's email comes from: `Name <address>` or a bare address (`--mail-from`).
public struct MailSender: Sendable, Equatable {
    public var name: String?
    public var address: String

    /// Reads `Sessional GP support <support@example.nhs.uk>` or `support@example.nhs.uk`; nil when
    /// there is no address in it.
    public static func parse(_ text: String) -> MailSender? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            let name = trimmed[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
            guard isAddress(address) else { return nil }
            return MailSender(name: name.isEmpty ? nil : name, address: address)
        }
        guard isAddress(trimmed) else { return nil }
        return MailSender(name: nil, address: trimmed)
    }

    /// One @ with something either side, and nothing that could end the envelope (a relay's own
    /// host, `sgpst@localhost`, is allowed).
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !text.contains { $0.isWhitespace || "<>\"".contains($0) || ($0.asciiValue.map { $0 < 32 } ?? false) }
    }
}

/// A text file sent with an email.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String
    /// The full content type, e.g. `text/calendar; method=PUBLISH`.
    public var contentType: String
    public var content: String

    public init(filename: String, contentType: String, content: String) {
        self.filename = filename
        self.contentType = contentType
        self.content = content
    }
}

extension MailMessage {
    /// The messages with each notice sent once to an address: a practice's own address that is
    /// also its manager's, or one person in two roles, gets one copy.
    public static func once(_ messages: [MailMessage]) -> [MailMessage] {
        var seen = Set<String>()
        return messages.filter { seen.insert("\($0.to.lowercased())\u{0}\($0.subject)\u{0}\($0.text)").inserted }
    }
}

/// How one message of a batch went.
public enum DeliveryResult: Sendable, Equatable {
    case sent
    /// `permanent`: the relay refused it for good (5xx); otherwise it may go later.
    case failed(permanent: Bool, reason: String)
}

/// A message the relay would not take, with its reply.
public struct MailDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var permanent: Bool
    public var reason: String

    public init(permanent: Bool, reason: String) {
        self.permanent = permanent
        self.reason = reason
    }

    public var description: String { reason }
}

/// Where mail goes. Injected, so tests read what would have been sent instead of sending it.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
    /// Sends several messages. `willSend` is awaited just before a message is handed over (so a caller
    /// can note it is going out), `record` is told how each went as soon as it is known. SMTP reuses
    /// one connection for the batch. Throws `MailDeliveryError` when the transport itself fails (the
    /// relay unreachable or refusing sign-in): messages not recorded were not sent.
    func sendBatch(
        _ messages: [MailMessage], willSend: @Sendable (Int) async throws -> Void,
        record: @Sendable (Int, DeliveryResult) async throws -> Void
    ) async throws
}

extension MailTransport {
    public func sendBatch(
        _ messages: [MailMessage], willSend: @Sendable (Int) async throws -> Void,
        record: @Sendable (Int, DeliveryResult) async throws -> Void
    ) async throws {
        for (index, message) in messages.enumerated() {
            try await willSend(index)
            do {
                try await send(message)
                try await record(index, .sent)
            } catch let error as MailDeliveryError {
                try await record(index, .failed(permanent: error.permanent, reason: error.reason))
            }
        }
    }
}

/// Writes each message as an `.eml` file in a folder (an outbox a person or a relay can pick up).
public struct OutboxMailTransport: MailTransport {
    public let directory: URL
    public let from: String
    public let clock: WallClock

    public init(directory: URL, from: String, clock: WallClock = .system) {
        self.directory = directory
        self.from = from
        self.clock = clock
    }

    public func send(_ message: MailMessage) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = clock.now()
        let id = UUID().uuidString.lowercased()
        let file = directory.appendingPathComponent("\(Int(now.timeIntervalSince1970))-\(id).eml")
        let bytes = MIMEWriter.render(message, from: from, date: now)
        try Data(bytes.utf8).write(to: file, options: .atomic)
    }
}

/// Builds the absolute addresses written into emails, from the service's public base URL.
public struct Links: Sendable, Equatable {
    public var baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    public func url(_ path: String) -> String { baseURL + path }
}

/// Reads where mail goes from `--mail` / `SGPST_MAIL`: `outbox:DIR` (one .eml file per message) or
/// `smtp://[user:password@]host:port[?starttls=required][&ca=FILE]`.
public enum MailSettings {
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static let demoDefault = "outbox:./outbox"

    public static func transport(_ spec: String, from: String, clock: WallClock = .system) throws -> any MailTransport {
        if spec.hasPrefix("outbox:") {
            let folder = String(spec.dropFirst("outbox:".count))
            guard !folder.isEmpty else { throw Invalid(description: "Name the outbox folder, like outbox:./outbox") }
            return OutboxMailTransport(directory: URL(fileURLWithPath: folder), from: from, clock: clock)
        }
        guard let url = URLComponents(string: spec), url.scheme?.lowercased() == "smtp", let host = url.host, !host.isEmpty
        else {
            throw Invalid(
                description: "Give the mail setting as outbox:DIR or smtp://[user:password@]host:port[?starttls=required]")
        }
        let query = Dictionary((url.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { $1 })
        let startTLS = query["starttls"]?.lowercased()
        guard startTLS == nil || startTLS == "required" || startTLS == "none" else {
            throw Invalid(description: "starttls must be required or none")
        }
        var credentials: SMTPConversation.Credentials?
        if let user = url.user, !user.isEmpty {
            credentials = .init(
                username: user.removingPercentEncoding ?? user,
                password: (url.password ?? "").removingPercentEncoding ?? url.password ?? "")
        }
        return SMTPMailTransport(
            configuration: .init(
                host: host, port: url.port ?? 25, requireTLS: startTLS == "required", credentials: credentials,
                trustedCertificatesFile: query["ca"], from: from),
            clock: clock)
    }
}
