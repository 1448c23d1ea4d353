import Foundation
import SGPSupport

/// The invoices page (`/invoices`). For a GP: their invoices, overdue first, and what is ready to
/// invoice, by practice and month. For a practice: the invoices sent to it to pay (overdue first),
/// those paid, and the Form As waiting for a locum approver's signature.
struct InvoicesPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        var number: String
        var link: String
        var practice: String
        var gp: String
        var issued: String
        var due: String
        var total: String
        var state: String
        /// "12 days overdue", on an overdue invoice.
        var overdueText: String?
        var paidOn: String?

        init(_ summary: InvoiceSummary, today: Day) {
            let invoice = summary.invoice
            id = invoice.id!
            number = invoice.number
            link = "/invoices/\(invoice.id!)"
            practice = summary.practiceName
            gp = summary.gpName
            let draft = invoice.status == .draft
            issued = draft ? "Not sent yet" : invoice.issuedOn.displayText
            due = draft ? "Set when sent" : invoice.dueOn.displayText
            total = Money.pounds(invoice.totalPence)
            state = summary.state.title
            let days = PayRules.daysOverdue(dueOn: invoice.dueOn, today: today)
            overdueText = summary.state == .overdue ? InvoicesPage.overdueText(days) : nil
            paidOn = invoice.paidOn?.displayText
        }
    }

    /// A practice's month of work not invoiced yet, with the link that starts its invoice.
    struct ReadyGroup: Sendable {
        var practice: String
        var month: String
        var items: String
        var total: String
        var link: String
    }

    var page: PageChrome
    var isGP: Bool
    var isPractice: Bool
    var own: [Row]
    var hasOwn: Bool
    var ready: [ReadyGroup]
    var hasReady: Bool
    var toPay: [Row]
    var hasToPay: Bool
    var paid: [Row]
    var hasPaid: Bool
    var awaitingSignature: [Row]
    var hasAwaitingSignature: Bool

    /// `invoices` are those the domain lists for `viewer` (their own as a GP, and those sent to their
    /// practices); `invoiceable` what they may still invoice (empty for anyone not a GP).
    init(page: PageChrome, invoices: [InvoiceSummary], invoiceable: [InvoiceableBooking], viewer: Principal, today: Day) {
        self.page = page
        isGP = viewer.gpId != nil
        isPractice = !viewer.practiceIds.isEmpty
        let mine = invoices.filter { $0.invoice.gpId == viewer.gpId }
        let received = invoices.filter { $0.invoice.gpId != viewer.gpId }
        own = Self.overdueFirst(mine).map { Row($0, today: today) }
        toPay = Self.overdueFirst(received.filter { $0.state == .sent || $0.state == .overdue }).map { Row($0, today: today) }
        paid = received.filter { $0.state == .paid }.map { Row($0, today: today) }
        awaitingSignature = received.filter { $0.state == .paid && $0.invoice.pensionable && !$0.formASigned }
            .map { Row($0, today: today) }
        ready = Self.groups(invoiceable)
        hasOwn = !own.isEmpty
        hasReady = !ready.isEmpty
        hasToPay = !toPay.isEmpty
        hasPaid = !paid.isEmpty
        hasAwaitingSignature = !awaitingSignature.isEmpty
    }

    static func overdueText(_ days: Int) -> String { "\(days) day\(days == 1 ? "" : "s") overdue" }

    /// Overdue invoices first, the longest overdue at the top; the rest as the domain ordered them.
    static func overdueFirst(_ summaries: [InvoiceSummary]) -> [InvoiceSummary] {
        summaries.filter { $0.state == .overdue }.sorted { $0.invoice.dueOn < $1.invoice.dueOn }
            + summaries.filter { $0.state != .overdue }
    }

    /// The bookings by practice and month, in the order they come (oldest first).
    static func groups(_ invoiceable: [InvoiceableBooking]) -> [ReadyGroup] {
        struct Group {
            var practice: Practice
            var month: Month
            var items: [InvoiceableBooking]
        }
        var groups: [Group] = []
        for item in invoiceable {
            let month = Month(containing: item.booking.date)
            if let index = groups.firstIndex(where: { $0.practice.id == item.practice.id && $0.month == month }) {
                groups[index].items.append(item)
            } else {
                groups.append(Group(practice: item.practice, month: month, items: [item]))
            }
        }
        return groups.map { group in
            let fees = group.items.filter(\.isCancellationFee).count
            let sessions = group.items.count - fees
            var counts: [String] = []
            if sessions > 0 { counts.append("\(sessions) session\(sessions == 1 ? "" : "s")") }
            if fees > 0 { counts.append("\(fees) cancellation fee\(fees == 1 ? "" : "s")") }
            return ReadyGroup(
                practice: group.practice.name, month: group.month.displayText, items: counts.joined(separator: " and "),
                total: Money.pounds(group.items.map(\.amountPence).reduce(0, +)),
                link: "/invoices/new?practiceId=\(group.practice.id!)&month=\(group.month)")
        }
    }
}

/// The GP's form for a new invoice (`/invoices/new`): the practice, the sessions to put on it
/// (those of the month asked for ticked), mileage and notes.
struct NewInvoicePage: Sendable {
    struct PracticeLink: Sendable {
        var name: String
        var href: String
    }

    var page: PageChrome
    var hasBookings: Bool
    var fields: [FormField]
    /// The other practices there is work to invoice at, when the form shows one practice's.
    var otherPractices: [PracticeLink]
    var hasOtherPractices: Bool

    /// `practiceId` and `month` are the query's (from "Ready to invoice"); after a post that came
    /// back, the practice posted chooses the sessions shown, and every field keeps what was sent.
    init(
        page: PageChrome, invoiceable: [InvoiceableBooking], practiceId: Int64?, month: Month?, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        var practices: [Practice] = []
        for item in invoiceable where !practices.contains(where: { $0.id == item.practice.id }) {
            practices.append(item.practice)
        }
        practices.sort { $0.name < $1.name }
        let asked = posted.flatMap { Int64($0.text("practiceId")) } ?? practiceId
        let chosen = practices.first { $0.id == asked }
        let shown = chosen.map { practice in invoiceable.filter { $0.practice.id == practice.id } } ?? invoiceable
        let declaration = InvoiceForm.declaration(practices: practices, bookings: shown, namesPractice: chosen == nil)
        let ticked = month.map { month in shown.filter { Month(containing: $0.booking.date) == month }.map { $0.booking.id! } }
        fields = declaration.rendered(
            current: InvoiceInput(practiceId: chosen?.id ?? practices.first?.id, bookingIds: ticked ?? []), posted: posted,
            errors: errors)
        hasBookings = !invoiceable.isEmpty
        otherPractices =
            chosen == nil
            ? []
            : practices.filter { $0.id != chosen?.id }.map {
                PracticeLink(name: $0.name, href: "/invoices/new?practiceId=\($0.id!)")
            }
        hasOtherPractices = !otherPractices.isEmpty
    }
}

/// The new invoice's fields, decoded into the domain's `InvoiceInput`.
enum InvoiceForm {
    static func declaration(practices: [Practice], bookings: [InvoiceableBooking], namesPractice: Bool)
        -> FormDeclaration<InvoiceInput>
    {
        FormDeclaration([
            .select(
                "practiceId", "Practice to invoice", \.practiceText, choices: practices.map { (String($0.id!), $0.name) },
                hint: "An invoice is to one practice: tick only sessions worked there."),
            .checkboxes(
                "bookingIds", "Sessions to invoice", \.bookingCodes,
                choices: bookings.map { (String($0.booking.id!), label($0, namesPractice: namesPractice)) },
                hint: "Completed sessions, and fees for sessions the practice cancelled late, not on another invoice."),
            .number(
                "mileageMiles", "Mileage (whole miles)", \.mileageMiles,
                hint: "Charged at the rate a mile in your terms. Leave empty for none."),
            .text(
                "coveringFor", "GPs you covered for (optional)", \.coveringFor,
                hint: "Printed on Form A, like \"Dr Patel (annual leave)\"."),
            .textarea(
                "notes", "Notes on the invoice", \.notes,
                hint: "Printed on the invoice. Never write anything about a patient."),
        ])
    }

    /// The post as the domain's input (the choices matter only to show the form).
    static func decode(_ posted: FormFields) -> InvoiceInput {
        declaration(practices: [], bookings: [], namesPractice: false).decode(posted, into: InvoiceInput())
    }

    /// "Mon 7 Dec 2026, 08:30–12:30, Surgery, £95.00", with the practice first when several are shown.
    static func label(_ item: InvoiceableBooking, namesPractice: Bool) -> String {
        let booking = item.booking
        var parts = [
            booking.date.displayText, "\(ClockTime.format(booking.startMinute))–\(ClockTime.format(booking.endMinute))",
            item.session.kind.title, Money.pounds(item.amountPence),
        ]
        if item.isCancellationFee { parts.append("cancellation fee") }
        if namesPractice { parts.insert(item.practice.name, at: 0) }
        return parts.joined(separator: ", ")
    }
}

extension InvoiceInput {
    /// The practice as the select posts it.
    var practiceText: String? {
        get { practiceId.map(String.init) }
        set { practiceId = newValue.flatMap { Int64($0) } }
    }

    /// The ticked sessions as the checkboxes post them.
    var bookingCodes: [String]? {
        get { bookingIds?.map(String.init) }
        set { bookingIds = newValue?.compactMap { Int64($0) } }
    }
}
