import Foundation
import GRDB

/// A GP practice of an organisation: the place sessions are worked.
public struct Practice: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var organisationId: Int64
    public var odsCode: String
    public var name: String
    public var locality: String
    public var createdAt: Date

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let organisationId = Column(CodingKeys.organisationId)
        public static let odsCode = Column(CodingKeys.odsCode)
        public static let name = Column(CodingKeys.name)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension AppDatabase {
    public func practice(id: Int64) async throws -> Practice? {
        try await read { db in try Practice.fetchOne(db, id: id) }
    }

    public func practices(ids: [Int64]) async throws -> [Practice] {
        try await read { db in try Practice.filter(ids: ids).order(Practice.Columns.name).fetchAll(db) }
    }
}
