import CSV
import Foundation
import GRDB

/// One problem in an imported file, as `Row N, column: problem` (the column as the file heads it).
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: String
    public var message: String
    /// The sheet, when it is not the file's only or first one (a workbook's "Checks").
    public var sheet: String?

    public init(line: Int, column: String, message: String, sheet: String? = nil) {
        self.line = line
        self.column = column
        self.message = message
        self.sheet = sheet
    }

    public var description: String {
        (sheet.map { "\($0) sheet, row \(line)" } ?? "Row \(line)") + ", \(column): \(message)"
    }
}

/// What an import did, or (with a dry run, or any problem) would have done.
public struct ImportReport: Sendable, Equatable {
    public var created = 0
    /// Rows that changed an existing entry; rows that match it exactly count as `unchanged`.
    public var updated = 0
    public var unchanged = 0
    public var checksRecorded = 0
    public var problems: [ImportProblem] = []
    /// One line for each row: "Row 3: add Siân Jones (GP)", "Row 4: change Zara Yardley: email, skills".
    public var changes: [String] = []
    public var dryRun: Bool

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    /// True when the file was written to the database.
    public var applied: Bool { problems.isEmpty && !dryRun }

    /// "Added 1, changed 2 and recorded 3 checks; 4 unchanged." (a dry run says what it would do).
    public var summary: String {
        let checks = checksRecorded == 1 ? "1 check" : "\(checksRecorded) checks"
        if dryRun {
            return "Dry run: would add \(created), change \(updated) and record \(checks); \(unchanged) unchanged. "
                + "Nothing was saved."
        }
        return "Added \(created), changed \(updated) and recorded \(checks); \(unchanged) unchanged."
    }
}

/// The register's files: CSV out, CSV or `.xlsx` in (see `Spreadsheet`), columns as in `RegisterColumns`.
public enum RegisterCSV {
    /// The columns each kind of file may have, by JSON name.
    public static func columnKeys(_ kind: RegisterFileKind) -> [String] {
        switch kind {
        case .gps: RegisterColumns.gp.map(\.key)
        case .practices: RegisterColumns.practice.map(\.key)
        case .checks: RegisterColumns.check.map(\.key)
        }
    }

    /// The columns each kind of file may have, as the forms (and the exports) head them.
    public static func columnLabels(_ kind: RegisterFileKind) -> [String] {
        switch kind {
        case .gps: RegisterColumns.gp.map(\.label)
        case .practices: RegisterColumns.practice.map(\.label)
        case .checks: RegisterColumns.check.map(\.label)
        }
    }

    /// The JSON name of the column a heading names, if any ("GMC number" → "gmcNumber").
    public static func columnKey(forHeading heading: String, in kind: RegisterFileKind) -> String? {
        switch kind {
        case .gps: RegisterColumns.gp.first { $0.isNamed(heading) }?.key
        case .practices: RegisterColumns.practice.first { $0.isNamed(heading) }?.key
        case .checks: RegisterColumns.check.first { $0.isNamed(heading) }?.key
        }
    }

    /// Quotes a value a spreadsheet would run as a formula (=, +, -, @) with a leading apostrophe.
    static func guarded(_ value: String) -> String {
        guard let first = value.first, "=+-@".contains(first) else { return value }
        return "'" + value
    }

    /// Undoes `guarded`, so exported files import unchanged.
    static func unguarded(_ value: String) -> String {
        guard value.hasPrefix("'"), let second = value.dropFirst().first, "=+-@".contains(second) else { return value }
        return String(value.dropFirst())
    }

    static func write(header: [String], rows: [[String]]) throws -> String {
        // CRLF between records, as RFC 4180 and Excel have it.
        let writer = try CSVWriter(stream: .toMemory(), newline: .crlf)
        try writer.write(row: header)
        for row in rows { try writer.write(row: row.map(guarded)) }
        writer.stream.close()
        let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return String(decoding: data, as: UTF8.self) + "\r\n"
    }

    static func export<Record>(
        _ records: [Record], columns: [SheetColumn<Record>], form: RegisterFileColumns, vocabulary: ImportVocabulary
    ) throws -> String {
        let header = columns.map { form == .json ? $0.key : $0.label }
        let rows = records.map { record in columns.map { form == .json ? $0.code(record) : $0.text(record, vocabulary) } }
        let text = try write(header: header, rows: rows)
        // Without a byte-order mark Excel takes a CSV file for Windows-1252 and shows "Siân" as "SiÃ¢n";
        // the machine form goes to programs, which want none.
        return form == .labels ? "\u{FEFF}" + text : text
    }
}

/// What every row of an import is read and written with.
struct ImportContext: Sendable {
    var organisationId: Int64
    var principal: Principal
    var now: Date
    var today: Day
    var vocabulary: ImportVocabulary
}

extension CredentialCheck {
    /// Whether this (the newest check of its type) already says what an imported row says: the same
    /// result, and the same value for each field the row gives. Importing a sheet twice records nothing new.
    func alreadySays(_ check: CredentialCheck, given input: CheckInput) -> Bool {
        func given(_ raw: String?) -> Bool { !(raw ?? "").isEmpty }
        return type == check.type && status == check.status
            && (!given(input.verifiedOn) || verifiedOn == check.verifiedOn)
            && (!given(input.expiresOn) || expiresOn == check.expiresOn)
            && (!given(input.note) || note == check.note)
            && (!given(input.dbsCertificateNumber) || dbsCertificateNumber == check.dbsCertificateNumber)
            && (!given(input.dbsIssuedOn) || dbsIssuedOn == check.dbsIssuedOn)
            && (!given(input.dbsLevel) || dbsLevel == check.dbsLevel)
            && (input.dbsUpdateService == nil || dbsUpdateService == check.dbsUpdateService)
    }
}

extension AppDatabase {
    /// `importGPs(organisationId:file:dryRun:by:)` for text already in hand (a paste, a test).
    public func importGPs(organisationId: Int64, csv: String, dryRun: Bool, by principal: Principal) async throws -> ImportReport
    {
        try await importGPs(organisationId: organisationId, file: Data(csv.utf8), dryRun: dryRun, by: principal)
    }

    /// Upserts GPs by GMC number from a CSV file or a workbook's first sheet, all or nothing: any
    /// invalid row means nothing is written, and every problem is listed with its row. A workbook's
    /// sheet named "Checks" records their checks in the same transaction.
    public func importGPs(organisationId: Int64, file: Data, dryRun: Bool, by principal: Principal) async throws
        -> ImportReport
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let sheets = try Spreadsheet.sheets(from: file)
        let table = try SheetTable(sheets[0], columns: RegisterColumns.gp, required: ["name", "gmcNumber"])
        let checks = try sheets.dropFirst().first { RegisterColumns.normalised($0.name) == "checks" }.map {
            try SheetTable($0, columns: RegisterColumns.check, required: ["gmcNumber", "type"], name: $0.name)
        }
        return try await importing(organisationId: organisationId, dryRun: dryRun, by: principal) { db, context, report in
            try Self.importGPRows(db, table, context: context, report: &report)
            if let checks { try Self.importCheckRows(db, checks, context: context, report: &report) }
        }
    }

    /// Records checks of GPs already on the register (matched by GMC number) from a CSV file or a
    /// workbook (its sheet named "Checks", or its first), all or nothing.
    public func importChecks(organisationId: Int64, file: Data, dryRun: Bool, by principal: Principal) async throws
        -> ImportReport
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let sheets = try Spreadsheet.sheets(from: file)
        let named = sheets.dropFirst().first { RegisterColumns.normalised($0.name) == "checks" }
        let table = try SheetTable(
            named ?? sheets[0], columns: RegisterColumns.check, required: ["gmcNumber", "type"], name: named?.name)
        return try await importing(organisationId: organisationId, dryRun: dryRun, by: principal) { db, context, report in
            try Self.importCheckRows(db, table, context: context, report: &report)
        }
    }

    public func importPractices(organisationId: Int64, csv: String, dryRun: Bool, by principal: Principal) async throws
        -> ImportReport
    {
        try await importPractices(organisationId: organisationId, file: Data(csv.utf8), dryRun: dryRun, by: principal)
    }

    /// Upserts practices by ODS code from a CSV file or a workbook's first sheet, all or nothing.
    public func importPractices(organisationId: Int64, file: Data, dryRun: Bool, by principal: Principal) async throws
        -> ImportReport
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let sheets = try Spreadsheet.sheets(from: file)
        let table = try SheetTable(sheets[0], columns: RegisterColumns.practice, required: ["odsCode", "name", "locality"])
        return try await importing(organisationId: organisationId, dryRun: dryRun, by: principal) { db, context, report in
            try Self.importPracticeRows(db, table, context: context, report: &report)
        }
    }

    /// Runs an import's rows in one savepoint, kept only when no row had a problem and it is not a dry run.
    private func importing(
        organisationId: Int64, dryRun: Bool, by principal: Principal,
        _ rows: @escaping @Sendable (Database, ImportContext, inout ImportReport) throws -> Void
    ) async throws -> ImportReport {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var report = ImportReport(dryRun: dryRun)
            try db.inSavepoint {
                let context = ImportContext(
                    organisationId: organisationId, principal: principal, now: now, today: today,
                    vocabulary: try ImportVocabulary.load(db, organisationId: organisationId))
                try rows(db, context, &report)
                return report.applied ? .commit : .rollback
            }
            return report
        }
    }

    static func importGPRows(_ db: Database, _ table: SheetTable, context: ImportContext, report: inout ImportReport) throws {
        let columns = RegisterColumns.gp
        let words = context.vocabulary
        var seen: [String: Int] = [:]
        for (line, values) in table.rows {
            var row = RowReader(line: line, values: values, table: table, columns: columns)
            let gmc = values["gmcNumber"] ?? ""
            if !gmc.isEmpty, let first = seen[gmc] {
                row.problem("gmcNumber", "GMC number \(gmc) is also on row \(first)")
                report.problems += row.problems
                continue
            }
            seen[gmc] = line
            var input = GPInput()
            input.name = row.text("name")
            input.gmcNumber = gmc
            input.profession = row.choice("profession", GP.Profession.self)
            input.kind = row.choice("kind", GP.Kind.self)
            input.status = row.choice("status", GP.Status.self)
            input.email = row.text("email")
            input.phone = row.text("phone")
            input.postcode = row.text("postcode")
            input.localities = row.codes("localities", among: words.localities.map { (code: $0, title: $0) }, noun: "localities")
            input.skills = row.codes("skills", among: words.skills, noun: "skills")
            input.maxSessionsPerWeek = row.integer("maxSessionsPerWeek")
            input.usualRate = row.pounds("usualRate")
            input.appraisalMonth = row.integer("appraisalMonth")
            input.lastAppraisalOn = row.day("lastAppraisalOn")
            input.revalidationDueOn = row.day("revalidationDueOn")
            input.mailshotConsent = row.flag("mailshotConsent")

            // A number is one person's within a profession (GMC and GPhC numbers are both 7 digits):
            // a row naming its profession matches that profession's entry; one that does not, the
            // only entry holding the number.
            var existing: GP?
            if let number = Validators.anyRegistrationNumber(gmc) {
                var holders = GP.filter(GP.Columns.registrationNumber == number)
                if let profession = input.profession { holders = holders.filter(GP.Columns.profession == profession) }
                let found = try holders.limit(2).fetchAll(db)
                if found.count > 1 {
                    row.problem("gmcNumber", "Two entries have the number \(gmc): add the Profession column to say whose it is")
                }
                existing = found.count == 1 ? found[0] : nil
            }
            if let existing, existing.organisationId != context.organisationId {
                row.problem("gmcNumber", "GMC number \(gmc) belongs to another organisation's register")
            }
            var gp =
                existing
                ?? GP(
                    id: nil, organisationId: context.organisationId, name: "", registrationNumber: "", profession: .gp,
                    kind: .freelance, status: .active, createdAt: context.now)
            do {
                try Self.apply(input, to: &gp, db: db, now: context.now, today: context.today, creating: existing == nil)
            } catch DomainError.validationFailed(let errors) {
                row.add(errors)
            }
            guard row.problems.isEmpty else {
                report.problems += row.problems
                continue
            }
            if let existing {
                let changed = columns.filter { $0.code(existing) != $0.code(gp) }.map(\.noun)
                guard !changed.isEmpty else {
                    report.unchanged += 1
                    report.changes.append("Row \(line): no change to \(gp.name)")
                    continue
                }
                gp.updatedAt = context.now
                try gp.update(db)
                report.updated += 1
                report.changes.append("Row \(line): change \(gp.name): \(changed.joined(separator: ", "))")
            } else {
                try gp.insert(db)
                report.created += 1
                report.changes.append("Row \(line): add \(gp.name) (\(gp.profession.title))")
            }
            try AuditEvent.record(
                db, at: context.now, actor: context.principal.actor, entity: "gp", entityId: gp.id, action: "import")
        }
    }

    static func importPracticeRows(_ db: Database, _ table: SheetTable, context: ImportContext, report: inout ImportReport)
        throws
    {
        let columns = RegisterColumns.practice
        var seen: [String: Int] = [:]
        for (line, values) in table.rows {
            var row = RowReader(line: line, values: values, table: table, columns: columns)
            let ods = (values["odsCode"] ?? "").uppercased()
            if !ods.isEmpty, let first = seen[ods] {
                row.problem("odsCode", "ODS code \(ods) is also on row \(first)")
                report.problems += row.problems
                continue
            }
            seen[ods] = line
            var input = PracticeInput()
            input.odsCode = row.text("odsCode")
            input.name = row.text("name")
            input.locality = row.text("locality")
            input.address = row.text("address")
            input.postcode = row.text("postcode")
            input.phone = row.text("phone")
            input.email = row.text("email")
            input.clinicalSystem = row.text("clinicalSystem")
            let existing = try Practice.filter(Practice.Columns.odsCode == ods).fetchOne(db)
            if let existing, existing.organisationId != context.organisationId {
                row.problem("odsCode", "ODS code \(ods) belongs to another organisation's practice")
                report.problems += row.problems
                continue
            }
            var practice =
                existing
                ?? Practice(
                    id: nil, organisationId: context.organisationId, odsCode: "", name: "", locality: "",
                    createdAt: context.now)
            do {
                try Self.apply(input, to: &practice, db: db, creating: existing == nil)
            } catch DomainError.validationFailed(let errors) {
                row.add(errors)
                report.problems += row.problems
                continue
            }
            if let existing {
                let changed = columns.filter { $0.code(existing) != $0.code(practice) }.map(\.noun)
                guard !changed.isEmpty else {
                    report.unchanged += 1
                    report.changes.append("Row \(line): no change to \(practice.name)")
                    continue
                }
                practice.updatedAt = context.now
                try practice.update(db)
                report.updated += 1
                report.changes.append("Row \(line): change \(practice.name): \(changed.joined(separator: ", "))")
            } else {
                try practice.insert(db)
                report.created += 1
                report.changes.append("Row \(line): add \(practice.name) (\(practice.odsCode))")
            }
            try AuditEvent.record(
                db, at: context.now, actor: context.principal.actor, entity: "practice", entityId: practice.id,
                action: "import")
        }
    }

    /// Each row a check of a GP of this organisation, found by GMC number (GPs the same import adds
    /// are found too), recorded as the check form records one.
    static func importCheckRows(_ db: Database, _ table: SheetTable, context: ImportContext, report: inout ImportReport)
        throws
    {
        let columns = RegisterColumns.check
        let types = context.vocabulary.checkTypes
        let place = table.sheet.map { "\($0) sheet, row" } ?? "Row"
        for (line, values) in table.rows {
            var row = RowReader(line: line, values: values, table: table, columns: columns)
            let gmc = values["gmcNumber"] ?? ""
            var gp: GP?
            if let number = Validators.anyRegistrationNumber(gmc) {
                gp = try GP.filter(GP.Columns.organisationId == context.organisationId && GP.Columns.registrationNumber == number)
                    .fetchOne(db)
                if gp == nil { row.problem("gmcNumber", "No GP on this register has GMC number \(number)") }
            } else {
                row.problem("gmcNumber", "Enter the GMC reference number: exactly 7 digits, like 1234567")
            }
            let type = row.choice("type", among: types.map { (code: $0.code, title: $0.name) }, noun: "check")
            if (values["type"] ?? "").isEmpty { row.problem("type", "Enter the check, like \(types.first?.name ?? "DBS check")") }
            var input = CheckInput(
                type: type ?? "", status: row.choice("status", CredentialCheck.Status.self),
                verifiedOn: row.day("verifiedOn"), expiresOn: row.day("expiresOn"), note: row.text("note"),
                dbsCertificateNumber: row.text("dbsCertificateNumber"), dbsIssuedOn: row.day("dbsIssuedOn"),
                dbsLevel: row.choice("dbsLevel", CredentialCheck.DBSLevel.self),
                dbsUpdateService: row.flag("dbsUpdateService"))
            input.appraisalOn = row.day("appraisalOn")
            guard let gp, let type, row.problems.isEmpty else {
                report.problems += row.problems
                continue
            }
            let check: CredentialCheck
            do {
                let months = try Self.appraisalValidityMonths(db, organisationId: gp.organisationId)
                check = try Self.validatedCheck(
                    input, gp: gp, types: types, appraisalValidityMonths: months, today: context.today, now: context.now)
            } catch DomainError.validationFailed(let errors) {
                row.add(errors)
                report.problems += row.problems
                continue
            }
            let name = context.vocabulary.checkTypeName(type)
            let current =
                try CredentialCheck
                .filter(CredentialCheck.Columns.gpId == gp.id && CredentialCheck.Columns.type == type)
                .order(CredentialCheck.Columns.id.desc).fetchOne(db)
            if let current, current.alreadySays(check, given: input) {
                report.unchanged += 1
                report.changes.append("\(place) \(line): no change to \(gp.name)'s \(name)")
                continue
            }
            let recorded = try Self.recordCheck(db, gp: gp, input, by: context.principal, now: context.now, today: context.today)
            report.checksRecorded += 1
            let expiry = recorded.expiresOn.map { ", expires \($0.shortText)" } ?? ""
            report.changes.append("\(place) \(line): record \(name) for \(gp.name) (\(recorded.status.title)\(expiry))")
        }
    }

    /// The register as CSV, in the import's columns (so it round-trips): as people read it, or in
    /// the JSON names and codes.
    public func exportGPs(organisationId: Int64, columns: RegisterFileColumns = .labels, by principal: Principal)
        async throws -> String
    {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        let (gps, vocabulary) = try await read { db in
            let gps = try GP.filter(GP.Columns.organisationId == organisationId).order(GP.Columns.registrationNumber).fetchAll(db)
            let vocabulary = try ImportVocabulary.load(db, organisationId: organisationId)
            return (gps, vocabulary)
        }
        return try RegisterCSV.export(gps, columns: RegisterColumns.gp, form: columns, vocabulary: vocabulary)
    }

    public func exportPractices(
        organisationId: Int64, columns: RegisterFileColumns = .labels, by principal: Principal
    ) async throws -> String {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        let (practices, vocabulary) = try await read { db in
            let practices = try Practice.filter(Practice.Columns.organisationId == organisationId)
                .order(Practice.Columns.odsCode).fetchAll(db)
            let vocabulary = try ImportVocabulary.load(db, organisationId: organisationId)
            return (practices, vocabulary)
        }
        return try RegisterCSV.export(practices, columns: RegisterColumns.practice, form: columns, vocabulary: vocabulary)
    }

    /// Each GP's current check of each type (the newest), in the checks import's columns.
    public func exportChecks(organisationId: Int64, columns: RegisterFileColumns = .labels, by principal: Principal)
        async throws -> String
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let (records, vocabulary) = try await read { db in
            let gps = try GP.filter(GP.Columns.organisationId == organisationId).order(GP.Columns.registrationNumber).fetchAll(db)
            let vocabulary = try ImportVocabulary.load(db, organisationId: organisationId)
            let current = try Self.currentChecks(db, gpIds: gps.compactMap(\.id))
            let order = vocabulary.checkTypes.map(\.code)
            func position(_ check: CredentialCheck) -> (Int, String) { (order.firstIndex(of: check.type) ?? .max, check.type) }
            let records = gps.flatMap { gp in
                (current[gp.id!] ?? [:]).values.sorted { position($0) < position($1) }.map { CheckRecord(gp: gp, check: $0) }
            }
            return (records, vocabulary)
        }
        return try RegisterCSV.export(records, columns: RegisterColumns.check, form: columns, vocabulary: vocabulary)
    }

    /// The mailing list: active GPs who opted in to the mailshot, with the date they did.
    public func exportMailingList(
        organisationId: Int64, columns: RegisterFileColumns = .labels, by principal: Principal
    ) async throws -> String {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let gps = try await read { db in
            try GP.filter(
                GP.Columns.organisationId == organisationId && GP.Columns.status == "active" && GP.Columns.mailshotConsent == true
            )
            .filter(GP.Columns.email != nil).order(GP.Columns.name).fetchAll(db)
        }
        return try RegisterCSV.export(
            gps, columns: RegisterColumns.mailingList, form: columns,
            vocabulary: ImportVocabulary(skills: [], localities: [], checkTypes: []))
    }
}
