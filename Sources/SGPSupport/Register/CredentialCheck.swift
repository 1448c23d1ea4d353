import Foundation
import GRDB

/// One check of one credential of a GP, as the liaison officer recorded it. Rows are never changed:
/// a re-check adds a row, and the newest row of each type is the one that counts.
public struct CredentialCheck: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case pending, verified, failed, expired
    }

    public enum DBSLevel: String, Codable, Sendable, CaseIterable {
        case basic, standard, enhanced
        case enhancedWithBarredLists = "enhanced-barred"
    }

    public var id: Int64?
    public var gpId: Int64
    public var type: String
    public var status: Status
    public var verifiedById: Int64?
    public var verifiedOn: Day?
    public var expiresOn: Day?
    public var note: String?
    public var dbsCertificateNumber: String?
    public var dbsIssuedOn: Day?
    public var dbsLevel: String?
    public var dbsUpdateService: Bool?
    public var recordedAt: Date
    /// For an appraisal: the day it took place, from which its validity counts.
    public var appraisalOn: Day? = nil
    /// Why the liaison officer should look at this check again (set by a migration, never by a form).
    public var reviewNote: String? = nil
    /// The document it rests on: the scan or photo sent with it, or with the renewal it verifies.
    public var documentId: Int64? = nil

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let gpId = Column(CodingKeys.gpId)
        public static let type = Column(CodingKeys.type)
        public static let expiresOn = Column(CodingKeys.expiresOn)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// What the liaison officer enters for a check; strings as typed, checked by `recordCheck`.
public struct CheckInput: Sendable {
    public var type: String
    public var status: String?
    public var verifiedOn: String?
    public var expiresOn: String?
    public var note: String?
    public var dbsCertificateNumber: String?
    public var dbsIssuedOn: String?
    public var dbsLevel: String?
    public var dbsUpdateService: Bool?
    /// For an appraisal: the day it took place (YYYY-MM-DD); the GP's last appraisal date when absent.
    public var appraisalOn: String? = nil

    public init(
        type: String, status: String? = nil, verifiedOn: String? = nil, expiresOn: String? = nil, note: String? = nil,
        dbsCertificateNumber: String? = nil, dbsIssuedOn: String? = nil, dbsLevel: String? = nil, dbsUpdateService: Bool? = nil
    ) {
        self.type = type
        self.status = status
        self.verifiedOn = verifiedOn
        self.expiresOn = expiresOn
        self.note = note
        self.dbsCertificateNumber = dbsCertificateNumber
        self.dbsIssuedOn = dbsIssuedOn
        self.dbsLevel = dbsLevel
        self.dbsUpdateService = dbsUpdateService
    }
}

/// How long an appraisal keeps a GP in date, from the day it took place, unless the organisation
/// sets otherwise (`organisation.appraisalValidityMonths`).
public let defaultAppraisalValidityMonths = 15

extension AppDatabase {
    /// Records a check (a new row; history is kept) in one transaction with its audit line, and the
    /// document it rests on when one is sent (the scan or photo of the certificate).
    public func recordCheck(gpId: Int64, _ input: CheckInput, document: DocumentUpload? = nil, by principal: Principal)
        async throws -> CredentialCheck
    {
        let now = clock.now()
        let today = clock.today
        var errors = ValidationErrors()
        var prepared: PreparedDocument?
        if let document { prepared = document.prepared(field: "document", into: &errors) }
        let found = errors
        let kept = prepared
        return try await write { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: gp.organisationId))
            return try Self.recordCheck(
                db, gp: gp, input, by: principal, now: now, today: today, document: kept, alsoWrong: found)
        }
    }

    /// Records a check in the caller's transaction (the form's, a register import's, a GP's renewal),
    /// with its audit line: with a document to keep (`document`) or resting on one kept already
    /// (`documentId`). `alsoWrong` are problems the caller found (with the document), told after
    /// the check's own so every one is told at once. The caller has checked the principal may do this.
    static func recordCheck(
        _ db: Database, gp: GP, _ input: CheckInput, by principal: Principal, now: Date, today: Day,
        document: PreparedDocument? = nil, documentId: Int64? = nil, alsoWrong: ValidationErrors = ValidationErrors(),
        action: String = "record-check"
    ) throws -> CredentialCheck {
        let types = try CheckType.filter(CheckType.Columns.organisationId == gp.organisationId)
            .order(CheckType.Columns.position).fetchAll(db)
        let months = try Self.appraisalValidityMonths(db, organisationId: gp.organisationId)
        var check: CredentialCheck
        do {
            check = try Self.validatedCheck(
                input, gp: gp, types: types, appraisalValidityMonths: months, today: today, now: now)
        } catch DomainError.validationFailed(let errors) {
            throw DomainError.validationFailed(errors.followed(by: alsoWrong))
        }
        try alsoWrong.throwIfAny()
        if check.status == .verified { check.verifiedById = principal.recordedUserId }
        check.documentId = documentId
        if let document { check.documentId = try Self.insertDocument(db, document, gpId: gp.id!, by: principal, at: now) }
        try check.insert(db)
        if document != nil, let documentId = check.documentId {
            try db.execute(sql: "UPDATE checkDocument SET checkId = ? WHERE id = ?", arguments: [check.id, documentId])
        }
        try AuditEvent.record(
            db, at: now, actor: principal.actor, entity: "gp", entityId: gp.id, action: action,
            detail: "\(check.type)=\(check.status.rawValue)" + (check.documentId.map { " document \($0)" } ?? ""))
        return check
    }

    /// How many months an appraisal counts for in an organisation.
    static func appraisalValidityMonths(_ db: Database, organisationId: Int64) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT appraisalValidityMonths FROM organisation WHERE id = ?", arguments: [organisationId])
            ?? defaultAppraisalValidityMonths
    }

    /// An organisation's check types that apply to a profession, in the organisation's order.
    public func checkTypes(organisationId: Int64, for profession: GP.Profession) async throws -> [CheckType] {
        try await checkTypes(organisationId: organisationId).filter { $0.applies(to: profession) }
    }

    /// How many months an appraisal counts for in an organisation, for forms that say so.
    public func appraisalValidityMonths(organisationId: Int64) async throws -> Int {
        try await read { db in try Self.appraisalValidityMonths(db, organisationId: organisationId) }
    }

    static func validatedCheck(
        _ input: CheckInput, gp: GP, types: [CheckType], appraisalValidityMonths: Int, today: Day, now: Date
    ) throws -> CredentialCheck {
        var errors = ValidationErrors()
        let type = input.type.trimmingCharacters(in: .whitespaces)
        // Only the checks of the person's own profession: a pharmacist has no GMC registration to check.
        let applicable = types.filter { $0.applies(to: gp.profession) }
        if !applicable.contains(where: { $0.code == type }) {
            let names = applicable.map(\.name).joined(separator: ", ")
            errors.add("type", "Choose a check for a \(gp.profession.inSentence): \(names)")
        }
        let status = CredentialCheck.Status.named(input.status ?? "verified")
        if status == nil { errors.add("status", "Choose the result: \(CredentialCheck.Status.titlesInWords)") }
        let verifiedOn = Self.optionalDay(input.verifiedOn, field: "verifiedOn", into: &errors)
        var expiresOn = Self.optionalDay(input.expiresOn, field: "expiresOn", into: &errors)
        if let verifiedOn, verifiedOn > today {
            errors.add("verifiedOn", "The date checked cannot be in the future")
        }
        if let verifiedOn, let expiresOn, expiresOn < verifiedOn {
            errors.add("expiresOn", "The expiry date must be on or after the date checked")
        }
        var dbsLevel: String?
        var dbsIssuedOn: Day?
        var certificate: String?
        if type == "dbs" {
            certificate = input.dbsCertificateNumber?.filter { !$0.isWhitespace }
            if status == .verified, certificate?.range(of: #"^[0-9]{12}$"#, options: .regularExpression) == nil {
                errors.add("dbsCertificateNumber", "Enter the 12-digit DBS certificate number")
            }
            dbsIssuedOn = Self.optionalDay(input.dbsIssuedOn, field: "dbsIssuedOn", into: &errors)
            if let raw = input.dbsLevel, !raw.isEmpty {
                if let level = CredentialCheck.DBSLevel.named(raw) {
                    dbsLevel = level.rawValue
                } else {
                    errors.add("dbsLevel", "Choose the DBS level: \(CredentialCheck.DBSLevel.titlesInWords)")
                }
            }
        }
        let note = input.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > 2000 { errors.add("note", "Keep the note under 2,000 characters") }
        try errors.throwIfAny()
        let checkedOn = verifiedOn ?? (status == .verified ? today : nil)
        // An appraisal counts from the day it took place, not the day it was recorded: the last day
        // it is good for is the day before the same date N months on (1 Jun 2025 → 31 Aug 2026).
        var appraisalOn: Day?
        if type == "appraisal" {
            appraisalOn =
                Self.optionalDay(input.appraisalOn, field: "appraisalOn", into: &errors) ?? gp.lastAppraisalOn
                ?? checkedOn
            if let appraisalOn, appraisalOn > today {
                errors.add("appraisalOn", "The appraisal date cannot be in the future")
            }
            try errors.throwIfAny()
            if expiresOn == nil, let appraisalOn {
                // The day before the same date N months on; where that month is shorter (30 Nov → Feb),
                // its last day.
                let sameDate = appraisalOn.adding(months: appraisalValidityMonths)
                expiresOn = sameDate.day == appraisalOn.day ? sameDate.adding(days: -1) : sameDate
            }
        }
        return CredentialCheck(
            id: nil, gpId: gp.id!, type: type, status: status!, verifiedById: nil, verifiedOn: checkedOn, expiresOn: expiresOn,
            note: note?.isEmpty == true ? nil : note, dbsCertificateNumber: certificate, dbsIssuedOn: dbsIssuedOn,
            dbsLevel: dbsLevel, dbsUpdateService: type == "dbs" ? (input.dbsUpdateService ?? false) : nil, recordedAt: now,
            appraisalOn: appraisalOn)
    }

    /// Parses an optional `YYYY-MM-DD`, adding a message when it is present but not a date.
    static func optionalDay(_ raw: String?, field: String, into errors: inout ValidationErrors) -> Day? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard let day = Day(raw) else {
            errors.add(field, "Enter a real date as YYYY-MM-DD, like 2026-12-07")
            return nil
        }
        return day
    }

    /// Every check of a GP, newest first (the history).
    func checks(gpId: Int64) async throws -> [CredentialCheck] {
        try await read { db in
            try CredentialCheck.filter(CredentialCheck.Columns.gpId == gpId).order(CredentialCheck.Columns.id.desc).fetchAll(db)
        }
    }

    /// The check of each type that counts for each of the GPs (`CredentialCheck.countingRows`).
    static func currentChecks(_ db: Database, gpIds: [Int64]) throws -> [Int64: [String: CredentialCheck]] {
        guard !gpIds.isEmpty else { return [:] }
        let checks = try CredentialCheck.fetchAll(
            db,
            sql: """
                SELECT c.* FROM credentialCheck c
                JOIN (\(CredentialCheck.countingRows(where: "gpId IN (SELECT value FROM json_each(?))"))) latest
                  ON latest.id = c.id
                """,
            arguments: [String(describing: gpIds)])
        var byGP: [Int64: [String: CredentialCheck]] = [:]
        for check in checks { byGP[check.gpId, default: [:]][check.type] = check }
        return byGP
    }
}

extension CredentialCheck {
    /// The checks that count, one per GP and type, as SQL answering (gpId, type, id) over the rows
    /// `filter` picks: the newest of each type, except that a check waiting to be verified does not
    /// displace a verified one before it. A GP's renewal is pending until the liaison officer looks
    /// at the document; the check it renews keeps counting until then (and until it expires), so
    /// sending a renewal never takes a GP off the register's cleared list.
    static func countingRows(where filter: String = "1") -> String {
        """
        SELECT counted.gpId, counted.type, MAX(counted.id) AS id FROM credentialCheck counted
        WHERE (\(filter)) AND NOT (counted.status = 'pending' AND EXISTS (
            SELECT 1 FROM credentialCheck earlier WHERE earlier.gpId = counted.gpId AND earlier.type = counted.type
                AND earlier.id < counted.id AND earlier.status = 'verified'))
        GROUP BY counted.gpId, counted.type
        """
    }

    /// The same rule over one GP's checks (in any order): the check of each type that counts.
    public static func counting(_ checks: [CredentialCheck]) -> [String: CredentialCheck] {
        Dictionary(grouping: checks, by: \.type).compactMapValues { rows in
            let ordered = rows.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
            return ordered.indices.last { index in
                !(ordered[index].status == .pending && ordered[..<index].contains { $0.status == .verified })
            }.map { ordered[$0] }
        }
    }

    /// The checks waiting to be verified: of each type, the newest when it is pending (a GP's
    /// renewal, or a check the liaison officer recorded as pending), oldest first.
    public static func awaitingVerification(_ checks: [CredentialCheck]) -> [CredentialCheck] {
        Dictionary(grouping: checks, by: \.type).values
            .compactMap { rows in rows.max { ($0.id ?? 0) < ($1.id ?? 0) } }
            .filter { $0.status == .pending }
            .sorted { ($0.id ?? 0) < ($1.id ?? 0) }
    }
}
