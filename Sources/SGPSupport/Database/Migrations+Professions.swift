import GRDB

extension AppDatabase {
    /// v11: the register, right for every profession, with the documents behind checks (issue 21),
    /// and holidays as ranges (issue 20).
    static func professionsSchema(_ db: Database) throws {
        // A nurse's NMC PIN (12A3456E) is not seven digits, so the number's column loses its GMC-only
        // check and takes the name it has for every profession. SQLite cannot drop a column's CHECK:
        // the table is rebuilt (create, copy, drop, rename — the documented procedure; the migrator
        // runs with foreign keys off and checks them afterwards).
        guard let original = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'gp'")
        else { throw DatabaseError(message: "no gp table to migrate") }
        let gmcColumn =
            #""gmcNumber" TEXT NOT NULL UNIQUE CHECK (gmcNumber GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9]')"#
        guard original.contains(gmcColumn) else { throw DatabaseError(message: "the gp table is not the v10 one") }
        let rebuilt =
            original
            .replacingOccurrences(of: #"CREATE TABLE "gp""#, with: #"CREATE TABLE "gp_v11""#)
            .replacingOccurrences(
                of: gmcColumn,
                with: #"""
                    "registrationNumber" TEXT NOT NULL CHECK (registrationNumber GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9]' OR registrationNumber GLOB '[0-9][0-9][A-Z][0-9][0-9][0-9][0-9][A-Z]')
                    """#)
        try db.execute(sql: rebuilt)
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(gp)").map { $0["name"] as String }
        let selected = columns.map { $0 == "gmcNumber" ? #""gmcNumber""# : "\"\($0)\"" }.joined(separator: ", ")
        let inserted = columns.map { $0 == "gmcNumber" ? #""registrationNumber""# : "\"\($0)\"" }.joined(separator: ", ")
        try db.execute(sql: "INSERT INTO gp_v11 (\(inserted)) SELECT \(selected) FROM gp")
        try db.execute(sql: "DROP TABLE gp")
        try db.execute(sql: "ALTER TABLE gp_v11 RENAME TO gp")
        try db.create(index: "gp_on_organisationId", on: "gp", columns: ["organisationId"])
        try db.create(index: "gp_organisation_status", on: "gp", columns: ["organisationId", "status"])
        // GMC and GPhC numbers are both seven digits: a number is one person's within a profession.
        try db.create(
            index: "gp_profession_registrationNumber", on: "gp", columns: ["profession", "registrationNumber"], unique: true)

        // Each check type applies to some professions: GMC registration and the performers list to
        // doctors only; each other profession has its own regulator's check.
        try db.alter(table: "checkType") { t in
            t.add(column: "professions", .text).notNull().defaults(to: "gp nurse pharmacist")
        }
        try db.execute(
            sql: "UPDATE checkType SET professions = 'gp' WHERE code IN ('gmc-registration', 'performers-list')")
        for (code, name, profession) in [
            ("nmc-registration", "NMC registration (PIN)", "nurse"),
            ("gphc-registration", "GPhC registration", "pharmacist"),
        ] {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO checkType (organisationId, code, name, requiredBeforeWork, position, professions)
                    SELECT o.id, ?, ?, 1, COALESCE((SELECT MAX(position) + 1 FROM checkType WHERE organisationId = o.id), 0), ?
                    FROM organisation o
                    """,
                arguments: [code, name, profession])
        }
        // An appraisal check is dated by the appraisal; a check recorded against the wrong
        // profession's regulator is kept, flagged for the liaison officer to review.
        try db.alter(table: "credentialCheck") { t in
            t.add(column: "appraisalOn", .text)
            t.add(column: "reviewNote", .text)
        }
        try db.execute(
            sql: """
                UPDATE credentialCheck SET reviewNote = 'Recorded as GMC registration, but this person is not a doctor: '
                    || 'check them against their own regulator and record that check.'
                WHERE type = 'gmc-registration' AND gpId IN (SELECT id FROM gp WHERE profession <> 'gp')
                """)
        // How long an appraisal counts for, from the day it took place: the organisation's setting.
        try db.alter(table: "organisation") { t in
            t.add(column: "appraisalValidityMonths", .integer).notNull().defaults(to: 15)
                .check(sql: "appraisalValidityMonths BETWEEN 1 AND 36")
        }
        // A session says which profession it needs; every existing one was for a GP.
        try db.alter(table: "clinicalSession") { t in
            t.add(column: "profession", .text).notNull().defaults(to: "gp")
                .check(sql: "profession IN ('gp', 'nurse', 'pharmacist')")
        }
        // Issue 20: holidays as ranges of days away, each listed and removable, rather than one
        // dated entry per day and part.
        try db.create(table: "availabilityRange") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("fromDay", .text).notNull()
            t.column("toDay", .text).notNull()
            t.column("createdAt", .datetime).notNull()
            t.check(sql: "fromDay <= toDay")
        }
        // Issue 21: the evidence behind a check (the scan or photo of a certificate), kept in the
        // database itself so backups hold it; a check names the document it rests on (a GP's renewal
        // and the verified check that follows it share one).
        try db.create(table: "checkDocument") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("checkId", .integer).indexed().references("credentialCheck", onDelete: .setNull)
            t.column("contentType", .text).notNull()
                .check { ["application/pdf", "image/jpeg", "image/png"].contains($0) }
            t.column("byteCount", .integer).notNull().check(sql: "byteCount BETWEEN 1 AND 10485760")
            t.column("sha256", .text).notNull().check(sql: "length(sha256) = 64")
            t.column("originalName", .text).notNull()
            t.column("bytes", .blob).notNull()
            t.column("uploadedById", .integer).references("user", onDelete: .setNull)
            t.column("uploadedAt", .datetime).notNull()
            t.check(sql: "byteCount = length(bytes)")
        }
        try db.alter(table: "credentialCheck") { t in
            t.add(column: "documentId", .integer).references("checkDocument", onDelete: .setNull)
        }
    }
}
