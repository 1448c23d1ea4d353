import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Whatever people type is shown as text: markup in a GP's name or a session's notes never runs.
@Suite struct EscapingTests {
    static let script = "<script>alert(1)</script>"
    static let image = "<img src=x onerror=alert(1)>"

    @Test func markupInNamesAndNotesShowsAsTextOnEveryPageThatShowsIt() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let created = try await liaison.send(
                "/api/v1/gps", method: .post,
                json:
                    #"{"name": "\#(Self.script)", "gmcNumber": "7654321", "organisationId": 1, "status": "active", "localities": ["Ashby Vale"]}"#
            )
            #expect(created.status == .created)
            let gpId = try #require(created.json["id"] as? Int)
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let wednesday = IsoWeek(containing: Day(Date()).adding(days: 7)).monday.adding(days: 2)
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json:
                    #"{"date": "\#(wednesday)", "start": "09:00", "end": "12:00", "kind": "surgery", "rate": 90, "notes": "\#(Self.image)"}"#
            )
            #expect(posted.status == .created)
            let sessionId = try #require(posted.json["id"] as? Int)

            func check(_ uri: String, shows text: String) async throws {
                let response = try await browser.request(uri)
                #expect(response.status == .ok, "\(uri)")
                let html = response.text
                #expect(!html.contains(Self.script) && !html.contains(Self.image), "\(uri) carries raw markup")
                let escaped = text.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                #expect(html.contains(escaped), "\(uri) shows the text as text")
            }
            try await browser.signIn("liaison@demo.test")
            try await check("/gps", shows: Self.script)
            try await check("/gps/\(gpId)", shows: Self.script)
            try await check("/sessions/\(sessionId)", shows: Self.image)
            try await check("/sessions/\(sessionId)", shows: Self.script)
            try await browser.signIn("practice@demo.test")
            try await check("/sessions/\(sessionId)", shows: Self.image)
        }
    }
}
