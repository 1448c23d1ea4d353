import Foundation
import GRDB

/// The roles a sign-in can hold; each is scoped to an organisation, a practice or a register entry.
public enum Role: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case administrator
    case liaisonOfficer = "liaison-officer"
    case mentor
    /// An experienced GP trainer who supervises a developmental plan.
    case educationalSupervisor = "educational-supervisor"
    case practiceManager = "practice-manager"
    case gp

    public var title: String {
        switch self {
        case .administrator: "Administrator"
        case .liaisonOfficer: "Liaison officer"
        case .mentor: "Mentor"
        case .educationalSupervisor: "Educational supervisor"
        case .practiceManager: "Practice manager"
        case .gp: "GP"
        }
    }
}

/// A role held by a user over one organisation, practice or GP register entry.
public struct RoleGrant: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var userId: Int64
    public var role: Role
    public var organisationId: Int64?
    public var practiceId: Int64?
    public var gpId: Int64?

    public enum Columns {
        public static let userId = Column(CodingKeys.userId)
        public static let role = Column(CodingKeys.role)
        public static let gpId = Column(CodingKeys.gpId)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Where a role applies, as a caller names it.
public enum RoleScope: Sendable, Equatable {
    case everywhere
    case organisation(Int64)
    case practice(Int64)
    case gp(Int64)
}
