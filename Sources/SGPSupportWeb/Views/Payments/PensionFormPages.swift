import Foundation
import SGPSupport

/// GP Locum Form A for one invoice (`/invoices/{id}/form-a`), laid out like the official form: one
/// A4 sheet for each four ranges of days worked, each with the locum's part (Part 1) and the
/// practice's (Part 2: the fee, pensionable pay, employer contribution, date paid and signature).
struct FormAPage: Sendable {
    struct DaysWorked: Sendable {
        var line: Int
        var firstDay: String
        var lastDay: String
        var deadline: String
    }

    /// An empty line of the form, so each sheet shows its four.
    struct BlankLine: Sendable {
        var line: Int
    }

    struct Sheet: Sendable {
        var sheetNumber: Int
        var ofSheets: String
        var ranges: [DaysWorked]
        var blanks: [BlankLine]
        /// The figures and the signature are on the first sheet only: continuation sheets list days.
        var isFirst: Bool
    }

    struct Signature: Sendable {
        var name: String
        var at: String
        var from: String
    }

    var page: PageChrome
    var number: String
    var invoiceLink: String
    var csvLink: String
    var locumName: String
    var niNumber: String
    var gmcNumber: String
    var upr: String
    var practiceName: String
    var odsCode: String
    var grossFee: String
    var pensionablePay: String
    var pensionableShare: String
    var employerContribution: String
    var employerRate: String
    var paidOn: String
    /// Whom the locum covered for, or a dash.
    var coveringFor: String
    var signature: Signature?
    var sheets: [Sheet]
    /// "Send Forms A and B to PCSE by …", for the GP.
    var deadline: String?

    static let linesPerSheet = 4

    init(page: PageChrome, view: FormAView) {
        let invoice = view.invoice
        let details = view.payee.details
        self.page = page
        number = invoice.number
        invoiceLink = "/invoices/\(invoice.id!)"
        csvLink = "/invoices/\(invoice.id!)/form-a.csv"
        locumName = view.payee.name
        niNumber = details.niNumber.isEmpty ? "Not given" : details.niNumber
        gmcNumber = view.gmcNumber
        upr = view.upr ?? "Set when the practice pays"
        practiceName = view.practice.name
        odsCode = view.practice.odsCode
        grossFee = Money.pounds(view.grossFeePence)
        pensionablePay = Money.pounds(view.pensionablePayPence)
        pensionableShare = "\(Percent.text(basisPoints: view.pensionableShareBasisPoints)) of box 1"
        employerContribution = Money.pounds(view.employerContributionPence)
        employerRate = "\(Percent.text(basisPoints: view.employerRateBasisPoints)) of box 2"
        paidOn = invoice.paidOn?.displayText ?? "Not paid yet"
        coveringFor = invoice.coveringFor ?? "Not given"
        signature = view.approval.map {
            Signature(name: $0.approverName, at: DisplayDate.dayAndTime($0.approvedAt), from: $0.approvedFrom)
        }
        let pages = view.pages
        sheets = pages.enumerated().map { index, ranges in
            let first = index * Self.linesPerSheet
            return Sheet(
                sheetNumber: index + 1, ofSheets: "Sheet \(index + 1) of \(pages.count)",
                ranges: ranges.enumerated().map { offset, range in
                    DaysWorked(
                        line: first + offset + 1, firstDay: range.firstDay.displayText, lastDay: range.lastDay.displayText,
                        deadline: range.deadline.displayText)
                },
                blanks: (ranges.count..<Self.linesPerSheet).map { BlankLine(line: first + $0 + 1) }, isFirst: index == 0)
        }
        // The domain's deadline is a number of weeks from the first day worked: said as it counts them.
        let weeks = view.ranges.first.map { $0.firstDay.days(until: $0.deadline) / 7 } ?? 0
        deadline =
            view.viewerIsGP
            ? view.deadline.map {
                "Send this form, signed, with your Form B to PCSE by \($0.displayText): \(weeks) weeks from the first day worked."
            } : nil
    }

    /// The form's figures for PCSE Online: one row per range of days; the invoice's figures (boxes 1
    /// to 3, the date paid and the signature) once, on the first row, as the form has them once.
    static func csv(_ view: FormAView) -> String {
        let header = [
            "Locum", "NI number", "GMC number", "UPR", "Practice", "ODS code", "Line", "First day", "Last day",
            "Deadline", "Box 1 gross fee", "Box 2 pensionable pay", "Box 3 employer contribution", "Date paid",
            "Signed by", "Signed at",
        ]
        let details = view.payee.details
        let ranges: [WorkedRange?] = view.ranges.isEmpty ? [nil] : view.ranges.map { Optional($0) }
        let signedAt: String = view.approval.map { ISO8601DateFormatter().string(from: $0.approvedAt) } ?? ""
        let figures: [String] = [
            CSVMoney.decimal(view.grossFeePence), CSVMoney.decimal(view.pensionablePayPence),
            CSVMoney.decimal(view.employerContributionPence), view.invoice.paidOn?.description ?? "",
            view.approval?.approverName ?? "", signedAt,
        ]
        let rows = ranges.enumerated().map { index, range -> [String] in
            var row: [String] = [
                view.payee.name, details.niNumber, view.gmcNumber, view.upr ?? "", view.practice.name,
                view.practice.odsCode, String(index + 1),
            ]
            row.append(range?.firstDay.description ?? "")
            row.append(range?.lastDay.description ?? "")
            row.append(range?.deadline.description ?? "")
            row += index == 0 ? figures : Array(repeating: "", count: figures.count)
            return row
        }
        return CSVText.document([header] + rows)
    }
}

/// GP Locum Form B for a month (`/form-b`): the pay received in the month on signed Form As, the
/// contributions at the GP's tier, and the year's pensionable pay so far.
struct FormBPage: Sendable {
    struct Line: Sendable {
        var invoiceNumber: String
        var invoiceLink: String
        var practice: String
        var firstDay: String
        var lastDay: String
        var paidOn: String
        var pensionablePay: String
        var employerContribution: String
    }

    var page: PageChrome
    var month: String
    var previousLink: String
    var previousMonth: String
    var nextLink: String
    var nextMonth: String
    var csvLink: String
    var upr: String
    var name: String
    var dateOfBirth: String
    var niNumber: String
    var gmcNumber: String
    var address: String
    var email: String
    var lines: [Line]
    var hasLines: Bool
    /// The boxes of the form, a to j (c to f are for added years and extras, which are not asked here).
    var boxA: String
    var boxB: String
    var boxBRate: String
    var boxG: String
    var boxH: String
    var boxI: String
    var boxJ: String
    var tierNote: String
    var due: String
    /// What the GP must add to their pay details before the form is complete.
    var missing: String?
    /// Invoices paid in the month whose Form A is not signed yet.
    var unsigned: String?

    init(page: PageChrome, view: FormBView) {
        let details = view.payee.details
        self.page = page
        month = view.month.displayText
        previousLink = "/form-b?month=\(view.month.previous)"
        previousMonth = view.month.previous.displayText
        nextLink = "/form-b?month=\(view.month.next)"
        nextMonth = view.month.next.displayText
        csvLink = "/form-b.csv?month=\(view.month)"
        upr = view.upr ?? "Set once your SD number is in your pay details"
        name = view.payee.name
        dateOfBirth = details.dateOfBirth?.displayText ?? "Not given"
        niNumber = details.niNumber.isEmpty ? "Not given" : details.niNumber
        gmcNumber = view.gmcNumber
        address = details.address.isEmpty ? "Not given" : details.address
        email = view.payee.email ?? "Not given"
        lines = view.lines.map {
            Line(
                invoiceNumber: $0.invoiceNumber, invoiceLink: "/invoices/\($0.invoiceId)",
                practice: "\($0.practiceCode) · \($0.practiceName)", firstDay: $0.firstDay.displayText,
                lastDay: $0.lastDay.displayText, paidOn: $0.paidOn.displayText,
                pensionablePay: Money.pounds($0.pensionablePayPence),
                employerContribution: Money.pounds($0.employerContributionPence))
        }
        hasLines = !lines.isEmpty
        boxA = Money.pounds(view.pensionablePayPence)
        boxB = Money.pounds(view.employeeContributionPence)
        boxBRate =
            view.tierRateBasisPoints.map { "at \(Percent.text(basisPoints: $0)), your tier's rate" }
            ?? "no contribution tiers are entered: ask your administrator"
        boxG = Money.pounds(view.employeeContributionPence)
        boxH = Money.pounds(view.employerContributionPence)
        boxI = Money.pounds(view.totalContributionPence)
        boxJ = Money.pounds(view.cumulativePensionablePayPence)
        tierNote = view.tierNote
        due = view.dueOn.displayText
        missing =
            view.missing.isEmpty ? nil : "Add \(view.missing.joined(separator: ", ")) to your pay details to complete the form."
        unsigned =
            view.unsignedInvoiceNumbers.isEmpty
            ? nil
            : "Paid this month but not on this form until the practice signs its Form A: "
                + view.unsignedInvoiceNumbers.joined(separator: ", ") + "."
    }

    /// The month's lines and totals, for a spreadsheet or PCSE Online.
    static func csv(_ view: FormBView) -> String {
        var rows: [[String]] = [
            [
                "Invoice", "Practice code", "Practice", "First day", "Last day", "Date paid", "Pensionable pay",
                "Employer contribution",
            ]
        ]
        rows += view.lines.map { line -> [String] in
            [
                line.invoiceNumber, line.practiceCode, line.practiceName, line.firstDay.description,
                line.lastDay.description, line.paidOn.description, CSVMoney.decimal(line.pensionablePayPence),
                CSVMoney.decimal(line.employerContributionPence),
            ]
        }
        let tierRate: String = view.tierRateBasisPoints.map { Percent.text(basisPoints: $0) } ?? ""
        rows += [
            [],
            ["Month", view.month.description],
            ["UPR", view.upr ?? ""],
            ["a Total pensionable pay", CSVMoney.decimal(view.pensionablePayPence)],
            ["b Employee contributions", CSVMoney.decimal(view.employeeContributionPence), tierRate],
            ["g Total employee contributions", CSVMoney.decimal(view.employeeContributionPence)],
            ["h Employer contributions", CSVMoney.decimal(view.employerContributionPence)],
            ["i Total contributions (g + h)", CSVMoney.decimal(view.totalContributionPence)],
            ["j Pensionable pay this scheme year", CSVMoney.decimal(view.cumulativePensionablePayPence)],
            ["Due", view.dueOn.description],
        ]
        return CSVText.document(rows)
    }
}

/// Pence as a spreadsheet reads pounds: "1234.50", no sign or separators.
enum CSVMoney {
    static func decimal(_ pence: Int) -> String {
        String(format: "%d.%02d", pence / 100, pence % 100)
    }
}
