import GRDB

extension AppDatabase {
    /// Every schema change, in order, under a name that never changes once released.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation", migrate: foundationSchema)
        migrator.registerMigration("v2-register", migrate: registerSchema)
        migrator.registerMigration("v3-clearing-house", migrate: clearingHouseSchema)
        migrator.registerMigration("v4-feedback", migrate: feedbackSchema)
        migrator.registerMigration("v5-mailshot", migrate: mailshotSchema)
        migrator.registerMigration("v6-evidence", migrate: evidenceSchema)
        migrator.registerMigration("v7-support", migrate: supportSchema)
        migrator.registerMigration("v8-clearing-run", migrate: clearingRunSchema)
        migrator.registerMigration("v9-second-factor", migrate: secondFactorSchema)
        migrator.registerMigration("v10-confidentiality", migrate: confidentialitySchema)
        migrator.registerMigration("v11-professions", migrate: professionsSchema)
        migrator.registerMigration("v12-payments-and-feedback-rounds") { db in
            try paymentsSchema(db)
            try feedbackRoundsSchema(db)
        }
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
            try RegisterDefaults.installAsOfV2(db, organisationId: organisationId)
        }
    }

    private static func clearingHouseSchema(_ db: Database) throws {
        // A session a practice needs covered. Times are minutes after midnight, UK time.
        try db.create(table: "clinicalSession") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("practice", onDelete: .restrict).notNull()
            t.column("date", .text).notNull()
            t.column("startMinute", .integer).notNull()
            t.column("endMinute", .integer).notNull()
            t.check(sql: "startMinute >= 0 AND endMinute <= 1440 AND endMinute > startMinute")
            t.column("kind", .text).notNull()
            t.column("requiredSkills", .text).notNull().defaults(to: "[]")
            // 0 only for arrangements reported afterwards, whose rate the scheme does not know.
            t.column("ratePence", .integer).notNull()
            t.column("rateUnit", .text).notNull().check { ["session", "hour"].contains($0) }
            t.column("notes", .text)
            t.column("status", .text).notNull()
                .check { ["open", "booked", "completed", "cancelled", "withdrawn"].contains($0) }
            t.column("source", .text).notNull().defaults(to: "scheme").check { ["scheme", "reported"].contains($0) }
            t.check(sql: "ratePence > 0 OR (source = 'reported' AND ratePence = 0)")
            t.column("seriesId", .text)
            t.column("postedAt", .datetime).notNull()
            t.column("postedById", .integer)
            t.column("bookedAt", .datetime)
            t.column("cancelledAt", .datetime)
            t.column("cancelledById", .integer)
            t.column("cancelledByRole", .text)
            t.column("cancelReason", .text)
        }
        try db.create(index: "clinicalSession_date", on: "clinicalSession", columns: ["date", "status"])
        try db.create(index: "clinicalSession_practice", on: "clinicalSession", columns: ["practiceId", "date"])

        try db.create(table: "booking") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("session", inTable: "clinicalSession", onDelete: .restrict).notNull()
            t.belongsTo("gp", onDelete: .restrict).notNull()
            t.column("status", .text).notNull().check { ["confirmed", "completed", "cancelled"].contains($0) }
            // Copied from the session so that overlap is one indexed query and one trigger.
            t.column("date", .text).notNull()
            t.column("startMinute", .integer).notNull()
            t.column("endMinute", .integer).notNull()
            // Both organisations, so reports can count GPs lent and borrowed.
            t.column("gpOrganisationId", .integer).notNull()
            t.column("practiceOrganisationId", .integer).notNull()
            t.column("createdAt", .datetime).notNull()
            t.column("completedAt", .datetime)
            t.column("cancelledAt", .datetime)
            t.column("cancelledById", .integer)
            t.column("cancelledByRole", .text)
            t.column("cancelReason", .text)
        }
        // A session is booked at most once: the database refuses a second live booking.
        try db.execute(
            sql: "CREATE UNIQUE INDEX booking_one_per_session ON booking(sessionId) WHERE status IN ('confirmed', 'completed')")
        try db.create(index: "booking_gp_date", on: "booking", columns: ["gpId", "date"])
        // A GP never holds two overlapping bookings: refused by the database whatever the caller did.
        try db.execute(
            sql: """
                CREATE TRIGGER booking_no_overlap_insert BEFORE INSERT ON booking
                WHEN NEW.status IN ('confirmed', 'completed') AND EXISTS (
                    SELECT 1 FROM booking b WHERE b.gpId = NEW.gpId AND b.date = NEW.date
                      AND b.status IN ('confirmed', 'completed')
                      AND b.startMinute < NEW.endMinute AND NEW.startMinute < b.endMinute)
                BEGIN SELECT RAISE(ABORT, 'overlapping booking'); END;
                """)

        try db.create(table: "application") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("session", inTable: "clinicalSession", onDelete: .cascade).notNull()
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("status", .text).notNull().check { ["pending", "accepted", "declined", "withdrawn"].contains($0) }
            t.column("createdAt", .datetime).notNull()
            t.column("decidedAt", .datetime)
            t.uniqueKey(["sessionId", "gpId"])
        }
        try db.create(table: "offer") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("session", inTable: "clinicalSession", onDelete: .cascade).notNull()
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("status", .text).notNull().check { ["pending", "accepted", "declined", "withdrawn"].contains($0) }
            t.column("createdAt", .datetime).notNull()
            t.column("createdById", .integer)
            t.column("expiresAt", .datetime).notNull()
            t.column("decidedAt", .datetime)
        }
        try db.create(table: "availabilityWeekly") { t in
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("weekday", .integer).notNull().check { $0 >= 1 && $0 <= 7 }
            t.column("dayPart", .text).notNull()
            t.primaryKey(["gpId", "weekday", "dayPart"])
        }
        try db.create(table: "availabilityDate") { t in
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("date", .text).notNull()
            t.column("dayPart", .text).notNull()
            t.column("available", .boolean).notNull()
            t.primaryKey(["gpId", "date", "dayPart"])
        }
        try db.create(table: "sharingAgreement") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.belongsTo("partnerOrganisation", inTable: "organisation", onDelete: .cascade).notNull()
            t.column("status", .text).notNull().check { ["proposed", "active", "ended"].contains($0) }
            t.column("proposedAt", .datetime).notNull()
            t.column("acceptedAt", .datetime)
            t.column("endedAt", .datetime)
        }
        // An organisation's own times for morning, afternoon and evening (defaults when absent).
        try db.create(table: "organisationDayPart") { t in
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.column("dayPart", .text).notNull().check { ["morning", "afternoon", "evening"].contains($0) }
            t.column("startMinute", .integer).notNull()
            t.column("endMinute", .integer).notNull()
            t.check(sql: "startMinute >= 0 AND endMinute <= 1440 AND endMinute > startMinute")
            t.primaryKey(["organisationId", "dayPart"])
        }
        // Secret calendar feed addresses; the token is the capability, shown again on request.
        try db.create(table: "calendarFeed") { t in
            t.column("ownerKind", .text).notNull().check { ["gp", "practice"].contains($0) }
            t.column("ownerId", .integer).notNull()
            t.column("token", .text).notNull().unique()
            t.primaryKey(["ownerKind", "ownerId"])
        }
    }

    private static func feedbackSchema(_ db: Database) throws {
        let directions = ["practice-about-gp", "gp-about-practice"]
        // An organisation's own wording of a card; absent, the built-in default applies.
        try db.create(table: "feedbackTemplate") { t in
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.column("direction", .text).notNull().check { directions.contains($0) }
            t.column("boxes", .text).notNull()
            t.column("updatedAt", .datetime).notNull()
            t.column("updatedById", .integer)
            t.primaryKey(["organisationId", "direction"])
        }
        // A card keeps its own copy of the boxes it was issued with: editing a template changes no card.
        try db.create(table: "feedbackCard") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("direction", .text).notNull().check { directions.contains($0) }
            t.belongsTo("booking", onDelete: .restrict).notNull()
            t.belongsTo("gp", onDelete: .restrict).notNull()
            t.belongsTo("practice", onDelete: .restrict).notNull()
            t.column("status", .text).notNull().check { ["issued", "draft", "submitted"].contains($0) }
            t.column("boxes", .text).notNull()
            t.column("answers", .text).notNull()
            t.column("comment", .text)
            t.column("discussFurther", .boolean).notNull().defaults(to: false)
            t.column("anonymous", .boolean).notNull().defaults(to: false)
            t.column("issuedAt", .datetime).notNull()
            t.column("respondBy", .datetime).notNull()
            t.column("remindersSent", .integer).notNull().defaults(to: 0)
            t.column("lastRemindedAt", .datetime)
            t.column("draftSavedAt", .datetime)
            t.column("submittedAt", .datetime)
            t.column("submittedById", .integer)
            t.column("useForAppraisal", .boolean).notNull().defaults(to: false)
            t.column("reflection", .text)
            t.uniqueKey(["bookingId", "direction"])
            t.check(sql: "status <> 'submitted' OR submittedAt IS NOT NULL")
        }
        try db.create(index: "feedbackCard_gp", on: "feedbackCard", columns: ["gpId"])
        try db.create(index: "feedbackCard_practice", on: "feedbackCard", columns: ["practiceId"])
        // A submitted card is final: only the appraisal mark and reflection may change afterwards.
        try db.execute(
            sql: """
                CREATE TRIGGER feedbackCard_final BEFORE UPDATE ON feedbackCard
                WHEN OLD.status = 'submitted' AND (NEW.status <> OLD.status OR NEW.answers <> OLD.answers
                    OR NEW.comment IS NOT OLD.comment OR NEW.discussFurther <> OLD.discussFurther
                    OR NEW.anonymous <> OLD.anonymous OR NEW.boxes <> OLD.boxes)
                BEGIN SELECT RAISE(ABORT, 'a submitted feedback card is final'); END;
                """)
        // Links emailed to the card's author; only digests are kept. Valid until the card is submitted
        // or its respond-by time passes.
        try db.create(table: "feedbackToken") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("card", inTable: "feedbackCard", onDelete: .cascade).notNull()
            t.column("tokenDigest", .text).notNull().unique()
            t.column("createdAt", .datetime).notNull()
            t.column("expiresAt", .datetime).notNull()
        }
        try db.create(table: "feedbackAddendum") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("card", inTable: "feedbackCard", onDelete: .cascade).notNull()
            t.column("text", .text).notNull()
            t.column("createdAt", .datetime).notNull()
            t.column("authorId", .integer)
        }
        try db.execute(
            sql: """
                CREATE TRIGGER feedbackAddendum_append_only BEFORE UPDATE ON feedbackAddendum
                BEGIN SELECT RAISE(ABORT, 'an addendum is never rewritten'); END;
                """)
        try db.create(table: "feedbackConcern") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("card", inTable: "feedbackCard", onDelete: .restrict).notNull().unique()
            // The organisation whose support team handles it: the GP's for a card about a GP, the
            // practice's for a card about a practice.
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("severity", .text).notNull().check { ["minor", "significant", "serious"].contains($0) }
            t.column("details", .text)
            t.column("raisedAt", .datetime).notNull()
            t.column("raisedById", .integer)
            t.column("contactMadeOn", .text)
            t.column("response", .text)
            t.column("outcome", .text).check { ["resolved", "support-offered", "referred-on"].contains($0) }
            t.column("outcomeOn", .text)
            t.column("handledById", .integer)
            t.column("closedAt", .datetime)
            t.check(sql: "(outcome IS NULL) = (closedAt IS NULL)")
        }
    }

    private static func mailshotSchema(_ db: Database) throws {
        try db.create(table: "mailshot") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("week", .text).notNull()
            t.column("status", .text).notNull().check { ["draft", "sending", "sent"].contains($0) }
            t.column("includePracticeManagers", .boolean).notNull().defaults(to: false)
            t.column("createdAt", .datetime).notNull()
            t.column("createdById", .integer)
            t.column("sendStartedAt", .datetime)
            // Held by the process sending it, renewed each batch: a second sender waits, and one
            // that finds the lease run out knows the first stopped and takes over.
            t.column("sendLeaseUntil", .datetime)
            t.column("sentAt", .datetime)
            t.uniqueKey(["organisationId", "week"])
        }
        try db.create(table: "mailshotItem") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("mailshot", onDelete: .cascade).notNull()
            t.column("kind", .text).notNull().check { ["news", "event"].contains($0) }
            t.column("position", .integer).notNull()
            t.column("title", .text).notNull()
            t.column("body", .text)
            t.column("eventDate", .text)
            t.column("place", .text)
            t.column("cpdHours", .double)
            t.column("bookingLink", .text)
        }
        // One row per recipient, written when the send starts: what makes a send resumable and
        // keeps anyone from getting the same mailshot twice.
        try db.create(table: "mailshotDelivery") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("mailshot", onDelete: .cascade).notNull()
            t.column("email", .text).notNull().collate(.nocase)
            t.column("name", .text)
            t.belongsTo("gp", onDelete: .setNull)
            t.belongsTo("user", onDelete: .setNull)
            t.column("status", .text).notNull().check { ["pending", "sending", "sent", "failed"].contains($0) }
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("lastError", .text)
            t.column("sentAt", .datetime)
            t.uniqueKey(["mailshotId", "email"])
        }
        // Unsubscribe links: the digest only; used once, with its time.
        try db.create(table: "unsubscribeToken") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("tokenDigest", .text).notNull().unique()
            t.column("email", .text).notNull().collate(.nocase)
            t.belongsTo("gp", onDelete: .cascade)
            t.column("createdAt", .datetime).notNull()
            t.column("usedAt", .datetime)
        }
        // Practice managers who asked for no more mailshots (GPs' choice is their consent flag).
        try db.create(table: "mailshotOptOut") { t in
            t.primaryKey("email", .text).collate(.nocase)
            t.column("at", .datetime).notNull()
        }
    }

    private static func evidenceSchema(_ db: Database) throws {
        // Locally agreed audits a mentor or liaison officer publishes for GPs to join.
        try db.create(table: "auditTopic") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("title", .text).notNull()
            t.column("criteria", .text).notNull()
            t.column("closesOn", .text)
            t.column("publishedAt", .datetime).notNull()
            t.column("publishedById", .integer)
        }
        try db.create(table: "evidenceEntry") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("kind", .text).notNull().check {
                [
                    "referral-audit", "satisfaction-survey", "learning-need", "prescribing-review", "significant-event",
                    "practice-audit", "admission-feedback", "cpd", "feedback-reflection", "other",
                ].contains($0)
            }
            t.column("status", .text).notNull().check { ["draft", "complete"].contains($0) }
            t.column("title", .text).notNull()
            t.column("date", .text).notNull()
            t.column("details", .text).notNull()
            t.belongsTo("practice", onDelete: .setNull)
            t.belongsTo("booking", onDelete: .setNull)
            t.belongsTo("feedbackCard", onDelete: .setNull)
            t.belongsTo("auditTopic", onDelete: .setNull)
            t.column("tags", .text).notNull().defaults(to: "[]")
            t.column("followUpOn", .text)
            t.column("followUpRemindedAt", .datetime)
            t.column("sharedWithMentor", .boolean).notNull().defaults(to: false)
            // The practice that sent an admission feedback: it sees what it sent, nothing else.
            t.column("sentByPracticeId", .integer).references("practice", onDelete: .setNull)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime)
        }
        try db.create(index: "evidenceEntry_gp_date", on: "evidenceEntry", columns: ["gpId", "date"])
        // One reflection entry per feedback card: marking a card for appraisal and logging a
        // reflection on it are the same act.
        try db.execute(
            sql: """
                CREATE UNIQUE INDEX evidenceEntry_card_reflection ON evidenceEntry(feedbackCardId)
                WHERE kind = 'feedback-reflection'
                """)
        try db.alter(table: "organisation") { t in
            t.add(column: "cpdTargetHours", .double).notNull().defaults(to: 50)
        }
    }

    private static func supportSchema(_ db: Database) throws {
        // A new organisation-scoped role (educational supervisor) needs the role check widened;
        // SQLite cannot alter a CHECK, so the table is rebuilt (nothing references it).
        try db.execute(
            sql: """
                CREATE TABLE roleGrant_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    organisationId INTEGER REFERENCES organisation(id) ON DELETE CASCADE,
                    practiceId INTEGER REFERENCES practice(id) ON DELETE CASCADE,
                    gpId INTEGER REFERENCES gp(id) ON DELETE CASCADE,
                    CHECK ((role = 'administrator' AND organisationId IS NULL AND practiceId IS NULL AND gpId IS NULL)
                        OR (role IN ('liaison-officer', 'mentor', 'educational-supervisor') AND organisationId IS NOT NULL
                            AND practiceId IS NULL AND gpId IS NULL)
                        OR (role = 'practice-manager' AND practiceId IS NOT NULL AND organisationId IS NULL AND gpId IS NULL)
                        OR (role = 'gp' AND gpId IS NOT NULL AND organisationId IS NULL AND practiceId IS NULL)));
                INSERT INTO roleGrant_new (id, userId, role, organisationId, practiceId, gpId)
                    SELECT id, userId, role, organisationId, practiceId, gpId FROM roleGrant;
                DROP TABLE roleGrant;
                ALTER TABLE roleGrant_new RENAME TO roleGrant;
                CREATE INDEX roleGrant_on_userId ON roleGrant(userId);
                CREATE INDEX roleGrant_on_organisationId ON roleGrant(organisationId);
                CREATE INDEX roleGrant_on_practiceId ON roleGrant(practiceId);
                CREATE UNIQUE INDEX roleGrant_unique ON roleGrant(
                    userId, role, IFNULL(organisationId, 0), IFNULL(practiceId, 0), IFNULL(gpId, 0));
                CREATE UNIQUE INDEX roleGrant_gp ON roleGrant(gpId) WHERE gpId IS NOT NULL;
                """)
        // The mentor's confidential record of support for one GP.
        try db.create(table: "supportCase") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .restrict).notNull()
            t.belongsTo("organisation", onDelete: .restrict).notNull()
            t.column("mentorId", .integer).notNull().references("user", onDelete: .restrict)
            t.column("routeIn", .text).notNull().check {
                ["self-referral", "feedback-concern", "complaint", "performance-referral", "return-to-work"].contains($0)
            }
            t.column("openedOn", .text).notNull()
            t.column("toldOn", .text).notNull()
            t.column("toldBy", .text).notNull()
            t.column("signposts", .text).notNull().defaults(to: "[]")
            // The one thing the liaison officer sees: a condition on the GP's work while the case is open.
            t.column("workRestriction", .text)
            t.column("outcome", .text).check {
                ["resolved", "support-completed", "referred-on", "left-scheme"].contains($0)
            }
            t.column("closedOn", .text)
            t.column("feedbackConcernId", .integer).unique().references("feedbackConcern", onDelete: .setNull)
            t.column("createdAt", .datetime).notNull()
            t.column("updatedAt", .datetime)
            t.check(sql: "(outcome IS NULL) = (closedOn IS NULL)")
        }
        try db.create(index: "supportCase_gp", on: "supportCase", columns: ["gpId"])
        try db.create(table: "supportMeeting") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("case", inTable: "supportCase", onDelete: .cascade).notNull()
            t.column("date", .text).notNull()
            t.column("notes", .text).notNull()
            t.column("createdById", .integer)
            t.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "developmentPlan") { t in
            t.primaryKey("caseId", .integer).references("supportCase", onDelete: .cascade)
            t.column("objectives", .text).notNull()
            t.column("activities", .text)
            t.column("supervisorId", .integer).references("user", onDelete: .setNull)
            t.column("reviewDates", .text).notNull().defaults(to: "[]")
            t.column("completedOn", .text)
            t.column("updatedAt", .datetime).notNull()
        }
        // Reports for the referring body: each version kept as written.
        try db.create(table: "progressReport") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("case", inTable: "supportCase", onDelete: .cascade).notNull()
            t.column("version", .integer).notNull()
            t.column("referringBody", .text).notNull()
            t.column("body", .text).notNull()
            t.column("writtenById", .integer)
            t.column("writtenAt", .datetime).notNull()
            t.uniqueKey(["caseId", "version"])
        }
        try db.execute(
            sql: """
                CREATE TRIGGER progressReport_append_only BEFORE UPDATE ON progressReport
                BEGIN SELECT RAISE(ABORT, 'a progress report is never rewritten: write a new version'); END;
                """)
        try db.create(table: "pastoralContact") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("mentorId", .integer).notNull()
            t.column("date", .text).notNull()
            t.column("topic", .text).notNull()
            t.column("signpostedTo", .text)
            t.column("createdAt", .datetime).notNull()
        }
    }

    private static func clearingRunSchema(_ db: Database) throws {
        // The liaison officer's weekly clearing run: what was proposed, and what was pinned or removed.
        try db.create(table: "clearingRun") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("organisation", onDelete: .cascade).notNull()
            t.column("week", .text).notNull()
            t.column("status", .text).notNull().defaults(to: "proposed").check { ["proposed", "sent"].contains($0) }
            t.column("createdAt", .datetime).notNull()
            t.column("createdById", .integer).references("user", onDelete: .setNull)
            t.column("solvedAt", .datetime).notNull()
            t.column("sessionCount", .integer).notNull()
            t.column("filled", .integer).notNull()
            t.column("objective", .double).notNull()
            t.column("optimal", .boolean).notNull()
            t.column("pins", .text).notNull().defaults(to: "[]")
            t.column("exclusions", .text).notNull().defaults(to: "[]")
            t.column("unfilled", .text).notNull().defaults(to: "[]")
            t.column("sentAt", .datetime)
            t.column("sentById", .integer).references("user", onDelete: .setNull)
        }
        try db.create(index: "clearingRun_organisation", on: "clearingRun", columns: ["organisationId", "createdAt"])
        try db.create(table: "clearingProposal") { t in
            t.autoIncrementedPrimaryKey("id")
            t.belongsTo("run", inTable: "clearingRun", onDelete: .cascade).notNull()
            t.belongsTo("session", inTable: "clinicalSession", onDelete: .cascade).notNull()
            t.belongsTo("gp", onDelete: .cascade).notNull()
            t.column("score", .double).notNull()
            t.column("reasons", .text).notNull().defaults(to: "[]")
            t.column("pinned", .boolean).notNull().defaults(to: false)
            t.column("offerId", .integer).references("offer", onDelete: .setNull)
            t.uniqueKey(["runId", "sessionId"])
        }
        try db.create(index: "clearingProposal_gp", on: "clearingProposal", columns: ["gpId"])
    }

    private static func secondFactorSchema(_ db: Database) throws {
        // Authenticator apps (TOTP) for the sign-ins that see confidential records.
        try db.create(table: "secondFactor") { t in
            t.primaryKey("userId", .integer).references("user", onDelete: .cascade)
            t.column("secret", .text).notNull()
            t.column("confirmedAt", .datetime)
            t.column("lastUsedStep", .integer).notNull().defaults(to: 0)
        }
        // A password accepted, the code still to come (minutes only).
        try db.create(table: "signInChallenge") { t in
            t.primaryKey("tokenDigest", .text)
            t.belongsTo("user", onDelete: .cascade).notNull()
            t.column("createdAt", .datetime).notNull()
        }
    }
}
