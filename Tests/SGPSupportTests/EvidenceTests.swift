import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// A complete, valid set of details for each kind (dates before the fixture's today, 2026-12-07).
let completeDetails: [EvidenceKind: [String: DetailValue]] = [
    .referralAudit: [
        "periodFrom": .text("2026-04-01"), "periodTo": .text("2026-06-30"), "numberReviewed": .number(40),
        "findings": .text("Most two-week-wait referrals met the criteria"), "changeMade": .text("Use the local template"),
        "reauditOn": .text("2027-04-01"),
    ],
    .satisfactionSurvey: [
        "periodFrom": .text("2026-09-01"), "periodTo": .text("2026-09-30"), "responses": .number(35),
        "scoresSummary": .text("Most rated listening as very good"),
    ],
    .learningNeed: [
        "pun": .text("A patient asked about a new weight-loss injection"), "den": .text("Current prescribing criteria"),
        "howMet": .text("Read the NICE guidance"), "reviewedOn": .text("2026-11-01"),
    ],
    .prescribingReview: ["focus": .text("Antibiotics for sore throat"), "findings": .text("Two in ten met FeverPAIN 4+")],
    .significantEvent: [
        "whatHappened": .text("A result was filed without action"), "why": .text("No one owned the inbox that day"),
        "learned": .text("Check whose inbox it is"), "changed": .text("A named owner each session"),
    ],
    .practiceAudit: ["topic": .text("Asthma reviews"), "role": .text("Collected data")],
    .admissionFeedback: ["feedback": .text("Appropriate admission"), "reflection": .text("Good to hear the plan worked")],
    .cpd: ["event": .text("Dermatology update"), "hours": .number(3)],
    .other: ["description": .text("Led a practice teaching session")],
]

struct EvidenceFixture {
    let feedback: FeedbackFixture
    var database: AppDatabase { feedback.database }
    var practiceId: Int64 { feedback.clearing.practiceId }

    init() async throws {
        feedback = try await FeedbackFixture()
    }

    func input(
        _ kind: EvidenceKind, title: String = "An entry", date: String = "2026-11-20", details: [String: DetailValue]? = nil,
        draft: Bool = false, shared: Bool = false
    ) -> EvidenceInput {
        var input = EvidenceInput()
        input.kind = kind.rawValue
        input.title = title
        input.date = date
        input.details = details ?? completeDetails[kind]
        input.draft = draft
        input.sharedWithMentor = shared
        if kind.needsPractice { input.practiceId = .set(practiceId) }
        if kind == .practiceAudit { input.practiceId = .set(practiceId) }
        return input
    }

    func entryCount(_ gpId: Int64) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM evidenceEntry WHERE gpId = ?", arguments: [gpId]) ?? 0
        }
    }
}

@Suite struct EvidenceEntryTests {
    @Test func eachKindRefusesACompleteEntryWithoutItsRequiredFieldsAndSavesItWithThem() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        for kind in EvidenceKind.allCases where kind != .feedbackReflection {
            let errors = await validationErrors {
                _ = try await fixture.database.createEvidenceEntry(gpId: gp.id!, fixture.input(kind, details: [:]), by: principal)
            }
            let required = kind.fields.filter(\.required).map { "details.\($0.key)" }
            #expect(Set(try #require(errors, "\(kind)").fields.keys).isSuperset(of: required), "\(kind)")
            let saved = try await fixture.database.createEvidenceEntry(gpId: gp.id!, fixture.input(kind), by: principal)
            #expect(saved.status == .complete)
            #expect(saved.details == completeDetails[kind])
        }
        // The same empty details are fine in a draft.
        let draft = try await fixture.database.createEvidenceEntry(
            gpId: gp.id!, fixture.input(.significantEvent, details: [:], draft: true), by: principal)
        #expect(draft.status == .draft)
        #expect(try await fixture.entryCount(gp.id!) == EvidenceKind.allCases.count)
    }

    @Test func kindRulesSayWhatToFix() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        func errors(_ kind: EvidenceKind, _ change: [String: DetailValue], date: String = "2026-11-20") async -> [String: String]
        {
            let details = (completeDetails[kind] ?? [:]).merging(change) { $1 }
            return await validationErrors {
                _ = try await fixture.database.createEvidenceEntry(
                    gpId: gp.id!, fixture.input(kind, date: date, details: details), by: principal)
            }?.fields ?? [:]
        }
        #expect(
            await errors(.referralAudit, ["reauditOn": .text("2026-05-01")])["details.reauditOn"]
                == "The re-audit comes after the period reviewed")
        #expect(await errors(.referralAudit, ["periodTo": .text("2026-03-01")])["details.periodTo"] != nil)
        #expect(await errors(.referralAudit, ["numberReviewed": .number(2.5)])["details.numberReviewed"] != nil)
        #expect(await errors(.cpd, ["hours": .number(0)])["details.hours"] == "Give the hours as a number above 0, like 1.5")
        #expect(await errors(.cpd, ["hours": .text("three")])["details.hours"] != nil)
        #expect(await errors(.learningNeed, ["howMet": .text("")])["details.howMet"] != nil)
        #expect(await errors(.cpd, ["colour": .text("blue")])["details.colour"]?.contains("event, hours, learning") == true)
        #expect(await errors(.cpd, [:], date: "2026-12-25")["date"]?.contains("save it as a draft") == true)
        #expect(try await fixture.entryCount(gp.id!) == 0)
        // A planned event may be logged ahead as a draft.
        var planned = fixture.input(.cpd, date: "2026-12-25")
        planned.draft = true
        _ = try await fixture.database.createEvidenceEntry(gpId: gp.id!, planned, by: principal)
    }

    @Test func textShapedLikeAnNHSNumberIsRefusedAndNothingIsSaved() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        for number in ["943 476 5919", "9434765919", "943-476-5919"] {
            var details = completeDetails[.admissionFeedback]!
            details["feedback"] = .text("Mrs X, NHS no \(number), was admitted appropriately")
            let errors = await validationErrors {
                _ = try await fixture.database.createEvidenceEntry(
                    gpId: gp.id!, fixture.input(.admissionFeedback, details: details, draft: true), by: principal)
            }
            #expect(errors?["details.feedback"] == AppDatabase.patientIdentifierMessage)
        }
        let inTitle = await validationErrors {
            _ = try await fixture.database.createEvidenceEntry(
                gpId: gp.id!, fixture.input(.significantEvent, title: "Patient 943 476 5919"), by: principal)
        }
        #expect(inTitle?["title"] == AppDatabase.patientIdentifierMessage)
        // A practice sending admission feedback is held to the same rule.
        _ = try await fixture.feedback.completeSessions(for: [(gp, principal)])
        let fromPractice = await validationErrors {
            _ = try await fixture.database.sendAdmissionFeedback(
                practiceId: fixture.practiceId,
                AdmissionFeedbackInput(gpId: gp.id, bookingId: nil, admittedOn: nil, feedback: "Re 9434765919: fine"),
                by: fixture.feedback.manager, links: testLinks)
        }
        #expect(fromPractice?["feedback"] == AppDatabase.patientIdentifierMessage)
        #expect(try await fixture.entryCount(gp.id!) == 0)
    }

    /// Issue 19, finding 15: dots, double or non-breaking spaces, `_`, `/` or full-width digits got an NHS
    /// number past the guard; and any ten digits were refused, a phone number too.
    @Test func anNHSNumberIsCaughtInEveryDisguiseAndKnownByItsCheckDigit() async throws {
        let disguises = [
            "943.476.5919", "943  476  5919", "943\u{A0}476\u{A0}5919", "943_476_5919", "943-476-5919", "943/476/5919",
            "９４３４７６５９１９", "９４３ ４７６ ５９１９", "943\u{2013}476\u{2013}5919", "9\u{200B}434765919", "bed 1 943 476 5919",
        ]
        for disguise in disguises {
            #expect(Validators.containsNHSNumber("Mrs X (\(disguise)) was admitted"), "\(disguise)")
        }
        // Ten digits whose check digit fails are some other number.
        for other in ["943 476 5910", "0163296012", "01632 960123", "2026-12-08 at 10:30", "1000000019"] {
            #expect(!Validators.containsNHSNumber(other), "\(other)")
        }
        #expect(Validators.nhsCheckDigitIsValid([9, 4, 3, 4, 7, 6, 5, 9, 1, 9]))
        #expect(Validators.nhsCheckDigitIsValid([1, 1, 0, 0, 0, 0, 0, 1, 0, 0]), "a check of 11 reads as 0")
        #expect(!Validators.nhsCheckDigitIsValid([1, 0, 0, 0, 0, 0, 0, 0, 1, 0]), "a check of 10 is no NHS number")

        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        for disguise in disguises {
            var details = completeDetails[.admissionFeedback]!
            details["feedback"] = .text("Mrs X, NHS no \(disguise), was admitted appropriately")
            let errors = await validationErrors {
                _ = try await fixture.database.createEvidenceEntry(
                    gpId: gp.id!, fixture.input(.admissionFeedback, details: details, draft: true), by: principal)
            }
            #expect(errors?["details.feedback"] == AppDatabase.patientIdentifierMessage, "\(disguise)")
        }
        #expect(AppDatabase.patientIdentifierMessage.contains("check digit is valid"), "the message says why")
        #expect(try await fixture.entryCount(gp.id!) == 0)
        var details = completeDetails[.admissionFeedback]!
        details["feedback"] = .text("The ward (0163296012) called back the same day")
        _ = try await fixture.database.createEvidenceEntry(
            gpId: gp.id!, fixture.input(.admissionFeedback, details: details, draft: true), by: principal)
        #expect(try await fixture.entryCount(gp.id!) == 1, "a phone number is not an NHS number")
    }

    @Test func entriesGroupByTheGPsAppraisalYearAcrossItsBoundary() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.clearing.readyGP("1111111") { $0.appraisalMonth = 3 }
        for (date, hours) in [("2026-02-28", 5.0), ("2026-03-01", 7.0), ("2026-11-30", 2.5)] {
            var details = completeDetails[.cpd]!
            details["hours"] = .number(hours)
            _ = try await fixture.database.createEvidenceEntry(
                gpId: gp.id!, fixture.input(.cpd, title: "CPD \(date)", date: date, details: details), by: principal)
        }
        let earlier = try await fixture.database.evidenceLog(gpId: gp.id!, filter: EvidenceFilter(year: 2025), by: principal)
        #expect(earlier.entries.map(\.title) == ["CPD 2026-02-28"])
        #expect(earlier.year.label == "2025/26")
        #expect(earlier.cpdHours == 5)
        let current = try await fixture.database.evidenceLog(gpId: gp.id!, filter: EvidenceFilter(), by: principal)
        #expect(current.year == AppraisalYear(startYear: 2026, month: 3))
        #expect(current.cpdHours == 9.5)
        #expect(current.cpdTarget == 50)
        let portfolio = try await fixture.database.portfolio(gpId: gp.id!, year: 2026, by: principal)
        #expect(portfolio.from == Day("2026-03-01") && portfolio.to == Day("2027-02-28"))
        #expect(portfolio.cpd.entries.map(\.title) == ["CPD 2026-03-01", "CPD 2026-11-30"])
        #expect(portfolio.cpd.hours == 9.5)
    }

    @Test func scopeOfWorkIsComputedFromCompletedBookings() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        let (other, otherPrincipal) = try await fixture.feedback.mentoredGP("2222222")
        _ = try await fixture.feedback.completeSessions(for: [(gp, principal), (other, otherPrincipal)])
        _ = try await fixture.feedback.completeSessions(for: [(gp, principal)], date: "2026-12-10")
        // A confirmed session not yet worked does not count.
        let later = try await fixture.feedback.clearing.post(date: "2026-12-17")
        let offer = try await fixture.database.offer(
            sessionId: later.id!, gpId: gp.id!, by: fixture.feedback.manager, links: testLinks
        ).value
        _ = try await fixture.database.acceptOffer(id: offer.id!, by: principal, links: testLinks)

        let portfolio = try await fixture.database.portfolio(gpId: gp.id!, year: nil, by: principal)
        #expect(portfolio.year == 2026)
        #expect(portfolio.scopeOfWork.sessions == 2)
        #expect(portfolio.scopeOfWork.hours == 2)
        #expect(portfolio.scopeOfWork.practices.map(\.name) == ["Practice A81001"])
        #expect(portfolio.scopeOfWork.sessionKinds.map(\.title) == ["Surgery"])
        #expect(portfolio.summary.first { $0.measure == "Sessions worked" }?.count == 2)
    }

    @Test func thePortfolioShowsADateDetailAsPeopleReadItWhileItsJSONKeepsTheDate() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.clearing.readyGP("1111111") { $0.appraisalMonth = 4 }
        _ = try await fixture.database.createEvidenceEntry(
            gpId: gp.id!, fixture.input(.referralAudit, title: "Referrals"), by: principal)
        let portfolio = try await fixture.database.portfolio(gpId: gp.id!, year: 2026, by: principal)
        let details = try #require(portfolio.qualityImprovement.first { $0.title == "Referrals" }?.details)
        let from = try #require(details.first { $0.key == "periodFrom" })
        #expect(from.value == "2026-04-01" && from.shown == "Wed 1 Apr 2026")
        #expect(details.first { $0.key == "reauditOn" }?.shown == "Thu 1 Apr 2027")
        #expect(details.first { $0.key == "numberReviewed" }?.shown == "40", "numbers and text as typed")
        let json = String(decoding: try JSONEncoder().encode(from), as: UTF8.self)
        #expect(json.contains(#""value":"2026-04-01""#) && !json.contains("shown"), "the JSON keeps the stored date")
        #expect(DetailField("soon", "Soon", .day).displayText("next spring") == "next spring", "text that is no date stays")
    }
}

@Suite struct EvidenceAccessTests {
    @Test func entriesAreTheGPsOwnTheMentorSeesOnlyWhatIsShared() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        let (_, otherGP) = try await fixture.feedback.mentoredGP("2222222")
        let shared = try await fixture.database.createEvidenceEntry(
            gpId: gp.id!, fixture.input(.significantEvent, title: "Shared", shared: true), by: principal)
        let privateEntry = try await fixture.database.createEvidenceEntry(
            gpId: gp.id!, fixture.input(.learningNeed, title: "Private"), by: principal)

        let mentorLog = try await fixture.database.evidenceLog(
            gpId: gp.id!, filter: EvidenceFilter(), by: fixture.feedback.mentor)
        #expect(mentorLog.entries.map(\.title) == ["Shared"])
        #expect(try await fixture.database.evidenceEntry(id: shared.id!, by: fixture.feedback.mentor).title == "Shared")
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.evidenceEntry(id: privateEntry.id!, by: fixture.feedback.mentor)
        }
        let mentorPortfolio = try await fixture.database.portfolio(gpId: gp.id!, year: nil, by: fixture.feedback.mentor)
        #expect(mentorPortfolio.sharedEntriesOnly)
        #expect(mentorPortfolio.significantEvents.count == 1 && mentorPortfolio.learningNeeds.isEmpty)

        for outsider in [fixture.feedback.liaison, otherGP, fixture.feedback.manager, Principal.commandLine] {
            await #expect(throws: DomainError.self) {
                _ = try await fixture.database.evidenceLog(gpId: gp.id!, filter: EvidenceFilter(), by: outsider)
            }
            await #expect(throws: DomainError.self) {
                _ = try await fixture.database.evidenceEntry(id: shared.id!, by: outsider)
            }
            await #expect(throws: DomainError.self) {
                _ = try await fixture.database.portfolio(gpId: gp.id!, year: nil, by: outsider)
            }
        }
        // Only the GP changes or deletes; the mentor cannot, even what is shared.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.updateEvidenceEntry(id: shared.id!, EvidenceInput(), by: fixture.feedback.mentor)
        }
        await #expect(throws: DomainError.self) {
            try await fixture.database.deleteEvidenceEntry(id: shared.id!, by: otherGP)
        }
        try await fixture.database.deleteEvidenceEntry(id: shared.id!, by: principal)
        #expect(try await fixture.entryCount(gp.id!) == 1)
    }

    @Test func aPracticeSendsAdmissionFeedbackAsADraftAndSeesOnlyWhatItSent() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        let (stranger, _) = try await fixture.feedback.mentoredGP("2222222")
        _ = try await fixture.feedback.completeSessions(for: [(gp, principal)])
        let refused = await validationErrors {
            _ = try await fixture.database.sendAdmissionFeedback(
                practiceId: fixture.practiceId,
                AdmissionFeedbackInput(gpId: stranger.id, bookingId: nil, admittedOn: nil, feedback: "Fine"),
                by: fixture.feedback.manager, links: testLinks)
        }
        #expect(refused?["gpId"] == "Send admission feedback only to a GP who worked a session here")

        let sent = try await fixture.database.sendAdmissionFeedback(
            practiceId: fixture.practiceId,
            AdmissionFeedbackInput(gpId: gp.id, bookingId: nil, admittedOn: "2026-12-08", feedback: "Admission was appropriate"),
            by: fixture.feedback.manager, links: testLinks)
        #expect(sent.value.status == .draft)
        #expect(sent.notifications.map(\.to) == ["1111111@example.org"])
        #expect(sent.notifications.first?.text.contains("https://sgpst.test/evidence/\(sent.value.id!)") == true)

        // The GP completes it with their reflection; the practice still sees only its own words.
        var completion = EvidenceInput()
        completion.details = ["reflection": .text("Glad the escalation was right")]
        completion.draft = false
        let completed = try await fixture.database.updateEvidenceEntry(id: sent.value.id!, completion, by: principal)
        #expect(completed.status == .complete)
        let practiceView = try await fixture.database.evidenceEntry(id: sent.value.id!, by: fixture.feedback.manager)
        #expect(practiceView.details == ["feedback": .text("Admission was appropriate"), "admittedOn": .text("2026-12-08")])
        // Nor can the practice change it.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.updateEvidenceEntry(id: sent.value.id!, EvidenceInput(), by: fixture.feedback.manager)
        }
    }
}

@Suite struct EvidenceLinkTests {
    @Test func markingACardForAppraisalLogsOneReflectionAndDeletingItUnmarksTheCard() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        _ = try await fixture.feedback.completeSessions(for: [(gp, principal)])
        let card = try await fixture.feedback.card(gpId: gp.id!, .practiceAboutGP)
        try await fixture.feedback.submit(card, as: fixture.feedback.manager)
        _ = try await fixture.database.markFeedbackForAppraisal(
            cardId: card.id!, use: true, reflection: "I will keep the same handover", by: principal)
        _ = try await fixture.database.markFeedbackForAppraisal(
            cardId: card.id!, use: true, reflection: "I will keep the same handover, and write it down", by: principal)

        let log = try await fixture.database.evidenceLog(gpId: gp.id!, filter: EvidenceFilter(), by: principal)
        let reflection = try #require(log.entries.first)
        #expect(log.entries.count == 1)
        #expect(reflection.kind == .feedbackReflection && reflection.feedbackCardId == card.id)
        #expect(reflection.detail("reflection") == "I will keep the same handover, and write it down")
        let portfolio = try await fixture.database.portfolio(gpId: gp.id!, year: nil, by: principal)
        #expect(portfolio.feedback.cards.map(\.reflection) == ["I will keep the same handover, and write it down"])
        #expect(portfolio.feedback.cards.first?.answers.first?.ratingText == "4 – Good")

        // A second reflection on the same card is refused with what to do, not a database error.
        var second = EvidenceInput()
        second.kind = "feedback-reflection"
        second.title = "Again"
        second.date = "2026-12-07"
        second.details = ["reflection": .text("More")]
        second.feedbackCardId = .set(card.id!)
        let again = await validationErrors {
            _ = try await fixture.database.createEvidenceEntry(gpId: gp.id!, second, by: principal)
        }
        #expect(again?["feedbackCardId"]?.contains("already reflected on this card") == true)

        try await fixture.database.deleteEvidenceEntry(id: reflection.id!, by: principal)
        #expect(try await fixture.feedback.card(gpId: gp.id!, .practiceAboutGP).useForAppraisal == false)
    }

    @Test func aLocallyAgreedAuditIsJoinedOnceAndCountedNotRead() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        let organisationId = fixture.feedback.clearing.register.organisationId
        let topic = try await fixture.database.publishAuditTopic(
            organisationId: organisationId,
            AuditTopicInput(title: "Antibiotics for sore throat", criteria: "FeverPAIN recorded in 90%", closesOn: "2027-01-31"),
            by: fixture.feedback.liaison)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.publishAuditTopic(
                organisationId: organisationId, AuditTopicInput(title: "x", criteria: "y", closesOn: nil), by: principal)
        }
        let joined = try await fixture.database.joinAuditTopic(id: topic.id!, by: principal)
        #expect(try await fixture.database.joinAuditTopic(id: topic.id!, by: principal).id == joined.id)
        #expect(joined.kind == .practiceAudit && joined.status == .draft && joined.followUpOn == Day("2027-01-31"))

        var completion = EvidenceInput()
        completion.details = ["outcome": .text("88% recorded; shared the template")]
        completion.draft = false
        _ = try await fixture.database.updateEvidenceEntry(id: joined.id!, completion, by: principal)
        let team = try await fixture.database.organisationEvidence(organisationId: organisationId, by: fixture.feedback.liaison)
        #expect(team.topics.map { [$0.joined, $0.completed] } == [[1, 1]])
        #expect(team.countsByKind.first { $0.label == "practice-audit" }?.count == 1)
        let report = try await fixture.database.activityReport(
            organisationId: organisationId, period: ReportPeriod(from: Day("2026-12-01")!, to: Day("2026-12-31")!),
            by: fixture.feedback.liaison)
        #expect(report.evidenceByKind.first { $0.label == "practice-audit" }?.count == 1)
    }

    @Test func aFollowUpIsRemindedOnceWhenItsDayComes() async throws {
        let fixture = try await EvidenceFixture()
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        var input = fixture.input(.learningNeed, title: "Weight-loss injections")
        input.followUpOn = "2026-12-09"
        _ = try await fixture.database.createEvidenceEntry(gpId: gp.id!, input, by: principal)
        #expect(try await fixture.database.sendEvidenceFollowUpReminders(links: testLinks).notifications.isEmpty)
        fixture.feedback.clock.advance(by: 2 * 86400)
        let due = try await fixture.database.sendEvidenceFollowUpReminders(links: testLinks).notifications
        #expect(due.map(\.subject) == ["Follow-up due: Weight-loss injections"])
        #expect(try await fixture.database.sendEvidenceFollowUpReminders(links: testLinks).notifications.isEmpty)
    }
}
