import Foundation
import SGPSupport

/// A GP's feedback rounds: `/feedback-rounds` for the GP, with the buttons that ask for a colleague
/// or a patient round, and `/gps/{id}/feedback-rounds` for their liaison officer. Each round says
/// its kind, its state and where it stands, and links to its page.
struct FeedbackRoundsPage: Sendable {
    /// Where a refused request's message links to: the buttons that ask.
    static let askAnchor = "kind"

    struct Row: Sendable {
        var link: String
        var kind: String
        var status: String
        var standing: String
    }

    struct AskButton: Sendable {
        /// The kind's code, posted as `kind` (never shown).
        var kind: String
        var label: String
    }

    var page: PageChrome
    var heading: String
    var intro: String
    var rounds: [Row]
    var hasRounds: Bool
    /// The GP's own page: it offers to ask for a round (the domain decides whether one may be asked for).
    var ownPage: Bool
    var askButtons: [AskButton]
    var askAnchor: String

    /// `rounds` are the GP's, newest first, as the domain lists them; `gpName` names the GP on the
    /// liaison officer's page (the GP's own page says "your").
    init(page: PageChrome, rounds: [FeedbackRoundView], gpName: String?, ownPage: Bool) {
        self.page = page
        self.ownPage = ownPage
        heading = ownPage ? "Your feedback rounds" : "Feedback rounds: \(gpName ?? "GP")"
        intro =
            ownPage
            ? "Colleague and patient feedback for your revalidation. You ask for a round; the support team opens it and "
                + "asks colleagues where you have worked, and your practices hand patients slips. Nobody sees who answered "
                + "or any single answer: once enough have answered, the collated report is yours."
            : "The rounds \(gpName ?? "the GP") has asked for. Open a requested round from its page, with the date it "
                + "closes: the colleagues to ask are chosen from the practices where the GP worked."
        self.rounds = rounds.map { view in
            Row(
                link: "/feedback-rounds/\(view.round.id!)", kind: view.round.kind.title, status: view.round.status.title,
                standing: view.standing)
        }
        hasRounds = !rounds.isEmpty
        askButtons = FeedbackRound.Kind.choices.map { AskButton(kind: $0.code, label: "Ask for \($0.title.lowercased())") }
        askAnchor = Self.askAnchor
    }
}
