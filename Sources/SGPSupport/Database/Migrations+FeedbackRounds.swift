import GRDB

extension AppDatabase {
    /// Colleague and patient feedback rounds for revalidation (issue 23): collected and collated by
    /// the service, never by the doctor. A response is never linked to who gave it.
    static func feedbackRoundsSchema(_ db: Database) throws {
        try db.alter(table: "organisation") { t in
            t.add(column: "colleagueTarget", .integer).notNull().defaults(to: 15)
            t.add(column: "colleagueMinimum", .integer).notNull().defaults(to: 8)
            t.add(column: "patientTarget", .integer).notNull().defaults(to: 34)
            t.add(column: "patientMinimum", .integer).notNull().defaults(to: 22)
            t.add(column: "roundsPerCycle", .integer).notNull().defaults(to: 1)
        }
        // The questionnaires as versioned data: our own items, by Good Medical Practice's domains.
        try db.create(table: "feedbackRoundItem") { t in
            t.column("version", .integer).notNull()
            t.column("kind", .text).notNull().check(sql: "kind IN ('colleague', 'patient')")
            t.column("code", .text).notNull()
            t.column("position", .integer).notNull()
            t.column("domain", .text).notNull()
            t.column("text", .text).notNull()
            t.primaryKey(["version", "kind", "code"])
        }
        for item in FeedbackRoundItem.version1 {
            try db.execute(
                sql: "INSERT INTO feedbackRoundItem (version, kind, code, position, domain, text) VALUES (1, ?, ?, ?, ?, ?)",
                arguments: [item.kind.rawValue, item.code, item.position, item.domain, item.text])
        }
        try db.create(table: "feedbackRound") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("kind", .text).notNull().check(sql: "kind IN ('colleague', 'patient')")
            t.column("status", .text).notNull().check(sql: "status IN ('requested', 'open', 'released', 'short')")
            t.column("itemsVersion", .integer).notNull()
            t.column("target", .integer).notNull()
            t.column("minimum", .integer).notNull()
            t.column("requestedAt", .datetime).notNull()
            t.column("openedAt", .datetime)
            t.belongsTo("openedBy", inTable: "user", onDelete: .setNull)
            t.column("closesOn", .text)
            t.column("closedAt", .datetime)
            t.column("extended", .boolean).notNull().defaults(to: false)
            // The GP's reflection on the report, for their appraisal.
            t.column("reflection", .text)
        }
        // Who was asked. The GP sees only counts per practice; the token is stored as its digest.
        try db.create(table: "feedbackRoundInvitation") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("feedbackRound", onDelete: .cascade).notNull()
            t.column("name", .text).notNull()
            t.column("email", .text).notNull()
            t.column("role", .text).notNull()
            t.belongsTo("practice", onDelete: .setNull)
            t.column("addedBy", .text).notNull().check(sql: "addedBy IN ('service', 'gp', 'practice')")
            t.column("tokenDigest", .text).unique()
            // The link itself, sealed, so a reminder resends the same link (the first email's keeps working).
            t.column("tokenSealed", .blob)
            t.column("sentAt", .datetime)
            t.column("answeredAt", .datetime)
            t.uniqueKey(["feedbackRoundId", "email"])
        }
        // A patient's code is for one booked session of the GP, and is used once.
        try db.create(table: "feedbackRoundPatientCode") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("feedbackRound", onDelete: .cascade).notNull()
            t.belongsTo("booking", onDelete: .cascade).notNull()
            t.column("codeDigest", .text).notNull().unique()
            t.column("createdAt", .datetime).notNull()
            t.column("usedAt", .datetime)
        }
        // The answers, with nothing that says whose: no invitation, no code, only the day.
        try db.create(table: "feedbackRoundResponse") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("feedbackRound", onDelete: .cascade).notNull()
            t.column("respondentGroup", .text).notNull()
            t.column("answers", .text).notNull()
            t.column("doesWell", .text)
            t.column("couldChange", .text)
            t.column("submittedOn", .text).notNull()
        }
    }
}
