import Foundation
import GRDB

/// One piece of a GP's quality evidence, kept as it happens. The entry is the GP's own.
public struct EvidenceEntry: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Being written, or sent by a practice for the GP to complete: not in the portfolio yet.
        case draft
        case complete

        public var title: String {
            switch self {
            case .draft: "Draft"
            case .complete: "Complete"
            }
        }
    }

    public var id: Int64?
    public var gpId: Int64
    public var kind: EvidenceKind
    public var status: Status
    public var title: String
    public var date: Day
    public var details: [String: DetailValue]
    public var practiceId: Int64?
    public var bookingId: Int64?
    public var feedbackCardId: Int64?
    public var auditTopicId: Int64?
    public var tags: [String]
    public var followUpOn: Day?
    public var followUpRemindedAt: Date?
    public var sharedWithMentor: Bool
    public var sentByPracticeId: Int64?
    public var createdAt: Date
    public var updatedAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    public func detail(_ key: String) -> String? { details[key]?.text }

    /// Hours a CPD entry counts for (nothing for other kinds).
    public var cpdHours: Double { kind == .cpd ? details["hours"]?.number ?? 0 : 0 }

    /// What a practice sees of an admission feedback it sent: its own words, not the GP's reflection.
    func asSentBy(practiceId: Int64) -> EvidenceEntry {
        var sent = self
        sent.details = details.filter { ["admittedOn", "feedback"].contains($0.key) }
        sent.tags = []
        sent.followUpOn = nil
        sent.sharedWithMentor = false
        return sent
    }
}

/// A change a caller asks for to an optional link: absent leaves it, `null` clears it.
public enum LinkChange: Sendable, Equatable {
    case keep, clear
    case set(Int64)
}

/// An entry as a caller sends it: every field optional, absent means "leave as it is" (on create,
/// the defaults). Decoded straight from API bodies; the form builds one with every field given.
public struct EvidenceInput: Sendable, Decodable {
    public var kind: String?
    public var title: String?
    public var date: String?
    /// Only the keys sent change; an empty string clears a detail.
    public var details: [String: DetailValue]?
    public var practiceId: LinkChange = .keep
    public var bookingId: LinkChange = .keep
    public var feedbackCardId: LinkChange = .keep
    public var tags: [String]?
    public var followUpOn: String?
    public var sharedWithMentor: Bool?
    /// Save without the kind's required fields (a draft stays out of the portfolio).
    public var draft: Bool?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case kind, title, date, details, practiceId, bookingId, feedbackCardId, tags, followUpOn, sharedWithMentor, draft
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        date = try container.decodeIfPresent(String.self, forKey: .date)
        details = try container.decodeIfPresent([String: DetailValue].self, forKey: .details)
        tags = try container.decodeIfPresent([String].self, forKey: .tags)
        followUpOn = try container.decodeIfPresent(String.self, forKey: .followUpOn)
        sharedWithMentor = try container.decodeIfPresent(Bool.self, forKey: .sharedWithMentor)
        draft = try container.decodeIfPresent(Bool.self, forKey: .draft)
        func link(_ key: CodingKeys) throws -> LinkChange {
            guard container.contains(key) else { return .keep }
            if try container.decodeNil(forKey: key) { return .clear }
            return .set(try container.decode(Int64.self, forKey: key))
        }
        practiceId = try link(.practiceId)
        bookingId = try link(.bookingId)
        feedbackCardId = try link(.feedbackCardId)
    }
}

/// Which entries a log shows.
public struct EvidenceFilter: Sendable, Equatable {
    public var kind: EvidenceKind?
    /// The appraisal year starting in this calendar year; nil for every year.
    public var year: Int?

    public init(kind: EvidenceKind? = nil, year: Int? = nil) {
        self.kind = kind
        self.year = year
    }
}

/// A GP's evidence as one person may see it, with the year's CPD progress.
public struct EvidenceLog: Sendable {
    public var gp: GP
    public var entries: [EvidenceEntry]
    public var practiceNames: [Int64: String]
    /// The appraisal year shown (the filter's, or the current one) and its CPD hours against the target.
    public var year: AppraisalYear
    public var cpdHours: Double
    public var cpdTarget: Double
    /// Entries whose follow-up date has come (the owner's view only).
    public var followUpsDue: [EvidenceEntry]
    public var isOwner: Bool
}

extension AppDatabase {
    static let evidenceTextLimit = 4000
    static let evidenceTagLimit = 10

    /// Says why (the check digit), so a GP whose own number was caught knows what happened.
    public static let patientIdentifierMessage =
        "This looks like an NHS number (ten digits whose check digit is valid). Remove it: evidence must never "
        + "identify a patient. If it is another number, such as a phone number, leave it out or write it in words."

    // MARK: Reading

    /// The GP's log: all of it for the GP, what they shared for their mentor; nobody else.
    public func evidenceLog(gpId: Int64, filter: EvidenceFilter, by principal: Principal) async throws -> EvidenceLog {
        let today = clock.today
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            let isOwner = try Self.requireOwnerOrMentor(db, principal, gpId: gpId)
            let shown = filter.year.map { AppraisalYear(startYear: $0, month: gp.appraisalYearMonth) }
            var sql = "SELECT * FROM evidenceEntry WHERE gpId = ?"
            var arguments: StatementArguments = [gpId]
            if !isOwner { sql += " AND sharedWithMentor" }
            if let kind = filter.kind {
                sql += " AND kind = ?"
                _ = arguments.append(contentsOf: [kind.rawValue])
            }
            if let shown {
                sql += " AND date BETWEEN ? AND ?"
                _ = arguments.append(contentsOf: [shown.from, shown.to])
            }
            let entries = try EvidenceEntry.fetchAll(db, sql: sql + " ORDER BY date DESC, id DESC", arguments: arguments)
            let year = shown ?? AppraisalYear(containing: today, month: gp.appraisalYearMonth)
            return EvidenceLog(
                gp: gp, entries: entries, practiceNames: try Self.practiceNames(db, entries.compactMap(\.practiceId)),
                year: year, cpdHours: try Self.cpdHours(db, gpId: gpId, year: year, sharedOnly: !isOwner),
                cpdTarget: try Self.cpdTarget(db, organisationId: gp.organisationId),
                followUpsDue: isOwner
                    ? try EvidenceEntry.fetchAll(
                        db, sql: "SELECT * FROM evidenceEntry WHERE gpId = ? AND followUpOn <= ? ORDER BY followUpOn",
                        arguments: [gpId, today]) : [],
                isOwner: isOwner)
        }
    }

    /// True for the GP, false for their mentor (who sees what the GP shares); anyone else is refused.
    static func requireOwnerOrMentor(_ db: Database, _ principal: Principal, gpId: Int64) throws -> Bool {
        if principal.gpId == gpId { return true }
        guard try FeedbackAccess.isMentorOfGP(db, principal, gpId: gpId) else {
            throw DomainError.forbidden("Evidence is the GP's own: only they, and their mentor for what they share, can open it")
        }
        return false
    }

    /// One entry for someone allowed to see it (a practice sees only what it sent).
    public func evidenceEntry(id: Int64, by principal: Principal) async throws -> EvidenceEntry {
        try await read { db in try Self.readableEntry(db, id: id, by: principal) }
    }

    static func readableEntry(_ db: Database, id: Int64, by principal: Principal) throws -> EvidenceEntry {
        guard let entry = try EvidenceEntry.fetchOne(db, id: id) else {
            throw DomainError.notFound("No evidence entry has that id")
        }
        if principal.gpId == entry.gpId { return entry }
        if entry.sharedWithMentor, try FeedbackAccess.isMentorOfGP(db, principal, gpId: entry.gpId) { return entry }
        if let sender = entry.sentByPracticeId, principal.practiceIds.contains(sender) {
            return entry.asSentBy(practiceId: sender)
        }
        throw DomainError.forbidden("Evidence is the GP's own: you do not have permission to see this entry")
    }

    static func practiceNames(_ db: Database, _ ids: [Int64]) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, name FROM practice WHERE id IN (\(databaseQuestionMarks(count: Set(ids).count)))",
            arguments: StatementArguments(Array(Set(ids))))
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"], $0["name"]) })
    }

    static func cpdHours(_ db: Database, gpId: Int64, year: AppraisalYear, sharedOnly: Bool) throws -> Double {
        try EvidenceEntry.fetchAll(
            db,
            sql: """
                SELECT * FROM evidenceEntry WHERE gpId = ? AND kind = 'cpd' AND status = 'complete' AND date BETWEEN ? AND ?
                """ + (sharedOnly ? " AND sharedWithMentor" : ""),
            arguments: [gpId, year.from, year.to]
        )
        .reduce(0) { $0 + $1.cpdHours }
    }

    static func cpdTarget(_ db: Database, organisationId: Int64) throws -> Double {
        try Double.fetchOne(db, sql: "SELECT cpdTargetHours FROM organisation WHERE id = ?", arguments: [organisationId]) ?? 50
    }

    /// Practices a GP's entry can name: their organisation's, and any they have worked at.
    public func evidencePracticeChoices(gpId: Int64, by principal: Principal) async throws -> [(id: Int64, name: String)] {
        try requireEvidenceAuthor(gpId: gpId, by: principal)
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, name FROM practice WHERE organisationId = (SELECT organisationId FROM gp WHERE id = ?1)
                    UNION
                    SELECT p.id, p.name FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                    JOIN practice p ON p.id = s.practiceId WHERE b.gpId = ?1
                    ORDER BY name
                    """, arguments: [gpId]
            )
            .map { (id: $0["id"], name: $0["name"]) }
        }
    }

    // MARK: Writing

    /// The GP adds an entry to their log.
    /// Evidence is the GP's own: only they add to their log, or change what is in it.
    public func mayAuthorEvidence(gpId: Int64, by principal: Principal) -> Bool { principal.gpId == gpId }

    public func requireEvidenceAuthor(gpId: Int64, by principal: Principal) throws {
        guard mayAuthorEvidence(gpId: gpId, by: principal) else {
            throw DomainError.forbidden("Evidence is the GP's own: only they can add to their log")
        }
    }

    public func createEvidenceEntry(gpId: Int64, _ input: EvidenceInput, by principal: Principal) async throws -> EvidenceEntry {
        let now = clock.now()
        let today = clock.today
        try requireEvidenceAuthor(gpId: gpId, by: principal)
        return try await write { db in
            guard let kindText = input.kind, let kind = EvidenceKind(rawValue: kindText) else {
                throw DomainError.validationFailed(
                    ValidationErrors(
                        field: "kind",
                        message: "Choose the kind of evidence: "
                            + EvidenceKind.allCases.map(\.rawValue).joined(separator: ", ")))
            }
            // Complete unless the caller asks for a draft: the kind's rules then apply in full.
            var entry = EvidenceEntry(
                id: nil, gpId: gpId, kind: kind, status: input.draft == true ? .draft : .complete, title: "", date: today,
                details: [:], practiceId: nil,
                bookingId: nil, feedbackCardId: nil, auditTopicId: nil, tags: [], followUpOn: nil, followUpRemindedAt: nil,
                sharedWithMentor: false, sentByPracticeId: nil, createdAt: now, updatedAt: nil)
            try Self.apply(input, to: &entry, db: db, today: today)
            try entry.insert(db)
            try Self.afterSaving(db, entry)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "evidenceEntry", entityId: entry.id, action: "create",
                detail: kind.rawValue)
            return entry
        }
    }

    /// The GP changes their entry; the kind stays what it was.
    public func updateEvidenceEntry(id: Int64, _ input: EvidenceInput, by principal: Principal) async throws -> EvidenceEntry {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var entry = try Self.ownEntry(db, id: id, by: principal)
            if let kind = input.kind, kind != entry.kind.rawValue {
                throw DomainError.validationFailed(
                    ValidationErrors(
                        field: "kind", message: "An entry keeps its kind (\(entry.kind.rawValue)): add a new entry instead"))
            }
            try Self.apply(input, to: &entry, db: db, today: today)
            entry.updatedAt = now
            try entry.update(db)
            try Self.afterSaving(db, entry)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "evidenceEntry", entityId: id, action: "update")
            return entry
        }
    }

    /// The GP deletes their entry (a reflection's card stops being used for appraisal).
    public func deleteEvidenceEntry(id: Int64, by principal: Principal) async throws {
        let now = clock.now()
        try await write { db in
            let entry = try Self.ownEntry(db, id: id, by: principal)
            try entry.delete(db)
            if entry.kind == .feedbackReflection, let cardId = entry.feedbackCardId {
                try db.execute(sql: "UPDATE feedbackCard SET useForAppraisal = 0 WHERE id = ?", arguments: [cardId])
            }
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "evidenceEntry", entityId: id, action: "delete")
        }
    }

    static func ownEntry(_ db: Database, id: Int64, by principal: Principal) throws -> EvidenceEntry {
        guard let entry = try EvidenceEntry.fetchOne(db, id: id) else {
            throw DomainError.notFound("No evidence entry has that id")
        }
        guard principal.gpId == entry.gpId else {
            throw DomainError.forbidden("Evidence is the GP's own: only they can change it")
        }
        return entry
    }

    /// A reflection entry and its card say the same thing: the card is used for appraisal with the
    /// entry's words while the entry exists.
    static func afterSaving(_ db: Database, _ entry: EvidenceEntry) throws {
        guard entry.kind == .feedbackReflection, let cardId = entry.feedbackCardId else { return }
        try db.execute(
            sql: "UPDATE feedbackCard SET useForAppraisal = ?, reflection = ? WHERE id = ?",
            arguments: [entry.status == .complete, entry.detail("reflection"), cardId])
    }

    /// The one writer of a reflection entry for a card, used when the GP marks the card for appraisal.
    static func saveReflection(
        _ db: Database, card: FeedbackCard, reflection: String?, use: Bool, practiceName: String, now: Date
    ) throws {
        var entry = try EvidenceEntry.fetchOne(
            db, sql: "SELECT * FROM evidenceEntry WHERE feedbackCardId = ? AND kind = 'feedback-reflection'",
            arguments: [card.id])
        guard use, let reflection else {
            try entry?.delete(db)
            return
        }
        if entry == nil {
            entry = EvidenceEntry(
                id: nil, gpId: card.gpId, kind: .feedbackReflection, status: .complete,
                title: "Reflection on feedback from \(practiceName)", date: Day(card.submittedAt ?? now), details: [:],
                practiceId: card.practiceId, bookingId: card.bookingId, feedbackCardId: card.id, auditTopicId: nil, tags: [],
                followUpOn: nil, followUpRemindedAt: nil, sharedWithMentor: false, sentByPracticeId: nil, createdAt: now,
                updatedAt: nil)
        }
        entry!.details["reflection"] = .text(reflection)
        entry!.status = .complete
        entry!.updatedAt = entry!.id == nil ? nil : now
        try entry!.save(db)
    }

    // MARK: Rules

    /// Applies what the caller sent, then checks the whole entry: its kind's fields (all required ones
    /// for a complete entry), its links, and that no text identifies a patient.
    static func apply(_ input: EvidenceInput, to entry: inout EvidenceEntry, db: Database, today: Day) throws {
        var errors = ValidationErrors()
        if let title = input.title { entry.title = title.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let date = input.date {
            if let day = Day(date.trimmingCharacters(in: .whitespaces)) {
                entry.date = day
            } else {
                errors.add("date", "Give the date as YYYY-MM-DD, like 2026-11-02")
            }
        }
        if let followUp = input.followUpOn?.trimmingCharacters(in: .whitespaces) {
            if followUp.isEmpty {
                entry.followUpOn = nil
            } else if let day = Day(followUp) {
                if day != entry.followUpOn { entry.followUpRemindedAt = nil }
                entry.followUpOn = day
            } else {
                errors.add("followUpOn", "Give the follow-up date as YYYY-MM-DD, or leave it empty")
            }
        }
        if let shared = input.sharedWithMentor { entry.sharedWithMentor = shared }
        if let draft = input.draft { entry.status = draft ? .draft : .complete }
        if let tags = input.tags {
            var seen = Set<String>()
            entry.tags = tags.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
        }
        for (key, value) in input.details ?? [:] {
            if entry.sentByPracticeId != nil, ["feedback", "admittedOn"].contains(key), value.text != entry.detail(key) ?? "" {
                errors.add("details.\(key)", "These are the practice's words: add your own under “What you take from it”")
                continue
            }
            guard let field = entry.kind.fields.first(where: { $0.key == key }) else {
                errors.add(
                    "details.\(key)",
                    "“\(key)” is not a detail of \(entry.kind.rawValue) evidence; its details are "
                        + entry.kind.fields.map(\.key).joined(separator: ", "))
                continue
            }
            let text = value.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty {
                entry.details[key] = nil
            } else {
                entry.details[key] =
                    [.count, .hours].contains(field.shape) ? value.number.map(DetailValue.number) ?? value : .text(text)
            }
        }
        entry.practiceId = try resolve(input.practiceId, entry.practiceId)
        entry.bookingId = try resolve(input.bookingId, entry.bookingId)
        entry.feedbackCardId = try resolve(input.feedbackCardId, entry.feedbackCardId)
        try checkLinks(&entry, db: db, errors: &errors)
        check(entry, today: today, errors: &errors)
        try errors.throwIfAny()
    }

    /// A date field that may be left empty: nil when empty or wrong (wrong adds `message`).
    static func optionalDay(_ raw: String?, field: String, message: String, into errors: inout ValidationErrors) -> Day? {
        guard let text = raw?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let day = Day(text) else {
            errors.add(field, message)
            return nil
        }
        return day
    }

    private static func resolve(_ change: LinkChange, _ current: Int64?) throws -> Int64? {
        switch change {
        case .keep: current
        case .clear: nil
        case .set(let id): id
        }
    }

    /// Links name things of this GP's: a practice that exists, their own booking (which also names
    /// the practice), a submitted card a practice wrote about them.
    static func checkLinks(_ entry: inout EvidenceEntry, db: Database, errors: inout ValidationErrors) throws {
        if let bookingId = entry.bookingId {
            let row = try Row.fetchOne(
                db, sql: "SELECT b.gpId, s.practiceId FROM booking b JOIN clinicalSession s ON s.id = b.sessionId WHERE b.id = ?",
                arguments: [bookingId])
            if let row, row["gpId"] as Int64 == entry.gpId {
                if entry.practiceId == nil { entry.practiceId = row["practiceId"] }
            } else {
                errors.add("bookingId", "Link one of your own bookings, or none")
            }
        }
        if let practiceId = entry.practiceId, try Practice.fetchOne(db, id: practiceId) == nil {
            errors.add("practiceId", "No practice has that id: choose one from the list")
        }
        if let cardId = entry.feedbackCardId {
            let card = try FeedbackCard.fetchOne(db, id: cardId)
            if let card, card.gpId == entry.gpId, card.direction == .practiceAboutGP, card.status == .submitted {
                if entry.practiceId == nil { entry.practiceId = card.practiceId }
            } else {
                errors.add("feedbackCardId", "Link a submitted feedback card a practice wrote about you")
            }
        }
        if entry.kind == .feedbackReflection, entry.feedbackCardId == nil {
            errors.add("feedbackCardId", "Choose the feedback card you are reflecting on")
        }
        if entry.kind == .feedbackReflection, let cardId = entry.feedbackCardId,
            let existing = try Int64.fetchOne(
                db, sql: "SELECT id FROM evidenceEntry WHERE feedbackCardId = ? AND kind = 'feedback-reflection'",
                arguments: [cardId]),
            existing != entry.id
        {
            errors.add(
                "feedbackCardId", "You have already reflected on this card: change that entry (number \(existing)) instead")
        }
    }

    /// The entry's own rules, whatever was just changed.
    static func check(_ entry: EvidenceEntry, today: Day, errors: inout ValidationErrors) {
        let complete = entry.status == .complete
        if entry.title.isEmpty {
            errors.add("title", "Give the entry a title, like “Two-week-wait referrals, spring”")
        } else if entry.title.count > 200 {
            errors.add("title", "Keep the title under 200 characters")
        }
        if Validators.containsNHSNumber(entry.title) { errors.add("title", patientIdentifierMessage) }
        if complete, entry.date > today {
            errors.add("date", "Evidence records what has happened: date it today or earlier, or save it as a draft")
        }
        if let followUp = entry.followUpOn, followUp < entry.date {
            errors.add("followUpOn", "The follow-up date must not be before the entry's date")
        }
        if entry.tags.count > evidenceTagLimit { errors.add("tags", "Use at most \(evidenceTagLimit) tags") }
        if entry.tags.contains(where: { $0.count > 40 }) { errors.add("tags", "Keep each tag under 40 characters") }
        if entry.tags.contains(where: Validators.containsNHSNumber) { errors.add("tags", patientIdentifierMessage) }
        for field in entry.kind.fields {
            let name = "details.\(field.key)"
            guard let value = entry.details[field.key] else {
                if complete, field.required { errors.add(name, "Fill in “\(field.label)”, or save the entry as a draft") }
                continue
            }
            switch field.shape {
            case .line, .paragraph:
                if value.text.count > (field.shape == .line ? 200 : evidenceTextLimit) {
                    errors.add(name, "Keep “\(field.label)” under \(field.shape == .line ? 200 : evidenceTextLimit) characters")
                }
                if Validators.containsNHSNumber(value.text) { errors.add(name, patientIdentifierMessage) }
            case .day:
                if Day(value.text) == nil { errors.add(name, "Give “\(field.label)” as YYYY-MM-DD, like 2026-11-02") }
            case .count:
                if let number = value.number, number == number.rounded(), (1...100_000).contains(number) {
                } else {
                    errors.add(name, "Give “\(field.label)” as a whole number from 1")
                }
            case .hours:
                if let number = value.number, number > 0, number <= 200 {
                } else {
                    errors.add(name, "Give the hours as a number above 0, like 1.5")
                }
            }
        }
        func day(_ key: String) -> Day? { entry.details[key].flatMap { Day($0.text) } }
        if let from = day("periodFrom"), let to = day("periodTo"), to < from {
            errors.add("details.periodTo", "The last day must not be before the first")
        }
        if let to = day("periodTo"), let reaudit = day("reauditOn"), reaudit <= to {
            errors.add("details.reauditOn", "The re-audit comes after the period reviewed")
        }
        if entry.kind == .learningNeed, day("reviewedOn") != nil, entry.details["howMet"] == nil {
            errors.add("details.howMet", "Say how the need was met before marking it reviewed")
        }
        if complete, entry.kind.needsPractice, entry.practiceId == nil {
            errors.add("practiceId", "Choose the practice this happened at")
        }
        if complete, entry.kind == .practiceAudit, entry.practiceId == nil, entry.auditTopicId == nil {
            errors.add("practiceId", "Choose the practice whose audit it was")
        }
    }
}
