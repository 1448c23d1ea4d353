import Hummingbird
import SGPSupport

/// Per-request state: who is signed in (if anyone) and the CSRF token forms must carry.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The TCP peer's address ("local" when there is none, as when tests send no packets).
    public let peerAddress: String
    /// The client's address, for the sign-in limits: the peer, or behind a trusted proxy the address
    /// the proxy was reached from (set by `ClientAddressMiddleware`).
    public var remoteAddress: String
    /// The signed-in session, set by `AuthenticationMiddleware`.
    public var session: ActiveSession?
    /// The raw session token or bearer token presented with this request.
    public var sessionToken: String?
    /// Which session, and by which kind of credential, `session` was found: set by
    /// `AuthenticationMiddleware` only when a session was found, so it never names a header's raw value.
    public var authentication: AuthenticatedSession?
    /// The token every form on this page must echo back, set by `CSRFMiddleware`.
    public var csrfToken: String?
    /// This request's id, answered in `X-Request-Id` and on its log line (`RequestLogMiddleware`).
    public var requestId = ""
    /// A trusted proxy says the client reached it over https (`X-Forwarded-Proto`).
    public var forwardedHTTPS = false

    /// Whether cookies are Secure and HSTS is sent: the public address is https, or a trusted proxy
    /// says this request came over https.
    public func usesHTTPS(_ configured: Bool) -> Bool { configured || forwardedHTTPS }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        let peer = source.channel.remoteAddress?.ipAddress ?? "local"
        self.peerAddress = peer
        self.remoteAddress = peer
    }

    public var principal: Principal? { session?.principal }

    /// The largest body read: Hummingbird's 2 MiB for forms and JSON, but for the routes that take
    /// a document (`DocumentsController.documentBodies`, named as the router names them) the largest
    /// document and the form around it. Every reader of a body (the CSRF check, the form and JSON
    /// readers) asks this, so the other routes keep their limit.
    public var maxUploadSize: Int {
        DocumentsController.documentBodies.contains(endpointPath ?? "")
            ? DocumentsController.documentBodyLimit : Self.formBodyLimit
    }

    static let formBodyLimit = 2 * 1024 * 1024

    /// The signed-in person, or an `AuthenticationRequired` error for the error middleware to answer.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw AuthenticationRequired() }
        return principal
    }

    /// Checks the one access policy, throwing 403 when it says no.
    @discardableResult
    public func require(_ action: Action) throws -> Principal {
        let principal = try requirePrincipal()
        try AccessPolicy.require(principal, action)
        return principal
    }
}

/// The session a request was authenticated by: what anything kept per sign-in (the response cache)
/// is keyed on, rather than on a header the client sent.
public struct AuthenticatedSession: Hashable, Sendable {
    public enum Credential: Hashable, Sendable {
        /// The web session cookie (pages).
        case sessionCookie
        /// A bearer token (the API under `/api`).
        case bearerToken
    }

    public var credential: Credential
    /// The session's id: the digest the database keeps it under, never the secret itself.
    public var sessionId: String
    public var userId: Int64

    init(credential: Credential, token: String, session: ActiveSession) {
        self.credential = credential
        self.sessionId = SecretToken.digest(token)
        self.userId = session.principal.userId
    }
}

/// Thrown when a route needs a signed-in person and there is none.
struct AuthenticationRequired: Error {}
