import Foundation
import SGPSupport

/// Before a run's offers go (`/clearing-runs/{id}/send`): offers reach GPs at once and cannot be
/// called back, so the page lists each, and only its one button sends.
struct ClearingRunSendPage: Sendable {
    var page: PageChrome
    var runId: Int64
    var heading: String
    /// "Wed 16 Dec 2026, 08:30–12:30: Surgery at Abbey Road Group Practice, to Dr Amelia Hartwell".
    var offers: [String]
    var hasOffers: Bool

    init(page: PageChrome, view: ClearingRunView) {
        self.page = page
        runId = view.run.id!
        let count = view.proposals.count
        let week = view.run.isoWeek.map { " for \($0.displayText)" } ?? ""
        heading = "Send \(count) offer\(count == 1 ? "" : "s")\(week)?"
        offers = view.proposals.map {
            "\($0.session.date.displayText), \($0.session.start)–\($0.session.end): \($0.session.kind.title) at "
                + "\($0.practice.name), to \($0.gpName)"
        }
        hasOffers = count > 0
    }
}
