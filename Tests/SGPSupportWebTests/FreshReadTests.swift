import Foundation
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// No answer is stale after a committed write, whatever is kept in memory: the same journey with
/// the eligibility facts and the answers kept (as `serve` runs) and with nothing kept.
@Suite struct FreshReadTests {
    @Test(arguments: [true, false])
    func candidatesFollowABookingElsewhereAndACheckExpiring(caches: Bool) async throws {
        let environment = try await TestEnvironment(caches: caches)
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let wednesday = ClearingHouseAPITests.nextWednesday
            #expect(
                try await gp.send(
                    "/api/v1/gps/1/availability", method: .put,
                    json: #"{"weekly": [{"weekday": "wednesday", "dayParts": ["morning", "afternoon"]}], "dates": []}"#
                ).status == .ok)
            func post(_ client: APIClient, practiceId: Int, start: String, end: String) async throws -> Int {
                let posted = try await client.send(
                    "/api/v1/sessions", method: .post,
                    json:
                        #"{"practiceId": \#(practiceId), "date": "\#(wednesday)", "start": "\#(start)", "end": "\#(end)", "kind": "surgery", "rate": 95}"#
                )
                #expect(posted.status == .created)
                return try #require(posted.json["id"] as? Int)
            }
            let morning = try await post(practice, practiceId: 1, start: "09:00", end: "12:00")
            let afternoon = try await post(practice, practiceId: 1, start: "13:30", end: "17:00")
            // The same morning at Beacon Hill (Brookmere, where the demo GP also works).
            let elsewhere = try await post(liaison, practiceId: 2, start: "09:30", end: "12:30")
            func demoGP(_ sessionId: Int) async throws -> [String: Any]? {
                let answer = try await liaison.send("/api/v1/sessions/\(sessionId)/candidates?includeIneligible=true")
                #expect(answer.status == .ok)
                return (answer.json["items"] as? [[String: Any]])?.first { $0["gpId"] as? Int == 1 }
            }
            #expect(try await demoGP(morning)?["eligible"] as? Bool == true)
            #expect(try await demoGP(afternoon)?["eligible"] as? Bool == true)

            // Booked elsewhere for the same morning: no longer a candidate for this one.
            let applied = try await gp.send("/api/v1/sessions/\(elsewhere)/applications", method: .post)
            let applicationId = try #require(applied.json["id"] as? Int)
            #expect(try await liaison.send("/api/v1/applications/\(applicationId)/accept", method: .post).status == .created)
            let booked = try #require(try await demoGP(morning))
            #expect(booked["eligible"] as? Bool == false)
            #expect((booked["ineligibleBecause"] as? [String])?.contains("Already booked at an overlapping time") == true)
            #expect(try await demoGP(afternoon)?["eligible"] as? Bool == true, "the afternoon does not overlap")
            #expect(
                try await gp.send("/api/v1/sessions?eligibleFor=me").json["items"].map { items in
                    (items as? [[String: Any]] ?? []).contains { $0["id"] as? Int == morning }
                } == false, "nor is it work available to her")

            // Her indemnity is recorded again, ending the day before: she is not cleared that day.
            let today = Day(environment.database.clock.now())
            let check = try await liaison.send(
                "/api/v1/gps/1/checks", method: .post,
                json:
                    #"{"type": "indemnity", "status": "verified", "verifiedOn": "\#(today)", "expiresOn": "\#(Day(wednesday)!.adding(days: -1))"}"#
            )
            #expect(check.status == .created)
            let expired = try #require(try await demoGP(afternoon))
            #expect(expired["eligible"] as? Bool == false)
            #expect(
                (expired["ineligibleBecause"] as? [String])?.contains { $0.hasPrefix("Not cleared on") } == true,
                "\(expired)")
        }
    }
}
