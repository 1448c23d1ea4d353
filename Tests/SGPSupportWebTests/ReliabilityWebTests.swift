import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

@Suite struct ReliabilityWebTests {
    static let nextWednesday: String = {
        var day = Day(Date()).adding(days: 7)
        while day.isoWeekday != 3 { day = day.adding(days: 1) }
        return day.description
    }()

    @Test func aFullDatabaseAnswers503SavesNothingAndGoesOnServingReads() async throws {
        let demo = try await TestEnvironment()
        let pages = try await demo.database.pageCount()
        // The same file, reopened capped at its present size: the next write that needs a page fails.
        let environment = try await TestEnvironment(demo: false, path: demo.path, maxPageCount: pages)
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let before = try #require(try await practice.send("/api/v1/sessions?perPage=100").json["total"] as? Int)
            let notes = String(repeating: "Parking behind the surgery; ask at reception for the key. ", count: 30)
            var refused: TestResponse?
            for _ in 0..<20 {
                let response = try await practice.send(
                    "/api/v1/sessions", method: .post,
                    json:
                        #"{"date": "\#(Self.nextWednesday)", "start": "09:00", "end": "12:00", "rate": 95, "repeatWeeks": 12, "notes": "\#(notes)"}"#
                )
                if response.status != .created {
                    refused = response
                    break
                }
            }
            let full = try #require(refused, "a capped database must refuse a write at some point")
            #expect(full.status == .serviceUnavailable)
            #expect(full.errorCode == "storage_full")
            #expect(((full.json["error"] as? [String: Any])?["message"] as? String)?.contains("nothing was saved") == true)
            // The refused post added none of its twelve sessions; reads go on.
            let after = try await practice.send("/api/v1/sessions?perPage=100")
            #expect(after.status == .ok)
            let total = try #require(after.json["total"] as? Int)
            #expect((total - before) % 12 == 0, "only whole posts of twelve were saved")
            #expect(try await practice.send("/healthz").status == .ok)
        }
    }

    @Test func sixtyFourConcurrentClientsGetNoServerErrorsAndContendedAcceptsConflictCleanly() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json: #"{"date": "\#(Self.nextWednesday)", "start": "13:30", "end": "17:00", "rate": 90}"#)
            let sessionId = try #require(posted.json["id"] as? Int)
            let applied = try await gp.send("/api/v1/sessions/\(sessionId)/applications", method: .post)
            let applicationId = try #require(applied.json["id"] as? Int)

            let statuses = try await withThrowingTaskGroup(of: [UInt16].self) { group in
                for client in 0..<64 {
                    group.addTask {
                        var seen: [UInt16] = []
                        for step in 0..<8 {
                            let response: TestResponse
                            switch (client + step) % 6 {
                            case 0: response = try await liaison.send("/api/v1/sessions?perPage=50")
                            case 1: response = try await gp.send("/api/v1/sessions?eligibleFor=me")
                            case 2:
                                response = try await practice.send(
                                    "/api/v1/sessions", method: .post,
                                    json: #"{"date": "\#(Self.nextWednesday)", "start": "09:00", "end": "12:00", "rate": 95}"#)
                            case 3:
                                response = try await gp.send(
                                    "/api/v1/gps/1/evidence", method: .post,
                                    json:
                                        #"{"kind": "cpd", "title": "Webinar", "date": "2026-01-05", "details": {"event": "Webinar", "hours": 1}}"#
                                )
                            case 4: response = try await liaison.send("/api/v1/gps?perPage=20")
                            default:
                                // Two (and more) accepts of one application: one booking, the rest clean conflicts.
                                response = try await practice.send("/api/v1/applications/\(applicationId)/accept", method: .post)
                            }
                            seen.append(UInt16(response.status.code))
                        }
                        return seen
                    }
                }
                var all: [UInt16] = []
                for try await seen in group { all += seen }
                return all
            }
            #expect(statuses.count == 64 * 8)
            #expect(statuses.allSatisfy { $0 < 500 }, "no request failed on the server's side")
            #expect(Set(statuses).isSubset(of: [200, 201, 409]), "\(Set(statuses))")
            let accepts = (0..<64).flatMap { client in (0..<8).filter { (client + $0) % 6 == 5 } }.count
            #expect(statuses.filter { $0 == 409 }.count == accepts - 1, "every accept but one is a clean conflict")
            let bookings = try await practice.send("/api/v1/bookings?perPage=100")
            let items = try #require(bookings.json["items"] as? [[String: Any]])
            #expect(items.filter { $0["sessionId"] as? Int == sessionId }.count == 1, "exactly one booking")
        }
    }

    @Test func keptAnswersAreNeverSharedBetweenSignInsAndGoStaleAtTheNextWrite() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            for _ in 0..<2 {
                #expect(try await liaison.send("/api/v1/me").json["email"] as? String == "liaison@demo.test")
                #expect(try await gp.send("/api/v1/me").json["email"] as? String == "gp@demo.test")
            }
            let first = try #require(try await liaison.send("/api/v1/sessions").json["total"] as? Int)
            #expect(try await liaison.send("/api/v1/sessions").json["total"] as? Int == first)
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json: #"{"date": "\#(Self.nextWednesday)", "start": "09:00", "end": "12:00", "rate": 95}"#)
            #expect(posted.status == .created)
            #expect(try await liaison.send("/api/v1/sessions").json["total"] as? Int == first + 1, "the write shows at once")
            // A signed-out request is never answered from the cache.
            #expect(try await APIClient(client: browser.client).send("/api/v1/sessions").status == .unauthorized)
        }
    }

    /// Issue 19, finding 4: an `Authorization` header (bogus, or someone else's token) sent with a
    /// session cookie says nothing about who is signed in, so a kept page is never served to a
    /// different person, nor to another session of the same person, who sends the same header.
    @Test func aKeptPageGoesOnlyToTheSessionItWasMadeForWhateverAuthorizationHeaderIsSent() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        try await environment.test { browser in
            let someonesToken = try #require(try await APIClient.signedIn(browser.client, "practice@demo.test").token)
            // Everyone signs in before any page is kept: a sign-in is a write, after which nothing
            // kept before it is served.
            let helen = Browser(browser.client)
            try await helen.signIn("liaison@demo.test")
            // The same person on a second device: another session, with its own CSRF token.
            let helenElsewhere = Browser(browser.client)
            try await helenElsewhere.signIn("liaison@demo.test")
            let rajesh = Browser(browser.client)
            try await rajesh.signIn("mentor@demo.test")
            let helenToken = try await Self.csrfToken(of: helen, in: database)
            let helenElsewhereToken = try await Self.csrfToken(of: helenElsewhere, in: database)
            let rajeshToken = try await Self.csrfToken(of: rajesh, in: database)
            let people: [(browser: Browser, name: String, csrf: String)] = [
                (helen, "Helen Marsh", helenToken),
                (helenElsewhere, "Helen Marsh", helenElsewhereToken),
                (rajesh, "Dr Rajesh Patel", rajeshToken),
            ]
            #expect(Set(people.map(\.csrf)).count == 3, "three sessions, three CSRF tokens")

            for header in ["Bearer not-a-token", "Bearer \(someonesToken)", "Basic c2hhcmVkOnByb3h5"] {
                for round in 0..<2 {
                    for person in people {
                        let page = try await person.browser.request("/dashboard", headers: [.authorization: header])
                        let seen = "\(person.name), session \(person.csrf.prefix(6)), \(header.prefix(12)), round \(round)"
                        #expect(page.status == .ok, "\(seen)")
                        #expect(page.text.contains(#"<span class="user-name">\#(person.name)</span>"#), "\(seen)")
                        #expect(page.text.contains(#"name="_csrf" value="\#(person.csrf)""#), "\(seen)")
                        for other in people where other.csrf != person.csrf {
                            #expect(!page.text.contains(other.csrf), "\(seen) must not carry another session's CSRF token")
                        }
                        for other in people where other.name != person.name {
                            #expect(!page.text.contains(#"<span class="user-name">\#(other.name)</span>"#), "\(seen)")
                        }
                    }
                }
            }
            // Without the header each is still answered with their own page, kept or not.
            for person in people {
                let page = try await person.browser.request("/dashboard")
                #expect(page.text.contains(#"name="_csrf" value="\#(person.csrf)""#), "\(person.name) without the header")
            }
        }
    }

    /// The CSRF token of the browser's web session, as the database holds it (not as any page showed it).
    static func csrfToken(of browser: Browser, in database: AppDatabase) async throws -> String {
        let token = try #require(browser.cookies[AuthenticationMiddleware.sessionCookieName])
        return try #require(try await database.activeSession(token: token, kind: .web)).csrfToken
    }
}
