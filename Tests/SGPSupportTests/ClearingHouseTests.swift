import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The register fixture plus a practice manager for practice A81001 (Ashby Vale) and helpers to
/// make GPs who pass every rule. Today is Mon 7 Dec 2026; sessions default to Wed 9 Dec, 09:00–12:00.
struct ClearingFixture {
    let register: RegisterFixture
    let manager: Principal
    let practiceId: Int64
    var database: AppDatabase { register.database }
    var clock: TestClock { register.clock }

    init() async throws {
        register = try await RegisterFixture()
        _ = try await register.database.createUser(
            NewUserInput(email: "pm@example.org", password: validPassword, role: .practiceManager, scopeReference: "A81001"),
            by: .commandLine)
        manager = try await register.database.signIn(email: "pm@example.org", password: validPassword, from: "t", kind: .web)
            .principal
        practiceId = try #require(manager.practiceIds.first)
    }

    /// An active, fully checked GP in Ashby Vale with minor surgery, free every weekday morning and afternoon, with a sign-in.
    func readyGP(_ gmc: String, name: String? = nil, configure: (inout GPInput) -> Void = { _ in }) async throws -> (
        GP, Principal
    ) {
        let gp = try await register.addGP(gmc, name: name ?? "Dr \(gmc)") {
            $0.localities = ["Ashby Vale"]
            $0.skills = ["minor-surgery"]
            $0.email = "\(gmc)@example.org"
            configure(&$0)
        }
        try await register.clearFully(gp.id!, profession: gp.profession)
        _ = try await database.createUser(
            NewUserInput(email: "\(gmc)@example.org", password: validPassword, role: .gp, scopeReference: gmc), by: .commandLine)
        let principal = try await database.signIn(email: "\(gmc)@example.org", password: validPassword, from: "t", kind: .web)
            .principal
        let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"].map {
            AvailabilityInput.WeeklyEntry(weekday: $0, dayParts: ["morning", "afternoon"])
        }
        _ = try await database.setAvailability(gpId: gp.id!, AvailabilityInput(weekly: weekdays, dates: []), by: principal)
        return (gp, principal)
    }

    func post(
        date: String = "2026-12-09", start: String = "09:00", end: String = "12:00", skills: [String] = [],
        practiceId: Int64? = nil,
        weeks: Int = 1, profession: String? = nil
    ) async throws -> ClinicalSession {
        var input = SessionInput()
        input.practiceId = practiceId ?? self.practiceId
        input.date = date
        input.start = start
        input.end = end
        input.kind = "surgery"
        input.requiredSkills = skills
        input.rate = 95
        input.repeatWeeks = weeks
        input.profession = profession
        return try await database.postSessions(input, by: practiceId == nil ? manager : register.liaison).first!
    }

    /// A GP of an unrelated organisation (no sharing agreement), with no sign-in.
    func otherOrganisationsGP(name: String = "Dr Elsewhere") async throws -> (organisation: Organisation, gp: GP) {
        let other = try await database.createOrganisation(OrganisationInput(code: "OTH", name: "Other ICB"), by: .commandLine)
        var input = GPInput()
        input.name = name
        input.gmcNumber = "7777777"
        return (other, try await database.createGP(organisationId: other.id!, input, by: .commandLine))
    }

    func candidate(_ gpId: Int64, for session: ClinicalSession, by principal: Principal? = nil) async throws -> Candidate? {
        try await database.candidates(sessionId: session.id!, includeIneligible: true, by: principal ?? manager)
            .first { $0.gpId == gpId }
    }
}

@Suite struct SessionPostingTests {
    @Test func badSessionsAreRefusedFieldByField() async throws {
        let fixture = try await ClearingFixture()
        var input = SessionInput()
        input.practiceId = fixture.practiceId
        input.date = "2026-12-01"
        input.start = "12:00"
        input.end = "09:00"
        input.kind = "picnic"
        input.requiredSkills = ["juggling"]
        input.rate = 0
        let errors = await validationErrors { _ = try await fixture.database.postSessions(input, by: fixture.manager) }
        #expect(errors?["date"] == "The session cannot be in the past")
        #expect(errors?["end"] == "The end time must be after the start time")
        #expect(
            errors?["kind"]
                == "Choose the kind of session: Surgery, Home visits, Telephone triage, Clinic, Extended hours or Out-of-hours")
        #expect(errors?["requiredSkills"]?.contains("juggling") == true)
        #expect(errors?["rate"] == "Enter a rate in pounds, more than 0")
    }

    @Test func aWeeklySeriesIsPostedTogether() async throws {
        let fixture = try await ClearingFixture()
        var input = SessionInput()
        input.practiceId = fixture.practiceId
        input.date = "2026-12-09"
        input.start = "13:30"
        input.end = "17:30"
        input.rate = 110
        input.repeatWeeks = 4
        let posted = try await fixture.database.postSessions(input, by: fixture.manager)
        #expect(posted.map(\.date.description) == ["2026-12-09", "2026-12-16", "2026-12-23", "2026-12-30"])
        #expect(Set(posted.map(\.seriesId)).count == 1)
        #expect(posted.first?.seriesId != nil)
    }

    @Test func onlyThePracticeOrItsLiaisonOfficerPosts() async throws {
        let fixture = try await ClearingFixture()
        let (_, gp) = try await fixture.readyGP("1111111")
        var input = SessionInput()
        input.practiceId = fixture.practiceId
        input.date = "2026-12-09"
        input.start = "09:00"
        input.end = "12:00"
        input.rate = 90
        await #expect(throws: DomainError.self) { _ = try await fixture.database.postSessions(input, by: gp) }
        let practices = try await fixture.database.practices(organisationId: fixture.register.organisationId, page: PageRequest())
        input.practiceId = try #require(practices.items.first { $0.odsCode == "A81002" }?.id)
        await #expect(throws: DomainError.self) { _ = try await fixture.database.postSessions(input, by: fixture.manager) }
    }
}

@Suite struct EligibilityTests {
    @Test func aGPWhoMeetsEveryRuleIsACandidateWithReasons() async throws {
        let fixture = try await ClearingFixture()
        let (gp, _) = try await fixture.readyGP("1111111")
        let session = try await fixture.post(skills: ["minor-surgery"])
        let candidate = try #require(try await fixture.candidate(gp.id!, for: session))
        #expect(candidate.eligible)
        #expect(candidate.ineligibleBecause.isEmpty)
        #expect(candidate.reasons.contains("From this organisation"))
    }

    @Test func aClearanceThatExpiresTheDayBeforeTheSessionExcludes() async throws {
        let fixture = try await ClearingFixture()
        let (gp, _) = try await fixture.readyGP("1111111")
        _ = try await fixture.database.recordCheck(
            gpId: gp.id!, CheckInput(type: "indemnity", status: "verified", verifiedOn: "2026-01-10", expiresOn: "2026-12-08"),
            by: fixture.register.liaison)
        let session = try await fixture.post(date: "2026-12-09")
        let candidate = try #require(try await fixture.candidate(gp.id!, for: session, by: fixture.register.liaison))
        #expect(!candidate.eligible)
        #expect(candidate.ineligibleBecause == ["Not cleared on 9 Dec 2026: Medical indemnity expired 8 Dec 2026"])
        // The practice learns that the GP is not cleared, never which check failed.
        let asThePractice = try #require(try await fixture.candidate(gp.id!, for: session))
        #expect(asThePractice.ineligibleBecause == ["Not cleared to work on 9 Dec 2026"])
        let dayBefore = try await fixture.post(date: "2026-12-08")
        #expect(try await fixture.candidate(gp.id!, for: dayBefore)?.eligible == true)
    }

    @Test func eachRuleExcludesWithItsOwnReason() async throws {
        let fixture = try await ClearingFixture()
        let (noSkill, _) = try await fixture.readyGP("1111111") { $0.skills = [] }
        let (elsewhere, _) = try await fixture.readyGP("2222222") { $0.localities = ["Brookmere"] }
        let (unwanted, _) = try await fixture.readyGP("3333333")
        try await fixture.database.setPracticePreference(
            practiceId: fixture.practiceId, gpId: unwanted.id!, preference: .notWanted, reason: "Late twice", by: fixture.manager)
        let (mornings, morningsPrincipal) = try await fixture.readyGP("4444444")
        _ = try await fixture.database.setAvailability(
            gpId: mornings.id!,
            AvailabilityInput(weekly: [.init(weekday: "wednesday", dayParts: ["morning"])], dates: []), by: morningsPrincipal)
        let session = try await fixture.post(start: "12:00", end: "15:00", skills: ["minor-surgery"])
        // The support team hears each rule; the practice, only what the register's summary shows.
        let candidates = try await fixture.database.candidates(
            sessionId: session.id!, includeIneligible: true, by: fixture.register.liaison)
        let asPractice = try await fixture.database.candidates(
            sessionId: session.id!, includeIneligible: true, by: fixture.manager)
        func reasons(_ gp: GP, _ list: [Candidate]? = nil) -> [String] {
            (list ?? candidates).first { $0.gpId == gp.id }?.ineligibleBecause ?? ["missing"]
        }
        #expect(reasons(noSkill) == ["Lacks required skills: Minor surgery"])
        #expect(reasons(elsewhere) == ["Does not work in Ashby Vale"])
        #expect(reasons(unwanted) == ["On the practice's not-wanted list"])
        #expect(reasons(mornings) == ["Not available then"], "12:00–15:00 straddles morning and afternoon")
        #expect(reasons(noSkill, asPractice) == ["Lacks required skills: Minor surgery"])
        #expect(reasons(elsewhere, asPractice) == ["Not available for this session"])
        #expect(reasons(unwanted, asPractice) == ["On the practice's not-wanted list"])
        #expect(reasons(mornings, asPractice) == ["Not available for this session"])
        let withoutIneligible = try await fixture.database.candidates(
            sessionId: session.id!, includeIneligible: false, by: fixture.manager)
        #expect(withoutIneligible.isEmpty)
    }

    @Test func aDatedEntryOverridesTheWeeklyPattern() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        _ = try await fixture.database.setAvailability(
            gpId: gp.id!,
            AvailabilityInput(
                weekly: [.init(weekday: "wednesday", dayParts: ["morning"])],
                dates: [
                    .init(date: "2026-12-09", dayParts: ["morning"], available: false),
                    .init(date: "2026-12-12", dayParts: ["morning"], available: true),
                ]),
            by: principal)
        #expect(try await fixture.candidate(gp.id!, for: try await fixture.post(date: "2026-12-09"))?.eligible == false)
        #expect(try await fixture.candidate(gp.id!, for: try await fixture.post(date: "2026-12-16"))?.eligible == true)
        #expect(
            try await fixture.candidate(gp.id!, for: try await fixture.post(date: "2026-12-12"))?.eligible == true,
            "a Saturday offered by date")
    }

    @Test func clashesAndTheWeeklyCapExclude() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111") { $0.maxSessionsPerWeek = 2 }
        let first = try await fixture.post(date: "2026-12-09", start: "09:00", end: "12:00")
        _ = try await fixture.database.apply(sessionId: first.id!, by: principal, links: testLinks)
        let application = try await fixture.database.applications(sessionId: first.id!, by: fixture.manager).first!.0
        _ = try await fixture.database.acceptApplication(id: application.id!, by: fixture.manager, links: testLinks)
        let overlapping = try await fixture.post(date: "2026-12-09", start: "11:00", end: "13:00")
        #expect(
            try await fixture.candidate(gp.id!, for: overlapping, by: fixture.register.liaison)?.ineligibleBecause == [
                "Already booked at an overlapping time"
            ])
        let second = try await fixture.post(date: "2026-12-10")
        let offer = try await fixture.database.offer(sessionId: second.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        _ = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks)
        let third = try await fixture.post(date: "2026-12-11")
        #expect(
            try await fixture.candidate(gp.id!, for: third, by: fixture.register.liaison)?.ineligibleBecause == [
                "Already at their limit of 2 sessions that week"
            ])
        let nextWeek = try await fixture.post(date: "2026-12-14")
        #expect(try await fixture.candidate(gp.id!, for: nextWeek)?.eligible == true)
    }

    @Test func preferredAndExperiencedGPsRankFirstAndBusyOnesLower() async throws {
        let fixture = try await ClearingFixture()
        let (plain, _) = try await fixture.readyGP("1111111", name: "Dr Aardvark")
        let (preferred, _) = try await fixture.readyGP("2222222", name: "Dr Zebra")
        try await fixture.database.setPracticePreference(
            practiceId: fixture.practiceId, gpId: preferred.id!, preference: .preferred, reason: nil, by: fixture.manager)
        let session = try await fixture.post()
        let ranked = try await fixture.database.candidates(sessionId: session.id!, includeIneligible: false, by: fixture.manager)
        #expect(ranked.map(\.gpId) == [preferred.id!, plain.id!])
        #expect(ranked.first?.reasons.first == "On the practice's preferred list")
        #expect(ranked.first!.score > ranked.last!.score)
    }
}

@Suite struct BookingTests {
    @Test func fiftyConcurrentAcceptsMakeExactlyOneBooking() async throws {
        let fixture = try await ClearingFixture()
        let session = try await fixture.post()
        var applicationIds: [Int64] = []
        for index in 0..<50 {
            let (_, principal) = try await fixture.readyGP(String(5_000_000 + index))
            applicationIds.append(
                try await fixture.database.apply(sessionId: session.id!, by: principal, links: testLinks).value.id!)
        }
        let database = fixture.database
        let manager = fixture.manager
        let results = await withTaskGroup(of: Result<Int64, any Error>.self) { group in
            for id in applicationIds {
                group.addTask {
                    do {
                        return .success(try await database.acceptApplication(id: id, by: manager, links: testLinks).value.id!)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var results: [Result<Int64, any Error>] = []
            for await result in group { results.append(result) }
            return results
        }
        let successes = results.filter { if case .success = $0 { true } else { false } }
        #expect(successes.count == 1)
        let conflicts = results.filter {
            if case .failure(let error) = $0, case DomainError.conflict = error { true } else { false }
        }
        #expect(conflicts.count == 49, "every other accept is a clean conflict")
        let bookings = try await database.read { db in try Booking.filter(Booking.Columns.sessionId == session.id!).fetchCount(db)
        }
        #expect(bookings == 1)
        #expect(try await database.session(id: session.id!)?.session.status == .booked)
    }

    @Test func theDatabaseItselfRefusesOverlapsAndDoubleBookings() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post()
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        let booking = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks).value
        let (otherGP, _) = try await fixture.readyGP("2222222")
        // Bypassing the rules, straight into SQL. Another GP in the same session: the unique index says no.
        await #expect(throws: DatabaseError.self) {
            try await fixture.database.writer.write { db in
                var copy = booking
                copy.id = nil
                copy.gpId = otherGP.id!
                try copy.insert(db)
            }
        }
        // The same GP in another session at an overlapping time: the trigger says no.
        let other = try await fixture.post(date: "2026-12-09", start: "10:00", end: "11:00")
        await #expect(throws: DatabaseError.self) {
            try await fixture.database.writer.write { db in
                var copy = booking
                copy.id = nil
                copy.sessionId = other.id!
                try copy.insert(db)
            }
        }
    }

    @Test func overlappingBookingsAreRefusedWithAClearMessage() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let morning = try await fixture.post(start: "09:00", end: "12:00")
        let offer = try await fixture.database.offer(sessionId: morning.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        let lateMorning = try await fixture.post(start: "11:30", end: "13:00")
        let second = try await fixture.database.offer(
            sessionId: lateMorning.id!, gpId: gp.id!, by: fixture.manager, links: testLinks
        ).value
        _ = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks)
        await #expect(throws: DomainError.conflict("Dr 1111111 already has a booking at an overlapping time")) {
            _ = try await fixture.database.acceptOffer(id: second.id!, by: principal, links: testLinks)
        }
    }

    @Test func offersExpireAfter48Hours() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post(date: "2026-12-11")
        let outcome = try await fixture.database.offer(
            sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
        #expect(outcome.notifications.map(\.to) == ["1111111@example.org"])
        #expect(outcome.notifications.first?.text.contains("The offer stands until 09:00 on Wed 9 Dec 2026") == true)
        // The email carries the session and the link to where it is accepted.
        let text = try #require(outcome.notifications.first?.text)
        #expect(text.contains("Date: Fri 11 Dec 2026, 09:00–12:00") && text.contains("Rate: £95.00 per session"))
        #expect(text.contains("\(testLinks.baseURL)/sessions/\(session.id!)"))
        fixture.clock.advance(by: 48 * 3600 + 1)
        #expect(outcome.value.effectiveStatus(now: fixture.clock.now) == "expired")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.acceptOffer(id: outcome.value.id!, by: principal, links: testLinks)
        }
        #expect(try await fixture.database.session(id: session.id!)?.session.status == .open)
    }

    @Test func ineligibleGPsCannotApplyOrBeOffered() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111") { $0.skills = [] }
        let session = try await fixture.post(skills: ["minor-surgery"])
        // The GP is told what the session page tells them, no more.
        await #expect(throws: DomainError.conflict(AppDatabase.applyRefusal)) {
            _ = try await fixture.database.apply(sessionId: session.id!, by: principal, links: testLinks)
        }
        await #expect(throws: DomainError.conflict("Dr 1111111 cannot take this session: Lacks required skills: Minor surgery")) {
            _ = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
        }
    }

    /// Issue 19, finding 14: the refusal told the GP they were on the practice's not-wanted list.
    @Test func aGPIsNeverToldTheyAreOnThePracticesNotWantedList() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111") { $0.skills = [] }
        try await fixture.database.setPracticePreference(
            practiceId: fixture.practiceId, gpId: gp.id!, preference: .notWanted, reason: "Late twice", by: fixture.manager)
        let session = try await fixture.post()
        await #expect(throws: DomainError.conflict(AppDatabase.applyRefusal), "the session page's words, no more") {
            _ = try await fixture.database.apply(sessionId: session.id!, by: principal, links: testLinks)
        }
        // Even with a reason about their own entry, the GP hears the page's words.
        let surgery = try await fixture.post(start: "13:00", end: "15:00", skills: ["minor-surgery"])
        await #expect(throws: DomainError.conflict(AppDatabase.applyRefusal)) {
            _ = try await fixture.database.apply(sessionId: surgery.id!, by: principal, links: testLinks)
        }
        // The practice still hears the real reason, as a candidate and when offering.
        #expect(try await fixture.candidate(gp.id!, for: session)?.ineligibleBecause == ["On the practice's not-wanted list"])
        do {
            _ = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            Issue.record("offered to a GP the practice does not want")
        } catch DomainError.conflict(let message) {
            #expect(message == "Dr 1111111 cannot take this session: On the practice's not-wanted list")
        }
    }

    @Test func cancellingTellsTheOtherSide() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post()
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        let booking = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks).value
        let noReason = await validationErrors {
            _ = try await fixture.database.cancelBooking(id: booking.id!, reason: "", by: principal, links: testLinks)
        }
        #expect(noReason?["reason"] == "Give the reason for cancelling")
        let byGP = try await fixture.database.cancelBooking(id: booking.id!, reason: "Unwell", by: principal, links: testLinks)
        #expect(byGP.notifications.map(\.to) == ["pm@example.org"])
        #expect(byGP.notifications.first?.text.contains("Reason: Unwell") == true)
        #expect(try await fixture.database.session(id: session.id!)?.session.status == .open, "the practice still needs cover")

        let again = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        let rebooked = try await fixture.database.acceptOffer(id: again.id!, by: principal, links: testLinks).value
        let byPractice = try await fixture.database.cancelBooking(
            id: rebooked.id!, reason: "Clinic closed", by: fixture.manager, links: testLinks)
        #expect(byPractice.notifications.map(\.to) == ["1111111@example.org"])
        let closed = try #require(try await fixture.database.session(id: session.id!)?.session)
        #expect(closed.status == .cancelled)
        #expect(closed.cancelledByRole == "practice")
        #expect(closed.cancelReason == "Clinic closed")
    }

    @Test func bookingsCompleteAfterTheirEndTime() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post(date: "2026-12-07", start: "13:00", end: "17:00")
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        let booking = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks).value
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.completeBooking(id: booking.id!, by: fixture.manager, links: testLinks)
        }
        #expect(try await fixture.database.completeFinishedBookings(links: testLinks).value == 0)
        fixture.clock.advance(by: 8 * 3600 + 60)  // 17:01 UK time (GMT in December)
        #expect(try await fixture.database.completeFinishedBookings(links: testLinks).value == 1)
        #expect(try await fixture.database.booking(id: booking.id!)?.booking.status == .completed)
        #expect(try await fixture.database.session(id: session.id!)?.session.status == .completed)
    }

    @Test func anArrangementIsProvisionalUntilTheOtherSideConfirmsIt() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let recorded = try await fixture.database.recordArrangement(
            ArrangementInput(
                practiceId: fixture.practiceId, gpId: gp.id!, date: "2026-11-20", start: "09:00", end: "12:30", kind: "surgery"),
            by: principal, links: testLinks)
        let past = recorded.value
        #expect(past.status == .provisional)
        #expect(past.bookingId == nil, "nothing is booked, counted or carded before the practice agrees")
        #expect(try await fixture.database.bookings(for: fixture.manager, from: nil, to: nil).isEmpty)
        let ask = try #require(recorded.notifications.first { $0.to == "pm@example.org" })
        #expect(ask.text.contains("\(testLinks.baseURL)/arrangements/\(past.id!)"), "the practice is asked, with a link")

        // The GP who recorded it cannot confirm it themself; the practice can.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.confirmArrangement(id: past.id!, by: principal, links: testLinks)
        }
        let waiting = try await fixture.database.provisionalArrangements(by: fixture.manager)
        #expect(waiting.map(\.arrangement.id) == [past.id] && waiting.first?.may == [.confirm, .decline])
        let confirmed = try await fixture.database.confirmArrangement(id: past.id!, by: fixture.manager, links: testLinks).value
        #expect(confirmed.status == .confirmed)
        let bookingId = try #require(confirmed.bookingId)
        let booking = try #require(try await fixture.database.booking(id: bookingId))
        #expect(booking.booking.status == .completed, "a past arrangement completes when confirmed")
        #expect(booking.session.source == "reported")
        #expect(booking.session.ratePence == 0, "the scheme does not know the rate of a private arrangement")
        #expect(booking.session.rateText == "rate arranged directly")
        await #expect(throws: DomainError.conflict("This arrangement is already confirmed")) {
            _ = try await fixture.database.confirmArrangement(id: past.id!, by: fixture.manager, links: testLinks)
        }

        // The practice records one; the GP declines it, and nothing is booked.
        let future = try await fixture.database.recordArrangement(
            ArrangementInput(
                practiceId: fixture.practiceId, gpId: gp.id!, date: "2026-12-20", start: "09:00", end: "12:30", kind: "clinic"),
            by: fixture.manager, links: testLinks
        ).value
        #expect(future.status == .provisional)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.declineArrangement(id: future.id!, by: fixture.manager)
        }
        #expect(try await fixture.database.declineArrangement(id: future.id!, by: principal).status == .declined)
        #expect(try await fixture.database.bookings(for: principal, from: Day("2026-12-20"), to: Day("2026-12-20")).isEmpty)

        // Someone who is neither side is refused before anything is read.
        let (_, stranger) = try await fixture.readyGP("2222222")
        await #expect(
            throws: DomainError.forbidden("Only the GP, the practice or the liaison officer can record this arrangement")
        ) {
            _ = try await fixture.database.recordArrangement(
                ArrangementInput(
                    practiceId: fixture.practiceId, gpId: gp.id!, date: "2026-11-21", start: "09:00", end: "12:00",
                    kind: "surgery"),
                by: stranger, links: testLinks)
        }
        await #expect(throws: DomainError.forbidden("This arrangement is between another GP and practice")) {
            _ = try await fixture.database.arrangement(id: past.id!, by: stranger)
        }
    }
}

@Suite struct PartnerOrganisationTests {
    @Test func gpsSeeAPartnersSessionsOnlyUnderAnActiveAgreement() async throws {
        let fixture = try await ClearingFixture()
        let session = try await fixture.post()
        // A second organisation with a liaison officer and a GP who works in Ashby Vale too.
        let other = try await fixture.database.createOrganisation(
            OrganisationInput(code: "PRT", name: "Partner ICB"), by: .commandLine)
        _ = try await fixture.database.createUser(
            NewUserInput(email: "lo@partner.org", password: validPassword, role: .liaisonOfficer, scopeReference: "PRT"),
            by: .commandLine)
        let partnerLiaison = try await fixture.database.signIn(
            email: "lo@partner.org", password: validPassword, from: "t", kind: .web
        ).principal
        var practice = PracticeInput()
        practice.odsCode = "B82001"
        practice.name = "Partner Surgery"
        practice.locality = "Ashby Vale"
        _ = try await fixture.database.createPractice(organisationId: other.id!, practice, by: partnerLiaison)
        var input = GPInput()
        input.name = "Dr Borrowed"
        input.gmcNumber = "8888888"
        input.localities = ["Ashby Vale"]
        let borrowed = try await fixture.database.createGP(organisationId: other.id!, input, by: partnerLiaison)
        for type in RegisterDefaults.checkCodes(for: .gp) {
            _ = try await fixture.database.recordCheck(
                gpId: borrowed.id!,
                CheckInput(
                    type: type, status: "verified", verifiedOn: "2026-01-10", expiresOn: "2030-01-01",
                    dbsCertificateNumber: "001234567890"),
                by: partnerLiaison)
        }
        _ = try await fixture.database.setAvailability(
            gpId: borrowed.id!, AvailabilityInput(weekly: [.init(weekday: "wednesday", dayParts: ["morning"])], dates: []),
            by: partnerLiaison)

        #expect(try await fixture.database.eligibleSessions(gpId: borrowed.id!, filter: SessionFilter()).isEmpty)
        #expect(try await fixture.candidate(borrowed.id!, for: session) == nil, "not even listed without an agreement")

        let agreement = try await fixture.database.proposeSharing(partnerOrganisationId: other.id!, by: fixture.register.liaison)
        #expect(
            try await fixture.database.eligibleSessions(gpId: borrowed.id!, filter: SessionFilter()).isEmpty,
            "proposed is not agreed")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.acceptSharing(id: agreement.id!, by: fixture.register.liaison)
        }
        _ = try await fixture.database.acceptSharing(id: agreement.id!, by: partnerLiaison)
        #expect(
            try await fixture.database.eligibleSessions(gpId: borrowed.id!, filter: SessionFilter()).map(\.session.id) == [
                session.id
            ])
        let candidate = try #require(try await fixture.candidate(borrowed.id!, for: session))
        #expect(candidate.eligible)
        #expect(candidate.reasons.contains("From a partner organisation"))

        let offer = try await fixture.database.offer(
            sessionId: session.id!, gpId: borrowed.id!, by: fixture.manager, links: testLinks
        ).value
        _ = try await fixture.database.write { db in
            try db.execute(
                sql: "INSERT INTO roleGrant (userId, role, gpId) VALUES (?, 'gp', ?)",
                arguments: [partnerLiaison.userId, borrowed.id!])
        }
        let borrowedPrincipal = try await fixture.database.signIn(
            email: "lo@partner.org", password: validPassword, from: "t", kind: .web
        ).principal
        let booking = try await fixture.database.acceptOffer(id: offer.id!, by: borrowedPrincipal, links: testLinks).value
        #expect(booking.gpOrganisationId == other.id)
        #expect(booking.practiceOrganisationId == fixture.register.organisationId)

        _ = try await fixture.database.endSharing(id: agreement.id!, by: partnerLiaison)
        let later = try await fixture.post(date: "2026-12-16")
        #expect(try await fixture.candidate(borrowed.id!, for: later) == nil)
    }
}

@Suite struct CalendarFeedTests {
    @Test func theFeedListsBookingsWithStableIDsAndShowsCancellations() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post()
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        let booking = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks).value
        let token = try #require(try await fixture.database.calendarAddress(for: .gp(gp.id!), reset: false, by: principal).token)
        #expect(
            try await fixture.database.calendarAddress(for: .gp(gp.id!), reset: false, by: principal) == .issuedBefore,
            "the address is known only when it is made")
        let feed = try #require(try await fixture.database.calendarFeed(token: token))
        #expect(feed.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(feed.contains("UID:booking-\(booking.id!)@sgpst\r\n"))
        #expect(feed.contains("DTSTART:20261209T090000Z\r\n"))
        #expect(feed.contains("STATUS:CONFIRMED"))
        #expect(feed.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        _ = try await fixture.database.cancelBooking(id: booking.id!, reason: "Unwell", by: principal, links: testLinks)
        let after = try #require(try await fixture.database.calendarFeed(token: token))
        #expect(after.contains("UID:booking-\(booking.id!)@sgpst\r\n"))
        #expect(after.contains("STATUS:CANCELLED"))
        let reset = try #require(try await fixture.database.calendarAddress(for: .gp(gp.id!), reset: true, by: principal).token)
        #expect(reset != token)
        #expect(try await fixture.database.calendarFeed(token: token) == nil, "the old address stops working")
        #expect(try await fixture.database.calendarFeed(token: reset)?.contains("STATUS:CANCELLED") == true)
        let (_, stranger) = try await fixture.readyGP("2222222")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.calendarAddress(for: .gp(gp.id!), reset: false, by: stranger)
        }
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.hasCalendarFeed(for: .gp(gp.id!), by: stranger)
        }
    }

    /// Like every other secret, a feed's token is kept only as its SHA-256 digest: a copy of the
    /// database opens no feed.
    @Test func theDatabaseNeverHoldsAFeedsToken() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        #expect(try await fixture.database.hasCalendarFeed(for: .gp(gp.id!), by: principal) == false)
        let token = try #require(try await fixture.database.calendarAddress(for: .gp(gp.id!), reset: false, by: principal).token)
        #expect(try await fixture.database.hasCalendarFeed(for: .gp(gp.id!), by: principal))
        let practice = CalendarOwner.practice(fixture.practiceId)
        let practiceToken = try #require(
            try await fixture.database.calendarAddress(for: practice, reset: true, by: fixture.manager).token)
        let holders = try await fixture.database.read { db -> [String] in
            var holders: [String] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    let texts = row.databaseValues.compactMap { String.fromDatabaseValue($0) }
                    if texts.contains(where: { $0.contains(token) || $0.contains(practiceToken) }) { holders.append(table) }
                }
            }
            return holders
        }
        #expect(holders.isEmpty, "the token is stored in \(holders)")
        let stored = try await fixture.database.read { db in
            try String.fetchAll(db, sql: "SELECT tokenDigest FROM calendarFeed ORDER BY ownerKind")
        }
        #expect(stored == [SecretToken.digest(token), SecretToken.digest(practiceToken)])
        #expect(try await fixture.database.calendarFeed(token: SecretToken.digest(token)) == nil, "the digest opens nothing")
        #expect(try await fixture.database.calendarFeed(token: token) != nil)
    }

    /// A feed address given out before digests were kept still opens its feed after the migration.
    @Test func aFeedAddressGivenOutBeforeTheMigrationKeepsWorking() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-feed-\(UUID().uuidString).sqlite").path
        let pool = try AppDatabase.openPool(path: path)
        try AppDatabase.migrator.migrate(pool, upTo: "v9-second-factor")
        let plain = SecretToken.generate()
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO calendarFeed (ownerKind, ownerId, token) VALUES ('gp', 1, ?)", arguments: [plain])
        }
        try pool.close()
        let database = try AppDatabase(path: path, clock: TestClock().wallClock, passwords: PasswordHasher(cost: 4))
        let stored = try await database.read { db in try String.fetchAll(db, sql: "SELECT tokenDigest FROM calendarFeed") }
        #expect(stored == [SecretToken.digest(plain)])
        let feed = try #require(try await database.calendarFeed(token: plain))
        #expect(feed.hasPrefix("BEGIN:VCALENDAR\r\n"))
    }
}

extension CalendarFeedAddress {
    /// The token, when the address was just made.
    var token: String? {
        if case .new(let token) = self { return token }
        return nil
    }
}

@Suite struct CalendarFeedEscapingTests {
    /// Issue 19, finding 12: a bare CR (or a vertical tab) in a name started a new line in the other side's feed.
    @Test func aLineBreakOrControlCharacterInANameNeverStartsAContentLine() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111", name: "Dr A\rBEGIN:VEVENT\r\nUID:x\u{0B}DTSTART:1")
        let practiceId = fixture.practiceId
        _ = try await fixture.database.write { db in
            try db.execute(
                sql: "UPDATE practice SET name = ? WHERE id = ?", arguments: ["Ashby\rSTATUS:CANCELLED\r\nX\u{0B}Y", practiceId])
        }
        let session = try await fixture.post()
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        _ = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks)
        let feeds = [
            try #require(try await fixture.database.calendarAddress(for: .gp(gp.id!), reset: false, by: principal).token),
            try #require(
                try await fixture.database.calendarAddress(for: .practice(practiceId), reset: false, by: fixture.manager).token),
        ]
        let breaks: Set<Unicode.Scalar> = ["\r", "\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{2029}"]
        let properties = [
            "BEGIN", "VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME", "BEGIN", "UID", "DTSTAMP", "DTSTART", "DTEND",
            "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS", "SEQUENCE", "END", "END",
        ]
        for token in feeds {
            let feed = try #require(try await fixture.database.calendarFeed(token: token))
            let unfolded = feed.replacingOccurrences(of: "\r\n ", with: "")
            let lines = unfolded.components(separatedBy: "\r\n").dropLast()
            #expect(lines.allSatisfy { !$0.unicodeScalars.contains { breaks.contains($0) } }, "\(lines)")
            #expect(lines.map { String($0.prefix { $0 != ":" }) } == properties, "one event, no extra lines")
            // The names are still there, their breaks written as the escape `\n`.
            #expect(
                unfolded.contains(#"SUMMARY:Surgery at Ashby\nSTATUS:CANCELLED\nX\nY"#)
                    || unfolded.contains(#"Dr A\nBEGIN:VEVENT\nUID:x\nDTSTART:1"#))
        }
    }
}

@Suite struct ArrangementAcrossOrganisationsTests {
    /// A practice manager could once record an arrangement with any GP anywhere (learning their
    /// phone number through the cards, blocking their diary); a GP with any practice (reading its pack).
    @Test func anArrangementNeedsAGPAndPracticeOfOneOrganisationOrPartners() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let (other, stranger) = try await fixture.otherOrganisationsGP()
        var practiceInput = PracticeInput()
        practiceInput.odsCode = "C83001"
        practiceInput.name = "Elsewhere Surgery"
        practiceInput.locality = "Ashby Vale"
        let elsewhere = try await fixture.database.createPractice(organisationId: other.id!, practiceInput, by: .commandLine)

        // The GP cannot claim an arrangement at another organisation's practice (and so read its pack).
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.recordArrangement(
                ArrangementInput(
                    practiceId: elsewhere.id!, gpId: gp.id!, date: "2026-11-20", start: "09:00", end: "12:00", kind: "surgery"),
                by: principal, links: testLinks)
        }
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.practicePack(practiceId: elsewhere.id!, by: principal)
        }
        // The practice cannot record one with another organisation's GP.
        do {
            _ = try await fixture.database.recordArrangement(
                ArrangementInput(
                    practiceId: fixture.practiceId, gpId: stranger.id!, date: "2026-11-20", start: "00:00", end: "23:59",
                    kind: "surgery"),
                by: fixture.manager, links: testLinks)
            Issue.record("an arrangement with another organisation's GP was recorded")
        } catch DomainError.validationFailed(let errors) {
            #expect(errors["gpId"] == "The GP and the practice must be in the same organisation, or in partner organisations")
        }
        let rows = try await fixture.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM arrangement") }
        #expect(rows == 0)
    }
}

@Suite struct BookingNoticeTests {
    /// The confirmation carries the session as a calendar event with the feed's UID; the day before,
    /// the GP is reminded once, with the link to the booking.
    @Test func aBookingIsConfirmedWithItsEventAndRemindedTheDayBefore() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post(date: "2026-12-09")
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
        let booked = try await fixture.database.acceptOffer(id: offer.value.id!, by: principal, links: testLinks)
        let confirmation = try #require(booked.notifications.first { $0.to == "1111111@example.org" })
        let event = try #require(confirmation.attachments.first)
        #expect(event.filename == "session.ics" && event.contentType == "text/calendar; method=PUBLISH")
        #expect(event.content.contains("METHOD:PUBLISH") && event.content.contains("UID:booking-\(booked.value.id!)@sgpst"))
        let rendered = MIMEWriter.render(confirmation, from: "sgpst@example.org", date: fixture.clock.now)
        #expect(rendered.contains("Content-Type: multipart/mixed"))
        #expect(rendered.contains("Content-Disposition: attachment; filename=\"session.ics\""))

        // Mon 7 Dec: nothing yet; Tue 8 Dec: the reminder, once.
        #expect(try await fixture.database.sendSessionReminders(links: testLinks).value == 0)
        fixture.clock.advance(by: 86400)
        let reminded = try await fixture.database.sendSessionReminders(links: testLinks)
        #expect(reminded.notifications.map(\.to) == ["1111111@example.org"])
        #expect(reminded.notifications.first?.text.contains("\(testLinks.baseURL)/sessions/\(session.id!)") == true)
        #expect(try await fixture.database.sendSessionReminders(links: testLinks).value == 0, "once")
    }
}

/// Sessions name the profession they need, and nobody else is weighed for them (issue 21).
@Suite struct ProfessionTests {
    @Test func aPharmacistIsNeverProposedForAGPSession() async throws {
        let fixture = try await ClearingFixture()
        let (doctor, _) = try await fixture.readyGP("1234567", name: "Dr Doctor") { $0.mailshotConsent = true }
        let (pharmacist, pharmacistSignIn) = try await fixture.readyGP("2012345", name: "Pat Pharmacist") {
            $0.profession = "pharmacist"
            $0.mailshotConsent = true
        }
        #expect(pharmacist.profession == .pharmacist)
        #expect(try await fixture.database.clearance(gpId: pharmacist.id!, on: Day("2026-12-09")!).cleared)
        let session = try await fixture.post()
        #expect(session.profession == .gp, "a session is for a GP unless it says otherwise")

        let candidate = try #require(try await fixture.candidate(pharmacist.id!, for: session))
        #expect(!candidate.eligible)
        #expect(candidate.ineligibleBecause.first == "Not a GP: the session is for GPs")
        #expect(try await fixture.candidate(doctor.id!, for: session)?.eligible == true)
        let work = try await fixture.database.workAvailable(filter: SessionFilter(), by: pharmacistSignIn)
        #expect(!work.contains { $0.session.id == session.id }, "not in the pharmacist's work available")

        let run = try await fixture.database.startClearingRun(
            organisationId: fixture.register.organisationId, week: "2026-W50", by: .commandLine)
        #expect(run.proposals.map(\.proposal.gpId) == [doctor.id!], "the clearing run proposes the doctor only")

        let mailshot = try await fixture.database.mailshot(
            organisationId: fixture.register.organisationId, week: "2026-W50", by: fixture.register.liaison)
        let transport = CapturingTransport()
        _ = try await fixture.database.sendMailshot(
            id: mailshot.id!, transport: transport, links: testLinks, by: fixture.register.liaison)
        let toPharmacist = try #require(transport.sent.first { $0.to == pharmacist.email })
        let toDoctor = try #require(transport.sent.first { $0.to == doctor.email })
        #expect(toDoctor.text.contains("/sessions/\(session.id!)"))
        #expect(!toPharmacist.text.contains("/sessions/\(session.id!)"), "nor in the pharmacist's mailshot")
    }

    @Test func aSessionForAPharmacistIsWeighedForPharmacistsOnly() async throws {
        let fixture = try await ClearingFixture()
        let (doctor, _) = try await fixture.readyGP("1234567")
        let (pharmacist, _) = try await fixture.readyGP("2012345") { $0.profession = "pharmacist" }
        let session = try await fixture.post(profession: "pharmacist")
        #expect(session.profession == .pharmacist)
        #expect(try await fixture.candidate(pharmacist.id!, for: session)?.eligible == true)
        #expect(
            try await fixture.candidate(doctor.id!, for: session)?.ineligibleBecause.first
                == "Not a pharmacist: the session is for pharmacists")
    }

    @Test func aNursesClearanceNamesTheNMCCheckAndNotTheGMCs() async throws {
        let fixture = try await RegisterFixture()
        let nurse = try await fixture.addGP("12a 3456e", name: "Nia Nurse") {
            $0.profession = "nurse"
            $0.status = "active"
        }
        #expect(nurse.registrationNumber == "12A3456E", "the PIN is kept in capitals without spaces")
        let reasons = try await fixture.database.clearance(gpId: nurse.id!, on: Day("2026-12-09")!).reasons
        #expect(reasons.contains("NMC registration (PIN) missing"))
        #expect(!reasons.contains { $0.contains("GMC") || $0.contains("Performers") })
        try await fixture.clearFully(nurse.id!, profession: .nurse)
        #expect(try await fixture.database.clearance(gpId: nurse.id!, on: Day("2026-12-09")!).cleared)
        let gmcForANurse = await validationErrors {
            _ = try await fixture.database.recordCheck(
                gpId: nurse.id!, CheckInput(type: "gmc-registration", status: "verified"), by: fixture.liaison)
        }
        #expect(gmcForANurse?["type"]?.hasPrefix("Choose a check for a nurse: NMC registration (PIN)") == true)
    }

    @Test func eachProfessionsNumberHasItsRegulatorsShape() async throws {
        let fixture = try await RegisterFixture()
        let sevenDigitNurse = await validationErrors {
            _ = try await fixture.addGP("1234567") { $0.profession = "nurse" }
        }
        #expect(sevenDigitNurse?["gmcNumber"] == "Enter the NMC PIN: 2 digits, a letter, 4 digits and a letter, like 12A3456E")
        let letteredPharmacist = await validationErrors {
            _ = try await fixture.addGP("12A3456E") { $0.profession = "pharmacist" }
        }
        #expect(letteredPharmacist?["gmcNumber"] == "Enter the GPhC registration number: exactly 7 digits, like 2012345")
        var input = GPInput()
        input.name = "Dr Named"
        input.registrationNumber = "7654321"
        let byNewName = try await fixture.database.createGP(organisationId: fixture.organisationId, input, by: fixture.liaison)
        #expect(byNewName.registrationNumber == "7654321" && byNewName.profession == .gp)
        // GMC and GPhC numbers are both seven digits: the same digits may be a doctor's and a pharmacist's.
        let pharmacist = try await fixture.addGP("7654321", name: "Pat Pharmacist") { $0.profession = "pharmacist" }
        #expect(pharmacist.registrationNumber == "7654321" && pharmacist.profession == .pharmacist)
        let twice = await validationErrors { _ = try await fixture.addGP("7654321") { $0.profession = "pharmacist" } }
        #expect(twice?["gmcNumber"] == "GPhC number 7654321 is already on the register")
    }
}

/// Holidays as ranges of days away (issue 20): every day inside one is unavailable, whatever the
/// week or a dated entry says; each is listed, removable, and kept by clients that do not know them.
@Suite struct AvailabilityRangeTests {
    @Test func everyDayInsideARangeAwayIsUnavailable() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        // Free Tuesday to Thursday, and a dated "available" entry inside the range: the holiday still wins.
        var change = AvailabilityChange()
        change.weekly = [.tuesday: ["morning", "afternoon"], .wednesday: ["morning"], .thursday: ["morning"]]
        change.exceptionDate = "2026-12-09"
        change.exceptionParts = ["morning"]
        change.exceptionAvailable = true
        _ = try await fixture.database.changeAvailability(change, by: principal)
        let away = try await fixture.database.addRangeAway(from: "2026-12-08", to: "2026-12-10", by: principal)
        #expect(away.ranges.map { "\($0.from)…\($0.to)" } == ["2026-12-08…2026-12-10"])
        for date in ["2026-12-08", "2026-12-09", "2026-12-10"] {
            let session = try await fixture.post(date: date)
            let candidate = try await fixture.candidate(gp.id!, for: session, by: fixture.register.liaison)
            #expect(candidate?.eligible == false, "\(date) is inside the range")
            #expect(candidate?.ineligibleBecause == ["Not available then"])
        }
        let after = try await fixture.post(date: "2026-12-15")
        #expect(try await fixture.candidate(gp.id!, for: after)?.eligible == true, "the Tuesday after is free")
        let during = try await fixture.post(date: "2026-12-09", start: "08:00", end: "09:00")
        await #expect(throws: DomainError.conflict(AppDatabase.applyRefusal)) {
            _ = try await fixture.database.apply(sessionId: during.id!, by: principal, links: testLinks)
        }
    }

    @Test func aRangeIsAddedOnceRemovedOnceAndCheckedFieldByField() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        _ = try await fixture.database.addRangeAway(from: "2026-12-21", to: "2027-01-01", by: principal)
        let twice = try await fixture.database.addRangeAway(from: "2026-12-21", to: "2027-01-01", by: principal)
        #expect(twice.ranges.count == 1, "the same form sent twice leaves one range")
        let backwards = await validationErrors {
            _ = try await fixture.database.addRangeAway(from: "2027-01-01", to: "2026-12-21", by: principal)
        }
        #expect(backwards?["to"] == "The last day away must be the same as or after the first")
        let missing = await validationErrors {
            _ = try await fixture.database.addRangeAway(from: "", to: "2027-02-30", by: principal)
        }
        #expect(missing?["from"] != nil && missing?["to"] != nil)

        let id = try #require(twice.ranges.first?.id)
        #expect(try await fixture.database.removeAvailabilityException(.range(id: id), by: principal))
        #expect(try await fixture.database.removeAvailabilityException(.range(id: id), by: principal) == false)
        #expect(try await fixture.database.availability(gpId: gp.id!).ranges.isEmpty)

        // Someone else's GP cannot change them.
        let (_, other) = try await fixture.readyGP("2222222")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.addRangeAway(gpId: gp.id!, from: "2026-12-21", to: "2026-12-22", by: other)
        }
    }

    /// The API's PUT replaces the week and dates; its ranges only when sent, so a client written
    /// before ranges keeps a GP's holidays.
    @Test func aPutWithoutRangesKeepsThem() async throws {
        let fixture = try await ClearingFixture()
        let (gp, principal) = try await fixture.readyGP("1111111")
        _ = try await fixture.database.addRangeAway(from: "2026-12-21", to: "2027-01-01", by: principal)
        let week = [AvailabilityInput.WeeklyEntry(weekday: "monday", dayParts: ["morning"])]
        let kept = try await fixture.database.setAvailability(
            gpId: gp.id!, AvailabilityInput(weekly: week, dates: []), by: principal)
        #expect(kept.ranges.count == 1)
        let replaced = try await fixture.database.setAvailability(
            gpId: gp.id!, AvailabilityInput(weekly: week, dates: [], ranges: [.init(from: "2027-02-01", to: "2027-02-05")]),
            by: principal)
        #expect(replaced.ranges.map(\.from) == [Day("2027-02-01")!])
        let cleared = try await fixture.database.setAvailability(
            gpId: gp.id!, AvailabilityInput(weekly: week, dates: [], ranges: []), by: principal)
        #expect(cleared.ranges.isEmpty)
        let bad = await validationErrors {
            _ = try await fixture.database.setAvailability(
                gpId: gp.id!, AvailabilityInput(weekly: week, dates: [], ranges: [.init(from: "2027-02-05", to: "2027-02-01")]),
                by: principal)
        }
        #expect(bad?["ranges.0.to"] != nil)
    }
}
