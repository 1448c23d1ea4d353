import Foundation
import GRDB

/// A GP's invoice to one practice, in integer pence.
public struct Invoice: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case draft, sent, paid
    }

    /// As people see it: a sent invoice past its due date is overdue.
    public enum State: String, Codable, Sendable, CaseIterable {
        case draft, sent, overdue, paid
    }

    public var id: Int64?
    public var gpId: Int64
    public var practiceId: Int64
    public var sequence: Int
    public var number: String
    public var status: Status
    public var issuedOn: Day
    public var dueOn: Day
    public var paymentTermsDays: Int
    public var pensionable: Bool
    public var schemeYear: String
    public var pensionableShareBasisPoints: Int
    public var employerRateBasisPoints: Int
    public var mileageMiles: Int
    public var mileagePencePerMile: Int
    public var notes: String?
    /// The GPs the locum covered for (Form A's practice part).
    public var coveringFor: String?
    public var totalPence: Int
    public var pensionablePayPence: Int
    public var employerContributionPence: Int
    public var payeeSealed: Data?
    public var createdAt: Date
    public var sentAt: Date?
    public var paidOn: Day?
    public var paidMarkedById: Int64?
    public var receivedAt: Date?
    /// The day the money reached the GP, as they confirm it: the month of Form B it belongs to.
    public var receivedOn: Day?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public func state(today: Day) -> State {
        switch status {
        case .draft: .draft
        case .paid: .paid
        case .sent: today > dueOn ? .overdue : .sent
        }
    }

    /// The fee the pension counts from: the pensionable lines (sessions), not mileage or fees.
    public var rates: PensionRates {
        PensionRates(
            schemeYear: schemeYear, pensionableShareBasisPoints: pensionableShareBasisPoints,
            employerRateBasisPoints: employerRateBasisPoints)
    }
}

/// One line of an invoice.
public struct InvoiceLine: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case session
        case cancellationFee = "cancellation-fee"
        case mileage
        case employerContribution = "employer-contribution"
    }

    public var id: Int64?
    public var invoiceId: Int64
    public var position: Int
    public var kind: Kind
    public var bookingId: Int64?
    public var description: String
    public var date: Day?
    public var startMinute: Int?
    public var endMinute: Int?
    public var rateText: String?
    public var amountPence: Int
    public var pensionable: Bool

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    public var timesText: String? {
        guard let startMinute, let endMinute else { return nil }
        return "\(ClockTime.format(startMinute))–\(ClockTime.format(endMinute))"
    }
}

/// Who is paid, as the invoice was sent: the GP's name, email and pay details then.
public struct Payee: Codable, Sendable, Equatable {
    public var name: String
    public var email: String?
    public var details: PayDetails
}

/// What a person may do with an invoice.
public enum InvoiceCapability: String, Sendable, CaseIterable, Codable {
    /// The GP sends a draft to the practice.
    case send
    /// The GP deletes a draft they have not sent.
    case discard
    /// The practice records that it paid, with the date.
    case markPaid
    /// The GP confirms the money arrived.
    case confirmReceived
    /// The GP and the practice open its Form A (a pensionable invoice).
    case viewFormA
    /// A locum approver of the practice signs Form A (never the locum).
    case approveFormA
}

/// The statutory figures on an overdue invoice.
public struct OverdueFigures: Sendable, Equatable {
    public var daysOverdue: Int
    public var baseRateBasisPoints: Int
    public var baseRateFrom: Day
    public var interestPence: Int
    public var compensationPence: Int
    public var claimPence: Int
}

/// An invoice as one person may see it: only the GP who made it and the practice invoiced ever do.
public struct InvoiceView: Sendable {
    public var invoice: Invoice
    public var lines: [InvoiceLine]
    public var practice: Practice
    public var payee: Payee
    public var state: Invoice.State
    /// The GP's figures for a late payment (nil unless overdue, and only for the GP).
    public var overdue: OverdueFigures?
    public var formAApproval: FormAApproval?
    /// When the policy numbers for the work's scheme year are not entered yet: which year's were used.
    public var ratesNote: String?
    public var may: Set<InvoiceCapability>
    /// The viewer is the GP (else the practice).
    public var viewerIsGP: Bool
}

/// A line of a list of invoices.
public struct InvoiceSummary: Sendable {
    public var invoice: Invoice
    public var practiceName: String
    public var gpName: String
    public var state: Invoice.State
    public var formASigned: Bool
}

/// What the GP sends to make an invoice; decoded straight from API bodies.
public struct InvoiceInput: Sendable, Decodable, Equatable {
    public var practiceId: Int64?
    public var bookingIds: [Int64]?
    /// "YYYY-MM": every booking of the month at the practice not yet invoiced.
    public var month: String?
    public var mileageMiles: Int?
    public var notes: String?
    /// The GPs covered: whom the locum stood in for (Form A).
    public var coveringFor: String?

    public init(
        practiceId: Int64? = nil, bookingIds: [Int64]? = nil, month: String? = nil, mileageMiles: Int? = nil,
        notes: String? = nil, coveringFor: String? = nil
    ) {
        self.coveringFor = coveringFor
        self.practiceId = practiceId
        self.bookingIds = bookingIds
        self.month = month
        self.mileageMiles = mileageMiles
        self.notes = notes
    }
}

/// A booking the GP may still invoice: completed, or cancelled late by the practice with a fee.
public struct InvoiceableBooking: Sendable {
    public var booking: Booking
    public var session: ClinicalSession
    public var practice: Practice
    public var amountPence: Int
    public var isCancellationFee: Bool
}

extension AppDatabase {
    static let invoiceNotFound = DomainError.notFound("No invoice has that id")

    /// The one rule of who sees an invoice: the GP who made it, and (once sent) the practice's
    /// own people. Nobody else — not the support team, not an administrator — ever sees one.
    static func invoiceViewer(_ principal: Principal, _ invoice: Invoice) -> (isGP: Bool, isPractice: Bool) {
        let isGP = Self.isLocum(principal, of: invoice)
        let isPractice = invoice.status != .draft && principal.practiceIds.contains(invoice.practiceId)
        return (isGP, isPractice)
    }

    /// True when the person holds the sign-in of the GP who made the invoice, whatever else they
    /// hold: a locum who also works for the practice never pays or signs for their own invoice.
    static func isLocum(_ principal: Principal, of invoice: Invoice) -> Bool {
        principal.grants.contains { $0.role == .gp && $0.gpId == invoice.gpId }
    }

    static func payee(_ db: Database, invoice: Invoice, sealer: DataSealer) throws -> Payee {
        if let sealed = invoice.payeeSealed { return try sealer.open(json: Payee.self, sealed, row: "invoice:\(invoice.id!)") }
        return try Self.currentPayee(db, gpId: invoice.gpId, sealer: sealer)
    }

    static func currentPayee(_ db: Database, gpId: Int64, sealer: DataSealer) throws -> Payee {
        let gp = try GP.fetchOne(db, id: gpId)!
        return Payee(name: gp.name, email: gp.email, details: try Self.payDetails(db, gpId: gpId, sealer: sealer))
    }

    /// The pension numbers for a scheme year, or the latest earlier year's with a note saying so.
    static func pensionRates(_ db: Database, schemeYear: String) throws -> (PensionRates, note: String?) {
        let row =
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM pensionRate WHERE schemeYear <= ? ORDER BY schemeYear DESC LIMIT 1",
                arguments: [schemeYear])
            ?? Row.fetchOne(db, sql: "SELECT * FROM pensionRate ORDER BY schemeYear LIMIT 1")
        guard let row else { throw DomainError.conflict("No NHS pension rates are entered: ask your administrator") }
        let rates = PensionRates(
            schemeYear: row["schemeYear"], pensionableShareBasisPoints: row["pensionableShareBasisPoints"],
            employerRateBasisPoints: row["employerRateBasisPoints"])
        let note =
            rates.schemeYear == schemeYear
            ? nil : "The NHS pension figures for \(schemeYear) are not entered yet; those for \(rates.schemeYear) are used"
        return (rates, note)
    }

    static func pensionTiers(_ db: Database, schemeYear: String) throws -> (tiers: [PensionTier], usedYear: String?) {
        let year =
            try String.fetchOne(
                db, sql: "SELECT MAX(schemeYear) FROM pensionTier WHERE schemeYear <= ?", arguments: [schemeYear])
            ?? String.fetchOne(db, sql: "SELECT MIN(schemeYear) FROM pensionTier")
        guard let year else { return ([], nil) }
        let tiers = try Row.fetchAll(
            db, sql: "SELECT fromPence, rateBasisPoints FROM pensionTier WHERE schemeYear = ? ORDER BY fromPence",
            arguments: [year]
        ).map { PensionTier(schemeYear: year, fromPence: $0["fromPence"], rateBasisPoints: $0["rateBasisPoints"]) }
        return (tiers, year)
    }

    /// The base rate in force on a day for an organisation (its latest entry from that day or before).
    static func baseRate(_ db: Database, organisationId: Int64, on day: Day) throws -> (basisPoints: Int, from: Day)? {
        let row =
            try Row.fetchOne(
                db,
                sql: """
                    SELECT effectiveFrom, rateBasisPoints FROM baseRate WHERE organisationId = ? AND effectiveFrom <= ?
                    ORDER BY effectiveFrom DESC LIMIT 1
                    """,
                arguments: [organisationId, day])
        guard let row, let from = Day(row["effectiveFrom"] as String) else { return nil }
        return (row["rateBasisPoints"], from)
    }

    static func overdueFigures(_ db: Database, invoice: Invoice, practice: Practice, today: Day) throws -> OverdueFigures? {
        guard invoice.state(today: today) == .overdue else { return nil }
        let days = PayRules.daysOverdue(dueOn: invoice.dueOn, today: today)
        // The reference rate for the half year in which interest starts (the day after the due date).
        let rate = try Self.baseRate(
            db, organisationId: practice.organisationId,
            on: PayRules.referenceRateDay(interestFrom: invoice.dueOn.adding(days: 1)))
        let interest = PayRules.lateInterest(
            debtPence: invoice.totalPence, baseRateBasisPoints: rate?.basisPoints ?? 0, daysOverdue: days)
        let compensation = PayRules.fixedCompensation(debtPence: invoice.totalPence)
        return OverdueFigures(
            daysOverdue: days, baseRateBasisPoints: rate?.basisPoints ?? 0, baseRateFrom: rate?.from ?? invoice.dueOn,
            interestPence: interest, compensationPence: compensation, claimPence: invoice.totalPence + interest + compensation)
    }

    static func invoiceView(
        _ db: Database, _ invoice: Invoice, by principal: Principal, today: Day, sealer: DataSealer
    ) throws -> InvoiceView {
        let (isGP, isPractice) = Self.invoiceViewer(principal, invoice)
        guard isGP || isPractice else { throw Self.invoiceNotFound }
        let practice = try Practice.fetchOne(db, id: invoice.practiceId)!
        let lines = try InvoiceLine.filter(Column("invoiceId") == invoice.id!).order(Column("position")).fetchAll(db)
        let approval = try FormAApproval.fetchOne(db, key: invoice.id!)
        let state = invoice.state(today: today)
        var may = Set<InvoiceCapability>()
        if isGP {
            if invoice.status == .draft { may.formUnion([.send, .discard]) }
            if invoice.status == .paid && invoice.receivedAt == nil { may.insert(.confirmReceived) }
        }
        if isPractice && !isGP && invoice.status == .sent { may.insert(.markPaid) }
        if invoice.pensionable && invoice.status != .draft {
            may.insert(.viewFormA)
            if approval == nil, isPractice, !isGP, invoice.status == .paid,
                principal.locumApproverPracticeIds.contains(invoice.practiceId)
            {
                may.insert(.approveFormA)
            }
        }
        let (_, note) = try Self.pensionRates(db, schemeYear: invoice.schemeYear)
        return InvoiceView(
            invoice: invoice, lines: lines, practice: practice, payee: try Self.payee(db, invoice: invoice, sealer: sealer),
            state: state, overdue: isGP ? try Self.overdueFigures(db, invoice: invoice, practice: practice, today: today) : nil,
            formAApproval: approval, ratesNote: invoice.pensionable ? note : nil, may: may, viewerIsGP: isGP)
    }

    static func fetchInvoice(_ db: Database, id: Int64) throws -> Invoice {
        guard let invoice = try Invoice.fetchOne(db, id: id) else { throw Self.invoiceNotFound }
        return invoice
    }

    // MARK: Reading

    /// One invoice, for the GP who made it or the practice invoiced.
    public func invoice(id: Int64, by principal: Principal) async throws -> InvoiceView {
        let today = clock.today
        let sealer = self.sealer
        return try await read { db in
            try Self.invoiceView(db, try Self.fetchInvoice(db, id: id), by: principal, today: today, sealer: sealer)
        }
    }

    /// The GP's own invoices, or those sent to the practices the person works for.
    public func invoices(status: Invoice.State?, practiceId: Int64?, by principal: Principal) async throws -> [InvoiceSummary] {
        let today = clock.today
        return try await read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            var sides: [String] = []
            if let gpId = principal.gpId {
                sides.append("i.gpId = ?")
                arguments.append(gpId)
            }
            if !principal.practiceIds.isEmpty {
                sides.append(
                    "(i.status <> 'draft' AND i.practiceId IN (\(principal.practiceIds.map { _ in "?" }.joined(separator: ","))))"
                )
                arguments += principal.practiceIds
            }
            guard !sides.isEmpty else { throw DomainError.forbidden("Only GPs and practices have invoices") }
            clauses.append("(" + sides.joined(separator: " OR ") + ")")
            if let practiceId {
                clauses.append("i.practiceId = ?")
                arguments.append(practiceId)
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.*, p.name AS practiceName, g.name AS gpName,
                           EXISTS (SELECT 1 FROM formAApproval a WHERE a.invoiceId = i.id) AS formASigned
                    FROM invoice i JOIN practice p ON p.id = i.practiceId JOIN gp g ON g.id = i.gpId
                    WHERE \(clauses.joined(separator: " AND "))
                    ORDER BY i.issuedOn DESC, i.id DESC
                    """,
                arguments: StatementArguments(arguments))
            return try rows.map { row in
                let invoice = try Invoice(row: row)
                return InvoiceSummary(
                    invoice: invoice, practiceName: row["practiceName"], gpName: row["gpName"],
                    state: invoice.state(today: today),
                    formASigned: row["formASigned"])
            }.filter { status == nil || $0.state == status }
        }
    }

    /// What the GP may still invoice: completed bookings and late cancellations' fees not yet on
    /// an invoice, oldest first.
    public func invoiceableBookings(by principal: Principal) async throws -> [InvoiceableBooking] {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("Only a GP invoices") }
        return try await read { db in try Self.invoiceable(db, gpId: gpId, practiceId: nil) }
    }

    static func invoiceable(_ db: Database, gpId: Int64, practiceId: Int64?) throws -> [InvoiceableBooking] {
        let bookings = try Booking.fetchAll(
            db,
            sql: """
                SELECT b.* FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                WHERE b.gpId = ? AND (? IS NULL OR s.practiceId = ?)
                  AND (b.status = 'completed' OR (b.status = 'cancelled' AND b.cancellationFeePence > 0))
                  AND NOT EXISTS (SELECT 1 FROM invoiceLine l WHERE l.bookingId = b.id)
                ORDER BY b.date, b.startMinute
                """,
            arguments: [gpId, practiceId, practiceId])
        return try bookings.map { booking in
            let (session, practice) = try Self.sessionAndPractice(db, booking.sessionId)
            let isFee = booking.status == .cancelled
            return InvoiceableBooking(
                booking: booking, session: session, practice: practice,
                amountPence: isFee ? booking.cancellationFeePence ?? 0 : Self.fee(session, booking: booking),
                isCancellationFee: isFee)
        }
    }

    static func fee(_ session: ClinicalSession) -> Int {
        PayRules.fee(ratePence: session.ratePence, unit: session.rateUnit, minutes: session.endMinute - session.startMinute)
    }

    /// A booking's fee: the session's rate, or (a session arranged directly, which carries none)
    /// the GP's rate in the terms the booking keeps, per session or else per hour.
    static func fee(_ session: ClinicalSession, booking: Booking) -> Int {
        let posted = Self.fee(session)
        guard posted == 0, let terms = TermsSnapshot.decoded(booking.terms) else { return posted }
        if let rate = terms.sessionRatePence { return rate }
        if let rate = terms.hourlyRatePence {
            return PayRules.fee(ratePence: rate, unit: .hour, minutes: session.endMinute - session.startMinute)
        }
        return 0
    }

    /// The terms an invoice follows: those its earliest booking kept when it was made (else the
    /// terms in force now), so changing terms later never changes what was agreed.
    static func agreedTerms(_ db: Database, _ chosen: [InvoiceableBooking], gpId: Int64, practiceId: Int64, now: Date) throws
        -> TermsSnapshot
    {
        if let kept = chosen.min(by: { $0.booking.date < $1.booking.date }).flatMap({ TermsSnapshot.decoded($0.booking.terms) }) {
            return kept
        }
        return try Self.termsInForce(db, gpId: gpId, practiceId: practiceId, now: now).0.snapshot
    }

    // MARK: Making and sending

    /// The GP makes a draft invoice to a practice from bookings they worked there (or were
    /// cancelled late with a fee), by id or all of a month's, with mileage and notes.
    public func createInvoice(_ input: InvoiceInput, by principal: Principal) async throws -> InvoiceView {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("Only a GP makes invoices") }
        let now = clock.now()
        let today = Day(now)
        let sealer = self.sealer
        return try await write { db in
            var errors = ValidationErrors()
            guard let practiceId = input.practiceId, let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "practiceId", message: "Choose the practice to invoice"))
            }
            let open = try Self.invoiceable(db, gpId: gpId, practiceId: practiceId)
            var chosen: [InvoiceableBooking] = []
            if let ids = input.bookingIds, !ids.isEmpty {
                for id in Set(ids).sorted() {
                    if let item = open.first(where: { $0.booking.id == id }) {
                        chosen.append(item)
                    } else {
                        errors.add(
                            "bookingIds",
                            "Booking \(id) is not one you can invoice to \(practice.name): it must be yours, at this practice, completed (or cancelled late with a fee) and not on another invoice"
                        )
                    }
                }
            } else if let text = input.month {
                if let month = Month(text) {
                    chosen = open.filter { Month(containing: $0.booking.date) == month }
                    if chosen.isEmpty {
                        errors.add("month", "You have nothing to invoice to \(practice.name) in \(month.displayText)")
                    }
                } else {
                    errors.add("month", "Enter the month as YYYY-MM, like 2026-11")
                }
            } else {
                errors.add("bookingIds", "Choose the sessions to invoice, or a month")
            }
            let miles = input.mileageMiles ?? 0
            if !(0...10_000).contains(miles) { errors.add("mileageMiles", "Enter the miles as a whole number from 0 to 10,000") }
            let notes = input.notes?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let notes, notes.count > 2_000 { errors.add("notes", "Keep the notes under 2,000 characters") }
            if let notes, Validators.containsNHSNumber(notes) {
                errors.add("notes", "Remove the NHS number: invoices never carry patient identifiers")
            }
            let covering = input.coveringFor?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let covering, covering.count > 200 { errors.add("coveringFor", "Keep the names under 200 characters") }
            try errors.throwIfAny()

            let terms = try Self.agreedTerms(db, chosen, gpId: gpId, practiceId: practiceId, now: now)
            let firstDay = chosen.map(\.booking.date).min() ?? today
            let schemeYear = PayRules.schemeYear(of: firstDay)
            let (rates, _) = try Self.pensionRates(db, schemeYear: schemeYear)
            // Only sessions worked are pensionable: an invoice of fees and mileage alone has no Form A.
            let pensionable = !terms.limitedCompany && chosen.contains { !$0.isCancellationFee }
            var lines: [InvoiceLine] = []
            func add(
                _ kind: InvoiceLine.Kind, _ description: String, _ amount: Int, pensionable: Bool, booking: Booking? = nil,
                rateText: String? = nil
            ) {
                lines.append(
                    InvoiceLine(
                        id: nil, invoiceId: 0, position: lines.count, kind: kind, bookingId: booking?.id,
                        description: description,
                        date: booking?.date, startMinute: booking?.startMinute, endMinute: booking?.endMinute, rateText: rateText,
                        amountPence: amount, pensionable: pensionable))
            }
            for item in chosen {
                let session = item.session
                if item.isCancellationFee {
                    let days = item.booking.cancellationNoticeDays ?? 0
                    add(
                        .cancellationFee,
                        "Cancellation fee: \(session.kind.title.lowercased()) session cancelled by the practice with \(days) day\(days == 1 ? "" : "s")' notice",
                        item.amountPence, pensionable: false, booking: item.booking, rateText: session.rateText)
                } else {
                    add(
                        .session, "\(session.kind.title) session", item.amountPence, pensionable: pensionable,
                        booking: item.booking,
                        rateText: session.rateText)
                }
            }
            if miles > 0 {
                add(
                    .mileage, "Mileage: \(miles) mile\(miles == 1 ? "" : "s") at \(terms.mileagePencePerMile)p a mile",
                    miles * terms.mileagePencePerMile, pensionable: false)
            }
            let fee = lines.filter(\.pensionable).map(\.amountPence).reduce(0, +)
            let (pensionablePay, employer) = pensionable ? PayRules.pension(feePence: fee, rates: rates) : (0, 0)
            if employer > 0 {
                add(
                    .employerContribution,
                    "Employer's NHS pension contribution: \(Percent.text(basisPoints: rates.employerRateBasisPoints)) of pensionable pay \(Money.pounds(pensionablePay))",
                    employer, pensionable: false)
            }
            let sequence =
                (try Int.fetchOne(db, sql: "SELECT MAX(sequence) FROM invoice WHERE gpId = ?", arguments: [gpId]) ?? 0) + 1
            var invoice = Invoice(
                id: nil, gpId: gpId, practiceId: practiceId, sequence: sequence, number: String(format: "INV-%04d", sequence),
                status: .draft, issuedOn: today, dueOn: PayRules.dueOn(issuedOn: today, termsDays: terms.paymentTermsDays),
                paymentTermsDays: terms.paymentTermsDays, pensionable: pensionable, schemeYear: schemeYear,
                pensionableShareBasisPoints: rates.pensionableShareBasisPoints,
                employerRateBasisPoints: rates.employerRateBasisPoints, mileageMiles: miles,
                mileagePencePerMile: terms.mileagePencePerMile, notes: notes?.isEmpty == false ? notes : nil,
                coveringFor: covering?.isEmpty == false ? covering : nil,
                totalPence: lines.map(\.amountPence).reduce(0, +), pensionablePayPence: pensionablePay,
                employerContributionPence: employer, payeeSealed: nil, createdAt: now)
            try invoice.insert(db)
            for var line in lines {
                line.invoiceId = invoice.id!
                do {
                    try line.insert(db)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw DomainError.conflict("A session on this invoice has just been put on another invoice")
                }
            }
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "invoice", entityId: invoice.id, action: "create")
            return try Self.invoiceView(db, invoice, by: principal, today: today, sealer: sealer)
        }
    }

    /// The GP deletes a draft (its sessions can be invoiced again).
    public func discardInvoice(id: Int64, by principal: Principal) async throws {
        let now = clock.now()
        try await write { db in
            let invoice = try Self.fetchInvoice(db, id: id)
            guard Self.isLocum(principal, of: invoice) else { throw Self.invoiceNotFound }
            guard invoice.status == .draft else {
                throw DomainError.conflict("Only a draft can be deleted; this invoice was sent")
            }
            _ = try Invoice.deleteOne(db, id: id)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "invoice", entityId: id, action: "discard")
        }
    }

    /// The GP sends a draft: it is dated today, due after their terms, carries their pay details as
    /// they are now, and the practice is emailed a link to it.
    public func sendInvoice(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<InvoiceView> {
        let now = clock.now()
        let today = Day(now)
        let sealer = self.sealer
        return try await write { db in
            var invoice = try Self.fetchInvoice(db, id: id)
            guard Self.isLocum(principal, of: invoice) else { throw Self.invoiceNotFound }
            guard invoice.status == .draft else { throw DomainError.conflict("This invoice has already been sent") }
            guard invoice.totalPence > 0 else {
                throw DomainError.conflict(
                    "This invoice comes to £0.00: a session arranged directly carries no rate, so set your session rate in your terms and make the invoice again"
                )
            }
            let payee = try Self.currentPayee(db, gpId: invoice.gpId, sealer: sealer)
            var missing = payee.details.missingForInvoice
            if invoice.pensionable { missing += payee.details.missingForPension }
            guard missing.isEmpty else {
                throw DomainError.conflict(
                    "Add \(missing.joined(separator: ", ")) to your pay details before sending: the invoice\(invoice.pensionable ? " and its Form A" : "") carry them"
                )
            }
            invoice.status = .sent
            invoice.sentAt = now
            invoice.issuedOn = today
            invoice.dueOn = PayRules.dueOn(issuedOn: today, termsDays: invoice.paymentTermsDays)
            invoice.payeeSealed = try sealer.seal(json: payee, row: "invoice:\(id)")
            try invoice.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "invoice", entityId: id, action: "send")
            let practice = try Practice.fetchOne(db, id: invoice.practiceId)!
            let text = """
                \(payee.name) has sent invoice \(invoice.number) to \(practice.name) for \(Money.pounds(invoice.totalPence)), \
                due by \(invoice.dueOn.displayText) (\(invoice.paymentTermsDays) days).
                \(invoice.pensionable ? "\nThe invoice includes the employer's NHS pension contribution of \(Money.pounds(invoice.employerContributionPence)). Once paid, a locum approver signs its Form A on the same page: the GP has 10 weeks from the first day worked to send it to PCSE.\n" : "")
                See the invoice (it prints as a PDF), and mark it paid when you have paid it:
                \(links.url("/invoices/\(id)"))
                """
            let mail = try Self.practiceRecipients(db, practice).map {
                MailMessage(
                    to: $0, subject: "Invoice \(invoice.number) from \(payee.name): \(Money.pounds(invoice.totalPence))",
                    text: text)
            }
            return Outcome(
                value: try Self.invoiceView(db, invoice, by: principal, today: today, sealer: sealer), notifications: mail)
        }
    }

    /// The practice records the day it paid; the GP is told to look for the money.
    public func markInvoicePaid(id: Int64, paidOn text: String?, by principal: Principal, links: Links) async throws
        -> Outcome<InvoiceView>
    {
        let now = clock.now()
        let today = Day(now)
        let sealer = self.sealer
        return try await write { db in
            var invoice = try Self.fetchInvoice(db, id: id)
            let (isGP, isPractice) = Self.invoiceViewer(principal, invoice)
            // The locum never marks their own invoice paid, even as one of the practice's people.
            guard isPractice, !isGP else {
                if isGP { throw DomainError.forbidden("The practice marks its invoices paid") }
                throw Self.invoiceNotFound
            }
            guard let text, let paidOn = Day(text.trimmingCharacters(in: .whitespaces)) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "paidOn", message: "Enter the date you paid, like \(today)"))
            }
            guard invoice.status == .sent else { throw DomainError.conflict("This invoice is already marked paid") }
            var errors = ValidationErrors()
            if paidOn > today { errors.add("paidOn", "The date paid cannot be in the future") }
            if paidOn < invoice.issuedOn {
                errors.add("paidOn", "The date paid cannot be before the invoice was issued (\(invoice.issuedOn.displayText))")
            }
            try errors.throwIfAny()
            invoice.status = .paid
            invoice.paidOn = paidOn
            invoice.paidMarkedById = principal.recordedUserId
            try invoice.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "invoice", entityId: id, action: "paid", detail: "\(paidOn)")
            let practice = try Practice.fetchOne(db, id: invoice.practiceId)!
            let gp = try GP.fetchOne(db, id: invoice.gpId)!
            let mail =
                gp.email.map {
                    [
                        MailMessage(
                            to: $0, subject: "\(practice.name) has paid invoice \(invoice.number)",
                            text: """
                                \(practice.name) says it paid invoice \(invoice.number) (\(Money.pounds(invoice.totalPence))) on \(paidOn.displayText).

                                Confirm the money arrived on the invoice's page:
                                \(links.url("/invoices/\(id)"))
                                """)
                    ]
                } ?? []
            return Outcome(
                value: try Self.invoiceView(db, invoice, by: principal, today: today, sealer: sealer), notifications: mail)
        }
    }

    /// The GP confirms the payment arrived, and on which day (today unless they say): that day's
    /// month is the Form B the pay belongs to (money received in the month).
    public func confirmInvoiceReceived(id: Int64, receivedOn text: String? = nil, by principal: Principal) async throws
        -> InvoiceView
    {
        let now = clock.now()
        let today = Day(now)
        let sealer = self.sealer
        return try await write { db in
            var invoice = try Self.fetchInvoice(db, id: id)
            guard Self.isLocum(principal, of: invoice) else {
                if Self.invoiceViewer(principal, invoice).isPractice {
                    throw DomainError.forbidden("The GP confirms they received the payment")
                }
                throw Self.invoiceNotFound
            }
            guard invoice.status == .paid, let paidOn = invoice.paidOn else {
                throw DomainError.conflict("The practice has not marked this invoice paid yet")
            }
            guard invoice.receivedAt == nil else { throw DomainError.conflict("You have already confirmed this payment") }
            var receivedOn = today
            if let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                guard let day = Day(text), day <= today, day >= paidOn else {
                    throw DomainError.validationFailed(
                        ValidationErrors(
                            field: "receivedOn",
                            message:
                                "Enter the day the money arrived: from \(paidOn.displayText) (when the practice paid) to today"))
                }
                receivedOn = day
            }
            invoice.receivedAt = now
            invoice.receivedOn = receivedOn
            try invoice.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "invoice", entityId: id, action: "received", detail: "\(receivedOn)")
            return try Self.invoiceView(db, invoice, by: principal, today: today, sealer: sealer)
        }
    }
}
