import GRDB

extension AppDatabase {
    /// v10: who may see what, decided once (issue 19). Each part says which finding it serves.
    static func confidentialitySchema(_ db: Database) throws {
        // Finding 3: an arrangement made outside the scheme is provisional until the other side
        // confirms it; only then is its session and booking made (blocking time, issuing cards,
        // counting in reports, opening the pack).
        try db.create(table: "arrangement") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("practice", onDelete: .restrict).notNull()
            t.belongsTo("gp", onDelete: .restrict).notNull()
            t.column("date", .text).notNull()
            t.column("startMinute", .integer).notNull()
            t.column("endMinute", .integer).notNull()
            t.column("kind", .text).notNull()
            t.column("status", .text).notNull().check(sql: "status IN ('provisional', 'confirmed', 'declined')")
            t.column("recordedBySide", .text).notNull().check(sql: "recordedBySide IN ('gp', 'practice', 'liaison-officer')")
            t.belongsTo("recordedBy", inTable: "user", onDelete: .setNull)
            t.column("createdAt", .datetime).notNull()
            t.column("decidedAt", .datetime)
            t.belongsTo("decidedBy", inTable: "user", onDelete: .setNull)
            t.belongsTo("booking", onDelete: .setNull)
        }
        try db.create(index: "arrangement_on_status", on: "arrangement", columns: ["status", "gpId", "practiceId"])
        // Finding 13: an unsubscribe link acts only on the subscription it was sent for (the time consent was given).
        try db.alter(table: "unsubscribeToken") { t in
            t.add(column: "consentGivenAt", .datetime)
        }
        // Links already sent keep working only if sent since the GP's present consent was given.
        try db.execute(
            sql: """
                UPDATE unsubscribeToken SET consentGivenAt = (
                    SELECT g.mailshotConsentAt FROM gp g
                    WHERE g.id = unsubscribeToken.gpId AND g.mailshotConsent = 1 AND g.mailshotConsentAt <= unsubscribeToken.createdAt)
                WHERE gpId IS NOT NULL
                """)
        // Finding 16: a wrong password and a wrong code are told apart, so a code lifts only a password lock.
        try db.alter(table: "signInFailure") { t in
            t.add(column: "kind", .text).notNull().defaults(to: "password")
        }
        // Finding 17: calendar feed tokens are stored as SHA-256 digests; existing feed addresses keep working.
        try db.execute(sql: "ALTER TABLE calendarFeed RENAME COLUMN token TO tokenDigest")
        for row in try Row.fetchAll(db, sql: "SELECT ownerKind, ownerId, tokenDigest FROM calendarFeed") {
            let token: String = row["tokenDigest"]
            let kind: String = row["ownerKind"]
            let ownerId: Int64 = row["ownerId"]
            try db.execute(
                sql: "UPDATE calendarFeed SET tokenDigest = ? WHERE ownerKind = ? AND ownerId = ?",
                arguments: [SecretToken.digest(token), kind, ownerId])
        }
        // Issue 20 (the same release): the day-before reminder of a booked session goes once.
        try db.alter(table: "booking") { t in
            t.add(column: "reminderSentAt", .datetime)
        }
        // Issue 20 (the same release): holidays as ranges of days away, each listed and removable,
        // rather than one dated entry per day and part.
        try db.create(table: "availabilityRange") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("fromDay", .text).notNull()
            t.column("toDay", .text).notNull()
            t.column("createdAt", .datetime).notNull()
            t.check(sql: "fromDay <= toDay")
        }
    }
}
