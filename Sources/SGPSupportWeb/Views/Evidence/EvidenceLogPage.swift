import Foundation
import SGPSupport

/// One evidence entry in a list.
struct EvidenceEntryRow: Sendable {
    var id: Int64
    var link: String
    var title: String
    var kind: String
    var date: String
    var status: String
    var isDraft: Bool
    var practice: String?
    var shared: Bool
    var followUp: String?

    init(_ entry: EvidenceEntry, practices: [Int64: String]) {
        id = entry.id!
        link = "/evidence/\(entry.id!)"
        title = entry.title
        kind = entry.kind.title
        date = entry.date.displayText
        status = entry.status.title
        isDraft = entry.status == .draft
        practice = entry.practiceId.flatMap { practices[$0] }
        shared = entry.sharedWithMentor
        followUp = entry.followUpOn?.displayText
    }
}

/// A locally agreed audit in a list.
struct AuditTopicRow: Sendable {
    var id: Int64
    var title: String
    var criteria: String
    var closes: String?
    var joined: Int
    var completed: Int
    var myEntryId: Int64?

    init(_ listing: AuditTopicListing) {
        id = listing.topic.id!
        title = listing.topic.title
        criteria = listing.topic.criteria
        closes = listing.topic.closesOn?.displayText
        joined = listing.joined
        completed = listing.completed
        myEntryId = listing.myEntryId
    }
}

/// Hours as people write them: "3", "1.5".
enum HoursText {
    static func of(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// A GP's evidence log (`/gps/{id}/evidence`): the year's CPD against the target, follow-ups due,
/// the kinds to add, the entries (filtered by kind and appraisal year), and the local audits to join.
struct EvidenceLogPage: Sendable {
    struct KindLink: Sendable {
        var href: String
        var label: String
    }

    /// The filter as its form holds it: the kind's code and the year an appraisal year starts.
    struct Query {
        var kind: String?
        var year: String?
    }

    var page: PageChrome
    var gpId: Int64
    var heading: String
    var isOwner: Bool
    var yearLabel: String
    var portfolioLink: String
    var filterFields: [FormField]
    var entries: [EvidenceEntryRow]
    var hasEntries: Bool
    var cpdHours: String
    var cpdTarget: String
    var cpdPercent: Int
    var followUpsDue: [EvidenceEntryRow]
    var hasFollowUps: Bool
    var addKinds: [KindLink]
    var topics: [AuditTopicRow]
    var hasTopics: Bool

    /// The filter offers the appraisal year containing `today` and the three before it.
    static func filterForm(gp: GP, today: Day) -> FormDeclaration<Query> {
        let current = AppraisalYear(containing: today, month: gp.appraisalYearMonth)
        let years = (0..<4).map { AppraisalYear(startYear: current.startYear - $0, month: current.month) }
        return FormDeclaration([
            .choice("kind", "Kind", \.kind, of: EvidenceKind.self, none: "Every kind"),
            .select(
                "year", "Appraisal year", \.year, choices: [("", "Every year")] + years.map { (String($0.startYear), $0.label) }),
        ])
    }

    init(page: PageChrome, log: EvidenceLog, filter: EvidenceFilter, topics: [AuditTopicListing], today: Day) {
        let gpId = log.gp.id!
        self.page = page
        self.gpId = gpId
        heading = log.isOwner ? "My evidence log" : "Evidence \(log.gp.name) shares with you"
        isOwner = log.isOwner
        yearLabel = log.year.label
        portfolioLink = "/gps/\(gpId)/portfolio/\(log.year.startYear)"
        filterFields = Self.filterForm(gp: log.gp, today: today).rendered(
            current: Query(kind: filter.kind?.rawValue, year: filter.year.map(String.init)))
        entries = log.entries.map { EvidenceEntryRow($0, practices: log.practiceNames) }
        hasEntries = !log.entries.isEmpty
        cpdHours = HoursText.of(log.cpdHours)
        cpdTarget = HoursText.of(log.cpdTarget)
        cpdPercent = log.cpdTarget > 0 ? min(100, Int((log.cpdHours / log.cpdTarget * 100).rounded())) : 0
        followUpsDue = log.followUpsDue.map { EvidenceEntryRow($0, practices: log.practiceNames) }
        hasFollowUps = !log.followUpsDue.isEmpty
        // A reflection is made from its card, never from here.
        addKinds = EvidenceKind.allCases.filter { $0 != .feedbackReflection }.map {
            KindLink(href: "/gps/\(gpId)/evidence/new?kind=\($0.rawValue)", label: $0.title)
        }
        self.topics = topics.map(AuditTopicRow.init)
        hasTopics = !topics.isEmpty
    }
}
