import Foundation

/// One reply from an SMTP server: its code and text lines (several for a multi-line reply).
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    var text: String { "\(code) " + lines.joined(separator: " / ") }
    var isPositive: Bool { (200..<400).contains(code) }
    var isPermanentFailure: Bool { (500..<600).contains(code) }
}

/// The client side of an SMTP session as a state machine with no I/O: fed each reply, it answers
/// what to do next. It greets (EHLO), upgrades with STARTTLS when required, authenticates (PLAIN or
/// LOGIN), then sends each message of the batch over the one connection, resetting after a refused
/// one, and quits. The network driver only carries out its actions.
public struct SMTPConversation: Sendable {
    public struct Envelope: Sendable, Equatable {
        public var from: String
        public var to: String
        /// The whole message (headers and body), CRLF line endings.
        public var data: String

        public init(from: String, to: String, data: String) {
            self.from = from
            self.to = to
            self.data = data
        }
    }

    public struct Credentials: Sendable, Equatable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public enum Action: Sendable, Equatable {
        /// Write one command line (CRLF is added by the driver).
        case send(String)
        /// Write message `index`'s data, dot-stuffed and ending in CRLF.CRLF.
        case sendData(Int, String)
        /// Put TLS under the connection, then call `tlsEstablished()`.
        case startTLS
        case delivered(Int)
        case refused(Int, permanent: Bool, reply: String)
        /// The session is over; close the connection.
        case close
        /// The session cannot go on; messages not yet answered were not sent.
        case fail(String)
    }

    enum State: Sendable, Equatable {
        case greeting, ehlo, startTLS, authenticating, authLoginUsername, authLoginPassword
        case mailFrom(Int), rcptTo(Int), data(Int), body(Int), reset(Int)
        case quit, finished
    }

    let heloName: String
    let requireTLS: Bool
    let credentials: Credentials?
    let envelopes: [Envelope]
    private(set) var state: State = .greeting
    private(set) var tlsActive = false

    public init(heloName: String, requireTLS: Bool, credentials: Credentials?, envelopes: [Envelope]) {
        self.heloName = heloName
        self.requireTLS = requireTLS
        self.credentials = credentials
        self.envelopes = envelopes
    }

    public mutating func receive(_ reply: SMTPReply) -> [Action] {
        if reply.code == 421 { return finish(with: .fail("The relay closed the session: \(reply.text)")) }
        switch state {
        case .greeting:
            guard reply.code == 220 else { return finish(with: .fail("The relay did not greet us: \(reply.text)")) }
            state = .ehlo
            return [.send("EHLO \(heloName)")]
        case .ehlo:
            guard reply.code == 250 else { return finish(with: .fail("The relay refused EHLO: \(reply.text)")) }
            let extensions = reply.lines.dropFirst().map { $0.uppercased() }
            if requireTLS && !tlsActive {
                guard extensions.contains(where: { $0.hasPrefix("STARTTLS") }) else {
                    return finish(with: .fail("The relay does not offer STARTTLS, which the configuration requires"))
                }
                state = .startTLS
                return [.send("STARTTLS")]
            }
            guard let credentials else { return nextMessage(0) }
            let methods = Set(
                extensions.filter { $0.hasPrefix("AUTH") }.flatMap {
                    $0.split(whereSeparator: { $0 == " " || $0 == "=" }).dropFirst()
                }
                .map(String.init))
            if methods.contains("PLAIN") {
                state = .authenticating
                let token = Data("\0\(credentials.username)\0\(credentials.password)".utf8).base64EncodedString()
                return [.send("AUTH PLAIN \(token)")]
            }
            if methods.contains("LOGIN") {
                state = .authLoginUsername
                return [.send("AUTH LOGIN")]
            }
            return finish(with: .fail("The relay offers no sign-in method we use (PLAIN or LOGIN)"))
        case .startTLS:
            guard reply.code == 220 else { return finish(with: .fail("The relay refused STARTTLS: \(reply.text)")) }
            return [.startTLS]
        case .authLoginUsername:
            guard reply.code == 334, let credentials else { return finish(with: .fail("Sign-in refused: \(reply.text)")) }
            state = .authLoginPassword
            return [.send(Data(credentials.username.utf8).base64EncodedString())]
        case .authLoginPassword:
            guard reply.code == 334, let credentials else { return finish(with: .fail("Sign-in refused: \(reply.text)")) }
            state = .authenticating
            return [.send(Data(credentials.password.utf8).base64EncodedString())]
        case .authenticating:
            guard reply.code == 235 else { return finish(with: .fail("Sign-in refused: \(reply.text)")) }
            return nextMessage(0)
        case .mailFrom(let index):
            guard reply.code == 250 else { return refuse(index, reply, reset: true) }
            state = .rcptTo(index)
            return [.send("RCPT TO:<\(envelopes[index].to)>")]
        case .rcptTo(let index):
            guard reply.code == 250 || reply.code == 251 else { return refuse(index, reply, reset: true) }
            state = .data(index)
            return [.send("DATA")]
        case .data(let index):
            guard reply.code == 354 else { return refuse(index, reply, reset: true) }
            state = .body(index)
            return [.sendData(index, Self.dotStuffed(envelopes[index].data))]
        case .body(let index):
            guard reply.code == 250 else { return refuse(index, reply, reset: false) }
            return [.delivered(index)] + nextMessage(index + 1)
        case .reset(let index):
            guard reply.code == 250 else { return finish(with: .fail("The relay refused RSET: \(reply.text)")) }
            return nextMessage(index + 1)
        case .quit:
            state = .finished
            return [.close]
        case .finished:
            return []
        }
    }

    /// TLS is up: greet again, as RFC 3207 requires.
    public mutating func tlsEstablished() -> [Action] {
        tlsActive = true
        state = .ehlo
        return [.send("EHLO \(heloName)")]
    }

    private mutating func nextMessage(_ index: Int) -> [Action] {
        guard index < envelopes.count else {
            state = .quit
            return [.send("QUIT")]
        }
        state = .mailFrom(index)
        return [.send("MAIL FROM:<\(envelopes[index].from)>")]
    }

    private mutating func refuse(_ index: Int, _ reply: SMTPReply, reset: Bool) -> [Action] {
        let refused = Action.refused(index, permanent: reply.isPermanentFailure, reply: reply.text)
        if reset {
            state = .reset(index)
            return [refused, .send("RSET")]
        }
        return [refused] + nextMessage(index + 1)
    }

    private mutating func finish(with action: Action) -> [Action] {
        state = .finished
        return [action, .close]
    }

    /// RFC 5321 transparency: a line starting with a dot gets another; the data ends with CRLF.CRLF.
    static func dotStuffed(_ data: String) -> String {
        var lines = data.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}
