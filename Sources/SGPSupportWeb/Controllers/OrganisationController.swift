import Foundation
import Hummingbird
import SGPSupport

/// Organisations: the API list and record, the support team's overview page, administration.
struct OrganisationController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct OrganisationBody: Encodable {
        var id: Int64
        var code: String
        var name: String
        var region: String?
        var createdAt: Date

        init(_ organisation: Organisation) {
            id = organisation.id!
            code = organisation.code
            name = organisation.name
            region = organisation.region
            createdAt = organisation.createdAt
        }
    }

    struct OverviewPage: Sendable {
        var page: PageChrome
        var name: String
        var code: String
        var region: String?
        var practices: Int
        var localities: [String]
        var statuses: [StatusCount]
    }

    struct StatusCount: Sendable {
        var status: String
        var count: Int
    }

    struct AdminPage: Sendable {
        var page: PageChrome
        var organisations: [AdminRow]
    }

    struct AdminRow: Sendable {
        var id: Int64
        var code: String
        var name: String
        var region: String?
        var created: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/organisations", use: list)
        router.get("/api/v1/organisations/:id", use: show)
        router.get("/organisations/:id", use: overviewPage)
        router.get("/api/v1/organisations/:id/day-parts", use: dayParts)
        router.put("/api/v1/organisations/:id/day-parts", use: setDayParts)
        router.get("/admin", use: adminPage)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let page = try await database.organisations(visibleTo: principal, page: request.pageRequest())
        return try .json(
            ListBody(items: page.items.map(OrganisationBody.init), total: page.total, page: page.page, perPage: page.perPage))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await findOrganisation(context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        return try .json(OrganisationBody(organisation))
    }

    /// `{"morning": {"start": "08:00", "end": "13:00"}, "afternoon": …, "evening": …}`
    struct DayPartSpan: Codable {
        var start: String
        var end: String
    }

    @Sendable func dayParts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await findOrganisation(context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        return try .json(Self.body(try await database.dayPartTimes(organisationId: organisation.id!)))
    }

    @Sendable func setDayParts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await findOrganisation(context)
        let body = try await request.decodeJSON([String: DayPartSpan].self, context: context)
        let times = try await database.setDayPartTimes(
            organisationId: organisation.id!, body.mapValues { ($0.start, $0.end) }, by: principal)
        return try .json(Self.body(times))
    }

    static func body(_ times: DayPartTimes) -> [String: DayPartSpan] {
        Dictionary(
            uniqueKeysWithValues: DayPart.allCases.map {
                (
                    $0.rawValue,
                    DayPartSpan(
                        start: ClockTime.format(times.span($0).startMinute), end: ClockTime.format(times.span($0).endMinute))
                )
            })
    }

    @Sendable func overviewPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await findOrganisation(context)
        try context.require(.superviseOrganisation(organisationId: organisation.id!))
        let overview = try await database.overview(ofOrganisation: organisation.id!)
        let statuses = GP.Status.allCases.map { StatusCount(status: $0.rawValue, count: overview.gpsByStatus[$0] ?? 0) }
        let model = OverviewPage(
            page: PageChrome(title: organisation.name, context: context, path: request.uri.path),
            name: organisation.name, code: organisation.code, region: organisation.region,
            practices: overview.practices, localities: overview.localities, statuses: statuses)
        return renderer.render("organisation", model)
    }

    @Sendable func adminPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.administer)
        let organisations = try await database.organisations(
            visibleTo: principal, page: PageRequest(perPage: PageRequest.maximumPerPage))
        let rows = organisations.items.map {
            AdminRow(id: $0.id!, code: $0.code, name: $0.name, region: $0.region, created: DisplayDate.day($0.createdAt))
        }
        return renderer.render(
            "admin", AdminPage(page: PageChrome(title: "Administration", context: context, path: "/admin"), organisations: rows))
    }

    private func findOrganisation(_ context: AppRequestContext) async throws -> Organisation {
        _ = try context.requirePrincipal()
        guard let id = context.parameters.get("id", as: Int64.self), let organisation = try await database.organisation(id: id)
        else {
            throw DomainError.notFound("No organisation has that id")
        }
        return organisation
    }
}

extension Request {
    /// `?page=&perPage=`, corrected into range.
    func pageRequest() -> PageRequest {
        PageRequest(
            page: uri.queryParameters.get("page", as: Int.self), perPage: uri.queryParameters.get("perPage", as: Int.self))
    }
}
