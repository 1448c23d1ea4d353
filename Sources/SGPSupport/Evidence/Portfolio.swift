import Foundation
import GRDB

/// A GP's appraisal portfolio for one appraisal year: the scope of work computed from their
/// bookings, and their complete evidence grouped into the sections an appraisal asks about.
public struct Portfolio: Sendable, Encodable {
    public struct PracticeWork: Sendable, Encodable {
        public var id: Int64
        public var name: String
        public var odsCode: String
        public var sessions: Int
        public var hours: Double
    }

    public struct SessionKindWork: Sendable, Encodable {
        public var kind: String
        public var title: String
        public var sessions: Int
        public var hours: Double
    }

    public struct ScopeOfWork: Sendable, Encodable {
        public var sessions: Int
        public var hours: Double
        public var practices: [PracticeWork]
        public var sessionKinds: [SessionKindWork]
        public var firstSession: Day?
        public var lastSession: Day?
    }

    public struct Detail: Sendable, Encodable {
        public var key: String
        public var label: String
        /// As stored (dates as YYYY-MM-DD): what the JSON carries.
        public var value: String
        /// As the printed portfolio shows it (dates as "Mon 7 Dec 2026"); not in the JSON.
        public var shown: String

        enum CodingKeys: String, CodingKey {
            case key, label, value
        }
    }

    public struct Entry: Sendable, Encodable {
        public var id: Int64
        public var kind: String
        public var kindTitle: String
        public var title: String
        public var date: Day
        public var practice: String?
        public var details: [Detail]
        public var tags: [String]
    }

    public struct CardAnswer: Sendable, Encodable {
        public var box: String
        public var rating: Int?
        public var ratingText: String
        public var comment: String?
    }

    /// A practice's card about the GP that they chose for appraisal, with their reflection.
    public struct FeedbackCardEvidence: Sendable, Encodable {
        public var cardId: Int64
        public var practice: String
        public var sessionDate: Day
        public var answers: [CardAnswer]
        public var comment: String?
        public var reflection: String
    }

    /// A released colleague or patient round: its collated report, and the GP's reflection, dated
    /// against the five-year revalidation cycle.
    public struct FeedbackRoundEvidence: Sendable, Encodable {
        public var roundId: Int64
        public var kind: FeedbackRound.Kind
        public var closedOn: Day?
        public var revalidationDueOn: Day?
        public var report: FeedbackRoundReport
        public var reflection: String?
    }

    public struct CPD: Sendable, Encodable {
        public var hours: Double
        public var target: Double
        public var entries: [Entry]
    }

    public struct Feedback: Sendable, Encodable {
        public var cards: [FeedbackCardEvidence]
        public var entries: [Entry]
        /// Formal rounds (the GP's own portfolio; a mentor's view of what is shared leaves them out).
        public var rounds: [FeedbackRoundEvidence] = []
    }

    public struct SummaryRow: Sendable, Encodable {
        public var measure: String
        public var count: Double
    }

    public var gpId: Int64
    public var gpName: String
    /// The registration number (its first name kept for API clients).
    public var gmcNumber: String
    /// What the number is called: "GMC number", "NMC PIN", "GPhC number".
    public var registrationNumberName: String
    public var year: Int
    public var yearLabel: String
    public var from: Day
    public var to: Day
    public var generatedOn: Day
    /// True when the reader is the mentor: only entries the GP shared are in it.
    public var sharedEntriesOnly: Bool
    public var scopeOfWork: ScopeOfWork
    public var cpd: CPD
    public var qualityImprovement: [Entry]
    public var significantEvents: [Entry]
    public var feedback: Feedback
    public var learningNeeds: [Entry]
    public var other: [Entry]
    public var summary: [SummaryRow]
}

extension AppDatabase {
    /// The portfolio for the GP (everything complete) or their mentor (what the GP shared).
    public func portfolio(gpId: Int64, year: Int?, by principal: Principal) async throws -> Portfolio {
        let today = clock.today
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            let isOwner = try Self.requireOwnerOrMentor(db, principal, gpId: gpId)
            let appraisalYear =
                year.map { AppraisalYear(startYear: $0, month: gp.appraisalYearMonth) }
                ?? AppraisalYear(containing: today, month: gp.appraisalYearMonth)
            guard (1990...2200).contains(appraisalYear.startYear) else {
                throw DomainError.validationFailed(ValidationErrors(field: "year", message: "Give the year as four digits"))
            }
            return try Self.portfolio(db, gp: gp, year: appraisalYear, sharedOnly: !isOwner, today: today)
        }
    }

    static func portfolio(_ db: Database, gp: GP, year: AppraisalYear, sharedOnly: Bool, today: Day) throws -> Portfolio {
        let gpId = gp.id!
        let entries = try EvidenceEntry.fetchAll(
            db,
            sql: """
                SELECT * FROM evidenceEntry WHERE gpId = ? AND status = 'complete' AND date BETWEEN ? AND ?
                """ + (sharedOnly ? " AND sharedWithMentor" : "") + " ORDER BY date, id",
            arguments: [gpId, year.from, year.to])
        let names = try practiceNames(db, entries.compactMap(\.practiceId))
        func shown(_ entry: EvidenceEntry) -> Portfolio.Entry {
            Portfolio.Entry(
                id: entry.id!, kind: entry.kind.rawValue, kindTitle: entry.kind.title, title: entry.title, date: entry.date,
                practice: entry.practiceId.flatMap { names[$0] },
                details: entry.kind.fields.compactMap { field in
                    entry.detail(field.key).map {
                        Portfolio.Detail(key: field.key, label: field.label, value: $0, shown: field.displayText($0))
                    }
                },
                tags: entry.tags)
        }
        func section(_ section: PortfolioSection) -> [Portfolio.Entry] {
            entries.filter { $0.kind.portfolioSection == section && $0.kind != .feedbackReflection }.map(shown)
        }
        var cards: [Portfolio.FeedbackCardEvidence] = []
        for entry in entries where entry.kind == .feedbackReflection {
            guard let cardId = entry.feedbackCardId, let card = try FeedbackCard.fetchOne(db, id: cardId) else { continue }
            let view = try cardView(db, card)
            cards.append(
                Portfolio.FeedbackCardEvidence(
                    cardId: cardId, practice: view.practiceName, sessionDate: view.sessionDate,
                    answers: card.boxes.compactMap { box in
                        guard let answer = card.answer(box.key), answer.rating != nil || answer.comment != nil else {
                            return nil
                        }
                        return Portfolio.CardAnswer(
                            box: box.title, rating: answer.rating,
                            ratingText: box.rated ? FeedbackRating.label(answer.rating) : "", comment: answer.comment)
                    },
                    comment: card.comment, reflection: entry.detail("reflection") ?? ""))
        }
        let scope = try scopeOfWork(db, gpId: gpId, year: year)
        let cpdEntries = section(.cpd)
        let cpdHours = entries.reduce(0) { $0 + $1.cpdHours }
        let feedback = Portfolio.Feedback(
            cards: cards, entries: section(.feedback), rounds: sharedOnly ? [] : try Self.roundEvidence(db, gp: gp))
        let qualityImprovement = section(.qualityImprovement)
        let significantEvents = section(.significantEvents)
        let learningNeeds = section(.learningNeeds)
        let other = section(.other)
        let summary: [Portfolio.SummaryRow] = [
            .init(measure: "Sessions worked", count: Double(scope.sessions)),
            .init(measure: "Hours worked", count: scope.hours),
            .init(measure: "Practices worked at", count: Double(scope.practices.count)),
            .init(measure: "CPD hours", count: cpdHours),
            .init(measure: "CPD entries", count: Double(cpdEntries.count)),
            .init(measure: "Quality improvement activities", count: Double(qualityImprovement.count)),
            .init(measure: "Significant events", count: Double(significantEvents.count)),
            .init(measure: "Feedback cards used for appraisal", count: Double(cards.count)),
            .init(measure: "Other feedback (surveys, admissions)", count: Double(feedback.entries.count)),
            .init(measure: "Learning needs", count: Double(learningNeeds.count)),
            .init(measure: "Other evidence", count: Double(other.count)),
        ]
        return Portfolio(
            gpId: gpId, gpName: gp.name, gmcNumber: gp.registrationNumber,
            registrationNumberName: gp.registrationNumberName, year: year.startYear, yearLabel: year.label, from: year.from,
            to: year.to, generatedOn: today, sharedEntriesOnly: sharedOnly, scopeOfWork: scope,
            cpd: Portfolio.CPD(
                hours: cpdHours, target: try cpdTarget(db, organisationId: gp.organisationId), entries: cpdEntries),
            qualityImprovement: qualityImprovement, significantEvents: significantEvents, feedback: feedback,
            learningNeeds: learningNeeds, other: other, summary: summary)
    }

    /// Completed sessions in the year, from the bookings: never typed in by anyone.
    static func scopeOfWork(_ db: Database, gpId: Int64, year: AppraisalYear) throws -> Portfolio.ScopeOfWork {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT p.id, p.name, p.odsCode, s.kind, b.date, (b.endMinute - b.startMinute) AS minutes
                FROM booking b JOIN clinicalSession s ON s.id = b.sessionId JOIN practice p ON p.id = s.practiceId
                WHERE b.gpId = ? AND b.status = 'completed' AND b.date BETWEEN ? AND ?
                ORDER BY b.date
                """, arguments: [gpId, year.from, year.to])
        var practices: [Int64: Portfolio.PracticeWork] = [:]
        var kinds: [String: Portfolio.SessionKindWork] = [:]
        for row in rows {
            let hours = Double(row["minutes"] as Int) / 60
            let id: Int64 = row["id"]
            practices[id, default: .init(id: id, name: row["name"], odsCode: row["odsCode"], sessions: 0, hours: 0)].sessions += 1
            practices[id]!.hours += hours
            let kind: String = row["kind"]
            let title = ClinicalSession.Kind(rawValue: kind)?.title ?? kind
            kinds[kind, default: .init(kind: kind, title: title, sessions: 0, hours: 0)].sessions += 1
            kinds[kind]!.hours += hours
        }
        return Portfolio.ScopeOfWork(
            sessions: rows.count, hours: rows.reduce(0) { $0 + Double($1["minutes"] as Int) / 60 },
            practices: practices.values.sorted { ($1.sessions, $0.name) < ($0.sessions, $1.name) },
            sessionKinds: kinds.values.sorted { ($1.sessions, $0.title) < ($0.sessions, $1.title) },
            firstSession: rows.first?["date"], lastSession: rows.last?["date"])
    }
}
