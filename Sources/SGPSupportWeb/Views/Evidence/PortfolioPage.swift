import Foundation
import SGPSupport

/// The printable appraisal portfolio (`/gps/{id}/portfolio/{year}`): the scope of work from the
/// bookings, then the GP's complete evidence by the appraisal's sections. Every date in it reads
/// as "Mon 7 Dec 2026"; the appraisal year as "2026/27".
struct PortfolioPage: Sendable {
    struct Detail: Sendable {
        var label: String
        var value: String
    }

    struct WorkRow: Sendable {
        var label: String
        var sessions: Int
        var hours: String
    }

    struct EntryBlock: Sendable {
        var title: String
        var kind: String
        var date: String
        var practice: String?
        var details: [Detail]
        var tags: String?

        init(_ entry: Portfolio.Entry) {
            title = entry.title
            kind = entry.kindTitle
            date = entry.date.displayText
            practice = entry.practice
            details = entry.details.map { Detail(label: $0.label, value: $0.shown) }
            tags = entry.tags.isEmpty ? nil : entry.tags.joined(separator: ", ")
        }
    }

    struct Section: Sendable {
        var title: String
        var entries: [EntryBlock]
        var isEmpty: Bool
    }

    /// A released feedback round: its collated report, the GP's reflection, and the revalidation cycle.
    struct RoundBlock: Sendable {
        var title: String
        var closedOn: String
        var cycle: String?
        var report: FeedbackRoundReportSection
        var reflection: String?
        var link: String
    }

    struct CardBlock: Sendable {
        var practice: String
        var date: String
        var answers: [Detail]
        var comment: String?
        var reflection: String
    }

    var page: PageChrome
    var gpName: String
    var gmcNumber: String
    var registrationName: String
    var yearLabel: String
    var sharedEntriesOnly: Bool
    var from: String
    var to: String
    var generatedOn: String
    var sessions: Int
    var hours: String
    var practices: [WorkRow]
    var sessionKinds: [WorkRow]
    var cpdTitle: String
    var cpdHours: String
    var cpdTarget: String
    var cpdEntries: [EntryBlock]
    /// The sections after CPD, but for feedback (which has its cards).
    var sections: [Section]
    var feedbackTitle: String
    var feedbackEntries: [EntryBlock]
    var cards: [CardBlock]
    var rounds: [RoundBlock]
    var summary: [Detail]
    var previousYear: String
    var nextYear: String
    var dataLink: String

    init(page: PageChrome, portfolio: Portfolio) {
        self.page = page
        gpName = portfolio.gpName
        gmcNumber = portfolio.gmcNumber
        registrationName = portfolio.registrationNumberName
        yearLabel = portfolio.yearLabel
        sharedEntriesOnly = portfolio.sharedEntriesOnly
        from = portfolio.from.displayText
        to = portfolio.to.displayText
        generatedOn = portfolio.generatedOn.displayText
        sessions = portfolio.scopeOfWork.sessions
        hours = HoursText.of(portfolio.scopeOfWork.hours)
        practices = portfolio.scopeOfWork.practices.map {
            WorkRow(label: "\($0.name) (\($0.odsCode))", sessions: $0.sessions, hours: HoursText.of($0.hours))
        }
        sessionKinds = portfolio.scopeOfWork.sessionKinds.map {
            WorkRow(label: $0.title, sessions: $0.sessions, hours: HoursText.of($0.hours))
        }
        cpdTitle = PortfolioSection.cpd.title
        cpdHours = HoursText.of(portfolio.cpd.hours)
        cpdTarget = HoursText.of(portfolio.cpd.target)
        cpdEntries = portfolio.cpd.entries.map(EntryBlock.init)
        let inOrder: [(PortfolioSection, [Portfolio.Entry])] = [
            (.qualityImprovement, portfolio.qualityImprovement), (.significantEvents, portfolio.significantEvents),
            (.learningNeeds, portfolio.learningNeeds), (.other, portfolio.other),
        ]
        sections = inOrder.map { Section(title: $0.0.title, entries: $0.1.map(EntryBlock.init), isEmpty: $0.1.isEmpty) }
        feedbackTitle = PortfolioSection.feedback.title
        feedbackEntries = portfolio.feedback.entries.map(EntryBlock.init)
        cards = portfolio.feedback.cards.map { card in
            CardBlock(
                practice: card.practice, date: card.sessionDate.displayText,
                answers: card.answers.map {
                    Detail(
                        label: $0.box, value: [$0.ratingText, $0.comment ?? ""].filter { !$0.isEmpty }.joined(separator: ". "))
                }, comment: card.comment, reflection: card.reflection)
        }
        rounds = portfolio.feedback.rounds.map { round in
            let responses = round.report.groups.map(\.responses).reduce(0, +)
            return RoundBlock(
                title: round.kind.title, closedOn: round.closedOn?.displayText ?? "",
                cycle: round.revalidationDueOn.map { "For the revalidation due on \($0.displayText)" },
                report: FeedbackRoundReportSection(
                    round.report, kind: round.kind, gpName: portfolio.gpName, responses: responses),
                reflection: round.reflection, link: "/feedback-rounds/\(round.roundId)")
        }
        summary = portfolio.summary.map { Detail(label: $0.measure, value: HoursText.of($0.count)) }
        previousYear = "/gps/\(portfolio.gpId)/portfolio/\(portfolio.year - 1)"
        nextYear = "/gps/\(portfolio.gpId)/portfolio/\(portfolio.year + 1)"
        dataLink = "/api/v1/gps/\(portfolio.gpId)/portfolio?year=\(portfolio.year)"
    }
}
