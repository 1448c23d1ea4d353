import Foundation
import SGPSupport

/// Feedback about one GP or one practice, added up (`/gps/{id}/feedback`, `/practices/{id}/feedback`):
/// ratings for those who may read the cards, counts for the support team.
struct FeedbackSummaryPage: Sendable {
    struct BoxRow: Sendable {
        var title: String
        var ratings: Int
        var average: String
        var comments: Int
        var lowRatings: Int
    }

    struct PeriodRow: Sendable {
        var period: String
        var cards: Int
        var averages: String
    }

    var page: PageChrome
    var heading: String
    var issued: Int
    var submitted: Int
    var returnRate: String
    var concernsRaised: Int
    var concernsOpen: Int
    var showsRatings: Bool
    var boxes: [BoxRow]
    var periods: [PeriodRow]
    var anonymousNote: String?
    var cards: [FeedbackCardRow]

    init(page: PageChrome, heading: String, summary: FeedbackSummary, cards: [FeedbackCardView]) {
        let titles = Dictionary((summary.boxes ?? []).map { ($0.key, $0.title) }) { _, last in last }
        func average(_ value: Double) -> String { String(format: "%.1f", value) }
        self.page = page
        self.heading = heading
        issued = summary.cardsIssued
        submitted = summary.cardsSubmitted
        returnRate = FeedbackCardRow.percent(summary.returnRate)
        concernsRaised = summary.concernsRaised
        concernsOpen = summary.concernsOpen
        showsRatings = summary.boxes != nil
        boxes = (summary.boxes ?? []).map {
            BoxRow(
                title: $0.title, ratings: $0.ratings, average: $0.average.map(average) ?? "–", comments: $0.comments,
                lowRatings: $0.lowRatings)
        }
        periods = (summary.periods ?? []).map { period in
            PeriodRow(
                period: period.period, cards: period.cards,
                averages: period.averages.map { "\(titles[$0.box] ?? $0.box) \(average($0.average))" }
                    .joined(separator: "; "))
        }
        let threshold = FeedbackAccess.anonymityThreshold
        anonymousNote = summary.anonymousCardsIncluded.map { _ in
            "Cards GPs send anonymously count here only combined, \(threshold) at a time: the figures take them in "
                + "once \(threshold) more have arrived, and never by quarter."
        }
        self.cards = cards.map(FeedbackCardRow.init)
    }
}
