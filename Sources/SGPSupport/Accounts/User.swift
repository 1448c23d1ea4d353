import Foundation
import GRDB

/// A sign-in. Users are disabled, never deleted, so the audit trail keeps its meaning.
public struct User: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var email: String
    public var displayName: String
    public var passwordHash: String?
    public var disabledAt: Date?
    public var createdAt: Date

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let email = Column(CodingKeys.email)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// What a caller may supply to create a user with one role.
public struct NewUserInput: Sendable {
    public var email: String
    public var displayName: String?
    public var password: String
    public var role: Role
    /// The organisation code, practice ODS code or GMC number the role applies to.
    public var scopeReference: String?

    public init(email: String, displayName: String? = nil, password: String, role: Role, scopeReference: String? = nil) {
        self.email = email
        self.displayName = displayName
        self.password = password
        self.role = role
        self.scopeReference = scopeReference
    }
}

enum EmailAddress {
    /// A practical check: one @, a dot in the domain, no spaces. Deliverability is proved by sending.
    static func normalised(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let pattern = #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#
        guard email.count <= 254, email.range(of: pattern, options: .regularExpression) != nil else { return nil }
        return email
    }
}

extension AppDatabase {
    /// Creates a user holding one role, checking the password rules and the role's scope.
    public func createUser(_ input: NewUserInput, by actor: Actor) async throws -> User {
        var errors = ValidationErrors()
        let email = EmailAddress.normalised(input.email)
        if email == nil { errors.add("email", "Enter an email address in the right format, like name@example.org") }
        if let problem = PasswordPolicy.problem(with: input.password) { errors.add("password", problem) }
        try errors.throwIfAny()
        let hash = await passwords.hash(input.password)
        let now = clock.now()
        let displayName = input.displayName?.trimmingCharacters(in: .whitespaces)
        return try await write { db in
            if try User.filter(User.Columns.email == email!).fetchCount(db) > 0 {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "email", message: "A user with the email \(email!) already exists"))
            }
            let scope = try Self.resolveScope(db, role: input.role, reference: input.scopeReference)
            let name = displayName.flatMap { $0.isEmpty ? nil : $0 } ?? email!
            var user = User(id: nil, email: email!, displayName: name, passwordHash: hash, disabledAt: nil, createdAt: now)
            try user.insert(db)
            try AuditEvent.record(db, at: now, actor: actor, entity: "user", entityId: user.id, action: "create")
            try Self.grant(db, role: input.role, scope: scope, to: user.id!, at: now, by: actor)
            return user
        }
    }

    /// Adds a role to an existing user.
    public func grantRole(_ role: Role, scopeReference: String?, toEmail email: String, by actor: Actor) async throws {
        let now = clock.now()
        try await write { db in
            guard let user = try User.filter(User.Columns.email == email.lowercased()).fetchOne(db) else {
                throw DomainError.notFound("No user has the email \(email)")
            }
            let scope = try Self.resolveScope(db, role: role, reference: scopeReference)
            try Self.grant(db, role: role, scope: scope, to: user.id!, at: now, by: actor)
        }
    }

    private static func grant(_ db: Database, role: Role, scope: RoleScope, to userId: Int64, at now: Date, by actor: Actor)
        throws
    {
        var grant = RoleGrant(id: nil, userId: userId, role: role)
        switch scope {
        case .everywhere: break
        case .organisation(let id): grant.organisationId = id
        case .practice(let id): grant.practiceId = id
        case .gp(let id):
            if try RoleGrant.filter(RoleGrant.Columns.gpId == id).fetchCount(db) > 0 {
                throw DomainError.conflict("That GP's register entry already has a sign-in")
            }
            grant.gpId = id
        }
        do {
            try grant.insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw DomainError.conflict("The user already holds that role")
        }
        // A practice manager signs locums' Form As unless the administrator takes the right away.
        if role == .practiceManager, let practiceId = grant.practiceId {
            try db.execute(
                sql: "INSERT OR IGNORE INTO locumApprover (userId, practiceId) VALUES (?, ?)", arguments: [userId, practiceId])
        }
        try AuditEvent.record(
            db, at: now, actor: actor, entity: "user", entityId: userId, action: "grant-role", detail: role.rawValue)
    }

    /// Turns "DEMO1" / "A81001" / "1234567" into the row the role applies to.
    private static func resolveScope(_ db: Database, role: Role, reference: String?) throws -> RoleScope {
        let reference = reference?.trimmingCharacters(in: .whitespaces) ?? ""
        switch role {
        case .administrator:
            return .everywhere
        case .liaisonOfficer, .mentor, .educationalSupervisor:
            guard !reference.isEmpty else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "organisation", message: "Name the organisation (its code) for this role"))
            }
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM organisation WHERE code = ?", arguments: [reference.uppercased()])
            else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "organisation", message: "No organisation has the code \(reference)"))
            }
            return .organisation(id)
        case .practiceManager:
            guard !reference.isEmpty else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "practice", message: "Name the practice (its ODS code) for this role"))
            }
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM practice WHERE odsCode = ?", arguments: [reference.uppercased()])
            else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "practice", message: "No practice has the ODS code \(reference)"))
            }
            return .practice(id)
        case .gp:
            guard !reference.isEmpty else {
                throw DomainError.validationFailed(
                    ValidationErrors(
                        field: "gmc",
                        message: "Name the register entry (the GMC number, NMC PIN or GPhC number) for this role"))
            }
            let number = reference.uppercased().filter { !$0.isWhitespace }
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM gp WHERE registrationNumber = ? LIMIT 2", arguments: [number])
            if ids.count > 1 {
                // A GMC number and a GPhC number can be the same seven digits.
                throw DomainError.validationFailed(
                    ValidationErrors(
                        field: "gmc", message: "Two register entries have the number \(reference): ask the support team"))
            }
            guard let id = ids.first else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "gmc", message: "No one on the register has the registration number \(reference)"))
            }
            return .gp(id)
        }
    }

    /// Disables a sign-in and ends every session and token it holds.
    public func disableUser(email: String, by actor: Actor) async throws {
        let now = clock.now()
        try await write { db in
            guard var user = try User.filter(User.Columns.email == email.lowercased()).fetchOne(db) else {
                throw DomainError.notFound("No user has the email \(email)")
            }
            user.disabledAt = now
            try user.update(db)
            try AuthSession.filter(AuthSession.Columns.userId == user.id!).deleteAll(db)
            try AuditEvent.record(db, at: now, actor: actor, entity: "user", entityId: user.id, action: "disable")
        }
    }
}
