import Foundation
import GRDB

/// One box answered: a rating (nil = not observed) and a comment.
public struct FeedbackAnswer: Codable, Sendable, Equatable {
    public var box: String
    public var rating: Int?
    public var comment: String?

    public init(box: String, rating: Int?, comment: String?) {
        self.box = box
        self.rating = rating
        self.comment = comment
    }
}

/// Feedback after a session, issued each way when a booking completes.
public struct FeedbackCard: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible, CaseIterable {
        case issued, draft, submitted
    }

    public var id: Int64?
    /// The organisation that ran the session (the practice's): its template worded the card.
    public var organisationId: Int64
    public var direction: FeedbackDirection
    public var bookingId: Int64
    public var gpId: Int64
    public var practiceId: Int64
    public var status: Status
    public var boxes: [FeedbackBox]
    public var answers: [FeedbackAnswer]
    public var comment: String?
    public var discussFurther: Bool
    /// A GP writing about a practice may stay anonymous: the practice then sees the card only combined.
    public var anonymous: Bool
    public var issuedAt: Date
    /// When the emailed links stop working.
    public var respondBy: Date
    public var remindersSent: Int
    public var lastRemindedAt: Date?
    public var draftSavedAt: Date?
    public var submittedAt: Date?
    public var submittedById: Int64?
    public var useForAppraisal: Bool
    public var reflection: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public func answer(_ box: String) -> FeedbackAnswer? { answers.first { $0.box == box } }

    /// The signed-in person who fills this card in: the practice's managers, or the GP.
    public func isAuthor(_ principal: Principal) -> Bool {
        switch direction {
        case .practiceAboutGP: principal.practiceIds.contains(practiceId)
        case .gpAboutPractice: principal.gpId == gpId
        }
    }
}

/// A dated note the author adds to a submitted card; the card itself is never rewritten.
public struct FeedbackAddendum: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var cardId: Int64
    public var text: String
    public var createdAt: Date
    public var authorId: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// An emailed link to one card (only its digest is kept).
struct FeedbackToken: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    var id: Int64?
    var cardId: Int64
    var tokenDigest: String
    var createdAt: Date
    var expiresAt: Date
}

/// What the author sends: decoded straight from API bodies, and built from the form.
public struct FeedbackSubmission: Sendable, Decodable {
    public struct Answer: Sendable, Decodable {
        public var box: String?
        public var rating: Int?
        public var comment: String?

        public init(box: String?, rating: Int?, comment: String?) {
            self.box = box
            self.rating = rating
            self.comment = comment
        }
    }

    public var answers: [Answer]?
    public var comment: String?
    public var discussFurther: Bool?
    public var anonymous: Bool?
    /// Raise the card as a concern as it is submitted (the tokenised form has no later chance).
    public var concern: ConcernInput?

    public init(
        answers: [Answer]?, comment: String?, discussFurther: Bool?, anonymous: Bool? = nil, concern: ConcernInput? = nil
    ) {
        self.answers = answers
        self.comment = comment
        self.discussFurther = discussFurther
        self.anonymous = anonymous
        self.concern = concern
    }
}

/// Who is filling a card in: a signed-in person, or the holder of an emailed link.
public enum FeedbackAuthor: Sendable {
    case principal(Principal)
    case token(String)
}

/// A card with what its pages and API show beside it.
public struct FeedbackCardView: Sendable {
    public var card: FeedbackCard
    public var gpName: String
    public var gpPhone: String?
    public var practiceName: String
    public var practicePhone: String?
    public var sessionDate: Day
    public var sessionTime: String
    public var sessionKind: String
    public var concern: FeedbackConcern?
    public var addenda: [FeedbackAddendum]
}

extension AppDatabase {
    /// How long an emailed feedback link works.
    public static let feedbackLinkLifetime: TimeInterval = 28 * 86400
    /// Reminders go this long after the card was issued (or last reminded), at most `feedbackReminderLimit` times.
    public static let feedbackReminderInterval: TimeInterval = 7 * 86400
    public static let feedbackReminderLimit = 2
    static let feedbackTextLimit = 4000

    /// The constructive-feedback reminder every card shows (seed 002).
    public static let constructiveReminder = """
        Feedback should be constructive: say what went well as well as what could be better, describe what \
        happened rather than the person, and suggest what would help next time.
        """

    /// What happens after a card, in plain words, as the form and emails say it.
    public static let nextStageText = """
        If something needs more than a card, tick "we would like to discuss this further", or raise the card as a \
        concern (minor, significant or serious). A concern goes to the organisation's GP mentor and liaison \
        officer, who contact both sides, record what was done and close it.
        """

    // MARK: Issuing

    /// Issues one card each way for a completed booking and emails each author a link. Runs inside the
    /// completing transaction, so a booking is never completed without its cards.
    static func issueFeedbackCards(_ db: Database, booking: Booking, now: Date, links: Links) throws -> [MailMessage] {
        let (session, practice) = try sessionAndPractice(db, booking.sessionId)
        guard let gp = try GP.fetchOne(db, id: booking.gpId) else { return [] }
        var mail: [MailMessage] = []
        for direction in FeedbackDirection.allCases {
            let exists =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM feedbackCard WHERE bookingId = ? AND direction = ?)",
                    arguments: [booking.id, direction.rawValue]) ?? false
            if exists { continue }
            var card = FeedbackCard(
                id: nil, organisationId: practice.organisationId, direction: direction, bookingId: booking.id!, gpId: gp.id!,
                practiceId: practice.id!, status: .issued,
                boxes: try FeedbackTemplate.boxes(db, organisationId: practice.organisationId, direction: direction),
                answers: [], comment: nil, discussFurther: false, anonymous: false, issuedAt: now,
                respondBy: now.addingTimeInterval(feedbackLinkLifetime), remindersSent: 0, lastRemindedAt: nil,
                draftSavedAt: nil, submittedAt: nil, submittedById: nil, useForAppraisal: false, reflection: nil)
            try card.insert(db)
            mail += try feedbackInvitations(db, card: card, gp: gp, practice: practice, session: session, now: now, links: links)
        }
        return mail
    }

    /// A fresh link for the card, emailed to its author (the practice's addresses, or the GP).
    private static func feedbackInvitations(
        _ db: Database, card: FeedbackCard, gp: GP, practice: Practice, session: ClinicalSession, now: Date, links: Links,
        reminder: Bool = false
    ) throws -> [MailMessage] {
        let recipients: [(String, String?)] =
            switch card.direction {
            case .practiceAboutGP: try practiceRecipients(db, practice).map { ($0, nil) }
            case .gpAboutPractice: gp.email.map { [($0, gp.name)] } ?? []
            }
        guard !recipients.isEmpty else { return [] }
        let token = SecretToken.generate()
        var record = FeedbackToken(
            id: nil, cardId: card.id!, tokenDigest: SecretToken.digest(token), createdAt: now, expiresAt: card.respondBy)
        try record.insert(db)
        let about = card.direction == .practiceAboutGP ? gp.name : practice.name
        let subject =
            (reminder ? "Reminder: " : "") + "Feedback card: \(about), \(session.date.displayText)"
        let text = """
            \(reminder ? "A reminder: the" : "The") \(session.kind.title.lowercased()) session \
            \(card.direction == .practiceAboutGP ? "\(gp.name) worked at your practice" : "you worked at \(practice.name)") \
            on \(session.date.displayText), \(session.start)–\(session.end), has a feedback card waiting.

            Fill it in here (no sign-in needed; the link works until \(timeText(card.respondBy)) and closes once the \
            card is submitted):
            \(links.url("/feedback/\(token)"))

            \(constructiveReminder)

            \(nextStageText)
            """
        return recipients.map { MailMessage(to: $0.0, toName: $0.1, subject: subject, text: text) }
    }

    /// Reminds authors of cards still waiting a week on, at most twice; the service runs this regularly.
    public func sendFeedbackReminders(links: Links) async throws -> Outcome<Int> {
        let now = clock.now()
        return try await write { db in
            let due = try FeedbackCard.fetchAll(
                db,
                sql: """
                    SELECT * FROM feedbackCard WHERE status <> 'submitted' AND respondBy > ? AND remindersSent < ?
                    AND COALESCE(lastRemindedAt, issuedAt) <= ?
                    """,
                arguments: [now, Self.feedbackReminderLimit, now.addingTimeInterval(-Self.feedbackReminderInterval)])
            var mail: [MailMessage] = []
            for var card in due {
                let (session, practice) = try Self.sessionAndPractice(db, try Self.sessionId(db, bookingId: card.bookingId))
                guard let gp = try GP.fetchOne(db, id: card.gpId) else { continue }
                mail += try Self.feedbackInvitations(
                    db, card: card, gp: gp, practice: practice, session: session, now: now, links: links, reminder: true)
                card.remindersSent += 1
                card.lastRemindedAt = now
                try card.update(db)
            }
            return Outcome(value: due.count, notifications: mail)
        }
    }

    // MARK: Reading

    /// A card for someone allowed to see it.
    public func feedbackCard(id: Int64, by principal: Principal) async throws -> FeedbackCardView {
        try await read { db in
            guard let card = try FeedbackCard.fetchOne(db, id: id) else {
                throw DomainError.notFound("No feedback card has that id")
            }
            let view = try Self.cardView(db, card)
            guard try FeedbackAccess.mayRead(db, principal, view) else {
                throw DomainError.forbidden("You do not have permission to see this feedback card")
            }
            return view
        }
    }

    /// The card an emailed link opens, while the link still works.
    public func feedbackCard(token: String) async throws -> FeedbackCardView {
        let now = clock.now()
        return try await read { db in try Self.cardView(db, try Self.cardForToken(db, token, now: now)) }
    }

    static func cardForToken(_ db: Database, _ token: String, now: Date) throws -> FeedbackCard {
        guard
            let record = try FeedbackToken.fetchOne(
                db, sql: "SELECT * FROM feedbackToken WHERE tokenDigest = ?", arguments: [SecretToken.digest(token)]),
            let card = try FeedbackCard.fetchOne(db, id: record.cardId)
        else {
            throw DomainError.notFound("This feedback link is not one we sent. Check it was copied whole.")
        }
        guard card.status != .submitted else {
            throw DomainError.conflict("This feedback card has already been submitted. Thank you: nothing more is needed.")
        }
        guard now < record.expiresAt else {
            throw DomainError.conflict(
                "This feedback link expired on \(Day(record.expiresAt).displayText). Contact the support team if you still want to give feedback."
            )
        }
        return card
    }

    static func cardView(_ db: Database, _ card: FeedbackCard) throws -> FeedbackCardView {
        let (session, practice) = try sessionAndPractice(db, try sessionId(db, bookingId: card.bookingId))
        let gp = try GP.fetchOne(db, id: card.gpId)
        return FeedbackCardView(
            card: card, gpName: gp?.name ?? "", gpPhone: gp?.phone, practiceName: practice.name, practicePhone: practice.phone,
            sessionDate: session.date, sessionTime: "\(session.start)–\(session.end)", sessionKind: session.kind.title,
            concern: try FeedbackConcern.fetchOne(
                db, sql: "SELECT * FROM feedbackConcern WHERE cardId = ?", arguments: [card.id]),
            addenda: try FeedbackAddendum.fetchAll(
                db, sql: "SELECT * FROM feedbackAddendum WHERE cardId = ? ORDER BY id", arguments: [card.id]))
    }

    static func sessionId(_ db: Database, bookingId: Int64) throws -> Int64 {
        guard let id = try Int64.fetchOne(db, sql: "SELECT sessionId FROM booking WHERE id = ?", arguments: [bookingId]) else {
            throw DomainError.notFound("No booking has that id")
        }
        return id
    }

    /// The cards about a GP or a practice that this person may read, newest first.
    public func feedbackCards(about subject: FeedbackSubject, by principal: Principal) async throws -> [FeedbackCardView] {
        try await read { db in
            let sql =
                switch subject {
                case .gp: "SELECT * FROM feedbackCard WHERE gpId = ? AND direction = 'practice-about-gp' ORDER BY issuedAt DESC"
                case .practice:
                    "SELECT * FROM feedbackCard WHERE practiceId = ? AND direction = 'gp-about-practice' ORDER BY issuedAt DESC"
                }
            try FeedbackAccess.requireMayList(db, principal, subject)
            return try FeedbackCard.fetchAll(db, sql: sql + " LIMIT 1000", arguments: [subject.id])
                .map { try Self.cardView(db, $0) }
                .filter { try FeedbackAccess.mayRead(db, principal, $0) }
        }
    }

    // MARK: Writing

    /// Saves the author's answers as a draft, or submits them (final). A second submit is refused.
    public func saveFeedbackCard(
        id: Int64?, _ submission: FeedbackSubmission, submit: Bool, author: FeedbackAuthor, links: Links
    ) async throws -> Outcome<FeedbackCard> {
        let now = clock.now()
        return try await write { db in
            var card: FeedbackCard
            let principal: Principal?
            switch author {
            case .token(let token):
                card = try Self.cardForToken(db, token, now: now)
                principal = nil
            case .principal(let signedIn):
                guard let id, let found = try FeedbackCard.fetchOne(db, id: id) else {
                    throw DomainError.notFound("No feedback card has that id")
                }
                guard found.isAuthor(signedIn) else {
                    throw DomainError.forbidden("Only the card's author can fill it in")
                }
                card = found
                principal = signedIn
            }
            guard card.status != .submitted else {
                throw DomainError.conflict("This card was submitted on \(Day(card.submittedAt!).displayText) and is final")
            }
            let (answers, errors) = Self.validate(submission, card: card, complete: submit)
            try errors.throwIfAny()
            card.answers = answers
            card.comment = Self.trimmed(submission.comment)
            card.discussFurther = submission.discussFurther ?? false
            card.anonymous = card.direction == .gpAboutPractice && (submission.anonymous ?? false)
            if submit {
                card.status = .submitted
                card.submittedAt = now
                card.submittedById = principal?.userId
            } else {
                card.status = .draft
                card.draftSavedAt = now
            }
            try card.update(db)
            let actor = principal?.actor ?? .system
            try AuditEvent.record(
                db, at: now, actor: actor, entity: "feedbackCard", entityId: card.id, action: submit ? "submit" : "save-draft",
                detail: principal == nil ? "by emailed link" : nil)
            var mail: [MailMessage] = []
            if submit, let concern = submission.concern, concern.severity != nil {
                mail = try Self.raiseConcern(db, card: card, concern, actor: actor, now: now, links: links)
            }
            return Outcome(value: card, notifications: mail)
        }
    }

    /// The author adds a dated note to a submitted card.
    public func addFeedbackAddendum(cardId: Int64, text: String, by principal: Principal) async throws -> FeedbackAddendum {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let now = clock.now()
        return try await write { db in
            guard let card = try FeedbackCard.fetchOne(db, id: cardId) else {
                throw DomainError.notFound("No feedback card has that id")
            }
            guard card.isAuthor(principal) else { throw DomainError.forbidden("Only the card's author can add to it") }
            // Who asks is settled before what they sent is judged.
            guard !text.isEmpty, text.count <= Self.feedbackTextLimit else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "text", message: "Write the addendum (up to \(Self.feedbackTextLimit) characters)"))
            }
            guard card.status == .submitted else {
                throw DomainError.conflict("The card is not submitted yet: change it directly instead")
            }
            var addendum = FeedbackAddendum(id: nil, cardId: cardId, text: text, createdAt: now, authorId: principal.userId)
            try addendum.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "feedbackCard", entityId: cardId, action: "addendum")
            return addendum
        }
    }

    /// The GP a card is about marks it for appraisal with a reflection (or takes the mark off).
    public func markFeedbackForAppraisal(cardId: Int64, use: Bool, reflection: String?, by principal: Principal) async throws
        -> FeedbackCard
    {
        let reflection = Self.trimmed(reflection)
        var errors = ValidationErrors()
        if use, reflection == nil {
            errors.add("reflection", "Write a short reflection: what you take from this feedback")
        }
        if let reflection, reflection.count > Self.feedbackTextLimit {
            errors.add("reflection", "Keep the reflection under \(Self.feedbackTextLimit) characters")
        }
        let now = clock.now()
        return try await write { [errors] db in
            guard var card = try FeedbackCard.fetchOne(db, id: cardId) else {
                throw DomainError.notFound("No feedback card has that id")
            }
            guard card.direction == .practiceAboutGP, principal.gpId == card.gpId else {
                throw DomainError.forbidden("Only the GP the card is about can use it for appraisal")
            }
            try errors.throwIfAny()  // after who asks is settled
            guard card.status == .submitted else { throw DomainError.conflict("The practice has not submitted this card yet") }
            card.useForAppraisal = use
            card.reflection = use ? reflection : card.reflection
            try card.update(db)
            // The card's reflection is evidence too: one entry in the GP's log, made or removed with the mark.
            let practiceName = try String.fetchOne(
                db, sql: "SELECT name FROM practice WHERE id = ?", arguments: [card.practiceId])
            try Self.saveReflection(db, card: card, reflection: reflection, use: use, practiceName: practiceName ?? "", now: now)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "feedbackCard", entityId: cardId,
                action: use ? "use-for-appraisal" : "not-for-appraisal")
            return card
        }
    }

    // MARK: Rules

    /// Checks the answers against the card's own boxes. A draft may be partial; a submitted card
    /// needs at least one rating or comment.
    static func validate(_ submission: FeedbackSubmission, card: FeedbackCard, complete: Bool) -> (
        [FeedbackAnswer], ValidationErrors
    ) {
        var errors = ValidationErrors()
        var answers: [FeedbackAnswer] = []
        for answer in submission.answers ?? [] {
            guard let key = answer.box, let box = card.boxes.first(where: { $0.key == key }) else {
                errors.add("answers", "An answer names a box this card does not have (\(answer.box ?? "none"))")
                continue
            }
            if let rating = answer.rating {
                if !box.rated {
                    errors.add(key, "“\(box.title)” takes a comment, not a rating")
                } else if !(1...5).contains(rating) {
                    errors.add(key, "Rate “\(box.title)” from 1 to 5, or choose not observed")
                }
            }
            let comment = trimmed(answer.comment)
            if let comment, comment.count > feedbackTextLimit {
                errors.add(key, "Keep the comment on “\(box.title)” under \(feedbackTextLimit) characters")
            }
            if answers.contains(where: { $0.box == key }) { continue }
            answers.append(FeedbackAnswer(box: key, rating: answer.rating, comment: comment))
        }
        if let comment = trimmed(submission.comment), comment.count > feedbackTextLimit {
            errors.add("comment", "Keep the overall comment under \(feedbackTextLimit) characters")
        }
        let saysSomething =
            answers.contains { $0.rating != nil || $0.comment != nil } || trimmed(submission.comment) != nil
        if complete, !saysSomething, errors.isEmpty {
            errors.add("answers", "Rate or comment on at least one box before submitting")
        }
        if let concern = submission.concern, complete {
            concern.validate(into: &errors)
        }
        // Keep the card's box order whatever order the answers came in.
        let order = Dictionary(uniqueKeysWithValues: card.boxes.enumerated().map { ($1.key, $0) })
        return (answers.sorted { order[$0.box, default: 0] < order[$1.box, default: 0] }, errors)
    }

    static func trimmed(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}

/// What a list of cards is about.
public enum FeedbackSubject: Sendable, Equatable {
    case gp(Int64)
    case practice(Int64)

    public var id: Int64 {
        switch self {
        case .gp(let id), .practice(let id): id
        }
    }

    /// Reads `gp:{id}` or `practice:{id}`.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let id = Int64(parts[1]) else { return nil }
        switch parts[0] {
        case "gp": self = .gp(id)
        case "practice": self = .practice(id)
        default: return nil
        }
    }
}
