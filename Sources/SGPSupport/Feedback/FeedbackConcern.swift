import Foundation
import GRDB

/// A card taken to the next stage: handled by the organisation's mentor, seen by its liaison officer.
public struct FeedbackConcern: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Severity: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case minor, significant, serious
    }

    public enum Outcome: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
        case resolved
        case supportOffered = "support-offered"
        case referredOn = "referred-on"

        public var title: String {
            switch self {
            case .resolved: "Resolved"
            case .supportOffered: "Support offered"
            case .referredOn: "Referred on"
            }
        }
    }

    public var id: Int64?
    public var cardId: Int64
    public var organisationId: Int64
    public var severity: Severity
    public var details: String?
    public var raisedAt: Date
    public var raisedById: Int64?
    public var contactMadeOn: Day?
    public var response: String?
    public var outcome: Outcome?
    public var outcomeOn: Day?
    public var handledById: Int64?
    public var closedAt: Date?

    public var isOpen: Bool { closedAt == nil }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Raising a card as a concern: decoded straight from API bodies.
public struct ConcernInput: Sendable, Decodable {
    public var severity: String?
    public var details: String?

    public init(severity: String?, details: String?) {
        self.severity = severity
        self.details = details
    }

    func validate(into errors: inout ValidationErrors) {
        if FeedbackConcern.Severity(rawValue: severity ?? "") == nil {
            errors.add("severity", "Choose how serious the concern is: minor, significant or serious")
        }
        if let details, details.count > AppDatabase.feedbackTextLimit {
            errors.add("details", "Keep the details under \(AppDatabase.feedbackTextLimit) characters")
        }
    }
}

/// What the mentor records as they handle a concern; absent fields are left as they are.
public struct ConcernHandlingInput: Sendable, Decodable {
    public var contactMadeOn: String?
    public var response: String?
    public var outcome: String?
    public var outcomeOn: String?

    public init(contactMadeOn: String?, response: String?, outcome: String?, outcomeOn: String?) {
        self.contactMadeOn = contactMadeOn
        self.response = response
        self.outcome = outcome
        self.outcomeOn = outcomeOn
    }
}

/// A concern with the names a list shows.
public struct ConcernListing: Sendable {
    public var concern: FeedbackConcern
    public var card: FeedbackCard
    public var gpName: String
    public var practiceName: String
}

extension AppDatabase {
    /// The author raises a submitted card as a concern; the support team is emailed (no content, a link).
    public func raiseFeedbackConcern(cardId: Int64, _ input: ConcernInput, by principal: Principal, links: Links) async throws
        -> Outcome<FeedbackConcern>
    {
        var errors = ValidationErrors()
        input.validate(into: &errors)
        let now = clock.now()
        return try await write { [errors] db in
            guard let card = try FeedbackCard.fetchOne(db, id: cardId) else {
                throw DomainError.notFound("No feedback card has that id")
            }
            guard card.isAuthor(principal) else {
                throw DomainError.forbidden("Only the card's author can raise it as a concern")
            }
            try errors.throwIfAny()  // after who asks is settled
            guard card.status == .submitted else {
                throw DomainError.conflict("Submit the card first, then raise it as a concern")
            }
            let mail = try Self.raiseConcern(db, card: card, input, actor: principal.actor, now: now, links: links)
            let concern = try FeedbackConcern.fetchOne(
                db, sql: "SELECT * FROM feedbackConcern WHERE cardId = ?", arguments: [cardId])!
            return Outcome(value: concern, notifications: mail)
        }
    }

    static func raiseConcern(
        _ db: Database, card: FeedbackCard, _ input: ConcernInput, actor: Actor, now: Date, links: Links
    ) throws -> [MailMessage] {
        let exists =
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM feedbackConcern WHERE cardId = ?)", arguments: [card.id])
            ?? false
        if exists { throw DomainError.conflict("This card has already been raised as a concern") }
        guard let gp = try GP.fetchOne(db, id: card.gpId), let practice = try Practice.fetchOne(db, id: card.practiceId) else {
            throw DomainError.notFound("The card's GP or practice has gone")
        }
        let organisationId = card.direction == .practiceAboutGP ? gp.organisationId : practice.organisationId
        var concern = FeedbackConcern(
            id: nil, cardId: card.id!, organisationId: organisationId,
            severity: FeedbackConcern.Severity(rawValue: input.severity!)!,
            details: trimmed(input.details), raisedAt: now, raisedById: actor.userId)
        try concern.insert(db)
        try AuditEvent.record(
            db, at: now, actor: actor, entity: "feedbackCard",
            entityId: card.id, action: "raise-concern", detail: concern.severity.rawValue)
        // The GP's own mentor, and the organisation's mentors and liaison officers.
        let recipients = try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT u.email FROM user u JOIN roleGrant g ON g.userId = u.id
                WHERE u.disabledAt IS NULL AND (
                    (g.role IN ('mentor', 'liaison-officer') AND g.organisationId = ?)
                    OR (g.role = 'mentor' AND u.id = ?))
                ORDER BY u.email
                """,
            arguments: [organisationId, gp.mentorId])
        let subject = "\(concern.severity.rawValue.capitalized) concern raised on a feedback card"
        let text = """
            A \(concern.severity.rawValue) concern has been raised on a feedback card \
            (\(card.direction == .practiceAboutGP ? "\(practice.name) about \(gp.name)" : "a GP about \(practice.name)")).

            Open it in sgpst to read it and record the contact made, the response and the outcome:
            \(links.url("/feedback/cards/\(card.id!)"))
            """
        return recipients.map { MailMessage(to: $0, subject: subject, text: text) }
    }

    /// The mentor records contact made, the response and the outcome; an outcome closes the concern.
    public func handleFeedbackConcern(id: Int64, _ input: ConcernHandlingInput, by principal: Principal) async throws
        -> FeedbackConcern
    {
        let now = clock.now()
        return try await write { db in
            guard var concern = try FeedbackConcern.fetchOne(db, id: id) else {
                throw DomainError.notFound("No concern has that id")
            }
            guard try FeedbackAccess.mayHandle(db, principal, concern) else {
                throw DomainError.forbidden("Only the organisation's mentor records how a concern was handled")
            }
            var errors = ValidationErrors()
            if let raw = input.contactMadeOn {
                concern.contactMadeOn = Self.optionalDay(raw, field: "contactMadeOn", into: &errors)
            }
            if let response = input.response {
                if response.count > Self.feedbackTextLimit {
                    errors.add("response", "Keep the response under \(Self.feedbackTextLimit) characters")
                }
                concern.response = Self.trimmed(response)
            }
            if let raw = input.outcome {
                if raw.isEmpty {
                    concern.outcome = nil
                } else if let outcome = FeedbackConcern.Outcome(rawValue: raw) {
                    concern.outcome = outcome
                } else {
                    errors.add("outcome", "Choose the outcome: resolved, support-offered or referred-on")
                }
            }
            if let raw = input.outcomeOn {
                concern.outcomeOn = Self.optionalDay(raw, field: "outcomeOn", into: &errors)
            }
            if concern.outcome != nil, concern.contactMadeOn == nil {
                errors.add("contactMadeOn", "Record when contact was made before closing the concern")
            }
            if let contact = concern.contactMadeOn, contact > Day(now) {
                errors.add("contactMadeOn", "The contact date cannot be in the future")
            }
            try errors.throwIfAny()
            if concern.outcome != nil {
                concern.outcomeOn = concern.outcomeOn ?? Day(now)
                concern.closedAt = concern.closedAt ?? now
            } else {
                concern.outcomeOn = nil
                concern.closedAt = nil
            }
            concern.handledById = principal.recordedUserId
            try concern.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "feedbackConcern", entityId: id,
                action: concern.isOpen ? "record-contact" : "close", detail: concern.outcome?.rawValue)
            return concern
        }
    }

    /// Whether this person records how the concern was handled (for showing the form).
    public func mayHandleFeedbackConcern(_ concern: FeedbackConcern, by principal: Principal) async throws -> Bool {
        try await read { db in try FeedbackAccess.mayHandle(db, principal, concern) }
    }

    /// Concerns the support team may see: those of organisations where this person is mentor or
    /// liaison officer, plus those about GPs they mentor. Open ones first, serious first.
    public func feedbackConcerns(by principal: Principal, includeClosed: Bool = true) async throws -> [ConcernListing] {
        let team = principal.organisationIds(as: .mentor) + principal.organisationIds(as: .liaisonOfficer)
        guard !team.isEmpty || principal.holds(.mentor) else { return [] }
        return try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, g.name AS gpName, p.name AS practiceName FROM feedbackConcern c
                    JOIN feedbackCard f ON f.id = c.cardId JOIN gp g ON g.id = f.gpId JOIN practice p ON p.id = f.practiceId
                    WHERE (c.organisationId IN (SELECT value FROM json_each(?)) OR (g.mentorId = ? AND ?))
                      AND (? OR c.closedAt IS NULL)
                    ORDER BY c.closedAt IS NOT NULL, CASE c.severity WHEN 'serious' THEN 0 WHEN 'significant' THEN 1 ELSE 2 END,
                             c.raisedAt DESC
                    LIMIT 500
                    """,
                arguments: [
                    String(describing: team), principal.userId, principal.holds(.mentor), includeClosed,
                ])
            return try rows.map { row in
                let concern = try FeedbackConcern(row: row)
                return ConcernListing(
                    concern: concern, card: try FeedbackCard.fetchOne(db, id: concern.cardId)!, gpName: row["gpName"],
                    practiceName: row["practiceName"])
            }
        }
    }
}
