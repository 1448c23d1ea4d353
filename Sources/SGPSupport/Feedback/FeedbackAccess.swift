import Foundation
import GRDB

/// Who may see which feedback. Cards are more confidential than the register, so these rules are
/// narrower than `AccessPolicy`: administrators and liaison officers see no card's comments unless it
/// was raised as a concern.
public enum FeedbackAccess {
    /// A practice sees GPs' anonymous cards about it only combined, in batches of this many: the one
    /// number the pages and the API say too.
    public static let anonymityThreshold = 3

    /// The anonymous cards a practice's figures include: those submitted, in submission order, in whole
    /// batches of `anonymityThreshold`. The figures then move only by a whole batch, so the change in
    /// them is never one card's ratings (a card's place never changes: submittedAt is final).
    static func releasedAnonymousCards(_ cards: [FeedbackCard]) -> [FeedbackCard] {
        let anonymous = cards.filter { $0.status == .submitted && $0.anonymous }
            .sorted { ($0.submittedAt ?? .distantPast, $0.id ?? 0) < ($1.submittedAt ?? .distantPast, $1.id ?? 0) }
        return Array(anonymous.prefix(anonymous.count / anonymityThreshold * anonymityThreshold))
    }

    static func mayRead(_ db: Database, _ principal: Principal, _ view: FeedbackCardView) throws -> Bool {
        let card = view.card
        if card.isAuthor(principal) { return true }
        guard card.status == .submitted else { return false }
        switch card.direction {
        case .practiceAboutGP:
            if principal.gpId == card.gpId { return true }
        case .gpAboutPractice:
            if !card.anonymous, principal.practiceIds.contains(card.practiceId) { return true }
        }
        if try isMentorOfGP(db, principal, gpId: card.gpId) { return true }
        if let concern = view.concern, isSupportTeam(principal, of: concern.organisationId) { return true }
        return false
    }

    /// The organisation's mentors, and the GP's own mentor, handle a concern.
    static func mayHandle(_ db: Database, _ principal: Principal, _ concern: FeedbackConcern) throws -> Bool {
        if principal.organisationIds(as: .mentor).contains(concern.organisationId) { return true }
        let gpId = try Int64.fetchOne(db, sql: "SELECT gpId FROM feedbackCard WHERE id = ?", arguments: [concern.cardId])
        return try gpId.map { try isMentorOfGP(db, principal, gpId: $0) } ?? false
    }

    /// Listing needs a relationship with the subject; the list is then filtered card by card.
    static func requireMayList(_ db: Database, _ principal: Principal, _ subject: FeedbackSubject) throws {
        switch subject {
        case .gp(let id):
            guard let organisationId = try Int64.fetchOne(db, sql: "SELECT organisationId FROM gp WHERE id = ?", arguments: [id])
            else { throw DomainError.notFound("No GP has that id") }
            let related =
                principal.gpId == id || isSupportTeam(principal, of: organisationId) || !principal.practiceIds.isEmpty
                || principal.holds(.mentor)
            if !related { throw DomainError.forbidden("You do not have permission to see feedback about this GP") }
        case .practice(let id):
            guard let practice = try Practice.fetchOne(db, id: id) else { throw DomainError.notFound("No practice has that id") }
            let related =
                principal.practiceIds.contains(id) || isSupportTeam(principal, of: practice.organisationId)
                || principal.gpId != nil
            if !related { throw DomainError.forbidden("You do not have permission to see feedback about this practice") }
        }
    }

    static func isMentorOfGP(_ db: Database, _ principal: Principal, gpId: Int64) throws -> Bool {
        guard principal.holds(.mentor) else { return false }
        let mentorId = try Int64.fetchOne(db, sql: "SELECT mentorId FROM gp WHERE id = ?", arguments: [gpId])
        return mentorId == principal.userId
    }

    static func isSupportTeam(_ principal: Principal, of organisationId: Int64) -> Bool {
        principal.organisationIds(as: .mentor).contains(organisationId)
            || principal.organisationIds(as: .liaisonOfficer).contains(organisationId)
    }
}

/// Feedback about one GP or one practice, added up. Ratings and comment counts appear only for those
/// who may read the cards; the support team sees the counts.
public struct FeedbackSummary: Sendable, Encodable {
    public struct Box: Sendable, Encodable {
        public var key: String
        public var title: String
        public var ratings: Int
        public var average: Double?
        /// How many cards commented on this box, and how many of those rated it 1 or 2.
        public var comments: Int
        public var lowRatings: Int
    }

    public struct Period: Sendable, Encodable {
        public struct Average: Sendable, Encodable {
            public var box: String
            public var average: Double
        }
        public var period: String
        public var cards: Int
        public var averages: [Average]
    }

    public var cardsIssued: Int
    public var cardsSubmitted: Int
    public var returnRate: Double?
    public var concernsRaised: Int
    public var concernsOpen: Int
    public var boxes: [Box]?
    public var periods: [Period]?
    /// Practice summaries, for the practice: whether any batch of GPs' anonymous cards is included yet.
    public var anonymousCardsIncluded: Bool?
}

/// What waits for a person and what they may read, for the feedback inbox.
public struct FeedbackInbox: Sendable {
    public var waiting: [FeedbackCardView]
    public var aboutMe: [FeedbackCardView]
    public var written: [FeedbackCardView]
    public var mentees: [FeedbackCardView]
    public var concerns: [ConcernListing]
    /// The support team's counts per organisation: no comments.
    public var organisationCounts: [(organisation: Organisation, summary: FeedbackSummary)]
}

extension AppDatabase {
    public func feedbackSummary(about subject: FeedbackSubject, by principal: Principal) async throws -> FeedbackSummary {
        try await read { db in
            let cards: [FeedbackCard]
            var contentCards: [FeedbackCard]? = nil
            var periodCards: [FeedbackCard]? = nil
            var anonymousIncluded: Bool? = nil
            var withheld: Set<Int64> = []
            switch subject {
            case .gp(let id):
                guard let gp = try GP.fetchOne(db, id: id) else { throw DomainError.notFound("No GP has that id") }
                try AccessPolicy.require(principal, .viewGP(gpId: id, organisationId: gp.organisationId))
                cards = try FeedbackCard.fetchAll(
                    db, sql: "SELECT * FROM feedbackCard WHERE gpId = ? AND direction = 'practice-about-gp' ORDER BY issuedAt",
                    arguments: [id])
                let mayReadCards = try principal.gpId == id || FeedbackAccess.isMentorOfGP(db, principal, gpId: id)
                if mayReadCards {
                    contentCards = cards.filter { $0.status == .submitted }
                }
            case .practice(let id):
                guard let practice = try Practice.fetchOne(db, id: id) else {
                    throw DomainError.notFound("No practice has that id")
                }
                try AccessPolicy.require(principal, .viewPractice(practiceId: id, organisationId: practice.organisationId))
                cards = try FeedbackCard.fetchAll(
                    db,
                    sql: "SELECT * FROM feedbackCard WHERE practiceId = ? AND direction = 'gp-about-practice' ORDER BY issuedAt",
                    arguments: [id])
                if principal.practiceIds.contains(id) {
                    let named = cards.filter { $0.status == .submitted && !$0.anonymous }
                    let released = FeedbackAccess.releasedAnonymousCards(cards)
                    contentCards = named + released
                    // By quarter of the session, an anonymous card would be dated against the bookings list.
                    periodCards = named
                    anonymousIncluded = !released.isEmpty
                    // Nor may the count of submitted cards move with one anonymous card.
                    let releasedIds = Set(released.compactMap(\.id))
                    withheld = Set(cards.filter { $0.status == .submitted && $0.anonymous }.compactMap(\.id))
                        .subtracting(releasedIds)
                }
            }
            // A concern on an anonymous card not yet released would date it too: counted only with its batch.
            let counted = cards.compactMap(\.id).filter { !withheld.contains($0) }
            let concerns = try Row.fetchAll(
                db,
                sql:
                    "SELECT closedAt FROM feedbackConcern WHERE cardId IN (SELECT value FROM json_each(?))",
                arguments: [String(describing: counted)])
            var summary = Self.counts(
                cards, concerns: concerns.count, open: concerns.filter { $0["closedAt"] == nil }.count, withheld: withheld)
            if let contentCards {
                summary.boxes = Self.ratings(contentCards).0
                summary.periods = Self.ratings(periodCards ?? contentCards).1
                summary.anonymousCardsIncluded = anonymousIncluded
            }
            return summary
        }
    }

    /// Cards in `withheld` (anonymous ones not yet released) count as not returned.
    static func counts(_ cards: [FeedbackCard], concerns: Int, open: Int, withheld: Set<Int64> = []) -> FeedbackSummary {
        let submitted = cards.filter { $0.status == .submitted && !withheld.contains($0.id ?? -1) }.count
        return FeedbackSummary(
            cardsIssued: cards.count, cardsSubmitted: submitted,
            returnRate: cards.isEmpty ? nil : Double(submitted) / Double(cards.count), concernsRaised: concerns,
            concernsOpen: open)
    }

    /// Average rating and comment counts per box, overall and per quarter of the session date.
    static func ratings(_ cards: [FeedbackCard]) -> ([FeedbackSummary.Box], [FeedbackSummary.Period]) {
        var titles: [String: String] = [:]
        var order: [String] = []
        for card in cards {
            for box in card.boxes {
                if titles[box.key] == nil { order.append(box.key) }
                titles[box.key] = box.title
            }
        }
        func average(_ values: [Int]) -> Double? {
            values.isEmpty ? nil : (Double(values.reduce(0, +)) / Double(values.count) * 100).rounded() / 100
        }
        let boxes = order.map { key in
            let answers = cards.compactMap { $0.answer(key) }
            let ratings = answers.compactMap(\.rating)
            return FeedbackSummary.Box(
                key: key, title: titles[key]!, ratings: ratings.count, average: average(ratings),
                comments: answers.filter { $0.comment != nil }.count,
                lowRatings: answers.filter { $0.comment != nil && ($0.rating ?? 5) <= 2 }.count)
        }
        let byQuarter = Dictionary(grouping: cards) { card -> String in
            let day = Day(card.issuedAt)
            return "\(day.year) Q\((day.month - 1) / 3 + 1)"
        }
        let periods = byQuarter.keys.sorted().map { period in
            let inPeriod = byQuarter[period]!
            return FeedbackSummary.Period(
                period: period, cards: inPeriod.count,
                averages: order.compactMap { key in
                    average(inPeriod.compactMap { $0.answer(key)?.rating }).map { .init(box: key, average: $0) }
                })
        }
        return (boxes, periods)
    }

    /// Everything feedback-shaped a person should see on their feedback page.
    public func feedbackInbox(for principal: Principal) async throws -> FeedbackInbox {
        let concerns = try await feedbackConcerns(by: principal)
        return try await read { db in
            func views(_ sql: String, _ arguments: StatementArguments) throws -> [FeedbackCardView] {
                try FeedbackCard.fetchAll(db, sql: sql + " LIMIT 200", arguments: arguments).map { try Self.cardView(db, $0) }
            }
            let practices = String(describing: principal.practiceIds)
            let gpId = principal.gpId ?? -1
            let waiting = try views(
                """
                SELECT * FROM feedbackCard WHERE status <> 'submitted' AND (
                    (direction = 'practice-about-gp' AND practiceId IN (SELECT value FROM json_each(?)))
                    OR (direction = 'gp-about-practice' AND gpId = ?))
                ORDER BY issuedAt
                """, [practices, gpId])
            let aboutMe = try views(
                """
                SELECT * FROM feedbackCard WHERE status = 'submitted' AND direction = 'practice-about-gp' AND gpId = ?
                ORDER BY submittedAt DESC
                """, [gpId])
            let written = try views(
                """
                SELECT * FROM feedbackCard WHERE status = 'submitted' AND (
                    (direction = 'practice-about-gp' AND practiceId IN (SELECT value FROM json_each(?)))
                    OR (direction = 'gp-about-practice' AND gpId = ?))
                ORDER BY submittedAt DESC
                """, [practices, gpId])
            let mentees =
                principal.holds(.mentor)
                ? try views(
                    """
                    SELECT * FROM feedbackCard WHERE status = 'submitted' AND direction = 'practice-about-gp'
                    AND gpId IN (SELECT id FROM gp WHERE mentorId = ?) ORDER BY submittedAt DESC
                    """, [principal.userId]) : []
            let team = Set(principal.organisationIds(as: .mentor) + principal.organisationIds(as: .liaisonOfficer)).sorted()
            let counts = try team.compactMap { organisationId -> (Organisation, FeedbackSummary)? in
                guard let organisation = try Organisation.fetchOne(db, id: organisationId) else { return nil }
                let cards = try FeedbackCard.fetchAll(
                    db, sql: "SELECT * FROM feedbackCard WHERE organisationId = ?", arguments: [organisationId])
                let concernRows = try Row.fetchAll(
                    db, sql: "SELECT closedAt FROM feedbackConcern WHERE organisationId = ?", arguments: [organisationId])
                return (
                    organisation,
                    Self.counts(cards, concerns: concernRows.count, open: concernRows.filter { $0["closedAt"] == nil }.count)
                )
            }
            return FeedbackInbox(
                waiting: waiting, aboutMe: aboutMe, written: written, mentees: mentees, concerns: concerns,
                organisationCounts: counts)
        }
    }
}

/// What a person may do with a feedback card they are reading: worked out here, for the card's page.
public enum FeedbackCardCapability: String, Sendable, CaseIterable, Codable {
    /// Fill it in (its author, before it is submitted).
    case edit
    /// Add a dated addendum, or raise it as a concern (its author, once submitted).
    case addAddendum
    case raiseConcern
    /// Use it for appraisal, with a reflection (the GP it is about).
    case markForAppraisal
    /// Record contact, response and outcome of its concern (the mentor or the liaison officer).
    case handleConcern
    /// Open a support case from its concern (the GP's own mentor).
    case openSupportCase
}

/// A card's capabilities, and the support case its concern opened where the reader may follow it.
public struct FeedbackCardRights: Sendable {
    public var may: Set<FeedbackCardCapability>
    public var supportCaseId: Int64?
}

extension AppDatabase {
    /// What the person (or, `viaLink`, whoever holds the card's emailed link) may do with the card.
    public func feedbackCardRights(_ view: FeedbackCardView, by principal: Principal?, viaLink: Bool) async throws
        -> FeedbackCardRights
    {
        let card = view.card
        let isAuthor = viaLink || (principal.map(card.isAuthor) ?? false)
        let submitted = card.status == .submitted
        var may: Set<FeedbackCardCapability> = []
        if isAuthor && !submitted { may.insert(.edit) }
        if isAuthor && submitted && !viaLink {
            may.insert(.addAddendum)
            if view.concern == nil { may.insert(.raiseConcern) }
        }
        guard let principal else { return FeedbackCardRights(may: may, supportCaseId: nil) }
        let aboutGP = card.direction == .practiceAboutGP
        if aboutGP && submitted && principal.gpId == card.gpId { may.insert(.markForAppraisal) }
        var caseId: Int64?
        if let concern = view.concern {
            if try await mayHandleFeedbackConcern(concern, by: principal) { may.insert(.handleConcern) }
            caseId = try await supportCaseId(forConcern: concern.id!, by: principal)
            if aboutGP, caseId == nil, try await isMentor(ofGP: card.gpId, principal) { may.insert(.openSupportCase) }
        }
        return FeedbackCardRights(may: may, supportCaseId: caseId)
    }
}
