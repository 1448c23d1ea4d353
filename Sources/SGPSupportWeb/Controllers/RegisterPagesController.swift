import Foundation
import Hummingbird
import SGPSupport

/// The practice and GP pages the foundation offers; the register module fills them out.
struct RegisterPagesController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct PracticePage: Sendable {
        var page: PageChrome
        var name: String
        var odsCode: String
        var locality: String
    }

    struct GPPage: Sendable {
        var page: PageChrome
        var name: String
        var gmcNumber: String
        var profession: String
        var kind: String
        var status: String
        var email: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/practices/:id", use: practicePage)
        router.get("/gps/:id", use: gpPage)
    }

    @Sendable func practicePage(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        guard let id = context.parameters.get("id", as: Int64.self), let practice = try await database.practice(id: id) else {
            throw DomainError.notFound("No practice has that id")
        }
        try context.require(.viewPractice(practiceId: id, organisationId: practice.organisationId))
        let model = PracticePage(
            page: PageChrome(title: practice.name, context: context, path: request.uri.path),
            name: practice.name, odsCode: practice.odsCode, locality: practice.locality)
        return renderer.render("practice", model)
    }

    @Sendable func gpPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        guard let id = context.parameters.get("id", as: Int64.self), let gp = try await database.gp(id: id) else {
            throw DomainError.notFound("No GP has that id")
        }
        try context.require(.viewGP(gpId: id, organisationId: gp.organisationId))
        let model = GPPage(
            page: PageChrome(title: gp.name, context: context, path: request.uri.path),
            name: gp.name, gmcNumber: gp.gmcNumber, profession: gp.profession.rawValue, kind: gp.kind.rawValue,
            status: gp.status.rawValue, email: gp.email)
        return renderer.render("gp", model)
    }
}
