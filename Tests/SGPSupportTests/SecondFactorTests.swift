import Foundation
import GRDB
import HummingbirdOTP
import Testing

@testable import SGPSupport

/// The authenticator code that sign-ins seeing confidential records need (TOTP, each code once).
@Suite struct SecondFactorTests {
    let clock = TestClock()
    let database: AppDatabase

    init() async throws {
        database = try makeTestDatabase(clock: clock, secondFactorRoles: Role.needingSecondFactor)
        _ = try await database.createOrganisation(OrganisationInput(code: "DEMO1", name: "Demo ICB"), by: .commandLine)
        _ = try await database.createUser(
            NewUserInput(email: "lo@example.org", password: validPassword, role: .liaisonOfficer, scopeReference: "DEMO1"),
            by: .commandLine)
    }

    /// What the person's authenticator app shows at `date`, from the secret the set-up page gave them.
    private func appCode(_ email: String, at date: Date) async throws -> String {
        let secret = try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT secret FROM secondFactor JOIN user ON user.id = secondFactor.userId WHERE user.email = ?",
                arguments: [email])
        }
        let value = TOTP(secret: try #require(secret)).compute(date: date)
        return String(format: "%06d", value)
    }

    private func challenge(_ email: String = "lo@example.org") async throws -> String {
        let outcome = try await database.beginSignIn(email: email, password: validPassword, from: "test", kind: .web)
        guard case .secondFactorNeeded(let challenge) = outcome else {
            Issue.record("a liaison officer's password alone opened a session")
            throw DomainError.invalidCredentials
        }
        return challenge
    }

    @Test func aLiaisonOfficerSetsUpTheAppAtFirstSignInAndEachCodeWorksOnce() async throws {
        let first = try await challenge()
        let setUp = try #require(try await database.secondFactorPrompt(challenge: first))
        let key = try #require(setUp.setUpKey)
        #expect(key.split(separator: " ").allSatisfy { $0.count <= 4 })
        #expect(setUp.setUpLink?.hasPrefix("otpauth://totp/") == true)

        await #expect(throws: DomainError.invalidSecondFactorCode) {
            _ = try await database.completeSignIn(challenge: first, code: "000000", from: "test")
        }
        let code = try await appCode("lo@example.org", at: clock.now)
        let session = try await database.completeSignIn(challenge: first, code: code, from: "test")
        #expect(session.principal.holds(.liaisonOfficer))
        // The challenge is spent with the sign-in.
        await #expect(throws: DomainError.self) {
            _ = try await database.completeSignIn(challenge: first, code: code, from: "test")
        }

        // Confirmed: the key is never shown again, and the same code does not open a second session.
        let second = try await challenge()
        #expect(try await database.secondFactorPrompt(challenge: second)?.setUpKey == nil)
        await #expect(throws: DomainError.invalidSecondFactorCode) {
            _ = try await database.completeSignIn(challenge: second, code: code, from: "test")
        }
        clock.advance(by: 30)
        let next = try await appCode("lo@example.org", at: clock.now)
        _ = try await database.completeSignIn(challenge: second, code: next, from: "test")
    }

    @Test func aPhoneClockOneStepOutIsForgivenTwoStepsIsNot() async throws {
        let first = try await challenge()
        _ = try await database.completeSignIn(
            challenge: first, code: try await appCode("lo@example.org", at: clock.now), from: "test")
        clock.advance(by: 120)
        let late = try await challenge()
        await #expect(throws: DomainError.invalidSecondFactorCode) {
            _ = try await database.completeSignIn(
                challenge: late, code: try await appCode("lo@example.org", at: clock.now - 60), from: "test")
        }
        _ = try await database.completeSignIn(
            challenge: late, code: try await appCode("lo@example.org", at: clock.now - 30), from: "test")
    }

    @Test func theAPINeedsTheCodeInTheSameRequest() async throws {
        await #expect(throws: DomainError.secondFactorNotSetUp) {
            _ = try await database.signIn(email: "lo@example.org", password: validPassword, from: "test", kind: .api)
        }
        let web = try await challenge()
        _ = try await database.completeSignIn(
            challenge: web, code: try await appCode("lo@example.org", at: clock.now), from: "test")
        clock.advance(by: 30)
        await #expect(throws: DomainError.secondFactorNeeded) {
            _ = try await database.signIn(email: "lo@example.org", password: validPassword, from: "test", kind: .api)
        }
        let token = try await database.signIn(
            email: "lo@example.org", password: validPassword, code: try await appCode("lo@example.org", at: clock.now),
            from: "test", kind: .api)
        #expect(try await database.activeSession(token: token.token, kind: .api) != nil)
    }

    @Test func practiceManagersAndGPsSignInWithTheirPasswordAlone() async throws {
        let organisation = try #require(try await database.organisation(code: "DEMO1"))
        var practice = PracticeInput()
        practice.odsCode = "Z12345"
        practice.name = "Elm Surgery"
        practice.locality = "North"
        _ = try await database.createPractice(organisationId: organisation.id!, practice, by: .commandLine)
        _ = try await database.createUser(
            NewUserInput(email: "pm@example.org", password: validPassword, role: .practiceManager, scopeReference: "Z12345"),
            by: .commandLine)
        let session = try await database.signIn(email: "pm@example.org", password: validPassword, from: "test", kind: .web)
        #expect(session.principal.holds(.practiceManager))
    }

    @Test func guessingCodesMeetsTheSignInLimit() async throws {
        let limits = SignInLimits()
        let attempt = try await challenge()
        for _ in 0..<limits.failuresPerEmail {
            await #expect(throws: DomainError.invalidSecondFactorCode) {
                _ = try await database.completeSignIn(challenge: attempt, code: "123456", from: "10.0.0.9")
            }
        }
        let right = try await appCode("lo@example.org", at: clock.now)
        await #expect(throws: DomainError.tooManyAttempts(retryAfterSeconds: Int(limits.window))) {
            _ = try await database.completeSignIn(challenge: attempt, code: right, from: "10.0.0.9")
        }
    }

    /// Sets up the authenticator, then fails the password five times from five addresses, as anyone
    /// who knows the email could; the next step of the app's codes is current afterwards.
    private func lockedByWrongPasswords() async throws {
        let first = try await challenge()
        _ = try await database.completeSignIn(
            challenge: first, code: try await appCode("lo@example.org", at: clock.now), from: "test")
        clock.advance(by: 30)
        for index in 0..<SignInLimits().failuresPerEmail {
            await #expect(throws: DomainError.invalidCredentials) {
                _ = try await database.beginSignIn(
                    email: "lo@example.org", password: "not the password", from: "198.51.100.\(index)", kind: .web)
            }
        }
    }

    @Test func aLockedStaffSignInOpensWithTheRightPasswordAndAValidCode() async throws {
        try await lockedByWrongPasswords()
        let locked = DomainError.tooManyAttempts(retryAfterSeconds: 900)
        await #expect(throws: locked) {
            _ = try await database.beginSignIn(email: "lo@example.org", password: validPassword, from: "test", kind: .web)
        }
        let code = try await appCode("lo@example.org", at: clock.now)
        // Without the password, or without the phone, the answer is the lock's whichever was wrong.
        await #expect(throws: locked) {
            _ = try await database.beginSignIn(
                email: "lo@example.org", password: "not the password", code: code, from: "test", kind: .web)
        }
        await #expect(throws: locked) {
            _ = try await database.beginSignIn(
                email: "lo@example.org", password: validPassword, code: "000000", from: "test", kind: .web)
        }
        let outcome = try await database.beginSignIn(
            email: "lo@example.org", password: validPassword, code: code, from: "test", kind: .web)
        #expect(outcome.session?.principal.holds(.liaisonOfficer) == true)
        // Signing in forgets the failures: the password alone leads to the code step again.
        _ = try await challenge()
    }

    @Test func whilePasswordsAreLockedWrongCodesStillMeetTheirLimit() async throws {
        try await lockedByWrongPasswords()
        let locked = DomainError.tooManyAttempts(retryAfterSeconds: 900)
        for _ in 0..<SignInLimits().failuresPerEmail {
            await #expect(throws: locked) {
                _ = try await database.signIn(
                    email: "lo@example.org", password: validPassword, code: "000000", from: "test", kind: .api)
            }
        }
        let code = try await appCode("lo@example.org", at: clock.now)
        await #expect(throws: locked) {
            _ = try await database.signIn(email: "lo@example.org", password: validPassword, code: code, from: "test", kind: .api)
        }
    }

    @Test func aChallengeExpiresAfterFiveMinutes() async throws {
        let attempt = try await challenge()
        clock.advance(by: 5 * 60 + 1)
        #expect(try await database.secondFactorPrompt(challenge: attempt) == nil)
        await #expect(throws: DomainError.self) {
            _ = try await database.completeSignIn(
                challenge: attempt, code: try await appCode("lo@example.org", at: clock.now), from: "test")
        }
    }

    @Test func aResetShowsANewKeyAtTheNextSignIn() async throws {
        let first = try await challenge()
        let oldKey = try #require(try await database.secondFactorPrompt(challenge: first)?.setUpKey)
        _ = try await database.completeSignIn(
            challenge: first, code: try await appCode("lo@example.org", at: clock.now), from: "test")

        try await database.resetSecondFactor(email: "LO@example.org", by: .commandLine)
        let again = try await challenge()
        let newKey = try #require(try await database.secondFactorPrompt(challenge: again)?.setUpKey)
        #expect(newKey != oldKey)
        await #expect(throws: DomainError.notFound("There is no sign-in for nobody@example.org.")) {
            try await database.resetSecondFactor(email: "nobody@example.org", by: .commandLine)
        }
    }
}
