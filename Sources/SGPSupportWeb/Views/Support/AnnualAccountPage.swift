import Foundation
import SGPSupport

/// The anonymised annual account of support for the board (`/support/annual-account`): counts only,
/// small ones withheld; the same rows download as CSV.
struct AnnualAccountPage: Sendable {
    struct Row: Sendable {
        var label: String
        var value: String
    }

    var page: PageChrome
    var organisationId: Int64
    var year: Int
    var rows: [Row]
    var csvLink: String
    var threshold: Int

    init(page: PageChrome, organisationId: Int64, year: Int, rows: [AccountRow]) {
        self.page = page
        self.organisationId = organisationId
        self.year = year
        self.rows = rows.map { Row(label: $0.measure, value: Self.shown($0)) }
        csvLink = "/support/annual-account?organisationId=\(organisationId)&year=\(year)&format=csv"
        threshold = AppDatabase.suppressionThreshold
    }

    /// A count, "fewer than 5" where it is withheld, or a dash where there is nothing to count.
    static func shown(_ row: AccountRow) -> String {
        row.suppressed
            ? "fewer than \(AppDatabase.suppressionThreshold)" : row.value.map { String(format: "%g", $0) } ?? "–"
    }

    /// The rows as CSV: a withheld value says "suppressed".
    static func csv(_ rows: [AccountRow]) -> String {
        CSVText.document([["measure", "value"]] + rows.map { [$0.measure, $0.suppressed ? "suppressed" : shown($0)] })
    }
}
