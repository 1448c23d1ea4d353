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
            // The demo's sessions are all inside the period: 60 posted plus the demo GP's three.
            #expect(body["sessionsPosted"] as? Int == 63)
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
            #expect(summary.text.contains("sessionsPosted,63,"))
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
}
