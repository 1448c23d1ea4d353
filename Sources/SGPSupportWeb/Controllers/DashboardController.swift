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

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.principal != nil { return .seeOther("/dashboard") }
        return renderer.render("home", HomePage(page: PageChrome(title: "Sessional GP support", context: context, path: "/")))
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var organisations: [OrganisationSummary] = []
        for grant in principal.grants where [.liaisonOfficer, .mentor].contains(grant.role) {
            guard let id = grant.organisationId, let organisation = try await database.organisation(id: id) else { continue }
            let overview = try await database.overview(ofOrganisation: id)
            organisations.append(
                OrganisationSummary(
                    id: id, name: organisation.name, code: organisation.code, role: grant.role.title,
                    practices: overview.practices, localities: overview.localities.joined(separator: ", "),
                    activeGPs: overview.gpsByStatus[.active] ?? 0, applicants: overview.gpsByStatus[.applicant] ?? 0,
                    totalGPs: overview.gpTotal))
        }
        let practices = try await database.practices(ids: principal.practiceIds).map {
            PracticeSummary(id: $0.id!, name: $0.name, odsCode: $0.odsCode, locality: $0.locality)
        }
        var gpSummary: GPSummary?
        if let gpId = principal.gpId, let gp = try await database.gp(id: gpId) {
            gpSummary = GPSummary(
                id: gpId, name: gp.name, gmcNumber: gp.gmcNumber, status: gp.status.rawValue, kind: gp.kind.rawValue)
        }
        let model = DashboardPage(
            page: PageChrome(title: "Dashboard", context: context, path: "/dashboard"),
            isAdministrator: principal.isAdministrator, organisations: organisations, practices: practices, gp: gpSummary)
        return renderer.render("dashboard", model)
    }
}
