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
        for _ in 0..<600 {  // up to 30 s: a loaded CI machine sends slowly
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
            let added = try await browser.submit(
                "\(location)/items", ["kind": "news", "title": "Flu clinics", "body": "Sessions *wanted* in January."])
            #expect(added.status == .seeOther)
            let page = try await browser.request(try #require(added.headers[.location]))
            #expect(page.text.contains("Added to the mailshot."), "not the register's notice")
            #expect(page.text.contains("Flu clinics"))
            let weekText = try #require(IsoWeek(week)).displayText
            #expect(page.text.contains("Mailshot for \(weekText)"), "the week as w/c, not its code")
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

    /// A draft with one news item, composed through the API as the liaison officer.
    static func draft(_ api: APIClient, week: String = "2026-W50") async throws -> (id: Int, itemId: Int) {
        let created = try await api.send(
            "/api/v1/mailshots", method: .post, json: #"{"organisationId": 1, "week": "\#(week)"}"#)
        let id = try #require(created.json["id"] as? Int)
        let added = try await api.send(
            "/api/v1/mailshots/\(id)/items", method: .post,
            json: #"{"kind": "news", "title": "Flu clinics", "body": "Sessions *wanted* in January."}"#)
        let itemId = try #require((added.json["items"] as? [[String: Any]])?.first?["id"] as? Int)
        return (id, itemId)
    }

    @Test func aTestCopyReachesOnlyTheSignedInPerson_andTheMailshotStaysADraft() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let (id, _) = try await Self.draft(api)
            try await browser.signIn("liaison@demo.test")
            let page = try await browser.request("/mailshots/\(id)/send")
            #expect(page.text.contains("Send me a test copy") && page.text.contains("liaison@demo.test"))
            let before = environment.mailbox.sent.count
            // Whatever else the form says, the copy goes to the person signed in (the demo GP is entry 1).
            let sent = try await browser.submit(
                "/mailshots/\(id)/test-copy", ["gpId": "1", "to": "someone@else.test", "email": "someone@else.test"])
            #expect(sent.status == .seeOther)
            #expect(sent.headers[.location] == "/mailshots/\(id)/send?done=test-copy-sent")
            let copies = Array(environment.mailbox.sent.dropFirst(before))
            #expect(copies.map(\.to) == ["liaison@demo.test"])
            let copy = try #require(copies.first)
            #expect(copy.subject.hasPrefix("[Test copy] Work available and news: w/c 7 Dec 2026"))
            #expect(copy.text.contains("Dear Dr Amelia Hartwell,"), "as the chosen GP would get it")
            #expect(copy.headers["List-Unsubscribe"] == nil)

            let back = try await browser.request(try #require(sent.headers[.location]))
            #expect(back.text.contains("A test copy has gone to liaison@demo.test."))
            let body = try await api.send("/api/v1/mailshots/\(id)").json
            #expect(body["status"] as? String == "draft")
            #expect(body["deliveries"] as? [String: Int] == ["pending": 0, "sent": 0, "failed": 0])

            // The same right as sending: nobody else may ask for one.
            let mentor = Browser(browser.client)
            try await mentor.signIn("mentor@demo.test")
            try await mentor.request("/dashboard")
            #expect(try await mentor.submit("/mailshots/\(id)/test-copy", ["gpId": "1"]).status == .forbidden)
            #expect(environment.mailbox.sent.count == before + 1)
        }
    }

    @Test func anItemIsEditedFromItsOwnForm_untilTheMailshotIsSent() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let (id, itemId) = try await Self.draft(api)
            try await browser.signIn("liaison@demo.test")
            #expect(try await browser.request("/mailshots/\(id)").text.contains("href=\"/mailshot-items/\(itemId)/edit\""))
            let form = try await browser.request("/mailshot-items/\(itemId)/edit")
            #expect(form.status == .ok && form.text.contains("value=\"Flu clinics\"") && form.text.contains("Sessions *wanted*"))
            let refused = try await browser.submit("/mailshot-items/\(itemId)/edit", ["title": "", "body": "x"])
            #expect(refused.status == .unprocessableContent && refused.text.contains("Give the item a title"))
            let saved = try await browser.submit(
                "/mailshot-items/\(itemId)/edit", ["title": "Flu clinics in January", "body": "Sessions **needed**."])
            #expect(saved.headers[.location] == "/mailshots/\(id)?done=saved")
            let items = try #require(try await api.send("/api/v1/mailshots/\(id)").json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["title"] as? String == "Flu clinics in January")
            #expect(items.first?["kind"] as? String == "news" && items.first?["body"] as? String == "Sessions **needed**.")

            #expect(try await api.send("/api/v1/mailshots/\(id)/send", method: .post).status == .accepted)
            _ = try await Self.waitUntilSent(api, id)
            #expect(try await browser.request("/mailshot-items/\(itemId)/edit").status == .conflict)
            #expect(
                try await browser.submit("/mailshot-items/\(itemId)/edit", ["title": "Late", "body": "x"]).status == .conflict)
        }
    }

    /// The send page's model, from the domain's views as the liaison officer sees them.
    @Test func theSendPageSaysToHowManyAndOffersATestCopyAsAGPByName() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let (id, _) = try await Self.draft(api)
            let principal = try await database.signIn(
                email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web
            ).principal
            let view = try await database.mailshotView(id: Int64(id), by: principal)
            let readers = try await database.mailshotGPReaders(id: Int64(id), by: principal)
            let model = MailshotSendPage(
                page: PageChrome(title: "Send the mailshot?"), view: view,
                recipients: try await database.mailshotRecipientCount(id: Int64(id), by: principal), readers: readers,
                ownAddress: principal.email)
            #expect(model.heading == "Send the mailshot for w/c 7 Dec 2026?")
            #expect(model.recipientsText == "72 recipients")
            #expect(model.items == ["News: Flu clinics"])
            #expect(model.testCopyTo == "liaison@demo.test")
            #expect(model.testCopyField.name == "gpId" && model.testCopyField.isSelect)
            let options = model.testCopyField.options
            #expect(options.count == 73, "no GP in particular, then the 72 who get it")
            #expect(options.contains { $0.label == "Dr Amelia Hartwell" && $0.value == "1" })
            #expect(options.filter(\.selected).map(\.label) == [readers[0].name], "the first GP by name, chosen")
            #expect(!options.contains { $0.label.contains("9900") }, "names, never GMC numbers")
            #expect(readers.map(\.name) == readers.map(\.name).sorted { $0.lowercased() < $1.lowercased() })
        }
    }

    /// The preview's chooser: by name, the GP shown chosen, and the HTML part asked for as the same GP.
    @Test func thePreviewIsChosenByAGPsName() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let (id, _) = try await Self.draft(api)
            let principal = try await database.signIn(
                email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web
            ).principal
            let readers = try await database.mailshotGPReaders(id: Int64(id), by: principal)
            let rendered = try await database.previewMailshot(
                id: Int64(id), gpId: 1, links: Links(baseURL: "http://localhost"), by: principal)
            let model = MailshotPreviewPage(
                page: PageChrome(title: "Preview"), mailshotId: Int64(id), rendered: rendered, readers: readers, gpId: 1)
            #expect(model.reader == "As Dr Amelia Hartwell would get it")
            #expect(model.htmlURL == "/mailshots/\(id)/preview.html?gpId=1")
            #expect(model.chooser.name == "gpId" && model.chooser.isSelect)
            #expect(model.chooser.options.filter(\.selected).map(\.label) == ["Dr Amelia Hartwell"])
            #expect(model.text.contains("Dear Dr Amelia Hartwell,"))
            let archive = MailshotPreviewPage(
                page: PageChrome(title: "Preview"), mailshotId: Int64(id),
                rendered: try await database.previewMailshot(
                    id: Int64(id), gpId: nil, links: Links(baseURL: "http://localhost"), by: principal),
                readers: readers, gpId: nil)
            #expect(archive.chooser.options.filter(\.selected).map(\.value) == [""])
            #expect(archive.htmlURL == "/mailshots/\(id)/preview.html")

            // Over HTTP: the choice's parameter, and the GMC number earlier links carry, both still work.
            try await browser.signIn("liaison@demo.test")
            let byName = try await browser.request("/mailshots/\(id)/preview?gpId=1")
            #expect(byName.status == .ok && byName.text.contains("Dear Dr Amelia Hartwell"))
            #expect(byName.text.contains("<option value=\"1\" selected>Dr Amelia Hartwell</option>"))
            #expect(try await browser.request("/mailshots/\(id)/preview.html?gpId=1").text.contains("Dear Dr Amelia Hartwell"))
            #expect(try await browser.request("/mailshots/\(id)/preview?gmc=9900001").text.contains("Dear Dr Amelia Hartwell"))
            #expect(try await browser.request("/mailshots/\(id)/preview?gpId=999999").status == .unprocessableContent)
        }
    }
}
