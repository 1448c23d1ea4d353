import Foundation
import GRDB
import Synchronization

/// A signed-in web session or an API bearer token. Only the digest of the secret is stored, so a
/// copy of the database opens no sessions.
struct AuthSession: Codable, Sendable, FetchableRecord, PersistableRecord {
    enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        case web, api
    }

    var tokenDigest: String
    var userId: Int64
    var kind: Kind
    var csrfToken: String
    var createdAt: Date
    var lastSeenAt: Date

    enum Columns {
        static let tokenDigest = Column(CodingKeys.tokenDigest)
        static let userId = Column(CodingKeys.userId)
        static let kind = Column(CodingKeys.kind)
    }
}

/// How long sessions live. Web: 30 minutes idle, 12 hours in all (ASVS level 2). API tokens serve
/// scripts, so they idle for a week and last 30 days.
public struct SessionLifetimes: Sendable {
    public var webIdle: TimeInterval = 30 * 60
    public var webAbsolute: TimeInterval = 12 * 60 * 60
    public var apiIdle: TimeInterval = 7 * 24 * 60 * 60
    public var apiAbsolute: TimeInterval = 30 * 24 * 60 * 60
    /// Last-seen times are written at most this often, so reads stay reads.
    public var touchInterval: TimeInterval = 60

    public init() {}

    func limits(for kind: AuthSession.Kind) -> (idle: TimeInterval, absolute: TimeInterval) {
        switch kind {
        case .web: (webIdle, webAbsolute)
        case .api: (apiIdle, apiAbsolute)
        }
    }
}

/// A session just issued: the secret goes to the client once and is never stored.
public struct IssuedSession: Sendable {
    public var token: String
    public var csrfToken: String
    public var principal: Principal
}

/// A session presented by a client and found valid.
public struct ActiveSession: Sendable {
    public var principal: Principal
    public var csrfToken: String
}

/// What a `signInFailure` row counts: a password (also an attempt whose check is under way), a
/// wrong authenticator code, a set-password link that was not valid, or a password-reset request
/// (counted apart, under its own limit, so the form cannot flood inboxes nor lock anyone's sign-in).
enum SignInFailureKind: String, Sendable {
    case password, code, link, reset
}

/// How far the sign-in limits let an attempt go.
enum SignInGate: Sendable, Equatable {
    /// Under every limit.
    case open
    /// The email reached its limit through wrong passwords: only the right password with a valid
    /// code gets through, and any failure answers as the lock does.
    case codeOnly
}

/// The sign-in limits: failures per email and per network address within a window.
public struct SignInLimits: Sendable {
    public var window: TimeInterval = 15 * 60
    public var failuresPerEmail = 5
    public var failuresPerAddress = 20

    public init() {}
}

extension AppDatabase {
    public enum SessionKind: Sendable {
        case web, api

        var stored: AuthSession.Kind { self == .web ? .web : .api }
    }

    /// Checks a password (and, where the sign-in needs one, the authenticator code) and opens a new
    /// session (always a new id). Throws `secondFactorNeeded` when a code is needed and none came.
    public func signIn(
        email rawEmail: String, password: String, code: String? = nil, from address: String, kind: SessionKind,
        limits: SignInLimits = SignInLimits()
    ) async throws -> IssuedSession {
        switch try await beginSignIn(email: rawEmail, password: password, code: code, from: address, kind: kind, limits: limits)
        {
        case .signedIn(let session): return session
        case .secondFactorNeeded: throw DomainError.secondFactorNeeded
        }
    }

    /// The web's first step: the password, then either a session or a challenge for the code page.
    /// With a code given (the API, or the web while passwords are locked), the code is checked at
    /// once and no challenge is opened.
    public func beginSignIn(
        email rawEmail: String, password: String, code: String? = nil, from address: String, kind: SessionKind,
        limits: SignInLimits = SignInLimits()
    ) async throws -> SignInOutcome {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let now = clock.now()
        // The attempt is counted before the slow check, in the transaction that checks the limits:
        // attempts sent at once each see the others, so no more than the limit are ever checked.
        let (user, attemptId, gate) = try await write { db -> (User?, Int64, SignInGate) in
            let opened = try Self.signInGate(db, email: email, address: address, codeGiven: code != nil, at: now, limits: limits)
            let row = try Self.recordFailure(db, email: email, address: address, kind: .password, at: now)
            return (try User.filter(User.Columns.email == email).fetchOne(db), row, opened)
        }
        // Check against a hash even when there is no such user, so timing does not reveal accounts.
        let hash = user?.passwordHash ?? passwords.unmatchableHash
        let passwordIsRight = await passwords.verify(password, against: hash) && user?.passwordHash != nil
        let secondFactorRoles = self.secondFactorRoles
        let locked = DomainError.tooManyAttempts(retryAfterSeconds: Int(limits.window))
        let outcome: Result<SignInOutcome, DomainError> = try await write { db in
            // While passwords are locked every failure answers as the lock does, so a guess learns
            // nothing about the password unless the code is right too.
            let codeOnly = gate == .codeOnly
            guard let user, passwordIsRight, user.disabledAt == nil else {
                ServiceMetrics.signInFailures[SignInFailureKind.password.rawValue]?.increment()
                return .failure(codeOnly ? locked : .invalidCredentials)  // the attempt's row stays as the failure
            }
            try db.execute(sql: "DELETE FROM signInFailure WHERE id = ?", arguments: [attemptId])
            let principal = try Principal.load(db, user: user)
            if Self.needsSecondFactor(principal, roles: secondFactorRoles) {
                let factor = try SecondFactor.fetchOne(db, key: user.id!)
                let confirmed = factor?.confirmedAt != nil
                guard let code else {
                    if kind == .api { return .failure(confirmed ? .secondFactorNeeded : .secondFactorNotSetUp) }
                    return .success(
                        .secondFactorNeeded(challenge: try Self.openChallenge(db, for: user, factor: factor, at: now)))
                }
                // An authenticator is set up on the web, where its key can be shown.
                guard confirmed else { return .failure(codeOnly ? locked : .secondFactorNotSetUp) }
                // Wrong codes are limited on their own; counted again now, as others may have failed meanwhile.
                if try Self.codeFailures(db, email: user.email, at: now, limits: limits) >= limits.failuresPerEmail {
                    return .failure(locked)
                }
                do {
                    try Self.acceptCode(db, factor: factor, user: user, code: code, at: now, from: address)
                } catch let error as DomainError {
                    return .failure(codeOnly ? locked : error)  // the failure row commits; only the sign-in is refused
                }
            } else if codeOnly {
                return .failure(locked)  // no second factor to lift the lock with
            }
            return .success(.signedIn(try Self.finishSignIn(db, user: user, kind: kind.stored, at: now)))
        }
        return try outcome.get()
    }

    /// How far the limits let a sign-in go, checked in the write transaction that then counts the
    /// attempt. Refuses once a network address has failed too often, or an email has, unless a code
    /// comes with the password and the failures were not wrong codes: five wrong passwords then
    /// lock the password alone, yet the person with the phone still signs in.
    static func signInGate(
        _ db: Database, email: String?, address: String, codeGiven: Bool, at now: Date, limits: SignInLimits
    ) throws -> SignInGate {
        let since = now.addingTimeInterval(-limits.window)
        let byAddress =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM signInFailure WHERE address = ? AND kind != 'reset' AND at > ?",
                arguments: [address, since]) ?? 0
        if byAddress >= limits.failuresPerAddress {
            ServiceMetrics.signInRefusals.increment()
            ServiceMetrics.signInRefusals.increment()
            throw DomainError.tooManyAttempts(retryAfterSeconds: Int(limits.window))
        }
        guard let email else { return .open }
        let byEmail =
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM signInFailure WHERE email = ? AND kind IN ('password', 'code') AND at > ?",
                arguments: [email, since]) ?? 0
        if byEmail < limits.failuresPerEmail { return .open }
        if codeGiven, try codeFailures(db, email: email, at: now, limits: limits) < limits.failuresPerEmail { return .codeOnly }
        throw DomainError.tooManyAttempts(retryAfterSeconds: Int(limits.window))
    }

    /// Wrong authenticator codes for an email within the window.
    static func codeFailures(_ db: Database, email: String, at now: Date, limits: SignInLimits) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM signInFailure WHERE email = ? AND kind = 'code' AND at > ?",
            arguments: [email, now.addingTimeInterval(-limits.window)]) ?? 0
    }

    /// Writes a failure (or an attempt not yet checked) and answers its row id.
    @discardableResult
    static func recordFailure(_ db: Database, email: String, address: String, kind: SignInFailureKind, at now: Date) throws
        -> Int64
    {
        try db.execute(
            sql: "INSERT INTO signInFailure (email, address, at, kind) VALUES (?, ?, ?, ?)",
            arguments: [email, address, now, kind.rawValue])
        return db.lastInsertedRowID
    }

    /// Every check passed: forget the failures, record the sign-in, open the session.
    static func finishSignIn(_ db: Database, user: User, kind: AuthSession.Kind, at now: Date) throws -> IssuedSession {
        try db.execute(sql: "DELETE FROM signInFailure WHERE email = ?", arguments: [user.email])
        try AuditEvent.record(
            db, at: now, actor: .user(id: user.id!, email: user.email), entity: "user", entityId: user.id, action: "sign-in")
        return try openSession(db, for: user, kind: kind, at: now)
    }

    private static func openSession(_ db: Database, for user: User, kind: AuthSession.Kind, at now: Date) throws -> IssuedSession
    {
        let token = SecretToken.generate()
        let session = AuthSession(
            tokenDigest: SecretToken.digest(token), userId: user.id!, kind: kind,
            csrfToken: SecretToken.generate(), createdAt: now, lastSeenAt: now)
        try session.insert(db)
        return IssuedSession(token: token, csrfToken: session.csrfToken, principal: try Principal.load(db, user: user))
    }

    /// The session a token opens, or nil when it is unknown, expired or its user is disabled.
    public func activeSession(
        token: String, kind: SessionKind, lifetimes: SessionLifetimes = SessionLifetimes()
    ) async throws -> ActiveSession? {
        let digest = SecretToken.digest(token)
        let now = clock.now()
        let limits = lifetimes.limits(for: kind.stored)
        // One read per request: the session, its user and their roles together; none while nothing
        // has been written since the last read of this session (expiry is still judged each time).
        let generation = writeGeneration
        let found: SessionLookup?
        if let known = sessionLookups.value(digest, generation: generation) {
            found = known
        } else {
            found = try await read { db -> SessionLookup? in
                guard let session = try AuthSession.fetchOne(db, key: digest), session.kind == kind.stored,
                    let user = try User.fetchOne(db, id: session.userId)
                else { return nil }
                return SessionLookup(session: session, user: user, principal: try Principal.load(db, user: user))
            }
            if let found { sessionLookups.store(digest, generation: generation, found) }
        }
        guard let (session, user, principal) = found.map({ ($0.session, $0.user, $0.principal) }) else { return nil }
        let expired =
            now.timeIntervalSince(session.lastSeenAt) > limits.idle
            || now.timeIntervalSince(session.createdAt) > limits.absolute
        if expired || user.disabledAt != nil {
            _ = try await write { db in try AuthSession.deleteOne(db, key: digest) }
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > lifetimes.touchInterval {
            try await write { db in
                try db.execute(
                    sql: "UPDATE authSession SET lastSeenAt = ? WHERE tokenDigest = ?", arguments: [now, digest])
            }
        }
        return ActiveSession(principal: principal, csrfToken: session.csrfToken)
    }

    /// Ends one session or token.
    public func endSession(token: String) async throws {
        let digest = SecretToken.digest(token)
        _ = try await write { db in try AuthSession.deleteOne(db, key: digest) }
    }

    /// Ends every session (and, with `.api`, every token) a user holds.
    public func endAllSessions(userId: Int64, kind: SessionKind, by actor: Actor) async throws {
        let now = clock.now()
        try await write { db in
            try AuthSession
                .filter(AuthSession.Columns.userId == userId && AuthSession.Columns.kind == kind.stored)
                .deleteAll(db)
            try AuditEvent.record(db, at: now, actor: actor, entity: "user", entityId: userId, action: "sign-out")
        }
    }
}

/// A session as read, with its user and roles.
struct SessionLookup: Sendable {
    var session: AuthSession
    var user: User
    var principal: Principal
}

/// Sessions read since the last write: sessions, users and roles change only by writes, so an
/// entry of the current write count is what a read would answer. Entries also last at most two
/// seconds, so a change made by another process (disabling a user at the command line) counts.
final class SessionLookupCache: Sendable {
    private let entries = Mutex<[String: (generation: Int, at: ContinuousClock.Instant, lookup: SessionLookup)]>([:])
    private let capacity = 10_000
    private let lifetime = Duration.seconds(2)

    func value(_ digest: String, generation: Int) -> SessionLookup? {
        entries.withLock { entries in
            guard let entry = entries[digest], entry.generation == generation, ContinuousClock.now - entry.at < lifetime
            else { return nil }
            return entry.lookup
        }
    }

    func store(_ digest: String, generation: Int, _ lookup: SessionLookup) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[digest] = (generation, ContinuousClock.now, lookup)
        }
    }
}
