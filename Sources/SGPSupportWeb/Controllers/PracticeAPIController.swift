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
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context)
        guard
            principal.practiceIds.contains(practice.id!)
                || AccessPolicy.permits(principal, .superviseOrganisation(organisationId: practice.organisationId))
        else { throw DomainError.forbidden("Preferences are private to the practice and the support team") }
        let items = try await database.practicePreferences(practiceId: practice.id!).map {
            PreferenceBody(gpId: $0.gpId, preference: $0.preference.rawValue, reason: $0.reason)
        }
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func setPreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context)
        let gpId = try context.pathID("gpId")
        let body = try await request.decodeJSON(PreferenceBody.self, context: context)
        guard let preference = PracticePreference.Kind(rawValue: body.preference ?? "") else {
            throw DomainError.validationFailed(ValidationErrors(field: "preference", message: "Choose preferred or not-wanted"))
        }
        try await database.setPracticePreference(
            practiceId: practice.id!, gpId: gpId, preference: preference, reason: body.reason, by: principal)
        return try .json(PreferenceBody(gpId: gpId, preference: preference.rawValue, reason: body.reason))
    }

    @Sendable func clearPreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context)
        let gpId = try context.pathID("gpId")
        try await database.setPracticePreference(
            practiceId: practice.id!, gpId: gpId, preference: nil, reason: nil, by: principal)
        return Response(status: .noContent)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        if principal.holds(.liaisonOfficer) || principal.holds(.mentor) || principal.isAdministrator {
            let organisationId = try RegisterQuery.organisationId(request, principal: principal)
            try context.require(.superviseOrganisation(organisationId: organisationId))
            let page = try await database.practices(
                organisationId: organisationId, text: query.get("text"), locality: query.get("locality"),
                page: request.pageRequest())
            return try .json(
                ListBody(items: page.items.map(PracticeBody.init), total: page.total, page: page.page, perPage: page.perPage))
        }
        // A practice manager's list is their own practice(s).
        let own = try await database.practices(ids: principal.practiceIds)
        return try .json(ListBody(items: own.map(PracticeBody.init), total: own.count, page: 1, perPage: max(own.count, 1)))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(GPAPIController.CreateRequest<PracticeInput>.self, context: context)
        let organisationId = try body.organisationId ?? RegisterQuery.managedOrganisation(principal)
        return try .json(
            PracticeBody(try await database.createPractice(organisationId: organisationId, body.input, by: principal)),
            status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let practice = try await database.practice(at: context)
        try context.require(.viewPractice(practiceId: practice.id!, organisationId: practice.organisationId))
        return try .json(PracticeBody(practice))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context)
        let input = try await request.decodeJSON(PracticeInput.self, context: context)
        return try .json(PracticeBody(try await database.updatePractice(id: practice.id!, input, by: principal)))
    }

    @Sendable func pack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let practice = try await database.practice(at: context)
        try context.require(.viewPractice(practiceId: practice.id!, organisationId: practice.organisationId))
        let pack = try await database.practicePack(practiceId: practice.id!)
        return try .json(
            PackBody(
                arrival: pack?.arrival ?? "", systems: pack?.systems ?? "", contacts: pack?.contacts ?? "",
                referrals: pack?.referrals ?? "", protocols: pack?.protocols ?? "", emergencies: pack?.emergencies ?? ""))
    }

    @Sendable func savePack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context)
        let body = try await request.decodeJSON(PackBody.self, context: context)
        let sections = [
            "arrival": body.arrival, "systems": body.systems, "contacts": body.contacts, "referrals": body.referrals,
            "protocols": body.protocols, "emergencies": body.emergencies,
        ].compactMapValues { $0 }
        let pack = try await database.savePracticePack(practiceId: practice.id!, sections: sections, by: principal)
        return try .json(
            PackBody(
                arrival: pack.arrival, systems: pack.systems, contacts: pack.contacts, referrals: pack.referrals,
                protocols: pack.protocols, emergencies: pack.emergencies))
    }

}
