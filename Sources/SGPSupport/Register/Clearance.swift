import GRDB

/// Whether a GP may work on a date, with every reason when not. The one rule the clearing-house,
/// the mailshot and the reports use.
public struct Clearance: Sendable, Equatable, Codable {
    public var cleared: Bool
    public var reasons: [String]

    /// A GP is cleared on a date when their entry is active and the newest check of every type the
    /// organisation requires is verified and not expired on that date. An expiry date is the last
    /// day the credential is good for.
    static func evaluate(gp: GP, requiredTypes: [CheckType], currentChecks: [String: CredentialCheck], on day: Day) -> Clearance {
        var reasons: [String] = []
        if gp.status != .active {
            reasons.append("Register status is \(gp.status.title), not Active")
        }
        for type in requiredTypes where type.requiredBeforeWork && type.applies(to: gp.profession) {
            guard let check = currentChecks[type.code] else {
                reasons.append("\(type.name) missing")
                continue
            }
            switch check.status {
            case .pending:
                reasons.append("\(type.name) pending verification")
            case .failed:
                reasons.append("\(type.name) failed")
            case .expired:
                reasons.append("\(type.name) expired" + (check.expiresOn.map { " \($0.shortText)" } ?? ""))
            case .verified:
                if let expiresOn = check.expiresOn, expiresOn < day {
                    reasons.append("\(type.name) expired \(expiresOn.shortText)")
                } else if let verifiedOn = check.verifiedOn, verifiedOn > day {
                    reasons.append("\(type.name) not verified until \(verifiedOn.shortText)")
                }
            }
        }
        return Clearance(cleared: reasons.isEmpty, reasons: reasons)
    }
}

extension AppDatabase {
    /// `clearance(gp, on: date)`: cleared or not, with every reason.
    func clearance(gpId: Int64, on day: Day) async throws -> Clearance {
        try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            return try Self.clearances(db, gps: [gp], on: day)[gpId]!
        }
    }

    /// Clearance of many GPs at once (one query for their checks).
    static func clearances(_ db: Database, gps: [GP], on day: Day) throws -> [Int64: Clearance] {
        let organisationIds = Set(gps.map(\.organisationId))
        var typesByOrganisation: [Int64: [CheckType]] = [:]
        for organisationId in organisationIds {
            typesByOrganisation[organisationId] =
                try CheckType
                .filter(CheckType.Columns.organisationId == organisationId).order(CheckType.Columns.position).fetchAll(db)
        }
        let checks = try currentChecks(db, gpIds: gps.compactMap(\.id))
        var result: [Int64: Clearance] = [:]
        for gp in gps {
            result[gp.id!] = Clearance.evaluate(
                gp: gp, requiredTypes: typesByOrganisation[gp.organisationId] ?? [], currentChecks: checks[gp.id!] ?? [:], on: day
            )
        }
        return result
    }
}

/// A current check that runs out soon.
public struct ExpiringCheck: Sendable, Equatable {
    public var gpId: Int64
    public var gpName: String
    public var type: String
    public var typeName: String
    public var expiresOn: Day

    /// The GMC's revalidation date, warned of as a check's expiry is.
    public static let revalidation = "revalidation"

    /// "DBS check expires Mon 7 Dec 2026", "Revalidation due Mon 7 Dec 2026".
    public var dueText: String {
        type == Self.revalidation
            ? "Revalidation due \(expiresOn.displayText)" : "\(typeName) expires \(expiresOn.displayText)"
    }
}

extension AppDatabase {
    /// Current, verified checks that expire between today and `withinDays` from now (default six weeks).
    func expiringChecks(organisationId: Int64, gpId: Int64? = nil, withinDays: Int = 42) async throws -> [ExpiringCheck] {
        let today = clock.today
        return try await read { db in
            var filter = "gp.organisationId = ? AND gp.status = 'active'"
            var arguments: StatementArguments = [organisationId]
            if let gpId {
                filter += " AND gp.id = ?"
                arguments += [gpId]
            }
            return try Self.expiringChecks(db, where: filter, arguments, from: today, withinDays: withinDays)
        }
    }

    /// The one query for checks running out: the latest of each kind per GP, verified, expiring in
    /// the window, and revalidation dates falling in it, for the GPs `filter` (over `gp`) picks;
    /// soonest first.
    static func expiringChecks(
        _ db: Database, where filter: String, _ arguments: StatementArguments, from today: Day, withinDays: Int = 42
    ) throws -> [ExpiringCheck] {
        let sql = """
            SELECT * FROM (
                SELECT c.gpId, gp.name AS gpName, c.type, t.name AS typeName, c.expiresOn
                FROM credentialCheck c
                JOIN (\(CredentialCheck.countingRows(where: "counted.gpId IN (SELECT gp.id FROM gp WHERE \(filter))"))) latest
                  ON latest.id = c.id
                JOIN gp ON gp.id = c.gpId
                JOIN checkType t ON t.organisationId = gp.organisationId AND t.code = c.type
                WHERE \(filter) AND c.status = 'verified' AND c.expiresOn >= ? AND c.expiresOn <= ?
                UNION ALL
                SELECT gp.id AS gpId, gp.name AS gpName, '\(ExpiringCheck.revalidation)' AS type, 'Revalidation' AS typeName,
                    gp.revalidationDueOn AS expiresOn
                FROM gp WHERE \(filter) AND gp.revalidationDueOn >= ? AND gp.revalidationDueOn <= ?)
            ORDER BY expiresOn, gpName
            """
        let window: StatementArguments = [today, today.adding(days: withinDays)]
        // The counted checks are worked out for the GPs the filter picks only, not the whole register.
        return try Row.fetchAll(db, sql: sql, arguments: arguments + arguments + window + arguments + window).map { row in
            ExpiringCheck(
                gpId: row["gpId"], gpName: row["gpName"], type: row["type"], typeName: row["typeName"],
                expiresOn: row["expiresOn"])
        }
    }
}
