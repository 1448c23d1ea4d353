import Foundation
import SGPSupport

/// An organisation's clearing runs (`/clearing-runs`): the form that runs a week, and the earlier
/// runs, newest first.
struct ClearingRunsPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        /// "w/c 14 Dec 2026".
        var week: String
        var created: String
        var filled: String
        var status: String
    }

    /// What the form posts (the organisation goes as a hidden field).
    struct StartInput {
        var week: String?
    }

    /// How many weeks, this one first, the form offers.
    static let weeksOffered = 6

    var page: PageChrome
    var organisationId: Int64
    var runs: [Row]
    var hasRuns: Bool
    var fields: [FormField]

    /// The weeks by their Mondays ("w/c 14 Dec 2026 (next week)"); the value sent is the ISO week.
    static func form(today: Day) -> FormDeclaration<StartInput> {
        let thisWeek = IsoWeek(containing: today)
        var choices: [(String, String)] = []
        for offset in 0..<weeksOffered {
            let week = IsoWeek(containing: thisWeek.monday.adding(days: 7 * offset))
            let when = offset == 0 ? " (this week)" : offset == 1 ? " (next week)" : ""
            choices.append((week.description, week.displayText + when))
        }
        return FormDeclaration([
            .select(
                "week", "Week", \.week, choices: choices,
                hint: "Every open session of the week is weighed against every GP who may take it")
        ])
    }

    /// `posted` is the form sent, when it is shown again with its errors; before that it offers next week.
    init(
        page: PageChrome, organisationId: Int64, runs: [ClearingRun], today: Day, posted: FormFields?,
        errors: ValidationErrors
    ) {
        self.page = page
        self.organisationId = organisationId
        self.runs = runs.map {
            Row(
                id: $0.id!, week: $0.isoWeek?.displayText ?? $0.week, created: DisplayDate.dayAndTime($0.createdAt),
                filled: "\($0.filled) of \($0.sessionCount)", status: $0.status.title)
        }
        hasRuns = !runs.isEmpty
        let nextWeek = IsoWeek(containing: today.adding(days: 7))
        fields = Self.form(today: today).rendered(
            current: StartInput(week: nextWeek.description), posted: posted, errors: errors)
    }
}
