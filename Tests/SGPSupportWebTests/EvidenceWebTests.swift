import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Evidence over HTTP with the demo data: gp 1 (Dr Amelia Hartwell, gp@demo.test, mentored by
/// mentor@demo.test) worked at practice 1 (practice@demo.test) 16 and 2 days ago.
@Suite struct EvidenceWebTests {
    static let yesterday = Day(Date()).adding(days: -1).description

    static func cpdBody(hours: String = "3", shared: Bool = false) -> String {
        #"{"kind": "cpd", "title": "Dermatology update", "date": "\#(yesterday)", "details": {"event": "Local update", "hours": \#(hours)}, "sharedWithMentor": \#(shared), "tags": ["skin"]}"#
    }

    @Test func theGPKeepsEntriesThroughTheAPIAndGetsThePortfolio() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let demoHours = try #require(
                (try await gp.send("/api/v1/gps/1/portfolio").json["cpd"] as? [String: Any])?["hours"] as? Double)
            let created = try await gp.send("/api/v1/gps/1/evidence", method: .post, json: Self.cpdBody())
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? Int)
            #expect(created.json["gpId"] as? Int == 1)
            #expect(created.json["kind"] as? String == "cpd")
            #expect((created.json["details"] as? [String: Any])?["hours"] as? Double == 3)
            #expect(created.json["sharedWithMentor"] as? Bool == false)
            #expect(created.json.keys.contains("practiceId") == false || created.json["practiceId"] is NSNull)

            let refused = try await gp.send("/api/v1/gps/1/evidence", method: .post, json: Self.cpdBody(hours: "0"))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "validation_failed")
            let fields = (refused.json["error"] as? [String: Any])?["fields"] as? [String: String]
            #expect(fields?["details.hours"] == "Give the hours as a number above 0, like 1.5")
            let huge = try await gp.send("/api/v1/gps/1/evidence", method: .post, json: Self.cpdBody(hours: "1e300"))
            #expect(huge.status == .unprocessableContent, "a number too big to be hours is refused, not a crash")
            let unknownKind = try await gp.send(
                "/api/v1/gps/1/evidence", method: .post, json: #"{"kind": "audit", "title": "x", "date": "2026-01-01"}"#)
            #expect(unknownKind.status == .unprocessableContent)

            let patched = try await gp.send(
                "/api/v1/evidence/\(id)", method: .patch, json: #"{"details": {"hours": 4.5}, "followUpOn": null}"#)
            #expect(patched.status == .ok)
            #expect((patched.json["details"] as? [String: Any])?["event"] as? String == "Local update")

            let list = try await gp.send("/api/v1/gps/1/evidence?kind=cpd")
            let listed = try #require(list.json["items"] as? [[String: Any]])
            #expect(listed.first?["id"] as? Int == id, "newest first")
            #expect(listed.allSatisfy { $0["kind"] as? String == "cpd" })
            #expect(try await gp.send("/api/v1/gps/1/evidence?kind=audits").status == .unprocessableContent)

            let portfolio = try await gp.send("/api/v1/gps/1/portfolio")
            #expect(portfolio.status == .ok)
            #expect(portfolio.json["year"] is Int)
            let cpd = try #require(portfolio.json["cpd"] as? [String: Any])
            #expect(cpd["hours"] as? Double == demoHours + 4.5)
            #expect(cpd["target"] as? Double == 50)
            let scope = try #require(portfolio.json["scopeOfWork"] as? [String: Any])
            #expect(scope["sessions"] is Int && scope["hours"] is Double)
            #expect(scope["practices"] is [[String: Any]])

            #expect(try await gp.send("/api/v1/evidence/\(id)", method: .delete).status == .noContent)
            #expect(try await gp.send("/api/v1/evidence/\(id)").status == .notFound)
        }
    }

    @Test func onlyTheGPAndForSharedEntriesTheirMentorSeeEvidence() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let shared = try await gp.send("/api/v1/gps/1/evidence", method: .post, json: Self.cpdBody(shared: true))
            let privateEntry = try await gp.send("/api/v1/gps/1/evidence", method: .post, json: Self.cpdBody())
            let sharedId = try #require(shared.json["id"] as? Int)
            let privateId = try #require(privateEntry.json["id"] as? Int)

            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            let mentorList = try #require(try await mentor.send("/api/v1/gps/1/evidence").json["items"] as? [[String: Any]])
            #expect(mentorList.contains { $0["id"] as? Int == sharedId })
            #expect(!mentorList.contains { $0["id"] as? Int == privateId })
            #expect(mentorList.allSatisfy { $0["sharedWithMentor"] as? Bool == true })
            #expect(try await mentor.send("/api/v1/evidence/\(privateId)").status == .forbidden)
            #expect(try await mentor.send("/api/v1/evidence/\(sharedId)", method: .patch, json: "{}").status == .forbidden)

            for email in ["liaison@demo.test", "admin@demo.test", "practice@demo.test", "practice2@demo.test"] {
                let other = try await APIClient.signedIn(browser.client, email)
                #expect(try await other.send("/api/v1/gps/1/evidence").status == .forbidden, "\(email)")
                #expect(try await other.send("/api/v1/evidence/\(sharedId)").status == .forbidden, "\(email)")
                #expect(try await other.send("/api/v1/gps/1/portfolio").status == .forbidden, "\(email)")
                #expect(try await other.send("/api/v1/evidence/\(sharedId)", method: .delete).status == .forbidden, "\(email)")
            }
            #expect(try await APIClient(client: browser.client).send("/api/v1/gps/1/evidence").status == .unauthorized)

            // The liaison officer sees counts per kind, not entries: the two just added are counted.
            let liaison = Browser(browser.client)
            try await liaison.signIn("liaison@demo.test")
            let team = try await liaison.request("/organisations/1/evidence")
            #expect(team.status == .ok)
            // Only the demo GP keeps evidence in the demo data: their own list is the organisation's count.
            let cpdEntries = try #require(try await gp.send("/api/v1/gps/1/evidence?kind=cpd").json["total"] as? Int)
            #expect(cpdEntries >= 2)
            #expect(team.text.contains(#"<td>Education and CPD</td><td class="numeric">\#(cpdEntries)</td>"#))
            #expect(!team.text.contains("Dermatology update"))
        }
    }

    @Test func theGPFillsInTheFormSeesWhatToFixAndPrintsThePortfolio() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let form = try await browser.request("/gps/1/evidence/new?kind=significant-event")
            #expect(form.status == .ok)
            #expect(form.text.contains("What happened"))
            let fields = [
                "kind": "significant-event", "title": "Result filed without action", "date": Self.yesterday,
                "details.whatHappened": "A raised potassium for NHS 943 476 5919 was filed", "details.why": "No owner",
                "details.learned": "Name the owner", "details.changed": "", "action": "complete",
            ]
            let refused = try await browser.submit("/gps/1/evidence", fields)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(AppDatabase.patientIdentifierMessage))
            #expect(refused.text.contains("Fill in “What changed”, or save the entry as a draft"))
            #expect(refused.text.contains(">No owner</textarea>"), "what was typed stays on the page")

            var fixed = fields
            fixed["details.whatHappened"] = "A raised potassium was filed without action"
            fixed["details.changed"] = "A named owner each session"
            fixed["sharedWithMentor"] = "true"
            let saved = try await browser.submit("/gps/1/evidence", fixed)
            #expect(saved.status == .seeOther)
            let log = try await browser.request("/gps/1/evidence")
            #expect(log.text.contains("Result filed without action"))
            #expect(log.text.contains("Significant event analysis"))

            let year = AppraisalYear(containing: Day(Date()), month: 2).startYear
            let page = try await browser.request("/gps/1/portfolio/\(year)")
            #expect(page.status == .ok)
            #expect(page.text.contains("Dr Amelia Hartwell: appraisal year"))
            #expect(page.text.contains("<h2>Significant events</h2>"))
            #expect(page.text.contains("A named owner each session"))
            #expect(page.text.contains("Scope of work"))

            let mentor = Browser(browser.client)
            try await mentor.signIn("mentor@demo.test")
            #expect(try await mentor.request("/gps/1/portfolio/\(year)").text.contains("only the entries they share"))
            let practice = Browser(browser.client)
            try await practice.signIn("practice@demo.test")
            #expect(try await practice.request("/gps/1/portfolio/\(year)").status == .forbidden)
            #expect(try await practice.request("/gps/1/evidence").status == .forbidden)
        }
    }

    @Test func aPracticeSendsAdmissionFeedbackTheGPCompletes() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("practice@demo.test")
            let form = try await browser.request("/practices/1/admission-feedback")
            #expect(form.text.contains("Dr Amelia Hartwell"))
            let refused = try await browser.submit(
                "/practices/1/admission-feedback", ["gpId": "1", "feedback": "Patient 9434765919 was admitted"])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains(AppDatabase.patientIdentifierMessage))
            let sent = try await browser.submit(
                "/practices/1/admission-feedback", ["gpId": "1", "feedback": "Admission was appropriate and well written"])
            #expect(sent.status == .seeOther)
            let location = try #require(sent.headers[.location])
            let mail = try #require(environment.mailbox.sent.last)
            #expect(mail.to == "gp@demo.test")
            #expect(mail.text.contains(location.components(separatedBy: "?")[0]))

            let gp = Browser(browser.client)
            try await gp.signIn("gp@demo.test")
            let entryPage = try await gp.request(location)
            #expect(entryPage.text.contains("Admission was appropriate and well written"))
            #expect(entryPage.text.contains("What you take from it"))
            let entryPath = location.components(separatedBy: "?")[0]
            let completed = try await gp.submit(
                entryPath,
                [
                    "kind": "admission-feedback", "title": "Admission feedback", "date": Self.yesterday, "practiceId": "1",
                    "details.reflection": "Good to hear the escalation was right", "action": "complete",
                ])
            #expect(completed.status == .seeOther)
            let practiceView = try await browser.request(entryPath)
            #expect(practiceView.text.contains("Admission was appropriate and well written"))
            #expect(!practiceView.text.contains("Good to hear the escalation was right"))
        }
    }

    @Test func theTeamPublishesAnAuditAndTheGPJoinsIt() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("mentor@demo.test")
            try await browser.request("/organisations/1/evidence")
            let missing = try await browser.submit("/organisations/1/audit-topics", ["title": "Antibiotics", "criteria": ""])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.text.contains("Write the criteria and standard"))
            let published = try await browser.submit(
                "/organisations/1/audit-topics", ["title": "Antibiotics for sore throat", "criteria": "FeverPAIN recorded: 90%"])
            #expect(published.status == .seeOther)
            #expect(try await browser.submit("/organisations/1/cpd-target", ["cpdTargetHours": "40"]).status == .forbidden)

            let gp = Browser(browser.client)
            try await gp.signIn("gp@demo.test")
            let log = try await gp.request("/gps/1/evidence")
            #expect(log.text.contains("Antibiotics for sore throat"))
            let joined = try await gp.submit("/audit-topics/1/join", [:])
            #expect(joined.status == .seeOther)
            #expect(try await gp.request(try #require(joined.headers[.location])).text.contains("You have joined the audit"))

            let team = try await browser.request("/organisations/1/evidence")
            #expect(
                team.text.contains(
                    "<td>Antibiotics for sore throat</td><td>–</td><td class=\"numeric\">1</td><td class=\"numeric\">0</td>"))
        }
    }

    // MARK: Page models

    /// Every string a page model holds outside its chrome: all its template can show.
    static func visibleStrings(_ model: Any) -> [String] {
        func strings(_ value: Any) -> [String] {
            if let text = value as? String { return [text] }
            return Mirror(reflecting: value).children.flatMap { strings($0.value) }
        }
        return Mirror(reflecting: model).children.filter { $0.label != "page" }.flatMap { strings($0.value) }
    }

    /// The printed portfolio says every date as "Mon 7 Dec 2026", including those inside an entry's
    /// details (stored as YYYY-MM-DD, and kept so in the JSON); the year may read "2026/27".
    @Test func thePortfolioModelShowsEveryDateInBritishEnglish() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web).principal
        let yesterday = database.clock.today.adding(days: -1)
        let periodFrom = yesterday.adding(days: -30)
        let reauditOn = yesterday.adding(days: 90)
        var input = EvidenceInput()
        input.kind = EvidenceKind.referralAudit.rawValue
        input.title = "Two-week-wait referrals, autumn"
        input.date = yesterday.description
        input.details = [
            "periodFrom": .text(periodFrom.description), "periodTo": .text(yesterday.description),
            "numberReviewed": .number(20), "findings": .text("Most met the criteria"),
            "changeMade": .text("A safety-netting leaflet"), "reauditOn": .text(reauditOn.description),
        ]
        _ = try await database.createEvidenceEntry(gpId: 1, input, by: gp)
        let month = try await database.evidenceLog(gpId: 1, filter: EvidenceFilter(), by: gp).gp.appraisalYearMonth
        let portfolio = try await database.portfolio(
            gpId: 1, year: AppraisalYear(containing: yesterday, month: month).startYear, by: gp)
        let model = PortfolioPage(page: PageChrome(title: "Appraisal portfolio"), portfolio: portfolio)

        let iso = Self.visibleStrings(model).filter { $0.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression) != nil }
        #expect(iso.isEmpty, "ISO dates on the page: \(iso)")
        #expect(model.from == portfolio.from.displayText && model.to == portfolio.to.displayText)
        #expect(model.yearLabel == portfolio.yearLabel)
        let audit = try #require(model.sections.flatMap(\.entries).first { $0.title == "Two-week-wait referrals, autumn" })
        #expect(audit.kind == EvidenceKind.referralAudit.title)
        #expect(audit.date == yesterday.displayText)
        #expect(audit.details.first { $0.label == "First day of the period reviewed" }?.value == periodFrom.displayText)
        #expect(audit.details.first { $0.label == "Re-audit date" }?.value == reauditOn.displayText)
        #expect(audit.details.first { $0.label == "Referrals reviewed" }?.value == "20")
        #expect(
            model.sections.map(\.title)
                == [PortfolioSection.qualityImprovement, .significantEvents, .learningNeeds, .other].map(\.title))
        #expect(model.cpdTitle == PortfolioSection.cpd.title && model.feedbackTitle == PortfolioSection.feedback.title)
        let stored = portfolio.qualityImprovement.first { $0.title == "Two-week-wait referrals, autumn" }
        #expect(stored?.details.first { $0.key == "periodFrom" }?.value == periodFrom.description, "the JSON keeps the code")
    }
}
