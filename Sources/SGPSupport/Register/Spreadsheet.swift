import CSV
import Foundation

/// One sheet of a spreadsheet as text: `rows[0]` is row 1 (the header). Cells are trimmed; a row
/// may be shorter than the header (its missing cells are empty).
public struct Sheet: Sendable, Equatable {
    public var name: String
    public var rows: [[String]]

    public init(name: String, rows: [[String]]) {
        self.name = name
        self.rows = rows
    }
}

/// Reads a register file as people send it: CSV in UTF-8 (with or without a byte-order mark), in the
/// Windows-1252 that Excel's "CSV" writes on Windows, or in the UTF-16 of Excel's "Unicode text";
/// separated by commas, semicolons or tabs (a paste from a spreadsheet is tab-separated); or an
/// `.xlsx` workbook. Told apart by content, never by the file's name.
public enum Spreadsheet {
    /// Far more rows than any register holds: a bound on what a hostile file can make us allocate.
    public static let maximumRows = 50_000
    public static let maximumColumns = 200

    /// Every sheet of the file, in the workbook's order (a CSV file is one sheet).
    public static func sheets(from data: Data) throws -> [Sheet] {
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try XLSXReader.sheets(from: data) }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw unreadable(
                "This is an Excel 97–2003 workbook (.xls). Open it in Excel or LibreOffice and save it as .xlsx or CSV.")
        }
        let sheet = try csvSheet(text(of: data))
        return [sheet]
    }

    static func unreadable(_ message: String) -> DomainError {
        .validationFailed(ValidationErrors(field: "file", message: message))
    }

    static var tooManyRows: DomainError {
        unreadable("The file has more than \(maximumRows) rows: split it into smaller files.")
    }

    /// The file's text: UTF-16 when it starts with a UTF-16 byte-order mark, UTF-8 when it is valid
    /// UTF-8 (the mark removed), otherwise Windows-1252 (a file Excel saved as "CSV" on Windows).
    static func text(of data: Data) throws -> String {
        let bytes = [UInt8](data)
        let text: String
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            let units = stride(from: 2, to: bytes.count - 1, by: 2).map { index -> UInt16 in
                littleEndian
                    ? UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8
                    : UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
            }
            text = String(decoding: units, as: UTF16.self)
        } else {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
            text = isValidUTF8(body) ? String(decoding: body, as: UTF8.self) : windows1252(body)
        }
        if text.unicodeScalars.contains("\u{0}") {
            throw unreadable("This is not a CSV file or an .xlsx workbook. Save the sheet as .xlsx or CSV and send that.")
        }
        return text
    }

    static func isValidUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Windows-1252 by its table rather than through Foundation's string encodings, so the file reads
    /// the same on every platform Foundation runs on.
    static func windows1252(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if (0x80...0x9F).contains(byte), let scalar = Unicode.Scalar(windows1252From80[Int(byte) - 0x80]) {
                scalars.append(scalar)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Bytes 0x80–0x9F, where Windows-1252 differs from Latin-1 (the five it leaves unassigned stay
    /// as the control characters Latin-1 gives them).
    static let windows1252From80: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D,
        0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func csvSheet(_ text: String) throws -> Sheet {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false, trimFields: true, delimiter: delimiter(of: text))
        } catch {
            throw unreadable("The file is not readable CSV: \(error)")
        }
        var rows: [[String]] = []
        while let row = reader.next() {
            guard rows.count < maximumRows else { throw tooManyRows }
            guard row.count <= maximumColumns else {
                throw unreadable("Row \(rows.count + 1) has more than \(maximumColumns) columns.")
            }
            rows.append(row)
        }
        if let error = reader.error { throw unreadable("The file is not readable CSV after row \(rows.count): \(error)") }
        return Sheet(name: "", rows: rows)
    }

    /// The separator the header row uses most: commas, tabs (a paste from a spreadsheet) or
    /// semicolons (Excel's "CSV" where the decimal separator is a comma).
    static func delimiter(of text: String) -> UnicodeScalar {
        var counts: [UnicodeScalar: Int] = [",": 0, "\t": 0, ";": 0]
        var quoted = false
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.toggle() }
            if !quoted, scalar == "\n" || scalar == "\r" { break }
            if !quoted, counts[scalar] != nil { counts[scalar, default: 0] += 1 }
        }
        var best: UnicodeScalar = ","
        for candidate: UnicodeScalar in ["\t", ";"] where counts[candidate]! > counts[best]! { best = candidate }
        return best
    }
}
