import CSV
import Foundation
import GRDB

/// One problem in an imported file, as `line N, column: problem`.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: String
    public var message: String

    public var description: String { "line \(line), \(column): \(message)" }
}

/// What an import did, or (with a dry run, or any problem) would have done.
public struct ImportReport: Sendable, Equatable {
    public var created: Int
    public var updated: Int
    public var problems: [ImportProblem]
    public var dryRun: Bool

    /// True when the file was written to the database.
    public var applied: Bool { problems.isEmpty && !dryRun }
}

/// The register's CSV files: columns named as the API's JSON names, lists separated by `;`.
public enum RegisterCSV {
    public static let gpColumns = [
        "name", "gmcNumber", "profession", "kind", "status", "email", "phone", "postcode", "localities", "skills",
        "maxSessionsPerWeek", "usualRate", "appraisalMonth", "lastAppraisalOn", "revalidationDueOn", "mailshotConsent",
    ]
    public static let practiceColumns = [
        "odsCode", "name", "address", "postcode", "locality", "phone", "email", "clinicalSystem",
    ]

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
        let writer = try CSVWriter(stream: .toMemory())
        try writer.write(row: header)
        for row in rows { try writer.write(row: row.map(guarded)) }
        writer.stream.close()
        let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return String(decoding: data, as: UTF8.self) + "\r\n"
    }

    /// Rows as column → value, numbered by their line in the file (the header is line 1).
    static func read(_ text: String, expected: [String], required: [String]) throws -> [(line: Int, values: [String: String])] {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
        } catch {
            throw DomainError.validationFailed(ValidationErrors(field: "file", message: "The file is not readable CSV: \(error)"))
        }
        let header = (reader.headerRow ?? []).map {
            $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "")
        }
        let unknown = header.filter { !expected.contains($0) }
        let missing = required.filter { !header.contains($0) }
        if !unknown.isEmpty || !missing.isEmpty {
            var message = "line 1: "
            if !missing.isEmpty { message += "missing column(s) \(missing.joined(separator: ", ")). " }
            if !unknown.isEmpty { message += "unknown column(s) \(unknown.joined(separator: ", ")). " }
            message += "The columns are: \(expected.joined(separator: ","))"
            throw DomainError.validationFailed(ValidationErrors(field: "file", message: message))
        }
        var rows: [(Int, [String: String])] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.allSatisfy({ $0.isEmpty }) { continue }
            var values: [String: String] = [:]
            for (index, column) in header.enumerated() where index < row.count { values[column] = unguarded(row[index]) }
            rows.append((line, values))
        }
        return rows
    }

    static func list(_ value: String?) -> [String]? {
        value.map { $0.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}

extension AppDatabase {
    /// Upserts GPs by GMC number from CSV, all or nothing: any invalid row means nothing is written,
    /// and every problem is listed with its line.
    public func importGPs(organisationId: Int64, csv: String, dryRun: Bool, by principal: Principal) async throws -> ImportReport
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let rows = try RegisterCSV.read(csv, expected: RegisterCSV.gpColumns, required: ["name", "gmcNumber"])
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var report = ImportReport(created: 0, updated: 0, problems: [], dryRun: dryRun)
            try db.inSavepoint {
                var seen: [String: Int] = [:]
                for (line, values) in rows {
                    let gmc = values["gmcNumber"] ?? ""
                    if let first = seen[gmc] {
                        report.problems.append(
                            ImportProblem(line: line, column: "gmcNumber", message: "GMC number \(gmc) is also on line \(first)"))
                        continue
                    }
                    seen[gmc] = line
                    var input = GPInput()
                    var problems: [ImportProblem] = []
                    func integer(_ column: String) -> Int? {
                        guard let raw = values[column], !raw.isEmpty else { return nil }
                        guard let value = Int(raw) else {
                            problems.append(ImportProblem(line: line, column: column, message: "Enter a whole number"))
                            return nil
                        }
                        return value
                    }
                    input.name = values["name"]
                    input.gmcNumber = gmc
                    input.profession = values["profession"]
                    input.kind = values["kind"]
                    input.status = values["status"]
                    input.email = values["email"]
                    input.phone = values["phone"]
                    input.postcode = values["postcode"]
                    input.localities = RegisterCSV.list(values["localities"])
                    input.skills = RegisterCSV.list(values["skills"])
                    input.maxSessionsPerWeek = integer("maxSessionsPerWeek")
                    input.appraisalMonth = integer("appraisalMonth")
                    if let raw = values["usualRate"], !raw.isEmpty {
                        if let rate = Double(raw.replacingOccurrences(of: "£", with: "")) {
                            input.usualRate = rate
                        } else {
                            problems.append(
                                ImportProblem(line: line, column: "usualRate", message: "Enter the rate in pounds, like 95.50"))
                        }
                    }
                    input.lastAppraisalOn = values["lastAppraisalOn"]
                    input.revalidationDueOn = values["revalidationDueOn"]
                    if let raw = values["mailshotConsent"]?.lowercased(), !raw.isEmpty {
                        switch raw {
                        case "true", "yes", "1": input.mailshotConsent = true
                        case "false", "no", "0": input.mailshotConsent = false
                        default:
                            problems.append(ImportProblem(line: line, column: "mailshotConsent", message: "Enter true or false"))
                        }
                    }
                    let existing = Validators.gmcNumber(gmc).flatMap { try? GP.filter(GP.Columns.gmcNumber == $0).fetchOne(db) }
                    if let existing, existing.organisationId != organisationId {
                        problems.append(
                            ImportProblem(
                                line: line, column: "gmcNumber",
                                message: "GMC number \(gmc) belongs to another organisation's register"))
                    }
                    var gp =
                        existing
                        ?? GP(
                            id: nil, organisationId: organisationId, name: "", registrationNumber: "", profession: .gp,
                            kind: .freelance,
                            status: .active, createdAt: now)
                    do {
                        try Self.apply(input, to: &gp, db: db, now: now, today: today, creating: existing == nil)
                    } catch DomainError.validationFailed(let errors) {
                        problems += errors.entries.map { ImportProblem(line: line, column: $0.field, message: $0.message) }
                    }
                    guard problems.isEmpty else {
                        report.problems += problems
                        continue
                    }
                    if existing == nil {
                        try gp.insert(db)
                        report.created += 1
                    } else {
                        gp.updatedAt = now
                        try gp.update(db)
                        report.updated += 1
                    }
                    try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gp.id, action: "import")
                }
                return report.applied ? .commit : .rollback
            }
            return report
        }
    }

    /// Upserts practices by ODS code from CSV, all or nothing.
    public func importPractices(organisationId: Int64, csv: String, dryRun: Bool, by principal: Principal) async throws
        -> ImportReport
    {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let rows = try RegisterCSV.read(csv, expected: RegisterCSV.practiceColumns, required: ["odsCode", "name", "locality"])
        let now = clock.now()
        return try await write { db in
            var report = ImportReport(created: 0, updated: 0, problems: [], dryRun: dryRun)
            try db.inSavepoint {
                var seen: [String: Int] = [:]
                for (line, values) in rows {
                    let ods = (values["odsCode"] ?? "").uppercased()
                    if let first = seen[ods] {
                        report.problems.append(
                            ImportProblem(line: line, column: "odsCode", message: "ODS code \(ods) is also on line \(first)"))
                        continue
                    }
                    seen[ods] = line
                    var input = PracticeInput()
                    input.odsCode = values["odsCode"]
                    input.name = values["name"]
                    input.locality = values["locality"]
                    input.address = values["address"]
                    input.postcode = values["postcode"]
                    input.phone = values["phone"]
                    input.email = values["email"]
                    input.clinicalSystem = values["clinicalSystem"]
                    let existing = try Practice.filter(Practice.Columns.odsCode == ods).fetchOne(db)
                    if let existing, existing.organisationId != organisationId {
                        report.problems.append(
                            ImportProblem(
                                line: line, column: "odsCode",
                                message: "ODS code \(ods) belongs to another organisation's practice"))
                        continue
                    }
                    var practice =
                        existing
                        ?? Practice(id: nil, organisationId: organisationId, odsCode: "", name: "", locality: "", createdAt: now)
                    do {
                        try Self.apply(input, to: &practice, db: db, creating: existing == nil)
                    } catch DomainError.validationFailed(let errors) {
                        report.problems += errors.entries.map { ImportProblem(line: line, column: $0.field, message: $0.message) }
                        continue
                    }
                    if existing == nil {
                        try practice.insert(db)
                        report.created += 1
                    } else {
                        practice.updatedAt = now
                        try practice.update(db)
                        report.updated += 1
                    }
                    try AuditEvent.record(
                        db, at: now, actor: principal.actor, entity: "practice", entityId: practice.id, action: "import")
                }
                return report.applied ? .commit : .rollback
            }
            return report
        }
    }

    /// The register as CSV, in the import's columns (so it round-trips).
    public func exportGPs(organisationId: Int64, by principal: Principal) async throws -> String {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        let gps = try await read { db in
            try GP.filter(GP.Columns.organisationId == organisationId).order(GP.Columns.gmcNumber).fetchAll(db)
        }
        let rows = gps.map { gp -> [String] in
            [
                gp.name, gp.gmcNumber, gp.profession.rawValue, gp.kind.rawValue, gp.status.rawValue, gp.email ?? "",
                gp.phone ?? "",
                gp.postcode ?? "", gp.localities.joined(separator: ";"), gp.skills.joined(separator: ";"),
                gp.maxSessionsPerWeek.map(String.init) ?? "",
                gp.usualRatePence.map { String(format: "%.2f", Double($0) / 100) } ?? "",
                gp.appraisalMonth.map(String.init) ?? "", gp.lastAppraisalOn?.description ?? "",
                gp.revalidationDueOn?.description ?? "",
                gp.mailshotConsent ? "true" : "false",
            ]
        }
        return try RegisterCSV.write(header: RegisterCSV.gpColumns, rows: rows)
    }

    public func exportPractices(organisationId: Int64, by principal: Principal) async throws -> String {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        let practices = try await read { db in
            try Practice.filter(Practice.Columns.organisationId == organisationId).order(Practice.Columns.odsCode).fetchAll(db)
        }
        let rows = practices.map {
            [
                $0.odsCode, $0.name, $0.address ?? "", $0.postcode ?? "", $0.locality, $0.phone ?? "", $0.email ?? "",
                $0.clinicalSystem ?? "",
            ]
        }
        return try RegisterCSV.write(header: RegisterCSV.practiceColumns, rows: rows)
    }

    /// The mailing list: active GPs who opted in to the mailshot, with the date they did.
    public func exportMailingList(organisationId: Int64, by principal: Principal) async throws -> String {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let gps = try await read { db in
            try GP.filter(
                GP.Columns.organisationId == organisationId && GP.Columns.status == "active" && GP.Columns.mailshotConsent == true
            )
            .filter(GP.Columns.email != nil).order(GP.Columns.name).fetchAll(db)
        }
        let rows = gps.map { [$0.name, $0.email ?? "", $0.mailshotConsentAt.map { Day($0).description } ?? ""] }
        return try RegisterCSV.write(header: ["name", "email", "consentedOn"], rows: rows)
    }
}
