import Foundation

/// An email the service sends: plain text always, HTML optionally.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var toName: String?
    public var subject: String
    public var text: String
    public var headers: [String: String]

    public init(to: String, toName: String? = nil, subject: String, text: String, headers: [String: String] = [:]) {
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.headers = headers
    }
}

/// Where mail goes. Injected, so tests read what would have been sent instead of sending it.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
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
        let id = UUID().uuidString.lowercased()
        let file = directory.appendingPathComponent("\(Int(clock.now().timeIntervalSince1970))-\(id).eml")
        try Data(Self.render(message, from: from, id: id, date: clock.now()).utf8).write(to: file, options: .atomic)
    }

    /// RFC 5322 text: UTF-8 body as quoted-printable would be ideal; 8bit is accepted by every relay we target.
    static func render(_ message: MailMessage, from: String, id: String, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.split(separator: "@").last.map(String.init) ?? "localhost"
        var lines = [
            "From: \(from)",
            "To: \(message.toName.map { "\(encodedWord($0)) <\(message.to)>" } ?? message.to)",
            "Subject: \(encodedWord(message.subject))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(id)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        for (name, value) in message.headers.sorted(by: { $0.key < $1.key }) { lines.append("\(name): \(value)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + message.text.replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// RFC 2047 encoded-word for non-ASCII header text.
    static func encodedWord(_ text: String) -> String {
        text.allSatisfy(\.isASCII) ? text : "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
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
