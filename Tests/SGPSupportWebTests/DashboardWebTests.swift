import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import SGPSupport
@testable import SGPSupportWeb

/// Dashboards as work queues (issue 20): each role sees what is waiting for them, each item linking
/// to where it is done. Real records: the demo, plus an offer, an application and a support case.
@Suite struct DashboardWebTests {
    /// The queues' sections as the dashboard lists them for one demo sign-in, by id.
    static func sections(_ database: AppDatabase, _ email: String) async throws -> [String: DashboardPage.QueueSection] {
        let principal = try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
        let queue = try await database.workQueue(by: principal)
        return Dictionary(
            uniqueKeysWithValues: DashboardPage.queueSections(queue, now: database.clock.now()).map { ($0.id, $0) })
    }

    /// The demo alone leaves work on each dashboard, so whoever tries it in any role meets a queue:
    /// the demo practice an application to decide, the demo GP an offer still standing and a card
    /// to fill in, the mentor an open serious concern.
    @Test func theDemoLeavesWorkWaitingForEachRole() async throws {
        let database = try await TestEnvironment().database

        let asPractice = try await Self.sections(database, "practice@demo.test")
        let application = try #require(asPractice["applications-1"]?.items.first, "the demo practice has an application")
        #expect(asPractice["applications-1"]?.items.count == 1)
        #expect(application.text.hasPrefix("Dr Amelia Hartwell applied for"))
        #expect(application.link.hasPrefix("/sessions/"))

        let asGP = try await Self.sections(database, "gp@demo.test")
        let offer = try #require(asGP["offers"]?.items.first, "the demo GP has an offer waiting")
        #expect(asGP["offers"]?.items.count == 1)
        #expect(offer.text.hasPrefix("Abbey Road Group Practice"))
        #expect(offer.note?.contains("hours left") == true, "the offer still stands")
        #expect(offer.link.hasPrefix("/sessions/") && offer.link != application.link, "a session of its own")
        let cards = try #require(asGP["cards"])
        #expect(
            cards.items.contains { $0.text == "Dr Amelia Hartwell about Abbey Road Group Practice" },
            "the demo GP's card about her last session at Abbey Road")

        let asMentor = try await Self.sections(database, "mentor@demo.test")
        let concern = try #require(asMentor["concerns"]?.items.first, "the mentor has an open concern")
        #expect(concern.text == "Foxhollow Health Centre about Dr Fatima Fairbairn")
        #expect(concern.note?.hasPrefix("Serious") == true)
        #expect(concern.link.hasPrefix("/feedback/cards/"))
    }

    @Test func eachRoleSeesTheWorkWaitingForThem() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        try await environment.test { browser in
            let gp = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let date = try await gp.demoGPsFreeWednesday()
            let practice = try await APIClient.signedIn(browser.client, "practice@demo.test")
            var sessionIds: [Int] = []
            for (start, end) in [("08:30", "10:30"), ("14:00", "17:00")] {
                let posted = try await practice.send(
                    "/api/v1/sessions", method: .post,
                    json: #"{"date": "\#(date)", "start": "\#(start)", "end": "\#(end)", "rate": 90}"#)
                sessionIds.append(try #require(posted.json["id"] as? Int))
            }
            #expect(
                try await practice.send("/api/v1/sessions/\(sessionIds[0])/offers", method: .post, json: #"{"gpId": 1}"#).status
                    == .created)
            #expect(try await gp.send("/api/v1/sessions/\(sessionIds[1])/applications", method: .post).status == .created)
            let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
            let opened = try await SupportWebTests.openCase(mentor)

            // Beside the demo's own offer and application (see the test above).
            let asGP = try await Self.sections(database, "gp@demo.test")
            let offered = try #require(asGP["offers"]?.items.first(where: { $0.link == "/sessions/\(sessionIds[0])" }))
            #expect(offered.note?.contains("hours left") == true)
            #expect(asGP["cards"]?.hasItems == true, "the demo GP has a card to fill in from two days ago")
            #expect(asGP["next-bookings"] != nil)

            let asPractice = try await Self.sections(database, "practice@demo.test")
            let applications = try #require(asPractice["applications-1"])
            let applied = try #require(applications.items.first(where: { $0.link == "/sessions/\(sessionIds[1])" }))
            #expect(applied.text.hasPrefix("Dr Amelia Hartwell applied for"))
            #expect(!applications.items.contains { $0.link == "/sessions/\(sessionIds[0])" }, "only what was applied for")
            let openSessions = try #require(asPractice["open-sessions-1"])
            let today = database.clock.today
            let endOfNextWeek = today.adding(days: 13 - (today.isoWeekday - 1))
            #expect(
                openSessions.items.map(\.link).contains("/sessions/\(sessionIds[0])") == (Day(date)! <= endOfNextWeek),
                "the open session is listed when it falls this week or next")
            #expect(asPractice["offers"] == nil, "a practice has no GP's queue")

            let asLiaison = try await Self.sections(database, "liaison@demo.test")
            #expect(asLiaison["not-cleared"] != nil && asLiaison["unfilled"] != nil && asLiaison["applicants"] != nil)
            #expect(asLiaison["applicants"]?.items.allSatisfy { $0.link == "/applicants" } == true)
            let notCleared = try #require(asLiaison["not-cleared"])
            #expect(notCleared.hasItems, "the demo has GPs not cleared today")
            #expect(notCleared.items.allSatisfy { $0.note?.isEmpty == false && $0.link.hasPrefix("/gps/") }, "every reason given")

            let asMentor = try await Self.sections(database, "mentor@demo.test")
            #expect(asMentor["caseload"]?.items.map(\.link) == ["/support/cases/\(opened)"])
            #expect(asMentor["concerns"] != nil)

            // The page renders the queue with its links.
            try await browser.signIn("practice@demo.test")
            let page = try await browser.request("/dashboard")
            #expect(page.text.contains("Applications to decide") && page.text.contains("href=\"/sessions/\(sessionIds[1])\""))
        }
    }

    /// The whole page's model for a demo sign-in, read as the dashboard reads it.
    static func dashboard(_ database: AppDatabase, _ email: String) async throws -> DashboardPage {
        let principal = try await database.signIn(email: email, password: demoPassword, from: "t", kind: .web).principal
        var organisations: [DashboardPage.Supported] = []
        for supported in principal.reach.supportedOrganisations {
            let id = supported.organisationId
            organisations.append(
                DashboardPage.Supported(
                    organisation: try #require(try await database.organisation(id: id)), role: supported.role,
                    overview: try await database.overview(ofOrganisation: id, by: principal),
                    expiring: try await database.expiringChecks(organisationId: id, by: principal)))
        }
        return DashboardPage(
            page: PageChrome(title: "Dashboard", principal: principal, path: "/dashboard"),
            queue: try await database.workQueue(by: principal), now: database.clock.now(),
            isAdministrator: principal.reach.administers, organisations: organisations,
            practices: try await database.ownPractices(by: principal), ownEntry: try? await database.ownEntry(by: principal))
    }

    /// Each role's dashboard is its work queue, in the order issue 20 lists it, every item a link.
    @Test func eachRolesDashboardListsItsWorkFirst() async throws {
        let database = try await TestEnvironment().database
        let today = database.clock.today
        // One of the demo GP's entries comes up for follow-up today.
        let gpPrincipal = try await database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web)
            .principal
        let entry = try #require(
            try await database.evidenceLog(gpId: 1, filter: EvidenceFilter(), by: gpPrincipal).entries.first {
                $0.title == "Safeguarding children level 3"
            })
        var followUp = EvidenceInput()
        followUp.followUpOn = today.description
        _ = try await database.updateEvidenceEntry(id: entry.id!, followUp, by: gpPrincipal)

        let gp = try await Self.dashboard(database, "gp@demo.test")
        // The demo GP has worked sessions not yet invoiced: the money work comes after the checks.
        #expect(Array(gp.queues.map(\.id).prefix(5)) == ["offers", "next-bookings", "checks", "money", "follow-ups"])
        #expect(gp.queues.contains { $0.id == "cards" })
        let checks = try #require(gp.queues.first { $0.id == "checks" }?.items.first)
        #expect(checks.text == "Medical indemnity expires \(today.adding(days: 20).displayText)", "the demo's, in 20 days")
        #expect(checks.note?.hasPrefix("In 20 days") == true && checks.link == "/gps/1")
        #expect(gp.queues.first { $0.id == "follow-ups" }?.items.map(\.link) == ["/evidence/\(entry.id!)"])
        #expect(gp.gp?.registration == "GMC number 9900001" && gp.gp?.kind == "Freelance / locum" && gp.gp?.status == "Active")
        #expect(gp.organisations.isEmpty && gp.practices.isEmpty && !gp.isAdministrator)

        let practice = try await Self.dashboard(database, "practice@demo.test")
        #expect(Array(practice.queues.map(\.id).prefix(3)) == ["applications-1", "open-sessions-1", "cards"])
        #expect(practice.practices.map(\.odsCode) == ["Z90001"] && practice.gp == nil)

        let liaison = try await Self.dashboard(database, "liaison@demo.test")
        #expect(liaison.queues.map(\.id) == ["not-cleared", "unfilled", "applicants", "verify", "serious-concerns", "mailshot"])
        let notCleared = try #require(liaison.queues.first)
        #expect(notCleared.moreLink == "/gps?organisationId=1&notClearedOn=\(today.description)", "the register's filter")
        #expect(notCleared.items.allSatisfy { $0.note?.isEmpty == false && $0.link.hasPrefix("/gps/") })
        #expect(liaison.organisations.map(\.role) == ["Liaison officer"] && liaison.organisations.first?.isLiaison == true)

        let mentor = try await Self.dashboard(database, "mentor@demo.test")
        #expect(mentor.queues.map(\.id) == ["concerns", "caseload"])
        #expect(mentor.organisations.map(\.role) == ["Mentor"])

        let admin = try await Self.dashboard(database, "admin@demo.test")
        #expect(admin.isAdministrator && admin.queues.isEmpty)
    }

    /// The latest mailshot says where its sending stands, and an older week's says this week's is not started.
    @Test func theMailshotItemSaysWhereSendingStands() throws {
        let today = try #require(Day("2026-12-09"))
        var mailshot = Mailshot(
            id: 7, organisationId: 1, week: "2026-W50", status: .sent, includePracticeManagers: false,
            createdAt: Date(), createdById: nil, sendStartedAt: nil, sendLeaseUntil: nil, sentAt: nil)
        let sent = DashboardPage.mailshotItems(mailshot, DeliveryCounts(pending: 0, sent: 77, failed: 2), today: today)
        #expect(sent.map(\.text) == ["w/c 7 Dec 2026: Sent"])
        #expect(sent.first?.note == "77 delivered, 2 failed" && sent.first?.link == "/mailshots/7")
        mailshot.week = "2026-W49"
        mailshot.status = .draft
        let old = DashboardPage.mailshotItems(mailshot, DeliveryCounts(pending: 0, sent: 0, failed: 0), today: today)
        #expect(old.map(\.text) == ["w/c 7 Dec 2026: not started", "w/c 30 Nov 2026: Draft"])
    }
}
