import Foundation
import Hummingbird
import SGPSupport

/// Organisations: the API list and record, the support team's overview page, administration (the pages'
/// models are in Views/Organisation).
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

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/organisations", use: list)
        router.get("/api/v1/organisations/:id", use: show)
        router.get("/organisations/:id", use: overviewPage)
        router.get("/api/v1/organisations/:id/check-types", use: checkTypes)
        router.patch("/api/v1/organisations/:id/check-types/:code", use: setCheckType)
        router.patch("/api/v1/organisations/:id/settings", use: setSettings)
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
        /// The professions it applies to: gp, nurse, pharmacist.
        var professions: [String]?

        init(code: String? = nil, name: String? = nil, requiredBeforeWork: Bool? = nil, professions: [String]? = nil) {
            self.code = code
            self.name = name
            self.requiredBeforeWork = requiredBeforeWork
            self.professions = professions
        }

        init(_ type: CheckType) {
            self.init(
                code: type.code, name: type.name, requiredBeforeWork: type.requiredBeforeWork,
                professions: type.professions.split(separator: " ").map(String.init))
        }
    }

    struct OrganisationSettingsBody: Codable {
        var appraisalValidityMonths: Int?
        /// The Bank of England base rate for late-payment interest, and the day it took effect.
        var baseRatePercent: Double?
        var baseRateFrom: String?
        /// Feedback rounds: responses aimed for and needed before a report is released, rounds per cycle.
        var colleagueTarget: Int?
        var colleagueMinimum: Int?
        var patientTarget: Int?
        var patientMinimum: Int?
        var roundsPerCycle: Int?
    }

    struct SkillBody: Codable {
        var code: String?
        var name: String?
    }

    @Sendable func checkTypes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let organisation = try await database.organisation(at: context)
        try context.require(.viewOrganisation(organisationId: organisation.id!))
        let items = try await database.checkTypes(organisationId: organisation.id!).map(CheckTypeBody.init)
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func setCheckType(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let body = try await request.decodeJSON(CheckTypeBody.self, context: context)
        let code = context.parameters.get("code") ?? ""
        let type =
            body.professions == nil
            ? try await database.setCheckTypeRequired(
                organisationId: organisation.id!, code: code, required: body.requiredBeforeWork, by: principal)
            : try await database.setCheckType(
                organisationId: organisation.id!, code: code, required: body.requiredBeforeWork,
                professions: body.professions, by: principal)
        return try .json(CheckTypeBody(type))
    }

    /// The organisation's settings: how long an appraisal counts for.
    @Sendable func setSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let body = try await request.decodeJSON(OrganisationSettingsBody.self, context: context)
        // Each setting sent is changed, all or none; one sent alone leaves the others as they are.
        try await database.setOrganisationSettings(
            organisationId: organisation.id!, appraisalValidityMonths: body.appraisalValidityMonths,
            baseRatePercent: body.baseRatePercent.map { String(format: "%.2f", $0) }, baseRateFrom: body.baseRateFrom,
            rounds: FeedbackRoundSettings(
                colleagueTarget: body.colleagueTarget, colleagueMinimum: body.colleagueMinimum,
                patientTarget: body.patientTarget, patientMinimum: body.patientMinimum, roundsPerCycle: body.roundsPerCycle),
            by: principal)
        let latest = try await database.baseRates(organisationId: organisation.id!, by: principal).first
        let rounds = try await database.feedbackRoundSettings(organisationId: organisation.id!, by: principal)
        return try .json(
            OrganisationSettingsBody(
                appraisalValidityMonths: try await database.appraisalValidityMonths(organisationId: organisation.id!),
                baseRatePercent: latest.map { Double($0.rateBasisPoints) / 100 }, baseRateFrom: latest?.effectiveFrom.description,
                colleagueTarget: rounds.colleagueTarget, colleagueMinimum: rounds.colleagueMinimum,
                patientTarget: rounds.patientTarget, patientMinimum: rounds.patientMinimum, roundsPerCycle: rounds.roundsPerCycle)
        )
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
        let types = try await database.checkTypes(organisationId: organisation.id!)
        let posted = OrganisationForms.checkTypes(types).decode(
            try await request.formFields(context: context), into: CheckTypesInput())
        let required = Set(posted.required ?? [])
        for type in types where type.requiredBeforeWork != required.contains(type.code) {
            _ = try await database.setCheckTypeRequired(
                organisationId: organisation.id!, code: type.code, required: required.contains(type.code), by: principal)
        }
        return .seeOther("/organisations/\(organisation.id!)?done=saved")
    }

    @Sendable func addSkillForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisation = try await database.organisation(at: context)
        let form = try await request.formFields(context: context)
        let skill = OrganisationForms.skill.decode(form, into: SkillInput())
        do {
            _ = try await database.addSkill(
                organisationId: organisation.id!, code: skill.code ?? "", name: skill.name ?? "", by: principal)
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
        let id = organisation.id!
        let model = OrganisationPage(
            page: PageChrome(
                title: organisation.name, context: context, path: "/organisations/\(id)", errors: errors,
                notice: Notice.from(request)),
            organisation: organisation, overview: try await database.overview(ofOrganisation: id, by: principal),
            checkTypes: try await database.checkTypes(organisationId: id), skills: try await database.skills(organisationId: id),
            canManage: principal.may(.manageOrganisation(organisationId: id)), postedSkill: form, errors: errors)
        return renderer.render("organisation", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func adminPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.require(.administer)
        let organisations = try await database.organisations(
            visibleTo: principal, page: PageRequest(perPage: PageRequest.maximumPerPage))
        let page = PageChrome(title: "Administration", context: context, path: "/admin")
        return renderer.render("admin", AdminPage(page: page, organisations: organisations.items))
    }
}

extension Request {
    /// `?page=&perPage=`, corrected into range.
    func pageRequest() -> PageRequest {
        PageRequest(
            page: uri.queryParameters.get("page", as: Int.self), perPage: uri.queryParameters.get("perPage", as: Int.self))
    }
}
