import Foundation
import GRDB

extension AppDatabase {
    /// How long a password-reset link works.
    public static let passwordResetValidity: TimeInterval = 3600
    /// Reset requests from one network address within the sign-in window, and for one email.
    static let resetRequestsPerAddress = 10
    static let resetRequestsPerEmail = 3

    /// Someone who forgot their password asks for a link to choose a new one. The answer is the
    /// same whether or not the address has a sign-in (nothing tells which addresses do). Requests
    /// are limited per network address and per email, apart from sign-in attempts (a flood of
    /// requests locks nobody out). Returns the email to send, if any.
    public func requestPasswordReset(
        email rawEmail: String, from address: String, links: Links, limits: SignInLimits = SignInLimits()
    ) async throws -> [MailMessage] {
        guard let email = Validators.email(rawEmail.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DomainError.validationFailed(ValidationErrors(field: "email", message: Validators.emailMessage))
        }
        let now = clock.now()
        return try await write { db in
            let since = now.addingTimeInterval(-limits.window)
            let byAddress =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM signInFailure WHERE kind = 'reset' AND address = ? AND at > ?",
                    arguments: [address, since]) ?? 0
            let byEmail =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM signInFailure WHERE kind = 'reset' AND email = ? AND at > ?",
                    arguments: [email, since]) ?? 0
            if byAddress >= min(limits.failuresPerAddress, Self.resetRequestsPerAddress) {
                throw DomainError.tooManyAttempts(retryAfterSeconds: Int(limits.window))
            }
            try Self.recordFailure(db, email: email, address: address, kind: .reset, at: now)
            // Past its limit an email is answered as before, but no more links are sent to it.
            guard byEmail < Self.resetRequestsPerEmail else { return [] }
            guard let user = try User.filter(sql: "lower(email) = ? AND disabledAt IS NULL", arguments: [email]).fetchOne(db)
            else { return [] }
            let token = SecretToken.generate()
            let expiresAt = now.addingTimeInterval(Self.passwordResetValidity)
            try db.execute(
                sql: "INSERT INTO passwordSetup (tokenDigest, userId, expiresAt) VALUES (?, ?, ?)",
                arguments: [SecretToken.digest(token), user.id, expiresAt])
            try AuditEvent.record(
                db, at: now, actor: .user(id: user.id!, email: user.email), entity: "user", entityId: user.id,
                action: "request-password-reset")
            let text = """
                Dear \(user.displayName),

                Someone (we hope you) asked to reset the password of your sessional GP support sign-in. Choose a new \
                password here:

                \(links.url("/set-password?token=\(token)"))

                The link works once, for \(DurationText.words(Self.passwordResetValidity)). If you did not ask, ignore this \
                email: your password stays as it is.
                """
            return [
                MailMessage(
                    to: user.email, toName: user.displayName, subject: "Reset your sessional GP support password", text: text)
            ]
        }
    }
}
