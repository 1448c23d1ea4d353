import GRDB

extension AppDatabase {
    /// v10: who may see what, decided once (issue 19). Each part says which finding it serves.
    static func confidentialitySchema(_ db: Database) throws {
    }
}
