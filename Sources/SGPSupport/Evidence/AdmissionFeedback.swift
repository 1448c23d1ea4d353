import Foundation
import GRDB

/// What a practice sends a GP about a hospital admission from one of their sessions; decoded
/// straight from API bodies.
public struct AdmissionFeedbackInput: Sendable, Decodable {
    public var gpId: Int64?
    public var bookingId: Int64?
    public var admittedOn: String?
    public var feedback: String?

    public init(gpId: Int64?, bookingId: Int64?, admittedOn: String?, feedback: String?) {
        self.gpId = gpId
        self.bookingId = bookingId
        self.admittedOn = admittedOn
        self.feedback = feedback
    }
}

/// A GP who worked at a practice, as its admission-feedback form offers them.
public struct PracticeColleague: Sendable {
    public var gpId: Int64
    public var name: String
    public var lastWorkedOn: Day
}

extension AppDatabase {
    /// GPs booked at the practice (recent first): the ones it may send admission feedback to.
    public func practiceColleagues(practiceId: Int64, by principal: Principal) async throws -> [PracticeColleague] {
        guard principal.practiceIds.contains(practiceId) else {
            throw DomainError.forbidden("Only the practice's own managers can send its feedback")
        }
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT g.id, g.name, MAX(b.date) AS lastWorkedOn FROM booking b
                    JOIN clinicalSession s ON s.id = b.sessionId JOIN gp g ON g.id = b.gpId
                    WHERE s.practiceId = ? AND b.status IN ('confirmed', 'completed')
                    GROUP BY g.id ORDER BY lastWorkedOn DESC LIMIT 200
                    """, arguments: [practiceId]
            )
            .map { PracticeColleague(gpId: $0["id"], name: $0["name"], lastWorkedOn: $0["lastWorkedOn"]) }
        }
    }

    /// The practice sends feedback on an admission; it lands in the GP's log as a draft they complete,
    /// and the GP is emailed a link. Refused when it holds an NHS-number-shaped string.
    public func sendAdmissionFeedback(
        practiceId: Int64, _ input: AdmissionFeedbackInput, by principal: Principal, links: Links
    ) async throws -> Outcome<EvidenceEntry> {
        guard principal.practiceIds.contains(practiceId) else {
            throw DomainError.forbidden("Only the practice's own managers can send its feedback")
        }
        var errors = ValidationErrors()
        let feedback = input.feedback?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if feedback.isEmpty || feedback.count > Self.evidenceTextLimit {
            errors.add("feedback", "Write the feedback on the admission (up to \(Self.evidenceTextLimit) characters)")
        } else if Validators.containsNHSNumber(feedback) {
            errors.add("feedback", Self.patientIdentifierMessage)
        }
        let admittedOn = Self.optionalDay(
            input.admittedOn, field: "admittedOn", message: "Give the date of admission as YYYY-MM-DD, or leave it empty",
            into: &errors)
        if input.gpId == nil { errors.add("gpId", "Choose the GP who saw the patient") }
        try errors.throwIfAny()
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            guard let gpId = input.gpId, let gp = try GP.fetchOne(db, id: gpId),
                let practice = try Practice.fetchOne(db, id: practiceId)
            else { throw DomainError.notFound("No GP has that id") }
            var bookingSQL = """
                SELECT b.id FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                WHERE b.gpId = ? AND s.practiceId = ? AND b.status IN ('confirmed', 'completed')
                """
            var arguments: StatementArguments = [gpId, practiceId]
            if let bookingId = input.bookingId {
                bookingSQL += " AND b.id = ?"
                _ = arguments.append(contentsOf: [bookingId])
            }
            guard let bookingId = try Int64.fetchOne(db, sql: bookingSQL + " ORDER BY b.date DESC LIMIT 1", arguments: arguments)
            else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "gpId", message: "Send admission feedback only to a GP who worked a session here"))
            }
            var details: [String: DetailValue] = ["feedback": .text(feedback)]
            details["admittedOn"] = admittedOn.map { .text($0.description) }
            var entry = EvidenceEntry(
                id: nil, gpId: gpId, kind: .admissionFeedback, status: .draft,
                title: "Admission feedback from \(practice.name)", date: admittedOn ?? today, details: details,
                practiceId: practiceId, bookingId: bookingId, feedbackCardId: nil, auditTopicId: nil, tags: [],
                followUpOn: nil, followUpRemindedAt: nil, sharedWithMentor: false, sentByPracticeId: practiceId,
                createdAt: now, updatedAt: nil)
            try entry.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "evidenceEntry", entityId: entry.id, action: "admission-feedback")
            let mail = gp.email.map {
                MailMessage(
                    to: $0, toName: gp.name, subject: "Feedback on a hospital admission from \(practice.name)",
                    text: """
                        Dear \(gp.name),

                        \(practice.name) has sent you feedback on a hospital admission from one of your sessions. It is in \
                        your evidence log as a draft: read it, add what you take from it, and it can go in your appraisal \
                        portfolio.

                        \(links.url("/evidence/\(entry.id!)"))

                        Sessional GP Support
                        """)
            }
            return Outcome(value: entry, notifications: mail.map { [$0] } ?? [])
        }
    }

    /// Emails each GP whose follow-up date has come, once per date.
    public func sendEvidenceFollowUpReminders(links: Links) async throws -> Outcome<Int> {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            let due = try EvidenceEntry.fetchAll(
                db, sql: "SELECT * FROM evidenceEntry WHERE followUpOn <= ? AND followUpRemindedAt IS NULL", arguments: [today])
            var mail: [MailMessage] = []
            for var entry in due {
                entry.followUpRemindedAt = now
                try entry.update(db, columns: ["followUpRemindedAt"])
                guard let gp = try GP.fetchOne(db, id: entry.gpId), let email = gp.email else { continue }
                mail.append(
                    MailMessage(
                        to: email, toName: gp.name, subject: "Follow-up due: \(entry.title)",
                        text: """
                            Dear \(gp.name),

                            You asked to be reminded to follow up “\(entry.title)” on \(entry.followUpOn!.displayText).

                            \(links.url("/evidence/\(entry.id!)"))

                            Sessional GP Support
                            """))
            }
            return Outcome(value: due.count, notifications: mail)
        }
    }
}
