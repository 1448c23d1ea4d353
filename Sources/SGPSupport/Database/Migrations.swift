import GRDB

extension AppDatabase {
    /// Every schema change, in order, under a name that never changes once released.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation", migrate: foundationSchema)
        migrator.registerMigration("v2-register", migrate: registerSchema)
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

    private static func registerSchema(_ db: Database) throws {
        try db.alter(table: "gp") { t in
            t.add(column: "mentorId", .integer).references("user", onDelete: .setNull)
            t.add(column: "phone", .text)
            t.add(column: "postcode", .text)
            // JSON lists, checked against the organisation's lists by the register's rules.
            t.add(column: "localities", .text).notNull().defaults(to: "[]")
            t.add(column: "skills", .text).notNull().defaults(to: "[]")
            t.add(column: "maxSessionsPerWeek", .integer)
            t.add(column: "usualRatePence", .integer)
            t.add(column: "appraisalMonth", .integer)
            t.add(column: "lastAppraisalOn", .text)
            t.add(column: "revalidationDueOn", .text)
            t.add(column: "mailshotConsent", .boolean).notNull().defaults(to: false)
            t.add(column: "mailshotConsentAt", .datetime)
            t.add(column: "applicationNote", .text)
            t.add(column: "declineReason", .text)
            t.add(column: "updatedAt", .datetime)
        }
        try db.create(index: "gp_organisation_status", on: "gp", columns: ["organisationId", "status"])
        try db.create(table: "organisationSkill") { t in
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.column("code", .text).notNull()
            t.column("name", .text).notNull()
            t.primaryKey(["organisationId", "code"])
        }
        try db.create(table: "checkType") { t in
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.column("code", .text).notNull()
            t.column("name", .text).notNull()
            t.column("requiredBeforeWork", .boolean).notNull()
            t.column("position", .integer).notNull()
            t.primaryKey(["organisationId", "code"])
        }
        // History is kept: a re-check adds a row; the newest row of a type is the current one.
        try db.create(table: "credentialCheck") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("type", .text).notNull()
            t.column("status", .text).notNull()
                .check { ["pending", "verified", "failed", "expired"].contains($0) }
            t.column("verifiedById", .integer).references("user", onDelete: .setNull)
            t.column("verifiedOn", .text)
            t.column("expiresOn", .text)
            t.column("note", .text)
            // DBS: certificate number, issue date, level and Update Service only, never the disclosure.
            t.column("dbsCertificateNumber", .text)
            t.column("dbsIssuedOn", .text)
            t.column("dbsLevel", .text)
            t.column("dbsUpdateService", .boolean)
            t.column("recordedAt", .datetime).notNull()
        }
        try db.create(index: "credentialCheck_gp_type", on: "credentialCheck", columns: ["gpId", "type", "id"])
        try db.alter(table: "practice") { t in
            t.add(column: "address", .text)
            t.add(column: "postcode", .text)
            t.add(column: "phone", .text)
            t.add(column: "email", .text)
            t.add(column: "clinicalSystem", .text)
            t.add(column: "updatedAt", .datetime)
        }
        try db.create(table: "practicePack") { t in
            t.primaryKey("practiceId", .integer).references("practice", onDelete: .cascade)
            t.column("arrival", .text).notNull().defaults(to: "")
            t.column("systems", .text).notNull().defaults(to: "")
            t.column("contacts", .text).notNull().defaults(to: "")
            t.column("referrals", .text).notNull().defaults(to: "")
            t.column("protocols", .text).notNull().defaults(to: "")
            t.column("emergencies", .text).notNull().defaults(to: "")
            t.column("updatedAt", .datetime).notNull()
        }
        try db.create(table: "practicePreference") { t in
            t.belongsTo("practice", onDelete: .cascade).notNull()
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("preference", .text).notNull().check { ["preferred", "not-wanted"].contains($0) }
            // Private to the practice and the support team; never shown to the GP or other practices.
            t.column("reason", .text)
            t.column("createdAt", .datetime).notNull()
            t.primaryKey(["practiceId", "gpId"])
        }
        // Single-use links to set a password (new GP sign-ins from approved self-registrations).
        try db.create(table: "passwordSetup") { t in
            t.primaryKey("tokenDigest", .text)
            t.belongsTo("user", onDelete: .cascade).notNull()
            t.column("expiresAt", .datetime).notNull()
            t.column("usedAt", .datetime)
        }
        // Organisations that exist already get the default lists.
        for organisationId in try Int64.fetchAll(db, sql: "SELECT id FROM organisation") {
            try RegisterDefaults.install(db, organisationId: organisationId)
        }
    }
}
