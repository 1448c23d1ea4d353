import Foundation
import GRDB

/// A GP's money work: what is ready to invoice, what is overdue, and the Form B coming due.
public struct GPInvoicing: Sendable {
    public var readyToInvoice: Int
    public var readyToInvoicePence: Int
    public var overdue: [InvoiceSummary]
    /// Last month's Form B while it is due (from the 1st to the 7th), when it has lines.
    public var formBMonth: Month?
    public var formBDueOn: Day?

    public static let none = GPInvoicing(readyToInvoice: 0, readyToInvoicePence: 0, overdue: [])
}

/// Form As waiting for a practice's signature, as the support team sees them: counts and days only.
public struct FormsAwaitingSignature: Sendable, Equatable {
    public var practiceId: Int64
    public var practiceName: String
    public var count: Int
    /// Days since the oldest was sent.
    public var oldestWaitingDays: Int
    /// Of them, those past 8 weeks from their first day worked (the 10-week window closing).
    public var pastEightWeeks: Int
}

/// The money figures a funder or an LMC asks for, over a period: counts and days, never an amount
/// per GP, never bank details.
public struct PaymentFigures: Sendable, Equatable, Encodable {
    public var invoicesSent: Int
    public var invoicesPaid: Int
    public var medianDaysToPay: Int?
    public var overdueNow: Int
    public var overdueNowPence: Int
    public var formsAwaitingSignature: Int
    public var formsPastEightWeeks: Int
}

extension AppDatabase {
    func gpInvoicing(gpId: Int64, today: Day) async throws -> GPInvoicing {
        try await read { db in
            let ready = try Self.invoiceable(db, gpId: gpId, practiceId: nil)
            let overdue = try Invoice.fetchAll(
                db, sql: "SELECT * FROM invoice WHERE gpId = ? AND status = 'sent' AND dueOn < ? ORDER BY dueOn",
                arguments: [gpId, today])
            let lastMonth = Month(containing: today).previous
            var formB: Month?
            if today <= PayRules.formBDue(month: lastMonth) {
                let lines =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT COUNT(*) FROM invoice i JOIN formAApproval a ON a.invoiceId = i.id
                            WHERE i.gpId = ? AND i.pensionable AND i.status = 'paid' AND COALESCE(i.receivedOn, i.paidOn) BETWEEN ? AND ?
                            """,
                        arguments: [gpId, lastMonth.firstDay, lastMonth.lastDay]) ?? 0
                if lines > 0 { formB = lastMonth }
            }
            return GPInvoicing(
                readyToInvoice: ready.count, readyToInvoicePence: ready.map(\.amountPence).reduce(0, +),
                overdue: try Self.summaries(db, overdue, today: today), formBMonth: formB,
                formBDueOn: formB.map { PayRules.formBDue(month: $0) })
        }
    }

    static func summaries(_ db: Database, _ invoices: [Invoice], today: Day) throws -> [InvoiceSummary] {
        guard !invoices.isEmpty else { return [] }
        // Three queries for the whole list, not three an invoice.
        func names(_ table: String, _ ids: [Int64]) throws -> [Int64: String] {
            Dictionary(
                try Row.fetchAll(
                    db, sql: "SELECT id, name FROM \(table) WHERE id IN (SELECT value FROM json_each(?))",
                    arguments: [String(describing: Array(Set(ids)))]
                ).map { ($0["id"] as Int64, $0["name"] as String) },
                uniquingKeysWith: { first, _ in first })
        }
        let practiceNames = try names("practice", invoices.map(\.practiceId))
        let gpNames = try names("gp", invoices.map(\.gpId))
        let signed = Set(
            try Int64.fetchAll(
                db, sql: "SELECT invoiceId FROM formAApproval WHERE invoiceId IN (SELECT value FROM json_each(?))",
                arguments: [String(describing: invoices.compactMap(\.id))]))
        return invoices.map { invoice in
            InvoiceSummary(
                invoice: invoice, practiceName: practiceNames[invoice.practiceId] ?? "", gpName: gpNames[invoice.gpId] ?? "",
                state: invoice.state(today: today), formASigned: signed.contains(invoice.id!))
        }
    }

    /// A practice's invoices to pay (overdue first) and its paid Form As still to sign.
    func practiceInvoicing(practiceId: Int64, today: Day) async throws -> (toPay: [InvoiceSummary], toSign: [InvoiceSummary]) {
        try await read { db in
            let toPay = try Invoice.fetchAll(
                db, sql: "SELECT * FROM invoice WHERE practiceId = ? AND status = 'sent' ORDER BY dueOn", arguments: [practiceId])
            let toSign = try Invoice.fetchAll(
                db,
                sql: """
                    SELECT * FROM invoice i WHERE practiceId = ? AND pensionable AND status = 'paid'
                    AND NOT EXISTS (SELECT 1 FROM formAApproval a WHERE a.invoiceId = i.id) ORDER BY paidOn
                    """,
                arguments: [practiceId])
            return (try Self.summaries(db, toPay, today: today), try Self.summaries(db, toSign, today: today))
        }
    }

    /// Per practice of the organisation, the Form As sent and not yet signed: for the support team.
    public func formsAwaitingSignature(organisationId: Int64, by principal: Principal) async throws -> [FormsAwaitingSignature] {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        let today = clock.today
        return try await read { db in
            try Self.formsAwaiting(db, organisationId: organisationId, today: today)
        }
    }

    static func formsAwaiting(_ db: Database, organisationId: Int64, today: Day) throws -> [FormsAwaitingSignature] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.id AS practiceId, p.name AS practiceName, i.issuedOn,
                       (SELECT MIN(date) FROM invoiceLine l WHERE l.invoiceId = i.id AND l.kind = 'session') AS firstDay
                FROM invoice i JOIN practice p ON p.id = i.practiceId
                WHERE p.organisationId = ? AND i.pensionable AND i.status IN ('sent', 'paid')
                  AND NOT EXISTS (SELECT 1 FROM formAApproval a WHERE a.invoiceId = i.id)
                ORDER BY p.name, i.issuedOn
                """,
            arguments: [organisationId])
        var byPractice: [Int64: FormsAwaitingSignature] = [:]
        var order: [Int64] = []
        for row in rows {
            let id: Int64 = row["practiceId"]
            let waiting = Day(row["issuedOn"] as String).map { max(0, $0.days(until: today)) } ?? 0
            let first = (row["firstDay"] as String?).flatMap { Day($0) }
            let late = first.map { $0.days(until: today) >= 56 } ?? false
            if var entry = byPractice[id] {
                entry.count += 1
                entry.oldestWaitingDays = max(entry.oldestWaitingDays, waiting)
                entry.pastEightWeeks += late ? 1 : 0
                byPractice[id] = entry
            } else {
                order.append(id)
                byPractice[id] = FormsAwaitingSignature(
                    practiceId: id, practiceName: row["practiceName"], count: 1, oldestWaitingDays: waiting,
                    pastEightWeeks: late ? 1 : 0)
            }
        }
        return order.compactMap { byPractice[$0] }.sorted { $0.oldestWaitingDays > $1.oldestWaitingDays }
    }

    /// The period's money figures for an organisation's practices (see `PaymentFigures`).
    static func paymentFigures(_ db: Database, organisationId: Int64, from: Day, to: Day, today: Day) throws -> PaymentFigures {
        let sent =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM invoice i JOIN practice p ON p.id = i.practiceId
                    WHERE p.organisationId = ? AND i.status <> 'draft' AND i.issuedOn BETWEEN ? AND ?
                    """,
                arguments: [organisationId, from, to]) ?? 0
        let paid = try Row.fetchAll(
            db,
            sql: """
                SELECT i.issuedOn, i.paidOn FROM invoice i JOIN practice p ON p.id = i.practiceId
                WHERE p.organisationId = ? AND i.status = 'paid' AND i.paidOn BETWEEN ? AND ?
                """,
            arguments: [organisationId, from, to])
        let days = paid.compactMap { row -> Int? in
            guard let issued = Day(row["issuedOn"] as String), let paidOn = Day(row["paidOn"] as String) else { return nil }
            return issued.days(until: paidOn)
        }.sorted()
        // The median of an even count is the lower middle one: a whole number of days, never flattering.
        let median = days.isEmpty ? nil : days[(days.count - 1) / 2]
        let overdue = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS n, COALESCE(SUM(i.totalPence), 0) AS pence FROM invoice i JOIN practice p ON p.id = i.practiceId
                WHERE p.organisationId = ? AND i.status = 'sent' AND i.dueOn < ?
                """,
            arguments: [organisationId, today])
        let waiting = try Self.formsAwaiting(db, organisationId: organisationId, today: today)
        return PaymentFigures(
            invoicesSent: sent, invoicesPaid: paid.count, medianDaysToPay: median, overdueNow: overdue?["n"] ?? 0,
            overdueNowPence: overdue?["pence"] ?? 0, formsAwaitingSignature: waiting.map(\.count).reduce(0, +),
            formsPastEightWeeks: waiting.map(\.pastEightWeeks).reduce(0, +))
    }
}
