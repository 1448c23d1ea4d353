import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The mailshot over HTTP with the demo data (72 of the demo GPs consent to the mailshot).
@Suite struct MailshotWebTests {
    static func waitUntilSent(_ api: APIClient, _ id: Int) async throws -> [String: Any] {
        for _ in 0..<100 {
            let body = try await api.send("/api/v1/mailshots/\(id)").json
            if body["status"] as? String == "sent" { return body }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the mailshot did not finish sending")
        return [:]
    }

    @Test func theLiaisonOfficerComposesPreviewsAndSendsOnlyToThoseWhoConsent() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let list = try await browser.request("/mailshots")
            #expect(list.text.contains("Compose this week"))
            let created = try await browser.submit("/mailshots", ["organisationId": "1", "week": "2026-W60"])
            #expect(created.status == .unprocessableContent)
            #expect(created.text.contains("Give the week as YYYY-Www"))
            let week = IsoWeek(containing: Day(Date()).adding(days: 2)).description
            let made = try await browser.submit("/mailshots", ["organisationId": "1", "week": week])
            let location = try #require(made.headers[.location])
            let id = try #require(Int(location.split(separator: "/").last ?? ""))

            let bad = try await browser.submit("\(location)/items", ["kind": "news", "title": "", "body": "x"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Give the item a title"))
            #expect(
                try await browser.submit(
                    "\(location)/items", ["kind": "news", "title": "Flu clinics", "body": "Sessions *wanted* in January."]
                ).status == .seeOther)
            let page = try await browser.request(location)
            #expect(page.text.contains("Flu clinics"))
            #expect(page.text.contains("Send to 72 recipients"))

            let preview = try await browser.request("\(location)/preview?gmc=9900001")
            #expect(preview.status == .ok)
            #expect(preview.text.contains("Dear Dr Amelia Hartwell"))
            let html = try await browser.request("\(location)/preview.html?gmc=9900001")
            #expect(html.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'self'") == true)
            #expect(html.text.contains("<em>wanted</em>"))

            // One click never sends: the button leads to the page that says to whom, and sends from there.
            let unconfirmed = try await browser.submit("\(location)/send", [:])
            #expect(unconfirmed.headers[.location] == "\(location)/send")
            let confirmation = try await browser.request("\(location)/send")
            #expect(confirmation.text.contains("cannot be called back") && confirmation.text.contains("Yes, send it to"))
            #expect(try await browser.submit("\(location)/send", ["confirmed": "yes"]).status == .seeOther)
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let sent = try await Self.waitUntilSent(api, id)
            #expect((sent["deliveries"] as? [String: Any])?["sent"] as? Int == 72)
            let recipients = Set(environment.mailbox.sent.filter { $0.subject.hasPrefix("Work available") }.map(\.to))
            // Straight from the seed file: every active GP who said yes to the mailshot, and nobody else.
            let seed =
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: repositoryRoot.appendingPathComponent("seeds/demo.json"))) as? [String: Any]
            let consenting = Set(
                (seed?["gps"] as? [[String: Any]] ?? []).filter {
                    $0["mailshotConsent"] as? Bool == true && $0["status"] as? String == "active"
                }.compactMap { $0["email"] as? String })
            #expect(recipients == consenting)
        }
    }

    @Test func oneClickUnsubscribeNeedsNoSignInAndNoFormToken() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let created = try await api.send(
                "/api/v1/mailshots", method: .post, json: #"{"organisationId": 1, "week": "2026-W50"}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? Int)
            #expect(try await api.send("/api/v1/mailshots/\(id)/send", method: .post).status == .accepted)
            _ = try await Self.waitUntilSent(api, id)
            let message = try #require(environment.mailbox.sent.first { $0.to == "gp@demo.test" })
            let header = try #require(message.headers["List-Unsubscribe"])
            let path = try #require(URL(string: String(header.dropFirst().dropLast()))?.path)

            // As a mail provider does it (RFC 8058): a bare POST with no cookie and no CSRF token.
            let response = try await browser.client.executeRequest(
                uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("gp@demo.test will get no more weekly mailshots"))
            let consent = try await environment.database.gp(id: 1, by: .commandLine).gp.mailshotConsent
            #expect(consent == false)
            #expect(try await browser.request("/unsubscribe/forged-token", method: .post).status == .notFound)

            // Subscribed again, the GP's old link is out of date: the page says so and how to stop it now.
            try await browser.signIn("gp@demo.test")
            try await browser.request("/mailshot-subscription")
            #expect(try await browser.submit("/mailshot-subscription", ["subscribe": "true"]).status == .seeOther)
            let page = try await browser.request(path)
            #expect(page.status == .gone && page.text.contains("out of date") && page.text.contains("/mailshot-subscription"))
            #expect(!page.text.contains("action=\"\(path)\""), "no button that would do nothing")
            let again = try await browser.client.executeRequest(
                uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(again.status == .gone)
            #expect(
                try await environment.database.gp(id: 1, by: .commandLine).gp.mailshotConsent == true,
                "the old link changed nothing")
        }
    }

    @Test func gpsReadTheArchiveButOnlyTheTeamComposes() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let id = try #require(
                try await liaison.send("/api/v1/mailshots", method: .post, json: #"{"organisationId": 1, "week": "2026-W51"}"#)
                    .json["id"] as? Int)
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            #expect(try await gp.send("/api/v1/mailshots/\(id)").status == .forbidden, "a draft is the team's")
            #expect(
                try await gp.send("/api/v1/mailshots", method: .post, json: #"{"organisationId": 1, "week": "2026-W52"}"#).status
                    == .forbidden)
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            #expect(try await practice.send("/api/v1/mailshots/\(id)/send", method: .post).status == .forbidden)
            #expect(try await gp.send("/api/v1/mailshots/\(id)/preview?gpId=1").status == .forbidden)
            _ = try await liaison.send("/api/v1/mailshots/\(id)/send", method: .post)
            _ = try await Self.waitUntilSent(liaison, id)
            #expect(try await gp.send("/api/v1/mailshots/\(id)").status == .ok)
            try await browser.signIn("gp@demo.test")
            let archive = try await browser.request("/mailshots/\(id)")
            #expect(archive.text.contains("Work available"))
            #expect(!archive.text.contains("recipients"), "no sending controls for a GP")
            let settings = try await browser.request("/mailshot-subscription")
            #expect(settings.text.contains("You get the weekly mailshot"))
            #expect(try await browser.submit("/mailshot-subscription", ["subscribe": "false"]).status == .seeOther)
            #expect(try await browser.request("/mailshot-subscription").text.contains("You do not get the weekly mailshot"))
        }
    }
}
