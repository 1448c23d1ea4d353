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

    /// The case page's model as the mentor and the GP read it: the case in words, the mentor's forms
    /// starting from what is stored, and a form sent back keeping what was typed without blanking the others.
    @Test func theCasePageModelShowsTheCaseInWordsAndItsFormsToTheMentor() async throws {
        let database = try await TestEnvironment().database
        func principal(_ email: String) async throws -> Principal {
            try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
        }
        let mentor = try await principal("mentor@demo.test")
        let supervisor = try await principal("supervisor@demo.test")
        let today = database.clock.today
        var input = SupportCaseInput(
            gpId: 1, routeIn: "return-to-work", toldOn: today.description, toldBy: "Dr Rajesh Patel, GP mentor")
        input.signposts = ["occupational-health"]
        input.workRestriction = "No home visits"
        let opened = try await database.openSupportCase(input, by: mentor)
        var plan = SupportCaseUpdate.PlanInput()
        plan.objectives = "Confidence in minor surgery"
        plan.supervisorId = supervisor.userId
        plan.reviewDates = [today.adding(days: 14).description]
        var update = SupportCaseUpdate()
        update.plan = plan
        _ = try await database.updateSupportCase(id: opened.id!, update, by: mentor)

        func page(
            _ reader: Principal, posted: (form: SupportCasePage.Form, fields: FormFields)? = nil,
            errors: ValidationErrors = ValidationErrors()
        ) async throws -> SupportCasePage {
            let view = try await database.supportCase(id: opened.id!, by: reader)
            let metrics = view.reader == .subject ? [] : try await database.supportMetrics(caseId: opened.id!, by: reader)
            let supervisors =
                view.reader == .mentor
                ? try await database.educationalSupervisors(organisationId: view.supportCase.organisationId, by: reader) : []
            return SupportCasePage(
                page: PageChrome(title: "Support case", principal: reader, path: "/support"), view: view, metrics: metrics,
                supervisors: supervisors, today: today, posted: posted, errors: errors)
        }
        let asMentor = try await page(mentor)
        #expect(asMentor.isMentor && !asMentor.isSubject && asMentor.heading == "Support for Dr Amelia Hartwell")
        let summary = Dictionary(uniqueKeysWithValues: asMentor.summary.map { ($0.label, $0.value) })
        #expect(summary["How it began"] == "Return to work")
        #expect(summary["Support offered"] == "Occupational health")
        #expect(summary["Work restriction"] == "No home visits" && summary["Status"] == "Open")
        #expect(asMentor.plan.first { $0.label == "Reviews" }?.value == today.adding(days: 14).displayText)
        #expect(asMentor.plan.first { $0.label == "Educational supervisor" }?.value == "Dr Grace Whitlow")
        #expect(asMentor.hasMetrics && asMentor.metrics.allSatisfy { $0.value.contains("organisation: lower quartile") })
        let signposts = try #require(asMentor.caseFields.first { $0.name == "signposts" })
        #expect(signposts.options.filter(\.selected).map(\.label) == ["Occupational health"])
        let outcome = try #require(asMentor.caseFields.first { $0.name == "outcome" })
        #expect(
            outcome.options.map(\.label) == ["Still open", "Resolved", "Support completed", "Referred on", "Left the scheme"])
        #expect(asMentor.planFields.first { $0.name == "plan.reviewDates" }?.value == today.adding(days: 14).description)
        #expect(asMentor.planFields.first { $0.name == "plan.supervisorId" }?.value == String(supervisor.userId))
        #expect(asMentor.meetingFields.first { $0.name == "date" }?.value == today.description)

        var errors = ValidationErrors()
        errors.add("notes", "Write the meeting notes")
        let refused = try await page(
            mentor, posted: (.meeting, FormFields(urlEncoded: "date=2026-11-30&notes=")), errors: errors)
        #expect(refused.meetingFields.first { $0.name == "date" }?.value == "2026-11-30")
        #expect(refused.meetingFields.first { $0.name == "notes" }?.error == "Write the meeting notes")
        #expect(refused.planFields.first { $0.name == "plan.objectives" }?.value == "Confidence in minor surgery")

        let asGP = try await page(try await principal("gp@demo.test"))
        #expect(asGP.isSubject && !asGP.isMentor && !asGP.hasMetrics && !asGP.hasMeetings)
        #expect(asGP.plan.first { $0.label == "Objectives" }?.value == "Confidence in minor surgery")

        // The caseload lists the case by how it began, in words, and offers the mentor the GPs they mentor.
        let caseload = CaseloadPage(
            page: PageChrome(title: "Support", principal: mentor, path: "/support"),
            cases: try await database.supportCases(by: mentor), isMentor: true,
            mentees: try await database.mentees(by: mentor), contacts: [], today: today)
        #expect(caseload.cases.map(\.routeIn) == ["Return to work"] && caseload.cases.first?.status == "Open")
        #expect(caseload.openFields.first { $0.name == "gpId" }?.options.contains { $0.label == "Dr Amelia Hartwell" } == true)
        #expect(
            caseload.openFields.first { $0.name == "routeIn" }?.options.map(\.label)
                == SupportCase.RouteIn.allCases.map(\.title))
        #expect(caseload.pastoralFields.first { $0.name == "date" }?.value == today.description)
    }
}
