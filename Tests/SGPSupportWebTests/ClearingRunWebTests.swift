import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The weekly clearing run over HTTP with the demo data (organisation 1, liaison@demo.test).
@Suite struct ClearingRunWebTests {
    static let nextWeek = IsoWeek(containing: Day(Date()).adding(days: 7))
    static let nextWednesday = nextWeek.monday.adding(days: 2).description

    /// Three sessions next Wednesday at the demo practice: a morning, a straddler and an afternoon.
    static func postSessions(_ practice: APIClient) async throws -> [Int] {
        var ids: [Int] = []
        for (start, end) in [("08:30", "12:30"), ("12:00", "14:00"), ("13:30", "17:30")] {
            let posted = try await practice.send(
                "/api/v1/sessions", method: .post,
                json: #"{"date": "\#(nextWednesday)", "start": "\#(start)", "end": "\#(end)", "kind": "surgery", "rate": 95}"#)
            #expect(posted.status == .created)
            ids.append(try #require(posted.json["id"] as? Int))
        }
        return ids
    }

    @Test func theLiaisonOfficerRunsAdjustsAndSendsAWeekAndNoOneElseMay() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            let posted = try await Self.postSessions(practice)
            let body = #"{"organisationId": 1, "week": "\#(Self.nextWeek)"}"#
            for email in ["practice@demo.test", "gp@demo.test", "mentor@demo.test", "supervisor@demo.test"] {
                let client = try await APIClient.signedIn(browser.client, email)
                let refused = try await client.send("/api/v1/clearing-runs", method: .post, json: body)
                #expect(refused.status == .forbidden, "\(email) may not run the clearing")
            }
            #expect(
                try await APIClient(client: browser.client).send("/api/v1/clearing-runs", method: .post, json: body).status
                    == .unauthorized)

            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let bad = try await liaison.send(
                "/api/v1/clearing-runs", method: .post, json: #"{"organisationId": 1, "week": "2026-50"}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.errorCode == "validation_failed")

            let started = try await liaison.send("/api/v1/clearing-runs", method: .post, json: body)
            #expect(started.status == .created)
            let id = try #require(started.json["id"] as? Int)
            #expect(started.json["week"] as? String == Self.nextWeek.description)
            let proposals = try #require(started.json["proposals"] as? [[String: Any]])
            let unfilled = try #require(started.json["unfilled"] as? [[String: Any]])
            #expect(proposals.count + unfilled.count == started.json["sessions"] as? Int)
            #expect(proposals.count == started.json["filled"] as? Int)
            #expect(proposals.allSatisfy { ($0["reasons"] as? [String])?.isEmpty == false && $0["gpName"] is String })
            #expect(
                unfilled.allSatisfy {
                    ["no-one-eligible", "eligible-all-used"].contains($0["reason"] as? String) && ($0["why"] as? String) != ""
                })
            let covered = Set(proposals.compactMap { $0["sessionId"] as? Int } + unfilled.compactMap { $0["sessionId"] as? Int })
            #expect(covered.isSuperset(of: posted), "each posted session is proposed or explained")
            for email in ["practice@demo.test", "gp@demo.test", "mentor@demo.test"] {
                let client = try await APIClient.signedIn(browser.client, email)
                #expect(try await client.send("/api/v1/clearing-runs/\(id)").status == .forbidden, "\(email) may not look")
            }
            #expect(try await liaison.send("/api/v1/clearing-runs/\(id)").status == .ok)
            let listed = try await liaison.send("/api/v1/clearing-runs?organisationId=1")
            #expect((listed.json["items"] as? [[String: Any]])?.first?["id"] as? Int == id)

            let first = try #require(proposals.first, "the demo's GPs can take some of next week's sessions")
            do {
                let sessionId = try #require(first["sessionId"] as? Int)
                let gpId = try #require(first["gpId"] as? Int)
                let removed = try await liaison.send(
                    "/api/v1/clearing-runs/\(id)/remove", method: .post, json: #"{"sessionId": \#(sessionId)}"#)
                #expect(removed.status == .ok)
                let again = try #require(removed.json["proposals"] as? [[String: Any]])
                #expect(!again.contains { $0["sessionId"] as? Int == sessionId && $0["gpId"] as? Int == gpId })
                let swapBack = try await liaison.send(
                    "/api/v1/clearing-runs/\(id)/swap", method: .post, json: #"{"sessionId": \#(sessionId), "gpId": \#(gpId)}"#)
                #expect(swapBack.status == .ok)
                let pinned = try #require(swapBack.json["proposals"] as? [[String: Any]])
                #expect(
                    pinned.contains {
                        $0["sessionId"] as? Int == sessionId && $0["gpId"] as? Int == gpId && $0["pinned"] as? Bool == true
                    })
            }
            let sent = try await liaison.send("/api/v1/clearing-runs/\(id)/send", method: .post)
            #expect(sent.status == .ok)
            let offered = try #require(sent.json["offered"] as? Int)
            #expect(offered == (sent.json["run"] as? [String: Any])?["filled"] as? Int)
            #expect(environment.mailbox.sent.filter { $0.subject.hasPrefix("Session offered") }.count == offered)
            let twice = try await liaison.send("/api/v1/clearing-runs/\(id)/send", method: .post)
            #expect(twice.status == .conflict)
        }
    }

    @Test func thePageGroupsProposalsByDayAndSendsOffers() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            _ = try await Self.postSessions(practice)
            try await browser.signIn("liaison@demo.test")
            let dashboard = try await browser.request("/dashboard")
            #expect(String(buffer: dashboard.body).contains("/clearing-runs?organisationId=1"))
            let list = try await browser.request("/clearing-runs?organisationId=1")
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains("\(Self.nextWeek.displayText) (next week)"), "weeks by their Mondays")
            let bad = try await browser.submit("/clearing-runs", ["organisationId": "1", "week": "soon"])
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("Give the week as YYYY-Www"))

            let started = try await browser.submit("/clearing-runs", ["organisationId": "1", "week": Self.nextWeek.description])
            #expect(started.status == .seeOther)
            let location = try #require(started.headers[.location])
            let page = String(buffer: try await browser.request(location).body)
            #expect(page.contains("Clearing run, \(Self.nextWeek.displayText)"))
            #expect(!page.contains(Self.nextWeek.description), "the week as people name it, not its ISO code")
            #expect(!page.contains("Score "), "the reasons, not a number")
            let wednesday = try #require(Day(Self.nextWednesday)).displayText
            #expect(page.contains("<h2>\(wednesday)</h2>"))
            #expect(page.contains("12:00–14:00"))
            #expect(page.contains("Send the offers"))
            // One click never sends: the page lists the offers, and only its Yes sends.
            let unconfirmed = try await browser.submit(location + "/send", [:])
            #expect(unconfirmed.headers[.location] == location + "/send")
            let confirmation = String(buffer: try await browser.request(location + "/send").body)
            #expect(confirmation.contains("Yes, send the offers") && confirmation.contains("12:00–14:00"))
            #expect(confirmation.contains("for \(Self.nextWeek.displayText)?"))
            let sent = try await browser.submit(location + "/send", ["confirmed": "yes"])
            #expect(sent.status == .seeOther)
            let after = String(buffer: try await browser.request(try #require(sent.headers[.location])).body)
            #expect(after.contains("Offers sent and emailed"))
            #expect(!after.contains("Send the offers"))

            try await browser.signIn("practice@demo.test")
            #expect(try await browser.request(location).status == .forbidden)
        }
    }

    /// A session nobody can take next Saturday morning (no demo GP works Saturdays) and one a demo
    /// GP can take next Wednesday, run as the liaison officer.
    static func runWithASaturday(_ database: AppDatabase) async throws -> (view: ClearingRunView, saturdayId: Int64) {
        func principal(_ email: String) async throws -> Principal {
            try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
        }
        let practice = try await principal("practice@demo.test")
        func post(_ date: Day, _ start: String, _ end: String) async throws -> ClinicalSession {
            var input = SessionInput()
            input.practiceId = practice.practiceIds.first
            input.date = date.description
            input.start = start
            input.end = end
            input.kind = "surgery"
            input.rate = 95
            return try #require(try await database.postSessions(input, by: practice).first)
        }
        let saturday = try await post(Self.nextWeek.monday.adding(days: 5), "09:00", "12:00")
        _ = try await post(try #require(Day(Self.nextWednesday)), "08:30", "12:30")
        let view = try await database.startClearingRun(
            organisationId: 1, week: Self.nextWeek.description, by: try await principal("liaison@demo.test"))
        return (view, saturday.id!)
    }

    @Test func anUnfilledSessionListsItsNearMissesWithTheReasonAndALinkForWhoMayOpenIt() async throws {
        let environment = try await TestEnvironment()
        let run = try await Self.runWithASaturday(environment.database)
        var view = run.view
        let saturdayId = run.saturdayId
        let unfilled = try #require(ClearingRunPage.days(view).flatMap(\.unfilled).first { $0.sessionId == saturdayId })
        #expect(unfilled.reason == "No one eligible")
        #expect(unfilled.hasNearMisses, "the demo's Ashby Vale GPs fail only their availability")
        #expect(unfilled.nearMisses.count <= ClearingRun.nearMissLimit)
        for nearMiss in unfilled.nearMisses {
            #expect(nearMiss.reason == "Not available on Saturday mornings")
            #expect(nearMiss.fix == ClearingRunPage.gpCanFixText, "availability is the GP's to change")
            #expect(nearMiss.link?.hasPrefix("/gps/") == true, "the liaison officer may open their own GPs' entries")
        }
        // Someone who may not open an entry gets the name without the link.
        let index = try #require(view.unfilled.firstIndex { $0.session.id == saturdayId })
        for miss in view.unfilled[index].nearMisses.indices { view.unfilled[index].nearMisses[miss].may = [] }
        let unlinked = try #require(ClearingRunPage.days(view).flatMap(\.unfilled).first { $0.sessionId == saturdayId })
        #expect(unlinked.nearMisses.allSatisfy { $0.link == nil } && unlinked.hasNearMisses)
    }

    @Test func aProposalListsTheReasonsItsScoreWasMadeOfNotTheNumber() async throws {
        let environment = try await TestEnvironment()
        let (view, _) = try await Self.runWithASaturday(environment.database)
        let page = ClearingRunPage.days(view)
        let proposals = page.flatMap(\.proposals)
        #expect(!proposals.isEmpty)
        for proposal in proposals {
            let proposed = try #require(view.proposals.first { $0.session.id == proposal.sessionId })
            #expect(proposal.reasons == proposed.proposal.reasons.map(\.text))
            #expect(proposal.reasons.contains("From this organisation"), "the demo's GPs are all its own")
            #expect(!proposal.reasons.contains { $0.contains(String(Int(proposed.proposal.score))) }, "no score")
        }
        #expect(page.allSatisfy { !$0.heading.contains("-W") })
    }
}
