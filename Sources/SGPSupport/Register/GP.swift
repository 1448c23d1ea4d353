import Foundation
import GRDB

/// A sessional GP's register entry.
public struct GP: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case freelance, salaried, retainer, returner
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case applicant, active, suspended, left
    }

    public enum Profession: String, Codable, Sendable, CaseIterable {
        case gp, nurse, pharmacist
    }

    public static let databaseTableName = "gp"

    public var id: Int64?
    public var organisationId: Int64
    public var name: String
    public var gmcNumber: String
    public var profession: Profession
    public var kind: Kind
    public var status: Status
    public var email: String?
    public var createdAt: Date

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let organisationId = Column(CodingKeys.organisationId)
        public static let status = Column(CodingKeys.status)
        public static let name = Column(CodingKeys.name)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension AppDatabase {
    public func gp(id: Int64) async throws -> GP? {
        try await read { db in try GP.fetchOne(db, id: id) }
    }
}
