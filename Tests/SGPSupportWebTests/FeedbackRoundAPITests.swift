import Foundation
import HTTPTypes
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The feedback round API's contract (issue 23), through the demo: the GP asks, the liaison officer
/// opens, a colleague answers from their email without signing in, and the answer counts but is never shown.
@Suite struct FeedbackRoundAPITests {
    @Test func aRoundIsAskedForOpenedAndAnsweredWithoutSignIn() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let anyone = APIClient(client: browser.client)

            let asked = try await gp.send("/api/v1/gps/1/feedback-rounds", method: .post, json: #"{"kind": "colleague"}"#)
            #expect(asked.status == .created && asked.json["status"] as? String == "requested")
            #expect(asked.json["kind"] as? String == "colleague")
            let id = try #require(asked.json["id"] as? Int)
            let wrongKind = try await gp.send("/api/v1/gps/1/feedback-rounds", method: .post, json: #"{"kind": "friends"}"#)
            #expect(wrongKind.status == .unprocessableContent)
            #expect(
                try await gp.send("/api/v1/feedback-rounds/\(id)/open", method: .post, json: #"{"closesOn": "2027-01-31"}"#)
                    .status == .forbidden)

            let closes = environment.database.clock.today.adding(days: 28)
            let opened = try await liaison.send(
                "/api/v1/feedback-rounds/\(id)/open", method: .post, json: #"{"closesOn": "\#(closes)"}"#)
            #expect(opened.status == .ok && opened.json["status"] as? String == "open")
            #expect((opened.json["invited"] as? Int ?? 0) >= 1, "the practice manager where the GP worked is asked")
            let items = try await gp.send("/api/v1/feedback-rounds/\(id)/items")
            let codes = ((items.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["item"] as? String }
            #expect(codes.count == 8 && codes.first == "sound-decisions")

            let invitation = try #require(
                environment.mailbox.sent.last { $0.subject.hasPrefix("Feedback on Dr Amelia Hartwell") })
            let range = try #require(
                invitation.text.range(of: #"/feedback-rounds/answer/[A-Za-z0-9_-]+"#, options: .regularExpression))
            let token = String(invitation.text[range].split(separator: "/").last!)
            let body =
                #"{"answers": [{"item": "sound-decisions", "rating": 5}, {"item": "reliable", "rating": null}], "doesWell": "Calm"}"#
            let answered = try await anyone.send("/api/v1/feedback-answers/\(token)", method: .post, json: body)
            #expect(answered.status == .noContent)
            let again = try await anyone.send("/api/v1/feedback-answers/\(token)", method: .post, json: body)
            #expect(again.status == .conflict)
            #expect(
                try await anyone.send("/api/v1/feedback-answers/no-such-token", method: .post, json: body).status == .notFound)

            let seen = try await gp.send("/api/v1/feedback-rounds/\(id)")
            #expect(seen.json["responses"] == nil && seen.json["minimum"] as? Int == 8 && seen.json["target"] as? Int == 15)
            #expect(try await liaison.send("/api/v1/feedback-rounds/\(id)").json["responses"] as? Int == 1)
            #expect(seen.json["report"] is NSNull || seen.json["report"] == nil, "nothing until it closes with the minimum")
            let closed = try await liaison.send("/api/v1/feedback-rounds/\(id)/close", method: .post)
            #expect(closed.json["status"] as? String == "short" && !(closed.text.contains("Calm")))
        }
    }
}
