import Foundation
import GRDB

/// Where the service keeps personal data about a GP, table by table: the one map the subject access
/// export follows. A table added to the schema must be listed here or in `tablesWithoutPersonalData`
/// (a test fails otherwise), so no new personal data escapes the export.
///
/// The download is the GP's right of access and obeys the rules every other route obeys: each table
/// says what the GP's own copy holds and what a copy downloaded for them by someone else holds (their
/// liaison officer, an administrator), and that second copy is never more than its reader may read
/// elsewhere in the service.
public enum PersonalDataMap {
    /// Who a copy is for: the GP themself, or the support team downloading it for them.
    enum Reader {
        case subject, team
    }

    /// One table's rows about a GP, for each reader (`:gp` the entry id, `:user` their sign-in id,
    /// `:cards` the JSON array of the GP's cards this reader may read by `FeedbackAccess`).
    struct Extract {
        var subject: String
        /// Nil leaves the table out of the team's copy altogether.
        var team: String?

        /// The support team reads the same rows elsewhere (the register, the clearing-house).
        static func both(_ sql: String) -> Extract { Extract(subject: sql, team: sql) }

        /// No page or API shows these rows to the support team.
        static func subjectOnly(_ sql: String) -> Extract { Extract(subject: sql, team: nil) }

        func query(for reader: Reader) -> String? {
            switch reader {
            case .subject: return subject
            case .team: return team
            }
        }
    }

    /// The GP's cards this reader may read.
    private static let readableCards = "SELECT value FROM json_each(:cards)"

    static let extracts: [String: Extract] = [
        "gp": .both("SELECT * FROM gp WHERE id = :gp"),
        "credentialCheck": .both("SELECT * FROM credentialCheck WHERE gpId = :gp ORDER BY id"),
        // The documents behind checks, as the GP and their liaison officer read them: what each is,
        // never its bytes (each is downloaded from the register entry).
        "checkDocument": .both(
            """
            SELECT id, checkId, contentType, byteCount, sha256, originalName, uploadedAt FROM checkDocument
            WHERE gpId = :gp ORDER BY id
            """),
        // The reason is the practice's and the support team's (never shown to the GP): the GP learns
        // which practice holds which preference about them, and since when.
        "practicePreference": Extract(
            subject: """
                SELECT f.practiceId, p.name AS practiceName, f.gpId, f.preference, f.createdAt
                FROM practicePreference f JOIN practice p ON p.id = f.practiceId WHERE f.gpId = :gp ORDER BY f.practiceId
                """,
            team: "SELECT * FROM practicePreference WHERE gpId = :gp ORDER BY practiceId"),
        // Issue 22. Terms are read by the practices that could book the GP and by the team.
        "gpTerms": .both("SELECT * FROM gpTerms WHERE gpId = :gp ORDER BY id"),
        // Sealed at rest: the GP's own copy holds them opened (added by the export), the team's none.
        "gpPayDetails": .subjectOnly("SELECT gpId, updatedAt FROM gpPayDetails WHERE gpId = :gp"),
        // Invoices are the GP's and the practice's: the team sees counts only, never an invoice.
        "invoice": .subjectOnly(
            """
            SELECT id, practiceId, number, status, issuedOn, dueOn, paymentTermsDays, pensionable, schemeYear,
                   mileageMiles, mileagePencePerMile, notes, coveringFor, totalPence, pensionablePayPence, employerContributionPence,
                   createdAt, sentAt, paidOn, receivedAt, receivedOn
            FROM invoice WHERE gpId = :gp ORDER BY id
            """),
        "invoiceLine": .subjectOnly(
            "SELECT l.* FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId WHERE i.gpId = :gp ORDER BY l.id"),
        "formAApproval": .subjectOnly(
            "SELECT a.* FROM formAApproval a JOIN invoice i ON i.id = a.invoiceId WHERE i.gpId = :gp ORDER BY a.invoiceId"),
        "paymentReminder": .subjectOnly(
            """
            SELECT * FROM paymentReminder WHERE (subject = 'gp' AND subjectId = :gp)
               OR (subject = 'invoice' AND subjectId IN (SELECT id FROM invoice WHERE gpId = :gp))
            ORDER BY sentAt
            """),
        // Warnings are on the support team's record of each side.
        "lateCancellation": .both("SELECT * FROM lateCancellation WHERE gpId = :gp ORDER BY id"),
        // Issue 23. The rounds are the GP's and their support team's. Who was asked and what anyone
        // answered are never shown one by one, to anyone: both copies hold counts only.
        // The GP's reflection is theirs (for appraisal), not the team's.
        "feedbackRound": Extract(
            subject: "SELECT * FROM feedbackRound WHERE gpId = :gp ORDER BY id",
            team: """
                SELECT id, gpId, kind, status, itemsVersion, target, minimum, requestedAt, openedAt, closesOn, closedAt, extended
                FROM feedbackRound WHERE gpId = :gp ORDER BY id
                """),
        "feedbackRoundInvitation": .both(
            """
            SELECT feedbackRoundId, COUNT(*) AS asked, COUNT(answeredAt) AS answered FROM feedbackRoundInvitation
            WHERE feedbackRoundId IN (SELECT id FROM feedbackRound WHERE gpId = :gp) GROUP BY feedbackRoundId
            """),
        "feedbackRoundResponse": .both(
            """
            SELECT feedbackRoundId, COUNT(*) AS responses FROM feedbackRoundResponse
            WHERE feedbackRoundId IN (SELECT id FROM feedbackRound WHERE gpId = :gp) GROUP BY feedbackRoundId
            """),
        "feedbackRoundPatientCode": .both(
            """
            SELECT feedbackRoundId, COUNT(*) AS codes, COUNT(usedAt) AS used FROM feedbackRoundPatientCode
            WHERE feedbackRoundId IN (SELECT id FROM feedbackRound WHERE gpId = :gp) GROUP BY feedbackRoundId
            """),
        // The sign-in account and its history: only the command line manages accounts, no page shows them.
        "roleGrant": .subjectOnly("SELECT * FROM roleGrant WHERE gpId = :gp OR userId = :user"),
        "user": .subjectOnly("SELECT * FROM user WHERE id = :user"),
        "authSession": .subjectOnly("SELECT kind, createdAt, lastSeenAt FROM authSession WHERE userId = :user"),
        "passwordSetup": .subjectOnly("SELECT expiresAt, usedAt FROM passwordSetup WHERE userId = :user"),
        "secondFactor": .subjectOnly("SELECT confirmedAt FROM secondFactor WHERE userId = :user"),
        "signInChallenge": .subjectOnly("SELECT createdAt FROM signInChallenge WHERE userId = :user"),
        "signInFailure": .subjectOnly(
            "SELECT address, at FROM signInFailure WHERE email = (SELECT email FROM user WHERE id = :user)"),
        "booking": .both("SELECT * FROM booking WHERE gpId = :gp ORDER BY id"),
        "application": .both("SELECT * FROM application WHERE gpId = :gp ORDER BY id"),
        "offer": .both("SELECT * FROM offer WHERE gpId = :gp ORDER BY id"),
        // Who at the practice recorded or confirmed it is theirs, not the GP's: the side is kept.
        "arrangement": .both(
            """
            SELECT id, practiceId, gpId, date, startMinute, endMinute, kind, status, recordedBySide, createdAt, decidedAt,
            bookingId FROM arrangement WHERE gpId = :gp ORDER BY id
            """),
        "availabilityWeekly": .both("SELECT * FROM availabilityWeekly WHERE gpId = :gp"),
        "availabilityDate": .both("SELECT * FROM availabilityDate WHERE gpId = :gp ORDER BY date"),
        "availabilityRange": .both("SELECT * FROM availabilityRange WHERE gpId = :gp ORDER BY fromDay"),
        "calendarFeed": .both("SELECT ownerKind, ownerId FROM calendarFeed WHERE ownerKind = 'gp' AND ownerId = :gp"),
        // The cards this reader may read, with what the card's page and API show: who at a practice
        // submitted a card, added to it or raised it is not named there, so not here either.
        "feedbackCard": .both(
            """
            SELECT id, direction, bookingId, gpId, practiceId, status, boxes, answers, comment, discussFurther, anonymous,
                   respondBy, submittedAt, useForAppraisal, reflection
            FROM feedbackCard WHERE id IN (\(readableCards)) ORDER BY id
            """),
        "feedbackAddendum": .both(
            "SELECT id, cardId, text, createdAt FROM feedbackAddendum WHERE cardId IN (\(readableCards)) ORDER BY id"),
        "feedbackConcern": .both(
            """
            SELECT id, cardId, severity, details, raisedAt, contactMadeOn, response, outcome, outcomeOn, closedAt
            FROM feedbackConcern WHERE cardId IN (\(readableCards)) ORDER BY id
            """),
        // The mailshot page shows the team failed deliveries only.
        "mailshotDelivery": Extract(
            subject: """
                SELECT mailshotId, email, status, attempts, lastError, sentAt FROM mailshotDelivery WHERE gpId = :gp
                ORDER BY id
                """,
            team: """
                SELECT mailshotId, email, status, lastError FROM mailshotDelivery WHERE gpId = :gp AND status = 'failed'
                ORDER BY id
                """),
        "unsubscribeToken": .subjectOnly("SELECT email, createdAt, usedAt FROM unsubscribeToken WHERE gpId = :gp ORDER BY id"),
        // Opt-outs are practice managers' (by address): a GP's appears only under their own address.
        "mailshotOptOut": .subjectOnly("SELECT * FROM mailshotOptOut WHERE email = (SELECT email FROM gp WHERE id = :gp)"),
        // Evidence is the GP's own: the support team sees organisation counts only, never one GP's.
        "evidenceEntry": .subjectOnly("SELECT * FROM evidenceEntry WHERE gpId = :gp ORDER BY date, id"),
        // The mentor's support records: released to the GP themself, never to the liaison officer.
        "supportCase": .subjectOnly("SELECT * FROM supportCase WHERE gpId = :gp ORDER BY id"),
        "supportMeeting": .subjectOnly(
            "SELECT m.* FROM supportMeeting m JOIN supportCase c ON c.id = m.caseId WHERE c.gpId = :gp ORDER BY m.id"),
        "developmentPlan": .subjectOnly(
            "SELECT p.* FROM developmentPlan p JOIN supportCase c ON c.id = p.caseId WHERE c.gpId = :gp ORDER BY p.caseId"),
        "progressReport": .subjectOnly(
            "SELECT r.* FROM progressReport r JOIN supportCase c ON c.id = r.caseId WHERE c.gpId = :gp ORDER BY r.id"),
        "pastoralContact": .subjectOnly("SELECT * FROM pastoralContact WHERE gpId = :gp ORDER BY id"),
        "clearingProposal": .both("SELECT * FROM clearingProposal WHERE gpId = :gp ORDER BY id"),
        // A run names a GP where the liaison officer pinned or removed them, and as a near miss for
        // a session nobody could fill (with the one rule they failed); the GP's copy keeps their own
        // mentions, not other GPs'.
        "clearingRun": Extract(
            subject: clearingRunMentions,
            // The team's copy holds the same mentions of this GP and nothing of other GPs: a partner's
            // run names that partner's own GPs and their checks, which this team may not read.
            team: clearingRunMentions),
        // Nobody reads the audit trail through the service; the GP gets their own part of it.
        "auditEvent": .subjectOnly(
            "SELECT * FROM auditEvent WHERE userId = :user OR (entity = 'gp' AND entityId = CAST(:gp AS TEXT)) ORDER BY id"),
    ]

    /// The runs that name a GP, with only their own pins, removals and near misses.
    private static let clearingRunMentions = """
        SELECT id, week,
            (SELECT json_group_array(json(value)) FROM json_each(r.pins) WHERE json_extract(value, '$.gpId') = :gp)
                AS pins,
            (SELECT json_group_array(json(value)) FROM json_each(r.exclusions)
                WHERE json_extract(value, '$.gpId') = :gp) AS exclusions,
            (SELECT json_group_array(json_object(
                    'sessionId', json_extract(u.value, '$.sessionId'), 'rule', json_extract(n.value, '$.rule'),
                    'reason', json_extract(n.value, '$.reason')))
                FROM json_each(r.unfilled) u, json_each(u.value, '$.nearMisses') n
                WHERE json_extract(n.value, '$.gpId') = :gp) AS nearMisses
        FROM clearingRun r WHERE \(namesGP) ORDER BY id
        """

    private static let namesGP = """
        (EXISTS (SELECT 1 FROM json_each(r.pins) WHERE json_extract(value, '$.gpId') = :gp)
        OR EXISTS (SELECT 1 FROM json_each(r.exclusions) WHERE json_extract(value, '$.gpId') = :gp)
        OR EXISTS (SELECT 1 FROM json_each(r.unfilled) u, json_each(u.value, '$.nearMisses') n
                   WHERE json_extract(n.value, '$.gpId') = :gp))
        """

    /// Tables that hold nothing about an individual doctor.
    public static let tablesWithoutPersonalData: Set<String> = [
        "organisation", "practice", "organisationSkill", "checkType", "practicePack", "grdb_migrations",
        "clinicalSession", "sharingAgreement", "organisationDayPart", "feedbackTemplate", "mailshot", "mailshotItem",
        "auditTopic",
        // Digests of emailed links and their times only.
        "feedbackToken",
        // Policy numbers, and practice staff's right to sign Form A.
        "pensionTier", "pensionRate", "baseRate", "locumApprover",
        // The questionnaires' wording.
        "feedbackRoundItem",
    ]

    public static var tablesWithPersonalData: Set<String> { Set(extracts.keys) }

    /// Secrets are never exported, even to their owner.
    static let withheldColumns: Set<String> = ["passwordHash", "tokenDigest", "csrfToken"]
}

extension AppDatabase {
    /// What is held about a GP, as JSON: their subject access request. The GP gets their own copy;
    /// their liaison officer (or an administrator) gets only what they may read elsewhere.
    public func personalDataExport(gpId: Int64, by principal: Principal) async throws -> Data {
        let now = clock.now()
        let sealer = self.sealer
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            guard
                principal.gpId == gpId || AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId))
            else {
                throw DomainError.forbidden("Only the GP or their liaison officer may download this data")
            }
            let reader: PersonalDataMap.Reader = principal.gpId == gpId ? .subject : .team
            let userId = try Int64.fetchOne(db, sql: "SELECT userId FROM roleGrant WHERE gpId = ?", arguments: [gpId]) ?? -1
            // Card by card, as the card's own route decides.
            let cards = try FeedbackCard.fetchAll(
                db, sql: "SELECT * FROM feedbackCard WHERE gpId = ? ORDER BY id", arguments: [gpId]
            )
            .filter { try FeedbackAccess.mayRead(db, principal, Self.cardView(db, $0)) }
            .compactMap(\.id)
            let arguments: StatementArguments = ["gp": gpId, "user": userId, "cards": String(describing: cards)]
            var tables: [String: Any] = [:]
            for (table, extract) in PersonalDataMap.extracts.sorted(by: { $0.key < $1.key }) {
                guard let sql = extract.query(for: reader) else { continue }
                let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
                tables[table] = rows.map(Self.jsonObject)
            }
            if reader == .subject, (tables["gpPayDetails"] as? [Any])?.isEmpty == false {
                let details = try Self.payDetails(db, gpId: gpId, sealer: sealer)
                let opened = try JSONSerialization.jsonObject(with: JSONEncoder().encode(details))
                tables["gpPayDetails"] = [opened]
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
