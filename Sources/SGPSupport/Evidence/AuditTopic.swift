import Foundation
import GRDB

/// A locally agreed audit (seed 002): the support team publishes the topic and its criteria; GPs
/// join and log their contribution as evidence.
public struct AuditTopic: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var organisationId: Int64
    public var title: String
    public var criteria: String
    public var closesOn: Day?
    public var publishedAt: Date
    public var publishedById: Int64?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A topic as a list shows it. The support team sees how many joined and completed, never who
/// wrote what: the contributions are the GPs' own evidence.
public struct AuditTopicListing: Sendable {
    public var topic: AuditTopic
    public var joined: Int
    public var completed: Int
    /// The signed-in GP's own contribution, if they joined.
    public var myEntryId: Int64?
}

/// A topic as the team publishes it; decoded straight from API bodies.
public struct AuditTopicInput: Sendable, Decodable {
    public var title: String?
    public var criteria: String?
    public var closesOn: String?

    public init(title: String?, criteria: String?, closesOn: String?) {
        self.title = title
        self.criteria = criteria
        self.closesOn = closesOn
    }
}

/// The support team's view of an organisation's evidence: its topics, the CPD target, and how many
/// entries of each kind its GPs keep (counts only).
public struct OrganisationEvidence: Sendable {
    public var organisation: Organisation
    public var topics: [AuditTopicListing]
    public var cpdTarget: Double
    public var countsByKind: [CountRow]
}

extension AppDatabase {
    /// The organisation's audit topics, for its support team and its GPs.
    public func auditTopics(organisationId: Int64, by principal: Principal) async throws -> [AuditTopicListing] {
        try await read { db in
            guard try Organisation.exists(db, key: organisationId) else {
                throw DomainError.notFound("No organisation has that id")
            }
            let isGP = try principal.gpId.map { try GP.fetchOne(db, id: $0)?.organisationId == organisationId } ?? false
            guard isGP || AccessPolicy.permits(principal, .superviseOrganisation(organisationId: organisationId)) else {
                throw DomainError.forbidden("Audit topics are for the organisation's support team and its GPs")
            }
            return try Self.topicListings(db, organisationId: organisationId, gpId: principal.gpId)
        }
    }

    static func topicListings(_ db: Database, organisationId: Int64, gpId: Int64?) throws -> [AuditTopicListing] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT t.*, COUNT(e.id) AS joined, COALESCE(SUM(e.status = 'complete'), 0) AS completed,
                       MAX(CASE WHEN e.gpId = ? THEN e.id END) AS myEntryId
                FROM auditTopic t LEFT JOIN evidenceEntry e ON e.auditTopicId = t.id
                WHERE t.organisationId = ? GROUP BY t.id ORDER BY t.publishedAt DESC
                """, arguments: [gpId, organisationId])
        return try rows.map {
            AuditTopicListing(
                topic: try AuditTopic(row: $0), joined: $0["joined"], completed: $0["completed"], myEntryId: $0["myEntryId"])
        }
    }

    /// The organisation's evidence page for its support team.
    public func organisationEvidence(organisationId: Int64, by principal: Principal) async throws -> OrganisationEvidence {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        return try await read { db in
            guard let organisation = try Organisation.fetchOne(db, id: organisationId) else {
                throw DomainError.notFound("No organisation has that id")
            }
            return OrganisationEvidence(
                organisation: organisation, topics: try Self.topicListings(db, organisationId: organisationId, gpId: nil),
                cpdTarget: try Self.cpdTarget(db, organisationId: organisationId),
                countsByKind: try Self.evidenceCounts(db, organisationId: organisationId, from: nil, to: nil))
        }
    }

    /// Complete entries per kind kept by the organisation's GPs, dated in the period (all when nil).
    static func evidenceCounts(_ db: Database, organisationId: Int64, from: Day?, to: Day?) throws -> [CountRow] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT e.kind, COUNT(*) AS n FROM evidenceEntry e JOIN gp ON gp.id = e.gpId
                WHERE gp.organisationId = ? AND e.status = 'complete'
                  AND (?2 IS NULL OR e.date >= ?2) AND (?3 IS NULL OR e.date <= ?3)
                GROUP BY e.kind
                """, arguments: [organisationId, from, to])
        let counts = Dictionary(uniqueKeysWithValues: rows.map { ($0["kind"] as String, $0["n"] as Int) })
        return EvidenceKind.allCases.map { CountRow(label: $0.rawValue, count: counts[$0.rawValue] ?? 0) }
    }

    /// A mentor or liaison officer publishes a topic with its criteria.
    public func publishAuditTopic(organisationId: Int64, _ input: AuditTopicInput, by principal: Principal) async throws
        -> AuditTopic
    {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        var errors = ValidationErrors()
        let title = input.title?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let criteria = input.criteria?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if title.isEmpty || title.count > 200 { errors.add("title", "Give the topic a title of up to 200 characters") }
        if criteria.isEmpty || criteria.count > Self.evidenceTextLimit {
            errors.add("criteria", "Write the criteria and standard the audit measures against")
        }
        let closesOn = Self.optionalDay(
            input.closesOn, field: "closesOn", message: "Give the closing date as YYYY-MM-DD, or leave it empty", into: &errors)
        try errors.throwIfAny()
        let now = clock.now()
        return try await write { db in
            var topic = AuditTopic(
                id: nil, organisationId: organisationId, title: title, criteria: criteria, closesOn: closesOn,
                publishedAt: now, publishedById: principal.recordedUserId)
            try topic.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "auditTopic", entityId: topic.id, action: "publish")
            return topic
        }
    }

    /// A GP of the organisation joins a topic: a draft entry for their contribution, once.
    public func joinAuditTopic(id: Int64, by principal: Principal) async throws -> EvidenceEntry {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            guard let topic = try AuditTopic.fetchOne(db, id: id) else {
                throw DomainError.notFound("No audit topic has that id")
            }
            guard let gpId = principal.gpId, let gp = try GP.fetchOne(db, id: gpId), gp.organisationId == topic.organisationId
            else {
                throw DomainError.forbidden("Only the organisation's GPs can join its audits")
            }
            if let closesOn = topic.closesOn, closesOn < today {
                throw DomainError.conflict("This audit closed on \(closesOn.displayText)")
            }
            if let existing = try EvidenceEntry.fetchOne(
                db, sql: "SELECT * FROM evidenceEntry WHERE auditTopicId = ? AND gpId = ?", arguments: [id, gpId])
            {
                return existing
            }
            var entry = EvidenceEntry(
                id: nil, gpId: gpId, kind: .practiceAudit, status: .draft, title: topic.title, date: today,
                details: ["topic": .text(topic.title), "role": .text("Contributor to a locally agreed audit")],
                practiceId: nil, bookingId: nil, feedbackCardId: nil, auditTopicId: id, tags: ["local audit"],
                followUpOn: topic.closesOn, followUpRemindedAt: nil, sharedWithMentor: false, sentByPracticeId: nil,
                createdAt: now, updatedAt: nil)
            try entry.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "auditTopic", entityId: id, action: "join")
            return entry
        }
    }

    /// The liaison officer sets the CPD hours a year the organisation's GPs aim for.
    public func setCPDTarget(organisationId: Int64, hours: Double?, by principal: Principal) async throws {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        guard let hours, hours >= 1, hours <= 500 else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "cpdTargetHours", message: "Give the yearly CPD target in hours, like 50"))
        }
        let now = clock.now()
        try await write { db in
            try db.execute(sql: "UPDATE organisation SET cpdTargetHours = ? WHERE id = ?", arguments: [hours, organisationId])
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId, action: "cpd-target",
                detail: String(hours))
        }
    }
}
