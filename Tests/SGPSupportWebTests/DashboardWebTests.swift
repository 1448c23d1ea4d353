import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Dashboards as work queues (issue 20): each role sees what is waiting for them, each item linking
/// to where it is done. Real records: the demo, plus an offer, an application and a support case.
@Suite struct DashboardWebTests {
    @Test func eachRoleSeesTheWorkWaitingForThem() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let date = try await gp.demoGPsFreeWednesday()
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            var sessionIds: [Int] = []
            for (start, end) in [("08:30", "10:30"), ("14:00", "17:00")] {
                let posted = try await practice.send(
                    "/api/v1/sessions", method: .post,
                    json: #"{"date": "\#(date)", "start": "\#(start)", "end": "\#(end)", "rate": 90}"#)
                sessionIds.append(try #require(posted.json["id"] as? Int))
            }
            #expect(
                try await practice.send("/api/v1/sessions/\(sessionIds[0])/offers", method: .post, json: #"{"gpId": 1}"#).status
                    == .created)
            #expect(try await gp.send("/api/v1/sessions/\(sessionIds[1])/applications", method: .post).status == .created)
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            let opened = try await SupportWebTests.openCase(mentor)

            func sections(_ email: String) async throws -> [String: DashboardPage.QueueSection] {
                let principal = try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
                let queue = try await database.workQueue(by: principal)
                return Dictionary(
                    uniqueKeysWithValues: DashboardPage.queueSections(queue, now: database.clock.now()).map { ($0.id, $0) })
            }
            let asGP = try await sections("gp@demo.test")
            #expect(asGP["offers"]?.items.map(\.link) == ["/sessions/\(sessionIds[0])"])
            #expect(asGP["offers"]?.items.first?.note?.contains("hours left") == true)
            #expect(asGP["cards"]?.hasItems == true, "the demo GP has a card to fill in from two days ago")
            #expect(asGP["next-bookings"] != nil)

            let asPractice = try await sections("practice@demo.test")
            let applications = try #require(asPractice["applications-1"])
            #expect(applications.items.map(\.link) == ["/sessions/\(sessionIds[1])"])
            #expect(applications.items.first?.text.hasPrefix("Dr Amelia Hartwell applied for") == true)
            let openSessions = try #require(asPractice["open-sessions-1"])
            let today = database.clock.today
            let endOfNextWeek = today.adding(days: 13 - (today.isoWeekday - 1))
            #expect(
                openSessions.items.map(\.link).contains("/sessions/\(sessionIds[0])") == (Day(date)! <= endOfNextWeek),
                "the open session is listed when it falls this week or next")
            #expect(asPractice["offers"] == nil, "a practice has no GP's queue")

            let asLiaison = try await sections("liaison@demo.test")
            #expect(asLiaison["not-cleared"] != nil && asLiaison["unfilled"] != nil && asLiaison["applicants"] != nil)
            #expect(asLiaison["applicants"]?.items.allSatisfy { $0.link == "/applicants" } == true)
            let notCleared = try #require(asLiaison["not-cleared"])
            #expect(notCleared.hasItems, "the demo has GPs not cleared today")
            #expect(notCleared.items.allSatisfy { $0.note?.isEmpty == false && $0.link.hasPrefix("/gps/") }, "every reason given")

            let asMentor = try await sections("mentor@demo.test")
            #expect(asMentor["caseload"]?.items.map(\.link) == ["/support/cases/\(opened)"])
            #expect(asMentor["concerns"] != nil)

            // The page renders the queue with its links.
            try await browser.signIn("practice@demo.test")
            let page = try await browser.request("/dashboard")
            #expect(page.text.contains("Applications to decide") && page.text.contains("href=\"/sessions/\(sessionIds[1])\""))
        }
    }
}
