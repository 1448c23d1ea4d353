import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The feedback fixture plus an educational supervisor and a second mentor of the same organisation.
struct SupportFixture {
    let feedback: FeedbackFixture
    let supervisor: Principal
    let otherMentor: Principal
    var database: AppDatabase { feedback.database }
    var mentor: Principal { feedback.mentor }
    var organisationId: Int64 { feedback.clearing.register.organisationId }

    init() async throws {
        feedback = try await FeedbackFixture()
        for (email, role) in [("supervisor@example.org", Role.educationalSupervisor), ("mentor2@example.org", .mentor)] {
            _ = try await feedback.database.createUser(
                NewUserInput(email: email, password: validPassword, role: role, scopeReference: "QKK"), by: .commandLine)
        }
        supervisor = try await feedback.database.signIn(
            email: "supervisor@example.org", password: validPassword, from: "t", kind: .web
        ).principal
        otherMentor = try await feedback.database.signIn(
            email: "mentor2@example.org", password: validPassword, from: "t", kind: .web
        ).principal
    }

    func open(_ gpId: Int64, route: String = "self-referral") async throws -> SupportCase {
        try await database.openSupportCase(
            SupportCaseInput(gpId: gpId, routeIn: route, toldOn: "2026-12-07", toldBy: "Dr Mentor, GP mentor"), by: mentor)
    }

    func plan(caseId: Int64) async throws {
        var update = SupportCaseUpdate()
        var plan = SupportCaseUpdate.PlanInput()
        plan.objectives = "Safe prescribing of opioids"
        plan.supervisorId = supervisor.userId
        plan.reviewDates = ["2027-01-15", "2027-03-15"]
        update.plan = plan
        _ = try await database.updateSupportCase(id: caseId, update, by: mentor)
    }
}

@Suite struct SupportCaseTests {
    @Test func onlyTheMentorTheSupervisorOnThePlanAndTheGPOpenACase() async throws {
        let fixture = try await SupportFixture()
        let (gp, gpPrincipal) = try await fixture.feedback.mentoredGP("1111111")
        let (_, otherGP) = try await fixture.feedback.mentoredGP("2222222")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.openSupportCase(
                SupportCaseInput(gpId: gp.id, routeIn: "complaint", toldOn: "2026-12-07", toldBy: "x"), by: fixture.otherMentor)
        }
        let opened = try await fixture.open(gp.id!, route: "complaint")
        _ = try await fixture.database.addSupportMeeting(
            caseId: opened.id!, date: "2026-12-07", notes: "Talked through the complaint", by: fixture.mentor)

        // The supervisor reads only once they are on the plan.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.supportCase(id: opened.id!, by: fixture.supervisor)
        }
        try await fixture.plan(caseId: opened.id!)
        let supervised = try await fixture.database.supportCase(id: opened.id!, by: fixture.supervisor)
        #expect(supervised.reader == .supervisor && supervised.meetings.count == 1)

        // The GP sees the plan and reports, not the meeting notes.
        let own = try await fixture.database.supportCase(id: opened.id!, by: gpPrincipal)
        #expect(own.reader == .subject && own.meetings.isEmpty && own.plan?.objectives == "Safe prescribing of opioids")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.supportMetrics(caseId: opened.id!, by: gpPrincipal)
        }

        for outsider in [fixture.feedback.liaison, fixture.otherMentor, otherGP, fixture.feedback.manager, Principal.commandLine]
        {
            await #expect(throws: DomainError.self) { _ = try await fixture.database.supportCase(id: opened.id!, by: outsider) }
            #expect(try await fixture.database.supportCases(by: outsider).isEmpty)
        }
        // Only the mentor changes it, writes reports, notes meetings.
        for reader in [fixture.supervisor, gpPrincipal] {
            await #expect(throws: DomainError.self) {
                _ = try await fixture.database.writeProgressReport(
                    caseId: opened.id!, referringBody: "NHS England", body: "x", by: reader)
            }
            await #expect(throws: DomainError.self) {
                _ = try await fixture.database.updateSupportCase(id: opened.id!, SupportCaseUpdate(), by: reader)
            }
        }
    }

    @Test func theLiaisonOfficerSeesOnlyAWorkRestrictionOfAnOpenCase() async throws {
        let fixture = try await SupportFixture()
        let (gp, _) = try await fixture.feedback.mentoredGP("1111111")
        let opened = try await fixture.open(gp.id!)
        #expect(try await fixture.database.workRestrictions(gpId: gp.id!, by: fixture.feedback.liaison).isEmpty)
        var restrict = SupportCaseUpdate()
        restrict.workRestriction = "No sessions with home visits"
        _ = try await fixture.database.updateSupportCase(id: opened.id!, restrict, by: fixture.mentor)
        #expect(
            try await fixture.database.workRestrictions(gpId: gp.id!, by: fixture.feedback.liaison) == [
                "No sessions with home visits"
            ])
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.workRestrictions(gpId: gp.id!, by: fixture.feedback.manager)
        }
        var close = SupportCaseUpdate()
        close.outcome = "resolved"
        let closed = try await fixture.database.updateSupportCase(id: opened.id!, close, by: fixture.mentor)
        #expect(closed.closedOn == Day("2026-12-07"))
        #expect(try await fixture.database.workRestrictions(gpId: gp.id!, by: fixture.feedback.liaison).isEmpty)
    }

    @Test func aGPsDataDownloadCarriesTheirSupportRecordsOnlyForTheGP() async throws {
        let fixture = try await SupportFixture()
        let (gp, gpPrincipal) = try await fixture.feedback.mentoredGP("1111111")
        _ = try await fixture.open(gp.id!, route: "complaint")
        func tables(_ principal: Principal) async throws -> [String: Any] {
            let data = try await fixture.database.personalDataExport(gpId: gp.id!, by: principal)
            let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return document?["tables"] as? [String: Any] ?? [:]
        }
        let own = try await tables(gpPrincipal)
        #expect((own["supportCase"] as? [Any])?.count == 1)
        let liaisons = try await tables(fixture.feedback.liaison)
        #expect(liaisons["gp"] != nil)
        #expect(liaisons["supportCase"] == nil && liaisons["supportMeeting"] == nil && liaisons["progressReport"] == nil)
    }

    @Test func aFeedbackConcernOpensACaseInOneStepLinkedBothWays() async throws {
        let fixture = try await SupportFixture()
        let (gp, gpPrincipal) = try await fixture.feedback.mentoredGP("1111111")
        _ = try await fixture.feedback.completeSessions(for: [(gp, gpPrincipal)])
        let card = try await fixture.feedback.card(gpId: gp.id!, .practiceAboutGP)
        try await fixture.feedback.submit(card, as: fixture.feedback.manager, rating: 2)
        let concern = try await fixture.database.raiseFeedbackConcern(
            cardId: card.id!, ConcernInput(severity: "significant", details: "Late for the session twice"),
            by: fixture.feedback.manager, links: testLinks
        ).value
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.openSupportCase(fromConcern: concern.id!, by: fixture.otherMentor)
        }
        let opened = try await fixture.database.openSupportCase(fromConcern: concern.id!, by: fixture.mentor)
        #expect(opened.routeIn == .feedbackConcern && opened.gpId == gp.id && opened.feedbackConcernId == concern.id)
        #expect(try await fixture.database.openSupportCase(fromConcern: concern.id!, by: fixture.mentor).id == opened.id)
        #expect(try await fixture.database.supportCaseId(forConcern: concern.id!, by: fixture.mentor) == opened.id)
        #expect(try await fixture.database.supportCaseId(forConcern: concern.id!, by: fixture.feedback.liaison) == nil)
        #expect(try await fixture.database.supportCase(id: opened.id!, by: fixture.mentor).concernCardId == card.id)
    }

    @Test func progressReportsAreVersionedAndNeverRewritten() async throws {
        let fixture = try await SupportFixture()
        let (gp, _) = try await fixture.feedback.mentoredGP("1111111")
        let opened = try await fixture.open(gp.id!, route: "performance-referral")
        let first = try await fixture.database.writeProgressReport(
            caseId: opened.id!, referringBody: "NHS England performance team", body: "Engaging well", by: fixture.mentor)
        let second = try await fixture.database.writeProgressReport(
            caseId: opened.id!, referringBody: "NHS England performance team", body: "Objectives one and two met",
            by: fixture.mentor)
        #expect(first.version == 1 && second.version == 2)
        let view = try await fixture.database.supportCase(id: opened.id!, by: fixture.mentor)
        #expect(view.reports.map(\.body) == ["Objectives one and two met", "Engaging well"])
        await #expect(throws: DatabaseError.self) {
            try await fixture.database.write { db in
                try db.execute(sql: "UPDATE progressReport SET body = 'changed' WHERE id = ?", arguments: [first.id])
            }
        }
        let missing = await validationErrors {
            _ = try await fixture.database.writeProgressReport(
                caseId: opened.id!, referringBody: "", body: "", by: fixture.mentor)
        }
        #expect(missing?.fields.keys.sorted() == ["body", "referringBody"])
    }

    @Test func metricsAreShownBesideTheOrganisationsSpread() async throws {
        let fixture = try await SupportFixture()
        let (gp, gpPrincipal) = try await fixture.feedback.mentoredGP("1111111")
        let (other, otherPrincipal) = try await fixture.feedback.mentoredGP("2222222")
        _ = try await fixture.feedback.completeSessions(for: [(gp, gpPrincipal), (other, otherPrincipal)])
        _ = try await fixture.feedback.completeSessions(for: [(other, otherPrincipal)], date: "2026-12-10")
        let opened = try await fixture.open(gp.id!)
        let metrics = try await fixture.database.supportMetrics(caseId: opened.id!, by: fixture.mentor)
        let sessions = try #require(metrics.first)
        #expect(sessions.value == 1 && sessions.gps == 2 && sessions.median == 1.5)
        #expect(sessions.lowerQuartile == 1.3 && sessions.upperQuartile == 1.8)
    }
}

@Suite struct SupportAnnualAccountTests {
    @Test func countsFromOneToFourAreWithheldAndALoneWithheldPartTakesAnotherWithIt() {
        let rows = AppDatabase.countGroup(
            total: ("Cases opened", 12), parts: [("Self", 7), ("Complaint", 3), ("Return", 0), ("Referral", 2)])
        #expect(rows.map(\.value) == [12, 7, nil, 0, nil])
        let lone = AppDatabase.countGroup(total: ("Cases opened", 14), parts: [("Self", 8), ("Complaint", 2), ("Return", 6)])
        #expect(lone.map(\.value) == [14, 8, nil, nil], "the smallest other part is withheld too")
        #expect(lone.map(\.suppressed) == [false, false, true, true])
        let small = AppDatabase.countGroup(total: ("Cases closed", 3), parts: [("Resolved", 3), ("Referred on", 0)])
        #expect(small.map(\.value) == [nil, nil, 0])
    }

    @Test func theAccountCountsCasesByRouteAndOutcomeAndWithholdsSmallNumbers() async throws {
        let fixture = try await SupportFixture()
        var gps: [GP] = []
        for index in 0..<6 { gps.append(try await fixture.feedback.mentoredGP("33333\(String(format: "%02d", index))").0) }
        for (index, gp) in gps.enumerated() {
            let opened = try await fixture.open(gp.id!, route: index < 5 ? "self-referral" : "complaint")
            if index < 5 {
                var close = SupportCaseUpdate()
                close.outcome = "resolved"
                _ = try await fixture.database.updateSupportCase(id: opened.id!, close, by: fixture.mentor)
            }
        }
        let rows = try await fixture.database.supportAnnualAccount(
            organisationId: fixture.organisationId, year: 2026, by: fixture.feedback.liaison)
        func value(_ measure: String) -> AccountRow? { rows.first { $0.measure == measure } }
        #expect(value("Cases opened")?.value == 6)
        // Five self-referrals would reveal the one complaint from the total: both are withheld.
        #expect(value("Cases opened: Self-referral")?.suppressed == true)
        #expect(value("Cases opened: Return to work")?.value == 0)
        #expect(
            value("Cases opened: A complaint") == AccountRow(measure: "Cases opened: A complaint", value: nil, suppressed: true))
        #expect(value("Cases closed: Resolved")?.value == 5)
        #expect(value("Median days from opening to first contact with the GP")?.value == 0)
        #expect(value("Developmental plans completed")?.value == 0)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.supportAnnualAccount(
                organisationId: fixture.organisationId, year: 2026, by: fixture.feedback.manager)
        }
    }
}
