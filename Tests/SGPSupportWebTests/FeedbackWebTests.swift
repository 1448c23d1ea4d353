import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Feedback over HTTP with the demo data: the demo GP (gp 1, Dr Amelia Hartwell) worked at practice 1
/// (Abbey Road, practice@demo.test) 16 days ago (card about her submitted) and 2 days ago (cards waiting).
@Suite struct FeedbackWebTests {
    static let fiveDaysAgo = Day(Date()).adding(days: -5).description

    /// The practice reports a past arrangement with the demo GP and the GP confirms it; the cards'
    /// links go out at once.
    static func reportArrangement(_ client: any TestClientProtocol) async throws {
        let practice = try await APIClient.signedIn(client, "practice@demo.test")
        let reported = try await practice.send(
            "/api/v1/arrangements", method: .post,
            json: #"{"practiceId": 1, "gpId": 1, "date": "\#(fiveDaysAgo)", "start": "14:00", "end": "17:00", "kind": "surgery"}"#
        )
        #expect(reported.status == .created)
        let id = try #require(reported.json["id"] as? Int)
        let gp = try await APIClient.signedIn(client, "gp@demo.test")
        #expect(try await gp.send("/api/v1/arrangements/\(id)/confirm", method: .post).status == .ok)
    }

    static func token(in mailbox: RecordingMailTransport, to address: String) throws -> String {
        let message = try #require(mailbox.sent.last { $0.to == address && $0.subject.hasPrefix("Feedback card") })
        let range = try #require(message.text.range(of: #"/feedback/[A-Za-z0-9_-]{43}"#, options: .regularExpression))
        return String(message.text[range].dropFirst("/feedback/".count))
    }

    @Test func thePracticeFillsInTheCardThroughItsLinkWithoutSigningInOnce() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await Self.reportArrangement(browser.client)
            let token = try Self.token(in: environment.mailbox, to: "z90001@practice.demo.test")
            let visitor = Browser(browser.client)
            let form = try await visitor.request("/feedback/\(token)")
            #expect(form.status == .ok)
            #expect(form.text.contains("Feedback on Dr Amelia Hartwell"))
            #expect(form.text.contains("Please keep feedback constructive"))
            #expect(form.text.contains("phone: 01632 960000. If something is worth a conversation, call them first."))
            #expect(form.text.contains("We would like to discuss this further"))
            #expect(form.text.contains("Next stage"))

            let wrong = try await visitor.submit(
                "/feedback/\(token)", ["action": "submit", "rating-clinical-care": "9", "comment-clinical-care": "Kept"])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.text.contains("Rate “Clinical care” from 1 to 5"))
            #expect(wrong.text.contains(">Kept</textarea>"), "what was typed stays on the page")

            let done = try await visitor.submit(
                "/feedback/\(token)",
                [
                    "action": "submit", "rating-clinical-care": "5", "comment-clinical-care": "Calm and thorough",
                    "discussFurther": "true",
                ])
            #expect(done.status == .ok)
            #expect(done.text.contains("Thank you"))
            let again = try await visitor.request("/feedback/\(token)")
            #expect(again.status == .gone)
            #expect(again.text.contains("already been submitted"))

            // The GP reads it, signed in.
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let cards = try await gp.send("/api/v1/feedback-cards?about=gp:1")
            let items = try #require(cards.json["items"] as? [[String: Any]])
            let card = try #require(items.first { ($0["comment"] as? String) == nil && $0["discussFurther"] as? Bool == true })
            #expect(card["direction"] as? String == "practice-about-gp")
            #expect(card["status"] as? String == "submitted")
            #expect((card["answers"] as? [[String: Any]])?.first?["comment"] as? String == "Calm and thorough")
            #expect((card["boxes"] as? [[String: Any]])?.first?["key"] as? String == "clinical-care")
        }
    }

    @Test func theAPISubmitsACardOnceAndKeepsOthersOut() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let waiting = try await gp.send("/api/v1/feedback-cards")
            let items = try #require(waiting.json["items"] as? [[String: Any]])
            let card = try #require(items.first { $0["direction"] as? String == "gp-about-practice" })
            let id = try #require(card["id"] as? Int)
            let body = #"""
                {"answers": [{"box": "induction-and-practice-pack", "rating": 4, "comment": "Pack was up to date"},
                             {"box": "it-and-access", "rating": null, "comment": null}],
                 "comment": "Friendly team", "discussFurther": false}
                """#
            let badBox = try await gp.send(
                "/api/v1/feedback-cards/\(id)/submit", method: .post,
                json: #"{"answers": [{"box": "it-and-access", "rating": 0}]}"#)
            #expect(badBox.status == .unprocessableContent)
            #expect(badBox.errorCode == "validation_failed")
            let submitted = try await gp.send("/api/v1/feedback-cards/\(id)/submit", method: .post, json: body)
            #expect(submitted.status == .ok)
            #expect(submitted.json["status"] as? String == "submitted")
            #expect(submitted.json["comment"] as? String == "Friendly team")
            let twice = try await gp.send("/api/v1/feedback-cards/\(id)/submit", method: .post, json: body)
            #expect(twice.status == .conflict)

            // The practice it is about reads the named card; the liaison officer and another practice do not.
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            #expect(try await practice.send("/api/v1/feedback-cards/\(id)").status == .ok)
            for outsider in ["liaison@demo.test", "practice2@demo.test", "admin@demo.test"] {
                let client = try await APIClient.signedIn(browser.client, outsider)
                let response = try await client.send("/api/v1/feedback-cards/\(id)")
                #expect(response.status == .forbidden, "\(outsider) must not read the card")
            }
            #expect(try await APIClient(client: browser.client).send("/api/v1/feedback-cards/\(id)").status == .unauthorized)
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let summary = try await liaison.send("/api/v1/practices/1/feedback-summary")
            #expect(summary.json["cardsSubmitted"] as? Int == 1)
            #expect(summary.json["boxes"] == nil, "counts only for the support team")
        }
    }

    @Test func aConcernRaisedOnThePageIsFlaggedOnTheMentorsDashboard() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            let inbox = try await browser.request("/feedback")
            #expect(inbox.text.contains("Waiting for you"))
            let range = try #require(inbox.text.range(of: #"/feedback/cards/[0-9]+"#, options: .regularExpression))
            let path = String(inbox.text[range])
            let form = try await browser.request(path)
            #expect(form.text.contains("Submit the card"))
            let draft = try await browser.submit(path, ["action": "draft", "comment": "Started"])
            #expect(draft.status == .seeOther)
            let sent = try await browser.submit(
                path,
                [
                    "action": "submit", "rating-reliability-and-punctuality": "1", "comment": "Arrived an hour late",
                    "severity": "serious", "details": "Patients waited",
                ])
            #expect(sent.status == .seeOther)
            #expect(environment.mailbox.sent.contains { $0.to == "mentor@demo.test" && $0.subject.contains("Serious concern") })

            let mentor = Browser(browser.client)
            try await mentor.signIn("mentor@demo.test")
            let dashboard = try await mentor.request("/dashboard")
            #expect(dashboard.text.contains("Serious, raised"), "listed among the open concerns with its severity")
            #expect(dashboard.text.contains("href=\"\(path)\""), "the card is flagged and listed among the open concerns")
            let card = try await mentor.request(path)
            #expect(card.text.contains("Arrived an hour late"))
            #expect(card.text.contains("Contact made on"), "the mentor records the handling")
            let concernRange = try #require(card.text.range(of: #"/feedback/concerns/[0-9]+"#, options: .regularExpression))
            let refused = try await mentor.submit(String(card.text[concernRange]), ["outcome": "resolved"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Record when contact was made before closing the concern"))
            let closed = try await mentor.submit(
                String(card.text[concernRange]),
                ["contactMadeOn": Day(Date()).description, "response": "Spoke to both", "outcome": "resolved"])
            #expect(closed.status == .seeOther)
            // The demo's own serious concern stays flagged; this card is neither flagged nor listed.
            #expect(!(try await mentor.request("/dashboard")).text.contains("href=\"\(path)\""))
        }
    }

    @Test func theGPSeesRatingsInTheirSummaryAndTheLiaisonOfficerOnlyCounts() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let own = try await browser.request("/gps/1/feedback")
            #expect(own.status == .ok)
            #expect(own.text.contains("By box"))
            #expect(own.text.contains("<td>Clinical care</td><td>1</td><td>5.0</td>"))
            let liaison = Browser(browser.client)
            try await liaison.signIn("liaison@demo.test")
            let counts = try await liaison.request("/gps/1/feedback")
            #expect(counts.status == .ok)
            #expect(counts.text.contains("Cards returned"))
            #expect(!counts.text.contains("By box"), "counts only for the support team")
            #expect(!counts.text.contains("Thorough, kind with patients"))
        }
    }

    @Test func theLiaisonOfficerRewordsACardOnItsPage() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let page = try await browser.request("/organisations/1/feedback-templates")
            #expect(page.text.contains("Reliability and punctuality"))
            let empty = try await browser.submit(
                "/organisations/1/feedback-templates", ["direction": "practice-about-gp", "boxes": "  \n "])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("Give the card at least one box"))
            let saved = try await browser.submit(
                "/organisations/1/feedback-templates",
                ["direction": "practice-about-gp", "boxes": "Consultations\nTeamwork\nSafety issues (comment only)"])
            #expect(saved.status == .seeOther)
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let templates = try await api.send("/api/v1/organisations/1/feedback-templates")
            let first = try #require((templates.json["items"] as? [[String: Any]])?.first)
            let boxes = try #require(first["boxes"] as? [[String: Any]])
            #expect(boxes.map { $0["title"] as? String } == ["Consultations", "Teamwork", "Safety issues"])
            #expect(boxes.last?["rated"] as? Bool == false)

            let practice = Browser(browser.client)
            try await practice.signIn("practice@demo.test")
            #expect(try await practice.request("/organisations/1/feedback-templates").status == .forbidden)
        }
    }

    // MARK: Page models

    static func principal(_ database: AppDatabase, _ email: String) async throws -> Principal {
        try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
    }

    /// The inbox lists the cards each author is to fill in, each linking to its card, dated en-GB.
    @Test func theInboxListsTheCardsToFillIn() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        for email in ["practice@demo.test", "gp@demo.test"] {
            let principal = try await Self.principal(database, email)
            let inbox = try await database.feedbackInbox(for: principal)
            let page = FeedbackInboxPage(page: PageChrome(title: "Feedback"), inbox: inbox, reach: principal.reach)
            #expect(!page.waiting.isEmpty, "\(email) has the cards from two days ago to fill in")
            #expect(page.waiting.map(\.link) == inbox.waiting.map { "/feedback/cards/\($0.card.id!)" })
            #expect(
                page.waiting.allSatisfy {
                    [FeedbackCard.Status.issued.title, FeedbackCard.Status.draft.title].contains($0.status)
                }, "waiting cards by their status's title")
            #expect(
                page.waiting.allSatisfy {
                    $0.date.range(
                        of: #"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}$"#, options: .regularExpression)
                        != nil
                }, "sessions dated like Mon 7 Dec 2026")
            if email == "gp@demo.test" {
                #expect(page.isGP && page.gpId == 1)
                #expect(page.waiting.contains { $0.title.hasPrefix("Dr Amelia Hartwell about ") })
            } else {
                #expect(!page.isGP && page.practiceIds.contains(1))
                #expect(page.waiting.contains { $0.title.hasSuffix(" about Dr Amelia Hartwell") })
            }
        }
    }

    /// The card's page for its author: the form from the card's own boxes before it is submitted; after,
    /// the card as submitted with what its author may add, and the GP it is about may use it for appraisal.
    @Test func theCardPageGivesItsAuthorTheFormThenWhatMayFollow() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let practice = try await Self.principal(database, "practice@demo.test")
        let view = try #require(
            try await database.feedbackInbox(for: practice).waiting.first {
                $0.card.direction == .practiceAboutGP && $0.card.gpId == 1
            })
        let card = view.card
        let form = FeedbackCardPage(
            page: PageChrome(title: "Feedback card"), view: view,
            rights: try await database.feedbackCardRights(view, by: practice, viaLink: false), token: nil)
        #expect(form.editable)
        #expect(!form.canAddAddendum && !form.canRaiseConcern && !form.canMarkForAppraisal && form.concern == nil)
        #expect(form.formAction == "/feedback/cards/\(card.id!)")
        #expect(form.heading == "Feedback on Dr Amelia Hartwell")
        #expect(form.boxes.map(\.key) == card.boxes.map(\.key), "one row for each box the card was issued with")
        let rated = try #require(form.boxes.first { $0.rated })
        #expect(rated.options.map(\.label) == (1...5).map { FeedbackRating.label($0) } + [FeedbackRating.notObserved])
        #expect(rated.options.filter(\.checked).map(\.label) == [FeedbackRating.notObserved], "not observed until rated")
        #expect(rated.options.first?.id == "rating-\(rated.key)-1")
        #expect(form.fields.map(\.name) == ["comment", "discussFurther"], "a practice's card has no anonymity")
        #expect(form.concernFields.map(\.name) == ["severity", "details"])
        #expect(
            form.concernFields.first?.options.map(\.label) == ["No, just feedback"]
                + FeedbackConcern.Severity.choices.map { $0.title })

        // What the form posts is read by the same declaration: ratings by box, a concern only when one is chosen.
        var posted: [String: String] = ["comment": "Thank you", "severity": "", "details": "Ignored without a severity"]
        for box in card.boxes {
            if box.rated { posted["rating-\(box.key)"] = "4" }
            posted["comment-\(box.key)"] = ""
        }
        let declaration = FeedbackCardForm.declaration(card)
        let submission = declaration.decode(FormFields(urlEncoded: Browser.formEncode(posted)), into: FeedbackCardForm.blank)
        #expect(submission.concern == nil)
        #expect(submission.answers?.compactMap(\.box) == card.boxes.map(\.key))
        #expect(submission.answers?.first { $0.box == rated.key }?.rating == 4)
        posted["severity"] = "serious"
        let raised = declaration.decode(FormFields(urlEncoded: Browser.formEncode(posted)), into: FeedbackCardForm.blank)
        #expect(raised.concern?.severity == "serious" && raised.concern?.details == "Ignored without a severity")

        _ = try await database.saveFeedbackCard(
            id: card.id, submission, submit: true, author: .principal(practice), links: Links(baseURL: "http://localhost"))
        let submitted = try await database.feedbackCard(id: card.id!, by: practice)
        let after = FeedbackCardPage(
            page: PageChrome(title: "Feedback card"), view: submitted,
            rights: try await database.feedbackCardRights(submitted, by: practice, viaLink: false), token: nil)
        #expect(!after.editable)
        #expect(after.canAddAddendum && after.canRaiseConcern, "its author may add an addendum or raise it")
        #expect(!after.canMarkForAppraisal)
        #expect(after.status == FeedbackCard.Status.submitted.title)
        #expect(after.boxes.first { $0.key == rated.key }?.ratingText == FeedbackRating.label(4))
        #expect(after.overallComment == "Thank you")
        #expect(after.addendumFields.map(\.name) == ["text"])

        let gp = try await Self.principal(database, "gp@demo.test")
        let aboutHer = try await database.feedbackCard(id: card.id!, by: gp)
        let asGP = FeedbackCardPage(
            page: PageChrome(title: "Feedback card"), view: aboutHer,
            rights: try await database.feedbackCardRights(aboutHer, by: gp, viaLink: false), token: nil)
        #expect(asGP.canMarkForAppraisal && !asGP.canAddAddendum && !asGP.canRaiseConcern && !asGP.editable)
        #expect(asGP.reflectionFields.map(\.name) == ["reflection"])
    }
}
