import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The activity report over HTTP with the demo data (sessions from four weeks back to three ahead).
@Suite struct ReportWebTests {
    static let from = Day(Date()).adding(days: -30).description
    static let to = Day(Date()).adding(days: 30).description

    @Test func theAPICarriesTheNamedFiguresAndThePreviousPeriod() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let response = try await liaison.send("/api/v1/reports/activity?organisationId=1&from=\(Self.from)&to=\(Self.to)")
            #expect(response.status == .ok)
            let body = response.json
            for field in [
                "sessionsPosted", "sessionsFilled", "arrangementsReported", "sessionsCancelled", "sessionsUnfilled", "fillRate",
                "gpsActive", "practicesServed",
            ] {
                #expect(body[field] != nil, "\(field) is part of the contract")
            }
            // The demo's sessions are all inside the period: 60 posted, the demo GP's three, and the two
            // Abbey Road has waiting on her (its offer and her application).
            #expect(body["sessionsPosted"] as? Int == 65)
            #expect((body["previous"] as? [String: Any])?["sessionsPosted"] as? Int == 0)
            #expect((body["definitions"] as? [String: String])?["fillRate"]?.isEmpty == false)

            let bad = try await liaison.send("/api/v1/reports/activity?organisationId=1&from=2026-13-01&to=\(Self.to)")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "validation_failed")
            for outsider in ["practice@demo.test", "gp@demo.test"] {
                let client = try await APIClient.signedIn(browser.client, outsider)
                #expect(try await client.send("/api/v1/reports/activity?organisationId=1").status == .forbidden)
            }
        }
    }

    @Test func thePageDrawsChartsWithTextAndTablesAndEachTableDownloads() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("mentor@demo.test")
            let page = try await browser.request("/reports/activity?organisationId=1&from=\(Self.from)&to=\(Self.to)")
            #expect(page.status == .ok)
            #expect(page.text.contains("<svg class=\"chart\""))
            #expect(page.text.contains("<desc id=\"fills-desc\">Sessions filled each week:"))
            #expect(page.text.contains("Posted sessions in the period still open when their date came"))
            #expect(page.text.contains("Work by locality"))
            let csv = try await browser.request(
                "/reports/activity?organisationId=1&from=\(Self.from)&to=\(Self.to)&format=csv&table=by-locality")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("Locality,Sessions,Hours\r\n"))
            let summary = try await browser.request(
                "/reports/activity?organisationId=1&from=\(Self.from)&to=\(Self.to)&format=csv&table=summary")
            #expect(summary.text.contains("sessionsPosted,65,"))
            let annual = try await browser.request("/reports/annual?organisationId=1&year=2026")
            #expect(annual.status == .ok)
            #expect(annual.text.contains("annual report 2026"))
        }
    }

    @Test func csvFieldsCannotRunAsFormulas() {
        #expect(CSVText.field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVText.field("-12") == "-12")
        #expect(CSVText.field("Abbey, Road") == "\"Abbey, Road\"")
    }

    /// The page's model from the demo's report: each headline figure with what it means and the
    /// previous period's, weeks by their Mondays, breakdowns labelled in words, and each table's CSV link.
    @Test func theReportModelCarriesEachFigureInWords() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let liaison = try await database.signIn(email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web)
            .principal
        let period = ReportPeriod(from: try #require(Day(Self.from)), to: try #require(Day(Self.to)))
        let report = try await database.activityReport(organisationId: 1, period: period, by: liaison)
        let previous = try await database.activityReport(organisationId: 1, period: period.previous, by: liaison)
        let model = ActivityReportPage(
            page: PageChrome(title: "Activity report", principal: liaison, path: "/reports/activity"), organisationId: 1,
            reported: .init(report: report, previous: previous, period: period), annual: false)
        let figures = Dictionary(uniqueKeysWithValues: model.figures.map { ($0.name, $0) })
        #expect(figures["sessionsPosted"]?.value == String(report.sessionsPosted))
        #expect(figures["sessionsPosted"]?.previous == "0", "nothing was posted before the demo")
        #expect(figures["sessionsFilled"]?.value == String(report.sessionsFilled))
        #expect(figures["fillRate"]?.value == ActivityReportPage.percent(report.fillRate))
        #expect(figures["fillRate"]?.definition == ReportDefinitions.all["fillRate"])
        #expect(model.figures.allSatisfy { !$0.definition.isEmpty }, "every figure says what it means")
        #expect(model.periodText == "\(period.from.displayText) to \(period.to.displayText)")
        #expect(model.hasReport && model.filterFields.map(\.value) == [Self.from, Self.to])

        let weekly = try #require(model.tables.first { $0.key == "weekly" })
        #expect(weekly.rows.first?.cells.first == IsoWeek(containing: period.from).displayText)
        #expect(weekly.rows.allSatisfy { $0.cells[0].hasPrefix("w/c ") }, "never 2026-W50")
        #expect(weekly.csvURL == "/reports/activity?organisationId=1&from=\(Self.from)&to=\(Self.to)&format=csv&table=weekly")
        let kinds = try #require(model.tables.first { $0.key == "by-gp-kind" })
        #expect(!kinds.isEmpty && kinds.rows.allSatisfy { GP.Kind.allCases.map(\.title).contains($0.cells[0]) })
        let professions = try #require(model.tables.first { $0.key == "by-profession" })
        #expect(professions.rows.allSatisfy { GP.Profession.allCases.map(\.title).contains($0.cells[0]) })
        #expect(!model.fillsChart.contains("-W"), "the chart names weeks as people do")

        #expect(
            ActivityReportPage.cancellation("withdrawn before booking by practice") == "Withdrawn before booking by the practice")
        #expect(
            ActivityReportPage.cancellation("cancelled after booking by liaison-officer")
                == "Cancelled after booking by the liaison officer")

        // Dates that cannot be read come back in the filter with what to fix, and no figures.
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let refused = try await browser.request("/reports/activity?organisationId=1&from=2026-13-01&to=\(Self.to)")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Give the first day as YYYY-MM-DD") && refused.text.contains(#"value="2026-13-01""#))
            #expect(!refused.text.contains("Headline figures"))
            let stranger = Browser(browser.client)
            try await stranger.signIn("practice@demo.test")
            #expect(
                try await stranger.request("/reports/activity?organisationId=1&from=2026-13-01&to=\(Self.to)").status
                    == .forbidden)
        }
    }
}
