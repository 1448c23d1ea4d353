import GRDB

extension AppDatabase {
    /// v10: who may see what, decided once (issue 19). Each part says which finding it serves.
    static func confidentialitySchema(_ db: Database) throws {
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
    }
}
