import Foundation
import GRDB

/// A primary care organisation (an ICB, a PCN or a GP federation) that runs one support team.
public struct Organisation: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var code: String
    public var name: String
    public var region: String?
    public var createdAt: Date

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let code = Column(CodingKeys.code)
        public static let name = Column(CodingKeys.name)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// What a caller may supply to create an organisation.
public struct OrganisationInput: Sendable {
    public var code: String
    public var name: String
    public var region: String?

    public init(code: String, name: String, region: String? = nil) {
        self.code = code
        self.name = name
        self.region = region
    }

    func validated() throws -> OrganisationInput {
        var errors = ValidationErrors()
        let code = code.trimmingCharacters(in: .whitespaces).uppercased()
        if code.range(of: #"^[A-Z0-9]{2,10}$"#, options: .regularExpression) == nil {
            errors.add("code", "Enter a code of 2 to 10 letters or digits, like QKK or DEMO1")
        }
        let name = name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { errors.add("name", "Enter the organisation's name") }
        try errors.throwIfAny()
        let region = region?.trimmingCharacters(in: .whitespaces)
        return OrganisationInput(code: code, name: name, region: region?.isEmpty == true ? nil : region)
    }
}

extension AppDatabase {
    /// Creates an organisation; its code must be new.
    public func createOrganisation(_ input: OrganisationInput, by actor: Actor) async throws -> Organisation {
        let input = try input.validated()
        let now = clock.now()
        return try await write { db in
            if try Organisation.filter(Organisation.Columns.code == input.code).fetchCount(db) > 0 {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "code", message: "An organisation with the code \(input.code) already exists"))
            }
            var organisation = Organisation(
                id: nil, code: input.code, name: input.name, region: input.region, createdAt: now)
            try organisation.insert(db)
            try RegisterDefaults.install(db, organisationId: organisation.id!)
            try AuditEvent.record(db, at: now, actor: actor, entity: "organisation", entityId: organisation.id, action: "create")
            return organisation
        }
    }

    public func organisation(id: Int64) async throws -> Organisation? {
        try await read { db in try Organisation.fetchOne(db, id: id) }
    }

    public func organisation(code: String) async throws -> Organisation? {
        try await read { db in
            try Organisation.filter(Organisation.Columns.code == code.uppercased()).fetchOne(db)
        }
    }

    /// The organisations a person may see, by name: all for an administrator, otherwise their own.
    public func organisations(visibleTo principal: Principal, page: PageRequest) async throws -> Page<Organisation> {
        try await read { db in
            var request = Organisation.order(Organisation.Columns.name)
            if !principal.isAdministrator {
                request = request.filter(principal.organisationIdsSeen.contains(Organisation.Columns.id))
            }
            return try Page(request, page, db)
        }
    }

    /// Every organisation's id and name, for the public join page.
    public func organisationChoices() async throws -> [(id: Int64, name: String)] {
        try await read { db in
            try Organisation.order(Organisation.Columns.name).fetchAll(db).map { ($0.id!, $0.name) }
        }
    }
}
