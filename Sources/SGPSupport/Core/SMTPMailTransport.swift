import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Sends mail through an SMTP relay on SwiftNIO: one connection per batch, STARTTLS and AUTH as
/// configured, a 4xx answer retried with backoff on a new connection, a 5xx answer recorded.
public struct SMTPMailTransport: MailTransport {
    public struct Configuration: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var requireTLS: Bool
        public var credentials: SMTPConversation.Credentials?
        /// A PEM file of certificates to trust instead of the system's (a relay with its own CA).
        public var trustedCertificatesFile: String?
        public var from: String
        public var heloName: String
        /// Tries per message for temporary failures, and the wait before the first retry (doubling).
        public var maxAttempts: Int
        public var retryDelay: Duration
        public var replyTimeout: TimeAmount

        public init(
            host: String, port: Int, requireTLS: Bool = false, credentials: SMTPConversation.Credentials? = nil,
            trustedCertificatesFile: String? = nil, from: String, heloName: String = "sgpst", maxAttempts: Int = 3,
            retryDelay: Duration = .seconds(2), replyTimeout: TimeAmount = .seconds(60)
        ) {
            self.host = host
            self.port = port
            self.requireTLS = requireTLS
            self.credentials = credentials
            self.trustedCertificatesFile = trustedCertificatesFile
            self.from = from
            self.heloName = heloName
            self.maxAttempts = maxAttempts
            self.retryDelay = retryDelay
            self.replyTimeout = replyTimeout
        }
    }

    public let configuration: Configuration
    let clock: WallClock

    public init(configuration: Configuration, clock: WallClock = .system) {
        self.configuration = configuration
        self.clock = clock
    }

    public func send(_ message: MailMessage) async throws {
        let outcome = Mutex<DeliveryResult?>(nil)
        try await sendBatch([message], willSend: { _ in }, record: { _, result in outcome.withLock { $0 = result } })
        if case .failed(let permanent, let reason) = outcome.withLock({ $0 }) ?? .failed(permanent: false, reason: "Not sent") {
            throw MailDeliveryError(permanent: permanent, reason: reason)
        }
    }

    public func sendBatch(
        _ messages: [MailMessage], willSend: @Sendable (Int) async throws -> Void,
        record: @Sendable (Int, DeliveryResult) async throws -> Void
    ) async throws {
        var waiting = Array(messages.indices)
        var lastReason: [Int: String] = [:]
        var relayFailure: String?
        var delay = configuration.retryDelay
        for attempt in 1...max(1, configuration.maxAttempts) {
            if waiting.isEmpty { break }
            if attempt > 1 {
                try await Task.sleep(for: delay)
                delay *= 2
            }
            let envelopes = waiting.map { index in
                SMTPConversation.Envelope(
                    from: Self.mailbox(MailSender.parse(configuration.from)?.address ?? configuration.from),
                    to: Self.mailbox(messages[index].to),
                    data: MIMEWriter.render(messages[index], from: configuration.from, date: clock.now()))
            }
            var answered = Set<Int>()
            var retry: [Int] = []
            relayFailure = nil
            do {
                let events = try await converse(envelopes)
                for try await event in events {
                    switch event {
                    case .willSend(let position, let proceed):
                        do {
                            try await willSend(waiting[position])
                        } catch {
                            proceed.fail(error)
                            throw RecordFailure(underlying: error)
                        }
                        proceed.succeed()
                    case .delivered(let position):
                        answered.insert(position)
                        try await Self.saving { try await record(waiting[position], .sent) }
                    case .refused(let position, let permanent, let reply):
                        answered.insert(position)
                        if permanent || attempt == configuration.maxAttempts {
                            try await Self.saving {
                                try await record(waiting[position], .failed(permanent: permanent, reason: reply))
                            }
                        } else {
                            lastReason[waiting[position]] = reply
                            retry.append(waiting[position])
                        }
                    }
                }
            } catch let failure as RecordFailure {
                // The caller could not save an outcome: stop, rather than risk sending anything twice.
                throw failure.underlying
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // Could not connect, or the session broke off: everything unanswered tries again.
                relayFailure = (error as? SMTPSessionError)?.reason ?? "Could not reach the relay: \(error)"
            }
            let unanswered = waiting.indices.filter { !answered.contains($0) }.map { waiting[$0] }
            waiting = (retry + unanswered).sorted()
        }
        // The relay itself would not take mail (unreachable, sign-in or TLS refused): that is no
        // recipient's failure. Stop with the reason; what was not sent stays to send when it is fixed.
        if let relayFailure, !waiting.isEmpty { throw MailDeliveryError(permanent: false, reason: relayFailure) }
        for index in waiting {
            try await record(index, .failed(permanent: false, reason: lastReason[index] ?? "Not sent"))
        }
    }

    private struct RecordFailure: Error {
        var underlying: any Error
    }

    private static func saving(_ body: () async throws -> Void) async throws {
        do { try await body() } catch { throw RecordFailure(underlying: error) }
    }

    /// One SMTP session over one connection, as a stream of per-message answers.
    private func converse(_ envelopes: [SMTPConversation.Envelope]) async throws -> AsyncThrowingStream<SMTPEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<SMTPEvent, any Error>.makeStream()
        let conversation = SMTPConversation(
            heloName: configuration.heloName, requireTLS: configuration.requireTLS, credentials: configuration.credentials,
            envelopes: envelopes)
        let tls: NIOSSLContext? =
            configuration.requireTLS ? try Self.tlsContext(trusting: configuration.trustedCertificatesFile) : nil
        let host = configuration.host
        let timeout = configuration.replyTimeout
        _ = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(15))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPClientHandler(conversation: conversation, tls: tls, serverHostname: host, events: continuation))
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        return stream
    }

    static func tlsContext(trusting file: String?) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file)) }
        return try NIOSSLContext(configuration: tls)
    }

    /// An address fit for MAIL FROM / RCPT TO: nothing that could end the command or the path.
    static func mailbox(_ address: String) -> String {
        address.filter { !$0.isNewline && !"<> \t".contains($0) && ($0.asciiValue.map { $0 >= 32 } ?? true) }
    }
}

/// What a session tells the transport about each message.
enum SMTPEvent: Sendable {
    /// The relay is ready for the message's data: it is written once the caller has noted it.
    case willSend(Int, EventLoopPromise<Void>)
    case delivered(Int)
    case refused(Int, permanent: Bool, reply: String)
}

/// The session ended early (refused sign-in, no STARTTLS, the relay went away).
struct SMTPSessionError: Error, Sendable {
    var reason: String
}

/// Splits the byte stream into replies, joining the lines of a multi-line reply (`250-...`, `250 ...`).
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    private var pending: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4096 { throw SMTPSessionError(reason: "The relay sent a line longer than 4096 bytes") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        var line = buffer.readString(length: length) ?? ""
        // "\r\n" is one Character in Swift: strip by newline-ness, not by comparing with "\n".
        while line.last?.isNewline == true { line.removeLast() }
        let characters = Array(line)
        guard characters.count >= 3, let code = Int(String(characters[0..<3])) else {
            throw SMTPSessionError(reason: "The relay sent something that is not an SMTP reply: \(line.prefix(80))")
        }
        pending.append(characters.count > 4 ? String(characters[4...]) : "")
        if characters.count > 3 && characters[3] == "-" { return .continue }
        let reply = SMTPReply(code: code, lines: pending)
        pending = []
        context.fireChannelRead(wrapInboundOut(reply))
        return .continue
    }
}

/// Carries out the conversation's actions on the channel and reports each message's answer.
final class SMTPClientHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = SMTPReply
    typealias OutboundOut = ByteBuffer

    private var conversation: SMTPConversation
    private let tls: NIOSSLContext?
    private let serverHostname: String
    private let events: AsyncThrowingStream<SMTPEvent, any Error>.Continuation
    private var finished = false

    init(
        conversation: SMTPConversation, tls: NIOSSLContext?, serverHostname: String,
        events: AsyncThrowingStream<SMTPEvent, any Error>.Continuation
    ) {
        self.conversation = conversation
        self.tls = tls
        self.serverHostname = serverHostname
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        perform(conversation.receive(unwrapInboundIn(data)), context: context)
    }

    private func perform(_ actions: [SMTPConversation.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let line):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: line + "\r\n")), promise: nil)
            case .sendData(let index, let data):
                let proceed = context.eventLoop.makePromise(of: Void.self)
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                proceed.futureResult.whenComplete { result in
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success:
                        context.writeAndFlush(handler.wrapOutboundOut(ByteBuffer(string: data)), promise: nil)
                    case .failure(let error):
                        handler.end(error: error, context: context)
                    }
                }
                events.yield(.willSend(index, proceed))
            case .startTLS:
                do {
                    guard let tls else { throw SMTPSessionError(reason: "TLS was not configured") }
                    let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                    try context.pipeline.syncOperations.addHandler(handler, position: .first)
                    perform(conversation.tlsEstablished(), context: context)
                } catch {
                    end(error: SMTPSessionError(reason: "Could not start TLS: \(error)"), context: context)
                }
            case .delivered(let index):
                events.yield(.delivered(index))
            case .refused(let index, let permanent, let reply):
                events.yield(.refused(index, permanent: permanent, reply: reply))
            case .close:
                end(error: nil, context: context)
            case .fail(let reason):
                end(error: SMTPSessionError(reason: reason), context: context)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            end(error: SMTPSessionError(reason: "The relay stopped answering"), context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(error: error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(error: SMTPSessionError(reason: "The relay closed the connection"), context: context)
    }

    fileprivate func end(error: (any Error)?, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        if let error { events.finish(throwing: error) } else { events.finish() }
        context.close(promise: nil)
    }
}
