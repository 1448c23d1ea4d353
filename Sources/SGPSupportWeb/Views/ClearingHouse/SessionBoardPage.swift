import Foundation
import SGPSupport

/// The session boards (`Templates/sessions.mustache`): the support team's open sessions or a
/// practice's own (`/sessions`), and a GP's work available with the offers waiting for them (`/work`).
struct SessionBoardPage: Sendable {
    struct OfferRow: Sendable {
        var id: Int64
        var sessionId: Int64
        var text: String
        var rate: String
        var expires: String
        var timeLeft: String
    }

    var page: PageChrome
    var heading: String
    var rows: [SessionRow]
    var canPost: Bool
    var isGP: Bool
    var offers: [OfferRow]
    var hasOffers: Bool

    /// A practice's or the support team's board.
    init(page: PageChrome, board: AppDatabase.SessionBoard, skills: SkillNames) {
        self.page = page
        heading = board.kind == .supportTeam ? "Open sessions" : "Your practice's sessions"
        rows = board.sessions.map { SessionRow($0, skills: skills) }
        canPost = board.mayPost
        isGP = false
        offers = []
        hasOffers = false
    }

    /// A GP's work available, with the offers still standing first.
    init(page: PageChrome, work: [SessionListing], offers: [(Offer, SessionListing)], skills: SkillNames, now: Date) {
        self.page = page
        heading = "Work available to you"
        rows = work.map { SessionRow($0, skills: skills) }
        canPost = false
        isGP = true
        self.offers = offers.filter { $0.0.effectiveStatus(now: now) == Offer.Status.pending.rawValue }.map { offer, listing in
            let session = listing.session
            return OfferRow(
                id: offer.id!, sessionId: session.id!,
                text:
                    "\(listing.practice.name): \(session.kind.title.lowercased()), \(session.date.displayText) "
                    + "\(session.start)–\(session.end)",
                rate: session.rateText, expires: DisplayDate.dayAndTime(offer.expiresAt),
                timeLeft: TimeLeft.words(until: offer.expiresAt, now: now))
        }
        hasOffers = !self.offers.isEmpty
    }
}
