import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The clearing-house pages' models, built by their pure initialisers from the domain's views of a
/// real (demo) database, as each person gets them (issue 20: pages that show their state).
@Suite struct ClearingHousePageModelTests {
    static let links = Links(baseURL: "http://127.0.0.1:8080")

    static func principal(_ database: AppDatabase, _ email: String) async throws -> Principal {
        try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
    }

    /// The demo GP free on Wednesdays, and a Wednesday she can work: clear of her bookings and
    /// before her indemnity runs out (the demo's, in three weeks).
    static func freeWednesday(_ database: AppDatabase, gp: Principal) async throws -> String {
        let wednesday = AvailabilityInput.WeeklyEntry(weekday: "wednesday", dayParts: ["morning", "afternoon"])
        _ = try await database.setAvailability(gpId: 1, AvailabilityInput(weekly: [wednesday], dates: []), by: gp)
        let booked = Set(try await database.bookings(for: gp, from: nil, to: nil).map(\.booking.date))
        let wednesdays = [0, 7].map { Day(ReliabilityWebTests.nextWednesday)!.adding(days: $0) }
        return try #require(wednesdays.first { !booked.contains($0) }).description
    }

    static func post(_ database: AppDatabase, _ date: String, _ start: String, _ end: String, by practice: Principal)
        async throws -> Int64
    {
        var input = SessionInput()
        input.date = date
        input.start = start
        input.end = end
        input.rate = 90
        return try #require(try await database.postSessions(input, by: practice).first?.id)
    }

    /// The session page as this person sees it now.
    static func page(_ database: AppDatabase, _ id: Int64, by principal: Principal) async throws -> SessionPage {
        let view = try await database.session(id: id, by: principal)
        let pack =
            view.may.contains(.seePack)
            ? try await database.practicePack(practiceId: view.listing.practice.id!, by: principal) : nil
        return SessionPage(
            page: PageChrome(title: "Session", principal: principal, path: "/sessions/\(id)"), view: view, applications: [],
            candidates: [], pack: pack, skills: SkillNames(try await database.skills(organisationId: 1)),
            now: database.clock.now())
    }

    /// Templates read a session row through its own lookup, not reflection: it answers every field
    /// the row has, as reflection would, and nothing it has not.
    @Test func aSessionRowAnswersTemplatesForEveryFieldItHas() async throws {
        let environment = try await TestEnvironment()
        let practice = try await Self.principal(environment.database, "practice@demo.test")
        let listing = try #require(
            try await environment.database.sessions(
                filter: SessionFilter(), page: PageRequest(perPage: 1), by: practice
            ).items.first)
        let row = SessionRow(listing, skills: SkillNames(try await environment.database.skills(organisationId: 1)))
        let fields = Mirror(reflecting: row).children
        #expect(fields.count == 9)
        for field in fields {
            let label = try #require(field.label)
            #expect(row.child(named: label).map { "\($0)" } == "\(field.value)", "\(label)")
        }
        #expect(row.child(named: "page") == nil, "the page's own fields are found further out")
    }

    @Test func appliedTheGPSeesWithdrawAndNoApply() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let date = try await Self.freeWednesday(database, gp: gp)
        let id = try await Self.post(database, date, "08:30", "10:30", by: practice)

        let before = try await Self.page(database, id, by: gp)
        #expect(before.canApply && before.application == nil && before.situation == nil)
        let application = try await database.apply(sessionId: id, by: gp, links: Self.links).value

        let applied = try await Self.page(database, id, by: gp)
        #expect(!applied.canApply, "no second Apply")
        #expect(applied.application?.id == application.id && applied.application?.canWithdraw == true)
        #expect(applied.situation?.hasPrefix("You have applied for this session") == true)
        #expect(applied.offer == nil && applied.booking == nil && applied.place == nil, "no pack or address before booking")
        #expect(applied.session.rate == "£90.00 per session (£45.00 per hour)")

        _ = try await database.withdrawApplication(id: application.id!, by: gp)
        let withdrawn = try await Self.page(database, id, by: gp)
        #expect(withdrawn.canApply && withdrawn.application == nil, "withdrawn, the GP may apply again")
        await #expect(throws: DomainError.conflict("You have already withdrawn your application")) {
            _ = try await database.withdrawApplication(id: application.id!, by: gp)
        }
    }

    @Test func offeredTheGPSeesAcceptDeclineTheRateAndTheTimeLeft() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let date = try await Self.freeWednesday(database, gp: gp)
        let id = try await Self.post(database, date, "14:00", "17:00", by: practice)
        let offer = try await database.offer(sessionId: id, gpId: 1, by: practice, links: Self.links).value

        let offered = try await Self.page(database, id, by: gp)
        let panel = try #require(offered.offer)
        #expect(panel.id == offer.id)
        #expect(panel.rate == "£90.00 per session (£30.00 per hour)")
        #expect(panel.timeLeft.hasSuffix("hours left"), "\(panel.timeLeft)")
        #expect(panel.expires == DisplayDate.dayAndTime(offer.expiresAt))
        #expect(!offered.canApply && offered.application == nil, "an offered session shows the offer, not Apply")
        #expect(offered.situation == nil, "the offer's own panel says it")
    }

    @Test func bookedTheGPSeesThePackTheAddressAMapAndAPhoneToDial() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let date = try await Self.freeWednesday(database, gp: gp)
        let id = try await Self.post(database, date, "14:00", "17:00", by: practice)
        let offer = try await database.offer(sessionId: id, gpId: 1, by: practice, links: Self.links).value
        _ = try await database.acceptOffer(id: offer.id!, by: gp, links: Self.links)

        let booked = try await Self.page(database, id, by: gp)
        #expect(booked.situation == "You are booked for this session.")
        let booking = try #require(booked.booking)
        #expect(booking.heading == "Your booking" && booking.canCancel && !booking.canComplete)
        #expect(booking.cancelFields.map(\.name) == ["reason"])
        let place = try #require(booked.place)
        #expect(place.address == "65 Abbey Road Road, Ashby Vale, ZZ1 4HL")
        #expect(place.mapLink?.hasPrefix("https://www.google.com/maps/search/?api=1&query=Abbey") == true)
        #expect(place.phone == "01632 960100" && place.phoneLink == "tel:01632960100")
        #expect(booked.hasPack && booked.pack.first?.title == "Arrival and parking")
        #expect(booked.offer == nil && !booked.canApply)
        await #expect(throws: DomainError.conflict("You have already accepted this offer")) {
            _ = try await database.acceptOffer(id: offer.id!, by: gp, links: Self.links)
        }

        // The practice reads the booking as its own, with no GP's situation.
        let asPractice = try await Self.page(database, id, by: practice)
        #expect(asPractice.situation == nil && asPractice.booking?.heading == "Booking")
    }

    /// A range of days away is listed with its Remove button's code; the button removes it, and
    /// pressing it again changes nothing and is no error.
    @Test func theAvailabilityPageListsARangeAwayWithItsRemove() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let today = database.clock.today
        let (from, to) = (today.adding(days: 10), today.adding(days: 20))
        let saved = try await database.addRangeAway(from: from.description, to: to.description, by: gp)
        let id = try #require(saved.ranges.first?.id)
        _ = try await database.addRangeAway(
            from: today.adding(days: -30).description, to: today.adding(days: -20).description, by: gp)

        let view = try await database.availability(gpId: nil, by: gp)
        let page = AvailabilityPage(
            page: PageChrome(title: "Your availability", principal: gp, path: "/availability"), view: view, today: today)
        #expect(
            page.exceptions.map(\.text) == ["Not available from \(from.displayText) to \(to.displayText)"],
            "a range over is not listed")
        #expect(page.exceptions.first?.code == "range-\(id)")
        #expect(AvailabilityPage.exception(code: "range-\(id)") == .range(id: id))
        #expect(page.clearFields.map(\.name) == ["clearExceptions"])
        #expect(page.week.map(\.name).first == "weekly-monday" && page.week.count == 7)
        #expect(
            page.week.first?.label == "Monday" && page.week.first?.options.map(\.label) == ["Morning", "Afternoon", "Evening"])
        #expect(page.awayFields.map(\.name) == ["from", "to"])
        #expect(page.timesText.hasPrefix("Morning 08:00–13:00"))

        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let html = try await browser.request("/availability")
            #expect(html.text.contains(#"name="exception" value="range-\#(id)""#))
            let removed = try await browser.submit("/availability/exceptions/remove", ["exception": "range-\(id)"])
            #expect(removed.headers[.location] == "/availability?done=exception-removed")
            let again = try await browser.submit("/availability/exceptions/remove", ["exception": "range-\(id)"])
            #expect(again.headers[.location] == "/availability?done=exception-removed", "pressed twice, no error")
            let bad = try await browser.submit("/availability/exceptions", ["from": to.description, "to": from.description])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("The last day away must be the same as or after the first"))
            let added = try await browser.submit("/availability/exceptions", ["from": from.description, "to": to.description])
            #expect(added.headers[.location] == "/availability?done=away-added")
        }
        let after = try await database.availability(gpId: nil, by: gp).availability.ranges
        #expect(after.filter { $0.to >= today }.map(\.from) == [from], "removed, then added again once")
    }
}

/// Every action a person may press twice (the button pressed again, the page reloaded) gives the
/// session's page with a notice of what happened, never an error page.
@Suite struct RepostedActionTests {
    @Test func offersAnsweredTwiceAndABookingCancelledTwice() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await ClearingHousePageModelTests.principal(database, "gp@demo.test")
        let practice = try await ClearingHousePageModelTests.principal(database, "practice@demo.test")
        let date = try await ClearingHousePageModelTests.freeWednesday(database, gp: gp)
        let declinedId = try await ClearingHousePageModelTests.post(database, date, "14:00", "17:00", by: practice)
        let declined = try await database.offer(
            sessionId: declinedId, gpId: 1, by: practice, links: ClearingHousePageModelTests.links
        ).value
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            try await browser.request("/sessions/\(declinedId)")
            #expect(try await browser.submit("/offers/\(declined.id!)/decline", [:]).status == .seeOther)
            let again = try await browser.submit("/offers/\(declined.id!)/decline", [:])
            #expect(again.status == .ok && again.text.contains("You have already declined this offer"))
            #expect(again.text.contains("Dashboard"), "the page, with its menu")
        }
        let acceptedId = try await ClearingHousePageModelTests.post(database, date, "08:30", "10:30", by: practice)
        let accepted = try await database.offer(
            sessionId: acceptedId, gpId: 1, by: practice, links: ClearingHousePageModelTests.links
        ).value
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            try await browser.request("/sessions/\(acceptedId)")
            let first = try await browser.submit("/offers/\(accepted.id!)/accept", [:])
            #expect(first.headers[.location] == "/sessions/\(acceptedId)?done=booked")
            let again = try await browser.submit("/offers/\(accepted.id!)/accept", [:])
            #expect(again.status == .ok && again.text.contains("You have already accepted this offer"))

            let bookingId = try #require(
                try await database.bookings(for: gp, from: nil, to: nil).first { $0.session.id == acceptedId }?.booking.id)
            let cancelled = try await browser.submit("/bookings/\(bookingId)/cancel", ["reason": "Unwell"])
            #expect(cancelled.headers[.location] == "/bookings?done=cancelled")
            let cancelledAgain = try await browser.submit("/bookings/\(bookingId)/cancel", ["reason": "Unwell"])
            #expect(cancelledAgain.status == .ok && cancelledAgain.text.contains("This booking has already been cancelled"))
        }
    }

    @Test func anApplicationAcceptedTwiceAndABookingCompletedTwice() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await ClearingHousePageModelTests.principal(database, "gp@demo.test")
        let practice = try await ClearingHousePageModelTests.principal(database, "practice@demo.test")
        let date = try await ClearingHousePageModelTests.freeWednesday(database, gp: gp)
        let id = try await ClearingHousePageModelTests.post(database, date, "08:30", "10:30", by: practice)
        let application = try await database.apply(sessionId: id, by: gp, links: ClearingHousePageModelTests.links).value
        // Done already in the demo: the GP's session at Abbey Road two days ago.
        let completed = try #require(
            try await database.bookings(for: gp, from: nil, to: nil).first {
                $0.booking.status == .completed && $0.practice.id == 1
            })
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            try await browser.request("/sessions/\(id)")
            let first = try await browser.submit("/applications/\(application.id!)/accept", [:])
            #expect(first.headers[.location] == "/sessions/\(id)?done=booked")
            let again = try await browser.submit("/applications/\(application.id!)/accept", [:])
            #expect(again.status == .ok && again.text.contains("This application has already been accepted"))

            let completedAgain = try await browser.submit("/bookings/\(completed.booking.id!)/complete", [:])
            #expect(completedAgain.status == .ok)
            #expect(completedAgain.text.contains("This booking has already been marked completed"))
        }
    }

    @Test func anApplicationWithdrawnTwice() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await ClearingHousePageModelTests.principal(database, "gp@demo.test")
        let practice = try await ClearingHousePageModelTests.principal(database, "practice@demo.test")
        let date = try await ClearingHousePageModelTests.freeWednesday(database, gp: gp)
        let id = try await ClearingHousePageModelTests.post(database, date, "08:30", "10:30", by: practice)
        let application = try await database.apply(sessionId: id, by: gp, links: ClearingHousePageModelTests.links).value
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let page = try await browser.request("/sessions/\(id)")
            #expect(page.text.contains(#"action="/applications/\#(application.id!)/withdraw""#))
            let first = try await browser.submit("/applications/\(application.id!)/withdraw", [:])
            #expect(first.headers[.location] == "/sessions/\(id)?done=application-withdrawn")
            let again = try await browser.submit("/applications/\(application.id!)/withdraw", [:])
            #expect(again.status == .ok && again.text.contains("You have already withdrawn your application"))
            #expect(again.text.contains("Apply for this session"), "the GP may apply again")
        }
    }
}
