import Foundation
import GRDB
import Testing

@testable import SGPSupport

@Suite struct RegisterImportTests {
    let header = "name,gmcNumber,kind,email,phone,postcode,localities,skills,usualRate,mailshotConsent"

    @Test func aValidFileUpsertsByGMCNumber() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "Dr Old Name")
        let csv = """
            \(header)
            Dr New Name,1111111,salaried,new@example.org,01632 960001,AB1 2CD,Ashby Vale;Brookmere,minor-surgery,95.50,true
            Dr Second,2222222,freelance,second@example.org,,,Brookmere,,,no
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(report == ImportReport(created: 1, updated: 1, problems: [], dryRun: false))
        let page = try await fixture.database.gps(organisationId: fixture.organisationId, filter: GPFilter(), page: PageRequest())
        let renamed = try #require(page.items.first { $0.gp.gmcNumber == "1111111" }?.gp)
        #expect(renamed.name == "Dr New Name")
        #expect(renamed.localities == ["Ashby Vale", "Brookmere"])
        #expect(renamed.usualRatePence == 9550)
        #expect(page.total == 2)
    }

    @Test func anyInvalidRowImportsNothingAndEveryProblemIsListedByLine() async throws {
        let fixture = try await RegisterFixture()
        let csv = """
            \(header)
            Dr Fine,1111111,freelance,fine@example.org,,,,,,
            Dr Bad Number,12AB,freelance,bad@example.org,,,,,,
            ,3333333,partner,also-bad,,,,,,maybe
            Dr Twice,1111111,freelance,,,,,,,
            """
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(!report.applied)
        #expect(
            report.problems.map(\.description) == [
                "line 3, gmcNumber: Enter the GMC reference number: exactly 7 digits, like 1234567",
                "line 4, mailshotConsent: Enter true or false",
                "line 4, name: Enter the GP's full name (up to 120 characters)",
                "line 4, kind: Choose how they work: Freelance / locum, Salaried, Retainer scheme or Returner",
                "line 4, email: Enter an email address in the right format, like name@example.org",
                "line 5, gmcNumber: GMC number 1111111 is also on line 2",
            ])
        let count = try await fixture.database.read { db in try GP.fetchCount(db) }
        #expect(count == 0, "the valid first row was not kept either")
    }

    @Test func aDryRunReportsWithoutWriting() async throws {
        let fixture = try await RegisterFixture()
        let csv = "\(header)\nDr Fine,1111111,freelance,fine@example.org,,,,,,\n"
        let report = try await fixture.database.importGPs(
            organisationId: fixture.organisationId, csv: csv, dryRun: true, by: fixture.liaison)
        #expect(report.created == 1)
        #expect(!report.applied)
        let count = try await fixture.database.read { db in try GP.fetchCount(db) }
        #expect(count == 0)
    }

    @Test func unknownOrMissingColumnsAreNamed() async throws {
        let fixture = try await RegisterFixture()
        let errors = await validationErrors {
            _ = try await fixture.database.importGPs(
                organisationId: fixture.organisationId, csv: "name,favouriteColour\nDr X,blue\n", dryRun: false,
                by: fixture.liaison)
        }
        let message = try #require(errors?["file"])
        #expect(message.contains("missing column(s) gmcNumber"))
        #expect(message.contains("unknown column(s) favouriteColour"))
    }

    @Test func theExportRoundTripsAndGuardsAgainstFormulas() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "=HYPERLINK(\"http://evil\")") {
            $0.phone = "+44 1632 960002"
            $0.skills = ["minor-surgery", "coil-fitting"]
            $0.localities = ["Brookmere"]
            $0.usualRate = 88
            $0.lastAppraisalOn = "2026-03-01"
            $0.mailshotConsent = true
        }
        _ = try await fixture.addGP("2222222", name: "Dr Plain, With Comma")
        let exported = try await fixture.database.exportGPs(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(exported.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""))
        #expect(exported.contains("'+44 1632 960002"))

        // Into a fresh organisation's register, then out again: the same file.
        let other = try await RegisterFixture()
        let report = try await other.database.importGPs(
            organisationId: other.organisationId, csv: exported, dryRun: false, by: other.liaison)
        #expect(report.problems == [])
        #expect(report.created == 2)
        let again = try await other.database.exportGPs(organisationId: other.organisationId, by: other.liaison)
        #expect(again == exported)
    }

    @Test func practicesImportAndRoundTrip() async throws {
        let fixture = try await RegisterFixture()
        let csv = """
            odsCode,name,address,postcode,locality,phone,email,clinicalSystem
            a81003,Heathside Surgery,"1 High Street, Castlewick",CW1 1AA,Castlewick,01632 960100,heathside@example.org,EMIS Web
            A81001,Renamed Practice,,,Ashby Vale,,,
            """
        let report = try await fixture.database.importPractices(
            organisationId: fixture.organisationId, csv: csv, dryRun: false, by: fixture.liaison)
        #expect(report == ImportReport(created: 1, updated: 1, problems: [], dryRun: false))
        let exported = try await fixture.database.exportPractices(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(exported.contains("A81003,Heathside Surgery,\"1 High Street, Castlewick\",CW1 1AA,Castlewick"))
        let bad = try await fixture.database.importPractices(
            organisationId: fixture.organisationId, csv: "odsCode,name,locality\nXX1,Bad,Here\n", dryRun: false,
            by: fixture.liaison)
        #expect(bad.problems.map(\.description) == ["line 2, odsCode: Enter the ODS code: a letter and 5 digits, like A81001"])
    }

    @Test func theMailingListHoldsOnlyConsentingActiveGPs() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1111111", name: "Dr Yes") {
            $0.email = "yes@example.org"
            $0.mailshotConsent = true
        }
        _ = try await fixture.addGP("2222222", name: "Dr No") { $0.email = "no@example.org" }
        _ = try await fixture.addGP("3333333", name: "Dr Left") {
            $0.email = "left@example.org"
            $0.mailshotConsent = true
            $0.status = "left"
        }
        let list = try await fixture.database.exportMailingList(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(list.contains("yes@example.org"))
        #expect(!list.contains("no@example.org"))
        #expect(!list.contains("left@example.org"))
    }
}

@Suite struct SelfRegistrationTests {
    @Test func anApplicantIsApprovedAndSetsAPassword() async throws {
        let fixture = try await RegisterFixture()
        var input = GPInput()
        input.name = "Dr Keen"
        input.gmcNumber = "5555555"
        input.email = "keen@example.org"
        input.status = "active"  // ignored: an application is always an applicant
        let applicant = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        #expect(applicant.status == .applicant)

        let invite = try await fixture.database.approveApplicant(gpId: applicant.id!, by: fixture.liaison)
        #expect(invite.email == "keen@example.org")
        #expect(try await fixture.database.gp(id: applicant.id!)?.status == .active)
        await #expect(throws: DomainError.invalidCredentials) {
            _ = try await fixture.database.signIn(email: "keen@example.org", password: "anything at all", from: "t", kind: .web)
        }
        let email = try await fixture.database.completePasswordSetup(
            token: invite.token, password: "my new passphrase", from: "10.0.0.1")
        #expect(email == "keen@example.org")
        let session = try await fixture.database.signIn(
            email: "keen@example.org", password: "my new passphrase", from: "t", kind: .web)
        #expect(session.principal.gpId == applicant.id)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.completePasswordSetup(
                token: invite.token, password: "another passphrase", from: "10.0.0.1")
        }
    }

    @Test func theSetPasswordLinkTakesTheOnePasswordRule() async throws {
        let fixture = try await RegisterFixture()
        var input = GPInput()
        input.name = "Dr Paste"
        input.gmcNumber = "5555557"
        input.email = "paste@example.org"
        let applicant = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        let invite = try await fixture.database.approveApplicant(gpId: applicant.id!, by: fixture.liaison)
        let errors = await validationErrors {
            _ = try await fixture.database.completePasswordSetup(
                token: invite.token, password: "my new\tpassphrase", from: "10.0.0.1")
        }
        #expect(errors?["password"] == "A password cannot contain control characters such as tabs or line breaks")
        #expect(try await fixture.database.passwordSetupIsValid(token: invite.token), "the link still works")
    }

    /// A link that does not work is refused before any bcrypt, and counts as a failed sign-in of the
    /// address, so guessing links meets the sign-in limit.
    @Test func aBadSetPasswordLinkCostsNoHashingAndGuessesAreLimited() async throws {
        let counter = BcryptCounter()
        let database = try makeTestDatabase(passwords: counter.hasher)
        var limits = SignInLimits()
        limits.failuresPerAddress = 3
        for index in 0..<3 {
            await #expect(throws: DomainError.self) {
                _ = try await database.completePasswordSetup(
                    token: "guess-\(index)", password: "a fine passphrase", from: "10.0.0.7", limits: limits)
            }
        }
        #expect(counter.runs == 0, "no password was hashed for a bad link")
        await #expect(throws: DomainError.tooManyAttempts(retryAfterSeconds: 900)) {
            _ = try await database.completePasswordSetup(
                token: "guess-4", password: "a fine passphrase", from: "10.0.0.7", limits: limits)
        }
        let expired = DomainError.notFound("This link has expired or has been used. Ask the support team for a new one.")
        await #expect(throws: expired, "another address is not held back") {
            _ = try await database.completePasswordSetup(
                token: "guess-5", password: "a fine passphrase", from: "10.0.0.8", limits: limits)
        }
        #expect(counter.runs == 0)
    }

    @Test func aDeclineNeedsAReasonAndKeepsIt() async throws {
        let fixture = try await RegisterFixture()
        var input = GPInput()
        input.name = "Dr Maybe"
        input.gmcNumber = "5555556"
        input.email = "maybe@example.org"
        let applicant = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        let noReason = await validationErrors {
            _ = try await fixture.database.declineApplicant(gpId: applicant.id!, reason: " ", by: fixture.liaison)
        }
        #expect(noReason?["reason"] == "Give the reason for declining")
        let declined = try await fixture.database.declineApplicant(
            gpId: applicant.id!, reason: "Not on the performers list", by: fixture.liaison)
        #expect(declined.status == .left)
        #expect(declined.declineReason == "Not on the performers list")
    }

    @Test func aGMCNumberAlreadyOnTheRegisterIsRefusedWithoutDetail() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("5555555", name: "Dr Existing")
        var input = GPInput()
        input.name = "Dr Copy"
        input.gmcNumber = "5555555"
        input.email = "copy@example.org"
        let errors = await validationErrors {
            _ = try await fixture.database.submitApplication(organisationId: fixture.organisationId, input)
        }
        #expect(errors?["gmcNumber"] == "This GMC number is already on the register: contact the support team instead")
    }
}
