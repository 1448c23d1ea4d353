import Foundation
import Hummingbird
import SGPSupport

/// The activity report: the page (with its charts, definitions and the previous period beside each
/// figure), CSV of each table, the JSON API, and the annual report laid out to print.
struct ReportsController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct FigureRow: Sendable {
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

    struct ReportPage: Sendable {
        var page: PageChrome
        var heading: String
        var organisationId: Int64
        var periodText: String
        var previousText: String
        var from: String
        var to: String
        var figures: [FigureRow]
        var fillsChart: String
        var rateChart: String
        var tables: [Table]
        var annualURL: String
        var supportAccountURL: String
        var isAnnual: Bool
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/reports/activity", use: api)
        router.get("/reports/activity", use: page)
        router.get("/reports/annual", use: annual)
    }

    /// The organisation asked for, or the one this person supports.
    private func organisationId(_ request: Request, _ principal: Principal) throws -> Int64 {
        try principal.organisationId(named: try RegisterQuery.namedOrganisation(request), as: .supportTeam)
    }

    private func period(_ request: Request) throws -> ReportPeriod {
        let query = request.uri.queryParameters
        let today = database.clock.today
        if query.get("from") == nil && query.get("to") == nil && query.get("preset") == nil {
            return ReportPeriod.preset("quarter", containing: today)!
        }
        return try ReportPeriod.parse(
            from: query.get("from"), to: query.get("to"), preset: query.get("preset"), today: today)
    }

    struct APIBody: Encodable {
        var report: ActivityReport
        var previous: ActivityReport
        var definitions: [String: String]

        func encode(to encoder: any Encoder) throws {
            // The report's own fields at the top level, as clients expect; the comparison beside them.
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(previous, forKey: .previous)
            try container.encode(definitions, forKey: .definitions)
        }

        enum Keys: String, CodingKey { case previous, definitions }
    }

    @Sendable func api(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try organisationId(request, principal)
        let period = try period(request)
        let report = try await database.activityReport(organisationId: organisationId, period: period, by: principal)
        if request.uri.queryParameters.get("format") == "csv" {
            return try csv(report, table: request.uri.queryParameters.get("table") ?? "summary")
        }
        let previous = try await database.activityReport(organisationId: organisationId, period: period.previous, by: principal)
        return try .json(APIBody(report: report, previous: previous, definitions: ReportDefinitions.all))
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await render(request, context: context, annual: false)
    }

    /// The year's report for the board: the same figures for a calendar year, laid out to print.
    @Sendable func annual(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await render(request, context: context, annual: true)
    }

    private func render(_ request: Request, context: AppRequestContext, annual: Bool) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try organisationId(request, principal)
        let period: ReportPeriod
        if annual {
            let year = request.uri.queryParameters.get("year").flatMap { Int($0) } ?? database.clock.today.year
            guard let first = Day(year: year, month: 1, day: 1) else {
                throw DomainError.validationFailed(ValidationErrors(field: "year", message: "Give the year, like 2026"))
            }
            period = ReportPeriod.preset("year", containing: first)!
        } else {
            period = try self.period(request)
        }
        let report = try await database.activityReport(organisationId: organisationId, period: period, by: principal)
        if request.uri.queryParameters.get("format") == "csv" {
            return try csv(report, table: request.uri.queryParameters.get("table") ?? "summary")
        }
        let previous = try await database.activityReport(organisationId: organisationId, period: period.previous, by: principal)
        let query = "organisationId=\(organisationId)&from=\(period.from)&to=\(period.to)"
        let periodText = "\(period.from.displayText) to \(period.to.displayText)"
        let model = ReportPage(
            page: PageChrome(
                title: annual ? "Annual report \(period.from.year)" : "Activity report", context: context,
                path: "/reports/activity"),
            heading: annual
                ? "\(report.organisationName): annual report \(period.from.year)" : "\(report.organisationName): activity",
            organisationId: organisationId, periodText: periodText,
            previousText: "\(period.previous.from.displayText) to \(period.previous.to.displayText)",
            from: period.from.description, to: period.to.description,
            figures: Self.figures(report, previous: previous),
            fillsChart: ReportCharts.weeklyBars(report.weekly), rateChart: ReportCharts.fillRateLine(report.weekly),
            tables: Self.tables(report).map { table in
                var table = table
                table.csvURL = "/reports/activity?\(query)&format=csv&table=\(table.key)"
                return table
            },
            annualURL: "/reports/annual?organisationId=\(organisationId)&year=\(period.to.year)",
            supportAccountURL: "/support/annual-account?organisationId=\(organisationId)&year=\(period.to.year)",
            isAnnual: annual)
        return renderer.render("report", model)
    }

    // MARK: Figures and tables, each defined once

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
        ]
        return figures.map { name, label, value in
            FigureRow(
                name: name, label: label, value: value(report), previous: value(previous),
                definition: ReportDefinitions.all[name] ?? "")
        }
    }

    static func tables(_ report: ActivityReport) -> [Table] {
        func work(_ key: String, _ title: String, _ first: String, _ rows: [ReportRow]) -> Table {
            Table(
                key: key, title: title, headings: [first, "Sessions", "Hours"],
                rows: rows.map { TableRow(cells: [$0.label, String($0.sessions), number($0.hours)]) }, csvURL: "",
                isEmpty: rows.isEmpty)
        }
        func counts(_ key: String, _ title: String, _ first: String, _ rows: [CountRow]) -> Table {
            Table(
                key: key, title: title, headings: [first, "Count"],
                rows: rows.map { TableRow(cells: [$0.label, String($0.count)]) },
                csvURL: "", isEmpty: rows.isEmpty)
        }
        return [
            Table(
                key: "weekly", title: "Sessions filled and unfilled by week",
                headings: ["Week", "Filled", "Unfilled", "Fill rate"],
                rows: report.weekly.map {
                    TableRow(cells: [$0.week, String($0.filled), String($0.unfilled), percent($0.fillRate)])
                }, csvURL: "", isEmpty: report.weekly.isEmpty),
            work("by-session-kind", "Work by kind of session", "Kind", report.bySessionKind),
            work("by-gp-kind", "Work by kind of GP", "GP kind", report.byGPKind),
            work("by-profession", "Work by profession", "Profession", report.byProfession),
            work("by-locality", "Work by locality", "Locality", report.byLocality),
            work("by-practice", "Work by practice", "Practice", report.byPractice),
            Table(
                key: "partners", title: "Partner organisations",
                headings: ["Organisation", "Sessions lent to", "Sessions borrowed from"],
                rows: report.partners.map { TableRow(cells: [$0.organisation, String($0.lentTo), String($0.borrowedFrom)]) },
                csvURL: "", isEmpty: report.partners.isEmpty),
            counts("cancelled-by", "Cancellations by whom", "Cancellation", report.cancelledBy),
            counts("concerns-by-severity", "Concerns by severity", "Severity", report.concernsBySeverity),
            counts("concerns-by-outcome", "Concerns by outcome", "Outcome", report.concernsByOutcome),
            counts(
                "evidence-by-kind", "Evidence entries by kind", "Kind",
                report.evidenceByKind.map {
                    CountRow(label: EvidenceKind(rawValue: $0.label)?.title ?? $0.label, count: $0.count)
                }),
        ]
    }

    /// One table as CSV (`table=summary` for the headline figures with their definitions).
    private func csv(_ report: ActivityReport, table key: String) throws -> Response {
        let lines: [[String]]
        if key == "summary" {
            lines =
                [["figure", "value", "definition"]]
                + Self.figures(report, previous: report).map { [$0.name, $0.value, $0.definition] }
        } else {
            guard let table = Self.tables(report).first(where: { $0.key == key }) else {
                let names = ["summary"] + Self.tables(report).map(\.key)
                throw DomainError.validationFailed(
                    ValidationErrors(field: "table", message: "Choose one of: \(names.joined(separator: ", "))"))
            }
            lines = [table.headings] + table.rows.map(\.cells)
        }
        let text = lines.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        return .download(
            Array(text.utf8), filename: "activity-\(key)-\(report.from)-\(report.to).csv", contentType: "text/csv; charset=utf-8")
    }

    /// RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
