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
        #expect(asPractice.gp.name == "Dr Zara Yardley" && asPractice.gp.gmcNumber == "1111111")
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
            _ = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.manager)
        }
        await #expect(
            throws: DomainError.conflict(
                "Dr Zara Yardley cannot take this session: Not cleared on 9 Dec 2026: Medical indemnity expired 30 Nov 2026")
        ) {
            _ = try await fixture.database.offer(sessionId: session.id!, gpId: gp.id!, by: fixture.register.liaison)
        }
    }

    @Test func aPracticeMarksOnlyGPsItCouldBook() async throws {
        let fixture = try await ClearingFixture()
        let other = try await fixture.database.createOrganisation(
            OrganisationInput(code: "OTH", name: "Other ICB"), by: .commandLine)
        var input = GPInput()
        input.name = "Dr Elsewhere"
        input.gmcNumber = "7777777"
        let stranger = try await fixture.database.createGP(organisationId: other.id!, input, by: .commandLine)
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
