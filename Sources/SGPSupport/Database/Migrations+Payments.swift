import GRDB

extension AppDatabase {
    /// v12: getting paid and pensioned (issue 22): the GP's terms, their sealed pay details,
    /// invoices in integer pence, the practice's signature on Form A, late-cancellation warnings,
    /// and the policy numbers (pension tiers and rates, the base rate) as dated rows.
    static func paymentsSchema(_ db: Database) throws {
        // A GP's terms: one row with no practice (their usual terms), and optional rows for a
        // practice they charge differently.
        try db.create(table: "gpTerms") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.belongsTo("practice", onDelete: .cascade)
            t.column("sessionRatePence", .integer).check(sql: "sessionRatePence >= 0")
            t.column("hourlyRatePence", .integer).check(sql: "hourlyRatePence >= 0")
            t.column("paymentTermsDays", .integer).notNull().defaults(to: 28).check(sql: "paymentTermsDays IN (14, 28, 30)")
            t.column("mileagePencePerMile", .integer).notNull().defaults(to: 45)
                .check(sql: "mileagePencePerMile BETWEEN 0 AND 1000")
            // "1:100 3:75 7:20": notice under 1 day → 100 %, under 3 days → 75 %, under 7 → 20 %.
            t.column("cancellationScale", .text).notNull().defaults(to: "1:100 3:75 7:20")
            t.column("limitedCompany", .boolean).notNull().defaults(to: false)
            t.column("updatedAt", .datetime).notNull()
        }
        try db.execute(sql: "CREATE UNIQUE INDEX gpTerms_unique ON gpTerms(gpId, IFNULL(practiceId, 0))")
        // Address, NI and pension numbers, date of birth, bank details and expected pay, sealed
        // (AES-GCM) with a key kept outside the database: a copy of the file alone reads none of it.
        try db.create(table: "gpPayDetails") { t in
            t.primaryKey("gpId", .integer).references("gp", onDelete: .cascade)
            t.column("sealed", .blob).notNull()
            t.column("updatedAt", .datetime).notNull()
        }
        // The terms in force when a booking was made, and the fee a late cancellation by the
        // practice earns under them.
        try db.alter(table: "booking") { t in
            t.add(column: "terms", .text)
            t.add(column: "cancellationFeePence", .integer)
            t.add(column: "cancellationNoticeDays", .integer)
        }
        try db.create(table: "invoice") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .restrict).notNull()
            t.belongsTo("practice", onDelete: .restrict).notNull()
            t.column("sequence", .integer).notNull()
            t.column("number", .text).notNull()
            t.column("status", .text).notNull().check(sql: "status IN ('draft', 'sent', 'paid')")
            t.column("issuedOn", .text).notNull()
            t.column("dueOn", .text).notNull()
            t.column("paymentTermsDays", .integer).notNull()
            t.column("pensionable", .boolean).notNull()
            t.column("schemeYear", .text).notNull()
            t.column("pensionableShareBasisPoints", .integer).notNull()
            t.column("employerRateBasisPoints", .integer).notNull()
            t.column("mileageMiles", .integer).notNull().defaults(to: 0).check(sql: "mileageMiles BETWEEN 0 AND 10000")
            t.column("mileagePencePerMile", .integer).notNull()
            t.column("notes", .text)
            // Form A's "GPs covered": whom the locum stood in for, as the GP names them.
            t.column("coveringFor", .text)
            t.column("totalPence", .integer).notNull()
            t.column("pensionablePayPence", .integer).notNull()
            t.column("employerContributionPence", .integer).notNull()
            // The payee as invoiced (name, address, bank details), sealed like the pay details.
            t.column("payeeSealed", .blob)
            t.column("createdAt", .datetime).notNull()
            t.column("sentAt", .datetime)
            t.column("paidOn", .text)
            t.belongsTo("paidMarkedBy", inTable: "user", onDelete: .setNull)
            t.column("receivedAt", .datetime)
            t.column("receivedOn", .text)
            t.uniqueKey(["gpId", "number"])
            t.uniqueKey(["gpId", "sequence"])
        }
        try db.create(index: "invoice_on_practice_status", on: "invoice", columns: ["practiceId", "status"])
        try db.create(table: "invoiceLine") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("invoice", onDelete: .cascade).notNull()
            t.column("position", .integer).notNull()
            t.column("kind", .text).notNull()
                .check(sql: "kind IN ('session', 'cancellation-fee', 'mileage', 'employer-contribution')")
            t.belongsTo("booking", onDelete: .restrict)
            t.column("description", .text).notNull()
            t.column("date", .text)
            t.column("startMinute", .integer)
            t.column("endMinute", .integer)
            t.column("rateText", .text)
            t.column("amountPence", .integer).notNull().check(sql: "amountPence >= 0")
            t.column("pensionable", .boolean).notNull()
        }
        // A booking is invoiced once, whether for the session or for its cancellation fee.
        try db.execute(sql: "CREATE UNIQUE INDEX invoiceLine_booking ON invoiceLine(bookingId) WHERE bookingId IS NOT NULL")
        // The practice's electronic signature on an invoice's Form A: a recorded act.
        try db.create(table: "formAApproval") { t in
            t.primaryKey("invoiceId", .integer).references("invoice", onDelete: .cascade)
            t.belongsTo("approvedBy", inTable: "user", onDelete: .setNull)
            t.column("approverName", .text).notNull()
            t.column("approvedAt", .datetime).notNull()
            t.column("approvedFrom", .text).notNull()
        }
        // Who in a practice may sign Form A. Practice managers do (those there today, and each one
        // granted the role from now on), unless the administrator takes the right away.
        try db.create(table: "locumApprover") { t in
            t.belongsTo("user", onDelete: .cascade).notNull()
            t.belongsTo("practice", onDelete: .cascade).notNull()
            t.primaryKey(["userId", "practiceId"])
        }
        try db.execute(
            sql: """
                INSERT INTO locumApprover (userId, practiceId)
                SELECT userId, practiceId FROM roleGrant WHERE role = 'practice-manager' AND practiceId IS NOT NULL
                """)
        // Each reminder is sent once: overdue invoices at 7, 14 and 28 days, Form A at 6 and 8
        // weeks, Form B when a month closes.
        try db.create(table: "paymentReminder") { t in
            t.column("subject", .text).notNull()
            t.column("subjectId", .integer).notNull()
            t.column("kind", .text).notNull()
            t.column("sentAt", .datetime).notNull()
            t.primaryKey(["subject", "subjectId", "kind"])
        }
        // A late cancellation or a no-show, on the record of the side that caused it (kept six months).
        try db.create(table: "lateCancellation") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("booking", onDelete: .cascade).notNull()
            t.column("side", .text).notNull().check(sql: "side IN ('practice', 'gp')")
            t.column("kind", .text).notNull().check(sql: "kind IN ('late-cancellation', 'no-show')")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.belongsTo("practice", onDelete: .cascade).notNull()
            t.column("noticeDays", .integer)
            t.column("reason", .text)
            t.column("recordedAt", .datetime).notNull()
        }
        try db.create(index: "lateCancellation_on_recordedAt", on: "lateCancellation", columns: ["recordedAt"])
        // Policy numbers as dated data. Tiers by scheme year (April to March): the lowest
        // annual pensionable pay each rate starts at.
        try db.create(table: "pensionTier") { t in
            t.column("schemeYear", .text).notNull().check(sql: "schemeYear GLOB '[0-9][0-9][0-9][0-9]/[0-9][0-9]'")
            t.column("fromPence", .integer).notNull().check(sql: "fromPence >= 0")
            t.column("rateBasisPoints", .integer).notNull().check(sql: "rateBasisPoints BETWEEN 0 AND 10000")
            t.primaryKey(["schemeYear", "fromPence"])
        }
        try db.create(table: "pensionRate") { t in
            t.primaryKey("schemeYear", .text)
            t.column("pensionableShareBasisPoints", .integer).notNull()
            t.column("employerRateBasisPoints", .integer).notNull()
        }
        // NHS Pensions, 2025/26: the member's tiers, 90 % of a locum's fee pensionable, 14.38 %
        // employer contribution (with the administration levy).
        for (fromPence, rate) in [
            (0, 520), (1_326_000, 650), (2_779_800, 830), (3_386_900, 980), (5_084_600, 1070), (6_519_100, 1250),
        ] {
            try db.execute(
                sql: "INSERT INTO pensionTier (schemeYear, fromPence, rateBasisPoints) VALUES ('2025/26', ?, ?)",
                arguments: [fromPence, rate])
        }
        try db.execute(sql: "INSERT INTO pensionRate VALUES ('2025/26', 9000, 1438)")
        // The Bank of England base rate each organisation uses for late-payment interest, by the
        // day it took effect (4 % from 7 August 2025 until the support team enters a later one).
        try db.create(table: "baseRate") { t in
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.column("effectiveFrom", .text).notNull()
            t.column("rateBasisPoints", .integer).notNull().check(sql: "rateBasisPoints BETWEEN 0 AND 5000")
            t.primaryKey(["organisationId", "effectiveFrom"])
        }
        try db.execute(sql: "INSERT INTO baseRate SELECT id, '2025-08-07', 400 FROM organisation")
    }
}
