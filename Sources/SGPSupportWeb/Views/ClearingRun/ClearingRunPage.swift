import Foundation
import SGPSupport

/// A clearing run (`/clearing-runs/{id}`): the proposals by day, each with the reasons its GP was
/// chosen; the sessions left unfilled with why and the GPs who fail only one rule; and the way to
/// send the offers.
struct ClearingRunPage: Sendable {
    struct Proposal: Sendable {
        var sessionId: Int64
        var time: String
        var practice: String
        var kind: String
        /// "Needs Coil fitting", when the session asks for skills.
        var skills: String?
        var gpName: String
        /// What the GP's score was made of, in words (never the number).
        var reasons: [String]
        var pinned: Bool
        var offered: Bool
    }

    struct NearMiss: Sendable {
        var gpName: String
        /// The GP's register entry, for those who may open it.
        var link: String?
        /// The one rule the GP fails ("Not available on Wednesday mornings").
        var reason: String
        /// Said when the GP can lift the rule themselves.
        var fix: String?
    }

    struct Unfilled: Sendable {
        var sessionId: Int64
        var time: String
        var practice: String
        var kind: String
        var skills: String?
        var reason: String
        var why: String
        var nearMisses: [NearMiss]
        var hasNearMisses: Bool
    }

    struct DaySection: Sendable {
        var heading: String
        var proposals: [Proposal]
        var unfilled: [Unfilled]
        var hasProposals: Bool
        var hasUnfilled: Bool
    }

    /// What the page says of a near miss whose rule is the GP's to change.
    static let gpCanFixText = "The GP can change this themselves, in their availability."

    var page: PageChrome
    var runId: Int64
    var organisationId: Int64
    /// "w/c 14 Dec 2026".
    var week: String
    var summary: String
    var days: [DaySection]
    var hasProposals: Bool
    var canChange: Bool
    var optimal: Bool

    init(page: PageChrome, view: ClearingRunView) {
        let run = view.run
        self.page = page
        runId = run.id!
        organisationId = run.organisationId
        week = Self.weekText(run)
        summary =
            "\(run.filled) of \(run.sessionCount) open sessions proposed"
            + (run.status == .sent ? "; offers sent \(run.sentAt.map(DisplayDate.dayAndTime) ?? "")." : ".")
        days = Self.days(view)
        hasProposals = !view.proposals.isEmpty
        canChange = run.status == .proposed
        optimal = run.optimal
    }

    static func weekText(_ run: ClearingRun) -> String { run.isoWeek?.displayText ?? run.week }

    /// The page's title, for its chrome.
    static func title(_ run: ClearingRun) -> String { "Clearing run, \(weekText(run))" }

    /// "Needs Coil fitting and Minor surgery", by the organisation's names for the skills.
    static func skillsText(_ session: ClinicalSession, names: [String: String]) -> String? {
        let skills = session.requiredSkills.map { names[$0] ?? $0 }
        guard let last = skills.last else { return nil }
        return "Needs " + (skills.count == 1 ? last : skills.dropLast().joined(separator: ", ") + " and " + last)
    }

    /// The proposals and the unfilled sessions, by date.
    static func days(_ view: ClearingRunView) -> [DaySection] {
        func time(_ session: ClinicalSession) -> String { "\(session.start)–\(session.end)" }
        let dates = Set(view.proposals.map(\.session.date) + view.unfilled.map(\.session.date)).sorted()
        return dates.map { date -> DaySection in
            let proposals = view.proposals.filter { $0.session.date == date }.map { proposed -> Proposal in
                Proposal(
                    sessionId: proposed.session.id!, time: time(proposed.session), practice: proposed.practice.name,
                    kind: proposed.session.kind.title, skills: skillsText(proposed.session, names: view.skillNames),
                    gpName: proposed.gpName, reasons: proposed.proposal.reasons.map(\.text),
                    pinned: proposed.proposal.pinned, offered: proposed.proposal.offerId != nil)
            }
            let unfilled = view.unfilled.filter { $0.session.date == date }.map { left -> Unfilled in
                let nearMisses = left.nearMisses.map { seen -> NearMiss in
                    NearMiss(
                        gpName: seen.nearMiss.gpName,
                        link: seen.may.contains(.seeEntry) ? "/gps/\(seen.nearMiss.gpId)" : nil,
                        reason: seen.nearMiss.reason, fix: seen.nearMiss.gpCanFix ? gpCanFixText : nil)
                }
                return Unfilled(
                    sessionId: left.session.id!, time: time(left.session), practice: left.practice.name,
                    kind: left.session.kind.title, skills: skillsText(left.session, names: view.skillNames),
                    reason: left.unfilled.reason.title, why: left.unfilled.why, nearMisses: nearMisses,
                    hasNearMisses: !nearMisses.isEmpty)
            }
            return DaySection(
                heading: date.displayText, proposals: proposals, unfilled: unfilled, hasProposals: !proposals.isEmpty,
                hasUnfilled: !unfilled.isEmpty)
        }
    }
}
