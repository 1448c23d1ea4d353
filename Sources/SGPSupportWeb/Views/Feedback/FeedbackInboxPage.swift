import Foundation
import SGPSupport

/// One card in a list (the inbox, a summary): which way it goes, the session's date, where it stands.
struct FeedbackCardRow: Sendable {
    var id: Int64
    var link: String
    var title: String
    var date: String
    var status: String
    var concern: String?
    var forAppraisal: Bool

    init(_ view: FeedbackCardView) {
        let card = view.card
        id = card.id!
        link = "/feedback/cards/\(card.id!)"
        // An anonymous card names nobody, even to those who may read it.
        title =
            card.direction == .gpAboutPractice && card.anonymous
            ? "A GP (anonymous) about \(view.practiceName)"
            : Self.title(card.direction, gpName: view.gpName, practiceName: view.practiceName)
        date = view.sessionDate.displayText
        status = card.status.title
        concern = view.concern.map { "\($0.severity.title) concern" }
        forAppraisal = card.useForAppraisal
    }

    /// "Abbey Road Surgery about Dr Amelia Hartwell": who wrote about whom.
    static func title(_ direction: FeedbackDirection, gpName: String, practiceName: String) -> String {
        switch direction {
        case .practiceAboutGP: "\(practiceName) about \(gpName)"
        case .gpAboutPractice: "\(gpName) about \(practiceName)"
        }
    }

    /// "67%", or a dash when nothing was issued.
    static func percent(_ rate: Double?) -> String {
        rate.map { "\(Int(($0 * 100).rounded()))%" } ?? "–"
    }
}

/// The feedback inbox (`/feedback`): cards waiting to be filled in, cards about the person and
/// those they sent; for the support team, concerns and each organisation's counts.
struct FeedbackInboxPage: Sendable {
    struct ConcernRow: Sendable {
        var cardId: Int64
        var link: String
        var severity: String
        var serious: Bool
        var title: String
        var raised: String
        var status: String
    }

    struct CountRow: Sendable {
        var organisation: String
        var issued: Int
        var submitted: Int
        var returnRate: String
        var concernsOpen: Int
    }

    var page: PageChrome
    /// Cards this person is to fill in, oldest first.
    var waiting: [FeedbackCardRow]
    var aboutMe: [FeedbackCardRow]
    var written: [FeedbackCardRow]
    var mentees: [FeedbackCardRow]
    var concerns: [ConcernRow]
    var hasConcerns: Bool
    var counts: [CountRow]
    var isGP: Bool
    var isMentor: Bool
    var isTeam: Bool
    var gpId: Int64?
    var practiceIds: [Int64]

    init(page: PageChrome, inbox: FeedbackInbox, reach: Reach) {
        self.page = page
        waiting = inbox.waiting.map(FeedbackCardRow.init)
        aboutMe = inbox.aboutMe.map(FeedbackCardRow.init)
        written = inbox.written.map(FeedbackCardRow.init)
        mentees = inbox.mentees.map(FeedbackCardRow.init)
        concerns = inbox.concerns.map {
            ConcernRow(
                cardId: $0.card.id!, link: "/feedback/cards/\($0.card.id!)", severity: $0.concern.severity.title,
                serious: $0.concern.severity == .serious,
                title: FeedbackCardRow.title($0.card.direction, gpName: $0.gpName, practiceName: $0.practiceName),
                raised: Day($0.concern.raisedAt).displayText, status: $0.concern.isOpen ? "Open" : "Closed")
        }
        hasConcerns = !inbox.concerns.isEmpty
        counts = inbox.organisationCounts.map {
            CountRow(
                organisation: $0.organisation.name, issued: $0.summary.cardsIssued, submitted: $0.summary.cardsSubmitted,
                returnRate: FeedbackCardRow.percent($0.summary.returnRate), concernsOpen: $0.summary.concernsOpen)
        }
        isGP = reach.isGP
        isMentor = reach.mentors
        isTeam = reach.isSupportTeam
        gpId = reach.ownGPId
        practiceIds = reach.practiceIds
    }
}
