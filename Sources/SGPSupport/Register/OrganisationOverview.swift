import GRDB

/// The counts the support team's dashboard opens on.
public struct OrganisationOverview: Sendable, Equatable {
    public var practices: Int
    public var localities: [String]
    public var gpsByStatus: [GP.Status: Int]

    public var gpTotal: Int { gpsByStatus.values.reduce(0, +) }
}

extension AppDatabase {
    func overview(ofOrganisation organisationId: Int64) async throws -> OrganisationOverview {
        try await read { db in
            let practices = try Practice.filter(Practice.Columns.organisationId == organisationId).fetchCount(db)
            let localities = try String.fetchAll(
                db, sql: "SELECT DISTINCT locality FROM practice WHERE organisationId = ? ORDER BY locality",
                arguments: [organisationId])
            var byStatus: [GP.Status: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) AS n FROM gp WHERE organisationId = ? GROUP BY status",
                arguments: [organisationId])
            {
                if let status = GP.Status(rawValue: row["status"]) { byStatus[status] = row["n"] }
            }
            return OrganisationOverview(practices: practices, localities: localities, gpsByStatus: byStatus)
        }
    }
}
