import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// Issue 19, finding 2: a practice manager sees of a GP only what the register allows (name, GMC
/// number, profession, skills, cleared or not on a date), never which check failed, their email or
/// when their checks run out. Each test names the hole it closes; all use records that exist.
@Suite struct PracticeManagerSeesOnlyTheSummaryTests {
    /// A GP of the fixture's organisation whose indemnity ran out yesterday.
    static func lapsedGP(_ fixture: ClearingFixture) async throws -> GP {
        let (gp, _) = try await fixture.readyGP("1111111", name: "Dr Zara Yardley")
        _ = try await fixture.database.recordCheck(
            gpId: gp.id!, CheckInput(type: "indemnity", status: "verified", verifiedOn: "2026-01-10", expiresOn: "2026-11-30"),
            by: fixture.register.liaison)
        return gp
    }

    @Test func theEntryAndItsClearanceComeWithoutContactDetailsOrReasons() async throws {
        let fixture = try await ClearingFixture()
        let gp = try await Self.lapsedGP(fixture)
        let asPractice = try await fixture.database.gp(id: gp.id!, by: fixture.manager)
        #expect(asPractice.isSummary)
        #expect(asPractice.gp.name == "Dr Zara Yardley" && asPractice.gp.registrationNumber == "1111111")
        #expect(asPractice.gp.email == nil && asPractice.gp.phone == nil && asPractice.gp.localities.isEmpty)
        #expect(asPractice.clearance == Clearance(cleared: false, reasons: []))
        #expect(try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-01")!, by: fixture.manager).reasons.isEmpty)
        await #expect(throws: DomainError.forbidden("Check detail is for the support team")) {
            _ = try await fixture.database.checks(gpId: gp.id!, by: fixture.manager)
        }
        // The support team sees the whole entry and why.
        let asTeam = try await fixture.database.gp(id: gp.id!, by: fixture.register.liaison)
        #expect(!asTeam.isSummary && asTeam.gp.email == "1111111@example.org")
        #expect(asTeam.clearance.reasons == ["Medical indemnity expired 30 Nov 2026"])
        #expect(asTeam.may.isSuperset(of: [.edit, .recordChecks, .downloadPersonalData]))
        #expect(asPractice.may.isEmpty, "a practice may do nothing with the entry itself")
    }

    @Test func theRegisterListIsSearchedByNameNotEmailAndNotByExpiry() async throws {
        let fixture = try await ClearingFixture()
        let gp = try await Self.lapsedGP(fixture)
        let organisationId = fixture.register.organisationId
        let byEmail = try await fixture.database.gps(
            organisationId: organisationId, filter: GPFilter(text: "1111111@example"), page: PageRequest(), by: fixture.manager)
        #expect(byEmail.items.isEmpty, "an email address finds nobody for a practice")
        let asTeam = try await fixture.database.gps(
            organisationId: organisationId, filter: GPFilter(text: "1111111@example"), page: PageRequest(),
            by: fixture.register.liaison)
        #expect(asTeam.items.map(\.gp.id) == [gp.id])
        let byName = try await fixture.database.gps(
            organisationId: organisationId, filter: GPFilter(text: "Yardley"), page: PageRequest(), by: fixture.manager)
        #expect(byName.items.map(\.gp.id) == [gp.id] && byName.items.allSatisfy(\.isSummary))
        await #expect(throws: DomainError.forbidden("When checks expire is for the support team")) {
            _ = try await fixture.database.gps(
                organisationId: organisationId, filter: GPFilter(checksExpiringWithinDays: 30), page: PageRequest(),
                by: fixture.manager)
        }
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.expiringChecks(organisationId: organisationId, by: fixture.manager)
        }
    }

    @Test func anOfferRefusedNamesNoCheckToThePractice() async throws {
        let fixture = try await ClearingFixture()
        let gp = try await Self.lapsedGP(fixture)
        let session = try await fixture.post(date: "2026-12-09")
        await #expect(throws: DomainError.conflict("Dr Zara Yardley cannot take this session: Not cleared to work on 9 Dec 2026"))
        {
            _ = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
        }
        await #expect(
            throws: DomainError.conflict(
                "Dr Zara Yardley cannot take this session: Not cleared on 9 Dec 2026: Medical indemnity expired 30 Nov 2026")
        ) {
            _ = try await fixture.database.offer(
                sessionId: session.id!, gpId: gp.id!, by: fixture.register.liaison, links: testLinks)
        }
    }

    @Test func aPracticeMarksOnlyGPsItCouldBook() async throws {
        let fixture = try await ClearingFixture()
        let stranger = try await fixture.otherOrganisationsGP(name: "Dr Elsewhere").gp
        await #expect(throws: DomainError.self) {
            try await fixture.database.setPracticePreference(
                practiceId: fixture.practiceId, gpId: stranger.id!, preference: .notWanted, reason: nil, by: fixture.manager)
        }
        await #expect(throws: DomainError.forbidden("You do not have permission to see this GP")) {
            _ = try await fixture.database.gp(id: stranger.id!, by: fixture.manager)
        }
    }
}

/// The one resolver for "which organisation does this person act for here".
@Suite struct ActingOrganisationTests {
    @Test func theNamedOneElseTheFirstHeldInTheCapacity() async throws {
        let fixture = try await ClearingFixture()
        let liaison = fixture.register.liaison
        let organisationId = fixture.register.organisationId
        #expect(try liaison.organisationId(named: nil, as: .liaisonOfficer) == organisationId)
        #expect(try liaison.organisationId(named: 99, as: .supportTeam) == 99, "naming one is the request's; the rule decides")
        #expect(try fixture.manager.organisationId(named: nil, as: .anyRole) == organisationId)
        #expect(throws: DomainError.forbidden("Only the liaison officer can do this")) {
            _ = try fixture.manager.organisationId(named: nil, as: .liaisonOfficer)
        }
        #expect(throws: DomainError.self) { _ = try Principal.commandLine.organisationId(named: nil, as: .supportTeam) }
    }
}

/// What the review found after the first pass; each test failed before its fix.
@Suite struct SecondLookTests {
    /// Offering any GP id once answered with that GP's name and every rule they failed, whatever
    /// organisation they were in.
    @Test func offeringAGPThePracticeCouldNotBookNamesNobody() async throws {
        let fixture = try await ClearingFixture()
        let stranger = try await fixture.otherOrganisationsGP(name: "Dr Far Away").gp
        let session = try await fixture.post()
        do {
            _ = try await fixture.database.offer(
                sessionId: session.id!, gpId: stranger.id!, by: fixture.manager, links: testLinks)
            Issue.record("another organisation's GP was offered the session")
        } catch DomainError.validationFailed(let errors) {
            #expect(errors["gpId"] == "No GP has that id")
        }
    }

    /// The practice's list of who cannot take a session said why in full (availability, other
    /// bookings, weekly caps); it now says only what the register's summary shows.
    @Test func aPracticeHearsOnlyTheSummaryOfWhyAGPCannotTakeASession() async throws {
        let fixture = try await ClearingFixture()
        let (busy, _) = try await fixture.readyGP("1111111") { $0.skills = [] }
        let session = try await fixture.post(date: "2026-12-12", skills: ["minor-surgery"])  // a Saturday
        let asPractice = try #require(try await fixture.candidate(busy.id!, for: session))
        #expect(asPractice.ineligibleBecause == ["Lacks required skills: Minor surgery", "Not available for this session"])
        let asTeam = try #require(try await fixture.candidate(busy.id!, for: session, by: fixture.register.liaison))
        #expect(asTeam.ineligibleBecause == ["Lacks required skills: Minor surgery", "Not available then"])
    }

    /// Someone holding both sides (a GP who also manages the practice) confirmed their own record.
    @Test func nobodyConfirmsAnArrangementTheyAreBothSidesOf() async throws {
        let fixture = try await ClearingFixture()
        let (gp, _) = try await fixture.readyGP("1111111")
        try await fixture.database.grantRole(
            .practiceManager, scopeReference: "A81001", toEmail: "1111111@example.org", by: .commandLine)
        let both = try await fixture.database.signIn(
            email: "1111111@example.org", password: validPassword, from: "t", kind: .web
        ).principal
        let input = ArrangementInput(
            practiceId: fixture.practiceId, gpId: gp.id!, date: "2026-11-20", start: "09:00", end: "12:00", kind: "surgery")
        await #expect(throws: DomainError.forbidden(AppDatabase.bothSidesRefusal)) {
            _ = try await fixture.database.recordArrangement(input, by: both, links: testLinks)
        }
        // The practice's other manager records it; the GP who also manages it may not confirm it as
        // the practice would, only as the GP would, and a GP's own record goes to someone else.
        let byManager = try await fixture.database.recordArrangement(input, by: fixture.manager, links: testLinks).value
        #expect(try await fixture.database.arrangement(id: byManager.id!, by: both).may.isEmpty, "they are the practice too")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.confirmArrangement(id: byManager.id!, by: both, links: testLinks)
        }
        // The liaison officer is a third party: the GP confirms what they recorded.
        let byLiaison = try await fixture.database.recordArrangement(
            ArrangementInput(
                practiceId: fixture.practiceId, gpId: gp.id!, date: "2026-11-21", start: "09:00", end: "12:00", kind: "surgery"),
            by: fixture.register.liaison, links: testLinks
        ).value
        #expect(
            try await fixture.database.confirmArrangement(id: byLiaison.id!, by: both, links: testLinks)
                .value.status == .confirmed)
    }

    /// A practice could read the summary of applicants and leavers by id.
    @Test func aPracticeSeesTheSummaryOfActiveGPsOnly() async throws {
        let fixture = try await ClearingFixture()
        let applicant = try await fixture.register.addGP("2222222") { $0.status = "applicant" }
        await #expect(throws: DomainError.forbidden("You do not have permission to see this GP")) {
            _ = try await fixture.database.gp(id: applicant.id!, by: fixture.manager)
        }
        #expect(try await fixture.database.gp(id: applicant.id!, by: fixture.register.liaison).gp.status == .applicant)
    }

    /// The page offered a mentor "Offer to …" buttons the rule then refused; the booked GP may mark
    /// a finished session completed, as the rule allows.
    @Test func theSessionsCapabilitiesMatchItsRules() async throws {
        let fixture = try await ClearingFixture()
        _ = try await fixture.database.createUser(
            NewUserInput(email: "mentor@example.org", password: validPassword, role: .mentor, scopeReference: "QKK"),
            by: .commandLine)
        let mentor = try await fixture.database.signIn(
            email: "mentor@example.org", password: validPassword, from: "t", kind: .web
        ).principal
        let (gp, principal) = try await fixture.readyGP("1111111")
        let session = try await fixture.post(date: "2026-12-07", start: "09:00", end: "12:00")
        let asMentor = try await fixture.database.session(id: session.id!, by: mentor)
        #expect(asMentor.may.contains(.manage) && !asMentor.may.contains(.offer))
        #expect(try await fixture.database.session(id: session.id!, by: fixture.manager).may.contains(.offer))
        let offer = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager, links: testLinks)
            .value
        _ = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks)
        fixture.clock.advance(by: 4 * 3600)  // 13:00, after the session
        let asGP = try await fixture.database.session(id: session.id!, by: principal)
        #expect(asGP.may.isSuperset(of: [.complete, .seePack, .seeBooking]))
    }
}
