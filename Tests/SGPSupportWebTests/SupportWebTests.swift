import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Mentor support over HTTP with the demo data: mentor@demo.test mentors every demo GP, gp 1 is
/// gp@demo.test, supervisor@demo.test is the organisation's educational supervisor.
@Suite struct SupportWebTests {
    static let today = Day(Date()).description

    static func openCase(_ mentor: APIClient) async throws -> Int {
        let opened = try await mentor.send(
            "/api/v1/support-cases", method: .post,
            json: #"{"gpId": 1, "routeIn": "complaint", "toldOn": "\#(today)", "toldBy": "Dr Rajesh Patel, GP mentor"}"#)
        #expect(opened.status == .created)
        return try #require(opened.json["id"] as? Int)
    }

    @Test func everyCaseRouteAnswersOnlyTheMentorTheSupervisorOnThePlanAndTheGP() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            let id = try await Self.openCase(mentor)
            let supervisor = try await APIClient.signedIn(browser.client, "supervisor@demo.test")
            let supervisorId = try #require(try await supervisor.send("/api/v1/me").json["id"] as? Int)

            // (role, route, method, body) → expected status, before the supervisor is on the plan.
            let routes: [(String, HTTPRequest.Method, String?)] = [
                ("/api/v1/support-cases/\(id)", .get, nil),
                ("/api/v1/support-cases/\(id)", .patch, #"{"workRestriction": "No home visits"}"#),
                ("/api/v1/support-cases/\(id)/meetings", .post, #"{"date": "\#(Self.today)", "notes": "First meeting"}"#),
                ("/api/v1/support-cases/\(id)/reports", .post, #"{"referringBody": "NHS England", "body": "Engaging"}"#),
                ("/api/v1/support-cases/\(id)/metrics", .get, nil),
            ]
            let expected: [String: [HTTPResponse.Status]] = [
                "gp@demo.test": [.ok, .forbidden, .forbidden, .forbidden, .forbidden],
                "supervisor@demo.test": [.forbidden, .forbidden, .forbidden, .forbidden, .forbidden],
                "liaison@demo.test": [.forbidden, .forbidden, .forbidden, .forbidden, .forbidden],
                "admin@demo.test": [.forbidden, .forbidden, .forbidden, .forbidden, .forbidden],
                "practice@demo.test": [.forbidden, .forbidden, .forbidden, .forbidden, .forbidden],
                "mentor@demo.test": [.ok, .ok, .created, .created, .ok],
            ]
            for (email, statuses) in expected.sorted(by: { $0.key < $1.key }) {
                let client = email == "mentor@demo.test" ? mentor : try await APIClient.signedIn(browser.client, email)
                for (route, status) in zip(routes, statuses) {
                    let response = try await client.send(route.0, method: route.1, json: route.2)
                    #expect(response.status == status, "\(email) \(route.1) \(route.0)")
                }
            }
            #expect(try await APIClient(client: browser.client).send("/api/v1/support-cases/\(id)").status == .unauthorized)

            // The GP sees the case without the meeting notes; the mentor sees them.
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let own = try await gp.send("/api/v1/support-cases/\(id)")
            #expect(own.json["meetings"] == nil)
            #expect((own.json["reports"] as? [[String: Any]])?.count == 1)
            #expect(((try await mentor.send("/api/v1/support-cases/\(id)")).json["meetings"] as? [[String: Any]])?.count == 1)

            // Named on the plan, the supervisor reads the case, but still changes nothing.
            let plan = try await mentor.send(
                "/api/v1/support-cases/\(id)", method: .patch,
                json:
                    #"{"plan": {"objectives": "Consultation skills", "supervisorId": \#(supervisorId), "reviewDates": ["2027-03-01"]}}"#
            )
            #expect(plan.status == .ok)
            #expect(try await supervisor.send("/api/v1/support-cases/\(id)").status == .ok)
            #expect(try await supervisor.send("/api/v1/support-cases/\(id)/metrics").status == .ok)
            #expect(
                try await supervisor.send("/api/v1/support-cases/\(id)", method: .patch, json: #"{"outcome": "resolved"}"#).status
                    == .forbidden)
            let notSupervisor = try await mentor.send(
                "/api/v1/support-cases/\(id)", method: .patch, json: #"{"plan": {"supervisorId": 1}}"#)
            #expect(notSupervisor.status == .unprocessableContent)

            // The liaison officer learns of the restriction on the register entry, nothing more.
            let liaison = Browser(browser.client)
            try await liaison.signIn("liaison@demo.test")
            let profile = try await liaison.request("/gps/1")
            #expect(profile.text.contains("Work restriction while support is under way:</strong> No home visits"))
            #expect(!profile.text.contains("complaint") && !profile.text.contains("Consultation skills"))
        }
    }

    @Test func reportsAreNewVersionsEachPrintableAlone() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            let id = try await Self.openCase(mentor)
            for body in ["Engaging well", "Objectives met"] {
                let written = try await mentor.send(
                    "/api/v1/support-cases/\(id)/reports", method: .post,
                    json: #"{"referringBody": "NHS England performance team", "body": "\#(body)"}"#)
                #expect(written.status == .created)
            }
            let reports = try #require(try await mentor.send("/api/v1/support-cases/\(id)").json["reports"] as? [[String: Any]])
            #expect(reports.map { $0["version"] as? Int } == [2, 1])
            let gp = Browser(browser.client)
            try await gp.signIn("gp@demo.test")
            let first = try await gp.request("/support/cases/\(id)/reports/1")
            #expect(first.status == .ok)
            #expect(first.text.contains("Engaging well") && !first.text.contains("Objectives met"))
            let casePage = try await gp.request("/support/cases/\(id)")
            #expect(casePage.text.contains("Version 2"))
            #expect(!casePage.text.contains("Note the meeting"))
        }
    }

    @Test func aConcernOnACardBecomesACaseFromTheCardPage() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let cards = try #require(
                try await practice.send("/api/v1/feedback-cards?about=gp:1").json["items"] as? [[String: Any]])
            let cardId = try #require(cards.first { $0["status"] as? String == "submitted" }?["id"] as? Int)
            let raised = try await practice.send(
                "/api/v1/feedback-cards/\(cardId)/concern", method: .post,
                json: #"{"severity": "significant", "details": "Left early twice"}"#)
            #expect(raised.status == .created)
            let concernId = try #require(raised.json["id"] as? Int)

            let liaison = Browser(browser.client)
            try await liaison.signIn("liaison@demo.test")
            #expect(!(try await liaison.request("/feedback/cards/\(cardId)")).text.contains("Open a support case"))
            #expect(try await liaison.submit("/feedback/concerns/\(concernId)/support-case", [:]).status == .forbidden)

            let mentor = Browser(browser.client)
            try await mentor.signIn("mentor@demo.test")
            let card = try await mentor.request("/feedback/cards/\(cardId)")
            #expect(card.text.contains("Open a support case for the GP"))
            let opened = try await mentor.submit("/feedback/concerns/\(concernId)/support-case", [:])
            #expect(opened.status == .seeOther)
            let casePath = try #require(opened.headers[.location]).components(separatedBy: "?")[0]
            let casePage = try await mentor.request(casePath)
            #expect(casePage.text.contains("A feedback-card concern"))
            #expect(casePage.text.contains("href=\"/feedback/cards/\(cardId)\""))
            #expect(casePage.text.contains("Figures, beside the organisation's spread"))
            #expect(casePage.text.contains("organisation: lower quartile"), "each figure is shown with the spread")
            let cardAgain = try await mentor.request("/feedback/cards/\(cardId)")
            #expect(cardAgain.text.contains("href=\"\(casePath)\""))
            #expect(!cardAgain.text.contains("Open a support case for the GP"))
        }
    }

    @Test func theAnnualAccountWithholdsSmallNumbersAsNull() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            _ = try await Self.openCase(mentor)
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let year = Day(Date()).year
            let account = try await liaison.send("/api/v1/support/annual-account?organisationId=1&year=\(year)")
            #expect(account.status == .ok)
            let rows = try #require(account.json["rows"] as? [[String: Any]])
            let opened = try #require(rows.first { $0["measure"] as? String == "Cases opened" })
            #expect(opened["value"] is NSNull)
            #expect(opened["suppressed"] as? Bool == true)
            let returns = try #require(rows.first { $0["measure"] as? String == "Cases opened: Return to work" })
            #expect(returns["value"] as? Double == 0)
            #expect(
                try await liaison.send("/api/v1/support/annual-account?organisationId=1&year=twenty").status
                    == .unprocessableContent)
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            #expect(try await gp.send("/api/v1/support/annual-account?organisationId=1").status == .forbidden)

            let page = Browser(browser.client)
            try await page.signIn("liaison@demo.test")
            let printable = try await page.request("/support/annual-account?organisationId=1&year=\(year)")
            #expect(printable.text.contains("<td>Cases opened</td><td class=\"numeric\">fewer than 5</td>"))
            let csv = try await page.request("/support/annual-account?organisationId=1&year=\(year)&format=csv")
            #expect(csv.text.hasPrefix("measure,value\r\nCases opened,suppressed\r\n"))
        }
    }
}
