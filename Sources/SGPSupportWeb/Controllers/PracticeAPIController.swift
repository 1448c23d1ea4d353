import Foundation
import Hummingbird
import SGPSupport

/// The register's practice API: `/api/v1/practices…`.
struct PracticeAPIController {
    let database: AppDatabase

    struct PracticeBody: Encodable {
        var id: Int64
        var odsCode: String
        var name: String
        var address: String?
        var postcode: String?
        var locality: String
        var phone: String?
        var email: String?
        var clinicalSystem: String?
        var organisationId: Int64

        init(_ practice: Practice) {
            id = practice.id!
            odsCode = practice.odsCode
            name = practice.name
            address = practice.address
            postcode = practice.postcode
            locality = practice.locality
            phone = practice.phone
            email = practice.email
            clinicalSystem = practice.clinicalSystem
            organisationId = practice.organisationId
        }
    }

    struct PackBody: Codable {
        var arrival: String?
        var systems: String?
        var contacts: String?
        var referrals: String?
        var protocols: String?
        var emergencies: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/practices", use: list)
        router.post("/api/v1/practices", use: create)
        router.get("/api/v1/practices/:id", use: show)
        router.patch("/api/v1/practices/:id", use: update)
        router.get("/api/v1/practices/:id/pack", use: pack)
        router.put("/api/v1/practices/:id/pack", use: savePack)
        router.get("/api/v1/practices/:id/preferences", use: preferences)
        router.put("/api/v1/practices/:id/preferences/:gpId", use: setPreference)
        router.delete("/api/v1/practices/:id/preferences/:gpId", use: clearPreference)
    }

    struct PreferenceBody: Codable {
        var gpId: Int64?
        var preference: String?
        var reason: String?
    }

    @Sendable func preferences(_ request: Request, context: AppRequestContext) async throws -> Response {
        let items = try await database.practicePreferences(practiceId: try context.pathID(), by: try context.requirePrincipal())
            .map {
                PreferenceBody(
                    gpId: $0.preference.gpId, preference: $0.preference.preference.rawValue, reason: $0.preference.reason)
            }
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func setPreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = try context.pathID()
        let gpId = try context.pathID("gpId")
        let body = try await request.decodeJSON(PreferenceBody.self, context: context)
        let preference = try await database.setPracticePreference(
            practiceId: practiceId, about: .gpId(gpId), choice: body.preference, reason: body.reason, by: principal)
        return try .json(
            PreferenceBody(gpId: gpId, preference: preference?.rawValue, reason: preference == nil ? nil : body.reason))
    }

    @Sendable func clearPreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await database.setPracticePreference(
            practiceId: try context.pathID(), gpId: try context.pathID("gpId"), preference: nil, reason: nil, by: principal)
        return Response(status: .noContent)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let page = try await database.practices(
            organisationId: try RegisterQuery.namedOrganisation(request), text: query.get("text"),
            locality: query.get("locality"), page: request.pageRequest(), by: try context.requirePrincipal())
        return try .json(
            ListBody(items: page.items.map(PracticeBody.init), total: page.total, page: page.page, perPage: page.perPage))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(GPAPIController.CreateRequest<PracticeInput>.self, context: context)
        let organisationId = try principal.organisationId(named: body.organisationId, as: .liaisonOfficer)
        return try .json(
            PracticeBody(try await database.createPractice(organisationId: organisationId, body.input, by: principal)),
            status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try .json(PracticeBody(try await database.practice(at: context).practice))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(PracticeInput.self, context: context)
        return try .json(PracticeBody(try await database.updatePractice(id: try context.pathID(), input, by: principal)))
    }

    @Sendable func pack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let pack = try await database.practicePack(practiceId: try context.pathID(), by: try context.requirePrincipal())
        return try .json(
            PackBody(
                arrival: pack?.arrival ?? "", systems: pack?.systems ?? "", contacts: pack?.contacts ?? "",
                referrals: pack?.referrals ?? "", protocols: pack?.protocols ?? "", emergencies: pack?.emergencies ?? ""))
    }

    @Sendable func savePack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = try context.pathID()
        let body = try await request.decodeJSON(PackBody.self, context: context)
        let sections = [
            "arrival": body.arrival, "systems": body.systems, "contacts": body.contacts, "referrals": body.referrals,
            "protocols": body.protocols, "emergencies": body.emergencies,
        ].compactMapValues { $0 }
        let pack = try await database.savePracticePack(practiceId: practiceId, sections: sections, by: principal)
        return try .json(
            PackBody(
                arrival: pack.arrival, systems: pack.systems, contacts: pack.contacts, referrals: pack.referrals,
                protocols: pack.protocols, emergencies: pack.emergencies))
    }

}
