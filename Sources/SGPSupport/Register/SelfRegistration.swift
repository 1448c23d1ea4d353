import Foundation
import GRDB

/// A link that lets a new sign-in choose a password; the secret itself goes only into the email.
public struct PasswordSetupInvite: Sendable {
    public var token: String
    public var email: String
    public var name: String
    public var expiresAt: Date
}

extension AppDatabase {
    /// A GP puts their name forward (no sign-in needed): a new entry with status `applicant`.
    /// Every problem is reported at once, in words for the applicant; `organisationId` is nil when
    /// the form named none.
    public func submitApplication(organisationId: Int64?, _ input: GPInput) async throws -> GP {
        let now = clock.now()
        let today = clock.today
        var allowed = GPInput()
        allowed.name = input.name ?? ""
        // Errors come back under the field the form sent.
        if input.registrationNumber == nil, let gmcNumber = input.gmcNumber {
            allowed.gmcNumber = gmcNumber
        } else {
            allowed.registrationNumber = input.registrationNumber ?? ""
        }
        allowed.profession = input.profession
        allowed.kind = input.kind
        allowed.email = input.email
        allowed.phone = input.phone
        allowed.postcode = input.postcode
        allowed.localities = input.localities
        allowed.mailshotConsent = input.mailshotConsent
        allowed.applicationNote = input.applicationNote
        let application = allowed
        return try await write { db in
            var errors = ValidationErrors()
            let organisation = try organisationId.flatMap { try Organisation.fetchOne(db, id: $0) }
            if organisation == nil { errors.add("organisation", "Choose the organisation whose support team you want to join") }
            var gp = GP(
                id: nil, organisationId: organisation?.id ?? 0, name: "", registrationNumber: "", profession: .gp,
                kind: .freelance,
                status: .applicant, createdAt: now)
            do {
                try Self.apply(application, to: &gp, db: db, now: now, today: today, creating: true)
            } catch DomainError.validationFailed(let found) {
                for entry in found.entries {
                    errors.add(entry.field, Self.toTheApplicant(entry, profession: gp.profession))
                }
            }
            if (application.email ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                errors.add("email", "Enter your email address, so the support team can reply")
            }
            try errors.throwIfAny()
            gp.status = .applicant
            try gp.insert(db)
            try AuditEvent.record(db, at: now, actor: .system, entity: "gp", entityId: gp.id, action: "self-register")
            return gp
        }
    }

    /// The register's messages are written to the liaison officer ("Enter the GP's full name"); the
    /// join form speaks to the person joining. A number already held is said without revealing
    /// anything about the entry that holds it.
    static func toTheApplicant(_ entry: (field: String, message: String), profession: GP.Profession) -> String {
        switch entry.field {
        case "name": return "Enter your full name (up to 120 characters)"
        case "gmcNumber", "registrationNumber":
            if entry.message.contains("already on the register") {
                return "This \(profession.registrationNumberName) is already on the register: contact the support team instead"
            }
            return entry.message.replacingOccurrences(of: "Enter the ", with: "Enter your ")
        case "email": return "Enter your email address in the right format, like name@example.org"
        case "phone": return entry.message.replacingOccurrences(of: "Enter a ", with: "Enter your ")
        case "postcode": return entry.message.replacingOccurrences(of: "Enter a ", with: "Enter your ")
        case "kind": return "Choose how you work: \(GP.Kind.titlesInWords)"
        default: return entry.message
        }
    }

    /// The liaison officer approves an applicant: the entry becomes active and gets a GP sign-in,
    /// whose password the GP sets through the invite's link.
    /// The email that tells someone who put their name forward that it arrived, and what happens next.
    public static func applicationAcknowledgement(_ gp: GP, organisationName: String) -> MailMessage? {
        gp.email.map {
            MailMessage(
                to: $0, toName: gp.name, subject: "We have your details: \(organisationName) sessional GP register",
                text: """
                    Dear \(gp.name),

                    Thank you for putting your name forward for the \(organisationName) register of sessional \
                    clinicians. The liaison officer will check your details (your registration number and your \
                    credentials) and email you. Once you are approved, you will get a link to choose a password.

                    If you did not ask to join, tell the support team by replying to this email.
                    """)
        }
    }

    /// How long the emailed link to choose a password works.
    public static let inviteValidity: TimeInterval = 7 * 24 * 3600

    public func approveApplicant(gpId: Int64, by principal: Principal, inviteValidity: TimeInterval = inviteValidity) async throws
        -> PasswordSetupInvite
    {
        let now = clock.now()
        return try await write { db in
            guard var gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: gp.organisationId))
            guard gp.status == .applicant else {
                throw DomainError.conflict("\(gp.name) is not an applicant (status \(gp.status.rawValue))")
            }
            guard let email = gp.email else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "email", message: "Add the applicant's email address first"))
            }
            gp.status = .active
            gp.updatedAt = now
            try gp.update(db)
            var user = try User.filter(User.Columns.email == email).fetchOne(db)
            if user == nil {
                var created = User(
                    id: nil, email: email, displayName: gp.name, passwordHash: nil, disabledAt: nil, createdAt: now)
                try created.insert(db)
                user = created
            }
            if try RoleGrant.filter(RoleGrant.Columns.gpId == gpId).fetchCount(db) == 0 {
                var grant = RoleGrant(id: nil, userId: user!.id!, role: .gp, gpId: gpId)
                try grant.insert(db)
            }
            let token = SecretToken.generate()
            let expiresAt = now.addingTimeInterval(inviteValidity)
            try db.execute(
                sql: "INSERT INTO passwordSetup (tokenDigest, userId, expiresAt) VALUES (?, ?, ?)",
                arguments: [SecretToken.digest(token), user!.id, expiresAt])
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "approve")
            return PasswordSetupInvite(token: token, email: email, name: gp.name, expiresAt: expiresAt)
        }
    }

    /// The liaison officer declines an applicant, with a reason kept on the entry.
    public func declineApplicant(gpId: Int64, reason: String, by principal: Principal) async throws -> GP {
        let now = clock.now()
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await write { db in
            guard var gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: gp.organisationId))
            guard !reason.isEmpty else {
                throw DomainError.validationFailed(ValidationErrors(field: "reason", message: "Give the reason for declining"))
            }
            guard gp.status == .applicant else {
                throw DomainError.conflict("\(gp.name) is not an applicant (status \(gp.status.rawValue))")
            }
            gp.status = .left
            gp.declineReason = reason
            gp.updatedAt = now
            try gp.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "decline", detail: reason)
            return gp
        }
    }

    /// Whether a password-setup link is still good (for showing the form).
    public func passwordSetupIsValid(token: String) async throws -> Bool {
        let now = clock.now()
        return try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM passwordSetup WHERE tokenDigest = ? AND usedAt IS NULL AND expiresAt > ?",
                arguments: [SecretToken.digest(token), now]) == 1
        }
    }

    /// Sets the password through a single-use link; answers the email to sign in with. The link is
    /// checked first, under the sign-in limit of the caller's address (a bad link counts as a failed
    /// sign-in), so guessing links is limited and a bad one costs no bcrypt.
    public func completePasswordSetup(
        token: String, password: String, from address: String, limits: SignInLimits = SignInLimits()
    ) async throws -> String {
        let now = clock.now()
        let digest = SecretToken.digest(token)
        let expired = DomainError.notFound("This link has expired or has been used. Ask the support team for a new one.")
        let linkIsLive: Bool = try await write { db in
            _ = try Self.signInGate(db, email: nil, address: address, codeGiven: false, at: now, limits: limits)
            guard try Self.passwordSetupUser(db, digest: digest, at: now) != nil else {
                try Self.recordFailure(db, email: "", address: address, kind: .link, at: now)
                ServiceMetrics.signInFailures[SignInFailureKind.link.rawValue]?.increment()
                return false
            }
            return true
        }
        guard linkIsLive else { throw expired }
        if let problem = PasswordPolicy.problem(with: password) {
            throw DomainError.validationFailed(ValidationErrors(field: "password", message: problem))
        }
        let hash = await passwords.hash(password)
        return try await write { db in
            // Checked again: the link is single-use, and another request may have used it meanwhile.
            guard let userId = try Self.passwordSetupUser(db, digest: digest, at: now),
                var user = try User.fetchOne(db, id: userId)
            else { throw expired }
            user.passwordHash = hash
            try user.update(db)
            try db.execute(sql: "UPDATE passwordSetup SET usedAt = ? WHERE tokenDigest = ?", arguments: [now, digest])
            try AuthSession.filter(AuthSession.Columns.userId == userId).deleteAll(db)
            try AuditEvent.record(
                db, at: now, actor: .user(id: userId, email: user.email), entity: "user", entityId: userId, action: "set-password"
            )
            return user.email
        }
    }

    /// The user a set-password link is for, while it is unused and in date.
    private static func passwordSetupUser(_ db: Database, digest: String, at now: Date) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT userId FROM passwordSetup WHERE tokenDigest = ? AND usedAt IS NULL AND expiresAt > ?",
            arguments: [digest, now])
    }
}
