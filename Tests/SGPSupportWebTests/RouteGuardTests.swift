import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Guards that must hold for every route the router has, enumerated from the router itself so a
/// route added later cannot slip past them.
@Suite struct RouteGuardTests {
    /// Every route of the application that serves, with each `:parameter` filled in.
    static func routes(_ environment: TestEnvironment) async throws -> [(method: HTTPRequest.Method, path: String)] {
        let router = try await buildRouter(configuration: environment.configuration, database: environment.database)
        return router.routes.map { route in
            let path =
                "/"
                + route.path.description.split(separator: "/").map { $0.hasPrefix(":") || $0.hasPrefix("{") ? "1" : String($0) }
                .joined(separator: "/")
            return (route.method, path)
        }
    }

    static let changesState: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    @Test func everyFormPostWithoutTheTokenIsRefusedBeforeItDoesAnything() async throws {
        let environment = try await TestEnvironment()
        let forms = try await Self.routes(environment).filter {
            Self.changesState.contains($0.method) && !$0.path.hasPrefix("/api/")
                // One-click unsubscribe (RFC 8058) is posted by mail providers: its 256-bit token is the capability.
                && !$0.path.hasPrefix("/unsubscribe/")
        }
        #expect(forms.count > 40, "the enumeration finds the form routes")
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            for route in forms {
                let response = try await browser.request(
                    route.path, method: route.method, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: "week=2026-W50&reason=test")
                #expect(response.status == .forbidden, "\(route.method) \(route.path) without a CSRF token")
                #expect(response.text.contains("did not come from this service"), "\(route.method) \(route.path)")
            }
        }
    }

    @Test func theAPINeverActsOnASessionCookieAlone() async throws {
        let environment = try await TestEnvironment()
        let api = try await Self.routes(environment).filter {
            Self.changesState.contains($0.method) && $0.path.hasPrefix("/api/v1/")
                // Signing in (and asking for a reset link) is how a client starts, with no credentials yet;
                // a feedback answer's credential is its single-use token in the path.
                && !($0.method == .post && ["/api/v1/session", "/api/v1/password-reset"].contains($0.path))
                && !$0.path.hasPrefix("/api/v1/feedback-answers/")
        }
        #expect(api.count > 30, "the enumeration finds the API routes")
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            for route in api {
                let response = try await browser.request(
                    route.path, method: route.method, headers: [.contentType: "application/json"], body: "{}")
                #expect(response.status == .unauthorized, "\(route.method) \(route.path) with only a cookie")
            }
        }
    }

    @Test func aBodyOverTwoMebibytesIsRefusedWithoutBeingRead() async throws {
        let environment = try await TestEnvironment()
        let huge = String(repeating: "x", count: 3 * 1024 * 1024)
        try await environment.test { browser in
            let api = try await APIClient(client: browser.client).send(
                "/api/v1/session", method: .post, json: #"{"email": "\#(huge)", "password": "p"}"#)
            #expect(api.status == .contentTooLarge)
            #expect(api.errorCode == "payload_too_large")
            try await browser.request("/join")
            let form = try await browser.submit("/join", ["name": huge])
            #expect(form.status == .contentTooLarge)
            #expect(form.text.contains("too large"))
        }
    }
}
