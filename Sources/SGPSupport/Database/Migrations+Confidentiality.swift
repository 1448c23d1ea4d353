import GRDB

extension AppDatabase {
    /// v10: who may see what, decided once (issue 19). Each part says which finding it serves.
    static func confidentialitySchema(_ db: Database) throws {
        // Finding 16: a wrong password and a wrong code are told apart, so a code can lift a lock that passwords caused.
        try db.alter(table: "signInFailure") { t in
            t.add(column: "kind", .text).notNull().defaults(to: "password")
        }
    }
}
