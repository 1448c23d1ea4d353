import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The personal-data download: the GP's right of access, following the rules of every other route.
@Suite struct SubjectAccessTests {
    /// The download's tables as this person gets them, and its whole text.
    static func download(_ database: AppDatabase, gpId: Int64, by principal: Principal) async throws -> (
        tables: [String: Any], text: String
    ) {
        let data = try await database.personalDataExport(gpId: gpId, by: principal)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(document.keys) == ["generatedAt", "gpId", "name", "tables"])
        return (try #require(document["tables"] as? [String: Any]), String(decoding: data, as: UTF8.self))
    }

    static func rows(_ tables: [String: Any], _ table: String) -> [[String: Any]] {
        tables[table] as? [[String: Any]] ?? []
    }

    static func ids(_ tables: [String: Any], _ table: String) -> [Int] {
        rows(tables, table).compactMap { $0["id"] as? Int }
    }

    @Test func everyTableIsClassifiedForPersonalData() async throws {
        let fixture = try await RegisterFixture()
        let tables = Set(try await fixture.database.tableNames())
        let classified = PersonalDataMap.tablesWithPersonalData.union(PersonalDataMap.tablesWithoutPersonalData)
        #expect(
            tables.subtracting(classified).isEmpty,
            "tables not in the personal-data map: \(tables.subtracting(classified).sorted())")
        #expect(PersonalDataMap.tablesWithPersonalData.isSubset(of: tables))
    }

    @Test func theExportHoldsEveryPersonalTableAndNoSecrets() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567") { $0.email = "gp@example.org" }
        try await fixture.clearFully(gp.id!)
        _ = try await fixture.database.createUser(
            NewUserInput(email: "gp@example.org", password: validPassword, role: .gp, scopeReference: "1234567"), by: .commandLine
        )
        let own = try await fixture.database.signIn(email: "gp@example.org", password: validPassword, from: "t", kind: .web)
        let data = try await fixture.database.personalDataExport(gpId: gp.id!, by: own.principal)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tables = try #require(document["tables"] as? [String: Any])
        #expect(Set(tables.keys) == PersonalDataMap.tablesWithPersonalData)
        #expect((tables["credentialCheck"] as? [Any])?.count == 8)
        #expect(((tables["gp"] as? [[String: Any]])?.first?["registrationNumber"] as? String) == "1234567")
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("passwordHash"))
        #expect(!text.contains(own.token))
        #expect(!text.contains("$2b$"))

        let stranger = try await fixture.addGP("7654321")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.personalDataExport(gpId: stranger.id!, by: own.principal)
        }
    }

    @Test func theGPsCopyLeavesOutThePracticesDraftAndItsNotWantedReasonButSaysAPreferenceIsHeld() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, gpPrincipal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, gpPrincipal)])
        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        let draft = FeedbackSubmission(
            answers: [FeedbackSubmission.Answer(box: card.boxes[0].key, rating: nil, comment: "Draft words not yet sent")],
            comment: "Still deciding what to say", discussFurther: false)
        _ = try await fixture.database.saveFeedbackCard(
            id: card.id, draft, submit: false, author: .principal(fixture.manager), links: testLinks)
        try await fixture.database.setPracticePreference(
            practiceId: fixture.clearing.practiceId, gpId: gp.id!, preference: .notWanted,
            reason: "Left early twice without handover", by: fixture.manager)

        let own = try await Self.download(fixture.database, gpId: gp.id!, by: gpPrincipal)
        #expect(!Self.ids(own.tables, "feedbackCard").contains(Int(card.id!)))
        #expect(!own.text.contains("Draft words not yet sent"))
        #expect(!own.text.contains("Still deciding what to say"))
        #expect(!own.text.contains("Left early twice"))
        let preferences = Self.rows(own.tables, "practicePreference")
        #expect(preferences.count == 1)
        #expect(preferences.first?["practiceId"] as? Int == Int(fixture.clearing.practiceId))
        #expect(preferences.first?["preference"] as? String == "not-wanted")
        #expect(preferences.first?["createdAt"] != nil)
        #expect(preferences.first?["reason"] == nil)
        // The practice and the support team still read the reason.
        let team = try await Self.download(fixture.database, gpId: gp.id!, by: fixture.liaison)
        #expect(Self.rows(team.tables, "practicePreference").first?["reason"] as? String == "Left early twice without handover")

        // Once the practice submits the card, it is the GP's to read.
        try await fixture.submit(card, as: fixture.manager)
        let after = try await Self.download(fixture.database, gpId: gp.id!, by: gpPrincipal)
        #expect(Self.ids(after.tables, "feedbackCard").contains(Int(card.id!)))
    }

    @Test func aCardsAuthorIsNamedOnlyWhereTheCardsOwnRulesNameThem() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, gpPrincipal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, gpPrincipal)])
        let aboutGP = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        try await fixture.submit(aboutGP, as: fixture.manager)
        _ = try await fixture.database.addFeedbackAddendum(
            cardId: aboutGP.id!, text: "We spoke to the GP afterwards", by: fixture.manager)
        let aboutPractice = try await fixture.card(gpId: gp.id!, .gpAboutPractice)
        try await fixture.submit(aboutPractice, as: gpPrincipal, anonymous: true)

        // The GP's copy: the practice's card about them and their own anonymous card, but not who at
        // the practice submitted or added to it (the card's page names the practice only).
        let own = try await Self.download(fixture.database, gpId: gp.id!, by: gpPrincipal)
        #expect(Set(Self.ids(own.tables, "feedbackCard")) == [Int(aboutGP.id!), Int(aboutPractice.id!)])
        #expect(Self.rows(own.tables, "feedbackCard").allSatisfy { $0["submittedById"] == nil })
        let addenda = Self.rows(own.tables, "feedbackAddendum")
        #expect(addenda.map { $0["text"] as? String } == ["We spoke to the GP afterwards"])
        #expect(addenda.allSatisfy { $0["authorId"] == nil })

        // The liaison officer's copy: an anonymous card not raised as a concern is not theirs to read,
        // so neither it (its practice, its words) nor the audit trail that shows the GP submitting it.
        let team = try await Self.download(fixture.database, gpId: gp.id!, by: fixture.liaison)
        #expect(!Self.ids(team.tables, "feedbackCard").contains(Int(aboutPractice.id!)))
        #expect(team.tables["auditEvent"] == nil)
        #expect(!team.text.contains("Thank you"))
    }

    @Test func theLiaisonOfficersCopyHoldsOnlyWhatTheyReadElsewhere() async throws {
        let evidence = try await EvidenceFixture()
        let fixture = evidence.feedback
        let (gp, gpPrincipal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.database.createEvidenceEntry(
            gpId: gp.id!, evidence.input(.significantEvent, title: "A filed result", shared: true), by: gpPrincipal)
        _ = try await fixture.completeSessions(for: [(gp, gpPrincipal)], date: "2026-12-08")
        let quiet = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        let words = FeedbackSubmission(
            answers: [
                FeedbackSubmission.Answer(box: quiet.boxes[0].key, rating: nil, comment: "Only for the GP and their mentor")
            ],
            comment: "A quiet word", discussFurther: false)
        _ = try await fixture.database.saveFeedbackCard(
            id: quiet.id, words, submit: true, author: .principal(fixture.manager), links: testLinks)
        _ = try await fixture.completeSessions(for: [(gp, gpPrincipal)], date: "2026-12-09")
        let raised = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        try await fixture.submit(raised, as: fixture.manager, rating: 2)
        _ = try await fixture.database.raiseFeedbackConcern(
            cardId: raised.id!, ConcernInput(severity: "significant", details: "Late for the session twice"),
            by: fixture.manager, links: testLinks)

        let team = try await Self.download(fixture.database, gpId: gp.id!, by: fixture.liaison)
        // Evidence: the team sees organisation counts only, never one GP's entries.
        #expect(team.tables["evidenceEntry"] == nil)
        #expect(!team.text.contains("A filed result"))
        #expect(!team.text.contains(completeDetails[.significantEvent]!["whatHappened"]!.text))
        // Cards: the one raised as a concern, exactly as the card list gives the liaison officer.
        let readable = try await fixture.database.feedbackCards(about: .gp(gp.id!), by: fixture.liaison)
        #expect(Self.ids(team.tables, "feedbackCard") == [Int(raised.id!)])
        #expect(Set(Self.ids(team.tables, "feedbackCard")) == Set(readable.map { Int($0.card.id!) }))
        #expect(!team.text.contains("Only for the GP and their mentor"))
        #expect(!team.text.contains("A quiet word"))
        let concerns = Self.rows(team.tables, "feedbackConcern")
        #expect(concerns.map { $0["details"] as? String } == ["Late for the session twice"])
        #expect(concerns.allSatisfy { $0["raisedById"] == nil && $0["handledById"] == nil })

        // An administrator reads no card through the service, so their copy holds none, nor any concern.
        let administrator = try await Self.download(fixture.database, gpId: gp.id!, by: .commandLine)
        #expect(Self.rows(administrator.tables, "feedbackCard").isEmpty)
        #expect(Self.rows(administrator.tables, "feedbackConcern").isEmpty)
        #expect(!administrator.text.contains("Late for the session twice"))

        // The GP's own copy holds all of it.
        let own = try await Self.download(fixture.database, gpId: gp.id!, by: gpPrincipal)
        #expect(Self.rows(own.tables, "evidenceEntry").count == 1)
        #expect(own.text.contains("Only for the GP and their mentor"))
        #expect(Self.rows(own.tables, "feedbackConcern").count == 1)
    }

    @Test func anotherGPAPracticeManagerTheMentorAndAnotherOrganisationAreRefused() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, _) = try await fixture.mentoredGP("1111111")
        let (_, otherGP) = try await fixture.mentoredGP("2222222")
        _ = try await fixture.database.createOrganisation(OrganisationInput(code: "OTHER", name: "Other ICB"), by: .commandLine)
        _ = try await fixture.database.createUser(
            NewUserInput(email: "lo@other.example.org", password: validPassword, role: .liaisonOfficer, scopeReference: "OTHER"),
            by: .commandLine)
        let otherLiaison = try await fixture.database.signIn(
            email: "lo@other.example.org", password: validPassword, from: "t", kind: .web
        ).principal
        for principal in [otherGP, fixture.manager, fixture.mentor, otherLiaison] {
            await #expect(throws: DomainError.forbidden("Only the GP or their liaison officer may download this data")) {
                _ = try await fixture.database.personalDataExport(gpId: gp.id!, by: principal)
            }
        }
    }

    @Test func theGPsCopyOfAClearingRunShowsTheirOwnPinsNotOtherGPs() async throws {
        let fixture = try await ClearingFixture()
        let liaison = fixture.register.liaison
        let (first, firstPrincipal) = try await fixture.readyGP("7100031")
        let (second, _) = try await fixture.readyGP("7100032")
        let wednesday = try await fixture.post(date: "2026-12-16", start: "09:00", end: "12:00")
        let thursday = try await fixture.post(date: "2026-12-17", start: "09:00", end: "12:00")
        let run = try await fixture.database.startClearingRun(
            organisationId: fixture.register.organisationId, week: "2026-W51", by: liaison)
        _ = try await fixture.database.swapClearingProposal(
            runId: run.run.id!, sessionId: wednesday.id, gpId: first.id, by: liaison)
        _ = try await fixture.database.swapClearingProposal(
            runId: run.run.id!, sessionId: thursday.id, gpId: second.id, by: liaison)

        let own = try await Self.download(fixture.database, gpId: first.id!, by: firstPrincipal)
        let runs = Self.rows(own.tables, "clearingRun")
        #expect(runs.count == 1)
        let pins = runs.first?["pins"] as? [[String: Any]] ?? []
        #expect(pins.compactMap { $0["gpId"] as? Int } == [Int(first.id!)])
        #expect(pins.compactMap { $0["sessionId"] as? Int } == [Int(wednesday.id!)])
        // The liaison officer's copy is about this GP too: a run may be a partner organisation's,
        // naming that organisation's GPs, whom this team may not read.
        let team = try await Self.download(fixture.database, gpId: first.id!, by: liaison)
        let teamPins = Self.rows(team.tables, "clearingRun").first?["pins"] as? [[String: Any]] ?? []
        #expect(teamPins.compactMap { $0["gpId"] as? Int } == [Int(first.id!)])
    }
}
