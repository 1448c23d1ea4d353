import Foundation
import GRDB

/// The signed-in person as the rules see them: who they are and every role they hold.
public struct Principal: Sendable, Equatable {
    public struct Grant: Sendable, Equatable {
        public var role: Role
        public var organisationId: Int64?
        public var practiceId: Int64?
        public var gpId: Int64?
        /// The organisation the practice or GP belongs to (the grant's own one for organisation roles).
        public var owningOrganisationId: Int64?
    }

    public var userId: Int64
    public var email: String
    public var displayName: String
    public var grants: [Grant]
    /// Practices where this person may sign a locum's Form A.
    public var locumApproverPracticeIds: [Int64] = []
    /// True for the operator at the command line, who acts with an administrator's reach.
    var isCommandLine = false

    public var actor: Actor { isCommandLine ? .commandLine : .user(id: userId, email: email) }

    /// The operator running `sgpst` commands on the server itself.
    public static let commandLine = Principal(
        userId: 0, email: "command line", displayName: "Command line", grants: [Grant(role: .administrator)], isCommandLine: true)

    /// The user to record as having done something: none for the command line, which is no user
    /// (its id 0 names no row, and the record's link to the user would fail).
    public var recordedUserId: Int64? { isCommandLine ? nil : userId }

    public var isAdministrator: Bool { grants.contains { $0.role == .administrator } }

    public func holds(_ role: Role) -> Bool { grants.contains { $0.role == role } }

    /// Organisations where this person holds the role.
    public func organisationIds(as role: Role) -> [Int64] {
        grants.filter { $0.role == role }.compactMap(\.organisationId)
    }

    public var practiceIds: [Int64] { grants.compactMap(\.practiceId) }

    public var gpId: Int64? { grants.first { $0.role == .gp }?.gpId }

    /// Every organisation this person works in or for, through any role.
    public var organisationIdsSeen: [Int64] {
        Array(Set(grants.compactMap(\.owningOrganisationId))).sorted()
    }

    static func load(_ db: Database, user: User) throws -> Principal {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT g.role, g.organisationId, g.practiceId, g.gpId,
                       COALESCE(g.organisationId, p.organisationId, gp.organisationId) AS owningOrganisationId
                FROM roleGrant g
                LEFT JOIN practice p ON p.id = g.practiceId
                LEFT JOIN gp ON gp.id = g.gpId
                WHERE g.userId = ?
                ORDER BY g.id
                """,
            arguments: [user.id])
        let grants = rows.compactMap { row -> Grant? in
            guard let role = Role(rawValue: row["role"]) else { return nil }
            return Grant(
                role: role, organisationId: row["organisationId"], practiceId: row["practiceId"],
                gpId: row["gpId"], owningOrganisationId: row["owningOrganisationId"])
        }
        var principal = Principal(userId: user.id!, email: user.email, displayName: user.displayName, grants: grants)
        principal.locumApproverPracticeIds = try Int64.fetchAll(
            db, sql: "SELECT practiceId FROM locumApprover WHERE userId = ? ORDER BY practiceId", arguments: [user.id])
        return principal
    }
}
