import Foundation

/// Tables written as CSV for spreadsheets (the report's tables, the support account).
enum CSVText {
    /// Rows of fields, each line ended by CRLF as RFC 4180 has it.
    static func document(_ lines: [[String]]) -> String {
        lines.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
