import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The feedback-round pages (issue 23): their models built by their pure initialisers from the
/// domain's views of a real (demo) database, and one round through the pages, from the GP asking
/// to a colleague answering through their emailed link, with no sign-in, once.
@Suite struct FeedbackRoundPagesTests {
    static let links = Links(baseURL: "http://127.0.0.1:8080")

    static func principal(_ database: AppDatabase, _ email: String) async throws -> Principal {
        try await ClearingHousePageModelTests.principal(database, email)
    }

    static func closingDate(_ database: AppDatabase) -> String { database.clock.today.adding(days: 28).description }

    /// The single-use link's token in an invitation (or its reminder).
    static func token(in message: MailMessage) throws -> String {
        let marker = "/feedback-rounds/answer/"
        let range = try #require(message.text.range(of: marker + "[A-Za-z0-9_-]{43}", options: .regularExpression))
        return String(message.text[range].dropFirst(marker.count))
    }

    static func roundPage(_ view: FeedbackRoundView, _ viewer: Principal, slipSessions: [BookingListing] = [])
        -> FeedbackRoundPage
    {
        FeedbackRoundPage(
            page: PageChrome(title: "Round", principal: viewer, path: "/feedback-rounds"), view: view, viewer: viewer,
            slipSessions: slipSessions)
    }

    // MARK: Page models

    @Test func theGPsListOffersBothKindsAndTheRoundPageWhatEachMayDo() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let liaison = try await Self.principal(database, "liaison@demo.test")
        let requested = try await database.requestFeedbackRound(gpId: 1, kind: "colleague", by: gp)
        let id = try #require(requested.round.id)

        let list = FeedbackRoundsPage(
            page: PageChrome(title: "Rounds", principal: gp, path: "/feedback-rounds"),
            rounds: try await database.feedbackRounds(gpId: 1, by: gp), gpName: nil, ownPage: true)
        #expect(list.heading == "Your feedback rounds" && list.ownPage && list.hasRounds)
        #expect(list.askButtons.map(\.kind) == ["colleague", "patient"])
        #expect(list.askButtons.map(\.label) == ["Ask for colleague feedback", "Ask for patient feedback"])
        let row = try #require(list.rounds.first)
        #expect(row.link == "/feedback-rounds/\(id)" && row.kind == "Colleague feedback")
        #expect(row.status == "Waiting for the support team to open it" && row.standing == requested.standing)

        let teams = FeedbackRoundsPage(
            page: PageChrome(title: "Rounds", principal: liaison, path: "/gps/1"),
            rounds: try await database.feedbackRounds(gpId: 1, by: liaison), gpName: "Dr Amelia Hartwell", ownPage: false)
        #expect(teams.heading == "Feedback rounds: Dr Amelia Hartwell" && !teams.ownPage)
        #expect(teams.rounds.map(\.link) == ["/feedback-rounds/\(id)"])

        let asGP = Self.roundPage(try await database.feedbackRound(id: id, by: gp), gp)
        #expect(asGP.heading == "Colleague feedback for Dr Amelia Hartwell" && asGP.status == requested.round.status.title)
        #expect(asGP.canAddColleague && !asGP.canOpen && !asGP.canClose && !asGP.canExtend && !asGP.canPrintSlips)
        #expect(asGP.colleagueFields.map(\.name) == ["name", "email", "role"])
        let role = asGP.colleagueFields[2]
        #expect(role.options.first?.value == "" && role.options.first?.label == "Choose their role")
        #expect(role.options.dropFirst().map(\.label) == ColleagueRole.allCases.map(\.title))
        #expect(asGP.backLink == "/feedback-rounds" && !asGP.hasReport)
        #expect(asGP.facts.first { $0.label == "Answers so far" } == nil, "the GP never watches the count")
        #expect(asGP.facts.first { $0.label == "Target" }?.value == "\(requested.round.target) answers")
        #expect(asGP.facts.first { $0.label == "Asked for on" }?.value == database.clock.today.displayText)

        let asTeam = Self.roundPage(try await database.feedbackRound(id: id, by: liaison), liaison)
        #expect(asTeam.canOpen && !asTeam.canAddColleague && !asTeam.canExtend)
        #expect(asTeam.openFields.map(\.name) == ["closesOn"] && asTeam.openFields.first?.inputType == "date")
        #expect(asTeam.backLink == "/gps/1/feedback-rounds")
        #expect(asTeam.hasActions)
    }

    /// The liaison officer opens the round: the practices where GP 1 worked are asked, and the page
    /// counts them by practice, never naming anyone.
    @Test func openingAsksColleaguesWhoAreCountedByPracticeNeverNamed() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let liaison = try await Self.principal(database, "liaison@demo.test")
        let id = try #require(try await database.requestFeedbackRound(gpId: 1, kind: "colleague", by: gp).round.id)
        let opened = try await database.openFeedbackRound(
            id: id, closesOn: Self.closingDate(database), by: liaison, links: Self.links)
        #expect(opened.notifications.contains { $0.to == "practice@demo.test" }, "Z90001's manager is asked")

        let view = try await database.feedbackRound(id: id, by: gp)
        let page = Self.roundPage(view, gp)
        #expect(page.facts.first { $0.label == "Colleagues asked" }?.value == "\(view.invited)" && view.invited > 0)
        #expect(page.facts.first { $0.label == "Closes on" }?.value == database.clock.today.adding(days: 28).displayText)
        #expect(page.hasInvited && page.invitedByPractice.contains { $0.practice == "Abbey Road Group Practice" })
        let shown = page.invitedByPractice.map { "\($0.practice) \($0.count)" }.joined(separator: " ")
        #expect(!shown.contains("Janet Cole") && !shown.contains("practice@demo.test"), "who was asked is never shown")
        #expect(page.canAddColleague && page.colleagueNote.hasSuffix("never who."))

        let asTeam = Self.roundPage(try await database.feedbackRound(id: id, by: liaison), liaison)
        #expect(asTeam.canClose && !asTeam.canOpen && asTeam.openFields.isEmpty)

        // A practice where GP 1 worked sees the round, and may add a colleague of its own.
        let practice = try await Self.principal(database, "practice@demo.test")
        let asPractice = Self.roundPage(try await database.feedbackRound(id: id, by: practice), practice)
        #expect(asPractice.canAddColleague && !asPractice.canClose && asPractice.backLink == nil)
    }

    /// A patient round's slips are offered for GP 1's sessions at the practice, and the slips page
    /// prints each code with its absolute short link.
    @Test func aPracticePrintsSlipsForOneOfTheGPsSessions() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let liaison = try await Self.principal(database, "liaison@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let id = try #require(try await database.requestFeedbackRound(gpId: 1, kind: "patient", by: gp).round.id)
        _ = try await database.openFeedbackRound(id: id, closesOn: Self.closingDate(database), by: liaison, links: Self.links)

        let today = database.clock.today
        let sessions = try await database.bookings(
            for: practice, from: today.adding(days: -AppDatabase.patientCodeDays),
            to: today.adding(days: AppDatabase.patientSlipDaysAhead))
        let view = try await database.feedbackRound(id: id, by: practice)
        let page = Self.roundPage(view, practice, slipSessions: sessions)
        #expect(page.canPrintSlips)
        let offered = sessions.filter {
            $0.booking.gpId == 1 && $0.booking.status != .cancelled && practice.practiceIds.contains($0.practice.id!)
        }
        try #require(!offered.isEmpty, "GP 1 has a session at Z90001 around today in the demo")
        #expect(page.hasSlipSessions && page.slipFields.map(\.name) == ["bookingId", "count"])
        #expect(page.slipFields[0].options.map(\.value) == offered.map { String($0.booking.id!) })
        #expect(page.slipFields[0].options.first?.label == PatientSlipsForm.label(offered[0], namesPractice: false))
        let asGP = Self.roundPage(try await database.feedbackRound(id: id, by: gp), gp)
        #expect(!asGP.canPrintSlips, "the practice prints them")

        let codes = try await database.patientSlips(
            roundId: id, bookingId: offered[0].booking.id, count: 3, by: practice)
        let slips = PatientSlipsPage(
            page: PageChrome(title: "Slips", principal: practice, path: "/feedback-rounds"), view: view, codes: codes,
            session: offered[0], links: Self.links)
        #expect(slips.slips.map(\.code) == codes && codes.count == 3)
        #expect(slips.slips.map(\.link) == codes.map { "http://127.0.0.1:8080/feedback-rounds/answer/\($0)" })
        #expect(slips.session?.hasPrefix("For the session on Abbey Road Group Practice, ") == true)

        // A patient's code opens the patient questionnaire.
        let questionnaire = try await database.questionnaire(token: codes[0])
        #expect(questionnaire.kind == .patient && questionnaire.closedReason == nil)
    }

    @Test func theQuestionnaireOffersTheScaleAndDecodesIntoTheDomainsInput() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let liaison = try await Self.principal(database, "liaison@demo.test")
        let id = try #require(try await database.requestFeedbackRound(gpId: 1, kind: "colleague", by: gp).round.id)
        let opened = try await database.openFeedbackRound(
            id: id, closesOn: Self.closingDate(database), by: liaison, links: Self.links)
        let token = try Self.token(in: try #require(opened.notifications.first { $0.to == "practice@demo.test" }))
        let questionnaire = try await database.questionnaire(token: token)

        let page = FeedbackRoundAnswerPage(
            page: PageChrome(title: "Feedback"), questionnaire: questionnaire, token: token)
        #expect(page.heading == "Feedback on Dr Amelia Hartwell" && page.answerable && page.closedReason == nil)
        #expect(page.action == "/feedback-rounds/answer/\(token)")
        #expect(page.anonymity.hasPrefix("Your answers are anonymous"))
        #expect(page.questions.map(\.text) == questionnaire.items.map(\.text))
        #expect(page.questions.map(\.name) == questionnaire.items.map { "item-\($0.code)" })
        let first = try #require(page.questions.first)
        #expect(first.options.map(\.label) == FeedbackRoundItem.scale + ["Unable to comment"])
        #expect(first.options.map(\.value) == ["1", "2", "3", "4", "5", ""])
        #expect(page.questions.allSatisfy { !$0.options.contains(where: \.checked) }, "nothing is chosen for them")
        #expect(page.textFields.map(\.label) == ["What does this doctor do well?", "What could they do differently?"])
        #expect(page.textFields.map(\.name) == ["doesWell", "couldChange"])

        let items = questionnaire.items
        let firstCode = try #require(items.first?.code)
        let secondCode = try #require(items.dropFirst().first?.code)
        let posted = FormFields(urlEncoded: "item-\(firstCode)=5&item-\(secondCode)=&doesWell=Calm+under+pressure")
        let input = FeedbackAnswersForm.declaration(items).decode(posted, into: FeedbackAnswersForm.blank)
        #expect(input.answers?.map(\.item) == items.map(\.code), "every statement gets an answer")
        #expect(input.answers?.first?.rating == 5 && input.answers?.dropFirst().allSatisfy { $0.rating == nil } == true)
        #expect(input.doesWell == "Calm under pressure" && input.couldChange == nil)

        // Nothing rated: refused, with the message above the statements and what was chosen kept.
        let nothing = FormFields(urlEncoded: "doesWell=Kind")
        do {
            try await database.answerFeedback(
                token: token, FeedbackAnswersForm.declaration(items).decode(nothing, into: FeedbackAnswersForm.blank))
            Issue.record("an answer with nothing rated was taken")
        } catch DomainError.validationFailed(let errors) {
            let again = FeedbackRoundAnswerPage(
                page: PageChrome(title: "Feedback", errors: errors), questionnaire: questionnaire, token: token,
                posted: nothing, errors: errors)
            #expect(again.answersError?.hasPrefix("Rate at least one statement") == true)
            #expect(again.textFields.first?.value == "Kind")
        }

        try await database.answerFeedback(token: token, input)
        let used = FeedbackRoundAnswerPage(
            page: PageChrome(title: "Feedback"), questionnaire: try await database.questionnaire(token: token), token: token)
        #expect(!used.answerable && used.questions.isEmpty && used.textFields.isEmpty)
        #expect(used.closedReason == "You have already answered: thank you.")
    }

    /// Enough colleagues answer, the round is closed and released: the GP's page shows the collated
    /// report (means to one decimal, the answers on each point of the scale, the comments with names
    /// taken out); the liaison officer's does not.
    @Test func aReleasedRoundShowsTheGPTheCollatedReport() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let liaison = try await Self.principal(database, "liaison@demo.test")
        let requested = try await database.requestFeedbackRound(gpId: 1, kind: "colleague", by: gp)
        let id = try #require(requested.round.id)
        _ = try await database.openFeedbackRound(id: id, closesOn: Self.closingDate(database), by: liaison, links: Self.links)
        var tokens: [String] = []
        // The GP adds all but one (their own choices never release a report); the practice adds the last.
        let manager = try await Self.principal(database, "practice@demo.test")
        for number in 1...requested.round.minimum {
            let added = try await database.addColleague(
                roundId: id,
                ColleagueInput(name: "Colleague \(number)", email: "colleague\(number)@example.nhs.uk", role: "nurse"),
                by: number < requested.round.minimum ? gp : manager, links: Self.links)
            tokens.append(try Self.token(in: try #require(added.notifications.first)))
        }
        let code = try #require(FeedbackRoundItem.version1.first { $0.kind == .colleague }?.code)
        for (index, token) in tokens.enumerated() {
            try await database.answerFeedback(
                token: token,
                FeedbackAnswersInput(
                    answers: [FeedbackAnswersInput.Answer(item: code, rating: index.isMultiple(of: 2) ? 4 : 5)],
                    doesWell: index == 0 ? "Dr Amelia Hartwell is calm with everyone" : nil))
        }
        let before = Self.roundPage(try await database.feedbackRound(id: id, by: gp), gp)
        #expect(!before.hasReport, "nothing is shown until the round closes")
        _ = try await database.closeFeedbackRound(id: id, by: liaison, links: Self.links)

        let page = Self.roundPage(try await database.feedbackRound(id: id, by: gp), gp)
        let report = try #require(page.report)
        #expect(page.hasReport && page.status == FeedbackRound.Status.released.title)
        #expect(report.columns == FeedbackRoundItem.scale + ["Unable to comment"])
        #expect(report.groups.map(\.group) == ["Nurse"] && report.groups.first?.responses == "\(tokens.count) answers")
        let rated = try #require(report.items.first)
        let fours = (tokens.count + 1) / 2
        let mean = (Double(fours * 4 + (tokens.count - fours) * 5) / Double(tokens.count) * 10).rounded() / 10
        #expect(rated.mean == String(format: "%.1f", mean))
        #expect(rated.counts == ["0", "0", "0", "\(fours)", "\(tokens.count - fours)", "0"])
        #expect(rated.others == "Not enough rounds yet")
        let unrated = try #require(report.items.last)
        #expect(unrated.mean == "No ratings" && unrated.counts.last == "\(tokens.count)")
        #expect(report.comments == ["[name] is calm with everyone"], "the GP's name is taken out")
        #expect(report.heading == "Colleague feedback for Dr Amelia Hartwell: the collated report")

        let asTeam = Self.roundPage(try await database.feedbackRound(id: id, by: liaison), liaison)
        #expect(!asTeam.hasReport && asTeam.report == nil, "the report is the GP's")
        #expect(page.canReflect && !asTeam.canReflect)

        // The reflection and the report go into the GP's appraisal portfolio.
        _ = try await database.reflectOnFeedbackRound(id: id, reflection: "I will hand over in writing", by: gp)
        let portfolio = PortfolioPage(
            page: PageChrome(title: "Portfolio", principal: gp, path: "/gps/1/evidence"),
            portfolio: try await database.portfolio(gpId: 1, year: nil, by: gp))
        let round = try #require(portfolio.rounds.first)
        #expect(round.title == "Colleague feedback" && round.reflection == "I will hand over in writing")
        #expect(round.report.comments == ["[name] is calm with everyone"] && round.link == "/feedback-rounds/\(id)")
    }

    // MARK: Through the pages

    /// The GP asks for a colleague round, the liaison officer opens it with a closing date, the
    /// practice manager's emailed link opens the questionnaire with no sign-in, they answer, and the
    /// link then says it was used.
    @Test func aColleagueRoundFromTheGPsRequestToAnAnswerThroughTheLink() async throws {
        let environment = try await TestEnvironment()
        let mailbox = environment.mailbox
        let closesOn = Self.closingDate(environment.database)
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let list = try await browser.request("/feedback-rounds")
            #expect(list.status == .ok && list.text.contains("Ask for colleague feedback"))
            #expect(list.text.contains(#"href="/feedback-rounds""#), "the GP's navigation links the rounds")
            let asked = try await browser.submit("/feedback-rounds", ["kind": "colleague"])
            #expect(asked.status == .seeOther)
            let location = try #require(asked.headers[.location])
            #expect(location.hasPrefix("/feedback-rounds/") && location.hasSuffix("?done=round-requested"))
            let id = try #require(Int64(location.dropFirst("/feedback-rounds/".count).prefix { $0.isNumber }))
            let round = try await browser.request(location)
            #expect(round.status == .ok && round.text.contains("Round asked for."))
            #expect(round.text.contains("Waiting for the support team to open it"))
            try await browser.request("/feedback-rounds")
            let twice = try await browser.submit("/feedback-rounds", ["kind": "colleague"])
            #expect(twice.status == .conflict && twice.text.contains("already have a colleague feedback round under way"))

            let liaison = Browser(browser.client)
            try await liaison.signIn("liaison@demo.test")
            let rounds = try await liaison.request("/gps/1/feedback-rounds")
            #expect(rounds.status == .ok && rounds.text.contains("/feedback-rounds/\(id)"))
            let page = try await liaison.request("/feedback-rounds/\(id)")
            #expect(page.status == .ok && page.text.contains("Open the round"))
            let undated = try await liaison.submit("/feedback-rounds/\(id)/open", ["closesOn": ""])
            #expect(undated.status == .unprocessableContent && undated.text.contains("Enter the closing date"))
            let opened = try await liaison.submit("/feedback-rounds/\(id)/open", ["closesOn": closesOn])
            #expect(opened.status == .seeOther && opened.headers[.location] == "/feedback-rounds/\(id)?done=round-opened")
            let again = try await liaison.submit("/feedback-rounds/\(id)/open", ["closesOn": closesOn])
            #expect(again.status == .conflict && again.text.contains("This round has already been opened"))

            let invitation = try #require(
                mailbox.sent.last { $0.to == "practice@demo.test" && $0.subject.hasPrefix("Feedback on Dr Amelia Hartwell") })
            let path = "/feedback-rounds/answer/" + (try Self.token(in: invitation))
            let colleague = Browser(browser.client)
            let form = try await colleague.request(path)
            #expect(form.status == .ok && form.text.contains("Feedback on Dr Amelia Hartwell"))
            #expect(form.text.contains("Your answers are anonymous") && form.text.contains("Unable to comment"))
            #expect(form.text.contains(#"name="item-sound-decisions""#) && form.text.contains(#"name="doesWell""#))
            #expect(!form.text.contains("Sign out"), "no sign-in is needed")

            let empty = try await colleague.submit(path, ["doesWell": "Thorough"])
            #expect(empty.status == .unprocessableContent && empty.text.contains("Rate at least one statement"))
            #expect(empty.text.contains(">Thorough</textarea>"), "what was typed is kept")
            let answered = try await colleague.submit(
                path, ["item-sound-decisions": "5", "item-reliable": "4", "item-knows-limits": "", "doesWell": "Thorough"])
            #expect(answered.status == .ok && answered.text.contains("Thank you"))

            let used = try await colleague.request(path)
            #expect(used.status == .gone && used.text.contains("You have already answered"))
            #expect(!used.text.contains(#"name="item-sound-decisions""#))
            let resent = try await colleague.submit(path, ["item-sound-decisions": "1"])
            #expect(resent.status == .gone && resent.text.contains("You have already answered"))

            let unknown = try await colleague.request("/feedback-rounds/answer/no-such-code")
            #expect(unknown.status == .notFound && unknown.text.contains("check it against your email or slip"))

            let counted = try await liaison.request("/feedback-rounds/\(id)")
            #expect(counted.text.contains("1 of a target of"), "the answer is counted, and nothing more")
        }
    }
}
