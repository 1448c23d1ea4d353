import Foundation
import Hummingbird
import SGPSupport

/// The landing page and each role's dashboard.
struct DashboardController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct HomePage: Sendable {
        var page: PageChrome
    }

    struct OrganisationSummary: Sendable {
        var id: Int64
        var name: String
        var code: String
        var role: String
        var practices: Int
        var localities: String
        var activeGPs: Int
        var applicants: Int
        var totalGPs: Int
        var expiring: [ExpiringRow]
        var hasExpiring: Bool
        var isLiaison: Bool
        /// Serious feedback concerns stay flagged here until the mentor closes them.
        var seriousConcerns: [ConcernFlag]
    }

    struct ConcernFlag: Sendable {
        var cardId: Int64
        var text: String
    }

    struct ExpiringRow: Sendable {
        var gpId: Int64
        var gpName: String
        var check: String
        var expiresOn: String
    }

    struct PracticeSummary: Sendable {
        var id: Int64
        var name: String
        var odsCode: String
        var locality: String
    }

    struct GPSummary: Sendable {
        var id: Int64
        var name: String
        var gmcNumber: String
        var status: String
        var kind: String
        var cleared: Bool
        var reasons: [String]
        var expiring: [ExpiringRow]
        var hasExpiring: Bool
    }

    /// One list of waiting work, each item linking to where it is done.
    struct QueueSection: Sendable {
        struct Item: Sendable {
            var text: String
            var note: String?
            var link: String
        }
        var id: String
        var heading: String
        var items: [Item]
        var hasItems: Bool
        var empty: String
        /// How many more there are beyond those listed, and where they all are.
        var more: String?
        var moreLink: String?
    }

    struct DashboardPage: Sendable {
        var page: PageChrome
        /// The work waiting for this person, first.
        var queues: [QueueSection]
        var isAdministrator: Bool
        var organisations: [OrganisationSummary]
        var practices: [PracticeSummary]
        var gp: GPSummary?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.get("/dashboard", use: dashboard)
    }

    /// The page's lists of waiting work, from the domain's work queue (a pure function: tests read it).
    static func queueSections(_ queue: WorkQueue, now: Date, multipleOrganisations: Bool = false) -> [QueueSection] {
        typealias Item = QueueSection.Item
        var sections: [QueueSection] = []
        func add(_ id: String, _ heading: String, _ items: [Item], empty: String, allAt link: String? = nil, total: Int? = nil) {
            let shown = Array(items.prefix(10))
            let rest = (total ?? items.count) - shown.count
            sections.append(
                QueueSection(
                    id: id, heading: heading, items: shown, hasItems: !shown.isEmpty, empty: empty,
                    more: rest > 0 ? "and \(rest) more" : nil, moreLink: rest > 0 ? link : nil))
        }
        func when(_ listing: SessionListing) -> String {
            "\(listing.session.date.displayText) \(listing.session.start)–\(listing.session.end)"
        }
        if let gp = queue.gp {
            add(
                "offers", "Offers waiting for your answer",
                gp.offers.map { offer, listing in
                    let hours = max(0, Int(offer.expiresAt.timeIntervalSince(now) / 3600))
                    return Item(
                        text: "\(listing.practice.name): \(listing.session.kind.title.lowercased()), \(when(listing)), "
                            + listing.session.rateText,
                        note:
                            "Stands until \(DisplayDate.dayAndTime(offer.expiresAt)) (\(hours) hour\(hours == 1 ? "" : "s") left)",
                        link: "/sessions/\(listing.session.id!)")
                }, empty: "No offers waiting.", allAt: "/work")
            add(
                "next-bookings", "Your next sessions",
                gp.nextBookings.map {
                    Item(
                        text: "\($0.practice.name): \($0.session.kind.title.lowercased()), \($0.session.date.displayText) "
                            + "\($0.session.start)–\($0.session.end)",
                        note: [$0.practice.address, $0.practice.postcode].compactMap { $0 }.joined(separator: ", "),
                        link: "/sessions/\($0.session.id!)")
                }, empty: "No sessions booked in the next four weeks.", allAt: "/bookings")
        }
        for practice in queue.practices {
            add(
                "applications-\(practice.practice.id!)", "Applications to decide: \(practice.practice.name)",
                practice.applications.map {
                    Item(
                        text: "\($0.gpName) applied for \(when($0.listing))", note: nil,
                        link: "/sessions/\($0.listing.session.id!)")
                }, empty: "No applications waiting.", allAt: "/sessions")
            add(
                "open-sessions-\(practice.practice.id!)", "Sessions still open this week and next: \(practice.practice.name)",
                practice.openSessions.map {
                    Item(
                        text: "\($0.session.kind.title): \(when($0))", note: $0.session.rateText,
                        link: "/sessions/\($0.session.id!)")
                }, empty: "None: every session this week and next is filled.", allAt: "/sessions")
        }
        if !queue.cardsToFill.isEmpty || queue.gp != nil || !queue.practices.isEmpty {
            add(
                "cards", "Feedback cards to fill in",
                queue.cardsToFill.map {
                    Item(
                        text: FeedbackPagesController.cardTitle(
                            $0.card.direction, gpName: $0.gpName, practiceName: $0.practiceName),
                        note: "Session on \($0.sessionDate.displayText)", link: "/feedback/cards/\($0.card.id!)")
                }, empty: "No cards waiting.", allAt: "/feedback")
        }
        if !queue.arrangementsToConfirm.isEmpty {
            add(
                "arrangements", "Arrangements to confirm",
                queue.arrangementsToConfirm.map {
                    Item(
                        text: ClearingHousePagesController.arrangementText($0), note: nil,
                        link: "/arrangements/\($0.arrangement.id!)")
                }, empty: "", allAt: "/bookings")
        }
        for liaison in queue.liaison {
            let suffix = multipleOrganisations ? "-\(liaison.organisationId)" : ""
            add(
                "not-cleared" + suffix, "GPs not cleared to work today (\(liaison.notClearedTotal))",
                liaison.notClearedToday.map {
                    Item(text: $0.gp.name, note: $0.clearance.reasons.joined(separator: "; "), link: "/gps/\($0.gp.id!)")
                }, empty: "Every active GP is cleared to work today.",
                allAt: "/gps?organisationId=\(liaison.organisationId)&notClearedOn=\(Day(now).description)",
                total: liaison.notClearedTotal)
            add(
                "unfilled" + suffix, "Sessions still unfilled this week (\(liaison.unfilledThisWeek.count))",
                liaison.unfilledThisWeek.map {
                    Item(
                        text: "\($0.practice.name): \($0.session.kind.title.lowercased()), \(when($0))", note: nil,
                        link: "/sessions/\($0.session.id!)")
                }, empty: "None: every session this week is filled.", allAt: "/sessions")
            add(
                "applicants" + suffix, "New applicants to the register (\(liaison.applicants.count))",
                liaison.applicants.map {
                    Item(text: $0.name, note: "Applied \(DisplayDate.day($0.createdAt))", link: "/applicants")
                }, empty: "No one waiting.", allAt: "/applicants")
            add(
                "mailshot" + suffix, "Weekly mailshot",
                liaison.latestMailshot.map {
                    [
                        Item(
                            text: "\(IsoWeek($0.week).map { "w/c \($0.monday.displayText)" } ?? $0.week): \($0.status.title)",
                            note: nil, link: "/mailshots/\($0.id!)")
                    ]
                } ?? [], empty: "No mailshot yet.", allAt: "/mailshots")
        }
        if let mentor = queue.mentor {
            add(
                "concerns", "Open concerns (\(mentor.openConcerns.count))",
                mentor.openConcerns.map {
                    Item(
                        text: FeedbackPagesController.cardTitle(
                            $0.card.direction, gpName: $0.gpName, practiceName: $0.practiceName),
                        note: "\($0.concern.severity.title), raised \(Day($0.concern.raisedAt).displayText)",
                        link: "/feedback/cards/\($0.card.id!)")
                }, empty: "No open concerns.", allAt: "/feedback")
            add(
                "caseload", "Your caseload (\(mentor.caseload.count) open)",
                mentor.caseload.map {
                    Item(
                        text: "\($0.view.gpName): \($0.view.supportCase.routeIn.title)",
                        note: $0.nextReview.map { "Next review \($0.displayText)" } ?? "No review date set",
                        link: "/support/cases/\($0.view.supportCase.id!)")
                }, empty: "No open cases.", allAt: "/support")
        }
        return sections
    }

    static func expiringRow(_ check: ExpiringCheck) -> ExpiringRow {
        ExpiringRow(gpId: check.gpId, gpName: check.gpName, check: check.typeName, expiresOn: check.expiresOn.displayText)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.principal != nil { return .seeOther("/dashboard") }
        return renderer.render("home", HomePage(page: PageChrome(title: "Sessional GP support", context: context, path: "/")))
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var organisations: [OrganisationSummary] = []
        let queue = try await database.workQueue(by: principal)
        let openConcerns = queue.openConcerns
        for supported in principal.reach.supportedOrganisations {
            let id = supported.organisationId
            guard let organisation = try await database.organisation(id: id) else { continue }
            let overview = try await database.overview(ofOrganisation: id, by: principal)
            let expiring = try await database.expiringChecks(organisationId: id, by: principal).map(Self.expiringRow)
            organisations.append(
                OrganisationSummary(
                    id: id, name: organisation.name, code: organisation.code, role: supported.role.title,
                    practices: overview.practices, localities: overview.localities.joined(separator: ", "),
                    activeGPs: overview.gpsByStatus[.active] ?? 0, applicants: overview.gpsByStatus[.applicant] ?? 0,
                    totalGPs: overview.gpTotal, expiring: expiring, hasExpiring: !expiring.isEmpty,
                    isLiaison: supported.isLiaisonOfficer,
                    seriousConcerns: openConcerns.filter { $0.concern.severity == .serious && $0.concern.organisationId == id }
                        .map {
                            ConcernFlag(
                                cardId: $0.card.id!,
                                text:
                                    "\(FeedbackPagesController.cardTitle($0.card.direction, gpName: $0.gpName, practiceName: $0.practiceName)), raised \(Day($0.concern.raisedAt).displayText)"
                            )
                        }))
        }
        let practices = try await database.ownPractices(by: principal).map {
            PracticeSummary(id: $0.id!, name: $0.name, odsCode: $0.odsCode, locality: $0.locality)
        }
        var gpSummary: GPSummary?
        if let entry = try? await database.ownEntry(by: principal) {
            let gp = entry.gp
            let expiring = try await database.expiringChecks(organisationId: gp.organisationId, gpId: gp.id!, by: principal)
                .map(Self.expiringRow)
            gpSummary = GPSummary(
                id: gp.id!, name: gp.name, gmcNumber: gp.gmcNumber, status: gp.status.title, kind: gp.kind.title,
                cleared: entry.clearance.cleared, reasons: entry.clearance.reasons, expiring: expiring,
                hasExpiring: !expiring.isEmpty)
        }
        let model = DashboardPage(
            page: PageChrome(title: "Dashboard", context: context, path: "/dashboard"),
            queues: Self.queueSections(queue, now: database.clock.now(), multipleOrganisations: queue.liaison.count > 1),
            isAdministrator: principal.reach.administers, organisations: organisations, practices: practices, gp: gpSummary)
        return renderer.render("dashboard", model)
    }
}
