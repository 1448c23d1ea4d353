import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// A GP who worked at practice A81001 (its manager pm@example.org), with a colleague round.
struct RoundFixture {
    let payment: PaymentFixture
    var database: AppDatabase { payment.database }
    var gp: Principal { payment.gpPrincipal }
    var liaison: Principal { payment.clearing.register.liaison }
    var manager: Principal { payment.manager }

    init() async throws {
        payment = try await PaymentFixture()
        _ = try await payment.worked(["2026-12-09"], thenOn: "2026-12-10")
        // Small numbers make the release rule easy to reach: target 4, minimum 3 (the least allowed).
        try await payment.database.setOrganisationSettings(
            organisationId: payment.clearing.register.organisationId, appraisalValidityMonths: nil, baseRatePercent: nil,
            baseRateFrom: nil, rounds: FeedbackRoundSettings(colleagueTarget: 4, colleagueMinimum: 3, patientMinimum: 3),
            by: payment.clearing.register.liaison)
    }

    /// The single-use token each email carries, by address.
    static func tokens(_ mail: [MailMessage]) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: mail.compactMap { message in
                message.text.range(of: #"/feedback-rounds/answer/([A-Za-z0-9_-]+)"#, options: .regularExpression).map {
                    (message.to, String(message.text[$0].split(separator: "/").last!))
                }
            })
    }

    func openColleagueRound() async throws -> (round: FeedbackRoundView, tokens: [String: String]) {
        let requested = try await database.requestFeedbackRound(gpId: payment.gp.id!, kind: "colleague", by: gp)
        var mail: [MailMessage] = []
        for (name, email) in [("Sam Nurse", "sam@example.org"), ("Kit Reception", "kit@example.org")] {
            mail += try await database.addColleague(
                roundId: requested.round.id!, ColleagueInput(name: name, email: email, role: "nurse"), by: gp, links: testLinks
            ).notifications
        }
        #expect(mail.isEmpty, "nobody is emailed before the support team opens the round")
        let opened = try await database.openFeedbackRound(
            id: requested.round.id!, closesOn: "2027-01-10", by: liaison, links: testLinks)
        return (opened.value, Self.tokens(opened.notifications))
    }

    func answer(_ token: String, rating: Int = 4, doesWell: String? = nil) async throws {
        try await database.answerFeedback(
            token: token,
            FeedbackAnswersInput(
                answers: [.init(item: "sound-decisions", rating: rating), .init(item: "reliable", rating: nil)],
                doesWell: doesWell))
    }
}

@Suite struct FeedbackRoundTests {
    @Test func theServiceChoosesColleaguesAndTheGPSeesOnlyCounts() async throws {
        let fixture = try await RoundFixture()
        let (round, tokens) = try await fixture.openColleagueRound()
        #expect(Set(tokens.keys) == ["pm@example.org", "sam@example.org", "kit@example.org"])
        #expect(round.invitedByPractice.map(\.practice) == ["Other", "Practice A81001"] && round.invited == 3)
        // The GP may add but never remove: there is no way to, and asking again for the manager changes nothing.
        let gpView = try await fixture.database.feedbackRound(id: round.round.id!, by: fixture.gp)
        #expect(gpView.may == [.addColleague] && gpView.report == nil)
        #expect(gpView.responses == nil, "the GP does not watch the count while it runs")
        // The GP has added two (the minimum less one): their own choices alone never release a report.
        let more = await validationErrors {
            _ = try await fixture.database.addColleague(
                roundId: round.round.id!, ColleagueInput(name: "A friend", email: "friend@example.org", role: "gp"),
                by: fixture.gp,
                links: testLinks)
        }
        #expect(more?["email"]?.contains("the most a GP adds") == true)
        // The practice adds its people; someone already asked is answered as a new name would be, unmailed.
        let again = try await fixture.database.addColleague(
            roundId: round.round.id!, ColleagueInput(name: "Sam", email: "sam@example.org", role: "nurse"), by: fixture.manager,
            links: testLinks)
        #expect(again.notifications.isEmpty && again.value.responses == nil)
        #expect(again.value.invitedByPractice.map(\.practice) == ["Practice A81001"], "a practice sees only its own people")
        let own = await validationErrors {
            _ = try await fixture.database.addColleague(
                roundId: round.round.id!, ColleagueInput(name: "Me", email: "1234567@example.org", role: "gp"),
                by: fixture.manager,
                links: testLinks)
        }
        #expect(own?["email"] == "A GP cannot give feedback on themselves")
        #expect(
            await domainError {
                _ = try await fixture.database.openFeedbackRound(
                    id: round.round.id!, closesOn: "2027-01-10", by: fixture.gp, links: testLinks)
            } == .forbidden("The support team opens a feedback round, not the GP"))
    }

    /// Released at the minimum, not at one fewer; below it the GP is told and may extend once.
    @Test func theReleaseRuleAtMinimumLessOneAndAtMinimum() async throws {
        let fixture = try await RoundFixture()
        let (round, tokens) = try await fixture.openColleagueRound()
        let id = round.round.id!
        try await fixture.answer(tokens["sam@example.org"]!)
        let short = try await fixture.database.closeFeedbackRound(id: id, by: fixture.liaison, links: testLinks)
        #expect(short.value.round.status == .short && short.value.report == nil)
        #expect(short.notifications.first?.text.contains("closed with 1 answers, fewer than the 3") == true)
        let gpSees = try await fixture.database.feedbackRound(id: id, by: fixture.gp)
        #expect(gpSees.may.contains(.extend) && gpSees.report == nil)
        _ = try await fixture.database.extendFeedbackRound(id: id, closesOn: "2027-01-20", by: fixture.gp, links: testLinks)
        try await fixture.answer(tokens["kit@example.org"]!, rating: 5)
        let atTwo = try await fixture.database.feedbackRound(id: id, by: fixture.liaison)
        #expect(atTwo.responses == 2, "the support team sees the count while it runs")
        try await fixture.answer(tokens["pm@example.org"]!)
        let released = try await fixture.database.closeFeedbackRound(id: id, by: fixture.liaison, links: testLinks)
        #expect(released.value.round.status == .released)
        #expect(released.value.report == nil, "the liaison officer sees counts only")
        let report = try #require(try await fixture.database.feedbackRound(id: id, by: fixture.gp).report)
        #expect(report.groups.map(\.group) == ["Nurse", "Practice manager"] && report.groups.map(\.responses) == [2, 1])
        let decisions = try #require(report.items.first { $0.item == "sound-decisions" })
        #expect(decisions.mean == 4.3 && decisions.distribution == [0, 0, 0, 2, 1, 0])
        #expect(report.items.first { $0.item == "reliable" }?.distribution == [0, 0, 0, 0, 0, 3])
        let twice = await domainError {
            _ = try await fixture.database.extendFeedbackRound(id: id, closesOn: "2027-01-30", by: fixture.gp, links: testLinks)
        }
        #expect(twice != nil)
    }

    @Test func aLinkAnswersOnceAndNobodyReadsAnAnswerOnItsOwn() async throws {
        let fixture = try await RoundFixture()
        let (round, tokens) = try await fixture.openColleagueRound()
        let token = tokens["sam@example.org"]!
        try await fixture.answer(token, doesWell: "Dr Ada Locum was calm with Sam Nurse at Practice A81001; Locum explained well")
        let second = await domainError { try await fixture.answer(token) }
        #expect(second == .conflict("You have already answered: thank you."))
        #expect(try await fixture.database.questionnaire(token: token).closedReason == "You have already answered: thank you.")
        #expect(await domainError { try await fixture.answer("not-a-token") } != nil)

        try await fixture.answer(tokens["kit@example.org"]!)
        try await fixture.answer(tokens["pm@example.org"]!)
        _ = try await fixture.database.closeFeedbackRound(id: round.round.id!, by: fixture.liaison, links: testLinks)
        let report = try #require(try await fixture.database.feedbackRound(id: round.round.id!, by: fixture.gp).report)
        // The GP's name (whole or in part), practice names and respondents' names are taken out.
        #expect(report.comments == ["[name] was calm with [name] at [practice]; [name] explained well"])
        #expect(
            NameRemover.remove(from: "Will said I will come back", people: ["Will Barnes"], places: [])
                == "[name] said I will come back", "a first name that is also a word goes only as a name")
        // Subject access: both copies hold counts of answers, never an answer.
        for reader in [fixture.gp, fixture.liaison] {
            let copy = String(
                decoding: try await fixture.database.personalDataExport(gpId: fixture.payment.gp.id!, by: reader), as: UTF8.self)
            #expect(!copy.contains("calm") && !copy.contains("sam@example.org") && copy.contains("\"responses\" : 3"))
        }
        // Even the administrator's reading of the round holds no report.
        #expect(try await fixture.database.feedbackRound(id: round.round.id!, by: .commandLine).report == nil)
    }

    @Test func patientCodesAreForOneSessionAndOneUse() async throws {
        let fixture = try await RoundFixture()
        let bookings = try await fixture.payment.book(["2026-12-14"])
        let requested = try await fixture.database.requestFeedbackRound(
            gpId: fixture.payment.gp.id!, kind: "patient", by: fixture.gp)
        let id = requested.round.id!
        _ = try await fixture.database.openFeedbackRound(id: id, closesOn: "2027-01-31", by: fixture.liaison, links: testLinks)
        let codes = try await fixture.database.patientSlips(roundId: id, bookingId: bookings[0].id, count: 2, by: fixture.manager)
        #expect(codes.count == 2 && Set(codes).count == 2 && codes.allSatisfy { $0.count == 10 })
        let refused = await domainError {
            _ = try await fixture.database.patientSlips(roundId: id, bookingId: bookings[0].id, count: 2, by: fixture.gp)
        }
        #expect(refused == .forbidden("The practice prints patient slips"))
        let answer = FeedbackAnswersInput(answers: [.init(item: "listened", rating: 5)], couldChange: "Nothing")
        #expect(
            await domainError { try await fixture.database.answerFeedback(token: codes[0], answer) }
                == .conflict("This code works from the day of the session, Mon 14 Dec 2026."))
        fixture.payment.moveTo("2026-12-14")
        try await fixture.database.answerFeedback(token: codes[0].lowercased(), answer)
        #expect(
            await domainError { try await fixture.database.answerFeedback(token: codes[0], answer) }
                == .conflict("This code has been used: each code is for one patient."))
        let nhs = await validationErrors {
            try await fixture.database.answerFeedback(
                token: codes[1],
                FeedbackAnswersInput(answers: [.init(item: "kind", rating: 4)], doesWell: "My NHS number is 943 476 5919"))
        }
        #expect(nhs?["doesWell"]?.contains("NHS number") == true)
        fixture.payment.moveTo("2026-12-22")  // 8 days after the session
        #expect(try await fixture.database.questionnaire(token: codes[1]).closedReason?.contains("Mon 14 Dec 2026") == true)
    }

    @Test func theReleasedReportAndTheReflectionGoIntoThePortfolio() async throws {
        let fixture = try await RoundFixture()
        let (round, tokens) = try await fixture.openColleagueRound()
        for token in tokens.values { try await fixture.answer(token) }
        _ = try await fixture.database.closeFeedbackRound(id: round.round.id!, by: fixture.liaison, links: testLinks)
        _ = try await fixture.database.reflectOnFeedbackRound(
            id: round.round.id!, reflection: "I will hand over in writing", by: fixture.gp)
        let portfolio = try await fixture.database.portfolio(gpId: fixture.payment.gp.id!, year: nil, by: fixture.gp)
        let evidence = try #require(portfolio.feedback.rounds.first)
        #expect(evidence.kind == .colleague && evidence.reflection == "I will hand over in writing")
        #expect(evidence.report.groups.map(\.responses).reduce(0, +) == 3)
    }

    @Test func unansweredColleaguesAreRemindedAndRoundsCloseOnTheirDate() async throws {
        let fixture = try await RoundFixture()
        let (round, tokens) = try await fixture.openColleagueRound()
        try await fixture.answer(tokens["sam@example.org"]!)
        fixture.payment.moveTo("2026-12-17")  // 7 days
        let first = try await fixture.database.sendFeedbackRoundReminders(links: testLinks).notifications
        #expect(
            Set(first.map(\.to)) == ["pm@example.org", "kit@example.org"] && first.allSatisfy { $0.subject.hasPrefix("Reminder") }
        )
        #expect(try await fixture.database.sendFeedbackRoundReminders(links: testLinks).notifications.isEmpty)
        // The reminder carries the same link as the first email, so either works (once).
        #expect(RoundFixture.tokens(first)["kit@example.org"] == tokens["kit@example.org"])
        try await fixture.answer(tokens["kit@example.org"]!)
        try await fixture.answer(tokens["pm@example.org"]!)
        fixture.payment.moveTo("2027-01-11")
        let closing = try await fixture.database.sendFeedbackRoundReminders(links: testLinks)
        #expect(closing.value == 1 && closing.notifications.contains { $0.subject.contains("has closed") })
        #expect(try await fixture.database.feedbackRound(id: round.round.id!, by: fixture.gp).round.status == .released)
    }
}
