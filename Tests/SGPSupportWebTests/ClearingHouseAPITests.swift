import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The clearing-house over HTTP with the demo data: practice 1 (Z90001) is in Ashby Vale, where the
/// demo GP (gp 1, cleared, minor surgery) works.
@Suite struct ClearingHouseAPITests {
    static let nextWednesday: String = {
        var day = Day(Date()).adding(days: 1)
        while day.isoWeekday != 3 { day = day.adding(days: 1) }
        return day.description
    }()

    @Test func aCalendarResetGivesANewAddressAndEndsTheOld() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            func feedPath(_ response: TestResponse) throws -> String {
                let url = try #require(response.json["url"] as? String)
                return String(url.dropFirst("http://127.0.0.1:8080".count))
            }
            let first = try feedPath(try await practice.send("/api/v1/practices/1/calendar-url"))
            #expect(try await browser.request(first).status == .ok)
            let reset = try await practice.send("/api/v1/practices/1/calendar-url", method: .post)
            #expect(reset.status == .ok)
            let second = try feedPath(reset)
            #expect(second != first)
            #expect(try await browser.request(first).status == .notFound, "the old address stops working")
            #expect(try await browser.request(second).text.hasPrefix("BEGIN:VCALENDAR"))
            #expect(try await practice.send("/api/v1/practices/1/calendar-url").status == .conflict)
        }
    }

    @Test func aSessionIsPostedFoundAppliedForAcceptedAndInTheCalendar() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let availability = try await gp.send(
                "/api/v1/gps/1/availability", method: .put,
                json: #"{"weekly": [{"weekday": "wednesday", "dayParts": ["morning", "afternoon"]}], "dates": []}"#)
            #expect(availability.status == .ok)
            #expect((availability.json["weekly"] as? [[String: Any]])?.first?["weekday"] as? String == "wednesday")

            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json:
                    #"{"date": "\#(Self.nextWednesday)", "start": "09:00", "end": "12:30", "kind": "surgery", "requiredSkills": ["minor-surgery"], "rate": 95.5, "rateUnit": "session"}"#
            )
            #expect(posted.status == .created)
            #expect(posted.json["start"] as? String == "09:00")
            #expect(posted.json["rate"] as? Double == 95.5)
            #expect(posted.json["status"] as? String == "open")
            let sessionId = try #require(posted.json["id"] as? Int)

            let mine = try await gp.send("/api/v1/sessions?eligibleFor=me")
            #expect((mine.json["items"] as? [[String: Any]])?.contains { $0["id"] as? Int == sessionId } == true)
            let candidates = try await practice.send("/api/v1/sessions/\(sessionId)/candidates")
            let items = try #require(candidates.json["items"] as? [[String: Any]])
            let demoGP = try #require(items.first { $0["gpId"] as? Int == 1 })
            #expect(demoGP["eligible"] as? Bool == true)
            #expect((demoGP["reasons"] as? [String])?.isEmpty == false)
            let scores = items.compactMap { $0["score"] as? Int }
            #expect(scores == scores.sorted(by: >), "best first")

            let applied = try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post)
            #expect(applied.status == .created)
            #expect(environment.mailbox.sent.contains { $0.to == "practice@demo.test" && $0.subject.contains("applied") })
            let applicationId = try #require(applied.json["id"] as? Int)
            let again = try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post)
            #expect(again.status == .conflict)

            let accepted = try await practice.send("/api/v1/applications/\(applicationId)/accept", method: .post)
            #expect(accepted.status == .created)
            #expect(accepted.json["status"] as? String == "confirmed")
            let bookingId = try #require(accepted.json["id"] as? Int)
            #expect(environment.mailbox.sent.contains { $0.to == "gp@demo.test" && $0.subject.hasPrefix("Confirmed") })
            let second = try await practice.send("/api/v1/applications/\(applicationId)/accept", method: .post)
            #expect(second.status == .conflict)
            #expect(second.errorCode == "conflict")

            let bookings = try await gp.send("/api/v1/bookings")
            let ownBookings = try #require(bookings.json["items"] as? [[String: Any]])
            #expect(ownBookings.contains { $0["id"] as? Int == bookingId })
            #expect(ownBookings.allSatisfy { $0["gpId"] as? Int == 1 }, "a GP sees only their own bookings")
            let calendar = try await gp.send("/api/v1/gps/1/calendar-url")
            let url = try #require(calendar.json["url"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:8080/calendar/"))
            let path = String(url.dropFirst("http://127.0.0.1:8080".count))
            let feed = try await browser.request(path)
            #expect(feed.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(feed.text.contains("UID:booking-\(bookingId)@sgpst"))
            // Only a digest is kept: a second GET cannot show the address again and says how to get a new one.
            let shownAgain = try await gp.send("/api/v1/gps/1/calendar-url")
            #expect(shownAgain.status == .conflict)
            #expect(shownAgain.errorCode == "conflict")
            let message = (shownAgain.json["error"] as? [String: Any])?["message"] as? String
            #expect(message?.contains("POST to this address for a new one") == true)

            let early = try await practice.send("/api/v1/bookings/\(bookingId)/complete", method: .post)
            #expect(early.status == .conflict)
            let noReason = try await gp.send("/api/v1/bookings/\(bookingId)/cancel", method: .post, json: "{}")
            #expect(noReason.status == .unprocessableContent)
            let cancelled = try await gp.send(
                "/api/v1/bookings/\(bookingId)/cancel", method: .post, json: #"{"reason": "Family emergency"}"#)
            #expect(cancelled.json["status"] as? String == "cancelled")
            #expect(environment.mailbox.sent.contains { $0.to == "practice@demo.test" && $0.text.contains("Family emergency") })
            #expect(try await browser.request(path).text.contains("STATUS:CANCELLED"))
        }
    }

    /// Issue 19, finding 14: the API told a GP what the page does not: that the practice does not want them.
    @Test func theApplyRefusalSaysNoMoreThanThePage() async throws {
        let environment = try await TestEnvironment()
        let liaison = try await environment.database.signIn(
            email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web)
        try await environment.database.setPracticePreference(
            practiceId: 1, gpId: 1, preference: .notWanted, reason: "Left early twice", by: liaison.principal)
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let availability = try await gp.send(
                "/api/v1/gps/1/availability", method: .put,
                json: #"{"weekly": [{"weekday": "wednesday", "dayParts": ["morning", "afternoon"]}], "dates": []}"#)
            #expect(availability.status == .ok)
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json:
                    #"{"date": "\#(Self.nextWednesday)", "start": "09:00", "end": "12:30", "kind": "surgery", "rate": 90}"#
            )
            let sessionId = try #require(posted.json["id"] as? Int)

            let refused = try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post)
            #expect(refused.status == .conflict)
            let message = try #require((refused.json["error"] as? [String: Any])?["message"] as? String)
            #expect(message == AppDatabase.applyRefusal)
            #expect(!message.lowercased().contains("not-wanted") && !message.lowercased().contains("not wanted"))
            try await browser.signIn("gp@demo.test")
            #expect(try await browser.request("/sessions/\(sessionId)").text.contains(AppDatabase.applyRefusal))

            let candidates = try await practice.send("/api/v1/sessions/\(sessionId)/candidates?includeIneligible=true")
            let items = try #require(candidates.json["items"] as? [[String: Any]])
            let demoGP = try #require(items.first { $0["gpId"] as? Int == 1 })
            let why = demoGP["ineligibleBecause"] as? [String]
            #expect(why == ["On the practice's not-wanted list"], "the practice still sees why")
        }
    }

    @Test func whoMaySeeAndDoWhatWithSessions() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json: #"{"date": "\#(Self.nextWednesday)", "start": "18:30", "end": "21:00", "rate": 90}"#)
            let sessionId = try #require(posted.json["id"] as? Int)
            let otherPractice = try await APIClient.signedIn(browser.client, "practice2@demo.test")
            #expect(try await otherPractice.send("/api/v1/sessions/\(sessionId)/candidates").status == .forbidden)
            #expect(try await otherPractice.send("/api/v1/sessions/\(sessionId)").status == .forbidden)
            #expect(
                try await otherPractice.send(
                    "/api/v1/sessions", method: .post,
                    json: #"{"practiceId": 1, "date": "\#(Self.nextWednesday)", "start": "09:00", "end": "12:00", "rate": 90}"#
                )
                .status == .forbidden)
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            #expect(try await gp.send("/api/v1/sessions/\(sessionId)/candidates").status == .forbidden)
            #expect(
                try await gp.send("/api/v1/sessions/\(sessionId)/offers", method: .post, json: #"{"gpId": 1}"#).status
                    == .forbidden)
            #expect(try await gp.send("/api/v1/sessions/\(sessionId)").status == .ok)
            let notAvailable = try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post)
            #expect(notAvailable.status == .conflict)
            #expect(
                (notAvailable.json["error"] as? [String: Any])?["message"] as? String == AppDatabase.applyRefusal,
                "the API says what the page says")
            let bad = try await practice.send(
                "/api/v1/sessions", method: .post, json: #"{"date": "2020-01-01", "start": "9", "end": "08:00", "rate": -1}"#)
            #expect(bad.status == .unprocessableContent)
            let fields = (bad.json["error"] as? [String: Any])?["fields"] as? [String: String] ?? [:]
            #expect(Set(fields.keys) == ["date", "start", "rate"])
        }
    }

    @Test func sharingAgreementsNeedBothLiaisonOfficers() async throws {
        let environment = try await TestEnvironment()
        _ = try await environment.database.createOrganisation(
            OrganisationInput(code: "PRT", name: "Partner ICB"), by: .commandLine)
        _ = try await environment.database.createUser(
            NewUserInput(email: "lo@partner.test", password: "partner passphrase", role: .liaisonOfficer, scopeReference: "PRT"),
            by: .commandLine)
        try await environment.test { browser in
            let demo = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let proposed = try await demo.send(
                "/api/v1/sharing-agreements", method: .post, json: #"{"partnerOrganisationId": 2}"#)
            #expect(proposed.status == .created)
            #expect(proposed.json["status"] as? String == "proposed")
            let id = try #require(proposed.json["id"] as? Int)
            #expect(try await demo.send("/api/v1/sharing-agreements/\(id)/accept", method: .post).status == .forbidden)
            let partner = try await APIClient.signedIn(browser.client, "lo@partner.test", password: "partner passphrase")
            let accepted = try await partner.send("/api/v1/sharing-agreements/\(id)/accept", method: .post)
            #expect(accepted.json["status"] as? String == "active")
            let ended = try await demo.send("/api/v1/sharing-agreements/\(id)/end", method: .post)
            #expect(ended.json["status"] as? String == "ended")
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            #expect(
                try await mentor.send("/api/v1/sharing-agreements", method: .post, json: #"{"partnerOrganisationId": 2}"#).status
                    == .forbidden)
        }
    }

    @Test func theLiaisonOfficerRetimesTheDayPartsAndAvailabilityFollows() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            _ = try await gp.send(
                "/api/v1/gps/1/availability", method: .put,
                json: #"{"weekly": [{"weekday": "wednesday", "dayParts": ["morning"]}]}"#)
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json: #"{"date": "\#(Self.nextWednesday)", "start": "13:00", "end": "13:45", "rate": 60}"#)
            let sessionId = try #require(posted.json["id"] as? Int)
            #expect(
                try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post).status == .conflict,
                "13:00 is afternoon by default")

            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let overlapping = try await liaison.send(
                "/api/v1/organisations/1/day-parts", method: .put, json: #"{"morning": {"start": "08:00", "end": "14:00"}}"#)
            #expect(overlapping.status == .unprocessableContent, "morning would run into the afternoon")
            let retimed = try await liaison.send(
                "/api/v1/organisations/1/day-parts", method: .put,
                json: #"{"morning": {"start": "07:30", "end": "14:00"}, "afternoon": {"start": "14:00", "end": "18:30"}}"#)
            #expect(retimed.status == .ok)
            #expect((retimed.json["morning"] as? [String: String])?["end"] == "14:00")
            #expect(try await gp.send("/api/v1/organisations/1/day-parts").status == .ok)
            #expect(try await gp.send("/api/v1/organisations/1/day-parts", method: .put, json: "{}").status == .forbidden)
            let applied = try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post)
            #expect(applied.status == .created, "\(applied.text)")
        }
    }

    @Test func arrangementsAreRecordedThroughTheAPI() async throws {
        let environment = try await TestEnvironment()
        let lastWeek = Day(Date()).adding(days: -7).description
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let recorded = try await gp.send(
                "/api/v1/arrangements", method: .post,
                json: #"{"practiceId": 2, "date": "\#(lastWeek)", "start": "18:30", "end": "21:00", "kind": "extended-hours"}"#)
            #expect(recorded.status == .created)
            #expect(recorded.json["gpId"] as? Int == 1, "a GP records their own arrangement without naming themselves")
            #expect(recorded.json["status"] as? String == "provisional")
            let id = try #require(recorded.json["id"] as? Int)
            // The GP cannot confirm their own record; the practice (practice 2's manager) does.
            #expect(try await gp.send("/api/v1/arrangements/\(id)/confirm", method: .post).status == .forbidden)
            let otherPractice = try await APIClient.signedIn(browser.client, "practice2@demo.test")
            let confirmed = try await otherPractice.send("/api/v1/arrangements/\(id)/confirm", method: .post)
            #expect(confirmed.status == .ok, "\(confirmed.text)")
            #expect(confirmed.json["status"] as? String == "confirmed")
            #expect(confirmed.json["bookingId"] as? Int != nil)
            #expect(try await otherPractice.send("/api/v1/arrangements/\(id)/decline", method: .post).status == .conflict)
            let stranger = try await APIClient.signedIn(browser.client, "practice@demo.test")
            #expect(try await stranger.send("/api/v1/arrangements/\(id)").status == .forbidden)
            #expect(try await stranger.send("/api/v1/arrangements/999999").status == .notFound)
            let bad = try await gp.send("/api/v1/arrangements", method: .post, json: #"{"practiceId": 2, "date": "yesterday"}"#)
            #expect(bad.status == .unprocessableContent)
            let fields = (bad.json["error"] as? [String: Any])?["fields"] as? [String: String] ?? [:]
            #expect(Set(fields.keys) == ["date", "start", "end"])
        }
    }
}
