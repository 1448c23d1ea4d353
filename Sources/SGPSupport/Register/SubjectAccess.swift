import Foundation
import GRDB

/// Where the service keeps personal data about a GP, table by table: the one map the subject access
/// export follows. A table added to the schema must be listed here or in `tablesWithoutPersonalData`
/// (a test fails otherwise), so no new personal data escapes the export.
public enum PersonalDataMap {
    /// Table → the query for its rows about one GP (`:gp` the entry id, `:user` their sign-in id).
    static let queries: [String: String] = [
        "gp": "SELECT * FROM gp WHERE id = :gp",
        "credentialCheck": "SELECT * FROM credentialCheck WHERE gpId = :gp ORDER BY id",
        "practicePreference": "SELECT * FROM practicePreference WHERE gpId = :gp",
        "roleGrant": "SELECT * FROM roleGrant WHERE gpId = :gp OR userId = :user",
        "user": "SELECT * FROM user WHERE id = :user",
        "authSession": "SELECT kind, createdAt, lastSeenAt FROM authSession WHERE userId = :user",
        "passwordSetup": "SELECT expiresAt, usedAt FROM passwordSetup WHERE userId = :user",
        "secondFactor": "SELECT confirmedAt FROM secondFactor WHERE userId = :user",
        "signInChallenge": "SELECT createdAt FROM signInChallenge WHERE userId = :user",
        "signInFailure": "SELECT address, at FROM signInFailure WHERE email = (SELECT email FROM user WHERE id = :user)",
        "booking": "SELECT * FROM booking WHERE gpId = :gp ORDER BY id",
        "application": "SELECT * FROM application WHERE gpId = :gp ORDER BY id",
        "offer": "SELECT * FROM offer WHERE gpId = :gp ORDER BY id",
        "availabilityWeekly": "SELECT * FROM availabilityWeekly WHERE gpId = :gp",
        "availabilityDate": "SELECT * FROM availabilityDate WHERE gpId = :gp ORDER BY date",
        "calendarFeed": "SELECT ownerKind, ownerId FROM calendarFeed WHERE ownerKind = 'gp' AND ownerId = :gp",
        "feedbackCard": "SELECT * FROM feedbackCard WHERE gpId = :gp ORDER BY id",
        "feedbackAddendum":
            "SELECT a.* FROM feedbackAddendum a JOIN feedbackCard c ON c.id = a.cardId WHERE c.gpId = :gp ORDER BY a.id",
        "feedbackConcern":
            "SELECT f.* FROM feedbackConcern f JOIN feedbackCard c ON c.id = f.cardId WHERE c.gpId = :gp ORDER BY f.id",
        "mailshotDelivery":
            "SELECT mailshotId, email, status, attempts, lastError, sentAt FROM mailshotDelivery WHERE gpId = :gp ORDER BY id",
        "unsubscribeToken": "SELECT email, createdAt, usedAt FROM unsubscribeToken WHERE gpId = :gp ORDER BY id",
        // Opt-outs are practice managers' (by address): a GP's appears only under their own address.
        "mailshotOptOut": "SELECT * FROM mailshotOptOut WHERE email = (SELECT email FROM gp WHERE id = :gp)",
        "evidenceEntry": "SELECT * FROM evidenceEntry WHERE gpId = :gp ORDER BY date, id",
        "supportCase": "SELECT * FROM supportCase WHERE gpId = :gp ORDER BY id",
        "supportMeeting":
            "SELECT m.* FROM supportMeeting m JOIN supportCase c ON c.id = m.caseId WHERE c.gpId = :gp ORDER BY m.id",
        "developmentPlan":
            "SELECT p.* FROM developmentPlan p JOIN supportCase c ON c.id = p.caseId WHERE c.gpId = :gp ORDER BY p.caseId",
        "progressReport":
            "SELECT r.* FROM progressReport r JOIN supportCase c ON c.id = r.caseId WHERE c.gpId = :gp ORDER BY r.id",
        "pastoralContact": "SELECT * FROM pastoralContact WHERE gpId = :gp ORDER BY id",
        "clearingProposal": "SELECT * FROM clearingProposal WHERE gpId = :gp ORDER BY id",
        // A run names a GP only where the liaison officer pinned or removed them.
        "clearingRun": """
        SELECT id, week, pins, exclusions FROM clearingRun r
        WHERE EXISTS (SELECT 1 FROM json_each(r.pins) WHERE json_extract(value, '$.gpId') = :gp)
        OR EXISTS (SELECT 1 FROM json_each(r.exclusions) WHERE json_extract(value, '$.gpId') = :gp) ORDER BY id
        """,
        "auditEvent":
            "SELECT * FROM auditEvent WHERE userId = :user OR (entity = 'gp' AND entityId = CAST(:gp AS TEXT)) ORDER BY id",
    ]

    /// Tables that hold nothing about an individual doctor.
    public static let tablesWithoutPersonalData: Set<String> = [
        "organisation", "practice", "organisationSkill", "checkType", "practicePack", "grdb_migrations",
        "clinicalSession", "sharingAgreement", "organisationDayPart", "feedbackTemplate", "mailshot", "mailshotItem",
        "auditTopic",
        // Digests of emailed links and their times only.
        "feedbackToken",
    ]

    /// The mentor's support records: released to the GP themself, never to the liaison officer who
    /// may otherwise download a GP's data.
    static let subjectOnlyTables: Set<String> = [
        "supportCase", "supportMeeting", "developmentPlan", "progressReport", "pastoralContact",
    ]

    public static var tablesWithPersonalData: Set<String> { Set(queries.keys) }

    /// Secrets are never exported, even to their owner.
    static let withheldColumns: Set<String> = ["passwordHash", "tokenDigest", "csrfToken"]
}

extension AppDatabase {
    /// Everything held about a GP, as JSON (their subject access request).
    public func personalDataExport(gpId: Int64, by principal: Principal) async throws -> Data {
        let now = clock.now()
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            guard
                principal.gpId == gpId || AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId))
            else {
                throw DomainError.forbidden("Only the GP or their liaison officer may download this data")
            }
            let userId = try Int64.fetchOne(db, sql: "SELECT userId FROM roleGrant WHERE gpId = ?", arguments: [gpId]) ?? -1
            var tables: [String: Any] = [:]
            for (table, sql) in PersonalDataMap.queries.sorted(by: { $0.key < $1.key }) {
                if PersonalDataMap.subjectOnlyTables.contains(table), principal.gpId != gpId { continue }
                let rows = try Row.fetchAll(db, sql: sql, arguments: ["gp": gpId, "user": userId])
                tables[table] = rows.map(Self.jsonObject)
            }
            let formatter = ISO8601DateFormatter()
            let document: [String: Any] = [
                "generatedAt": formatter.string(from: now), "gpId": gpId, "name": gp.name, "tables": tables,
            ]
            return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        }
    }

    static func jsonObject(_ row: Row) -> [String: Any] {
        var object: [String: Any] = [:]
        for column in row.columnNames where !PersonalDataMap.withheldColumns.contains(column) {
            switch row[column] as DatabaseValue {
            case let value where value.isNull: object[column] = NSNull()
            case let value:
                switch value.storage {
                case .int64(let number): object[column] = number
                case .double(let number): object[column] = number
                case .string(let text):
                    object[column] = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [Any] ?? text
                case .blob(let data): object[column] = data.base64EncodedString()
                case .null: object[column] = NSNull()
                }
            }
        }
        return object
    }

    /// The names of all tables in the schema (for the personal-data map's completeness test).
    public func tableNames() async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
    }
}
