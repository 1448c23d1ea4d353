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

    struct DashboardPage: Sendable {
        var page: PageChrome
        var isAdministrator: Bool
        var organisations: [OrganisationSummary]
        var practices: [PracticeSummary]
        var gp: GPSummary?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.get("/dashboard", use: dashboard)
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
        let openConcerns = try await database.feedbackConcerns(by: principal, includeClosed: false)
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
                id: gp.id!, name: gp.name, gmcNumber: gp.gmcNumber, status: gp.status.rawValue, kind: gp.kind.rawValue,
                cleared: entry.clearance.cleared, reasons: entry.clearance.reasons, expiring: expiring,
                hasExpiring: !expiring.isEmpty)
        }
        let model = DashboardPage(
            page: PageChrome(title: "Dashboard", context: context, path: "/dashboard"),
            isAdministrator: principal.reach.administers, organisations: organisations, practices: practices, gp: gpSummary)
        return renderer.render("dashboard", model)
    }
}
