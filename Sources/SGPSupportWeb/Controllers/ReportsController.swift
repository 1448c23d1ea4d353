import Foundation
import Hummingbird
import SGPSupport

/// The activity report: the page (its model in Views/Reports), CSV of each table, the JSON API, and
/// the annual report laid out to print.
struct ReportsController {
    let database: AppDatabase
    let renderer: PageRenderer

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

    /// The calendar year asked for (`?year=`), or this one.
    private func year(_ request: Request) throws -> ReportPeriod {
        let year = request.uri.queryParameters.get("year").flatMap { Int($0) } ?? database.clock.today.year
        guard let first = Day(year: year, month: 1, day: 1) else {
            throw DomainError.validationFailed(ValidationErrors(field: "year", message: "Give the year, like 2026"))
        }
        return ReportPeriod.preset("year", containing: first)!
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
        let wantsCSV = request.uri.queryParameters.get("format") == "csv"
        let period: ReportPeriod
        do {
            period = try annual ? year(request) : self.period(request)
        } catch DomainError.validationFailed(let errors) where !annual && !wantsCSV {
            // The filter's dates could not be read: the page shows them back with what to fix.
            try context.require(.superviseOrganisation(organisationId: organisationId))
            let model = ActivityReportPage(
                page: PageChrome(title: "Activity report", context: context, path: "/reports/activity", errors: errors),
                organisationId: organisationId, reported: nil, annual: false,
                query: FormFields(urlEncoded: request.uri.query ?? ""), errors: errors)
            return renderer.render("report", model, status: .unprocessableContent)
        }
        let report = try await database.activityReport(organisationId: organisationId, period: period, by: principal)
        if wantsCSV { return try csv(report, table: request.uri.queryParameters.get("table") ?? "summary") }
        let previous = try await database.activityReport(organisationId: organisationId, period: period.previous, by: principal)
        let title = annual ? "Annual report \(period.from.year)" : "Activity report"
        let model = ActivityReportPage(
            page: PageChrome(title: title, context: context, path: "/reports/activity"), organisationId: organisationId,
            reported: ActivityReportPage.Reported(report: report, previous: previous, period: period), annual: annual)
        return renderer.render("report", model)
    }

    /// One table as CSV (`table=summary` for the headline figures with their definitions).
    private func csv(_ report: ActivityReport, table key: String) throws -> Response {
        guard let text = ActivityReportPage.csv(report, table: key) else {
            let names = ActivityReportPage.csvTableNames(report).joined(separator: ", ")
            throw DomainError.validationFailed(ValidationErrors(field: "table", message: "Choose one of: \(names)"))
        }
        return .download(
            Array(text.utf8), filename: "activity-\(key)-\(report.from)-\(report.to).csv", contentType: "text/csv; charset=utf-8")
    }
}
