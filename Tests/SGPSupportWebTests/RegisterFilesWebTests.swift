import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing
import ZIPFoundation

@testable import SGPSupportWeb

@Suite struct MultipartFormTests {
    @Test func theBoundaryComesFromTheContentType() {
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=----abc123") == "----abc123")
        #expect(MultipartForm.boundary(contentType: #"Multipart/Form-Data; charset=utf-8; boundary="a b;c""#) == "a b;c")
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartForm.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }

    @Test func partsAreReadWithTheirNamesFileNamesAndBytes() throws {
        // A file whose bytes look like a line end and a delimiter's dashes, and are not UTF-8.
        let file: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x0D, 0x0A, 0x2D, 0x2D, 0x00, 0xFF]
        let body = Browser.multipartBody(
            ["_csrf": "token", "kind": "gps", "csv": "a,b\r\nc,d"], file: ("file", "register.xlsx", file), boundary: "XyZ")
        let form = try #require(MultipartForm(body: Array("A preamble to ignore\r\n".utf8) + body, boundary: "XyZ"))
        #expect(form.fields["_csrf"] == "token")
        #expect(form.fields["csv"] == "a,b\r\nc,d")
        #expect(form.fields["file"] == nil, "a file is not a text field")
        #expect(
            form.files["file"] == UploadedFile(filename: "register.xlsx", contentType: "application/octet-stream", bytes: file))
    }

    @Test func aFileFieldLeftEmptySendsNoFileAndQuotedNamesAreUnescaped() throws {
        let body = Array(
            ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n\r\n--b\r\n"
                + "content-disposition: form-data; name=\"note\"; filename=\"a \\\"b\\\".csv\"\r\n\r\nx\r\n--b--\r\n").utf8)
        let form = try #require(MultipartForm(body: body, boundary: "b"))
        #expect(form.files["file"] == nil)
        #expect(form.files["note"]?.filename == #"a "b".csv"#)
    }

    @Test func aBrokenBodyIsRefused() {
        #expect(MultipartForm(body: Array("no delimiter here".utf8), boundary: "XyZ") == nil)
        let unterminated = Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue".utf8)
        #expect(MultipartForm(body: unterminated, boundary: "XyZ") == nil)
        let noHeaderEnd = Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"".utf8)
        #expect(MultipartForm(body: noHeaderEnd, boundary: "XyZ") == nil)
    }
}

@Suite struct RegisterFilesWebTests {
    /// A workbook as small as a spreadsheet program can read: inline strings in one sheet.
    static func workbook(_ rows: [[String]]) throws -> [UInt8] {
        let cells = rows.enumerated().map { row, values in
            "<row r=\"\(row + 1)\">"
                + values.enumerated().map { column, value in
                    let reference = String(UnicodeScalar(UInt8(65 + column))) + String(row + 1)
                    return "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(value)</t></is></c>"
                }.joined() + "</row>"
        }
        let parts = [
            "xl/workbook.xml": """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets><sheet name="Register" sheetId="1" r:id="rId1"/></sheets></workbook>
            """,
            "xl/_rels/workbook.xml.rels": """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
            Target="worksheets/sheet1.xml"/></Relationships>
            """,
            "xl/worksheets/sheet1.xml": """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\
            \(cells.joined())</sheetData></worksheet>
            """,
        ]
        let archive = try Archive(data: Data(), accessMode: .create, pathEncoding: nil)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let bytes = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate
            ) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let data = try #require(archive.data)
        return [UInt8](data)
    }

    @Test func aFileUploadedThroughThePageIsCheckedThenImported() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let page = try await browser.request("/register/import")
            #expect(page.text.contains(#"enctype="multipart/form-data""#))
            #expect(page.text.contains(#"name="file" type="file""#))
            // Excel's "CSV" on Windows: "Siân" in Windows-1252.
            let csv =
                Array("Full name,GMC number,Profession,Last appraisal\r\n".utf8) + [0x53, 0x69, 0xE2, 0x6E]
                + Array(" Jones,7100001,GP,15/05/2024\r\n".utf8)
            let checked = try await browser.upload(
                "/register/import", ["kind": "gps", "dryRun": "true"], file: ("file", "register.csv", csv))
            #expect(checked.status == .ok)
            #expect(checked.text.contains("Row 2: add Siân Jones (GP)"))
            #expect(checked.text.contains("Nothing was saved."))
            #expect(try await Self.gp("7100001", in: environment) == nil)

            let imported = try await browser.upload("/register/import", ["kind": "gps"], file: ("file", "register.csv", csv))
            #expect(imported.status == .ok)
            #expect(imported.text.contains("Added 1, changed 0 and recorded 0 checks; 0 unchanged."))
            let gp = try #require(try await Self.gp("7100001", in: environment))
            #expect(gp.name == "Siân Jones")
            #expect(gp.lastAppraisalOn == Day("2024-05-15"))

            let workbook = try Self.workbook([
                ["Full name", "GMC number", "Kind of work"], ["Zoë Brown", "7100002", "Freelance / locum"],
            ])
            let fromExcel = try await browser.upload(
                "/register/import", ["kind": "gps"], file: ("file", "register.xlsx", workbook))
            #expect(fromExcel.text.contains("Row 2: add Zoë Brown (GP)"))
            #expect(try await Self.gp("7100002", in: environment)?.kind == .freelance)
        }
    }

    @Test func aMultipartPostNeedsThePagesToken() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            try await browser.request("/register/import")
            let file = Array("Full name,GMC number\nDr Sneaky,7100009\n".utf8)
            let without = try await browser.upload(
                "/register/import", ["kind": "gps"], file: ("file", "a.csv", file), csrf: false)
            #expect(without.status == .forbidden)
            let wrong = try await browser.upload(
                "/register/import", ["kind": "gps", "_csrf": "not-the-token"], file: ("file", "a.csv", file), csrf: false)
            #expect(wrong.status == .forbidden)
            #expect(try await Self.gp("7100009", in: environment) == nil)
        }
    }

    @Test func aFileThatIsNoSpreadsheetIsRefusedBesideTheFileField() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            try await browser.request("/register/import")
            let response = try await browser.upload(
                "/register/import", ["kind": "gps"], file: ("file", "register.xlsx", [0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]))
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains(#"id="file-error""#))
            #expect(response.text.contains("Excel 97–2003 workbook (.xls)"))
            let nothing = try await browser.submit("/register/import", ["kind": "gps", "csv": " "])
            #expect(nothing.text.contains("Choose a file to upload, or paste the rows"))
        }
    }

    @Test func downloadsAreInTheFormsWordsOrInJSONNames() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let register = try await browser.request("/register/gps.csv")
            #expect(register.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(Array(register.body.readableBytesView.prefix(3)) == [0xEF, 0xBB, 0xBF])
            #expect(register.text.hasPrefix("\u{FEFF}Full name,Registration number,Profession,Kind of work,"))
            let json = try await browser.request("/register/gps.csv?columns=json")
            #expect(json.text.hasPrefix("name,gmcNumber,profession,kind,"))
            let checks = try await browser.request("/register/checks.csv")
            #expect(checks.status == .ok)
            #expect(checks.text.hasPrefix("\u{FEFF}Registration number,Full name,Check,Result,Date checked,Expires on,"))
        }
    }

    /// The import reads a file headed as the forms are: every label of the GP and check forms
    /// names the column of that field, so the words cannot drift apart.
    @Test func everyLabelOfTheRegisterFormsHeadsItsImportColumn() {
        let gpForm = GPForm.declaration(full: true, choices: GPForm.Choices(skills: [], localities: [], mentors: []))
        // The registration number's column keeps the JSON name clients have always sent.
        func key(_ field: FormField) -> String { field.name == "registrationNumber" ? "gmcNumber" : field.name }
        for field in gpForm.rendered(current: GPForm.blank) where field.name != "mentorId" {
            #expect(RegisterCSV.columnKey(forHeading: field.label, in: .gps) == key(field), "\(field.label)")
        }
        for field in CheckForm.declaration(types: [], appraisalMonths: 15).rendered(current: CheckForm.blank) {
            #expect(RegisterCSV.columnKey(forHeading: field.label, in: .checks) == key(field), "\(field.label)")
        }
    }

    static func gp(_ gmc: String, in environment: TestEnvironment) async throws -> GP? {
        try await environment.database.gps(
            organisationId: 1, filter: GPFilter(text: gmc), page: PageRequest(), by: .commandLine
        ).items.first?.gp
    }
}
