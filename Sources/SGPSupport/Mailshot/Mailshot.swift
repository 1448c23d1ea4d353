import Foundation
import GRDB

/// The weekly mailshot of an organisation: news and events the liaison officer writes, and the work
/// available, generated for each recipient when it is sent.
public struct Mailshot: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible, CaseIterable {
        case draft, sending, sent
    }

    public var id: Int64?
    public var organisationId: Int64
    /// The ISO week it is for, `2026-W50`.
    public var week: String
    public var status: Status
    public var includePracticeManagers: Bool
    public var createdAt: Date
    public var createdById: Int64?
    public var sendStartedAt: Date?
    public var sendLeaseUntil: Date?
    public var sentAt: Date?

    public var isoWeek: IsoWeek { IsoWeek(week)! }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A news item (Markdown body) or an education event in a mailshot, in the order the liaison officer chose.
public struct MailshotItem: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible, CaseIterable {
        case news, event
    }

    public var id: Int64?
    public var mailshotId: Int64
    public var kind: Kind
    public var position: Int
    public var title: String
    public var body: String?
    public var eventDate: Day?
    public var place: String?
    public var cpdHours: Double?
    public var bookingLink: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A news item or event as a caller sends it: decoded straight from API bodies, built from forms.
public struct MailshotItemInput: Sendable, Decodable {
    public var kind: String?
    public var title: String?
    public var body: String?
    public var eventDate: String?
    public var place: String?
    public var cpdHours: Double?
    public var bookingLink: String?

    public init(
        kind: String?, title: String?, body: String? = nil, eventDate: String? = nil, place: String? = nil,
        cpdHours: Double? = nil, bookingLink: String? = nil
    ) {
        self.kind = kind
        self.title = title
        self.body = body
        self.eventDate = eventDate
        self.place = place
        self.cpdHours = cpdHours
        self.bookingLink = bookingLink
    }
}

/// What a person may do with a mailshot: worked out once, here, for its pages and JSON to read.
public enum MailshotCapability: String, Sendable, CaseIterable, Codable {
    /// Add, change, move and remove its items and choose who gets it: its organisation's liaison
    /// officer, while it is a draft.
    case change
    /// Send it (or take up a stopped send), send themselves a test copy, follow how the sending goes:
    /// its organisation's liaison officer.
    case send
    /// Read it as any GP of the organisation would get it: the organisation's support team.
    case preview

    var refusal: String {
        switch self {
        case .change: "Only the liaison officer changes a mailshot"
        case .send: "Only the liaison officer sends a mailshot"
        case .preview: "Only the support team previews a mailshot"
        }
    }
}

/// A mailshot with its items and where its sending stands.
public struct MailshotView: Sendable {
    public var mailshot: Mailshot
    public var organisation: Organisation
    public var items: [MailshotItem]
    public var deliveries: DeliveryCounts
    public var failures: [(email: String, reason: String)]
    public var may: Set<MailshotCapability>

    /// Refuses unless the person may: 403, or 409 for the liaison officer changing one no longer a draft.
    public func require(_ capability: MailshotCapability) throws {
        guard !may.contains(capability) else { return }
        if capability == .change, may.contains(.send) { throw Self.noLongerADraft }
        throw DomainError.forbidden(capability.refusal)
    }

    static let noLongerADraft = DomainError.conflict(
        "This mailshot has been sent (or is sending); it can no longer be changed")
}

/// An organisation's mailshots as one person may see them.
public struct MailshotList: Sendable {
    public var mailshots: [Mailshot]
    /// Composing a week's mailshot: the organisation's liaison officer.
    public var mayCompose: Bool
}

public struct DeliveryCounts: Sendable, Equatable, Encodable {
    public var pending: Int
    public var sent: Int
    public var failed: Int

    public init(pending: Int, sent: Int, failed: Int) {
        self.pending = pending
        self.sent = sent
        self.failed = failed
    }
}

extension AppDatabase {
    /// The organisation's mailshot for a week, made (empty) if there is none yet.
    public func mailshot(organisationId: Int64, week: String, by principal: Principal) async throws -> Mailshot {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        guard let isoWeek = IsoWeek(week) else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "week", message: "Give the week as YYYY-Www, like 2026-W50"))
        }
        let now = clock.now()
        return try await write { db in
            if let existing = try Mailshot.fetchOne(
                db, sql: "SELECT * FROM mailshot WHERE organisationId = ? AND week = ?",
                arguments: [organisationId, isoWeek.description])
            {
                return existing
            }
            guard try Organisation.fetchOne(db, id: organisationId) != nil else {
                throw DomainError.notFound("No organisation has that id")
            }
            var mailshot = Mailshot(
                id: nil, organisationId: organisationId, week: isoWeek.description, status: .draft,
                includePracticeManagers: false, createdAt: now, createdById: principal.isCommandLine ? nil : principal.userId)
            try mailshot.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "mailshot", entityId: mailshot.id, action: "create")
            return mailshot
        }
    }

    /// A mailshot for the support team, or for a GP or practice manager of the organisation once sent.
    public func mailshotView(id: Int64, by principal: Principal) async throws -> MailshotView {
        try await read { db in
            guard let mailshot = try Mailshot.fetchOne(db, id: id),
                let organisation = try Organisation.fetchOne(db, id: mailshot.organisationId)
            else { throw DomainError.notFound("No mailshot has that id") }
            let team = AccessPolicy.permits(principal, .superviseOrganisation(organisationId: mailshot.organisationId))
            let reader = mailshot.status == .sent && principal.organisationIdsSeen.contains(mailshot.organisationId)
            guard team || reader else { throw DomainError.forbidden("You do not have permission to see this mailshot") }
            let items = try MailshotItem.fetchAll(
                db, sql: "SELECT * FROM mailshotItem WHERE mailshotId = ? ORDER BY position, id", arguments: [id])
            let counts = try Row.fetchAll(
                db, sql: "SELECT status, COUNT(*) AS n FROM mailshotDelivery WHERE mailshotId = ? GROUP BY status",
                arguments: [id]
            ).reduce(into: [String: Int]()) { $0[$1["status"]] = $1["n"] }
            var may: Set<MailshotCapability> = team ? [.preview] : []
            if AccessPolicy.permits(principal, .manageOrganisation(organisationId: mailshot.organisationId)) {
                may.insert(.send)
                if mailshot.status == .draft { may.insert(.change) }
            }
            let failures =
                team
                ? try Row.fetchAll(
                    db,
                    sql:
                        "SELECT email, lastError FROM mailshotDelivery WHERE mailshotId = ? AND status = 'failed' ORDER BY email",
                    arguments: [id]
                ).map { (email: $0["email"] as String, reason: ($0["lastError"] as String?) ?? "") } : []
            return MailshotView(
                mailshot: mailshot, organisation: organisation, items: items,
                deliveries: DeliveryCounts(
                    pending: (counts["pending"] ?? 0) + (counts["sending"] ?? 0), sent: counts["sent"] ?? 0,
                    failed: counts["failed"] ?? 0),
                failures: failures, may: may)
        }
    }

    /// The organisation's mailshots, newest week first: all for the support team, sent ones for the rest.
    public func mailshots(organisationId: Int64, by principal: Principal) async throws -> [Mailshot] {
        let team = AccessPolicy.permits(principal, .superviseOrganisation(organisationId: organisationId))
        guard team || principal.organisationIdsSeen.contains(organisationId) else {
            throw DomainError.forbidden("You do not have permission to see this organisation's mailshots")
        }
        return try await read { db in
            try Mailshot.fetchAll(
                db,
                sql: "SELECT * FROM mailshot WHERE organisationId = ? AND (? OR status = 'sent') ORDER BY week DESC LIMIT 200",
                arguments: [organisationId, team])
        }
    }

    public func mailshotList(organisationId: Int64, by principal: Principal) async throws -> MailshotList {
        MailshotList(
            mailshots: try await mailshots(organisationId: organisationId, by: principal),
            mayCompose: AccessPolicy.permits(principal, .manageOrganisation(organisationId: organisationId)))
    }

    /// An item with the mailshot it is in, as this person may see that mailshot.
    public func mailshotItem(id: Int64, by principal: Principal) async throws -> (item: MailshotItem, mailshot: MailshotView) {
        let view = try await mailshotView(id: try await mailshotId(ofItem: id), by: principal)
        guard let item = view.items.first(where: { $0.id == id }) else {
            throw DomainError.notFound("No mailshot item has that id")
        }
        return (item, view)
    }

    public func addMailshotItem(mailshotId: Int64, _ input: MailshotItemInput, by principal: Principal) async throws
        -> MailshotItem
    {
        try await changeDraft(mailshotId, by: principal, action: "add-item") { db, mailshot in
            var item = try Self.validatedItem(input, mailshotId: mailshotId)
            item.position =
                (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM mailshotItem WHERE mailshotId = ?", arguments: [mailshotId])
                    ?? 0) + 1
            try item.insert(db)
            return item
        }
    }

    /// Changes an item of a draft, checked as adding one is: its title and text, and for an event its
    /// date, place, hours and booking link. An item stays the kind it is. Answers the item as saved.
    @discardableResult
    public func updateMailshotItem(id: Int64, _ input: MailshotItemInput, by principal: Principal) async throws
        -> MailshotItem
    {
        let mailshotId = try await mailshotId(ofItem: id)
        return try await changeDraft(mailshotId, by: principal, action: "edit-item") { db, _ in
            guard var item = try MailshotItem.fetchOne(db, id: id) else {
                throw DomainError.notFound("No mailshot item has that id")
            }
            var input = input
            input.kind = item.kind.rawValue
            let changed = try Self.validatedItem(input, mailshotId: mailshotId)
            item.title = changed.title
            item.body = changed.body
            item.eventDate = changed.eventDate
            item.place = changed.place
            item.cpdHours = changed.cpdHours
            item.bookingLink = changed.bookingLink
            try item.update(db)
            return item
        }
    }

    /// Takes an item out of a draft; answers the mailshot it was in.
    @discardableResult
    public func removeMailshotItem(id: Int64, by principal: Principal) async throws -> Int64 {
        let mailshotId = try await mailshotId(ofItem: id)
        try await changeDraft(mailshotId, by: principal, action: "remove-item") { db, _ in
            try db.execute(sql: "DELETE FROM mailshotItem WHERE id = ?", arguments: [id])
        }
        return mailshotId
    }

    /// Moves an item one place up (earlier) or down; answers the mailshot it is in.
    @discardableResult
    public func moveMailshotItem(id: Int64, up: Bool, by principal: Principal) async throws -> Int64 {
        let mailshotId = try await mailshotId(ofItem: id)
        try await changeDraft(mailshotId, by: principal, action: "move-item") { db, _ in
            var items = try MailshotItem.fetchAll(
                db, sql: "SELECT * FROM mailshotItem WHERE mailshotId = ? ORDER BY position, id", arguments: [mailshotId])
            guard let index = items.firstIndex(where: { $0.id == id }) else { return }
            let other = up ? index - 1 : index + 1
            guard items.indices.contains(other) else { return }
            items.swapAt(index, other)
            for (position, var item) in items.enumerated() {
                item.position = position + 1
                try item.update(db)
            }
        }
        return mailshotId
    }

    private func mailshotId(ofItem id: Int64) async throws -> Int64 {
        guard
            let mailshotId = try await read({ db in
                try Int64.fetchOne(db, sql: "SELECT mailshotId FROM mailshotItem WHERE id = ?", arguments: [id])
            })
        else { throw DomainError.notFound("No mailshot item has that id") }
        return mailshotId
    }

    public func setMailshotIncludesPracticeManagers(id: Int64, _ include: Bool, by principal: Principal) async throws {
        try await changeDraft(id, by: principal, action: include ? "include-practice-managers" : "gps-only") { db, mailshot in
            var mailshot = mailshot
            mailshot.includePracticeManagers = include
            try mailshot.update(db)
        }
    }

    /// Runs a change to a mailshot that is still a draft, with its audit line, in one transaction.
    private func changeDraft<T: Sendable>(
        _ mailshotId: Int64, by principal: Principal, action: String,
        _ change: @escaping @Sendable (Database, Mailshot) throws -> T
    ) async throws -> T {
        let now = clock.now()
        return try await write { db in
            guard let mailshot = try Mailshot.fetchOne(db, id: mailshotId) else {
                throw DomainError.notFound("No mailshot has that id")
            }
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: mailshot.organisationId))
            guard mailshot.status == .draft else { throw MailshotView.noLongerADraft }
            let result = try change(db, mailshot)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "mailshot", entityId: mailshotId, action: action)
            return result
        }
    }

    static func validatedItem(_ input: MailshotItemInput, mailshotId: Int64) throws -> MailshotItem {
        var errors = ValidationErrors()
        let kind = MailshotItem.Kind(rawValue: input.kind ?? "news")
        if kind == nil { errors.add("kind", "Choose news or event") }
        let title = (input.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { errors.add("title", "Give the item a title") }
        if title.count > 150 { errors.add("title", "Keep the title under 150 characters") }
        let body = trimmed(input.body)
        if (body?.count ?? 0) > 10_000 { errors.add("body", "Keep the text under 10,000 characters") }
        var eventDate: Day?
        if kind == .event {
            eventDate = optionalDay(input.eventDate, field: "eventDate", into: &errors)
            if eventDate == nil, errors["eventDate"] == nil { errors.add("eventDate", "Give the date of the event") }
        } else if kind == .news, body == nil {
            errors.add("body", "Write the news item")
        }
        if let hours = input.cpdHours, !(0...100).contains(hours) { errors.add("cpdHours", "Give CPD hours between 0 and 100") }
        let link = trimmed(input.bookingLink)
        if let link, !(link.hasPrefix("https://") || link.hasPrefix("http://")) || URL(string: link)?.host == nil {
            errors.add("bookingLink", "Give the booking link as a full address starting https://")
        }
        try errors.throwIfAny()
        return MailshotItem(
            id: nil, mailshotId: mailshotId, kind: kind!, position: 0, title: title, body: body, eventDate: eventDate,
            place: trimmed(input.place), cpdHours: input.cpdHours, bookingLink: link)
    }
}
