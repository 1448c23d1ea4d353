import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

@Suite struct SignInTests {
    @Test func aLiaisonOfficerSignsInAndSeesTheirDashboard() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let form = try await browser.request("/sign-in")
            #expect(form.status == .ok)
            #expect(form.text.contains("<h1>Sign in</h1>"))
            let signedIn = try await browser.submit("/sign-in", ["email": "liaison@demo.test", "password": demoPassword])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/dashboard")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("sgpst_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"), "plain http base URL: no Secure flag")

            let dashboard = try await browser.request("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("Helen Marsh"))
            #expect(dashboard.text.contains("Wealdmoor Integrated Care Board"))
            #expect(dashboard.text.contains("Applicants waiting"))
            #expect(dashboard.headers[.cacheControl] == "no-store")
        }
    }

    @Test func everyDemoRoleReachesItsDashboard() async throws {
        let environment = try await TestEnvironment()
        let expected = [
            "admin@demo.test": "Administration", "mentor@demo.test": "Mentor · DEMO1",
            "practice@demo.test": "ODS code Z90001", "gp@demo.test": "GMC number 9900001",
        ]
        for (email, text) in expected {
            try await environment.test { browser in
                try await browser.signIn(email)
                let dashboard = try await browser.request("/dashboard")
                #expect(dashboard.status == .ok)
                #expect(dashboard.text.contains(text), "\(email) sees \(text)")
            }
        }
    }

    @Test func aWrongPasswordIsRefusedWithTheErrorPatternAndTheEmailKept() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let response = try await browser.submit("/sign-in", ["email": "liaison@demo.test", "password": "not the password"])
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("There is a problem"))
            #expect(response.text.contains(##"<a href="#email">Enter a correct email address and password</a>"##))
            #expect(response.text.contains(#"value="liaison@demo.test""#))
            #expect(response.text.contains("<title>Error: Sign in"))
            #expect(browser.cookies["sgpst_session"] == nil)
            let dashboard = try await browser.request("/dashboard")
            #expect(dashboard.status == .seeOther)
            #expect(dashboard.headers[.location] == "/sign-in?next=/dashboard")
        }
    }

    @Test func anEmptyFormSaysWhatEachFieldNeeds() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let response = try await browser.submit("/sign-in", [:])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains(##"<a href="#email">Enter your email address</a>"##))
            #expect(response.text.contains(##"<a href="#password">Enter your password</a>"##))
            #expect(response.text.contains(#"id="password-error""#))
        }
    }

    @Test func repeatedFailuresAreLimited() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            for _ in 0..<5 {
                try await browser.submit("/sign-in", ["email": "mentor@demo.test", "password": "wrong password"])
            }
            let limited = try await browser.submit("/sign-in", ["email": "mentor@demo.test", "password": demoPassword])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "900")
            #expect(limited.text.contains("Too many failed sign-ins"))
        }
    }

    @Test func aPostWithoutTheCSRFTokenIsRefused() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let noToken = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword], csrf: false)
            #expect(noToken.status == .forbidden)
            #expect(noToken.text.contains("This form has expired"))
            #expect(browser.cookies["sgpst_session"] == nil)

            try await browser.signIn("liaison@demo.test")
            let forgedSignOut = try await browser.submit("/sign-out", ["_csrf": "forged"], csrf: false)
            #expect(forgedSignOut.status == .forbidden)
            #expect(try await browser.request("/dashboard").status == .ok, "still signed in")
        }
    }

    @Test func aPostFromAnotherOriginIsRefusedEvenWithTheToken() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let response = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword], headers: [.origin: "https://evil.example"])
            #expect(response.status == .forbidden)
            #expect(browser.cookies["sgpst_session"] == nil)
        }
    }

    @Test func signInIssuesANewSessionIdAndSignOutEndsIt() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            // A session id planted before sign-in (session fixation) is never the one issued.
            browser.setCookie("sgpst_session", "planted-by-someone-else")
            try await browser.signIn("mentor@demo.test")
            let first = try #require(browser.cookies["sgpst_session"])
            #expect(first != "planted-by-someone-else")

            try await browser.request("/dashboard")
            let signOut = try await browser.submit("/sign-out", [:])
            #expect(signOut.status == .seeOther)
            #expect(browser.cookies["sgpst_session"] == nil)
            #expect(try await environment.database.activeSession(token: first, kind: .web) == nil)
            // A copy of the cookie kept elsewhere no longer opens anything.
            browser.setCookie("sgpst_session", first)
            #expect(try await browser.request("/dashboard").status == .seeOther)

            try await browser.signIn("mentor@demo.test")
            let second = try #require(browser.cookies["sgpst_session"])
            #expect(second != first)
        }
    }

    @Test func signingOutEndsTheUsersSessionsEverywhere() async throws {
        let environment = try await TestEnvironment()
        let otherDevice = try await environment.database.signIn(
            email: "mentor@demo.test", password: demoPassword, from: "phone", kind: .web)
        try await environment.test { browser in
            try await browser.signIn("mentor@demo.test")
            try await browser.request("/dashboard")
            try await browser.submit("/sign-out", [:])
        }
        #expect(try await environment.database.activeSession(token: otherDevice.token, kind: .web) == nil)
    }

    @Test func aSessionSurvivesAServerRestart() async throws {
        let first = try await TestEnvironment()
        let cookie = try await first.test { browser in
            try await browser.signIn("practice@demo.test")
            return try #require(browser.cookies["sgpst_session"])
        }
        // A new process: a new AppDatabase and a new application over the same file.
        let restarted = try await TestEnvironment(path: first.path)
        try await restarted.test { browser in
            browser.setCookie("sgpst_session", cookie)
            let dashboard = try await browser.request("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("Janet Cole"))
        }
    }

    @Test func afterSignInOnlyALocalPathIsFollowed() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in?next=/organisations/1")
            let local = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword, "next": "/organisations/1"])
            #expect(local.headers[.location] == "/organisations/1")
            try await browser.request("/dashboard")
            try await browser.submit("/sign-out", [:])
            try await browser.request("/sign-in")
            let elsewhere = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword, "next": "//evil.example/"])
            #expect(elsewhere.headers[.location] == "/dashboard")
        }
    }

    @Test(arguments: [
        "/%09/evil.example", "//evil", "/\\evil", "/%2F%2Fevil", "/%5Cevil", "https://evil", "/\t/evil", "/", "", "evil",
        "/%zz",
    ])
    func aNextThatCouldLeaveTheSiteIsNotFollowed(_ next: String) {
        #expect(SessionController.safeNext(next) == nil)
    }

    @Test(arguments: ["/ok/path?x=1", "/dashboard", "/sessions/12", "/gps?q=%C3%A9", "/%7Euser"])
    func aLocalPathIsFollowedAsItCame(_ next: String) {
        #expect(SessionController.safeNext(next) == next)
    }

    @Test func aNextWithAnEscapedTabIsNotFollowedAfterSignIn() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let response = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword, "next": "/%09/evil.example"])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/dashboard")
        }
    }

    @Test func httpsBaseURLMakesCookiesSecureAndSendsHSTS() async throws {
        var environment = try await TestEnvironment()
        environment.configuration.baseURL = URL(string: "https://sgpst.example.org")
        try await environment.test { browser in
            let page = try await browser.request("/sign-in")
            #expect(page.headers[.strictTransportSecurity]?.contains("max-age=") == true)
            let response = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword],
                headers: [.origin: "https://sgpst.example.org"])
            #expect(response.status == .seeOther)
            #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("sgpst_session=") && $0.contains("Secure") })
        }
    }

    @Test func aMalformedFormBodyIsAnsweredNotACrash() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let token = try #require(browser.csrfToken)
            let response = try await browser.request(
                "/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: "_csrf=\(token)&email=%zz&password=%E0%A4%A")
            #expect(response.status == .unauthorized)
            #expect(try await browser.request("/healthz").status == .ok)
        }
    }
}

@Suite struct PasswordResetWebTests {
    /// Every role can reset a forgotten password from the sign-in page: the same answer whether or
    /// not the address exists, a link by email, a new password, signed in with it.
    @Test func everyRoleResetsAForgottenPasswordByEmail() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let emails = [
                "admin@demo.test", "liaison@demo.test", "mentor@demo.test", "supervisor@demo.test", "practice@demo.test",
                "gp@demo.test",
            ]
            let signInPage = try await browser.request("/sign-in")
            #expect(signInPage.text.contains("href=\"/password-reset\""))
            try await browser.request("/password-reset")
            let unknown = try await browser.submit("/password-reset", ["email": "nobody@demo.test"])
            #expect(unknown.status == .ok && unknown.text.contains("If that address has a sign-in here"))
            for email in emails {
                try await browser.request("/password-reset")
                let sent = try await browser.submit("/password-reset", ["email": email])
                #expect(sent.text == unknown.text, "the same answer for \(email)")
                let message = try #require(environment.mailbox.sent.last { $0.to == email && $0.subject.hasPrefix("Reset") })
                let range = try #require(
                    message.text.range(of: #"/set-password\?token=[A-Za-z0-9_-]+"#, options: .regularExpression))
                let path = String(message.text[range])
                let form = try await browser.request(path)
                #expect(form.status == .ok, "\(email)'s link opens the form")
                let token = String(path.dropFirst("/set-password?token=".count))
                let saved = try await browser.submit(
                    "/set-password",
                    ["token": token, "password": "a brand new passphrase", "confirmPassword": "a brand new passphrase"])
                #expect(saved.headers[.location] == "/sign-in", "\(email) chose a new password")
                let visitor = Browser(browser.client)
                try await visitor.signIn(email, password: "a brand new passphrase")
            }
            let api = try await APIClient(client: browser.client).send(
                "/api/v1/password-reset", method: .post, json: #"{"email": "nobody@demo.test"}"#)
            #expect(api.status == .ok && api.json["status"] as? String == "sent")
        }
    }
}
