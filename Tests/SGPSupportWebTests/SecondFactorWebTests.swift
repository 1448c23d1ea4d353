import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Sign-ins that see confidential records take a code from an authenticator app, on the page and in the API.
@Suite struct SecondFactorWebTests {
    /// The code the demo's authenticator app shows now (the demo staff share one key).
    static func demoCode(at date: Date = Date()) throws -> String {
        let seeds =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: repositoryRoot.appendingPathComponent("seeds/demo.json"))) as? [String: Any]
        let secret = try #require(seeds?["secondFactorSecret"] as? String)
        return String(format: "%06d", TOTP(secret: secret).compute(date: date))
    }

    @Test func theLiaisonOfficersPasswordAloneOpensNothingUntilTheCodeIsEntered() async throws {
        let environment = try await TestEnvironment(secondFactor: true)
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let password = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword, "next": "/gps"])
            #expect(password.status == .seeOther)
            #expect(password.headers[.location] == "/sign-in/code?next=%2Fgps")
            #expect(browser.cookies["sgpst_session"] == nil)
            let challengeCookie = try #require(password.headers[values: .setCookie].first { $0.hasPrefix("sgpst_sign_in=") })
            #expect(challengeCookie.contains("HttpOnly") && challengeCookie.contains("SameSite=Strict"))
            #expect(try await browser.request("/gps").status == .seeOther, "no session before the code")

            let page = try await browser.request("/sign-in/code?next=%2Fgps")
            #expect(page.text.contains("<h1>Enter your code</h1>"))
            #expect(!page.text.contains("setup-key"), "a confirmed authenticator's key is never shown again")

            let wrong = try await browser.submit("/sign-in/code", ["code": "000000", "next": "/gps"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("That code is not right or was already used"))
            #expect(browser.cookies["sgpst_session"] == nil)

            let code = try Self.demoCode()
            let right = try await browser.submit("/sign-in/code", ["code": code, "next": "/gps"])
            #expect(right.status == .seeOther)
            #expect(right.headers[.location] == "/gps")
            #expect(try await browser.request("/gps").status == .ok)

            // The same code a second time, from another browser: refused.
            let other = Browser(browser.client)
            try await other.request("/sign-in")
            try await other.submit("/sign-in", ["email": "liaison@demo.test", "password": demoPassword])
            try await other.request("/sign-in/code")
            let reused = try await other.submit("/sign-in/code", ["code": code])
            #expect(reused.status == .unauthorized)
            #expect(other.cookies["sgpst_session"] == nil)
        }
    }

    @Test func aNewMentorIsShownTheKeyToSetUpAndConfirmsItWithACode() async throws {
        let environment = try await TestEnvironment(secondFactor: true)
        _ = try await environment.database.createUser(
            NewUserInput(email: "new.mentor@demo.test", password: demoPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        try await environment.test { browser in
            try await browser.request("/sign-in")
            try await browser.submit("/sign-in", ["email": "new.mentor@demo.test", "password": demoPassword])
            let page = try await browser.request("/sign-in/code")
            #expect(page.text.contains("<h1>Set up your authenticator app</h1>"))
            let link = try #require(
                page.text.range(of: #"otpauth://totp/[^"]+"#, options: .regularExpression).map { String(page.text[$0]) })
            let base32 = try #require(
                URLComponents(string: link.replacingOccurrences(of: "&amp;", with: "&"))?
                    .queryItems?.first { $0.name == "secret" }?.value)
            let secret = try #require(Self.base32Decoded(base32))
            let code = String(format: "%06d", TOTP(secret: secret).compute(date: Date()))
            let done = try await browser.submit("/sign-in/code", ["code": code])
            #expect(done.status == .seeOther)
            #expect(try await browser.request("/dashboard").text.contains("Mentor"))
        }
    }

    @Test func theAPIAsksForTheCodeAndPracticeManagersNeedNone() async throws {
        let environment = try await TestEnvironment(secondFactor: true)
        try await environment.test { browser in
            let api = APIClient(client: browser.client)
            let withoutCode = try await api.send(
                "/api/v1/session", method: .post, json: #"{"email": "mentor@demo.test", "password": "\#(demoPassword)"}"#)
            #expect(withoutCode.status == .unauthorized)
            #expect(withoutCode.errorCode == "second_factor_required")
            let code = try Self.demoCode()
            let withCode = try await api.send(
                "/api/v1/session", method: .post,
                json: #"{"email": "mentor@demo.test", "password": "\#(demoPassword)", "code": "\#(code)"}"#)
            #expect(withCode.status == .created)
            let again = try await api.send(
                "/api/v1/session", method: .post,
                json: #"{"email": "mentor@demo.test", "password": "\#(demoPassword)", "code": "\#(code)"}"#)
            #expect(again.errorCode == "invalid_code")

            let practice = try await api.send(
                "/api/v1/session", method: .post, json: #"{"email": "practice@demo.test", "password": "\#(demoPassword)"}"#)
            #expect(practice.status == .created)
            try await browser.request("/sign-in")
            let signedIn = try await browser.submit("/sign-in", ["email": "gp@demo.test", "password": demoPassword])
            #expect(signedIn.headers[.location] == "/dashboard")
        }
    }

    /// Five wrong passwords (anyone who knows the email can send them) lock the password alone: the
    /// page then offers the code field, and the password with the code still signs the officer in.
    @Test func aLockedStaffSignInOpensWithThePasswordAndTheCodeTogether() async throws {
        let environment = try await TestEnvironment(secondFactor: true)
        try await environment.test { browser in
            try await browser.request("/sign-in")
            for _ in 0..<5 {
                let wrong = try await browser.submit("/sign-in", ["email": "liaison@demo.test", "password": "not the password"])
                #expect(wrong.status == .unauthorized)
            }
            let locked = try await browser.submit("/sign-in", ["email": "liaison@demo.test", "password": demoPassword])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.text.contains(#"name="code""#))
            let guessed = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": "not the password", "code": try Self.demoCode()])
            #expect(guessed.status == .tooManyRequests, "a right code with a wrong password tells nothing")
            let signedIn = try await browser.submit(
                "/sign-in", ["email": "liaison@demo.test", "password": demoPassword, "code": try Self.demoCode(), "next": "/gps"])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/gps")
            #expect(try await browser.request("/gps").status == .ok)
        }
    }

    /// RFC 4648 base32, as the set-up link carries the secret.
    static func base32Decoded(_ text: String) -> String? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | index
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((value >> bits) & 0xFF))
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
