import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// A practice, its manager, a mentor, and GPs with completed bookings there.
struct FeedbackFixture {
    let clearing: ClearingFixture
    let mentor: Principal
    var database: AppDatabase { clearing.database }
    var clock: TestClock { clearing.clock }
    var manager: Principal { clearing.manager }
    var liaison: Principal { clearing.register.liaison }

    init() async throws {
        clearing = try await ClearingFixture()
        _ = try await clearing.database.createUser(
            NewUserInput(email: "mentor@example.org", password: validPassword, role: .mentor, scopeReference: "QKK"),
            by: .commandLine)
        mentor = try await clearing.database.signIn(email: "mentor@example.org", password: validPassword, from: "t", kind: .web)
            .principal
    }

    /// A ready GP mentored by the fixture's mentor.
    func mentoredGP(_ gmc: String) async throws -> (GP, Principal) {
        try await clearing.readyGP(gmc) { $0.mentorId = mentor.userId }
    }

    /// Books each GP into their own session on `date` (one after another, 09:00–10:00, 10:00–11:00 ...),
    /// then moves the clock past them and completes them. Returns the emails the completion asked to send.
    func completeSessions(for gps: [(GP, Principal)], date: String = "2026-12-08") async throws -> [MailMessage] {
        for (index, (gp, principal)) in gps.enumerated() {
            let session = try await clearing.post(
                date: date, start: String(format: "%02d:00", 8 + index), end: String(format: "%02d:00", 9 + index))
            let offer = try await database.offer(sessionId: session.id!, gpId: gp.id!, by: manager, links: testLinks).value
            _ = try await database.acceptOffer(id: offer.id!, by: principal, links: testLinks)
        }
        let end = ISO8601DateFormatter().date(from: "\(date)T\(String(format: "%02d", 9 + gps.count)):01:00Z")!
        clock.advance(by: max(0, end.timeIntervalSince(clock.now)))
        return try await database.completeFinishedBookings(links: testLinks).notifications
    }

    func card(gpId: Int64, _ direction: FeedbackDirection) async throws -> FeedbackCard {
        try await database.read { db in
            try FeedbackCard.fetchOne(
                db, sql: "SELECT * FROM feedbackCard WHERE gpId = ? AND direction = ? ORDER BY id DESC",
                arguments: [gpId, direction.rawValue])!
        }
    }

    /// Ratings of 4 on every rated box, with a comment on the first.
    static func goodSubmission(_ card: FeedbackCard, anonymous: Bool = false, rating: Int = 4) -> FeedbackSubmission {
        FeedbackSubmission(
            answers: card.boxes.enumerated().map { index, box in
                .init(box: box.key, rating: box.rated ? rating : nil, comment: index == 0 ? "Well organised" : nil)
            },
            comment: "Thank you", discussFurther: false, anonymous: anonymous)
    }

    func submit(_ card: FeedbackCard, as author: Principal, anonymous: Bool = false, rating: Int = 4) async throws {
        _ = try await database.saveFeedbackCard(
            id: card.id, Self.goodSubmission(card, anonymous: anonymous, rating: rating), submit: true,
            author: .principal(author), links: testLinks)
    }
}

/// The link token in an email's text.
func feedbackToken(in message: MailMessage) -> String? {
    guard let range = message.text.range(of: #"/feedback/[A-Za-z0-9_-]{43}"#, options: .regularExpression) else { return nil }
    return String(message.text[range].dropFirst("/feedback/".count))
}

@Suite struct FeedbackCardTests {
    @Test func completingABookingIssuesOneCardEachWayAndEmailsEachAuthorALink() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, gpPrincipal) = try await fixture.mentoredGP("1111111")
        let sent = try await fixture.completeSessions(for: [(gp, gpPrincipal)])
        let practiceCard = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        let gpCard = try await fixture.card(gpId: gp.id!, .gpAboutPractice)
        #expect(practiceCard.status == .issued)
        #expect(practiceCard.boxes.map(\.title).first == "Clinical care")
        #expect(gpCard.boxes.contains { $0.title == "Anything affecting patient safety" && !$0.rated })
        #expect(practiceCard.respondBy == practiceCard.issuedAt.addingTimeInterval(28 * 86400))
        let toPractice = try #require(sent.first { $0.to == "pm@example.org" })
        let toGP = try #require(sent.first { $0.to == "1111111@example.org" })
        #expect(toPractice.text.contains("https://sgpst.test/feedback/"))
        #expect(toPractice.text.contains("constructive"))
        #expect(feedbackToken(in: toPractice) != feedbackToken(in: toGP), "each card has its own link")
        // Completing again (the scheduler runs every few minutes) issues nothing twice.
        #expect(try await fixture.database.completeFinishedBookings(links: testLinks).notifications.isEmpty)
    }

    @Test func aReportedPastArrangementIssuesCardsToo() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        let recorded = try await fixture.database.recordArrangement(
            ArrangementInput(
                practiceId: fixture.clearing.practiceId, gpId: gp.id!, date: "2026-12-01", start: "09:00", end: "12:00",
                kind: "surgery"), by: principal, links: testLinks)
        #expect(!recorded.notifications.contains { feedbackToken(in: $0) != nil }, "no cards before the practice confirms")
        let outcome = try await fixture.database.confirmArrangement(
            id: recorded.value.id!, by: fixture.clearing.manager, links: testLinks)
        #expect(outcome.notifications.contains { $0.to == "pm@example.org" && feedbackToken(in: $0) != nil })
        #expect(try await fixture.card(gpId: gp.id!, .practiceAboutGP).bookingId == outcome.value.bookingId)
    }

    @Test func editingATemplateChangesOnlyCardsIssuedAfterwards() async throws {
        let fixture = try await FeedbackFixture()
        let first = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [first], date: "2026-12-08")
        _ = try await fixture.database.saveFeedbackTemplate(
            organisationId: fixture.clearing.register.organisationId, direction: .practiceAboutGP,
            FeedbackTemplateInput(boxes: [.init(title: "Consultations", rated: true), .init(title: "Notes", rated: false)]),
            by: fixture.liaison)
        let second = try await fixture.mentoredGP("2222222")
        _ = try await fixture.completeSessions(for: [second], date: "2026-12-09")
        #expect(try await fixture.card(gpId: first.0.id!, .practiceAboutGP).boxes.first?.title == "Clinical care")
        #expect(try await fixture.card(gpId: second.0.id!, .practiceAboutGP).boxes.map(\.key) == ["consultations", "notes"])
        // Only the liaison officer rewords cards.
        await #expect(throws: DomainError.forbidden("You do not have permission to do that")) {
            _ = try await fixture.database.saveFeedbackTemplate(
                organisationId: fixture.clearing.register.organisationId, direction: .gpAboutPractice,
                FeedbackTemplateInput(boxes: [.init(title: "X", rated: true)]), by: fixture.mentor)
        }
    }

    @Test func aLinkOpensItsOwnCardUntilItIsSubmittedThenNeverAgain() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        let mail = try await fixture.completeSessions(for: [(gp, principal)])
        let token = try #require(mail.first { $0.to == "pm@example.org" }.flatMap(feedbackToken))
        let opened = try await fixture.database.feedbackCard(token: token)
        #expect(opened.card.direction == .practiceAboutGP && opened.card.gpId == gp.id)
        #expect(opened.gpName == gp.name)

        // A draft through the link keeps the link working.
        let partial = FeedbackSubmission(
            answers: [.init(box: "clinical-care", rating: 5, comment: nil)], comment: nil, discussFurther: true)
        let draft = try await fixture.database.saveFeedbackCard(
            id: nil, partial, submit: false, author: .token(token), links: testLinks)
        #expect(draft.value.status == .draft)
        #expect(try await fixture.database.feedbackCard(token: token).card.answers.first?.rating == 5)

        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        _ = try await fixture.database.saveFeedbackCard(
            id: nil, FeedbackFixture.goodSubmission(card), submit: true, author: .token(token), links: testLinks)
        await #expect(throws: DomainError.self) { _ = try await fixture.database.feedbackCard(token: token) }
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.saveFeedbackCard(
                id: nil, FeedbackFixture.goodSubmission(card), submit: true, author: .token(token), links: testLinks)
        }
        await #expect(throws: DomainError.self) { _ = try await fixture.database.feedbackCard(token: "not-a-token") }
    }

    @Test func aLinkExpiresAfter28Days() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        let mail = try await fixture.completeSessions(for: [(gp, principal)])
        let token = try #require(mail.first { $0.to == "1111111@example.org" }.flatMap(feedbackToken))
        fixture.clock.advance(by: 27 * 86400)
        #expect(try await fixture.database.feedbackCard(token: token).card.direction == .gpAboutPractice)
        fixture.clock.advance(by: 86400 + 60)
        do {
            _ = try await fixture.database.feedbackCard(token: token)
            Issue.record("an expired link opened the card")
        } catch DomainError.conflict(let message) {
            #expect(message.contains("expired"))
        }
    }

    @Test func draftsAreSavedAndOnlyTheAuthorSeesThemUntilSubmitted() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        _ = try await fixture.database.saveFeedbackCard(
            id: card.id, FeedbackSubmission(answers: [], comment: "Half written", discussFurther: false), submit: false,
            author: .principal(fixture.manager), links: testLinks)
        #expect(try await fixture.database.feedbackCard(id: card.id!, by: fixture.manager).card.comment == "Half written")
        await #expect(throws: DomainError.self) { _ = try await fixture.database.feedbackCard(id: card.id!, by: principal) }
        #expect(try await fixture.database.feedbackCards(about: .gp(gp.id!), by: principal).isEmpty)
        try await fixture.submit(card, as: fixture.manager)
        #expect(try await fixture.database.feedbackCard(id: card.id!, by: principal).card.comment == "Thank you")
    }

    @Test func aSubmittedCardIsFinalButTakesDatedAddenda() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        try await fixture.submit(card, as: fixture.manager)
        await #expect(throws: DomainError.self) { try await fixture.submit(card, as: fixture.manager) }
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.saveFeedbackCard(
                id: card.id, FeedbackFixture.goodSubmission(card), submit: false, author: .principal(fixture.manager),
                links: testLinks)
        }
        // The database refuses a rewrite whatever the caller does.
        await #expect(throws: DatabaseError.self) {
            try await fixture.database.write { db in
                try db.execute(sql: "UPDATE feedbackCard SET comment = 'rewritten' WHERE id = ?", arguments: [card.id])
            }
        }
        fixture.clock.advance(by: 3 * 86400)
        let addendum = try await fixture.database.addFeedbackAddendum(
            cardId: card.id!, text: "We spoke on the phone; all sorted.", by: fixture.manager)
        #expect(Day(addendum.createdAt) == Day(fixture.clock.now))
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.addFeedbackAddendum(cardId: card.id!, text: "Not mine to add", by: principal)
        }
        let view = try await fixture.database.feedbackCard(id: card.id!, by: principal)
        #expect(view.card.comment == "Thank you")
        #expect(view.addenda.map(\.text) == ["We spoke on the phone; all sorted."])
    }

    @Test func answersAreCheckedAgainstTheCardsBoxes() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .gpAboutPractice)
        func attempt(_ answers: [FeedbackSubmission.Answer], comment: String? = nil) async -> ValidationErrors? {
            await validationErrors {
                _ = try await fixture.database.saveFeedbackCard(
                    id: card.id, FeedbackSubmission(answers: answers, comment: comment, discussFurther: false), submit: true,
                    author: .principal(principal), links: testLinks)
            }
        }
        #expect(await attempt([.init(box: "it-and-access", rating: 6, comment: nil)])?["it-and-access"] != nil)
        #expect(
            await attempt([.init(box: "anything-affecting-patient-safety", rating: 3, comment: nil)])?[
                "anything-affecting-patient-safety"] == "“Anything affecting patient safety” takes a comment, not a rating")
        #expect(await attempt([.init(box: "parking", rating: 3, comment: nil)])?["answers"] != nil)
        #expect(
            await attempt([.init(box: "it-and-access", rating: nil, comment: "  ")])?["answers"]
                == "Rate or comment on at least one box before submitting")
        // Nothing was saved by the refusals.
        #expect(try await fixture.card(gpId: gp.id!, .gpAboutPractice).status == .issued)
    }

    @Test func remindersGoAfterAWeekAtMostTwice() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        let first = try await fixture.completeSessions(for: [(gp, principal)])
        let original = try #require(first.first { $0.to == "pm@example.org" }.flatMap(feedbackToken))
        #expect(try await fixture.database.sendFeedbackReminders(links: testLinks).value == 0)
        fixture.clock.advance(by: 7 * 86400 + 60)
        let reminder = try await fixture.database.sendFeedbackReminders(links: testLinks)
        #expect(reminder.value == 2, "both cards are still waiting")
        let renewed = try #require(reminder.notifications.first { $0.to == "pm@example.org" })
        #expect(renewed.subject.hasPrefix("Reminder: "))
        #expect(feedbackToken(in: renewed) != original)
        let practiceCard = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        #expect(try await fixture.database.feedbackCard(token: original).card.id == practiceCard.id, "the first link still works")
        // The GP answers; only the practice is reminded again, and never a third time.
        let gpCard = try await fixture.card(gpId: gp.id!, .gpAboutPractice)
        try await fixture.submit(gpCard, as: principal)
        fixture.clock.advance(by: 7 * 86400)
        let second = try await fixture.database.sendFeedbackReminders(links: testLinks)
        #expect(second.notifications.map(\.to) == ["pm@example.org"])
        fixture.clock.advance(by: 7 * 86400)
        #expect(try await fixture.database.sendFeedbackReminders(links: testLinks).value == 0)
    }
}

@Suite struct FeedbackAccessTests {
    @Test func theSubjectTheAuthorAndTheMentorReadACardNobodyElseDoes() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        let (_, otherGP) = try await fixture.clearing.readyGP("2222222")
        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        try await fixture.submit(card, as: fixture.manager)
        _ = try await fixture.database.createUser(
            NewUserInput(email: "pm2@example.org", password: validPassword, role: .practiceManager, scopeReference: "A81002"),
            by: .commandLine)
        let otherPractice = try await fixture.database.signIn(
            email: "pm2@example.org", password: validPassword, from: "t", kind: .web
        ).principal
        _ = try await fixture.database.createUser(
            NewUserInput(email: "admin@example.org", password: validPassword, role: .administrator), by: .commandLine)
        let admin = try await fixture.database.signIn(email: "admin@example.org", password: validPassword, from: "t", kind: .web)
            .principal

        for reader in [principal, fixture.manager, fixture.mentor] {
            #expect(try await fixture.database.feedbackCard(id: card.id!, by: reader).card.comment == "Thank you")
        }
        for outsider in [otherGP, otherPractice, fixture.liaison, admin] {
            await #expect(throws: DomainError.forbidden("You do not have permission to see this feedback card")) {
                _ = try await fixture.database.feedbackCard(id: card.id!, by: outsider)
            }
        }
        #expect(try await fixture.database.feedbackCards(about: .gp(gp.id!), by: fixture.liaison).isEmpty)
        #expect(try await fixture.database.feedbackCards(about: .gp(gp.id!), by: otherPractice).isEmpty)
        // The liaison officer sees the counts, not the ratings.
        let counts = try await fixture.database.feedbackSummary(about: .gp(gp.id!), by: fixture.liaison)
        #expect(counts.cardsIssued == 1 && counts.cardsSubmitted == 1)
        #expect(counts.boxes == nil)
        let own = try await fixture.database.feedbackSummary(about: .gp(gp.id!), by: principal)
        #expect(own.boxes?.first?.average == 4)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.feedbackSummary(about: .gp(gp.id!), by: otherGP)
        }
        // Only the subject uses a card for appraisal, and says what they take from it.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.markFeedbackForAppraisal(
                cardId: card.id!, use: true, reflection: "x", by: fixture.mentor)
        }
        #expect(
            await validationErrors {
                _ = try await fixture.database.markFeedbackForAppraisal(
                    cardId: card.id!, use: true, reflection: " ", by: principal)
            }?["reflection"] != nil)
        let marked = try await fixture.database.markFeedbackForAppraisal(
            cardId: card.id!, use: true, reflection: "I will tell reception before home visits.", by: principal)
        #expect(marked.useForAppraisal && marked.reflection == "I will tell reception before home visits.")
    }

    @Test func anonymousCardsReachThePracticeOnlyCombinedAndFromThreeOn() async throws {
        let fixture = try await FeedbackFixture()
        var gps: [(GP, Principal)] = []
        for gmc in ["1111111", "2222222", "3333333", "4444444"] { gps.append(try await fixture.mentoredGP(gmc)) }
        _ = try await fixture.completeSessions(for: gps)
        // One GP signs their card (rating 5); two send anonymous cards (rating 1).
        try await fixture.submit(try await fixture.card(gpId: gps[0].0.id!, .gpAboutPractice), as: gps[0].1, rating: 5)
        for index in 1...2 {
            try await fixture.submit(
                try await fixture.card(gpId: gps[index].0.id!, .gpAboutPractice), as: gps[index].1, anonymous: true, rating: 1)
        }
        let practiceId = fixture.clearing.practiceId
        let visible = try await fixture.database.feedbackCards(about: .practice(practiceId), by: fixture.manager)
        #expect(visible.map(\.card.gpId) == [gps[0].0.id!], "anonymous cards are never shown one by one")
        var summary = try await fixture.database.feedbackSummary(about: .practice(practiceId), by: fixture.manager)
        #expect(summary.boxes?.first?.average == 5, "two anonymous cards are held back")
        #expect(summary.anonymousCardsIncluded == false)

        let third = try await fixture.card(gpId: gps[3].0.id!, .gpAboutPractice)
        try await fixture.submit(third, as: gps[3].1, anonymous: true, rating: 1)
        summary = try await fixture.database.feedbackSummary(about: .practice(practiceId), by: fixture.manager)
        #expect(summary.boxes?.first?.average == 2, "(5 + 1 + 1 + 1) / 4 once three anonymous cards exist")
        #expect(summary.anonymousCardsIncluded == true)
        #expect(try await fixture.database.feedbackCards(about: .practice(practiceId), by: fixture.manager).count == 1)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.feedbackCard(id: third.id!, by: fixture.manager)
        }
    }

    /// Issue 19, finding 5: counted one by one, each anonymous card's ratings were the change in the summary.
    @Test func anonymousCardsMoveThePracticesFiguresOnlyByWholeBatches() async throws {
        let fixture = try await FeedbackFixture()
        var gps: [(GP, Principal)] = []
        for gmc in ["1111111", "2222222", "3333333", "4444444", "5555555", "6666666", "7777777"] {
            gps.append(try await fixture.mentoredGP(gmc))
        }
        _ = try await fixture.completeSessions(for: gps)
        let practiceId = fixture.clearing.practiceId
        try await fixture.submit(try await fixture.card(gpId: gps[0].0.id!, .gpAboutPractice), as: gps[0].1, rating: 5)
        var averages: [Double?] = []
        var ratings: [Int] = []
        var submitted: [Int] = []
        var included: [Bool?] = []
        var last: FeedbackSummary?
        for (index, rating) in [1, 1, 1, 4, 4, 4].enumerated() {
            fixture.clock.advance(by: 60)
            let (gp, principal) = gps[index + 1]
            try await fixture.submit(
                try await fixture.card(gpId: gp.id!, .gpAboutPractice), as: principal, anonymous: true, rating: rating)
            let summary = try await fixture.database.feedbackSummary(about: .practice(practiceId), by: fixture.manager)
            averages.append(summary.boxes?.first?.average)
            ratings.append(summary.boxes?.first?.ratings ?? 0)
            submitted.append(summary.cardsSubmitted)
            included.append(summary.anonymousCardsIncluded)
            last = summary
        }
        #expect(FeedbackAccess.anonymityThreshold == 3)
        // The figures stand still between batches: the 4th and 5th cards change nothing, the 6th releases all three.
        #expect(averages == [5, 5, 2, 2, 2, 2.86], "(5 + 1 + 1 + 1) / 4, then (5 + 3 + 12) / 7")
        #expect(ratings == [1, 1, 4, 4, 4, 7])
        #expect(submitted == [1, 1, 4, 4, 4, 7], "nor does the count of returned cards date an anonymous one")
        #expect(included == [false, false, true, true, true, true])
        // Quarters follow the session date, which the bookings list shows: anonymous cards stay out of them.
        #expect(last?.periods?.map(\.cards) == [1])
        // The support team's counts are the true ones.
        let team = try await fixture.database.feedbackSummary(about: .practice(practiceId), by: fixture.liaison)
        #expect(team.cardsSubmitted == 7 && team.boxes == nil)
    }

    @Test func aConcernGoesToTheMentorAndTheLiaisonOfficerWhoSeeTheCard() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        var submission = FeedbackFixture.goodSubmission(card, rating: 2)
        submission.concern = ConcernInput(severity: "serious", details: "Left before the last patient was seen")
        let outcome = try await fixture.database.saveFeedbackCard(
            id: card.id, submission, submit: true, author: .principal(fixture.manager), links: testLinks)
        #expect(Set(outcome.notifications.map(\.to)) == ["mentor@example.org", "lo@example.org"])
        #expect(
            outcome.notifications.allSatisfy { !$0.text.contains("Left before") }, "the email carries a link, not the content")
        #expect(outcome.notifications.first?.text.contains("https://sgpst.test/feedback/cards/\(card.id!)") == true)

        // Now the liaison officer may read it, and it heads the mentor's list until closed.
        #expect(try await fixture.database.feedbackCard(id: card.id!, by: fixture.liaison).concern?.severity == .serious)
        let open = try await fixture.database.feedbackConcerns(by: fixture.mentor, includeClosed: false)
        let concern = try #require(open.first?.concern)
        #expect(concern.severity == .serious && concern.isOpen)

        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.handleFeedbackConcern(
                id: concern.id!, ConcernHandlingInput(contactMadeOn: "2026-12-09", response: nil, outcome: nil, outcomeOn: nil),
                by: fixture.liaison)
        }
        #expect(
            await validationErrors {
                _ = try await fixture.database.handleFeedbackConcern(
                    id: concern.id!, ConcernHandlingInput(contactMadeOn: nil, response: nil, outcome: "resolved", outcomeOn: nil),
                    by: fixture.mentor)
            }?["contactMadeOn"] != nil)
        let closed = try await fixture.database.handleFeedbackConcern(
            id: concern.id!,
            ConcernHandlingInput(
                contactMadeOn: "2026-12-08", response: "Spoke to both; a rota mix-up.", outcome: "support-offered",
                outcomeOn: nil),
            by: fixture.mentor)
        #expect(!closed.isOpen && closed.outcome == .supportOffered && closed.outcomeOn == Day(fixture.clock.now))
        #expect(try await fixture.database.feedbackConcerns(by: fixture.mentor, includeClosed: false).isEmpty)
        // A second concern on the same card is refused.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.raiseFeedbackConcern(
                cardId: card.id!, ConcernInput(severity: "minor", details: nil), by: fixture.manager, links: testLinks)
        }
    }
}

@Suite struct AnonymousConcernTests {
    /// A concern raised with an anonymous card moved the practice's concern count on its own, dating
    /// the card against the bookings list; it now counts only when the card's batch is released.
    @Test func aConcernOnAnAnonymousCardWaitsForItsBatch() async throws {
        let fixture = try await FeedbackFixture()
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .gpAboutPractice)
        var submission = FeedbackFixture.goodSubmission(card, anonymous: true, rating: 1)
        submission.concern = ConcernInput(severity: "serious", details: nil)
        _ = try await fixture.database.saveFeedbackCard(
            id: card.id, submission, submit: true, author: .principal(principal), links: testLinks)
        let practiceId = fixture.clearing.practiceId
        let asPractice = try await fixture.database.feedbackSummary(about: .practice(practiceId), by: fixture.manager)
        #expect(asPractice.concernsRaised == 0 && asPractice.concernsOpen == 0 && asPractice.cardsSubmitted == 0)
        let asTeam = try await fixture.database.feedbackSummary(about: .practice(practiceId), by: fixture.liaison)
        #expect(asTeam.concernsRaised == 1, "the support team's counts are the true ones")
    }
}
