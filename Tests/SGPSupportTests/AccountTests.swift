import Foundation
import Testing

@testable import SGPSupport

@Suite struct AccountTests {
    let clock = TestClock()
    let database: AppDatabase

    init() async throws {
        database = try makeTestDatabase(clock: clock)
        _ = try await database.createOrganisation(OrganisationInput(code: "DEMO1", name: "Demo ICB"), by: .commandLine)
    }

    private func validationMessage(_ field: String, _ body: () async throws -> Void) async -> String? {
        do {
            try await body()
        } catch DomainError.validationFailed(let errors) {
            return errors[field]
        } catch {
            return "unexpected \(error)"
        }
        return nil
    }

    @Test func passwordRulesSayWhatToFix() async throws {
        let tooShort = await validationMessage("password") {
            _ = try await database.createUser(
                NewUserInput(email: "a@example.org", password: "short", role: .administrator), by: .commandLine)
        }
        #expect(tooShort?.contains("at least 10 characters") == true)

        let tooLong = await validationMessage("password") {
            _ = try await database.createUser(
                NewUserInput(email: "b@example.org", password: String(repeating: "x", count: 73), role: .administrator),
                by: .commandLine)
        }
        #expect(tooLong?.contains("at most 72 bytes") == true)

        let common = await validationMessage("password") {
            _ = try await database.createUser(
                NewUserInput(email: "c@example.org", password: "Password123", role: .administrator), by: .commandLine)
        }
        #expect(common?.contains("most common") == true)

        // 64 characters are allowed (ASVS), and accepted whole.
        let long = String(repeating: "ab", count: 32)
        _ = try await database.createUser(
            NewUserInput(email: "d@example.org", password: long, role: .administrator), by: .commandLine)
        _ = try await database.signIn(email: "d@example.org", password: long, from: "test", kind: .web)
        await #expect(throws: DomainError.invalidCredentials) {
            _ = try await database.signIn(email: "d@example.org", password: String(long.dropLast()), from: "test", kind: .web)
        }
    }

    /// bcrypt stops at a NUL byte, so "\0" and 14 more characters would have been stored as the
    /// empty password; tabs and line breaks are pastes gone wrong. One rule refuses them all.
    @Test(arguments: [
        "\0" + String(repeating: "x", count: 14), "tab\tseparated words", "line\nbreak words", "carriage\rreturn",
        "bell\u{07}and more", "next line\u{85}here",
    ])
    func aPasswordWithAControlCharacterIsRefused(_ password: String) async throws {
        let expected = "A password cannot contain control characters such as tabs or line breaks"
        #expect(PasswordPolicy.problem(with: password) == expected)
        let message = await validationMessage("password") {
            _ = try await database.createUser(
                NewUserInput(email: "a@example.org", password: password, role: .administrator), by: .commandLine)
        }
        #expect(message == expected)
        let users = try await database.read { db in try User.fetchCount(db) }
        #expect(users == 0)
        #expect(PasswordPolicy.problem(with: "spaces and accents are fine, café") == nil)
    }

    @Test func aPasswordCutShortAtANulByteNeverMatches() async {
        // A hash made before the rule, of a password bcrypt read as empty.
        let hasher = PasswordHasher(cost: 4)
        let emptyHash = await hasher.hash("")
        #expect(await hasher.verify("\0anything at all", against: emptyHash) == false)
        let real = await hasher.hash(validPassword)
        #expect(await hasher.verify(validPassword + "\0tail", against: real) == false)
        #expect(await hasher.verify(validPassword, against: real))
    }

    @Test func rolesMustNameWhatTheyApplyTo() async throws {
        let missing = await validationMessage("organisation") {
            _ = try await database.createUser(
                NewUserInput(email: "l@example.org", password: validPassword, role: .liaisonOfficer), by: .commandLine)
        }
        #expect(missing?.contains("Name the organisation") == true)
        let unknown = await validationMessage("practice") {
            _ = try await database.createUser(
                NewUserInput(email: "p@example.org", password: validPassword, role: .practiceManager, scopeReference: "Z99999"),
                by: .commandLine)
        }
        #expect(unknown == "No practice has the ODS code Z99999")
        let badEmail = await validationMessage("email") {
            _ = try await database.createUser(
                NewUserInput(email: "not-an-email", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
                by: .commandLine)
        }
        #expect(badEmail?.contains("right format") == true)
        // Nothing was half-created by the refused attempts.
        let users = try await database.read { db in try User.fetchCount(db) }
        #expect(users == 0)
    }

    @Test func emailsAreUniqueWhateverTheirCase() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "Helen@Example.org", password: validPassword, role: .liaisonOfficer, scopeReference: "demo1"),
            by: .commandLine)
        let duplicate = await validationMessage("email") {
            _ = try await database.createUser(
                NewUserInput(email: "helen@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
                by: .commandLine)
        }
        #expect(duplicate?.contains("already exists") == true)
        let session = try await database.signIn(email: "HELEN@example.org", password: validPassword, from: "test", kind: .web)
        #expect(session.principal.organisationIds(as: .liaisonOfficer).count == 1)
    }

    @Test func failedSignInsAreLimitedPerEmailAndPerAddress() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "m@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        for _ in 0..<5 {
            await #expect(throws: DomainError.invalidCredentials) {
                _ = try await database.signIn(email: "m@example.org", password: "wrong password", from: "10.0.0.1", kind: .web)
            }
        }
        // Even the right password is refused while the limit holds.
        await #expect(throws: DomainError.tooManyAttempts(retryAfterSeconds: 900)) {
            _ = try await database.signIn(email: "m@example.org", password: validPassword, from: "10.0.0.2", kind: .web)
        }
        clock.advance(by: 16 * 60)
        _ = try await database.signIn(email: "m@example.org", password: validPassword, from: "10.0.0.2", kind: .web)

        // One address trying many accounts is stopped too.
        var limits = SignInLimits()
        limits.failuresPerAddress = 3
        for index in 0..<3 {
            await #expect(throws: DomainError.invalidCredentials) {
                _ = try await database.signIn(
                    email: "nobody\(index)@example.org", password: "guess guess", from: "10.9.9.9", kind: .web, limits: limits)
            }
        }
        await #expect(throws: DomainError.tooManyAttempts(retryAfterSeconds: 900)) {
            _ = try await database.signIn(
                email: "m@example.org", password: validPassword, from: "10.9.9.9", kind: .web, limits: limits)
        }
    }

    /// Twenty wrong passwords sent at once: each attempt is counted before its slow check, so only
    /// the five the limit allows reach bcrypt and the rest are refused as too many.
    @Test func wrongPasswordsSentAtOnceAreCheckedNoMoreThanTheLimitAllows() async throws {
        let counter = BcryptCounter()
        let counted = try makeTestDatabase(clock: clock, passwords: counter.hasher)
        _ = try await counted.createUser(
            NewUserInput(email: "a@example.org", password: validPassword, role: .administrator), by: .commandLine)
        let before = counter.runs
        let outcomes = await withTaskGroup(of: DomainError?.self, returning: [DomainError?].self) { group in
            for index in 0..<20 {
                group.addTask {
                    do {
                        _ = try await counted.signIn(
                            email: "a@example.org", password: "wrong password \(index)", from: "10.0.1.\(index)", kind: .web)
                        return nil
                    } catch {
                        return error as? DomainError
                    }
                }
            }
            var all: [DomainError?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(counter.runs - before <= 5, "bcrypt ran \(counter.runs - before) times")
        #expect(outcomes.filter { $0 == .invalidCredentials }.count == 5)
        #expect(outcomes.filter { $0 == .tooManyAttempts(retryAfterSeconds: 900) }.count == 15)
        let failures = try await counted.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signInFailure") }
        #expect(failures == 5)
    }

    @Test func aRightPasswordLeavesNoFailureBehind() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "m@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        await #expect(throws: DomainError.invalidCredentials) {
            _ = try await database.signIn(email: "m@example.org", password: "wrong password", from: "10.0.0.1", kind: .web)
        }
        _ = try await database.signIn(email: "m@example.org", password: validPassword, from: "10.0.0.1", kind: .web)
        let failures = try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signInFailure") }
        #expect(failures == 0, "the attempt counted before the check is forgotten once the password proves right")
    }

    @Test func webSessionsEndAfterThirtyIdleMinutesAndTwelveHoursInAll() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "m@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        let idle = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .web)
        clock.advance(by: 29 * 60)
        #expect(try await database.activeSession(token: idle.token, kind: .web) != nil)
        clock.advance(by: 29 * 60)
        #expect(try await database.activeSession(token: idle.token, kind: .web) != nil, "activity restarts the idle clock")
        clock.advance(by: 31 * 60)
        #expect(try await database.activeSession(token: idle.token, kind: .web) == nil)

        // Used every 20 minutes all day: still alive at 11 h 40 min, gone at 12 h 00 min.
        let busy = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .web)
        for _ in 0..<35 {
            clock.advance(by: 20 * 60)
            #expect(try await database.activeSession(token: busy.token, kind: .web) != nil)
        }
        clock.advance(by: 20 * 60 + 1)
        #expect(try await database.activeSession(token: busy.token, kind: .web) == nil)
    }

    @Test func aWebSessionTokenIsNotAnAPITokenAndViceVersa() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "m@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        let web = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .web)
        let api = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .api)
        #expect(web.token != api.token)
        #expect(try await database.activeSession(token: web.token, kind: .api) == nil)
        #expect(try await database.activeSession(token: api.token, kind: .web) == nil)
        #expect(try await database.activeSession(token: api.token, kind: .api) != nil)
    }

    @Test func tokensAreStoredOnlyAsDigests() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "m@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        let issued = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .api)
        let stored = try await database.read { db in try String.fetchAll(db, sql: "SELECT tokenDigest FROM authSession") }
        #expect(stored == [SecretToken.digest(issued.token)])
        #expect(!stored.contains(issued.token))
    }

    @Test func disablingAUserEndsEverySessionAndRefusesSignIn() async throws {
        _ = try await database.createUser(
            NewUserInput(email: "m@example.org", password: validPassword, role: .mentor, scopeReference: "DEMO1"),
            by: .commandLine)
        let web = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .web)
        let api = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .api)
        try await database.disableUser(email: "m@example.org", by: .commandLine)
        #expect(try await database.activeSession(token: web.token, kind: .web) == nil)
        #expect(try await database.activeSession(token: api.token, kind: .api) == nil)
        await #expect(throws: DomainError.invalidCredentials) {
            _ = try await database.signIn(email: "m@example.org", password: validPassword, from: "test", kind: .web)
        }
    }
}

@Suite struct PasswordResetTests {
    @Test func aForgottenPasswordIsResetThroughASingleUseLinkThatLastsAnHour() async throws {
        let fixture = try await RegisterFixture()
        let database = fixture.database
        let mail = try await database.requestPasswordReset(email: " LO@example.org ", from: "10.0.0.9", links: testLinks)
        #expect(mail.map(\.to) == ["lo@example.org"])
        let text = try #require(mail.first?.text)
        #expect(text.contains("for 1 hour"))
        let range = try #require(text.range(of: #"set-password\?token=[A-Za-z0-9_-]+"#, options: .regularExpression))
        let token = String(text[range].dropFirst("set-password?token=".count))
        // Nothing tells an address with a sign-in from one without.
        #expect(try await database.requestPasswordReset(email: "nobody@example.org", from: "10.0.0.9", links: testLinks).isEmpty)
        #expect(
            try await database.completePasswordSetup(token: token, password: "a new long passphrase", from: "10.0.0.9")
                == "lo@example.org")
        _ = try await database.signIn(email: "lo@example.org", password: "a new long passphrase", from: "t", kind: .web)
        await #expect(throws: DomainError.self, "single use") {
            _ = try await database.completePasswordSetup(token: token, password: "another long passphrase", from: "10.0.0.9")
        }
        // A second link, unused for more than an hour, no longer works.
        let later = try await database.requestPasswordReset(email: "lo@example.org", from: "10.0.0.9", links: testLinks)
        let laterText = try #require(later.first?.text)
        let laterRange = try #require(laterText.range(of: #"set-password\?token=[A-Za-z0-9_-]+"#, options: .regularExpression))
        fixture.clock.advance(by: 3601)
        await #expect(throws: DomainError.self, "expired after an hour") {
            _ = try await database.completePasswordSetup(
                token: String(laterText[laterRange].dropFirst("set-password?token=".count)), password: "another long passphrase",
                from: "10.0.0.9")
        }
    }

    @Test func resetRequestsAreLimitedPerAddress() async throws {
        let fixture = try await RegisterFixture()
        var limits = SignInLimits()
        limits.failuresPerAddress = 3
        for _ in 0..<3 {
            _ = try await fixture.database.requestPasswordReset(
                email: "someone@example.org", from: "10.0.0.7", links: testLinks, limits: limits)
        }
        await #expect(throws: DomainError.tooManyAttempts(retryAfterSeconds: 900)) {
            _ = try await fixture.database.requestPasswordReset(
                email: "lo@example.org", from: "10.0.0.7", links: testLinks, limits: limits)
        }
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.requestPasswordReset(email: "not an email", from: "10.0.0.8", links: testLinks)
        }
        // Requests lock nobody's sign-in, and one address gets at most three links in the window.
        _ = try await fixture.database.signIn(email: "lo@example.org", password: validPassword, from: "10.0.0.7", kind: .web)
        var sent = 0
        for address in ["10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4"] {
            sent += try await fixture.database.requestPasswordReset(email: "lo@example.org", from: address, links: testLinks)
                .count
        }
        #expect(sent == 3)
    }
}
