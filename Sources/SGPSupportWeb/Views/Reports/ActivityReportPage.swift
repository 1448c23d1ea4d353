import Foundation
import SGPSupport

/// The activity report (`/reports/activity`) and the annual report laid out to print
/// (`/reports/annual`): the headline figures beside the previous period's, with what each means,
/// the weekly charts, and each breakdown as a table that downloads as CSV.
struct ActivityReportPage: Sendable {
    struct FigureRow: Sendable {
        /// The figure's name in the API and the summary CSV.
        var name: String
        var label: String
        var value: String
        var previous: String
        var definition: String
    }

    struct TableRow: Sendable {
        var cells: [String]
    }

    struct Table: Sendable {
        var key: String
        var title: String
        var headings: [String]
        var rows: [TableRow]
        var csvURL: String
        var isEmpty: Bool
    }

    /// The date filter, as its form holds it (the query's names).
    struct Filter {
        var from: String?
        var to: String?
    }

    /// What the page reports on: the period's figures and the period's before it.
    struct Reported: Sendable {
        var report: ActivityReport
        var previous: ActivityReport
        var period: ReportPeriod
    }

    var page: PageChrome
    var heading = "Activity report"
    var organisationId: Int64
    var isAnnual: Bool
    var filterFields: [FormField]
    var monthURL: String
    var quarterURL: String
    var yearURL: String
    /// False when the filter's dates could not be read: the page shows the filter and its problems only.
    var hasReport: Bool
    var periodText = ""
    var previousText = ""
    var figures: [FigureRow] = []
    var summaryCSV = ""
    var fillsChart = ""
    var rateChart = ""
    var tables: [Table] = []
    var annualURL = ""
    var supportAccountURL = ""

    static var filter: FormDeclaration<Filter> {
        FormDeclaration([.date("from", "From", \.from), .date("to", "To", \.to)])
    }

    /// `reported` is nil when the filter (`query`, the request's query string) was refused with `errors`.
    init(
        page: PageChrome, organisationId: Int64, reported: Reported?, annual: Bool, query: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        let base = "/reports/activity?organisationId=\(organisationId)"
        self.page = page
        self.organisationId = organisationId
        isAnnual = annual
        monthURL = base + "&preset=month"
        quarterURL = base + "&preset=quarter"
        yearURL = base + "&preset=year"
        hasReport = reported != nil
        filterFields = Self.filter.rendered(
            current: Filter(from: reported?.period.from.description, to: reported?.period.to.description),
            posted: reported == nil ? query : nil, errors: errors)
        guard let reported else { return }
        let report = reported.report
        let period = reported.period
        let shown = "\(base)&from=\(period.from)&to=\(period.to)"
        heading =
            annual ? "\(report.organisationName): annual report \(period.from.year)" : "\(report.organisationName): activity"
        periodText = "\(period.from.displayText) to \(period.to.displayText)"
        previousText = "\(period.previous.from.displayText) to \(period.previous.to.displayText)"
        figures = Self.figures(report, previous: reported.previous)
        summaryCSV = "\(shown)&format=csv&table=summary"
        fillsChart = ReportCharts.weeklyBars(report.weekly)
        rateChart = ReportCharts.fillRateLine(report.weekly)
        tables = Self.tables(report).map { table in
            var table = table
            table.csvURL = "\(shown)&format=csv&table=\(table.key)"
            return table
        }
        annualURL = "/reports/annual?organisationId=\(organisationId)&year=\(period.to.year)"
        supportAccountURL = "/support/annual-account?organisationId=\(organisationId)&year=\(period.to.year)"
    }

    // MARK: Figures and tables, each defined once (the page and the CSV read them)

    static func percent(_ value: Double?) -> String {
        value.map { String(format: "%.0f%%", $0 * 100) } ?? "–"
    }

    static func number(_ value: Double?) -> String {
        value.map { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.1f", $0) } ?? "–"
    }

    /// Each headline figure: its name in the API, its label, this period and the previous one.
    static func figures(_ report: ActivityReport, previous: ActivityReport) -> [FigureRow] {
        let figures: [(String, String, (ActivityReport) -> String)] = [
            ("sessionsPosted", "Sessions posted", { String($0.sessionsPosted) }),
            ("sessionsFilled", "Sessions filled through the scheme", { String($0.sessionsFilled) }),
            ("arrangementsReported", "Arrangements reported", { String($0.arrangementsReported) }),
            ("sessionsCancelled", "Sessions cancelled or withdrawn", { String($0.sessionsCancelled) }),
            ("sessionsUnfilled", "Sessions unfilled at their date", { String($0.sessionsUnfilled) }),
            ("fillRate", "Fill rate", { percent($0.fillRate) }),
            ("medianHoursToBook", "Median hours from posting to booking", { number($0.medianHoursToBook) }),
            ("p90HoursToBook", "90th percentile hours to booking", { number($0.p90HoursToBook) }),
            ("gpsActive", "GPs active", { String($0.gpsActive) }),
            ("practicesServed", "Practices served", { String($0.practicesServed) }),
            ("hoursWorked", "Hours worked", { number($0.hoursWorked) }),
            ("newRegistrations", "New registrations", { String($0.newRegistrations) }),
            ("leavers", "Leavers", { String($0.leavers) }),
            ("clearedShare", "Active GPs cleared on the last day", { percent($0.clearedShare) }),
            ("checksExpired", "Checks expired", { String($0.checksExpired) }),
            ("cardsIssued", "Feedback cards issued", { String($0.cardsIssued) }),
            ("cardsReturned", "Feedback cards returned", { String($0.cardsReturned) }),
            ("returnRate", "Card return rate", { percent($0.returnRate) }),
            ("concernsRaised", "Concerns raised", { String($0.concernsBySeverity.reduce(0) { $0 + $1.count }) }),
            ("mailshotsSent", "Mailshots sent (messages delivered)", { "\($0.mailshotsSent) (\($0.mailshotRecipients))" }),
            ("invoicesSent", "Invoices sent", { String($0.payments.invoicesSent) }),
            ("invoicesPaid", "Invoices paid", { String($0.payments.invoicesPaid) }),
            ("medianDaysToPay", "Median days to pay", { $0.payments.medianDaysToPay.map(String.init) ?? "–" }),
            (
                "invoicesOverdueNow", "Invoices overdue now (total)",
                { "\($0.payments.overdueNow) (\(Money.pounds($0.payments.overdueNowPence)))" }
            ),
            (
                "formsAwaitingSignature", "Form As waiting for a signature (past 8 weeks)",
                { "\($0.payments.formsAwaitingSignature) (\($0.payments.formsPastEightWeeks))" }
            ),
        ]
        return figures.map { name, label, value in
            FigureRow(
                name: name, label: label, value: value(report), previous: value(previous),
                definition: ReportDefinitions.all[name] ?? "")
        }
    }

    /// Each breakdown with its rows labelled as people read them (the JSON keeps the codes).
    static func tables(_ report: ActivityReport) -> [Table] {
        func work(_ key: String, _ title: String, _ first: String, _ rows: [ReportRow], label: (String) -> String = { $0 })
            -> Table
        {
            Table(
                key: key, title: title, headings: [first, "Sessions", "Hours"],
                rows: rows.map { TableRow(cells: [label($0.label), String($0.sessions), number($0.hours)]) }, csvURL: "",
                isEmpty: rows.isEmpty)
        }
        func counts(_ key: String, _ title: String, _ first: String, _ rows: [CountRow], label: (String) -> String) -> Table {
            Table(
                key: key, title: title, headings: [first, "Count"],
                rows: rows.map { TableRow(cells: [label($0.label), String($0.count)]) }, csvURL: "", isEmpty: rows.isEmpty)
        }
        return [
            Table(
                key: "weekly", title: "Sessions filled and unfilled by week",
                headings: ["Week", "Filled", "Unfilled", "Fill rate"],
                rows: report.weekly.map {
                    TableRow(cells: [
                        ReportCharts.weekName($0.week), String($0.filled), String($0.unfilled), percent($0.fillRate),
                    ])
                }, csvURL: "", isEmpty: report.weekly.isEmpty),
            work("by-session-kind", "Work by kind of session", "Kind", report.bySessionKind),
            work("by-gp-kind", "Work by kind of GP", "GP kind", report.byGPKind) { GP.Kind(rawValue: $0)?.title ?? $0 },
            work("by-profession", "Work by profession", "Profession", report.byProfession) {
                GP.Profession(rawValue: $0)?.title ?? $0
            },
            work("by-locality", "Work by locality", "Locality", report.byLocality),
            work("by-practice", "Work by practice", "Practice", report.byPractice),
            Table(
                key: "partners", title: "Partner organisations",
                headings: ["Organisation", "Sessions lent to", "Sessions borrowed from"],
                rows: report.partners.map { TableRow(cells: [$0.organisation, String($0.lentTo), String($0.borrowedFrom)]) },
                csvURL: "", isEmpty: report.partners.isEmpty),
            counts("cancelled-by", "Cancellations by whom", "Cancellation", report.cancelledBy, label: cancellation),
            counts("concerns-by-severity", "Concerns by severity", "Severity", report.concernsBySeverity) {
                FeedbackConcern.Severity(rawValue: $0)?.title ?? $0
            },
            counts("concerns-by-outcome", "Concerns by outcome", "Outcome", report.concernsByOutcome) {
                $0 == "open" ? "Still open" : FeedbackConcern.Outcome(rawValue: $0)?.title ?? $0
            },
            counts("evidence-by-kind", "Evidence entries by kind", "Kind", report.evidenceByKind) {
                EvidenceKind(rawValue: $0)?.title ?? $0
            },
        ]
    }

    /// "withdrawn before booking by practice" → "Withdrawn before booking by the practice": the domain
    /// names who cancelled by their role's code.
    static func cancellation(_ label: String) -> String {
        let who = [
            "gp": "the GP", "practice": "the practice", "liaison-officer": "the liaison officer", "unknown": "someone unrecorded",
        ]
        guard let by = label.range(of: " by ", options: .backwards) else { return label }
        let what = String(label[..<by.lowerBound])
        let role = String(label[by.upperBound...])
        let whom = who[role] ?? Role(rawValue: role)?.title ?? role
        return what.prefix(1).uppercased() + String(what.dropFirst()) + " by " + whom
    }

    /// One table as CSV (`summary` for the headline figures with their definitions); nil for a table
    /// the report does not have.
    static func csv(_ report: ActivityReport, table key: String) -> String? {
        if key == "summary" {
            return CSVText.document(
                [["figure", "value", "definition"]]
                    + figures(report, previous: report).map { [$0.name, $0.value, $0.definition] })
        }
        guard let table = tables(report).first(where: { $0.key == key }) else { return nil }
        return CSVText.document([table.headings] + table.rows.map(\.cells))
    }

    /// The tables a CSV can be asked for, for the message when one is not known.
    static func csvTableNames(_ report: ActivityReport) -> [String] {
        ["summary"] + tables(report).map(\.key)
    }
}
