import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The clearing-house as people use it in the browser.
@Suite struct ClearingHousePageTests {
    @Test func aPracticePostsAGPAppliesThePracticeAcceptsAndTheGPSeesThePack() async throws {
        let environment = try await TestEnvironment()
        let date = ClearingHouseAPITests.nextWednesday
        let sessionId = try await environment.test { browser -> Int64 in
            try await browser.signIn("practice@demo.test")
            try await browser.request("/sessions/new")
            let bad = try await browser.submit(
                "/sessions/new", ["practiceId": "1", "date": date, "start": "12:00", "end": "09:00", "rate": "95"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains(##"<a href="#end">The end time must be after the start time</a>"##))
            #expect(bad.text.contains(#"value="12:00""#), "the input is kept")
            let posted = try await browser.submit(
                "/sessions/new",
                ["practiceId": "1", "date": date, "start": "13:30", "end": "17:30", "rate": "95", "kind": "surgery"])
            #expect(posted.status == .seeOther)
            let location = try #require(posted.headers[.location])
            #expect(location.hasSuffix("?done=posted"))
            let page = try await browser.request(location)
            #expect(page.text.contains("Session posted."))
            #expect(page.text.contains("Candidates"))
            #expect(page.text.contains("Dr Amelia Hartwell"), "the demo GP is a candidate")
            return try #require(Int64(location.split(separator: "/")[1].split(separator: "?")[0]))
        }
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let work = try await browser.request("/work")
            #expect(work.text.contains(#"href="/sessions/\#(sessionId)""#))
            let session = try await browser.request("/sessions/\(sessionId)")
            #expect(session.text.contains("Apply for this session"))
            #expect(!session.text.contains("Candidates"), "a GP does not see who else could take it")
            let applied = try await browser.submit("/sessions/\(sessionId)/apply", [:])
            #expect(applied.status == .seeOther)
        }
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            let session = try await browser.request("/sessions/\(sessionId)")
            #expect(session.text.contains("Accept Dr Amelia Hartwell"))
            let applicationId = try #require(
                try await environment.database.applications(
                    sessionId: sessionId,
                    by: try await environment.database.signIn(
                        email: "practice@demo.test", password: demoPassword, from: "t", kind: .web
                    ).principal
                ).first?.0.id)
            let accepted = try await browser.submit("/applications/\(applicationId)/accept", [:])
            #expect(accepted.status == .seeOther)
        }
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let bookings = try await browser.request("/bookings")
            #expect(bookings.text.contains(#"href="/sessions/\#(sessionId)""#))
            #expect(bookings.text.contains(#"action="/bookings/calendar-address""#))
            let session = try await browser.request("/sessions/\(sessionId)")
            #expect(session.text.contains("Arrival and parking"), "a booked GP sees the practice pack")
            let bookingId = try await bookingId(environment, sessionId)
            let refused = try await browser.submit("/bookings/\(bookingId)/cancel", ["reason": ""])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(##"<a href="#reason">Give the reason for cancelling</a>"##))
            let cancelled = try await browser.submit("/bookings/\(bookingId)/cancel", ["reason": "Car broke down"])
            #expect(cancelled.headers[.location] == "/bookings?done=cancelled")
        }
        #expect(environment.mailbox.sent.contains { $0.to == "practice@demo.test" && $0.text.contains("Car broke down") })
    }

    /// The bookings page makes the feed's address on request and shows it that once (only a digest is
    /// kept); afterwards it offers a new one, which ends the old.
    @Test func theCalendarAddressIsShownOnceWhenMadeAndANewOneEndsTheOld() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let first = try await browser.request("/bookings")
            #expect(first.text.contains("Make my calendar address"))
            #expect(!first.text.contains("/calendar/"))
            let made = try await browser.submit("/bookings/calendar-address", [:])
            #expect(made.status == .ok)
            let url = try #require(
                made.text.range(of: #"http://127\.0\.0\.1:8080/calendar/[A-Za-z0-9_-]+\.ics"#, options: .regularExpression)
                    .map { String(made.text[$0]) })
            let path = String(url.dropFirst("http://127.0.0.1:8080".count))
            #expect(try await browser.request(path).headers[.contentType] == "text/calendar; charset=utf-8")

            let later = try await browser.request("/bookings")
            #expect(!later.text.contains("/calendar/"), "the address is not shown again")
            #expect(later.text.contains("Make a new calendar address"))
            let renewed = try await browser.submit("/bookings/calendar-address", [:])
            #expect(renewed.text.contains("/calendar/") && !renewed.text.contains(url))
            #expect(try await browser.request(path).status == .notFound, "the old address stops working")

            try await browser.request("/dashboard")
            try await browser.submit("/sign-out", [:])
            try await browser.signIn("liaison@demo.test")
            try await browser.request("/bookings")
            #expect(try await browser.submit("/bookings/calendar-address", [:]).status == .forbidden)
        }
    }

    func bookingId(_ environment: TestEnvironment, _ sessionId: Int64) async throws -> Int64 {
        let gp = try await environment.database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web)
            .principal
        let bookings = try await environment.database.bookings(for: gp, from: nil, to: nil)
        return try #require(bookings.first { $0.session.id == sessionId && $0.booking.status == .confirmed }?.booking.id)
    }

    @Test func aGPSetsTheirWeeklyAvailabilityAndAnException() async throws {
        let environment = try await TestEnvironment()
        let day = Day(Date()).adding(days: 30)
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            try await browser.request("/availability")
            let bad = try await browser.submit("/availability", ["weekly-monday": "morning", "exceptionDate": "2026-02-30"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Enter a real date as YYYY-MM-DD"))
            let saved = try await browser.submit(
                "/availability",
                [
                    "weekly-monday": "evening", "exceptionDate": day.description, "exceptionParts": "morning",
                    "exceptionAvailable": "false",
                ])
            #expect(saved.status == .seeOther)
            let availability = try await environment.database.availability(gpId: 1, by: .commandLine).availability
            #expect(availability.weekly.map(\.weekday) == [1])
            #expect(availability.weekly.first?.dayParts == [.evening])
            #expect(availability.dates.first?.date == day)
            #expect(availability.dates.first?.available == false)
            // Parts of the day by their titles, never their codes.
            #expect(try await browser.request("/availability").text.contains("\(day.displayText) – Morning: not available"))
        }
    }

    @Test func eachRoleIsKeptToItsOwnClearingHousePages() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            #expect(try await browser.request("/sessions").headers[.location] == "/work")
            #expect(try await browser.request("/sessions/new").status == .forbidden)
            try await browser.request("/dashboard")
            try await browser.submit("/sign-out", [:])
            try await browser.signIn("practice@demo.test")
            #expect(try await browser.request("/work").status == .forbidden)
            #expect(try await browser.request("/availability").status == .forbidden)
        }
    }

    @Test func aGPReportsAnArrangementMadeOutsideTheScheme() async throws {
        let environment = try await TestEnvironment()
        let lastWeek = Day(Date()).adding(days: -7).description
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            try await browser.request("/bookings")
            let bad = try await browser.submit(
                "/arrangements", ["practiceId": "2", "date": lastWeek, "start": "9", "end": "12:00"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Enter the start time as HH:MM"))
            let saved = try await browser.submit(
                "/arrangements",
                ["practiceId": "2", "date": lastWeek, "start": "18:30", "end": "21:00", "kind": "extended-hours"])
            #expect(saved.headers[.location] == "/bookings?done=arrangement-recorded")
            let bookings = try await browser.request("/bookings")
            #expect(bookings.text.contains("waiting for the other side"))
            // The practice is emailed a link to the page where it confirms.
            let ask = try #require(environment.mailbox.sent.last { $0.subject.hasPrefix("Please confirm") })
            let range = try #require(ask.text.range(of: #"/arrangements/[0-9]+"#, options: .regularExpression))
            let path = String(ask.text[range])
            let practice = Browser(browser.client)
            try await practice.signIn("practice2@demo.test")
            let page = try await practice.request(path)
            #expect(page.status == .ok && page.text.contains("Confirm the arrangement"))
            let confirmed = try await practice.submit(path + "/confirm", [:])
            #expect(confirmed.headers[.location] == path + "?done=arrangement-confirmed")
            let after = try await practice.request(path + "?done=arrangement-confirmed")
            #expect(after.text.contains("See the booking") && after.text.contains("href=\"/sessions/"))
            #expect(!after.text.contains("Confirm the arrangement"), "nothing left to decide")
        }
        let gp = try await environment.database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web)
            .principal
        let reported = try await environment.database.bookings(for: gp, from: nil, to: nil).filter {
            $0.session.source == "reported"
        }
        #expect(reported.count == 1)
        #expect(reported.first?.booking.status == .completed, "a past arrangement completes once confirmed")
    }
}

@Suite struct OfferEmailJourneyTests {
    /// Issue 20's first step: an offer email links to the session, which after sign-in shows the
    /// offer with Accept and Decline; accepting from there books the GP.
    @Test func aGPAcceptsAnOfferFromTheLinkInItsEmail() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let date = try await gp.demoGPsFreeWednesday()
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post, json: #"{"date": "\#(date)", "start": "13:30", "end": "17:00", "rate": 90}"#)
            let sessionId = try #require(posted.json["id"] as? Int)
            let offered = try await practice.send(
                "/api/v1/sessions/\(sessionId)/offers", method: .post, json: #"{"gpId": 1}"#)
            #expect(offered.status == .created, "\(offered.text)")
            let email = try #require(environment.mailbox.sent.last { $0.subject.hasPrefix("Session offered") })
            let link = "http://127.0.0.1:8080/sessions/\(sessionId)"
            #expect(email.to == "gp@demo.test" && email.text.contains(link))
            #expect(email.text.contains("Rate: £90.00 per session"))

            let visitor = Browser(browser.client)
            let signedOut = try await visitor.request("/sessions/\(sessionId)")
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.headers[.location] == "/sign-in?next=/sessions/\(sessionId)")
            try await visitor.request("/sign-in?next=/sessions/\(sessionId)")
            let signedIn = try await visitor.submit(
                "/sign-in?next=/sessions/\(sessionId)",
                ["email": "gp@demo.test", "password": demoPassword, "next": "/sessions/\(sessionId)"])
            #expect(signedIn.headers[.location] == "/sessions/\(sessionId)")
            let page = try await visitor.request("/sessions/\(sessionId)")
            #expect(page.text.contains("This session is offered to you"))
            #expect(!page.text.contains("Apply for this session"), "an offered session shows the offer, not Apply")
            let offerId = try #require(offered.json["id"] as? Int)
            let accepted = try await visitor.submit("/offers/\(offerId)/accept", [:])
            #expect(accepted.headers[.location] == "/sessions/\(sessionId)?done=booked")
            let booked = try await visitor.request("/sessions/\(sessionId)?done=booked")
            #expect(booked.text.contains("Booked. Both sides have been emailed."))
        }
    }
}

@Suite struct RepostTests {
    /// Pressing Apply twice (or Accept on an offer already taken) gives the session's page with a
    /// notice, never an error page.
    @Test func aSecondApplyGivesTheSessionPageWithANotice() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let date = try await APIClient.signedIn(browser.client, "gp@demo.test").demoGPsFreeWednesday()
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post, json: #"{"date": "\#(date)", "start": "13:30", "end": "17:00", "rate": 90}"#)
            let sessionId = try #require(posted.json["id"] as? Int)
            try await browser.signIn("gp@demo.test")
            let before = try await browser.request("/sessions/\(sessionId)")
            #expect(before.text.contains("Apply for this session"))
            let first = try await browser.submit("/sessions/\(sessionId)/apply", [:])
            #expect(first.headers[.location] == "/sessions/\(sessionId)?done=applied")
            let page = try await browser.request("/sessions/\(sessionId)")
            #expect(page.text.contains("You have applied for this session") && !page.text.contains("Apply for this session"))
            let again = try await browser.submit("/sessions/\(sessionId)/apply", [:])
            #expect(again.status == .ok)
            #expect(again.text.contains("You have already applied for this session"))
            #expect(again.text.contains("Dashboard"), "the page, with its menu")
        }
    }
}
