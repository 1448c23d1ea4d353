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
    /// The token every form on this page must echo back, set by `CSRFMiddleware`.
    public var csrfToken: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        let peer = source.channel.remoteAddress?.ipAddress ?? "local"
        self.peerAddress = peer
        self.remoteAddress = peer
    }

    public var principal: Principal? { session?.principal }

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

/// Thrown when a route needs a signed-in person and there is none.
struct AuthenticationRequired: Error {}
