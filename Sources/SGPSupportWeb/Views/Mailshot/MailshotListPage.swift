import Foundation
import SGPSupport

/// The organisation's mailshots (`/mailshots`): the archive, newest week first, and for the liaison
/// officer the week to compose.
struct MailshotListPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        /// "w/c 7 Dec 2026"
        var week: String
        var status: String
    }

    var page: PageChrome
    var rows: [Row]
    var canCompose: Bool
    var organisationId: Int64
    var weekField: FormField

    /// The weeks offered for composing: this one and the seven after it.
    static let weeksOffered = 8

    /// `week` is the one posted (kept after an error); without one, the week two days from `today`
    /// (on a Saturday, the coming week).
    init(
        page: PageChrome, list: MailshotList, organisationId: Int64, today: Day, week: String? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        rows = list.mailshots.map { Row(id: $0.id!, week: $0.isoWeek.displayText, status: $0.status.title) }
        canCompose = list.mayCompose
        self.organisationId = organisationId
        let weeks = (0..<Self.weeksOffered).map { IsoWeek(containing: today.adding(days: 7 * $0)) }
        let next = IsoWeek(containing: today.adding(days: 2))
        weekField = .select(
            "week", "Week", value: week ?? next.description, choices: weeks.map { ($0.description, $0.displayText) },
            errors: errors, hint: "The mailshot goes out for the week that begins on that Monday.")
    }
}
