import Foundation
import GRDB
import HummingbirdOTP

/// A sign-in's authenticator app (TOTP, RFC 6238: six digits, 30-second steps, SHA-1, as every
/// authenticator app expects). `lastUsedStep` is the step of the last code accepted: a code is taken
/// only for a later step, so each code works once.
struct SecondFactor: Codable, Sendable, FetchableRecord, PersistableRecord {
    var userId: Int64
    /// The shared secret as text; its UTF-8 bytes are the HMAC key (HummingbirdOTP's convention).
    var secret: String
    /// Nil until the first code is entered: a secret never confirmed can be shown again for set-up.
    var confirmedAt: Date?
    var lastUsedStep: Int64

    static let stepSeconds = 30
    /// One step either side of now, for a phone clock a little out.
    static let toleranceSteps: Int64 = 1

    var totp: TOTP { TOTP(secret: secret) }

    /// The `otpauth://` link an authenticator app opens; it carries the key in base32.
    func setUpLink(email: String) -> String {
        totp.createAuthenticatorURL(label: "sgpst:\(email)", issuer: "sgpst")
    }

    /// The key a person types into an authenticator app: the link's base32, in groups of four.
    static func typedKey(secret: String) -> String {
        let link = TOTP(secret: secret).createAuthenticatorURL(label: "sgpst")
        let key = Array(URLComponents(string: link)?.queryItems?.first { $0.name == "secret" }?.value ?? "")
        return stride(from: 0, to: key.count, by: 4).map { String(key[$0..<min($0 + 4, key.count)]) }
            .joined(separator: " ")
    }

    /// The step of the code that matches, when it is a later step than the last one used.
    func matchingStep(_ code: String, at now: Date) -> Int64? {
        let digits = code.filter { !$0.isWhitespace }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
        let current = Int64(now.timeIntervalSince1970) / Int64(Self.stepSeconds)
        return (current - Self.toleranceSteps...current + Self.toleranceSteps).first { step in
            step > lastUsedStep
                && totp.compute(date: Date(timeIntervalSince1970: TimeInterval(step * Int64(Self.stepSeconds)))) == value
        }
    }

    /// A new random secret: 20 characters of a system-random token, about 120 bits.
    static func newSecret() -> String {
        String(SecretToken.generate().prefix(20))
    }
}

/// A password checked, the second factor still to come: the browser holds its token in a cookie for
/// a few minutes, and the database holds only the token's digest.
struct SignInChallenge: Codable, Sendable, FetchableRecord, PersistableRecord {
    var tokenDigest: String
    var userId: Int64
    var createdAt: Date

    static let lifetime = AppDatabase.signInCodeLifetime
}

extension Role {
    /// Roles that see confidential records about doctors: their sign-ins need a second factor.
    public static let needingSecondFactor: Set<Role> = [.administrator, .liaisonOfficer, .mentor, .educationalSupervisor]
}

/// How a sign-in went: a session, or a password accepted with the second factor still to come.
public enum SignInOutcome: Sendable {
    case signedIn(IssuedSession)
    case secondFactorNeeded(challenge: String)

    /// The session, for callers that signed in with everything needed at once.
    public var session: IssuedSession? {
        if case .signedIn(let session) = self { return session }
        return nil
    }
}

/// What the second-factor page shows: the set-up key only while the authenticator is not yet confirmed.
public struct SecondFactorPrompt: Sendable {
    public var email: String
    /// Base32, in groups of four, for typing into an authenticator app.
    public var setUpKey: String?
    /// The `otpauth://` link an authenticator app on the same phone opens.
    public var setUpLink: String?
}

extension AppDatabase {
    /// How long a password stays accepted while its code is awaited (the web keeps its cookie as long).
    public static let signInCodeLifetime: TimeInterval = 5 * 60

    /// Whether this user's sign-in needs a code: a role that sees confidential records.
    static func needsSecondFactor(_ principal: Principal, roles: Set<Role>) -> Bool {
        principal.grants.contains { roles.contains($0.role) }
    }

    /// Takes a code for a user, or throws `invalidSecondFactorCode` (recorded as a failed code, so
    /// guessing meets the sign-in limits, and a lock that wrong codes caused no code can lift). The
    /// caller's transaction keeps the step used.
    static func acceptCode(
        _ db: Database, factor: SecondFactor?, user: User, code: String, at now: Date, from address: String
    ) throws {
        guard var factor else { throw DomainError.secondFactorNotSetUp }
        guard let step = factor.matchingStep(code, at: now) else {
            try Self.recordFailure(db, email: user.email, address: address, kind: .code, at: now)
            ServiceMetrics.signInFailures[SignInFailureKind.code.rawValue]?.increment()
            throw DomainError.invalidSecondFactorCode
        }
        factor.lastUsedStep = step
        if factor.confirmedAt == nil {
            factor.confirmedAt = now
            try AuditEvent.record(
                db, at: now, actor: .user(id: user.id!, email: user.email), entity: "user", entityId: user.id,
                action: "second-factor-set-up")
        }
        try factor.update(db)
    }

    /// Starts the second step of a web sign-in: a challenge, and a secret to set up if there is none.
    static func openChallenge(_ db: Database, for user: User, factor: SecondFactor?, at now: Date) throws -> String {
        if factor == nil {
            try SecondFactor(userId: user.id!, secret: SecondFactor.newSecret(), confirmedAt: nil, lastUsedStep: 0).insert(db)
        }
        try db.execute(sql: "DELETE FROM signInChallenge WHERE createdAt < ?", arguments: [now - SignInChallenge.lifetime])
        let token = SecretToken.generate()
        try SignInChallenge(tokenDigest: SecretToken.digest(token), userId: user.id!, createdAt: now).insert(db)
        return token
    }

    private func liveChallenge(_ db: Database, _ token: String) throws -> (SignInChallenge, User)? {
        guard let challenge = try SignInChallenge.fetchOne(db, key: SecretToken.digest(token)),
            clock.now().timeIntervalSince(challenge.createdAt) <= SignInChallenge.lifetime,
            let user = try User.fetchOne(db, id: challenge.userId), user.disabledAt == nil
        else { return nil }
        return (challenge, user)
    }

    /// What the code page shows for a challenge; nil when it has expired (start again at sign-in).
    public func secondFactorPrompt(challenge token: String) async throws -> SecondFactorPrompt? {
        try await read { db in
            guard let (_, user) = try self.liveChallenge(db, token),
                let factor = try SecondFactor.fetchOne(db, key: user.id!)
            else { return nil }
            guard factor.confirmedAt == nil else { return SecondFactorPrompt(email: user.email) }
            return SecondFactorPrompt(
                email: user.email, setUpKey: SecondFactor.typedKey(secret: factor.secret),
                setUpLink: factor.setUpLink(email: user.email))
        }
    }

    /// Finishes a web sign-in with the code from the authenticator app (confirming it on first use).
    /// Throws `notFound` when the challenge has expired, `invalidSecondFactorCode` for a wrong or used code.
    public func completeSignIn(
        challenge token: String, code: String, from address: String, limits: SignInLimits = SignInLimits()
    ) async throws -> IssuedSession {
        let now = clock.now()
        let outcome: Result<IssuedSession, DomainError> = try await write { db in
            guard let (challenge, user) = try self.liveChallenge(db, token) else {
                return .failure(.notFound("This sign-in has expired. Sign in again with your email address and password."))
            }
            // The challenge proves the password, so only wrong codes (or the address) stop the code now.
            _ = try Self.signInGate(db, email: user.email, address: address, codeGiven: true, at: now, limits: limits)
            do {
                try Self.acceptCode(
                    db, factor: try SecondFactor.fetchOne(db, key: user.id!), user: user, code: code, at: now, from: address)
            } catch let error as DomainError {
                // The failure is kept (the write commits); only the sign-in is refused.
                return .failure(error)
            }
            try challenge.delete(db)
            return .success(try Self.finishSignIn(db, user: user, kind: .web, at: now))
        }
        return try outcome.get()
    }

    /// Clears a user's authenticator (a lost phone): the next sign-in sets one up again.
    public func resetSecondFactor(email: String, by actor: Actor) async throws {
        let now = clock.now()
        try await write { db in
            guard let user = try User.filter(User.Columns.email == email.lowercased()).fetchOne(db) else {
                throw DomainError.notFound("There is no sign-in for \(email).")
            }
            try SecondFactor.deleteOne(db, key: user.id!)
            try db.execute(sql: "DELETE FROM signInChallenge WHERE userId = ?", arguments: [user.id!])
            try AuditEvent.record(db, at: now, actor: actor, entity: "user", entityId: user.id, action: "second-factor-reset")
        }
    }
}
