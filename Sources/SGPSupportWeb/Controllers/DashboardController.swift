import Foundation
import Hummingbird
import SGPSupport

/// The landing page and each role's dashboard (the models are in Views/Dashboard).
struct DashboardController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct HomePage: Sendable {
        var page: PageChrome
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
        var organisations: [DashboardPage.Supported] = []
        for supported in principal.reach.supportedOrganisations {
            let id = supported.organisationId
            guard let organisation = try await database.organisation(id: id) else { continue }
            organisations.append(
                DashboardPage.Supported(
                    organisation: organisation, role: supported.role,
                    overview: try await database.overview(ofOrganisation: id, by: principal),
                    expiring: try await database.expiringChecks(organisationId: id, by: principal)))
        }
        // Only a GP has an entry of their own (anyone else is refused, and has no GP card).
        let ownEntry = try? await database.ownEntry(by: principal)
        let model = DashboardPage(
            page: PageChrome(title: "Dashboard", context: context, path: "/dashboard"),
            queue: try await database.workQueue(by: principal), now: database.clock.now(),
            isAdministrator: principal.reach.administers, organisations: organisations,
            practices: try await database.ownPractices(by: principal),
            ownEntry: ownEntry)
        return renderer.render("dashboard", model)
    }
}
