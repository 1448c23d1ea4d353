import Foundation
import GRDB

extension AppDatabase {
    /// Days overdue at which the practice is reminded of an unpaid invoice.
    public static let overdueReminderDays = [7, 14, 28]
    /// Weeks after the first day worked at which an unsigned Form A is chased (the forms must reach
    /// PCSE within 10).
    public static let formAReminderWeeks = [6, 8]

    /// Marks a reminder sent; false when it had been already (each is sent once).
    static func claimReminder(_ db: Database, subject: String, id: Int64, kind: String, now: Date) throws -> Bool {
        try db.execute(
            sql: "INSERT OR IGNORE INTO paymentReminder (subject, subjectId, kind, sentAt) VALUES (?, ?, ?, ?)",
            arguments: [subject, id, kind, now])
        return db.changesCount > 0
    }

    /// The scheduler's payment round: overdue invoices at 7, 14 and 28 days (the practice), unsigned
    /// Form As at 6 and 8 weeks (the GP and the practice), each month's Form B once the month has
    /// closed (the GP), and warnings older than six months removed. Each reminder goes once: after a
    /// pause only the latest one due is sent.
    public func sendPaymentReminders(links: Links) async throws -> Outcome<Int> {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            var mail: [MailMessage] = []
            var count = 0
            let sent = try Invoice.fetchAll(
                db, sql: "SELECT * FROM invoice WHERE status = 'sent' AND dueOn < ? ORDER BY id", arguments: [today])
            for invoice in sent {
                let days = PayRules.daysOverdue(dueOn: invoice.dueOn, today: today)
                guard let step = Self.overdueReminderDays.last(where: { $0 <= days }) else { continue }
                var fresh = false
                for earlier in Self.overdueReminderDays where earlier <= step {
                    fresh =
                        try Self.claimReminder(db, subject: "invoice", id: invoice.id!, kind: "overdue-\(earlier)", now: now)
                        || fresh
                }
                guard fresh else { continue }
                let practice = try Practice.fetchOne(db, id: invoice.practiceId)!
                let gp = try GP.fetchOne(db, id: invoice.gpId)!
                let text = """
                    Invoice \(invoice.number) from \(gp.name) for \(Money.pounds(invoice.totalPence)) was due on \
                    \(invoice.dueOn.displayText) and is now \(days) days overdue.

                    Late payment of a commercial debt carries statutory interest and a fixed compensation. Pay it, and \
                    mark it paid, on the invoice's page:
                    \(links.url("/invoices/\(invoice.id!)"))
                    """
                mail += try Self.practiceRecipients(db, practice).map {
                    MailMessage(to: $0, subject: "Overdue: invoice \(invoice.number) from \(gp.name), \(days) days", text: text)
                }
                count += 1
            }

            let unsigned = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, (SELECT MIN(date) FROM invoiceLine l WHERE l.invoiceId = i.id AND l.kind = 'session') AS firstDay
                    FROM invoice i WHERE i.pensionable AND i.status IN ('sent', 'paid')
                      AND NOT EXISTS (SELECT 1 FROM formAApproval a WHERE a.invoiceId = i.id)
                    ORDER BY i.id
                    """)
            for row in unsigned {
                guard let first: String = row["firstDay"], let firstDay = Day(first) else { continue }
                let weeks = firstDay.days(until: today) / 7
                guard let step = Self.formAReminderWeeks.last(where: { $0 <= weeks }), weeks < 10 else { continue }
                var fresh = false
                for earlier in Self.formAReminderWeeks where earlier <= step {
                    fresh =
                        try Self.claimReminder(db, subject: "invoice", id: row["id"], kind: "form-a-\(earlier)w", now: now)
                        || fresh
                }
                guard fresh else { continue }
                let invoice = try Self.fetchInvoice(db, id: row["id"])
                let practice = try Practice.fetchOne(db, id: invoice.practiceId)!
                let gp = try GP.fetchOne(db, id: invoice.gpId)!
                let deadline = PayRules.pensionDeadline(firstDay: firstDay)
                let text = """
                    Form A for invoice \(invoice.number) (\(gp.name) at \(practice.name)) is not signed yet. The work from \
                    \(firstDay.displayText) must reach PCSE by \(deadline.displayText) (10 weeks), or it cannot be pensioned.
                    \(invoice.status == .sent ? "\nThe invoice is not marked paid yet: the practice pays it, marks it paid, then a locum approver signs Form A.\n" : "")
                    The invoice and its Form A:
                    \(links.url("/invoices/\(invoice.id!)"))
                    """
                let recipients = try Self.practiceRecipients(db, practice) + (gp.email.map { [$0] } ?? [])
                mail += recipients.map {
                    MailMessage(
                        to: $0, subject: "Form A to sign: \(gp.name), \(step) weeks since \(firstDay.shortText)", text: text)
                }
                count += 1
            }

            // Work not yet invoiced (or on a draft) has the same 10-week clock: the GP is told at 6 and 8 weeks.
            let unsent = try Row.fetchAll(
                db,
                sql: """
                    SELECT b.id, b.gpId, b.date, b.terms, p.name AS practiceName FROM booking b
                    JOIN clinicalSession s ON s.id = b.sessionId JOIN practice p ON p.id = s.practiceId
                    WHERE b.status = 'completed' AND b.date BETWEEN ? AND ?
                      AND NOT EXISTS (SELECT 1 FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId
                                      WHERE l.bookingId = b.id AND i.status <> 'draft')
                    ORDER BY b.gpId, b.date
                    """,
                arguments: [today.adding(days: -69), today.adding(days: -42)])
            var unsentByGP: [Int64: [(Day, String, Int)]] = [:]
            for row in unsent {
                guard let day = Day(row["date"] as String) else { continue }
                if TermsSnapshot.decoded(row["terms"])?.limitedCompany == true { continue }
                let weeks = day.days(until: today) / 7
                guard let step = Self.formAReminderWeeks.last(where: { $0 <= weeks }) else { continue }
                var fresh = false
                for earlier in Self.formAReminderWeeks where earlier <= step {
                    fresh =
                        try Self.claimReminder(db, subject: "booking", id: row["id"], kind: "unsent-\(earlier)w", now: now)
                        || fresh
                }
                if fresh { unsentByGP[row["gpId"], default: []].append((day, row["practiceName"], step)) }
            }
            for (gpId, sessions) in unsentByGP.sorted(by: { $0.key < $1.key }) {
                guard let gp = try GP.fetchOne(db, id: gpId), let email = gp.email else { continue }
                let list = sessions.map {
                    "- \($0.0.displayText) at \($0.1): send its invoice and Form A by \(PayRules.pensionDeadline(firstDay: $0.0).displayText)"
                }.joined(separator: "\n")
                mail.append(
                    MailMessage(
                        to: email, toName: gp.name, subject: "Sessions to invoice before the 10-week pension deadline",
                        text: """
                            Dear \(gp.name),

                            These sessions you worked are not on a sent invoice yet. To pension them, the practice must sign \
                            their Form A and PCSE must have it within 10 weeks of the day worked:

                            \(list)

                            Make the invoices: \(links.url("/invoices"))
                            """))
                count += 1
            }

            // Form B for last month, from the 1st until it is due.
            let lastMonth = Month(containing: today).previous
            if today <= PayRules.formBDue(month: lastMonth) {
                let gpIds = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT i.gpId FROM invoice i JOIN formAApproval a ON a.invoiceId = i.id
                        WHERE i.pensionable AND i.status = 'paid' AND COALESCE(i.receivedOn, i.paidOn) BETWEEN ? AND ?
                        """,
                    arguments: [lastMonth.firstDay, lastMonth.lastDay])
                for gpId in gpIds {
                    guard try Self.claimReminder(db, subject: "gp", id: gpId, kind: "form-b-\(lastMonth)", now: now),
                        let gp = try GP.fetchOne(db, id: gpId), let email = gp.email
                    else { continue }
                    mail.append(
                        MailMessage(
                            to: email, toName: gp.name,
                            subject:
                                "Your Form B for \(lastMonth.displayText) is due by \(PayRules.formBDue(month: lastMonth).displayText)",
                            text: """
                                Dear \(gp.name),

                                Practices paid you pensionable locum fees in \(lastMonth.displayText). Your GP Locum Form B, with \
                                its Form As and the contributions, must reach PCSE by \(PayRules.formBDue(month: lastMonth).displayText).

                                Your Form B, ready to print:
                                \(links.url("/form-b?month=\(lastMonth)"))
                                """))
                    count += 1
                }
            }

            let kept = Day.calendar.date(byAdding: .month, value: -LateCancellation.keptForMonths, to: now)!
            try db.execute(sql: "DELETE FROM lateCancellation WHERE recordedAt < ?", arguments: [kept])
            return Outcome(value: count, notifications: mail)
        }
    }
}
