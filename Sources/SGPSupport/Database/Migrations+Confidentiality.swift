import GRDB

extension AppDatabase {
    /// v10: who may see what, decided once (issue 19). Each part says which finding it serves.
    static func confidentialitySchema(_ db: Database) throws {
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
    }
}
