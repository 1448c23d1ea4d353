import Foundation
import GRDB

/// What a register file holds.
public enum RegisterFileKind: String, Sendable, CaseIterable {
    case gps, practices, checks
}

/// How an export names its columns and writes its values: as people read them (the forms' labels,
/// "Freelance / locum", skill names; with a byte-order mark so Excel reads the accents), or as the
/// API's JSON names and codes for a program to read back (`?columns=json`). The import reads both.
public enum RegisterFileColumns: String, Sendable, CaseIterable {
    case labels, json
}

/// A column of a register file: its JSON name, the label the forms show (the export's header), the
/// other headings people give it, and how a change to it is named in a dry run.
struct SheetColumn<Record>: Sendable {
    var key: String
    var label: String
    var aliases: [String]
    var noun: String
    /// The cell in the machine form: codes, `YYYY-MM-DD`, lists separated by `;`.
    var code: @Sendable (Record) -> String
    /// The cell as people read it: labels and skill names.
    var text: @Sendable (Record, ImportVocabulary) -> String

    init(
        _ key: String, _ label: String, aliases: [String] = [], noun: String? = nil,
        code: @escaping @Sendable (Record) -> String, text: (@Sendable (Record, ImportVocabulary) -> String)? = nil
    ) {
        self.key = key
        self.label = label
        self.aliases = aliases
        self.noun = noun ?? label.lowercased()
        self.code = code
        self.text = text ?? { record, _ in code(record) }
    }

    /// Whether a heading names this column: its JSON name, label or an alias, ignoring case, spaces
    /// and punctuation ("GMC number", "gmc_number" and "gmcNumber" are one heading).
    func isNamed(_ heading: String) -> Bool {
        let wanted = RegisterColumns.normalised(heading)
        return ([key, label] + aliases).contains { RegisterColumns.normalised($0) == wanted }
    }
}

/// A check as the checks file has it: with the GP it belongs to.
struct CheckRecord: Sendable {
    var gp: GP
    var check: CredentialCheck
}

/// The organisation's own words an import translates and an export writes: skills by code and
/// name, the localities of its practices, its check types.
struct ImportVocabulary: Sendable {
    var skills: [(code: String, title: String)]
    var localities: [String]
    var checkTypes: [CheckType]

    static func load(_ db: Database, organisationId: Int64) throws -> ImportVocabulary {
        let skills = try Skill.filter(Skill.Columns.organisationId == organisationId).order(Column("name")).fetchAll(db)
        let localities = try AppDatabase.localities(db, organisationId: organisationId)
        let checkTypes = try CheckType.filter(CheckType.Columns.organisationId == organisationId)
            .order(CheckType.Columns.position).fetchAll(db)
        return ImportVocabulary(
            skills: skills.map { (code: $0.code, title: $0.name) }, localities: localities, checkTypes: checkTypes)
    }

    func skillName(_ code: String) -> String { skills.first { $0.code == code }?.title ?? code }

    func checkTypeName(_ code: String) -> String { checkTypes.first { $0.code == code }?.name ?? code }
}

enum RegisterColumns {
    static func yesNo(_ value: Bool) -> String { value ? "Yes" : "No" }

    static let gp: [SheetColumn<GP>] = [
        .init("name", "Full name", aliases: ["Name", "GP name"], noun: "name", code: { $0.name }),
        // Keyed by the JSON name clients have always sent (any profession's number), headed as the form heads it.
        .init(
            "gmcNumber", "Registration number",
            aliases: [
                "registrationNumber", "GMC reference number", "GMC number", "GMC", "GMC no", "GMC reference", "NMC PIN",
                "PIN", "GPhC number", "GPhC registration number",
            ],
            noun: "registration number", code: { $0.registrationNumber }),
        .init(
            "profession", "Profession", code: { $0.profession.rawValue }, text: { gp, _ in gp.profession.title }),
        .init(
            "kind", "Kind of work", aliases: ["Kind", "Type of work"], code: { $0.kind.rawValue },
            text: { gp, _ in gp.kind.title }),
        .init("status", "Status", code: { $0.status.rawValue }, text: { gp, _ in gp.status.title }),
        .init("email", "Email", aliases: ["Email address", "E-mail"], code: { $0.email ?? "" }),
        .init(
            "phone", "UK phone number", aliases: ["Phone", "Phone number", "Telephone", "Mobile"], noun: "phone",
            code: { $0.phone ?? "" }),
        .init("postcode", "Postcode", code: { $0.postcode ?? "" }),
        .init(
            "localities", "Localities willing to work in", aliases: ["Localities", "Locality"], noun: "localities",
            code: { $0.localities.joined(separator: ";") }, text: { gp, _ in gp.localities.joined(separator: "; ") }),
        .init(
            "skills", "Skills", code: { $0.skills.joined(separator: ";") },
            text: { gp, words in gp.skills.map(words.skillName).joined(separator: "; ") }),
        .init(
            "maxSessionsPerWeek", "Maximum sessions a week", aliases: ["Max sessions per week", "Sessions a week"],
            code: { $0.maxSessionsPerWeek.map(String.init) ?? "" }),
        .init(
            "usualRate", "Usual rate per session (£)", aliases: ["Usual rate", "Rate"], noun: "usual rate",
            code: { $0.usualRatePence.map { String(format: "%.2f", Double($0) / 100) } ?? "" }),
        .init(
            "appraisalMonth", "Appraisal month (1–12)", aliases: ["Appraisal month"], noun: "appraisal month",
            code: { $0.appraisalMonth.map(String.init) ?? "" }),
        .init(
            "lastAppraisalOn", "Last appraisal", aliases: ["Last appraisal date", "Last appraised"],
            code: { $0.lastAppraisalOn?.description ?? "" }),
        .init(
            "revalidationDueOn", "Revalidation due", aliases: ["Revalidation due date", "Revalidation date"],
            code: { $0.revalidationDueOn?.description ?? "" }),
        .init(
            "mailshotConsent", "Send the weekly mailshot by email", aliases: ["Mailshot consent", "Mailshot"],
            noun: "mailshot consent", code: { $0.mailshotConsent ? "true" : "false" },
            text: { gp, _ in RegisterColumns.yesNo(gp.mailshotConsent) }),
    ]

    static let practice: [SheetColumn<Practice>] = [
        .init("odsCode", "ODS code", aliases: ["ODS"], noun: "ODS code", code: { $0.odsCode }),
        .init("name", "Practice name", aliases: ["Name", "Practice"], noun: "name", code: { $0.name }),
        .init("address", "Address", code: { $0.address ?? "" }),
        .init("postcode", "Postcode", code: { $0.postcode ?? "" }),
        .init("locality", "Locality", code: { $0.locality }),
        .init("phone", "Phone", aliases: ["Phone number", "Telephone"], code: { $0.phone ?? "" }),
        .init("email", "Email", aliases: ["Email address", "E-mail"], code: { $0.email ?? "" }),
        .init("clinicalSystem", "Clinical system", aliases: ["System"], code: { $0.clinicalSystem ?? "" }),
    ]

    static let check: [SheetColumn<CheckRecord>] = [
        .init(
            "gmcNumber", "Registration number",
            aliases: [
                "registrationNumber", "GMC reference number", "GMC number", "GMC", "GMC no", "GMC reference", "NMC PIN",
                "PIN", "GPhC number", "GPhC registration number",
            ],
            noun: "registration number", code: { $0.gp.registrationNumber }),
        // Read for people's sake and not used: a check is matched to its GP by the number alone.
        .init("name", "Full name", aliases: ["Name", "GP name"], noun: "name", code: { $0.gp.name }),
        .init(
            "type", "Check", aliases: ["Type", "Check type"], noun: "check", code: { $0.check.type },
            text: { record, words in words.checkTypeName(record.check.type) }),
        .init(
            "status", "Result", aliases: ["Status"], code: { $0.check.status.rawValue },
            text: { record, _ in record.check.status.title }),
        .init(
            "verifiedOn", "Date checked", aliases: ["Checked on", "Verified on", "Checked"],
            code: { $0.check.verifiedOn?.description ?? "" }),
        .init(
            "expiresOn", "Expires on", aliases: ["Expiry", "Expiry date", "Expires"],
            code: { $0.check.expiresOn?.description ?? "" }),
        .init(
            "appraisalOn", "Appraisal took place on", aliases: ["Appraisal date", "Appraised on"],
            noun: "appraisal date", code: { $0.check.appraisalOn?.description ?? "" }),
        .init(
            "dbsCertificateNumber", "DBS certificate number", aliases: ["DBS number", "DBS certificate"],
            noun: "DBS certificate number", code: { $0.check.dbsCertificateNumber ?? "" }),
        .init(
            "dbsIssuedOn", "DBS certificate issued", aliases: ["DBS issued", "DBS issue date"], noun: "DBS issue date",
            code: { $0.check.dbsIssuedOn?.description ?? "" }),
        .init(
            "dbsLevel", "DBS level", noun: "DBS level", code: { $0.check.dbsLevel ?? "" },
            text: { record, _ in
                record.check.dbsLevel.flatMap { CredentialCheck.DBSLevel(rawValue: $0)?.title } ?? record.check.dbsLevel ?? ""
            }),
        .init(
            "dbsUpdateService", "Subscribed to the DBS Update Service", aliases: ["DBS Update Service", "Update Service"],
            noun: "DBS Update Service", code: { $0.check.dbsUpdateService.map { $0 ? "true" : "false" } ?? "" },
            text: { record, _ in record.check.dbsUpdateService.map(RegisterColumns.yesNo) ?? "" }),
        .init("note", "Evidence note", aliases: ["Note", "Notes", "Evidence"], code: { $0.check.note ?? "" }),
    ]

    static let mailingList: [SheetColumn<GP>] = [
        .init("name", "Full name", code: { $0.name }),
        .init("email", "Email", code: { $0.email ?? "" }),
        .init("consentedOn", "Consented on", code: { $0.mailshotConsentAt.map { Day($0).description } ?? "" }),
    ]

    /// A heading or a value compared as people mean it: letters and digits only, in lower case.
    static func normalised(_ text: String) -> String {
        String(text.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// The code a value names, given as the code, the label (or one part of a label written
    /// "Freelance / locum"), or the start of just one label ("Appraisal" for "Appraisal in date").
    static func match(_ raw: String, among options: [(code: String, title: String)]) -> String? {
        if let exact = options.first(where: { $0.code == raw }) { return exact.code }
        let wanted = normalised(raw)
        guard !wanted.isEmpty else { return nil }
        if let named = options.first(where: { option in
            let names = [option.code, option.title] + option.title.split(separator: "/").map(String.init)
            return names.contains { normalised($0) == wanted }
        }) {
            return named.code
        }
        let starting = options.filter { normalised($0.title).hasPrefix(wanted) }
        return wanted.count >= 3 && starting.count == 1 ? starting[0].code : nil
    }

    /// "A, B or C", for messages that list the choices.
    static func choiceList(_ titles: [String]) -> String {
        guard titles.count > 1 else { return titles.first ?? "" }
        return titles.dropLast().joined(separator: ", ") + " or " + titles.last!
    }

    /// A day written `YYYY-MM-DD` (with or without a time after it) or as the UK writes it,
    /// `DD/MM/YYYY` (also with `-` or `.`, and one-digit days and months). Two-digit years are
    /// refused: which century they mean is a guess.
    static func day(_ raw: String) -> Day? {
        let text = raw.split(separator: " ").first.map(String.init) ?? raw
        if let day = Day(text) { return day }
        if text.count > 10, let day = Day(String(text.prefix(10))), text.dropFirst(10).first == "T" { return day }
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "-" || $0 == "." }
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
            let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
        else { return nil }
        return Day(year: year, month: month, day: day)
    }

    static let dayMessage = "Enter a real date like 15/05/2026 or 2026-05-15"
}

/// One sheet read against the columns it may have: the header matched to columns, and each row's
/// values by column key, numbered as the spreadsheet numbers them (the header is row 1).
struct SheetTable: Sendable {
    /// The sheet as problems name it ("Checks"), nil for a CSV file or a workbook's first sheet.
    var sheet: String?
    /// The heading each column has in this file: problems name a column as the file does.
    var headings: [String: String]
    var rows: [(line: Int, values: [String: String])]

    init<Record>(_ sheet: Sheet, columns: [SheetColumn<Record>], required: [String], name: String? = nil) throws {
        self.sheet = name
        let place = name.map { "\($0) sheet, row 1" } ?? "Row 1"
        let header = sheet.rows.first ?? []
        var keys: [Int: String] = [:]
        var headings: [String: String] = [:]
        var unknown: [String] = []
        var problems: [String] = []
        for (index, heading) in header.enumerated() {
            let heading = heading.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespaces)
            if heading.isEmpty {
                if sheet.rows.dropFirst().contains(where: { index < $0.count && !$0[index].isEmpty }) {
                    problems.append("column \(Self.letters(index)) has values but no heading")
                }
                continue
            }
            guard let column = columns.first(where: { $0.isNamed(heading) }) else {
                unknown.append(heading)
                continue
            }
            if let earlier = headings[column.key] {
                problems.append("\(earlier) and \(heading) are the same column")
                continue
            }
            keys[index] = column.key
            headings[column.key] = heading
        }
        let missing = columns.filter { required.contains($0.key) && headings[$0.key] == nil }
        if !missing.isEmpty {
            problems.append("missing column(s) " + missing.map { "\($0.label) (or \($0.key))" }.joined(separator: ", "))
        }
        if !unknown.isEmpty { problems.append("unknown column(s) " + unknown.joined(separator: ", ")) }
        guard problems.isEmpty else {
            let known = columns.map(\.label).joined(separator: ", ")
            throw DomainError.validationFailed(
                ValidationErrors(
                    field: "file",
                    message: "\(place): \(problems.joined(separator: "; ")). The columns are: \(known) (or their JSON names)."))
        }
        self.headings = headings
        var rows: [(line: Int, values: [String: String])] = []
        for (offset, cells) in sheet.rows.enumerated().dropFirst() {
            var values: [String: String] = [:]
            for (index, cell) in cells.enumerated() {
                if let key = keys[index] { values[key] = RegisterCSV.unguarded(cell.trimmingCharacters(in: .whitespaces)) }
            }
            if values.values.allSatisfy(\.isEmpty) { continue }
            rows.append((offset + 1, values))
        }
        self.rows = rows
    }

    /// `0` → "A", `27` → "AB".
    static func letters(_ index: Int) -> String {
        var index = index + 1
        var letters = ""
        while index > 0 {
            let remainder = (index - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            index = (index - 1) / 26
        }
        return letters
    }
}

/// One row's values, read into what the domain's inputs take: labels to codes, UK dates to
/// `YYYY-MM-DD`, skill names to codes. What it cannot read becomes a problem naming the column as
/// the file does; an empty cell reads as empty (clearing the field), an absent column as nil (leaving it).
struct RowReader<Record> {
    let line: Int
    let values: [String: String]
    let table: SheetTable
    let columns: [SheetColumn<Record>]
    private(set) var problems: [ImportProblem] = []

    init(line: Int, values: [String: String], table: SheetTable, columns: [SheetColumn<Record>]) {
        self.line = line
        self.values = values
        self.table = table
        self.columns = columns
    }

    /// The column's heading in this file, or its label.
    func heading(_ key: String) -> String {
        table.headings[key] ?? columns.first { $0.key == key }?.label ?? key
    }

    mutating func problem(_ key: String, _ message: String) {
        problems.append(ImportProblem(line: line, column: heading(key), message: message, sheet: table.sheet))
    }

    /// The domain's own messages for this row, by the file's headings.
    mutating func add(_ errors: ValidationErrors) {
        for entry in errors.entries { problem(entry.field, entry.message) }
    }

    func text(_ key: String) -> String? { values[key] }

    /// A value that must be non-empty when present.
    private func present(_ key: String) -> String? {
        guard let raw = values[key], !raw.isEmpty else { return nil }
        return raw
    }

    mutating func choice<E: Labelled>(_ key: String, _ type: E.Type) -> String? {
        guard let raw = present(key) else { return nil }
        if let code = RegisterColumns.match(raw, among: E.choices) { return code }
        problem(key, "Choose \(RegisterColumns.choiceList(E.choices.map(\.title)))")
        return nil
    }

    mutating func choice(_ key: String, among options: [(code: String, title: String)], noun: String) -> String? {
        guard let raw = present(key) else { return nil }
        if let code = RegisterColumns.match(raw, among: options) { return code }
        problem(key, "Unknown \(noun) \(raw). Choose from: \(options.map(\.title).joined(separator: ", "))")
        return nil
    }

    /// Items separated by semicolons or line breaks; by commas when the cell has no semicolon.
    func list(_ key: String) -> [String]? {
        guard let raw = values[key] else { return nil }
        let separators: Set<Character> = raw.contains(";") ? [";", "\n", "\r"] : [",", "\n", "\r"]
        return raw.split { separators.contains($0) }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The codes of a list of named things, each given by code or name.
    mutating func codes(_ key: String, among options: [(code: String, title: String)], noun: String) -> [String]? {
        guard let items = list(key) else { return nil }
        var codes: [String] = []
        var unknown: [String] = []
        for item in items {
            if let code = RegisterColumns.match(item, among: options) { codes.append(code) } else { unknown.append(item) }
        }
        guard unknown.isEmpty else {
            let choices = options.map(\.title).joined(separator: ", ")
            problem(key, "Unknown \(noun): \(unknown.joined(separator: ", ")). Choose from: \(choices)")
            return nil
        }
        return codes
    }

    /// A day as `YYYY-MM-DD`, `""` when the cell is empty.
    mutating func day(_ key: String) -> String? {
        guard let raw = values[key] else { return nil }
        if raw.isEmpty { return "" }
        guard let day = RegisterColumns.day(raw) else {
            problem(key, RegisterColumns.dayMessage)
            return nil
        }
        return day.description
    }

    mutating func integer(_ key: String) -> Int? {
        guard let raw = present(key) else { return nil }
        if let value = Int(raw) { return value }
        if let value = Double(raw), value == value.rounded(), abs(value) < 1e9 { return Int(value) }
        problem(key, "Enter a whole number")
        return nil
    }

    mutating func pounds(_ key: String) -> Double? {
        guard let raw = present(key) else { return nil }
        let digits = raw.replacingOccurrences(of: "£", with: "").replacingOccurrences(of: ",", with: "")
            .trimmingCharacters(in: .whitespaces)
        if let value = Double(digits) { return value }
        problem(key, "Enter the rate in pounds, like 95.50")
        return nil
    }

    mutating func flag(_ key: String) -> Bool? {
        guard let raw = present(key) else { return nil }
        switch raw.lowercased() {
        case "true", "yes", "y", "1": return true
        case "false", "no", "n", "0": return false
        default:
            problem(key, "Enter Yes or No")
            return nil
        }
    }
}
