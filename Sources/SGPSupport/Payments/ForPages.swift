import Foundation
import GRDB

// Two small additions the payment pages needed (written by the pages' session for the lead to review).

extension AppDatabase {
    /// The GP signed in, for the pages about their own pay (their terms and pay details, Form B):
    /// anyone else has none of these, and is refused (403, as the page exists but is not theirs).
    public func ownGPId(by principal: Principal) throws -> Int64 {
        guard let gpId = principal.gpId else {
            throw DomainError.forbidden("Only a GP has terms, pay details and pension forms")
        }
        return gpId
    }

    /// An administrator gives one of a practice's own people the right to sign its locums' Form As,
    /// or takes it away. The practice managers there when v12 ran were given it by the migration;
    /// anyone added since (the demo's people among them) is given it here.
    public func setLocumApprover(userId: Int64, practiceId: Int64, approves: Bool, by principal: Principal) async throws {
        guard principal.isAdministrator else {
            throw DomainError.forbidden("Only an administrator gives the right to sign Form A")
        }
        let now = clock.now()
        try await write { db in
            let worksThere =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM roleGrant WHERE userId = ? AND practiceId = ?)",
                    arguments: [userId, practiceId]) ?? false
            guard worksThere else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "userId", message: "Only someone who works for the practice can sign its Form As"))
            }
            if approves {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO locumApprover (userId, practiceId) VALUES (?, ?)", arguments: [userId, practiceId])
            } else {
                try db.execute(
                    sql: "DELETE FROM locumApprover WHERE userId = ? AND practiceId = ?", arguments: [userId, practiceId])
            }
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "practice", entityId: practiceId,
                action: approves ? "grant-locum-approver" : "revoke-locum-approver", detail: "user \(userId)")
        }
    }
}
