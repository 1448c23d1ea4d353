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
        var id: Int64
        var name: String
        var code: String
        var region: String?
        var practices: Int
        var localities: [String]
        var statuses: [StatusCount]
        var canManage: Bool
        var checkTypes: [CheckTypeRow]
        var skills: [String]
        var skillFields: [FormField]
    }

    struct CheckTypeRow: Sendable {
        var code: String
        var name: String
        var required: Bool
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
        router.get("/api/v1/organisations/:id/check-types", use: checkTypes)
        router.patch("/api/v1/organisations/:id/check-types/:code", use: setCheckType)
        router.get("/api/v1/organisations/:id/skills", use: skills)
        router.post("/api/v1/organisations/:id/skills", use: addSkill)
        router.post("/organisations/:id/check-types", use: saveCheckTypesForm)
        router.post("/organisations/:id/skills", use: addSkillForm)
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
        let organisation = try await database.organisation(at: context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        return try .json(OrganisationBody(organisation))
    }

    struct CheckTypeBody: Codable {
        var code: String?
        var name: String?
        var requiredBeforeWork: Bool?
    }

    struct SkillBody: Codable {
        var code: String?
        var name: String?
    }

    @Sendable func checkTypes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await database.organisation(at: context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        let items = try await database.checkTypes(organisationId: organisation.id!).map {
            CheckTypeBody(code: $0.code, name: $0.name, requiredBeforeWork: $0.requiredBeforeWork)
        }
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func setCheckType(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let body = try await request.decodeJSON(CheckTypeBody.self, context: context)
        let type = try await database.setCheckTypeRequired(
            organisationId: organisation.id!, code: context.parameters.get("code") ?? "", required: body.requiredBeforeWork,
            by: principal)
        return try .json(CheckTypeBody(code: type.code, name: type.name, requiredBeforeWork: type.requiredBeforeWork))
    }

    @Sendable func skills(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await database.organisation(at: context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        let items = try await database.skills(organisationId: organisation.id!).map { SkillBody(code: $0.code, name: $0.name) }
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func addSkill(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let body = try await request.decodeJSON(SkillBody.self, context: context)
        let skill = try await database.addSkill(
            organisationId: organisation.id!, code: body.code ?? "", name: body.name ?? "", by: principal)
        return try .json(SkillBody(code: skill.code, name: skill.name), status: .created)
    }

    /// The settings form: one checkbox per check type; unticked means "not required before work".
    @Sendable func saveCheckTypesForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        try context.require(.manageOrganisation(organisationId: organisation.id!))
        let required = Set(try await request.formFields(context: context).all("required"))
        for type in try await database.checkTypes(organisationId: organisation.id!)
        where type.requiredBeforeWork != required.contains(type.code) {
            _ = try await database.setCheckTypeRequired(
                organisationId: organisation.id!, code: type.code, required: required.contains(type.code), by: principal)
        }
        return .seeOther("/organisations/\(organisation.id!)?done=saved")
    }

    @Sendable func addSkillForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.addSkill(
                organisationId: organisation.id!, code: form.text("code"), name: form.text("name"), by: principal)
            return .seeOther("/organisations/\(organisation.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderOverview(request, context: context, organisation: organisation, form: form, errors: errors)
        }
    }

    /// `{"morning": {"start": "08:00", "end": "13:00"}, "afternoon": …, "evening": …}`
    struct DayPartSpan: Codable {
        var start: String
        var end: String
    }

    @Sendable func dayParts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await database.organisation(at: context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        return try .json(Self.body(try await database.dayPartTimes(organisationId: organisation.id!)))
    }

    @Sendable func setDayParts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
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
        let organisation = try await database.organisation(at: context)
        return try await renderOverview(
            request, context: context, organisation: organisation, form: nil, errors: ValidationErrors())
    }

    private func renderOverview(
        _ request: Request, context: AppRequestContext, organisation: Organisation, form: FormFields?, errors: ValidationErrors
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let overview = try await database.overview(ofOrganisation: organisation.id!, by: principal)
        let statuses = GP.Status.allCases.map { StatusCount(status: $0.title, count: overview.gpsByStatus[$0] ?? 0) }
        let checkTypes = try await database.checkTypes(organisationId: organisation.id!).map {
            CheckTypeRow(code: $0.code, name: $0.name, required: $0.requiredBeforeWork)
        }
        let skills = try await database.skills(organisationId: organisation.id!).map { "\($0.name) (\($0.code))" }
        let skillFields: [FormField] = [
            .text(
                "code", "Code", value: form?.text("code"), errors: errors,
                hint: "Lower-case letters, digits and hyphens, like ecg-reading"),
            .text("name", "Name", value: form?.text("name"), errors: errors),
        ]
        let model = OverviewPage(
            page: PageChrome(
                title: organisation.name, context: context, path: "/organisations/\(organisation.id!)", errors: errors,
                notice: Notice.from(request)),
            id: organisation.id!, name: organisation.name, code: organisation.code, region: organisation.region,
            practices: overview.practices, localities: overview.localities, statuses: statuses,
            canManage: principal.may(.manageOrganisation(organisationId: organisation.id!)),
            checkTypes: checkTypes,
            skills: skills, skillFields: skillFields)
        return renderer.render("organisation", model, status: errors.isEmpty ? .ok : .unprocessableContent)
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

}

extension Request {
    /// `?page=&perPage=`, corrected into range.
    func pageRequest() -> PageRequest {
        PageRequest(
            page: uri.queryParameters.get("page", as: Int.self), perPage: uri.queryParameters.get("perPage", as: Int.self))
    }
}
