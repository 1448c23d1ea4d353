import Foundation
import SGPSupport

/// One invoice (`/invoices/{id}`), laid out to print as one A4 page: who it is from and to, its
/// lines and totals, where to pay; then, not printed, what the person may do with it (`view.may`)
/// and, for the GP when it is overdue, what the law lets them claim.
struct InvoicePage: Sendable {
    /// The anchor the answer to an action that could not be done links to.
    static let actionsAnchor = "invoice-actions"

    struct Party: Sendable {
        var name: String
        var address: String?
        var email: String?
        var odsCode: String?
    }

    struct Line: Sendable {
        var date: String
        var times: String
        var description: String
        var rate: String
        var amount: String
    }

    struct Bank: Sendable {
        var accountName: String
        var sortCode: String
        var accountNumber: String
    }

    /// The statutory figures on an overdue invoice, for the GP.
    struct Overdue: Sendable {
        var heading: String
        var law: String
        var baseRate: String
        var interest: String
        var interestNote: String
        var compensation: String
        var claim: String
    }

    var page: PageChrome
    var id: Int64
    var number: String
    var state: String
    var draftNote: String?
    var from: Party
    var to: Party
    var issued: String
    var due: String
    var lines: [Line]
    var total: String
    var pensionable: Bool
    var pensionablePay: String
    var pensionableShare: String
    var employerContribution: String
    var employerRate: String
    var bank: Bank?
    var paymentTerms: String
    var notes: String?
    var paid: String?
    var received: String?
    var formASigned: String?
    var ratesNote: String?
    var overdue: Overdue?
    var canSend: Bool
    var canDiscard: Bool
    var canMarkPaid: Bool
    var paidOnField: FormField?
    var canConfirmReceived: Bool
    var canApproveFormA: Bool
    var approveDeclaration: String
    var formALink: String?
    /// For the GP before sending: their pay details are what the invoice carries.
    var payDetailsNote: String?
    var hasActions: Bool

    /// `today` is the date-paid field's first value; `posted` and `errors` a date paid sent back.
    init(
        page: PageChrome, view: InvoiceView, today: Day, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        let invoice = view.invoice
        let details = view.payee.details
        let may = view.may
        let isDraft = invoice.status == .draft
        self.page = page
        id = invoice.id!
        number = invoice.number
        state = view.state.title
        draftNote =
            isDraft
            ? "A draft: only you see it. It is dated, and its due date set by your terms, when you send it." : nil
        from = Party(
            name: view.payee.name, address: details.address.isEmpty ? nil : details.address, email: view.payee.email,
            odsCode: nil)
        let practiceAddress = [view.practice.address, view.practice.postcode].compactMap { $0 }.filter { !$0.isEmpty }
        to = Party(
            name: view.practice.name,
            address: practiceAddress.isEmpty ? nil : practiceAddress.joined(separator: ", "), email: nil,
            odsCode: view.practice.odsCode)
        issued = isDraft ? "When sent" : invoice.issuedOn.displayText
        due = isDraft ? "\(invoice.paymentTermsDays) days after it is sent" : invoice.dueOn.displayText
        lines = view.lines.map {
            Line(
                date: $0.date?.displayText ?? "", times: $0.timesText ?? "", description: $0.description,
                rate: $0.rateText ?? "", amount: Money.pounds($0.amountPence))
        }
        total = Money.pounds(invoice.totalPence)
        pensionable = invoice.pensionable
        pensionablePay = Money.pounds(invoice.pensionablePayPence)
        pensionableShare = "\(Percent.text(basisPoints: invoice.pensionableShareBasisPoints)) of the session fees"
        employerContribution = Money.pounds(invoice.employerContributionPence)
        employerRate = "\(Percent.text(basisPoints: invoice.employerRateBasisPoints)) of pensionable pay"
        let hasBank = !details.bankAccountName.isEmpty || !details.sortCode.isEmpty || !details.accountNumber.isEmpty
        bank =
            hasBank
            ? Bank(accountName: details.bankAccountName, sortCode: details.sortCodeText, accountNumber: details.accountNumber)
            : nil
        let by = isDraft ? "" : " (by \(invoice.dueOn.displayText))"
        paymentTerms =
            "Payment within \(invoice.paymentTermsDays) days of the invoice date\(by), by bank transfer to the account "
            + "below, quoting \(invoice.number)."
        notes = invoice.notes
        paid = invoice.paidOn.map { "\(view.practice.name) paid this invoice on \($0.displayText)." }
        received = invoice.receivedAt.map {
            view.viewerIsGP
                ? "You confirmed the payment arrived on \(DisplayDate.day($0))."
                : "\(view.payee.name) confirmed the payment arrived on \(DisplayDate.day($0))."
        }
        formASigned = view.formAApproval.map {
            "Form A signed for the practice by \($0.approverName) on \(DisplayDate.dayAndTime($0.approvedAt))."
        }
        ratesNote = view.ratesNote
        overdue = view.overdue.map { figures in
            let margin = Percent.text(basisPoints: PayRules.statutoryMarginBasisPoints)
            return Overdue(
                heading: InvoicesPage.overdueText(figures.daysOverdue),
                law:
                    "The Late Payment of Commercial Debts (Interest) Act 1998 lets you claim interest at \(margin) a year "
                    + "over the base rate, and fixed compensation, on a business debt paid late.",
                baseRate:
                    "\(Percent.text(basisPoints: figures.baseRateBasisPoints)), the Bank of England base rate from "
                    + figures.baseRateFrom.displayText,
                interest: Money.pounds(figures.interestPence),
                interestNote:
                    "the base rate plus \(margin) a year on \(Money.pounds(invoice.totalPence)), "
                    + "for \(figures.daysOverdue) day\(figures.daysOverdue == 1 ? "" : "s")",
                compensation: Money.pounds(figures.compensationPence), claim: Money.pounds(figures.claimPence))
        }
        canSend = may.contains(.send)
        canDiscard = may.contains(.discard)
        canMarkPaid = may.contains(.markPaid)
        paidOnField =
            canMarkPaid
            ? FormField.text(
                "paidOn", "Date paid", value: posted?.text("paidOn") ?? today.description, errors: errors, type: "date")
            : nil
        canConfirmReceived = may.contains(.confirmReceived)
        canApproveFormA = may.contains(.approveFormA)
        approveDeclaration =
            "By signing, you declare for \(view.practice.name) that \(view.payee.name) worked the dates on Form A "
            + "as a locum GP, that the practice paid the fee on it\(invoice.paidOn.map { " on \($0.displayText)" } ?? ""), "
            + "and that its figures are correct. Your name, the time and the address you sign from are recorded."
        formALink = may.contains(.viewFormA) ? "/invoices/\(invoice.id!)/form-a" : nil
        payDetailsNote =
            canSend
            ? "Your address and bank details are printed on the invoice as they are in your pay details when you send it."
            : nil
        hasActions = canSend || canDiscard || canMarkPaid || canConfirmReceived || canApproveFormA || formALink != nil
    }
}
