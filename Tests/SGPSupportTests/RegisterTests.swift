import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// A small organisation with a liaison officer, two practices (two localities) and helpers to add GPs.
struct RegisterFixture {
    let clock: TestClock
    let database: AppDatabase
    let organisationId: Int64
    let liaison: Principal

    init(clock: TestClock = TestClock()) async throws {
        self.clock = clock
        database = try makeTestDatabase(clock: clock)
        let organisation = try await database.createOrganisation(
            OrganisationInput(code: "QKK", name: "North Ward ICB"), by: .commandLine)
        organisationId = organisation.id!
        _ = try await database.createUser(
            NewUserInput(email: "lo@example.org", password: validPassword, role: .liaisonOfficer, scopeReference: "QKK"),
            by: .commandLine)
        liaison = try await database.signIn(email: "lo@example.org", password: validPassword, from: "t", kind: .web).principal
        for (ods, locality) in [("A81001", "Ashby Vale"), ("A81002", "Brookmere")] {
            var input = PracticeInput()
            input.odsCode = ods
            input.name = "Practice \(ods)"
            input.locality = locality
            _ = try await database.createPractice(organisationId: organisationId, input, by: liaison)
        }
    }

    func addGP(_ gmc: String, name: String = "Dr Test", configure: (inout GPInput) -> Void = { _ in }) async throws -> GP {
        var input = GPInput()
        input.name = name
        input.gmcNumber = gmc
        configure(&input)
        return try await database.createGP(organisationId: organisationId, input, by: liaison)
    }

    /// Verifies every required check, expiring far ahead unless told otherwise.
    func clearFully(
        _ gpId: Int64, profession: GP.Profession = .gp, except: Set<String> = [], expiries: [String: String] = [:]
    ) async throws {
        for type in RegisterDefaults.checkCodes(for: profession) where !except.contains(type) {
            let input = CheckInput(
                type: type, status: "verified", verifiedOn: "2026-01-10", expiresOn: expiries[type] ?? "2030-01-01",
                dbsCertificateNumber: type == "dbs" ? "001234567890" : nil, dbsLevel: type == "dbs" ? "enhanced" : nil)
            _ = try await database.recordCheck(gpId: gpId, input, by: liaison)
        }
    }
}

func validationErrors(_ body: () async throws -> Void) async -> ValidationErrors? {
    do {
        try await body()
    } catch DomainError.validationFailed(let errors) {
        return errors
    } catch {
        Issue.record("unexpected error \(error)")
    }
    return nil
}

@Suite struct RegisterValidationTests {
    @Test func eachFieldSaysWhatToFix() async throws {
        let fixture = try await RegisterFixture()
        let errors = await validationErrors {
            _ = try await fixture.addGP("12345") {
                $0.email = "not-an-email"
                $0.phone = "12345"
                $0.postcode = "NOWHERE"
                $0.lastAppraisalOn = "2026-02-30"
                $0.kind = "partner"
                $0.skills = ["juggling"]
                $0.localities = ["Atlantis"]
                $0.maxSessionsPerWeek = 40
            }
        }
        let fields = try #require(errors).fields
        #expect(fields["gmcNumber"]?.contains("exactly 7 digits") == true)
        #expect(fields["email"]?.contains("right format") == true)
        #expect(fields["phone"]?.contains("UK phone number") == true)
        #expect(fields["postcode"]?.contains("UK postcode") == true)
        #expect(fields["lastAppraisalOn"]?.contains("real date") == true)
        #expect(fields["kind"] == "Choose how they work: Freelance / locum, Salaried, Retainer scheme or Returner")
        #expect(fields["skills"]?.contains("Unknown skills: juggling") == true)
        #expect(fields["localities"]?.contains("Choose from: Ashby Vale, Brookmere") == true)
        #expect(fields["maxSessionsPerWeek"] != nil)
        let count = try await fixture.database.read { db in try GP.fetchCount(db) }
        #expect(count == 0, "nothing saved")
    }

    @Test func goodValuesAreTidied() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("7654321") {
            $0.email = " Dr.Who@Example.ORG "
            $0.phone = "+44 1632 960123"
            $0.postcode = "sw1a1aa"
            $0.skills = ["minor-surgery", "minor-surgery", "coil-fitting"]
            $0.localities = ["Brookmere"]
            $0.usualRate = 92.5
            $0.mailshotConsent = true
        }
        #expect(gp.email == "dr.who@example.org")
        #expect(gp.postcode == "SW1A 1AA")
        #expect(gp.skills == ["minor-surgery", "coil-fitting"])
        #expect(gp.usualRatePence == 9250)
        #expect(gp.mailshotConsent)
        #expect(gp.mailshotConsentAt == fixture.clock.now)
    }

    @Test func gmcNumbersAreUnique() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1234567")
        let errors = await validationErrors { _ = try await fixture.addGP("1234567", name: "Someone Else") }
        #expect(errors?["gmcNumber"] == "GMC number 1234567 is already on the register")
    }

    @Test func aGPMayChangeOnlyTheirContactDetailsSkillsLocalitiesAndConsent() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567") {
            $0.email = "gp@example.org"
            $0.status = "suspended"
        }
        _ = try await fixture.database.createUser(
            NewUserInput(email: "gp@example.org", password: validPassword, role: .gp, scopeReference: "1234567"), by: .commandLine
        )
        let ownSignIn = try await fixture.database.signIn(email: "gp@example.org", password: validPassword, from: "t", kind: .web)
            .principal
        var change = GPInput()
        change.phone = "07700 900123"
        change.status = "active"
        change.name = "Dr Renamed"
        change.mailshotConsent = true
        let updated = try await fixture.database.updateGP(id: gp.id!, change, by: ownSignIn)
        #expect(updated.phone == "07700 900123")
        #expect(updated.mailshotConsent)
        #expect(updated.status == .suspended, "status is the liaison officer's to change")
        #expect(updated.name == "Dr Test")
    }
}

@Suite struct ClearanceTests {
    @Test func aFullyCheckedActiveGPIsCleared() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        try await fixture.clearFully(gp.id!)
        let clearance = try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!)
        #expect(clearance == Clearance(cleared: true, reasons: []))
    }

    @Test func everyReasonIsGiven() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567") { $0.status = "applicant" }
        try await fixture.clearFully(gp.id!, except: ["dbs", "hepatitis-b"])
        _ = try await fixture.database.recordCheck(
            gpId: gp.id!, CheckInput(type: "hepatitis-b", status: "pending"), by: fixture.liaison)
        let clearance = try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!)
        #expect(!clearance.cleared)
        #expect(
            clearance.reasons == [
                "Register status is Applicant, not Active", "DBS check missing", "Hepatitis B immunity pending verification",
            ])
    }

    @Test func anExpiryDateIsTheLastGoodDay() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        try await fixture.clearFully(gp.id!, expiries: ["indemnity": "2026-11-03"])
        let onExpiry = try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-11-03")!)
        #expect(onExpiry.cleared)
        let dayBefore = try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-11-02")!)
        #expect(dayBefore.cleared)
        let dayAfter = try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-11-04")!)
        #expect(dayAfter == Clearance(cleared: false, reasons: ["Medical indemnity expired 3 Nov 2026"]))
    }

    @Test func aReCheckAddsHistoryAndTheNewestCounts() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        try await fixture.clearFully(gp.id!, expiries: ["dbs": "2026-06-30"])
        #expect(
            try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!).reasons == [
                "DBS check expired 30 Jun 2026"
            ])
        _ = try await fixture.database.recordCheck(
            gpId: gp.id!,
            CheckInput(
                type: "dbs", status: "verified", verifiedOn: "2026-12-01", expiresOn: "2029-12-01",
                dbsCertificateNumber: "009876543210"),
            by: fixture.liaison)
        #expect(try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!).cleared)
        let history = try await fixture.database.checks(gpId: gp.id!).filter { $0.type == "dbs" }
        #expect(history.map(\.expiresOn?.description) == ["2029-12-01", "2026-06-30"])
        // A failed re-check takes clearance away again.
        _ = try await fixture.database.recordCheck(gpId: gp.id!, CheckInput(type: "dbs", status: "failed"), by: fixture.liaison)
        #expect(try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!).reasons == ["DBS check failed"])
    }

    @Test func anAppraisalCountsFifteenMonthsFromTheDayItTookPlace() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        try await fixture.clearFully(gp.id!, except: ["appraisal"])
        // Recorded well after it took place: validity counts from the appraisal, not the recording.
        var input = CheckInput(type: "appraisal", status: "verified", verifiedOn: "2025-09-15")
        input.appraisalOn = "2025-06-01"
        let check = try await fixture.database.recordCheck(gpId: gp.id!, input, by: fixture.liaison)
        #expect(check.appraisalOn == Day("2025-06-01"))
        #expect(check.expiresOn == Day("2026-08-31"))
        #expect(try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-08-31")!).cleared)
        #expect(
            try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-09-01")!).reasons == [
                "Appraisal in date expired 31 Aug 2026"
            ])
    }

    @Test func anAppraisalWithoutItsDateCountsFromTheGPsLastAppraisal() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567") { $0.lastAppraisalOn = "2025-06-01" }
        let check = try await fixture.database.recordCheck(
            gpId: gp.id!, CheckInput(type: "appraisal", status: "verified", verifiedOn: "2025-10-20"), by: fixture.liaison)
        #expect(check.appraisalOn == Day("2025-06-01"))
        #expect(check.expiresOn == Day("2026-08-31"), "not 15 months from the day it was recorded")
    }

    @Test func anAppraisalAtTheEndOfAMonthRunsToTheEndOfAShorterOne() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        var input = CheckInput(type: "appraisal", status: "verified", verifiedOn: "2024-12-02")
        input.appraisalOn = "2024-11-30"
        let check = try await fixture.database.recordCheck(gpId: gp.id!, input, by: fixture.liaison)
        #expect(check.expiresOn == Day("2026-02-28"), "30 Feb does not exist: the last day of February")
    }

    @Test func theOrganisationSetsHowLongAnAppraisalCounts() async throws {
        let fixture = try await RegisterFixture()
        try await fixture.database.write { db in
            try db.execute(
                sql: "UPDATE organisation SET appraisalValidityMonths = 12 WHERE id = ?", arguments: [fixture.organisationId])
        }
        let gp = try await fixture.addGP("1234567")
        var input = CheckInput(type: "appraisal", status: "verified", verifiedOn: "2025-06-01")
        input.appraisalOn = "2025-06-01"
        let check = try await fixture.database.recordCheck(gpId: gp.id!, input, by: fixture.liaison)
        #expect(check.expiresOn == Day("2026-05-31"))
    }

    @Test func checkTypesNotRequiredDoNotBlock() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        try await fixture.clearFully(gp.id!, except: ["hepatitis-b"])
        #expect(!(try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!).cleared))
        _ = try await fixture.database.setCheckTypeRequired(
            organisationId: fixture.organisationId, code: "hepatitis-b", required: false, by: fixture.liaison)
        #expect(try await fixture.database.clearance(gpId: gp.id!, on: Day("2026-12-07")!).cleared)
    }

    @Test func checksAreValidatedAndDBSKeepsOnlyTheCertificateFacts() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        let errors = await validationErrors {
            _ = try await fixture.database.recordCheck(
                gpId: gp.id!,
                CheckInput(
                    type: "dbs", status: "verified", verifiedOn: "2027-01-01", expiresOn: "2026-01-01", dbsCertificateNumber: "12"
                ),
                by: fixture.liaison)
        }
        #expect(errors?["verifiedOn"] == "The date checked cannot be in the future")
        #expect(errors?["expiresOn"] == "The expiry date must be on or after the date checked")
        #expect(errors?["dbsCertificateNumber"] == "Enter the 12-digit DBS certificate number")
        let unknownType = await validationErrors {
            _ = try await fixture.database.recordCheck(gpId: gp.id!, CheckInput(type: "astrology"), by: fixture.liaison)
        }
        #expect(unknownType?["type"]?.hasPrefix("Choose a check for a GP: GMC registration") == true)
        let columns = try await fixture.database.read { db in try db.columns(in: "credentialCheck").map(\.name) }
        #expect(
            columns.filter { $0.hasPrefix("dbs") }.sorted() == [
                "dbsCertificateNumber", "dbsIssuedOn", "dbsLevel", "dbsUpdateService",
            ])
    }

    @Test func expiringSoonListsChecksWithinSixWeeks() async throws {
        let fixture = try await RegisterFixture()  // today is 7 Dec 2026
        let soon = try await fixture.addGP("1234567", name: "Dr Soon")
        try await fixture.clearFully(soon.id!, expiries: ["indemnity": "2027-01-10"])
        let later = try await fixture.addGP("7654321", name: "Dr Later")
        try await fixture.clearFully(later.id!, expiries: ["indemnity": "2027-03-01"])
        let expiring = try await fixture.database.expiringChecks(organisationId: fixture.organisationId)
        #expect(expiring.map(\.gpName) == ["Dr Soon"])
        #expect(expiring.first?.typeName == "Medical indemnity")
    }

    @Test func aRevalidationDateIsWarnedOfAsAnExpiryIs() async throws {
        let fixture = try await RegisterFixture()  // today is 7 Dec 2026
        let due = try await fixture.addGP("1234567", name: "Dr Due") {
            $0.status = "active"
            $0.revalidationDueOn = "2027-01-04"
        }
        _ = try await fixture.addGP("7654321", name: "Dr Later") {
            $0.status = "active"
            $0.revalidationDueOn = "2027-06-30"
        }
        let expiring = try await fixture.database.expiringChecks(organisationId: fixture.organisationId)
        #expect(expiring.map(\.dueText) == ["Revalidation due Mon 4 Jan 2027"])
        #expect(expiring.first?.gpId == due.id)
    }

    @Test func theRegisterFiltersByClearanceSkillAndText() async throws {
        let fixture = try await RegisterFixture()
        let cleared = try await fixture.addGP("1234567", name: "Dr Cleared") { $0.skills = ["minor-surgery"] }
        try await fixture.clearFully(cleared.id!)
        _ = try await fixture.addGP("7654321", name: "Dr Unchecked") { $0.skills = ["coil-fitting"] }
        let day = Day("2026-12-07")!
        let onlyCleared = try await fixture.database.gps(
            organisationId: fixture.organisationId, filter: GPFilter(clearedOn: day), page: PageRequest())
        #expect(onlyCleared.items.map(\.gp.name) == ["Dr Cleared"])
        let bySkill = try await fixture.database.gps(
            organisationId: fixture.organisationId, filter: GPFilter(skill: "coil-fitting"), page: PageRequest())
        #expect(bySkill.items.map(\.gp.name) == ["Dr Unchecked"])
        let byText = try await fixture.database.gps(
            organisationId: fixture.organisationId, filter: GPFilter(text: "7654"), page: PageRequest())
        #expect(byText.total == 1)
    }
}

@Suite struct NotClearedFilterTests {
    /// The liaison officer's "not cleared on DATE" list: only those not cleared, each with every reason.
    @Test func theNotClearedFilterListsOnlyThoseNotClearedWithEveryReason() async throws {
        let fixture = try await RegisterFixture()
        let cleared = try await fixture.addGP("1111111", name: "Dr Cleared")
        try await fixture.clearFully(cleared.id!)
        let lapsed = try await fixture.addGP("2222222", name: "Dr Lapsed")
        try await fixture.clearFully(lapsed.id!, except: ["dbs", "indemnity"])
        let list = try await fixture.database.gps(
            organisationId: fixture.organisationId, filter: GPFilter(status: .active, notClearedOn: Day("2026-12-07")),
            page: PageRequest(), by: fixture.liaison)
        #expect(list.items.map(\.gp.id) == [lapsed.id])
        #expect(list.items.first?.clearance.reasons.count == 2, "every reason, not only the first")
    }
}

@Suite struct NameSearchTests {
    @Test func aNameIsFoundWholeOrInPartInAnyOrderIgnoringCaseAndAccents() async throws {
        let fixture = try await RegisterFixture()
        _ = try await fixture.addGP("1234567", name: "Dr Zara Yardley")
        _ = try await fixture.addGP("2345678", name: "Dr Siân Ó Dónaill")
        _ = try await fixture.addGP("3456789", name: "Dr Zachary Young")
        func found(_ text: String) async throws -> [String] {
            try await fixture.database.gps(
                organisationId: fixture.organisationId, filter: GPFilter(text: text), page: PageRequest(), by: fixture.liaison
            ).items.map(\.gp.name)
        }
        #expect(try await found("Zara Yardley") == ["Dr Zara Yardley"])
        #expect(try await found("zara yardley") == ["Dr Zara Yardley"])
        #expect(try await found("Yardley Z") == ["Dr Zara Yardley"])
        #expect(try await found("sian") == ["Dr Siân Ó Dónaill"])
        #expect(try await found("o donaill") == ["Dr Siân Ó Dónaill"])
        #expect(try await found("Z Y") == ["Dr Zachary Young", "Dr Zara Yardley"])
        #expect(try await found("2345678") == ["Dr Siân Ó Dónaill"])
        #expect(try await found("Zara Young").isEmpty)
    }
}

@Suite struct CommandLineRecordsTests {
    /// The command line is no user: what it records names nobody, rather than failing the link to a user.
    @Test func aCheckVerifiedFromTheCommandLineNamesNoVerifier() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        let check = try await fixture.database.recordCheck(
            gpId: gp.id!, CheckInput(type: "dbs", status: "verified", dbsCertificateNumber: "001122334455"), by: .commandLine)
        #expect(check.status == .verified && check.verifiedById == nil)
    }
}
