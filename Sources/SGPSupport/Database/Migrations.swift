import GRDB

extension AppDatabase {
    /// Every schema change, in order, under a name that never changes once released.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation", migrate: foundationSchema)
        return migrator
    }()

    private static func foundationSchema(_ db: Database) throws {
        try db.create(table: "organisation") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("code", .text).notNull().unique(onConflict: .abort).collate(.nocase)
            t.column("name", .text).notNull()
            t.column("region", .text)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "practice") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("odsCode", .text).notNull().unique().collate(.nocase)
            t.column("name", .text).notNull()
            t.column("locality", .text).notNull()
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "gp") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("name", .text).notNull()
            t.column("gmcNumber", .text).notNull().unique()
                .check(sql: "gmcNumber GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9]'")
            t.column("profession", .text).notNull().defaults(to: "gp")
            t.column("kind", .text).notNull()
            t.column("status", .text).notNull()
            t.column("email", .text)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "user") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("email", .text).notNull().unique().collate(.nocase)
            t.column("displayName", .text).notNull()
            t.column("passwordHash", .text)
            t.column("disabledAt", .datetime)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "roleGrant") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("user", onDelete: .cascade).notNull()
            t.column("role", .text).notNull()
            t.belongsTo("organisation", onDelete: .cascade)
            t.belongsTo("practice", onDelete: .cascade)
            t.belongsTo("gp", onDelete: .cascade)
            // Each role is scoped to exactly the kind of thing it governs.
            t.check(
                sql: """
                    (role = 'administrator' AND organisationId IS NULL AND practiceId IS NULL AND gpId IS NULL)
                    OR (role IN ('liaison-officer', 'mentor') AND organisationId IS NOT NULL
                        AND practiceId IS NULL AND gpId IS NULL)
                    OR (role = 'practice-manager' AND practiceId IS NOT NULL
                        AND organisationId IS NULL AND gpId IS NULL)
                    OR (role = 'gp' AND gpId IS NOT NULL AND organisationId IS NULL AND practiceId IS NULL)
                    """)
        }
        try db.execute(
            sql: """
                CREATE UNIQUE INDEX roleGrant_unique ON roleGrant(
                    userId, role, IFNULL(organisationId, 0), IFNULL(practiceId, 0), IFNULL(gpId, 0))
                """)
        // A GP sign-in belongs to one register entry, and an entry to one sign-in.
        try db.execute(sql: "CREATE UNIQUE INDEX roleGrant_gp ON roleGrant(gpId) WHERE gpId IS NOT NULL")

        // Web sessions and API tokens alike: only the digest of the secret is stored.
        try db.create(table: "authSession") { t in
            t.primaryKey("tokenDigest", .text)
            t.belongsTo("user", onDelete: .cascade).notNull()
            t.column("kind", .text).notNull().check { ["web", "api"].contains($0) }
            t.column("csrfToken", .text).notNull()
            t.column("createdAt", .datetime).notNull()
            t.column("lastSeenAt", .datetime).notNull()
        }
        try db.create(table: "signInFailure") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("email", .text).notNull().collate(.nocase).indexed()
            t.column("address", .text).notNull().indexed()
            t.column("at", .datetime).notNull()
        }
        try db.create(table: "auditEvent") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("at", .datetime).notNull()
            // No foreign key: the trail must outlive what it speaks of.
            t.column("userId", .integer)
            t.column("actor", .text).notNull()
            t.column("entity", .text).notNull()
            t.column("entityId", .text)
            t.column("action", .text).notNull()
            t.column("detail", .text)
        }
        try db.execute(
            sql: """
                CREATE TRIGGER auditEvent_no_update BEFORE UPDATE ON auditEvent
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER auditEvent_no_delete BEFORE DELETE ON auditEvent
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
    }
}
