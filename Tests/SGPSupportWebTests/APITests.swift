import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

@Suite struct APITests {
    @Test func healthzAnswersAfterADatabaseRoundTrip() async throws {
        let environment = try await TestEnvironment(demo: false)
        try await environment.test { browser in
            let response = try await browser.request("/healthz")
            #expect(response.status == .ok)
            #expect(response.json["status"] as? String == "ok")
        }
    }

    @Test func aBearerTokenWorksUntilItIsRevoked() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let me = try await api.send("/api/v1/me")
            #expect(me.status == .ok)
            #expect(me.json["email"] as? String == "liaison@demo.test")
            let roles = try #require(me.json["roles"] as? [[String: Any]])
            #expect(roles.count == 1)
            #expect(roles.first?["role"] as? String == "liaison-officer")
            #expect(roles.first?["organisationId"] as? Int == 1)
            #expect(roles.first?["practiceId"] == nil)

            let revoked = try await api.send("/api/v1/session", method: .delete)
            #expect(revoked.status == .noContent)
            let after = try await api.send("/api/v1/me")
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "unauthenticated")
        }
    }

    @Test func practiceAndGPRolesNameWhatTheyApplyTo() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test").send("/api/v1/me")
            let practiceRole = try #require((practice.json["roles"] as? [[String: Any]])?.first)
            #expect(practiceRole["role"] as? String == "practice-manager")
            #expect(practiceRole["practiceId"] as? Int == 1)
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test").send("/api/v1/me")
            let gpRole = try #require((gp.json["roles"] as? [[String: Any]])?.first)
            #expect(gpRole["role"] as? String == "gp")
            #expect(gpRole["gpId"] as? Int == 1)
        }
    }

    @Test func theAPINeverAcceptsTheSessionCookie() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            #expect(try await browser.request("/dashboard").status == .ok)
            let me = try await browser.request("/api/v1/me")
            #expect(me.status == .unauthorized)
            #expect(me.headers[.wwwAuthenticate] == "Bearer")
        }
    }

    /// The router finds `/api/v1/me` at "//api/v1/me" too; the path is normalised before anything
    /// reads it, so the API check agrees with the router and the cookie opens nothing there either.
    @Test func theAPIRefusesTheSessionCookieWhateverSlashesThePathHas() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            for path in ["//api/v1/me", "///api//v1/me", "/api//v1//me"] {
                let me = try await browser.request(path)
                #expect(me.status == .unauthorized, "\(path)")
                #expect(me.errorCode == "unauthenticated", "\(path)")
            }
            try await browser.request("/dashboard")  // the page's form token, as a forged form would carry
            let reset = try await browser.submit("//api/v1/gps/1/calendar-url", [:])
            #expect(reset.status == .unauthorized, "a form post with the cookie does not reach the API")
            #expect(try await browser.request("//dashboard").status == .ok, "pages answer at a doubled slash as before")
        }
    }

    @Test func pathsAreNormalisedOnceAndOnlyBySlashes() {
        #expect(RequestPath.normalised("//api//v1///me") == "/api/v1/me")
        #expect(RequestPath.normalised("api/v1/me") == "/api/v1/me")
        #expect(RequestPath.normalised("/gps/") == "/gps/")
        #expect(RequestPath.normalised("") == "/")
        #expect(RequestPath.normalised("/a/%2F/b") == "/a/%2F/b")
    }

    @Test func wrongCredentialsGetAStableErrorCode() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = APIClient(client: browser.client)
            let wrong = try await api.send(
                "/api/v1/session", method: .post, json: #"{"email": "liaison@demo.test", "password": "nope nope nope"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            let empty = try await api.send("/api/v1/session", method: .post, json: "{}")
            #expect(empty.status == .unprocessableContent)
            #expect(empty.errorCode == "validation_failed")
            let fields = (empty.json["error"] as? [String: Any])?["fields"] as? [String: String]
            #expect(fields?["email"] == "Enter your email address")
            #expect(fields?["password"] == "Enter your password")
        }
    }

    @Test func malformedJSONIsABadRequestNotACrash() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = APIClient(client: browser.client)
            let broken = try await api.send("/api/v1/session", method: .post, json: #"{"email": "#)
            #expect(broken.status == .badRequest)
            #expect(broken.errorCode == "invalid_json")
            let wrongType = try await api.send("/api/v1/session", method: .post, json: #"{"email": 42, "password": "x"}"#)
            #expect(wrongType.status == .badRequest)
            #expect(
                (wrongType.json["error"] as? [String: Any])?["message"] as? String == "The value of 'email' should be a string")
            #expect(try await browser.request("/healthz").status == .ok, "the service goes on")
        }
    }

    @Test func unknownRoutesAnswer404InTheirOwnLanguage() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await browser.request("/api/v1/no-such-thing")
            #expect(api.status == .notFound)
            #expect(api.errorCode == "not_found")
            #expect(api.headers[.contentType]?.hasPrefix("application/json") == true)
            let page = try await browser.request("/no-such-page")
            #expect(page.status == .notFound)
            #expect(page.text.contains("Page not found"))
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test func organisationListsArePaginatedAndScoped() async throws {
        let environment = try await TestEnvironment()
        _ = try await environment.database.createOrganisation(
            OrganisationInput(code: "NTH1", name: "Northern ICB"), by: .commandLine)
        _ = try await environment.database.createOrganisation(
            OrganisationInput(code: "STH1", name: "Southern ICB"), by: .commandLine)
        try await environment.test { browser in
            let admin = try await APIClient.signedIn(browser.client, "admin@demo.test")
            let firstPage = try await admin.send("/api/v1/organisations?page=1&perPage=2")
            #expect(firstPage.json["total"] as? Int == 3)
            #expect(firstPage.json["page"] as? Int == 1)
            #expect(firstPage.json["perPage"] as? Int == 2)
            #expect((firstPage.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["NTH1", "STH1"])
            let absurd = try await admin.send("/api/v1/organisations?page=9223372036854775807&perPage=-5")
            #expect(absurd.status == .ok)
            #expect((absurd.json["items"] as? [Any])?.isEmpty == true)
            let secondPage = try await admin.send("/api/v1/organisations?page=2&perPage=2")
            #expect((secondPage.json["items"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["DEMO1"])

            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let own = try await liaison.send("/api/v1/organisations")
            #expect(own.json["total"] as? Int == 1)
            #expect(try await liaison.send("/api/v1/organisations/1").status == .ok)
            let other = try await liaison.send("/api/v1/organisations/2")
            #expect(other.status == .forbidden)
            #expect(other.errorCode == "forbidden")
            #expect(try await liaison.send("/api/v1/organisations/999").status == .notFound)
        }
    }
}
