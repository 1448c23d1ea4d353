import Foundation
import SGPSupport

/// The GPs who could take one session of a run instead (`/clearing-runs/{id}/sessions/{sessionId}`),
/// best first, each with the reasons they rank where they do.
struct ClearingSwapPage: Sendable {
    struct Choice: Sendable {
        var gpId: Int64
        var name: String
        var reasons: [String]
        /// The GP the run proposes for the session now.
        var current: Bool
    }

    var page: PageChrome
    var runId: Int64
    var sessionId: Int64
    var heading: String
    var candidates: [Choice]
    var hasCandidates: Bool

    /// `candidates` are the eligible ones, best first, as the domain ranks them.
    init(page: PageChrome, view: ClearingRunView, listing: SessionListing, candidates: [Candidate]) {
        let session = listing.session
        let current = view.proposals.first { $0.session.id == session.id }?.proposal.gpId
        self.page = page
        runId = view.run.id!
        sessionId = session.id!
        heading =
            "\(session.kind.title) at \(listing.practice.name), \(session.date.displayText) \(session.start)–\(session.end)"
            + (ClearingRunPage.skillsText(session, names: view.skillNames).map { ". \($0)" } ?? "")
        self.candidates = candidates.map {
            Choice(gpId: $0.gpId, name: $0.name, reasons: $0.reasons, current: $0.gpId == current)
        }
        hasCandidates = !candidates.isEmpty
    }
}
