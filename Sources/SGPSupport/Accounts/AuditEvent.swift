import Foundation
import GRDB

/// Who did a write: a signed-in user, or the operator at the command line, or the service itself.
public enum Actor: Sendable, Equatable {
    case user(id: Int64, email: String)
    case commandLine
    case system

    var userId: Int64? {
        if case .user(let id, _) = self { return id }
        return nil
    }

    var label: String {
        switch self {
        case .user(_, let email): email
        case .commandLine: "command line"
        case .system: "sgpst"
        }
    }
}

/// One line of the append-only audit trail: who, when, which entity, what action.
public struct AuditEvent: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var at: Date
    public var userId: Int64?
    public var actor: String
    public var entity: String
    public var entityId: String?
    public var action: String
    public var detail: String?

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let entity = Column(CodingKeys.entity)
        public static let entityId = Column(CodingKeys.entityId)
    }

    /// Appends an event inside the caller's transaction, so the trail and the change land together.
    static func record(
        _ db: Database, at: Date, actor: Actor, entity: String, entityId: Int64?, action: String,
        detail: String? = nil
    ) throws {
        var event = AuditEvent(
            id: nil, at: at, userId: actor.userId, actor: actor.label, entity: entity,
            entityId: entityId.map(String.init), action: action, detail: detail)
        try event.insert(db)
    }
}

extension AppDatabase {
    /// The trail for one entity, oldest first.
    func auditEvents(entity: String, entityId: Int64) async throws -> [AuditEvent] {
        try await read { db in
            try AuditEvent
                .filter(AuditEvent.Columns.entity == entity && AuditEvent.Columns.entityId == String(entityId))
                .order(AuditEvent.Columns.id)
                .fetchAll(db)
        }
    }
}
