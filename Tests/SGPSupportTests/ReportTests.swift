import Foundation
import Testing

@testable import SGPSupport

@Suite struct ActivityReportTests {
    static func at(_ iso: String) -> Date { TestClock.day(iso) }

    /// A week of known activity in North Ward (QKK) and its partner (PRT), then every figure of the
    /// report for Tue 8 – Thu 10 December 2026, exactly.
    @Test func everyFigureOfAKnownWeek() async throws {
        let fixture = try await ClearingFixture()
        let database = fixture.database
        let clock = fixture.clock
        let (gpA, principalA) = try await fixture.readyGP("1111111")
        let (gpB, principalB) = try await fixture.readyGP("2222222")

        // The partner organisation, its practice in Ashby Vale, and its GP C who works there too.
        let partner = try await database.createOrganisation(OrganisationInput(code: "PRT", name: "Partner ICB"), by: .commandLine)
        _ = try await database.createUser(
            NewUserInput(email: "lo@partner.org", password: validPassword, role: .liaisonOfficer, scopeReference: "PRT"),
            by: .commandLine)
        let partnerLiaison = try await database.signIn(email: "lo@partner.org", password: validPassword, from: "t", kind: .web)
            .principal
        var practiceInput = PracticeInput()
        practiceInput.odsCode = "B82001"
        practiceInput.name = "Partner Surgery"
        practiceInput.locality = "Ashby Vale"
        let partnerPractice = try await database.createPractice(organisationId: partner.id!, practiceInput, by: partnerLiaison)
        var gpInput = GPInput()
        gpInput.name = "Dr Borrowed"
        gpInput.gmcNumber = "8888888"
        gpInput.localities = ["Ashby Vale"]
        let gpC = try await database.createGP(organisationId: partner.id!, gpInput, by: partnerLiaison)
        for type in RegisterDefaults.checkCodes(for: .gp) {
            _ = try await database.recordCheck(
                gpId: gpC.id!,
                CheckInput(
                    type: type, status: "verified", verifiedOn: "2026-01-10", expiresOn: "2030-01-01",
                    dbsCertificateNumber: "001234567890"),
                by: partnerLiaison)
        }
        _ = try await database.createUser(
            NewUserInput(email: "c@partner.org", password: validPassword, role: .gp, scopeReference: "8888888"),
            by: .commandLine)
        let principalC = try await database.signIn(email: "c@partner.org", password: validPassword, from: "t", kind: .web)
            .principal
        _ = try await database.setAvailability(
            gpId: gpC.id!, AvailabilityInput(weekly: [.init(weekday: "thursday", dayParts: ["afternoon"])], dates: []),
            by: principalC)
        let agreement = try await database.proposeSharing(partnerOrganisationId: partner.id!, by: fixture.register.liaison)
        _ = try await database.acceptSharing(id: agreement.id!, by: partnerLiaison)

        // Mon 7 Dec 09:00: the sessions are posted.
        let s1 = try await fixture.post(date: "2026-12-08", start: "09:00", end: "12:00")
        let s2 = try await fixture.post(date: "2026-12-09", start: "09:00", end: "12:00")
        _ = try await fixture.post(date: "2026-12-09", start: "13:00", end: "17:00")  // never filled
        let s4 = try await fixture.post(date: "2026-12-10", start: "09:00", end: "12:00")
        let s5 = try await fixture.post(date: "2026-12-11", start: "09:00", end: "12:00")  // after the period
        let s6 = try await fixture.post(date: "2026-12-10", start: "13:00", end: "17:00")
        var lent = SessionInput()
        lent.practiceId = partnerPractice.id
        lent.date = "2026-12-08"
        lent.start = "13:00"
        lent.end = "17:00"
        lent.kind = "clinic"
        lent.rate = 90
        let atPartner = try await database.postSessions(lent, by: partnerLiaison)[0]

        func book(_ session: ClinicalSession, _ gp: GP, _ principal: Principal, by offerer: Principal) async throws -> Booking {
            let offer = try await database.offer(sessionId: session.id!, gpId: gp.id!, by: offerer, links: testLinks).value
            return try await database.acceptOffer(id: offer.id!, by: principal, links: testLinks).value
        }
        clock.advance(by: 2 * 3600)
        _ = try await book(s1, gpA, principalA, by: fixture.manager)  // booked 2 hours after posting
        clock.advance(by: 4 * 3600)
        let cancelledLater = try await book(s2, gpB, principalB, by: fixture.manager)  // 6 hours
        _ = try await database.cancelBooking(
            id: cancelledLater.id!, reason: "Clinic closed", by: fixture.manager, links: testLinks)
        _ = try await database.withdrawSession(id: s4.id!, reason: "Partner back early", by: fixture.manager)
        clock.advance(by: 4 * 3600)
        _ = try await book(s6, gpC, principalC, by: fixture.manager)  // 10 hours; borrowed from the partner
        _ = try await book(s5, gpA, principalA, by: fixture.manager)
        _ = try await book(atPartner, gpA, principalA, by: partnerLiaison)  // lent to the partner
        let arrangement = try await database.recordArrangement(
            ArrangementInput(
                practiceId: fixture.practiceId, gpId: gpB.id!, date: "2026-12-10", start: "08:00", end: "09:00", kind: "surgery"),
            by: fixture.manager, links: testLinks
        ).value
        _ = try await database.confirmArrangement(id: arrangement.id!, by: principalB, links: testLinks)
        // One the GP never confirms does not count.
        _ = try await database.recordArrangement(
            ArrangementInput(
                practiceId: fixture.practiceId, gpId: gpA.id!, date: "2026-12-09", start: "08:00", end: "09:00", kind: "surgery"),
            by: fixture.manager, links: testLinks)

        // Thu 10 Dec 18:00: the finished sessions complete and their cards are issued; one card comes
        // back, raised as a serious concern.
        clock.advance(by: Self.at("2026-12-10T18:00:00Z").timeIntervalSince(clock.now))
        _ = try await database.completeFinishedBookings(links: testLinks)
        let card = try await database.feedbackCards(about: .gp(gpA.id!), by: principalA).first
        #expect(card == nil, "nothing submitted yet")
        let waiting = try await database.feedbackInbox(for: fixture.manager).waiting
        let first = try #require(waiting.first { $0.card.gpId == gpA.id && $0.card.practiceId == fixture.practiceId })
        var submission = FeedbackFixture.goodSubmission(first.card)
        submission.concern = ConcernInput(severity: "serious", details: nil)
        _ = try await database.saveFeedbackCard(
            id: first.card.id, submission, submit: true, author: .principal(fixture.manager), links: testLinks)

        // Sat 12 Dec: the report.
        clock.advance(by: Self.at("2026-12-12T10:00:00Z").timeIntervalSince(clock.now))
        let period = ReportPeriod(from: Day("2026-12-08")!, to: Day("2026-12-10")!)
        let report = try await database.activityReport(
            organisationId: fixture.register.organisationId, period: period, by: fixture.register.liaison)

        #expect(report.sessionsPosted == 5, "S1, S2, S3, S4 and S6; S5 is dated after the period")
        #expect(report.sessionsFilled == 2)
        #expect(report.arrangementsReported == 1)
        #expect(report.sessionsCancelled == 2)
        #expect(
            report.cancelledBy == [
                CountRow(label: "cancelled after booking by practice", count: 1),
                CountRow(label: "withdrawn before booking by practice", count: 1),
            ])
        #expect(report.sessionsUnfilled == 1)
        #expect(report.fillRate == 2.0 / 3.0)
        #expect(report.medianHoursToBook == 2)
        #expect(report.p90HoursToBook == 10)
        #expect(report.gpsActive == 3)
        #expect(report.practicesServed == 1)
        #expect(report.hoursWorked == 8)
        #expect(report.byPractice == [ReportRow(label: "Practice A81001", sessions: 3, hours: 8)])
        #expect(Set(report.bySessionKind.map(\.label)) == ["Surgery"])
        #expect(report.partners == [PartnerRow(organisation: "Partner ICB", lentTo: 1, borrowedFrom: 1)])
        #expect(report.weekly == [WeeklyFill(week: "2026-W50", filled: 2, unfilled: 1, fillRate: 2.0 / 3.0)])
        #expect(report.newRegistrations == 0, "registered on 7 December, the day before")
        #expect(report.leavers == 0)
        #expect(report.clearedShare == 1)
        #expect(report.checksExpired == 0)
        #expect(report.cardsIssued == 6, "S1, S6 and the arrangement, each way; the partner's card is the partner's")
        #expect(report.cardsReturned == 1)
        #expect(report.returnRate == 1.0 / 6.0)
        #expect(report.concernsBySeverity == [CountRow(label: "serious", count: 1)])
        #expect(report.concernsByOutcome == [CountRow(label: "open", count: 1)])
        #expect(report.mailshotsSent == 0)

        // The partner sees its own side: one lent... from its point of view, borrowed.
        let theirs = try await database.activityReport(organisationId: partner.id!, period: period, by: partnerLiaison)
        #expect(theirs.partners == [PartnerRow(organisation: "North Ward ICB", lentTo: 1, borrowedFrom: 1)])
        #expect(theirs.sessionsFilled == 1)

        // Only the support team reads it.
        await #expect(throws: DomainError.self) {
            _ = try await database.activityReport(
                organisationId: fixture.register.organisationId, period: period, by: fixture.manager)
        }
    }

    @Test func periodsAndPresetsSayWhatToFix() throws {
        let today = Day("2026-11-22")!
        #expect(
            ReportPeriod.preset("quarter", containing: today) == ReportPeriod(from: Day("2026-10-01")!, to: Day("2026-12-31")!))
        #expect(ReportPeriod.preset("month", containing: Day("2028-02-10")!)?.to == Day("2028-02-29"))
        #expect(ReportPeriod(from: Day("2026-10-01")!, to: Day("2026-12-31")!).previous.from == Day("2026-07-01"))
        #expect(throws: DomainError.self) {
            _ = try ReportPeriod.parse(from: "2026-12-31", to: "2026-01-01", preset: nil, today: today)
        }
        #expect(throws: DomainError.self) { _ = try ReportPeriod.parse(from: "yesterday", to: nil, preset: nil, today: today) }
    }
}
