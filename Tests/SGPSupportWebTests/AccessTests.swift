import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Each role is refused the pages of the others. Demo ids: organisation 1 (DEMO1), practice 1
/// (practice@demo.test's), practice 2 (practice2@demo.test's), GP 1 (gp@demo.test's).
@Suite struct AccessTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var email: String
        var allowed: [String]
        var refused: [String]
        var testDescription: String { email }
    }

    static let cases: [Case] = [
        Case(
            email: "admin@demo.test", allowed: ["/admin", "/organisations/1", "/practices/1", "/gps/1"], refused: []),
        Case(
            email: "liaison@demo.test", allowed: ["/organisations/1", "/practices/2", "/gps/2"],
            refused: ["/admin", "/organisations/2"]),
        Case(
            email: "mentor@demo.test", allowed: ["/organisations/1", "/practices/1", "/gps/1"],
            refused: ["/admin", "/organisations/2"]),
        Case(
            email: "practice@demo.test", allowed: ["/practices/1"],
            refused: ["/admin", "/organisations/1", "/practices/2", "/gps/1"]),
        Case(
            email: "gp@demo.test", allowed: ["/gps/1"],
            refused: ["/admin", "/organisations/1", "/practices/1", "/gps/2"]),
    ]

    @Test(arguments: cases)
    func eachRoleIsRefusedAnothersPages(_ testCase: Case) async throws {
        let environment = try await TestEnvironment()
        // A second organisation with a practice and a GP of its own, for cross-organisation checks.
        _ = try await environment.database.createOrganisation(
            OrganisationInput(code: "OTHER", name: "Other ICB"), by: .commandLine)
        try await environment.test { browser in
            try await browser.signIn(testCase.email)
            for path in testCase.allowed {
                let response = try await browser.request(path)
                #expect(response.status == .ok, "\(testCase.email) may open \(path)")
            }
            for path in testCase.refused {
                let response = try await browser.request(path)
                #expect(response.status == .forbidden, "\(testCase.email) is refused \(path)")
                #expect(response.text.contains("You do not have permission"))
            }
        }
    }

    @Test func signedOutVisitorsAreSentToSignInAndAPIClientsGet401() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            for path in ["/dashboard", "/admin", "/organisations/1", "/practices/1", "/gps/1"] {
                let response = try await browser.request(path)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location]?.hasPrefix("/sign-in?next=") == true)
            }
            for path in ["/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/1"] {
                let response = try await browser.request(path)
                #expect(response.status == .unauthorized, "\(path)")
                #expect(response.errorCode == "unauthenticated")
            }
        }
    }

    @Test func navigationOffersOnlyWhatTheRoleMayOpen() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let page = try await browser.request("/dashboard").text
            #expect(page.contains(#"href="/gps/1""#))
            #expect(!page.contains(#"href="/admin""#))
            #expect(!page.contains(#"href="/organisations/1""#))
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            for path in ["/sign-in", "/no-such-page", "/api/v1/me", "/static/sgpst.css"] {
                let response = try await browser.request(path)
                let policy = try #require(response.headers[.contentSecurityPolicy], "\(path)")
                #expect(policy.contains("script-src 'self'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(policy.contains("object-src 'none'"))
                #expect(policy.contains("base-uri 'none'"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.referrerPolicy] != nil)
            }
            let css = try await browser.request("/static/sgpst.css")
            #expect(css.status == .ok)
            #expect(css.text.contains(":focus"))
        }
    }

    @Test func pagesHaveNoInlineScript() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            for path in ["/dashboard", "/organisations/1", "/practices/1", "/gps/1", "/sign-in"] {
                let html = try await browser.request(path).text
                let scripts = html.components(separatedBy: "<script").dropFirst()
                #expect(scripts.allSatisfy { $0.hasPrefix(" src=") }, "\(path) has only external scripts")
                #expect(!html.contains(" onclick="))
            }
        }
    }
}
