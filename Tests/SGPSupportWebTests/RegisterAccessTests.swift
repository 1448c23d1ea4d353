import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// "Who may see what", route by route, against the demo data: GP 1 is gp@demo.test's entry,
/// practice 1 is practice@demo.test's, organisation 1 is DEMO1.
@Suite struct RegisterAccessTests {
    static let summaryKeys: Set<String> = ["id", "name", "gmcNumber", "registrationNumber", "profession", "skills", "cleared"]

    func items(_ response: TestResponse) -> [[String: Any]] {
        response.json["items"] as? [[String: Any]] ?? []
    }

    @Test(arguments: ["liaison@demo.test", "mentor@demo.test"])
    func theSupportTeamSeesItsGPsAndPracticesInFull(_ email: String) async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, email)
            let list = try await api.send("/api/v1/gps?perPage=5")
            #expect(list.status == .ok)
            #expect(list.json["total"] as? Int == 100)
            #expect(items(list).first?["email"] != nil, "contact details are included")
            let gp = try await api.send("/api/v1/gps/2")
            #expect(gp.json["phone"] as? String != nil)
            #expect(try await api.send("/api/v1/gps/2/checks").status == .ok)
            #expect(try await api.send("/api/v1/practices/2").status == .ok)
            #expect(try await api.send("/api/v1/practices/2/pack").status == .ok)
            #expect((try await api.send("/api/v1/practices")).json["total"] as? Int == 40)
        }
    }

    @Test func aGPSeesAndChangesOnlyTheirOwnEntry() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let own = try await api.send("/api/v1/gps/1")
            #expect(own.status == .ok)
            #expect(own.json["email"] as? String == "gp@demo.test")
            #expect(try await api.send("/api/v1/gps/1/checks").status == .ok)
            #expect(try await api.send("/api/v1/gps/2").status == .forbidden)
            #expect(try await api.send("/api/v1/gps/2/checks").status == .forbidden)
            #expect(try await api.send("/api/v1/gps").status == .forbidden)
            #expect(try await api.send("/api/v1/practices/1").status == .forbidden)

            let patched = try await api.send(
                "/api/v1/gps/1", method: .patch, json: #"{"phone": "07700 900123", "status": "suspended", "name": "Dr Renamed"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["phone"] as? String == "07700 900123")
            #expect(patched.json["status"] as? String == "active", "a GP cannot change their own status")
            #expect(patched.json["name"] as? String == "Dr Amelia Hartwell")
            #expect(try await api.send("/api/v1/gps/2", method: .patch, json: #"{"phone": "07700 900123"}"#).status == .forbidden)
            #expect(try await api.send("/api/v1/gps/1/checks", method: .post, json: #"{"type": "dbs"}"#).status == .forbidden)
        }
    }

    @Test func aPracticeManagerSeesOnlyTheSummaryOfGPsAndTheirOwnPractice() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let list = try await api.send("/api/v1/gps?perPage=200")
            #expect(list.status == .ok)
            #expect(!items(list).isEmpty)
            for item in items(list) {
                #expect(Set(item.keys) == Self.summaryKeys)
            }
            #expect(list.json["total"] as? Int == 88, "active GPs only")
            let one = try await api.send("/api/v1/gps/2")
            #expect(Set(one.json.keys) == Self.summaryKeys)
            #expect(try await api.send("/api/v1/gps/2/checks").status == .forbidden)
            #expect(try await api.send("/api/v1/gps/2/clearance").status == .ok)
            #expect(try await api.send("/api/v1/gps/2/personal-data").status == .forbidden)
            #expect(try await api.send("/api/v1/practices/1").status == .ok)
            #expect(try await api.send("/api/v1/practices/2").status == .forbidden)
            let own = try await api.send("/api/v1/practices")
            #expect(items(own).map { $0["odsCode"] as? String } == ["Z90001"])
            let packSaved = try await api.send(
                "/api/v1/practices/1/pack", method: .put, json: #"{"arrival": "Use the side door."}"#)
            #expect(packSaved.json["arrival"] as? String == "Use the side door.")
            #expect(try await api.send("/api/v1/practices/2/pack", method: .put, json: #"{"arrival": "x"}"#).status == .forbidden)
        }
    }

    @Test func notWantedReasonsStayWithThePracticeAndTheTeam() async throws {
        let environment = try await TestEnvironment()
        let liaison = try await environment.database.signIn(
            email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web)
        try await environment.database.setPracticePreference(
            practiceId: 1, gpId: 2, preference: .notWanted, reason: "Left early twice without handover", by: liaison.principal)
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            #expect(try await browser.request("/practices/1").text.contains("Left early twice without handover"))
            try await browser.request("/dashboard")
            try await browser.submit("/sign-out", [:])
            try await browser.signIn("practice2@demo.test")
            #expect(try await browser.request("/practices/1").status == .forbidden)
            let api = try await APIClient.signedIn(browser.client, "practice2@demo.test")
            #expect(!(try await api.send("/api/v1/gps/2")).text.contains("Left early"))
        }
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let export = try await api.send("/api/v1/gps/1/personal-data")
            #expect(export.status == .ok)
            #expect(!export.text.contains("Left early"), "another GP's preference is not in this GP's data")
        }
    }

    @Test func anotherOrganisationSeesNothing() async throws {
        let environment = try await TestEnvironment()
        _ = try await environment.database.createOrganisation(
            OrganisationInput(code: "OTHER", name: "Other ICB"), by: .commandLine)
        _ = try await environment.database.createUser(
            NewUserInput(
                email: "lo@other.test", password: "another long password", role: .liaisonOfficer, scopeReference: "OTHER"),
            by: .commandLine)
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "lo@other.test", password: "another long password")
            #expect(try await api.send("/api/v1/gps?organisationId=1").status == .forbidden)
            #expect(try await api.send("/api/v1/gps/1").status == .forbidden)
            #expect(try await api.send("/api/v1/gps/1/clearance").status == .forbidden)
            #expect(try await api.send("/api/v1/practices/1").status == .forbidden)
            #expect(try await api.send("/api/v1/practices?organisationId=1").status == .forbidden)
            let own = try await api.send("/api/v1/gps")
            #expect(own.json["total"] as? Int == 0)
            try await browser.signIn("lo@other.test", password: "another long password")
            #expect(try await browser.request("/gps/1").status == .forbidden)
            #expect(try await browser.request("/gps?organisationId=1").status == .forbidden)
        }
    }

    @Test func onlyTheLiaisonOfficerRecordsChecksAndAddsGPs() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            #expect(try await mentor.send("/api/v1/gps/2/checks", method: .post, json: #"{"type": "dbs"}"#).status == .forbidden)
            #expect(
                try await mentor.send("/api/v1/gps", method: .post, json: #"{"name": "Dr X", "gmcNumber": "1234567"}"#).status
                    == .forbidden)
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let created = try await liaison.send(
                "/api/v1/gps", method: .post,
                json:
                    #"{"name": "Dr New", "gmcNumber": "1234567", "skills": ["minor-surgery"], "organisationId": 1, "status": "active"}"#
            )
            #expect(created.status == .created)
            #expect(created.json["skills"] as? [String] == ["minor-surgery"])
            let id = try #require(created.json["id"] as? Int)
            let check = try await liaison.send(
                "/api/v1/gps/\(id)/checks", method: .post,
                json: #"{"type": "indemnity", "status": "verified", "expiresOn": "2030-01-01"}"#)
            #expect(check.status == .created)
            #expect(check.json["expiresOn"] as? String == "2030-01-01")
            let clearance = try await liaison.send("/api/v1/gps/\(id)/clearance?date=2027-01-04")
            #expect(clearance.json["cleared"] as? Bool == false)
            #expect((clearance.json["reasons"] as? [String])?.contains("DBS check missing") == true)
        }
    }

    @Test func apiValidationErrorsNameTheFields() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let bad = try await liaison.send(
                "/api/v1/gps", method: .post,
                json: #"{"name": "Dr Bad", "gmcNumber": "99", "postcode": "nowhere", "kind": "partner"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "validation_failed")
            let fields = (bad.json["error"] as? [String: Any])?["fields"] as? [String: String] ?? [:]
            #expect(Set(fields.keys) == ["gmcNumber", "postcode", "kind"])
            let badDate = try await liaison.send("/api/v1/gps/1/clearance?date=2026-13-01")
            #expect(badDate.status == .unprocessableContent)
            let duplicate = try await liaison.send(
                "/api/v1/gps", method: .post, json: #"{"name": "Dr Dup", "gmcNumber": "9900001"}"#)
            #expect(
                ((duplicate.json["error"] as? [String: Any])?["fields"] as? [String: String])?["gmcNumber"]?.contains("already")
                    == true)
        }
    }
}

@Suite struct RegisterPageTests {
    @Test func aGPJoinsIsApprovedAndSignsIn() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let form = try await browser.request("/join")
            #expect(form.status == .ok)
            let empty = try await browser.submit("/join", ["organisation": "1"])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains(##"<a href="#name">"##))
            #expect(empty.text.contains(##"<a href="#registrationNumber">"##))
            let joined = try await browser.submit(
                "/join",
                [
                    "organisation": "1", "name": "Dr Nadia Quint", "gmcNumber": "7000001", "email": "nadia@example.org",
                    "kind": "returner",
                ])
            #expect(joined.status == .ok)
            #expect(joined.text.contains("your name has gone forward"))
            // The applicant hears that their details arrived, and what happens next.
            let acknowledged = try #require(environment.mailbox.sent.last { $0.to == "nadia@example.org" })
            #expect(acknowledged.subject.hasPrefix("We have your details"))
            #expect(acknowledged.text.contains("you will get a link to choose a password"))
        }
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let applicants = try await browser.request("/applicants")
            #expect(applicants.text.contains("Dr Nadia Quint"))
            let gpId = try #require(
                try await environment.database.gps(
                    organisationId: 1, filter: GPFilter(text: "7000001"), page: PageRequest(), by: .commandLine
                )
                .items.first?.gp.id)
            let approved = try await browser.submit("/applicants/\(gpId)/approve", [:])
            #expect(approved.status == .seeOther)
        }
        let mail = try #require(environment.mailbox.sent.last)
        #expect(mail.to == "nadia@example.org")
        let link = try #require(mail.text.split(separator: "\n").first { $0.contains("/set-password?token=") })
        let path = String(link[link.range(of: "/set-password")!.lowerBound...]).trimmingCharacters(in: .whitespaces)
        try await environment.test { browser in
            let form = try await browser.request(path)
            #expect(form.status == .ok)
            let token = String(path.split(separator: "=", maxSplits: 1)[1])
            let mismatch = try await browser.submit(
                "/set-password", ["token": token, "password": "a fine passphrase", "confirmPassword": "another passphrase"])
            #expect(mismatch.text.contains("The two passwords do not match"))
            let saved = try await browser.submit(
                "/set-password", ["token": token, "password": "a fine passphrase", "confirmPassword": "a fine passphrase"])
            #expect(saved.status == .seeOther)
            try await browser.signIn("nadia@example.org", password: "a fine passphrase")
            let dashboard = try await browser.request("/dashboard")
            #expect(dashboard.text.contains("Dr Nadia Quint"))
            #expect(dashboard.text.contains("Not cleared to work today"), "no checks yet")
            #expect(try await browser.request(path).status == .notFound, "the link works once")
        }
    }

    /// A set-password link that does not work is answered before any bcrypt, and trying links from
    /// one address meets the sign-in limit.
    @Test func badSetPasswordLinksCostNoHashingAndAreLimited() async throws {
        let counter = BcryptCounter()
        var environment = try await TestEnvironment(passwords: counter.hasher)
        environment.configuration.signInLimits.failuresPerAddress = 3
        try await environment.test { browser in
            try await browser.request("/sign-in")
            let before = counter.runs
            for index in 0..<3 {
                let refused = try await browser.submit(
                    "/set-password",
                    ["token": "guess-\(index)", "password": "a fine passphrase", "confirmPassword": "a fine passphrase"])
                #expect(refused.status == .notFound)
                #expect(refused.text.contains("This link has expired"))
            }
            #expect(counter.runs == before, "no password was hashed for a bad link")
            let limited = try await browser.submit(
                "/set-password", ["token": "guess-4", "password": "a fine passphrase", "confirmPassword": "a fine passphrase"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "900")
            #expect(limited.text.contains("Too many attempts"))
            #expect(counter.runs == before)
        }
    }

    @Test func declineWithoutAReasonSaysSoBesideTheField() async throws {
        let environment = try await TestEnvironment()
        let applicant = try #require(
            try await environment.database.gps(
                organisationId: 1, filter: GPFilter(status: .applicant), page: PageRequest(), by: .commandLine
            ).items
                .first?.gp)
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            try await browser.request("/applicants")
            let refused = try await browser.submit("/applicants/\(applicant.id!)/decline", ["reason": " "])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(##"<a href="#reason-\##(applicant.id!)">Give the reason for declining</a>"##))
            #expect(refused.text.contains(#"id="reason-\#(applicant.id!)-error""#))
            let declined = try await browser.submit(
                "/applicants/\(applicant.id!)/decline", ["reason": "Not on the performers list"])
            #expect(declined.headers[.location] == "/applicants?done=declined")
            #expect(try await browser.request("/applicants?done=declined").text.contains("Applicant declined."))
            #expect(
                !(try await browser.request("/applicants?done=Your+account+is+locked").text.contains("Your account is locked")))
        }
    }

    @Test func theLiaisonOfficerRecordsACheckThroughTheForm() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            try await browser.request("/gps/2/checks/new")
            let bad = try await browser.submit(
                "/gps/2/checks/new", ["type": "dbs", "status": "verified", "dbsCertificateNumber": "123"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Enter the 12-digit DBS certificate number"))
            #expect(bad.text.contains(#"value="123""#), "the input is kept")
            let good = try await browser.submit(
                "/gps/2/checks/new",
                [
                    "type": "dbs", "status": "verified", "dbsCertificateNumber": "001122334455", "expiresOn": "2031-01-01",
                    "dbsLevel": "enhanced",
                ])
            #expect(good.status == .seeOther)
            let profile = try await browser.request("/gps/2")
            #expect(profile.text.contains("Certificate 001122334455, Enhanced"))
            #expect(profile.text.contains("Wed 1 Jan 2031"))
        }
    }

    @Test func aGPEditsTheirOwnDetailsButNotTheirStatus() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let form = try await browser.request("/gps/1/edit")
            #expect(form.status == .ok)
            #expect(!form.text.contains(#"name="status""#))
            let bad = try await browser.submit("/gps/1/edit", ["phone": "12", "email": "gp@demo.test", "status": "left"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Enter a UK phone number"))
            let good = try await browser.submit(
                "/gps/1/edit", ["phone": "01632 960999", "email": "gp@demo.test", "localities": "Elmsford", "status": "left"])
            #expect(good.status == .seeOther)
            let gp = try await environment.database.gp(id: 1, by: .commandLine).gp
            #expect(gp.phone == "01632 960999")
            #expect(gp.localities == ["Elmsford"])
            #expect(gp.status == .active)
            #expect(!gp.mailshotConsent, "an unticked box withdraws consent")
            #expect(try await browser.request("/gps/2/edit").status == .forbidden)
        }
    }

    @Test func theImportPageListsEveryProblemAndImportsNothing() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            try await browser.request("/register/import")
            let csv = "name,gmcNumber\nDr Good,7100001\nDr Bad,71\n"
            let response = try await browser.submit("/register/import", ["kind": "gps", "csv": csv])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("Row 3, gmcNumber: Enter the GMC reference number"))
            #expect(
                try await environment.database.gps(
                    organisationId: 1, filter: GPFilter(text: "7100001"), page: PageRequest(), by: .commandLine
                )
                .total == 0)
            let fixed = try await browser.submit("/register/import", ["kind": "gps", "csv": "name,gmcNumber\nDr Good,7100001\n"])
            #expect(fixed.text.contains("Added 1, changed 0 and recorded 0 checks; 0 unchanged."))
            #expect(fixed.text.contains("Row 2: add Dr Good (GP)"))
            let download = try await browser.request("/register/gps.csv")
            #expect(download.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(download.text.hasPrefix("\u{FEFF}Full name,Registration number,Profession"))
            #expect(download.text.contains("Dr Good,7100001"))
        }
    }

    @Test func dashboardsShowChecksExpiringSoon() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let own = try await browser.request("/dashboard").text
            #expect(own.contains("Medical indemnity expires"), "the demo GP's indemnity runs out in 20 days")
            try await browser.request("/dashboard")
            try await browser.submit("/sign-out", [:])
            try await browser.signIn("liaison@demo.test")
            let team = try await browser.request("/dashboard").text
            #expect(team.contains("Checks expiring in the next six weeks"))
            #expect(team.contains("Dr Amelia Hartwell"))
        }
    }

    @Test func aPracticeManagerMarksAGPNotWantedWithAPrivateReason() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            try await browser.request("/practices/1")
            let bad = try await browser.submit("/practices/1/preferences", ["gmcNumber": "123", "preference": "not-wanted"])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("No GP of this organisation has that GMC number"))
            let saved = try await browser.submit(
                "/practices/1/preferences",
                ["gmcNumber": "9900002", "preference": "not-wanted", "reason": "Prescribing concerns"])
            #expect(saved.status == .seeOther)
            #expect(try await browser.request("/practices/1").text.contains("Prescribing concerns"))
            let api = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let listed = try await api.send("/api/v1/practices/1/preferences")
            #expect((listed.json["items"] as? [[String: Any]])?.first?["preference"] as? String == "not-wanted")
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            #expect(try await gp.send("/api/v1/practices/1/preferences").status == .forbidden)
        }
    }

    /// The form names GPs by name (with their number to tell two apart), never asking for a number.
    @Test func aPracticeChoosesTheGPByName() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            let page = try await browser.request("/practices/1")
            #expect(page.text.contains("Choose the GP"))
            #expect(page.text.contains("Dr Amelia Hartwell (GMC number 9900001)"))
            let unchosen = try await browser.submit("/practices/1/preferences", ["gpId": "", "preference": "preferred"])
            #expect(unchosen.status == .unprocessableContent)
            #expect(unchosen.text.contains(##"<a href="#gpId">Choose the GP</a>"##))
            let chosen = try await browser.submit("/practices/1/preferences", ["gpId": "1", "preference": "preferred"])
            #expect(chosen.status == .seeOther)
            let preferences = try await environment.database.practicePreferences(practiceId: 1, by: .commandLine)
            #expect(preferences.map(\.gpName) == ["Dr Amelia Hartwell"])
        }
    }

    @Test func theLiaisonOfficerAssignsAMentor() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let form = try await browser.request("/gps/2/edit")
            #expect(form.text.contains("Dr Rajesh Patel"))
            let mentorId = try #require(try await environment.database.mentors(organisationId: 1, by: .commandLine).first?.id)
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let updated = try await api.send("/api/v1/gps/2", method: .patch, json: #"{"mentorId": \#(mentorId)}"#)
            #expect(updated.json["mentorId"] as? Int == Int(mentorId))
            let notAMentor = try await api.send("/api/v1/gps/2", method: .patch, json: #"{"mentorId": 1}"#)
            #expect(notAMentor.status == .unprocessableContent)
        }
    }

    @Test func theLiaisonOfficerChoosesRequiredChecksAndAddsSkills() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("liaison@demo.test")
            let page = try await browser.request("/organisations/1")
            #expect(page.text.contains(#"id="required-hepatitis-b" name="required" value="hepatitis-b" checked"#))
            let everyCheckButHepB = [
                "gmc-registration", "performers-list", "indemnity", "dbs", "right-to-work", "references", "appraisal",
            ]
            let body = (["_csrf=\(browser.csrfToken!)"] + everyCheckButHepB.map { "required=\($0)" }).joined(separator: "&")
            let saved = try await browser.request(
                "/organisations/1/check-types", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: body)
            #expect(saved.headers[.location] == "/organisations/1?done=saved")
            #expect(!(try await browser.request("/organisations/1").text.contains(#"value="hepatitis-b" checked"#)))
            let bad = try await browser.submit("/organisations/1/skills", ["code": "ECG Reading!", "name": ""])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Enter a short code of lower-case letters"))
            let added = try await browser.submit("/organisations/1/skills", ["code": "ecg-reading", "name": "ECG reading"])
            #expect(added.status == .seeOther)
        }
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let types = try await api.send("/api/v1/organisations/1/check-types")
            let hepB = (types.json["items"] as? [[String: Any]])?.first { $0["code"] as? String == "hepatitis-b" }
            #expect(hepB?["requiredBeforeWork"] as? Bool == false)
            let skills = try await api.send("/api/v1/organisations/1/skills")
            #expect((skills.json["items"] as? [[String: Any]])?.contains { $0["code"] as? String == "ecg-reading" } == true)
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            #expect(
                try await mentor.send(
                    "/api/v1/organisations/1/check-types/dbs", method: .patch, json: #"{"requiredBeforeWork": false}"#
                ).status
                    == .forbidden)
            let restored = try await api.send(
                "/api/v1/organisations/1/check-types/hepatitis-b", method: .patch, json: #"{"requiredBeforeWork": true}"#)
            #expect(restored.json["requiredBeforeWork"] as? Bool == true)
        }
    }
}

@Suite struct OrganisationSettingsTests {
    /// The liaison officer sets how long an appraisal counts and which professions a check is for.
    @Test func theLiaisonOfficerSetsAppraisalMonthsAndACheckTypesProfessions() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let set = try await api.send(
                "/api/v1/organisations/1/settings", method: .patch, json: #"{"appraisalValidityMonths": 12}"#)
            #expect(set.status == .ok && set.json["appraisalValidityMonths"] as? Int == 12)
            #expect(try await environment.database.appraisalValidityMonths(organisationId: 1) == 12)
            let refused = try await api.send(
                "/api/v1/organisations/1/settings", method: .patch, json: #"{"appraisalValidityMonths": 99}"#)
            #expect(refused.status == .unprocessableContent)
            let hepatitis = try await api.send(
                "/api/v1/organisations/1/check-types/hepatitis-b", method: .patch, json: #"{"professions": ["gp", "Nurse"]}"#)
            #expect(hepatitis.json["professions"] as? [String] == ["gp", "nurse"])
            let forPharmacists = try await environment.database.checkTypes(organisationId: 1, for: .pharmacist).map(\.code)
            #expect(!forPharmacists.contains("hepatitis-b") && forPharmacists.contains("gphc-registration"))
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            #expect(
                try await practice.send(
                    "/api/v1/organisations/1/settings", method: .patch, json: #"{"appraisalValidityMonths": 12}"#
                ).status == .forbidden)
        }
    }
}
