import Foundation
import GRDB
import Testing
import ZIPFoundation

@testable import SGPSupport

@Suite struct RegisterImportTests {
    let header = "name,gmcNumber,kind,email,phone,postcode,localities,skills,usualRate,mailshotConsent"

    @Test func aValidFileUpsertsByGMCNumber() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "Dr Old Name")
        let csv = """
            \(header)
            Dr New Name,1111111,salaried,new@example.org,01632 960001,AB1 2CD,Ashby Vale;Brookmere,minor-surgery,95.50,true
            Dr Second,2222222,freelance,second@example.org,,,Brookmere,,,no
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        #expect((report.created, report.updated, report.unchanged) == (1, 1, 0))
        #expect(report.applied)
        let page = try await fixture.database.gps(organisationId: fixture.organisationId, filter: GPFilter(), page: PageRequest())
        let renamed = try #require(page.items.first { $0.gp.registrationNumber == "1111111" }?.gp)
        #expect(renamed.name == "Dr New Name")
        #expect(renamed.localities == ["Ashby Vale", "Brookmere"])
        #expect(renamed.usualRatePence == 9550)
        #expect(page.total == 2)
    }

    @Test func anyInvalidRowImportsNothingAndEveryProblemIsListedByRow() async throws {
        let fixture = try await RegisterFixture()
        let csv = """
            \(header)
            Dr Fine,1111111,freelance,fine@example.org,,,,,,
            Dr Bad Number,12AB,freelance,bad@example.org,,,,,,
            ,3333333,partner,also-bad,,,,,,maybe
            Dr Twice,1111111,freelance,,,,,,,
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(!report.applied)
        #expect(
            report.problems.map(\.description) == [
                "Row 3, gmcNumber: Enter the GMC reference number: exactly 7 digits, like 1234567",
                "Row 4, kind: Choose Freelance / locum, Salaried, Retainer scheme or Returner",
                "Row 4, mailshotConsent: Enter Yes or No",
                "Row 4, name: Enter the GP's full name (up to 120 characters)",
                "Row 4, email: Enter an email address in the right format, like name@example.org",
                "Row 5, gmcNumber: GMC number 1111111 is also on row 2",
            ])
        let count = try await fixture.database.read { db in try GP.fetchCount(db) }
        #expect(count == 0, "the valid first row was not kept either")
    }

    @Test func aDryRunReportsWithoutWriting() async throws {
        let fixture = try await RegisterFixture()
        let csv = "\(header)\nDr Fine,1111111,freelance,fine@example.org,,,,,,\n"
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: true, by: fixture.liaison)
        #expect(report.created == 1)
        #expect(!report.applied)
        #expect(report.summary == "Dry run: would add 1, change 0 and record 0 checks; 0 unchanged. Nothing was saved.")
        let count = try await fixture.database.read { db in try GP.fetchCount(db) }
        #expect(count == 0)
    }

    @Test func aDryRunNamesEachRowItWouldAddOrChange() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("7100003", name: "Zara Yardley") {
            $0.email = "zara@example.org"
            $0.skills = ["minor-surgery"]
        }
        _ = try await fixture.addGP("7100004", name: "Dr Same")
        let csv = """
            Full name,GMC number,Profession,Email address,Skills
            Siân Jones,7100001,GP,sian@example.org,
            Zara Yardley,7100003,GP,zara.yardley@example.org,Minor surgery; Coil fitting
            Dr Same,7100004,,,
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: true, by: fixture.liaison)
        #expect(report.problems == [])
        #expect(
            report.changes == [
                "Row 2: add Siân Jones (GP)", "Row 3: change Zara Yardley: email, skills", "Row 4: no change to Dr Same",
            ])
        #expect((report.created, report.updated, report.unchanged) == (1, 1, 1))
        let zara = try await fixture.database.read { db in try GP.filter(GP.Columns.registrationNumber == "7100003").fetchOne(db)
        }
        #expect(zara?.email == "zara@example.org", "a dry run changes nothing")
        #expect(try await fixture.database.read { db in try GP.fetchCount(db) } == 2)
    }

    @Test func headingsAndValuesMayBeTheFormsLabelsAndDatesUKDates() async throws {
        let fixture = try await RegisterFixture()
        let csv = """
            Full name,GMC number,Profession,Kind of work,Status,Email address,Phone,Localities,Skills,Usual rate,\
            Last appraisal,Revalidation due,Mailshot consent
            Zoë Brown,7100002,GP,Freelance / locum,Active,zoe@example.org,01632 960001,ashby vale; Brookmere,\
            Coil fitting; minor surgery,£95.50,15/05/2026,1/6/2029,Yes
            Dr Code,7100005,pharmacist,salaried,suspended,,,,home-visits,,2026-03-01,,no
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        let zoe = try #require(
            try await fixture.database.read { db in try GP.filter(GP.Columns.registrationNumber == "7100002").fetchOne(db) })
        let code = try #require(
            try await fixture.database.read { db in try GP.filter(GP.Columns.registrationNumber == "7100005").fetchOne(db) })
        #expect(zoe.name == "Zoë Brown")
        #expect(zoe.profession == .gp)
        #expect(zoe.kind == .freelance)
        #expect(zoe.status == .active)
        #expect(zoe.localities == ["Ashby Vale", "Brookmere"], "localities as the register spells them")
        #expect(zoe.skills == ["coil-fitting", "minor-surgery"])
        #expect(zoe.usualRatePence == 9550)
        #expect(zoe.lastAppraisalOn == Day("2026-05-15"))
        #expect(zoe.revalidationDueOn == Day("2029-06-01"))
        #expect(zoe.mailshotConsent)
        #expect(code.profession == .pharmacist)
        #expect(code.kind == .salaried)
        #expect(code.status == .suspended)
        #expect(code.skills == ["home-visits"])
        #expect(code.lastAppraisalOn == Day("2026-03-01"))
    }

    @Test func aDateThatIsNotOneIsRefusedWithTheFormsItMayTake() async throws {
        let fixture = try await RegisterFixture()
        let csv = """
            Full name,GMC number,Last appraisal,Revalidation due,Skills,Status
            Dr One,7100001,31/02/2026,15/05/29,Yoga,Retired
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(
            report.problems.map(\.description) == [
                "Row 2, Status: Choose Applicant, Active, Suspended or Left",
                "Row 2, Skills: Unknown skills: Yoga. Choose from: "
                    + RegisterDefaults.skills.map(\.name).sorted().joined(separator: ", "),
                "Row 2, Last appraisal: Enter a real date like 15/05/2026 or 2026-05-15",
                "Row 2, Revalidation due: Enter a real date like 15/05/2026 or 2026-05-15",
            ])
    }

    @Test func aFileSavedWithAByteOrderMarkImports() async throws {
        let fixture = try await RegisterFixture()
        let file = Data([0xEF, 0xBB, 0xBF] + Array("Full name,GMC number\r\nSiân Jones,7100001\r\n".utf8))
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, file: file, dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        #expect(report.changes == ["Row 2: add Siân Jones (GP)"])
    }

    @Test func anExcelCSVInWindows1252ImportsSianCorrectly() async throws {
        let fixture = try await RegisterFixture()
        // Excel's "CSV" on Windows: "Siân" is 0x53 0x69 0xE2 0x6E, not valid UTF-8.
        let file = Data(Array("Full name,GMC number\r\n".utf8) + [0x53, 0x69, 0xE2, 0x6E] + Array(" Jones,7100001\r\n".utf8))
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, file: file, dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        let gp = try await fixture.database.read { db in try GP.filter(GP.Columns.registrationNumber == "7100001").fetchOne(db) }
        #expect(gp?.name == "Siân Jones")
        #expect(Spreadsheet.windows1252([0x80, 0x92, 0x96, 0xA3, 0xE9]) == "€’–£é")
    }

    @Test func excelUnicodeTextAndTabSeparatedPastesImport() async throws {
        let fixture = try await RegisterFixture()
        let text = "Full name\tGMC number\tEmail\r\nZoë Brown\t7100002\tzoe@example.org\r\n"
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, file: Data(utf16), dryRun: true, by: fixture.liaison)
        #expect(report.problems == [])
        #expect(report.changes == ["Row 2: add Zoë Brown (GP)"])
        let semicolons = "Full name;GMC number\nZoë Brown;7100002\n"
        let second = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: semicolons, dryRun: true, by: fixture.liaison)
        #expect(second.changes == ["Row 2: add Zoë Brown (GP)"])
    }

    @Test func anXLSXWorkbookIsReadCellByCellWithSharedStringsDatesAndEmptyCells() throws {
        let sheets = try Spreadsheet.sheets(from: try TestWorkbook.register())
        #expect(sheets.map(\.name) == ["GPs", "Checks"])
        #expect(
            sheets[0].rows == [
                ["Full name", "GMC number", "Profession", "Email address", "Last appraisal", "Skills", "Kind of work"],
                ["Siân Ó Dónaill", "7100001", "GP", "", "2026-03-15", "Coil fitting; Minor surgery", "Freelance / locum"],
                ["Zoë Brown", "7100002", "Pharmacist", "zoe@example.org", "2025-06-01"],
            ])
        #expect(
            sheets[1].rows[1] == ["7100001", "DBS check", "Verified", "2026-01-10", "15/05/2027", "001234567890", "Enhanced"])
    }

    @Test func aWorkbookImportsItsGPsAndItsChecksSheetTogether() async throws {
        let fixture = try await RegisterFixture()
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, file: try TestWorkbook.register(), dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        #expect(
            report.changes == [
                "Row 2: add Siân Ó Dónaill (GP)", "Row 3: add Zoë Brown (Pharmacist)",
                "Checks sheet, row 2: record DBS check for Siân Ó Dónaill (Verified, expires 15 May 2027)",
            ])
        let sian = try #require(
            try await fixture.database.read { db in try GP.filter(GP.Columns.registrationNumber == "7100001").fetchOne(db) })
        #expect(sian.email == nil)
        #expect(sian.lastAppraisalOn == Day("2026-03-15"))
        #expect(sian.skills == ["coil-fitting", "minor-surgery"])
        let dbs = try #require(try await fixture.database.checks(gpId: sian.id!).first)
        #expect(dbs.type == "dbs")
        #expect(dbs.status == .verified)
        #expect(dbs.verifiedOn == Day("2026-01-10"))
        #expect(dbs.expiresOn == Day("2027-05-15"))
        #expect(dbs.dbsCertificateNumber == "001234567890")
        #expect(dbs.dbsLevel == "enhanced")

        let again = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, file: try TestWorkbook.register(), dryRun: false, by: fixture.liaison)
        #expect(
            (again.created, again.updated, again.unchanged, again.checksRecorded) == (0, 0, 3, 0),
            "a second import adds nothing")
    }

    @Test func aBadCheckRowKeepsTheWholeWorkbookOut() async throws {
        let fixture = try await RegisterFixture()
        let workbook = try TestWorkbook.register(checkNumber: "7999999")
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, file: workbook, dryRun: false, by: fixture.liaison)
        #expect(
            report.problems.map(\.description) == [
                "Checks sheet, row 2, GMC number: No GP on this register has GMC number 7999999"
            ])
        #expect(try await fixture.database.read { db in try GP.fetchCount(db) } == 0)
    }

    @Test func checksImportFromAFileOfTheirOwn() async throws {
        let fixture = try await RegisterFixture()
        let zara = try await fixture.addGP("7100003", name: "Zara Yardley")
        let csv = """
            GMC number,Full name,Check,Result,Date checked,Expires on,DBS certificate number,DBS level,DBS Update Service
            7100003,Zara Yardley,DBS check,Verified,10/01/2026,,0012 3456 7890,Enhanced with barred lists,Yes
            7100003,Zara Yardley,Indemnity,Verified,2026-01-10,31/12/2027,,,
            """
        let report = try await fixture.database.importChecks(
            organisationId: fixture.organisationId, file: Data(csv.utf8), dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        #expect(
            report.changes == [
                "Row 2: record DBS check for Zara Yardley (Verified)",
                "Row 3: record Medical indemnity for Zara Yardley (Verified, expires 31 Dec 2027)",
            ])
        let checks = try await fixture.database.checks(gpId: zara.id!)
        let dbs = try #require(checks.first { $0.type == "dbs" })
        #expect(dbs.dbsCertificateNumber == "001234567890")
        #expect(dbs.dbsLevel == "enhanced-barred")
        #expect(dbs.dbsUpdateService == true)
        #expect(dbs.verifiedById != nil, "recorded as the form records a check: by the liaison officer")

        let again = try await fixture.database.importChecks(
            organisationId: fixture.organisationId, file: Data(csv.utf8), dryRun: false, by: fixture.liaison)
        #expect(again.checksRecorded == 0)
        #expect(again.changes.first == "Row 2: no change to Zara Yardley's DBS check")

        let bad = """
            GMC number,Check,Result
            7999999,DBS check,Verified
            7100003,Yoga,Verified
            7100003,Appraisal,Done
            """
        let refused = try await fixture.database.importChecks(
            organisationId: fixture.organisationId, file: Data(bad.utf8), dryRun: false, by: fixture.liaison)
        #expect(
            refused.problems.map(\.description) == [
                "Row 2, GMC number: No GP on this register has GMC number 7999999",
                "Row 3, Check: Unknown check Yoga. Choose from: "
                    + RegisterDefaults.checkTypes.map(\.name).joined(separator: ", "),
                "Row 4, Result: Choose Pending verification, Verified, Failed or Expired",
            ])
    }

    @Test func unknownOrMissingColumnsAreNamed() async throws {
        let fixture = try await RegisterFixture()
        let errors = await validationErrors {
            _ = try await fixture.database.importGPs(
                organisationId: fixture.organisationId, csv: "name,favouriteColour\nDr X,blue\n", dryRun: false,
                by: fixture.liaison)
        }
        let message = try #require(errors?["file"])
        #expect(message.hasPrefix("Row 1: "))
        #expect(message.contains("missing column(s) Registration number (or gmcNumber)"))
        #expect(message.contains("unknown column(s) favouriteColour"))
    }

    @Test func aFileThatIsNoSpreadsheetSaysWhatItIs() async throws {
        let fixture = try await RegisterFixture()
        let files: [(Data, String)] = try [
            (Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]), "Excel 97–2003 workbook (.xls)"),
            (TestWorkbook.zip(["mimetype": "application/vnd.oasis.opendocument.spreadsheet"]), "OpenDocument"),
            (TestWorkbook.zip(["hello.txt": "hello"]), "not an .xlsx workbook"),
            (Data("%PDF-1.7\n\u{0}\u{0}binary".utf8), "not a CSV file"),
        ]
        for (file, words) in files {
            let errors = await validationErrors {
                _ = try await fixture.database.importGPs(
                    organisationId: fixture.organisationId, file: file, dryRun: true, by: fixture.liaison)
            }
            #expect(errors?["file"]?.contains(words) == true, "\(words): \(String(describing: errors?["file"]))")
        }
    }

    @Test func aWorkbookPartWithADTDIsRefused() throws {
        var parts = TestWorkbook.registerParts()
        parts["xl/sharedStrings.xml"] =
            #"<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><sst><si><t>&lol;</t></si></sst>"#
        let workbook = try TestWorkbook.zip(parts)
        #expect(throws: DomainError.self) { _ = try Spreadsheet.sheets(from: workbook) }
    }

    @Test func everyHeadingNamesOneColumnOnly() {
        func names<Record>(_ columns: [SheetColumn<Record>]) -> [String] {
            columns.flatMap { Set(([$0.key, $0.label] + $0.aliases).map(RegisterColumns.normalised)) }
        }
        for all in [names(RegisterColumns.gp), names(RegisterColumns.practice), names(RegisterColumns.check)] {
            #expect(Set(all).count == all.count, "a heading two columns answer to: \(all)")
        }
        #expect(RegisterCSV.columnKey(forHeading: "GMC number", in: .gps) == "gmcNumber")
        #expect(RegisterCSV.columnKey(forHeading: "email address", in: .gps) == "email")
        #expect(RegisterCSV.columnKey(forHeading: "gmc_number", in: .checks) == "gmcNumber")
    }

    @Test func exportsAreInTheFormsWordsWithAByteOrderMarkOrInJSONNames() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "Siân Ó Dónaill") {
            $0.skills = ["coil-fitting", "minor-surgery"]
            $0.mailshotConsent = true
        }
        let exported = try await fixture.database.exportGPs(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(Array(exported.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(exported.hasPrefix("\u{FEFF}Full name,Registration number,Profession,Kind of work,Status,Email,"))
        #expect(exported.contains("Siân Ó Dónaill,1111111,GP,Freelance / locum,Active,"))
        #expect(exported.contains("Coil fitting; Minor surgery"))
        #expect(exported.contains(",Yes\r\n"))
        let json = try await fixture.database.exportGPs(
            organisationId: fixture.organisationId, columns: .json, by: fixture.liaison)
        #expect(json.hasPrefix("name,gmcNumber,profession,kind,status,email,phone,postcode,localities,skills,"))
        #expect(json.contains("Siân Ó Dónaill,1111111,gp,freelance,active,"))
        #expect(json.contains("coil-fitting;minor-surgery"))
    }

    @Test func theExportRoundTripsInBothFormsAndGuardsAgainstFormulas() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "=HYPERLINK(\"http://evil\")") {
            $0.phone = "+44 1632 960002"
            $0.skills = ["minor-surgery", "coil-fitting"]
            $0.localities = ["Brookmere"]
            $0.usualRate = 88
            $0.lastAppraisalOn = "2026-03-01"
            $0.mailshotConsent = true
        }
        _ = try await fixture.addGP("2222222", name: "Dr Plain, With Comma")
        let zara = try await fixture.addGP("3333333", name: "Zara Yardley")
        try await fixture.clearFully(zara.id!)
        for form in RegisterFileColumns.allCases {
            let exported = try await fixture.database.exportGPs(
                organisationId: fixture.organisationId, columns: form, by: fixture.liaison)
            #expect(exported.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""))
            #expect(exported.contains("'+44 1632 960002"))
            let checks = try await fixture.database.exportChecks(
                organisationId: fixture.organisationId, columns: form, by: fixture.liaison)

            // Into a fresh organisation's register, then out again: the same files.
            let other = try await RegisterFixture()
            let report = try await other.database.importGPs(
                organisationId: other.organisationId, file: Data(exported.utf8), dryRun: false, by: other.liaison)
            #expect(report.problems == [])
            #expect(report.created == 3)
            let checksReport = try await other.database.importChecks(
                organisationId: other.organisationId, file: Data(checks.utf8), dryRun: false, by: other.liaison)
            #expect(checksReport.problems == [])
            #expect(checksReport.checksRecorded == RegisterDefaults.checkCodes(for: .gp).count)
            let again = try await other.database.exportGPs(
                organisationId: other.organisationId, columns: form, by: other.liaison)
            #expect(again == exported, "\(form)")
            let checksAgain = try await other.database.exportChecks(
                organisationId: other.organisationId, columns: form, by: other.liaison)
            #expect(checksAgain == checks, "\(form)")
        }
    }

    @Test func practicesImportAndRoundTrip() async throws {
        let fixture = try await RegisterFixture()
        let csv = """
            odsCode,name,address,postcode,locality,phone,email,clinicalSystem
            a81003,Heathside Surgery,"1 High Street, Castlewick",CW1 1AA,Castlewick,01632 960100,heathside@example.org,EMIS Web
            A81001,Renamed Practice,,,Ashby Vale,,,
            """
        let report = try await fixture.database.importPractices(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(report.problems == [])
        #expect((report.created, report.updated) == (1, 1))
        #expect(report.changes == ["Row 2: add Heathside Surgery (A81003)", "Row 3: change Renamed Practice: name"])
        let exported = try await fixture.database.exportPractices(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(exported.hasPrefix("\u{FEFF}ODS code,Practice name,Address,Postcode,Locality,"))
        #expect(exported.contains("A81003,Heathside Surgery,\"1 High Street, Castlewick\",CW1 1AA,Castlewick"))
        let bad = try await fixture.database.importPractices(
            organisationId: fixture.organisationId, csv: "odsCode,name,locality\nXX1,Bad,Here\n", dryRun: false,
            by: fixture.liaison)
        #expect(bad.problems.map(\.description) == ["Row 2, odsCode: Enter the ODS code: a letter and 5 digits, like A81001"])
    }

    @Test func theMailingListHoldsOnlyConsentingActiveGPs() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "Dr Yes") {
            $0.email = "yes@example.org"
            $0.mailshotConsent = true
        }
        _ = try await fixture.addGP("2222222", name: "Dr No") { $0.email = "no@example.org" }
        _ = try await fixture.addGP("3333333", name: "Dr Left") {
            $0.email = "left@example.org"
            $0.mailshotConsent = true
            $0.status = "left"
        }
        let list = try await fixture.database.exportMailingList(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(list.hasPrefix("\u{FEFF}Full name,Email,Consented on\r\n"))
        #expect(list.contains("yes@example.org"))
        #expect(!list.contains("no@example.org"))
        #expect(!list.contains("left@example.org"))
    }
}

/// Workbooks built from literal XML, laid out as Excel lays one out: a shared-strings table (with a
/// rich-text string and a phonetic guide), styles whose cell formats follow a `cellStyleXfs` list, a
/// date in a built-in and in a custom format, an empty cell, cells without references, and a
/// second sheet written with a namespace prefix, as some writers do.
enum TestWorkbook {
    static func zip(_ parts: [String: String]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create, pathEncoding: nil)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let bytes = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate
            ) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw WorkbookNotBuilt() }
        return data
    }

    struct WorkbookNotBuilt: Error {}

    static func register(checkNumber: String = "7100001") throws -> Data {
        try zip(registerParts(checkNumber: checkNumber))
    }

    static func registerParts(checkNumber: String = "7100001") -> [String: String] {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        let package = "http://schemas.openxmlformats.org/package/2006/relationships"
        func inline(_ reference: String, _ text: String, prefix: String = "") -> String {
            "<\(prefix)c r=\"\(reference)\" t=\"inlineStr\"><\(prefix)is><\(prefix)t>\(text)</\(prefix)t>"
                + "</\(prefix)is></\(prefix)c>"
        }
        let checkHeadings = [
            "GMC number", "Check", "Result", "Date checked", "Expires on", "DBS certificate number", "DBS level",
        ]
        let checkHeader = Swift.zip(["A", "B", "C", "D", "E", "F", "G"], checkHeadings).map { inline("\($0)1", $1, prefix: "x:") }
        return [
            "[Content_Types].xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="xml" ContentType="application/xml"/></Types>
            """,
            "_rels/.rels": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="\(package)"><Relationship Id="rId1" \
            Type="\(relationships)/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """,
            "xl/workbook.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="\(main)" xmlns:r="\(relationships)"><workbookPr/><sheets>\
            <sheet name="GPs" sheetId="1" r:id="rId1"/><sheet name="Checks" sheetId="2" r:id="rId2"/></sheets></workbook>
            """,
            "xl/_rels/workbook.xml.rels": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="\(package)">\
            <Relationship Id="rId1" Type="\(relationships)/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="\(relationships)/worksheet" Target="/xl/worksheets/sheet2.xml"/>\
            <Relationship Id="rId3" Type="\(relationships)/sharedStrings" Target="sharedStrings.xml"/>\
            <Relationship Id="rId4" Type="\(relationships)/styles" Target="styles.xml"/></Relationships>
            """,
            "xl/sharedStrings.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <sst xmlns="\(main)" count="11" uniqueCount="11"><si><t>Full name</t></si><si><t>GMC number</t></si>\
            <si><t>Profession</t></si><si><t>Email address</t></si><si><t>Last appraisal</t></si><si><t>Skills</t></si>\
            <si><r><t xml:space="preserve">Siân Ó </t></r><r><rPr><b/></rPr><t>Dónaill</t></r>\
            <rPh sb="0" eb="1"><t>シ</t></rPh></si>\
            <si><t>Coil fitting; Minor surgery</t></si><si><t>Zoë Brown</t></si><si><t>Kind of work</t></si>\
            <si><t>Freelance / locum</t></si></sst>
            """,
            "xl/styles.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="\(main)"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>\
            <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>\
            <cellXfs count="4"><xf numFmtId="0" xfId="0"/><xf numFmtId="14" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="164" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" xfId="0"/></cellXfs></styleSheet>
            """,
            "xl/worksheets/sheet1.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="\(main)"><sheetData>\
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>\
            <c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c>\
            <c r="G1" t="s"><v>9</v></c></row>\
            <row r="2"><c r="A2" t="s"><v>6</v></c><c r="B2" s="3"><v>7100001</v></c>\(inline("C2", "GP"))\
            <c r="E2" s="1"><v>46096</v></c><c r="F2" t="s"><v>7</v></c><c r="G2" t="s"><v>10</v></c></row>\
            <row><c t="s"><v>8</v></c><c><v>7.100002E6</v></c><c t="inlineStr"><is><t>Pharmacist</t></is></c>\
            <c t="str"><f>LOWER("ZOE")&amp;"@example.org"</f><v>zoe@example.org</v></c><c s="2"><v>45809</v></c></row>\
            </sheetData></worksheet>
            """,
            "xl/worksheets/sheet2.xml": """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <x:worksheet xmlns:x="\(main)"><x:sheetData><x:row r="1">\(checkHeader.joined())</x:row>\
            <x:row r="2">\(inline("A2", checkNumber, prefix: "x:"))\(inline("B2", "DBS check", prefix: "x:"))\
            \(inline("C2", "Verified", prefix: "x:"))<x:c r="D2" s="1"><x:v>46032</x:v></x:c>\
            \(inline("E2", "15/05/2027", prefix: "x:"))\(inline("F2", "001234567890", prefix: "x:"))\
            \(inline("G2", "Enhanced", prefix: "x:"))</x:row></x:sheetData></x:worksheet>
            """,
        ]
    }
}

@Suite struct SelfRegistrationTests {
    @Test func anApplicantIsApprovedAndSetsAPassword() async throws {
        let fixture = try await RegisterFixture()
        var input = GPInput()
        input.name = "Dr Keen"
        input.gmcNumber = "5555555"
        input.email = "keen@example.org"
        input.status = "active"  // ignored: an application is always an applicant
        let applicant = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        #expect(applicant.status == .applicant)

        let invite = try await fixture.database.approveApplicant(gpId: applicant.id!, by: fixture.liaison)
        #expect(invite.email == "keen@example.org")
        #expect(try await fixture.database.gp(id: applicant.id!)?.status == .active)
        await #expect(throws: DomainError.invalidCredentials) {
            _ = try await fixture.database.signIn(email: "keen@example.org", password: "anything at all", from: "t", kind: .web)
        }
        let email = try await fixture.database.completePasswordSetup(
            token: invite.token, password: "my new passphrase", from: "10.0.0.1")
        #expect(email == "keen@example.org")
        let session = try await fixture.database.signIn(
            email: "keen@example.org", password: "my new passphrase", from: "t", kind: .web)
        #expect(session.principal.gpId == applicant.id)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.completePasswordSetup(
                token: invite.token, password: "another passphrase", from: "10.0.0.1")
        }
    }

    @Test func theSetPasswordLinkTakesTheOnePasswordRule() async throws {
        let fixture = try await RegisterFixture()
        var input = GPInput()
        input.name = "Dr Paste"
        input.gmcNumber = "5555557"
        input.email = "paste@example.org"
        let applicant = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        let invite = try await fixture.database.approveApplicant(gpId: applicant.id!, by: fixture.liaison)
        let errors = await validationErrors {
            _ = try await fixture.database.completePasswordSetup(
                token: invite.token, password: "my new\tpassphrase", from: "10.0.0.1")
        }
        #expect(errors?["password"] == "A password cannot contain control characters such as tabs or line breaks")
        #expect(try await fixture.database.passwordSetupIsValid(token: invite.token), "the link still works")
    }

    /// A link that does not work is refused before any bcrypt, and counts as a failed sign-in of the
    /// address, so guessing links meets the sign-in limit.
    @Test func aBadSetPasswordLinkCostsNoHashingAndGuessesAreLimited() async throws {
        let counter = BcryptCounter()
        let database = try makeTestDatabase(passwords: counter.hasher)
        var limits = SignInLimits()
        limits.failuresPerAddress = 3
        for index in 0..<3 {
            await #expect(throws: DomainError.self) {
                _ = try await database.completePasswordSetup(
                    token: "guess-\(index)", password: "a fine passphrase", from: "10.0.0.7", limits: limits)
            }
        }
        #expect(counter.runs == 0, "no password was hashed for a bad link")
        await #expect(throws: DomainError.tooManyAttempts(retryAfterSeconds: 900)) {
            _ = try await database.completePasswordSetup(
                token: "guess-4", password: "a fine passphrase", from: "10.0.0.7", limits: limits)
        }
        let expired = DomainError.notFound("This link has expired or has been used. Ask the support team for a new one.")
        await #expect(throws: expired, "another address is not held back") {
            _ = try await database.completePasswordSetup(
                token: "guess-5", password: "a fine passphrase", from: "10.0.0.8", limits: limits)
        }
        #expect(counter.runs == 0)
    }

    @Test func aDeclineNeedsAReasonAndKeepsIt() async throws {
        let fixture = try await RegisterFixture()
        var input = GPInput()
        input.name = "Dr Maybe"
        input.gmcNumber = "5555556"
        input.email = "maybe@example.org"
        let applicant = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        let noReason = await validationErrors {
            _ = try await fixture.database.declineApplicant(gpId: applicant.id!, reason: " ", by: fixture.liaison)
        }
        #expect(noReason?["reason"] == "Give the reason for declining")
        let declined = try await fixture.database.declineApplicant(
            gpId: applicant.id!, reason: "Not on the performers list", by: fixture.liaison)
        #expect(declined.status == .left)
        #expect(declined.declineReason == "Not on the performers list")
    }

    @Test func aGMCNumberAlreadyOnTheRegisterIsRefusedWithoutDetail() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("5555555", name: "Dr Existing")
        var input = GPInput()
        input.name = "Dr Copy"
        input.gmcNumber = "5555555"
        input.email = "copy@example.org"
        let errors = await validationErrors {
            _ = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        }
        #expect(errors?["gmcNumber"] == "This GMC number is already on the register: contact the support team instead")
    }
}
