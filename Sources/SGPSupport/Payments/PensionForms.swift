import Foundation
import GRDB

/// The practice's electronic signature on a Form A: who signed, when, and from where.
public struct FormAApproval: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var invoiceId: Int64
    public var approvedById: Int64?
    public var approverName: String
    public var approvedAt: Date
    public var approvedFrom: String

    public static let databaseTableName = "formAApproval"
}

/// One range of days worked on a Form A, with the day its forms must reach PCSE.
public struct WorkedRange: Sendable, Equatable {
    public var firstDay: Day
    public var lastDay: Day
    public var deadline: Day
    public var weeksSinceFirstDay: Int
}

/// GP Locum Form A for one invoice: the locum's part and the practice's.
public struct FormAView: Sendable {
    public var invoice: Invoice
    public var practice: Practice
    public var payee: Payee
    public var gmcNumber: String
    /// Each range of days worked; the official form holds four, so these are in pages of four.
    public var ranges: [WorkedRange]
    public var pages: [[WorkedRange]] {
        stride(from: 0, to: max(ranges.count, 1), by: 4).map { Array(ranges[$0..<min($0 + 4, ranges.count)]) }
    }
    /// The unique payment reference (set by the month the pay is received).
    public var upr: String?
    /// Box 1: the fee the pension counts (sessions, not mileage or other fees).
    public var grossFeePence: Int
    /// Box 2: 90 % of the fee; box 3: 14.38 % of box 2.
    public var pensionablePayPence: Int
    public var employerContributionPence: Int
    public var pensionableShareBasisPoints: Int
    public var employerRateBasisPoints: Int
    public var approval: FormAApproval?
    /// The earliest deadline among the ranges.
    public var deadline: Day?
    public var may: Set<InvoiceCapability>
    public var viewerIsGP: Bool
}

/// One Form A on a Form B.
public struct FormBLine: Sendable, Equatable {
    public var invoiceId: Int64
    public var invoiceNumber: String
    public var practiceCode: String
    public var practiceName: String
    public var firstDay: Day
    public var lastDay: Day
    public var paidOn: Day
    public var pensionablePayPence: Int
    public var employerContributionPence: Int
}

/// GP Locum Form B: the month's pay received, and the contributions to send with it.
public struct FormBView: Sendable {
    public var gpId: Int64
    public var month: Month
    public var payee: Payee
    public var gmcNumber: String
    public var upr: String?
    public var lines: [FormBLine]
    /// a: total pensionable pay (box 2 of each Form A).
    public var pensionablePayPence: Int
    /// b (and g, with no added years or extras): the member's contributions at their tier.
    public var employeeContributionPence: Int
    /// h: the employer contributions (box 3 of each Form A).
    public var employerContributionPence: Int
    /// i: g + h, what the GP sends.
    public var totalContributionPence: Int
    /// j: pensionable locum pay received this scheme year to the end of this month.
    public var cumulativePensionablePayPence: Int
    public var tierRateBasisPoints: Int?
    /// Why this tier: the GP's expected pay, or an estimate from their pay so far; and any fallback year.
    public var tierNote: String
    public var dueOn: Day
    /// Details the GP must add before the form is complete.
    public var missing: [String]
    /// Invoices paid this month whose Form A is not signed yet (not on this form until signed).
    public var unsignedInvoiceNumbers: [String]
}

extension AppDatabase {
    static func workedRanges(_ lines: [InvoiceLine], today: Day) -> [WorkedRange] {
        PayRules.dayRanges(lines.filter { $0.kind == .session }.compactMap(\.date)).map {
            WorkedRange(
                firstDay: $0.lowerBound, lastDay: $0.upperBound, deadline: PayRules.pensionDeadline(firstDay: $0.lowerBound),
                weeksSinceFirstDay: max(0, $0.lowerBound.days(until: today) / 7))
        }
    }

    static func formAView(_ db: Database, _ invoice: Invoice, by principal: Principal, today: Day, sealer: DataSealer) throws
        -> FormAView
    {
        let view = try Self.invoiceView(db, invoice, by: principal, today: today, sealer: sealer)
        guard invoice.pensionable else {
            throw DomainError.notFound("This invoice has no Form A: work through a limited company is not pensionable on it")
        }
        guard view.may.contains(.viewFormA) else {
            throw DomainError.conflict("Form A is made when the invoice is sent")
        }
        let ranges = Self.workedRanges(view.lines, today: today)
        let gp = try GP.fetchOne(db, id: invoice.gpId)!
        let sd = view.payee.details.sdNumber
        return FormAView(
            invoice: invoice, practice: view.practice, payee: view.payee, gmcNumber: gp.registrationNumber, ranges: ranges,
            upr: (invoice.receivedOn ?? invoice.paidOn).flatMap {
                sd.isEmpty ? nil : PayRules.upr(sdNumber: sd, month: Month(containing: $0))
            },
            grossFeePence: view.lines.filter(\.pensionable).map(\.amountPence).reduce(0, +),
            pensionablePayPence: invoice.pensionablePayPence, employerContributionPence: invoice.employerContributionPence,
            pensionableShareBasisPoints: invoice.pensionableShareBasisPoints,
            employerRateBasisPoints: invoice.employerRateBasisPoints, approval: view.formAApproval,
            deadline: ranges.map(\.deadline).min(), may: view.may, viewerIsGP: view.viewerIsGP)
    }

    /// An invoice's Form A, for the GP and the practice invoiced.
    public func formA(invoiceId: Int64, by principal: Principal) async throws -> FormAView {
        let today = clock.today
        let sealer = self.sealer
        return try await read { db in
            try Self.formAView(db, try Self.fetchInvoice(db, id: invoiceId), by: principal, today: today, sealer: sealer)
        }
    }

    /// A locum approver of the practice signs Form A once the invoice is paid: never the locum
    /// themselves. The signature is a recorded act (who, when, from which address).
    public func approveFormA(invoiceId: Int64, from clientAddress: String, by principal: Principal) async throws -> FormAView {
        let now = clock.now()
        let sealer = self.sealer
        return try await write { db in
            let invoice = try Self.fetchInvoice(db, id: invoiceId)
            let (_, isPractice) = Self.invoiceViewer(principal, invoice)
            guard isPractice || Self.isLocum(principal, of: invoice) else { throw Self.invoiceNotFound }
            guard invoice.pensionable else {
                throw DomainError.notFound("This invoice has no Form A: work through a limited company is not pensionable on it")
            }
            if Self.isLocum(principal, of: invoice) {
                throw DomainError.forbidden("A locum cannot sign their own Form A: a locum approver at the practice signs it")
            }
            guard principal.locumApproverPracticeIds.contains(invoice.practiceId) else {
                throw DomainError.forbidden(
                    "Only a locum approver of the practice can sign Form A; ask your administrator for the right")
            }
            if try FormAApproval.exists(db, key: invoiceId) { throw DomainError.conflict("Form A is already signed") }
            guard invoice.status == .paid else {
                throw DomainError.conflict("Mark the invoice paid before signing Form A: the form gives the date paid")
            }
            let name = try String.fetchOne(db, sql: "SELECT displayName FROM user WHERE id = ?", arguments: [principal.userId])
            try FormAApproval(
                invoiceId: invoiceId, approvedById: principal.recordedUserId, approverName: name ?? principal.displayName,
                approvedAt: now, approvedFrom: clientAddress
            ).insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "invoice", entityId: invoiceId, action: "approve-form-a",
                detail: clientAddress)
            return try Self.formAView(db, invoice, by: principal, today: Day(now), sealer: sealer)
        }
    }

    /// The GP's Form B for a month: the signed Form As of pay received in that month (not work
    /// done in it), the contributions at their tier, and the year's pensionable pay so far.
    public func formB(gpId: Int64, month: Month, by principal: Principal) async throws -> FormBView {
        guard principal.gpId == gpId else { throw DomainError.forbidden("Only the GP sees their own Form B") }
        let sealer = self.sealer
        return try await read { db in try Self.formB(db, gpId: gpId, month: month, sealer: sealer) }
    }

    static func formB(_ db: Database, gpId: Int64, month: Month, sealer: DataSealer) throws -> FormBView {
        let gp = try GP.fetchOne(db, id: gpId)!
        let payee = try Self.currentPayee(db, gpId: gpId, sealer: sealer)
        let schemeYear = PayRules.schemeYear(of: month.firstDay)
        let yearStart = Day(year: month.month >= 4 ? month.year : month.year - 1, month: 4, day: 1)!
        func signedRows(from: Day, to: Day) throws -> [Row] {
            try Row.fetchAll(
                db,
                sql: """
                    SELECT i.*, p.odsCode, p.name AS practiceName,
                           (SELECT MIN(date) FROM invoiceLine l WHERE l.invoiceId = i.id AND l.kind = 'session') AS firstDay,
                           (SELECT MAX(date) FROM invoiceLine l WHERE l.invoiceId = i.id AND l.kind = 'session') AS lastDay
                    FROM invoice i JOIN practice p ON p.id = i.practiceId
                    JOIN formAApproval a ON a.invoiceId = i.id
                    WHERE i.gpId = ? AND i.pensionable AND i.status = 'paid'
                      AND COALESCE(i.receivedOn, i.paidOn) BETWEEN ? AND ?
                    ORDER BY COALESCE(i.receivedOn, i.paidOn), i.id
                    """,
                arguments: [gpId, from, to])
        }
        let lines = try signedRows(from: month.firstDay, to: month.lastDay).compactMap { row -> FormBLine? in
            // Received is the GP's date when they gave one, else the day the practice paid.
            guard let paid = ((row["receivedOn"] as String?) ?? (row["paidOn"] as String?)).flatMap(Day.init) else { return nil }
            return FormBLine(
                invoiceId: row["id"], invoiceNumber: row["number"], practiceCode: row["odsCode"],
                practiceName: row["practiceName"], firstDay: (row["firstDay"] as String?).flatMap(Day.init) ?? paid,
                lastDay: (row["lastDay"] as String?).flatMap(Day.init) ?? paid, paidOn: paid,
                pensionablePayPence: row["pensionablePayPence"], employerContributionPence: row["employerContributionPence"])
        }
        let pensionable = lines.map(\.pensionablePayPence).reduce(0, +)
        let employer = lines.map(\.employerContributionPence).reduce(0, +)
        let cumulative = try signedRows(from: yearStart, to: month.lastDay).map { $0["pensionablePayPence"] as Int }.reduce(0, +)
        let (tiers, tierYear) = try Self.pensionTiers(db, schemeYear: schemeYear)
        var notes: [String] = []
        let expected: Int
        if let stated = payee.details.expectedAnnualPensionablePence {
            expected = stated
            notes.append("Tier by your expected pensionable pay for the year, \(Money.pounds(stated))")
        } else {
            // Annualised from the locum pay so far this year: months from April to this one.
            let months = (month.year * 12 + month.month) - (yearStart.year * 12 + yearStart.month) + 1
            expected = cumulative * 12 / max(months, 1)
            notes.append(
                "Tier estimated from your locum pay so far this year (\(Money.pounds(expected)) a year): add your expected pensionable pay to your pay details to choose it yourself"
            )
        }
        if let tierYear, tierYear != schemeYear {
            notes.append("The tiers for \(schemeYear) are not entered yet; those for \(tierYear) are used")
        }
        let tier = PayRules.tier(forAnnualPence: expected, tiers: tiers)
        let employee = tier.map { PayRules.share(of: pensionable, basisPoints: $0.rateBasisPoints) } ?? 0
        let unsigned = try String.fetchAll(
            db,
            sql: """
                SELECT number FROM invoice i WHERE gpId = ? AND pensionable AND status = 'paid' AND COALESCE(receivedOn, paidOn) BETWEEN ? AND ?
                AND NOT EXISTS (SELECT 1 FROM formAApproval a WHERE a.invoiceId = i.id) ORDER BY paidOn
                """,
            arguments: [gpId, month.firstDay, month.lastDay])
        var missing = payee.details.missingForPension
        if payee.details.address.isEmpty { missing.append("your address") }
        return FormBView(
            gpId: gpId, month: month, payee: payee, gmcNumber: gp.registrationNumber,
            upr: payee.details.sdNumber.isEmpty ? nil : PayRules.upr(sdNumber: payee.details.sdNumber, month: month),
            lines: lines, pensionablePayPence: pensionable, employeeContributionPence: employee,
            employerContributionPence: employer, totalContributionPence: employee + employer,
            cumulativePensionablePayPence: cumulative, tierRateBasisPoints: tier?.rateBasisPoints,
            tierNote: notes.joined(separator: ". "), dueOn: PayRules.formBDue(month: month), missing: missing,
            unsignedInvoiceNumbers: unsigned)
    }
}
