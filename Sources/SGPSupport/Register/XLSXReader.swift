import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the sheets of an `.xlsx` workbook (Office Open XML) as text, as Excel shows them: shared
/// and inline strings, numbers without a trailing ".0", and numbers in a date format as the day
/// (`YYYY-MM-DD`). Cells are placed by their reference (`C7`), so an empty cell keeps the columns
/// after it where they are. Formulas are read by their last calculated value.
enum XLSXReader {
    /// What the parts of one workbook may inflate to: a zip that claims more is refused before it is
    /// unpacked, so a small upload cannot unpack into gigabytes.
    static let maximumUnpackedBytes = 64 << 20

    static func sheets(from data: Data) throws -> [Sheet] {
        let archive: Archive
        do {
            // `pathEncoding:` named so the deprecated failable initialiser is not a candidate.
            archive = try Archive(data: data, accessMode: .read, pathEncoding: nil)
        } catch {
            throw Spreadsheet.unreadable("The file is a zip archive that cannot be opened: it may be damaged.")
        }
        let package = Package(archive: archive)
        let root = try package.relationships(of: "")
        let workbookPath =
            root.first { $0.type.hasSuffix("/officeDocument") }.map { resolve($0.target, from: "") } ?? "xl/workbook.xml"
        guard let workbookXML = try package.read(workbookPath) else {
            if try package.read("mimetype").map({ String(decoding: $0, as: UTF8.self) })?.contains("opendocument") == true {
                throw Spreadsheet.unreadable(
                    "This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or CSV and send that.")
            }
            throw Spreadsheet.unreadable("The file is a zip archive but not an .xlsx workbook.")
        }
        let workbook = try Workbook(workbookXML)
        let folder = directory(of: workbookPath)
        let relationships = try package.relationships(of: workbookPath)
        func part(ofType type: String) -> String? {
            relationships.first { $0.type.hasSuffix(type) }.map { resolve($0.target, from: folder) }
        }
        let sharedStrings =
            try package.read(part(ofType: "/sharedStrings") ?? "\(folder)/sharedStrings.xml").map(Self.sharedStrings) ?? []
        let dateStyles = try package.read(part(ofType: "/styles") ?? "\(folder)/styles.xml").map(Self.dateStyles) ?? []
        let context = CellContext(sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: workbook.date1904)
        var sheets: [Sheet] = []
        for sheet in workbook.sheets {
            guard let relationship = relationships.first(where: { $0.id == sheet.relationshipId }),
                relationship.type.hasSuffix("/worksheet"), relationship.targetMode != "External",
                let xml = try package.read(resolve(relationship.target, from: folder))
            else { continue }
            sheets.append(Sheet(name: sheet.name, rows: try Self.rows(xml, context: context)))
        }
        guard !sheets.isEmpty else { throw Spreadsheet.unreadable("The workbook has no sheets.") }
        return sheets
    }

    // MARK: The zip's parts

    final class Package {
        let archive: Archive
        private var unpacked = 0

        init(archive: Archive) {
            self.archive = archive
        }

        /// A part's bytes, or nil when the workbook has no such part.
        func read(_ path: String) throws -> Data? {
            let wanted = path.lowercased()
            guard let entry = archive[path] ?? archive.first(where: { $0.path.lowercased() == wanted }), entry.type == .file
            else { return nil }
            let allowance = XLSXReader.maximumUnpackedBytes - unpacked
            guard entry.uncompressedSize <= UInt64(max(allowance, 0)) else { throw XLSXReader.tooLarge }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    data.append(chunk)
                    if data.count > allowance { throw XLSXReader.tooLarge }
                }
            } catch let error as DomainError {
                throw error
            } catch {
                throw Spreadsheet.unreadable("The workbook's \(path) cannot be unpacked: the file may be damaged.")
            }
            unpacked += data.count
            return data
        }

        /// The relationships of a part (`""` for the package itself), from its `_rels/*.rels`.
        func relationships(of partPath: String) throws -> [Relationship] {
            let folder = XLSXReader.directory(of: partPath)
            let file = partPath.split(separator: "/").last.map(String.init) ?? ""
            let path = (folder.isEmpty ? "" : folder + "/") + "_rels/\(file).rels"
            guard let xml = try read(path) else { return [] }
            var found: [Relationship] = []
            try XMLWalker.walk(xml, part: path) { name, attributes in
                guard name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
                found.append(
                    Relationship(id: id, type: attributes["Type"] ?? "", target: target, targetMode: attributes["TargetMode"]))
            } end: { _, _ in
            }
            return found
        }
    }

    static var tooLarge: DomainError {
        Spreadsheet.unreadable("The workbook unpacks to more than \(maximumUnpackedBytes >> 20) MB: split it into smaller files.")
    }

    struct Relationship {
        var id: String
        var type: String
        var target: String
        var targetMode: String?
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// A relationship's target as a path in the zip: relative to the part's folder, or from the
    /// root when it starts with `/`.
    static func resolve(_ target: String, from folder: String) -> String {
        var parts = target.hasPrefix("/") ? [] : folder.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." {
                _ = parts.popLast()
            } else if piece != "." {
                parts.append(String(piece))
            }
        }
        return parts.joined(separator: "/")
    }

    // MARK: The workbook, its strings and styles

    struct Workbook {
        var sheets: [(name: String, relationshipId: String)] = []
        var date1904 = false

        init(_ xml: Data) throws {
            var sheets: [(name: String, relationshipId: String)] = []
            var date1904 = false
            try XMLWalker.walk(xml, part: "workbook") { name, attributes in
                switch name {
                case "sheet":
                    // `r:id` arrives as `id` (prefixes are dropped); `sheetId` is another attribute.
                    if let id = attributes["id"] { sheets.append((attributes["name"] ?? "", id)) }
                case "workbookPr":
                    date1904 = ["1", "true"].contains(attributes["date1904"]?.lowercased() ?? "")
                default: break
                }
            } end: { _, _ in
            }
            self.sheets = sheets
            self.date1904 = date1904
        }
    }

    /// `xl/sharedStrings.xml`: each `<si>` is one string, plain (`<t>`) or in runs (`<r><t>`); the
    /// phonetic guides (`<rPh>`) of East Asian text are not part of the value.
    static func sharedStrings(_ xml: Data) throws -> [String] {
        var strings: [String] = []
        var current = ""
        var phonetic = false
        try XMLWalker.walk(xml, part: "shared strings") { name, _ in
            switch name {
            case "si": current = ""
            case "rPh": phonetic = true
            default: break
            }
        } end: { name, text in
            switch name {
            case "t" where !phonetic: current += text
            case "rPh": phonetic = false
            case "si": strings.append(Self.unescaped(current))
            default: break
            }
        }
        return strings
    }

    /// Office's escape for characters XML cannot carry (`_x000D_` for a carriage return).
    static func unescaped(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "_x") {
            result += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let hex = after.prefix(4)
            if hex.count == 4, after.dropFirst(4).first == "_", let code = UInt32(hex, radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                result.unicodeScalars.append(scalar)
                rest = after.dropFirst(5)
            } else {
                result += "_x"
                rest = after
            }
        }
        return result + rest
    }

    /// The indexes of the cell styles (`<cellXfs>`) whose number format shows a date: the built-in
    /// date formats 14–22, or a custom format that has days, months or years in it.
    static func dateStyles(_ xml: Data) throws -> Set<Int> {
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellStyles = false
        try XMLWalker.walk(xml, part: "styles") { name, attributes in
            switch name {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap({ Int($0) }) { custom[id] = attributes["formatCode"] ?? "" }
            case "cellXfs": inCellStyles = true
            case "xf" where inCellStyles: formats.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
            default: break
            }
        } end: { name, _ in
            if name == "cellXfs" { inCellStyles = false }
        }
        return Set(formats.indices.filter { Self.isDateFormat(formats[$0], custom: custom) })
    }

    static func isDateFormat(_ id: Int, custom: [Int: String]) -> Bool {
        guard let code = custom[id] else { return (14...22).contains(id) }
        // Quoted text, escaped characters, [colours and locales] and padding (_x, *x) say nothing of dates.
        var plain = ""
        var iterator = code.makeIterator()
        while let character = iterator.next() {
            switch character {
            case "\"": while let next = iterator.next(), next != "\"" {}
            case "[": while let next = iterator.next(), next != "]" {}
            case "\\", "_", "*": _ = iterator.next()
            default: plain.append(character)
            }
        }
        let letters = Set(plain.lowercased())
        return letters.contains("d") || letters.contains("y")
            || (letters.contains("m") && !letters.contains("h") && !letters.contains("s"))
    }

    // MARK: A worksheet

    struct CellContext {
        var sharedStrings: [String]
        var dateStyles: Set<Int>
        var date1904: Bool
    }

    static func rows(_ xml: Data, context: CellContext) throws -> [[String]] {
        var rows: [[String]] = []
        var rowNumber = 0
        var cells: [Int: String] = [:]
        var column = 0
        var lastColumn = -1
        var type = "n"
        var style = 0
        var value: String?
        var inline = ""
        var inInline = false
        var phonetic = false
        var failure: DomainError?
        try XMLWalker.walk(xml, part: "worksheet") { name, attributes in
            switch name {
            case "row":
                rowNumber = max(attributes["r"].flatMap { Int($0) } ?? 0, rows.count + 1)
                cells = [:]
                lastColumn = -1
            case "c":
                column = attributes["r"].flatMap(Self.columnIndex) ?? lastColumn + 1
                type = attributes["t"] ?? "n"
                style = attributes["s"].flatMap { Int($0) } ?? 0
                value = nil
                inline = ""
            case "is": inInline = true
            case "rPh": phonetic = true
            default: break
            }
        } end: { name, text in
            switch name {
            case "v": value = text
            case "t" where inInline && !phonetic: inline += text
            case "rPh": phonetic = false
            case "is": inInline = false
            case "c":
                lastColumn = column
                guard column < Spreadsheet.maximumColumns else {
                    failure = Spreadsheet.unreadable("Row \(rowNumber) has more than \(Spreadsheet.maximumColumns) columns.")
                    return
                }
                let shown = Self.cellText(type: type, style: style, value: value, inline: inline, context: context)
                if !shown.isEmpty { cells[column] = shown }
            case "row":
                guard rowNumber <= Spreadsheet.maximumRows else {
                    failure = Spreadsheet.tooManyRows
                    return
                }
                while rows.count < rowNumber - 1 { rows.append([]) }
                let width = (cells.keys.max() ?? -1) + 1
                rows.append((0..<width).map { cells[$0] ?? "" })
            default: break
            }
        }
        if let failure { throw failure }
        return rows
    }

    /// `"C7"` → 2 (columns from 0).
    static func columnIndex(_ reference: String) -> Int? {
        var index = 0
        var letters = 0
        for byte in reference.utf8 {
            let letter: Int
            switch byte {
            case 65...90: letter = Int(byte) - 64
            case 97...122: letter = Int(byte) - 96
            default: return letters == 0 ? nil : index - 1
            }
            index = index * 26 + letter
            letters += 1
            if letters > 3 { return nil }
        }
        return letters == 0 ? nil : index - 1
    }

    static func cellText(type: String, style: Int, value: String?, inline: String, context: CellContext) -> String {
        let raw = value ?? ""
        let text: String
        switch type {
        case "s": text = Int(raw).flatMap { context.sharedStrings.indices.contains($0) ? context.sharedStrings[$0] : nil } ?? ""
        case "inlineStr": text = unescaped(inline)
        case "str", "e": text = unescaped(raw)
        case "b": text = raw == "1" || raw.lowercased() == "true" ? "TRUE" : "FALSE"
        case "d": text = String(raw.prefix(10))
        default:
            if context.dateStyles.contains(style), let serial = Double(raw),
                let shown = Self.day(serial: serial, context: context)
            {
                text = shown.description
            } else {
                text = numberText(raw)
            }
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A date cell's day: days since 30 Dec 1899 (or, in a workbook made on an old Mac, 1 Jan 1904).
    static func day(serial: Double, context: CellContext) -> Day? {
        guard serial >= 1, serial < 2_958_466 else { return nil }
        let unixEpoch = context.date1904 ? 24_107 : 25_569
        return Day(serial: Int(serial.rounded(.down)) - unixEpoch)
    }

    /// A number as Excel shows it in General format: whole numbers without ".0" or an exponent.
    static func numberText(_ raw: String) -> String {
        guard let number = Double(raw), number.isFinite, number == number.rounded(), abs(number) < 1e15 else { return raw }
        return String(Int64(number))
    }
}

/// A streaming walk over an XML part: the start of each element with its attributes, and the end of
/// each with the text directly inside it. Names lose their namespace prefixes (`x:c` is `c`, `r:id`
/// is `id`), as writers choose prefixes freely.
final class XMLWalker: NSObject, XMLParserDelegate {
    private let onStart: (String, [String: String]) -> Void
    private let onEnd: (String, String) -> Void
    private var text = ""

    private init(start: @escaping (String, [String: String]) -> Void, end: @escaping (String, String) -> Void) {
        onStart = start
        onEnd = end
    }

    /// Parts of a workbook never declare a DTD; one that does is refused rather than have its
    /// entities expanded.
    static func walk(
        _ xml: Data, part: String, start: @escaping (String, [String: String]) -> Void,
        end: @escaping (String, String) -> Void
    ) throws {
        guard xml.range(of: Data("<!DOCTYPE".utf8)) == nil else {
            throw Spreadsheet.unreadable("The workbook's \(part) declares a DTD, which a workbook never needs.")
        }
        let parser = XMLParser(data: xml)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let walker = XMLWalker(start: start, end: end)
        parser.delegate = walker
        guard parser.parse() else {
            throw Spreadsheet.unreadable("The workbook's \(part) is not readable: the file may be damaged.")
        }
    }

    private static func local(_ name: String) -> String {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        text = ""
        var attributes: [String: String] = [:]
        for (key, value) in attributeDict { attributes[Self.local(key)] = value }
        onStart(Self.local(elementName), attributes)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        onEnd(Self.local(elementName), text)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }
}
