import Hummingbird
import SGPSupport

extension AppRequestContext {
    /// The route's `:id`, or 404 when it is missing or not a number.
    func pathID(_ name: String = "id") throws -> Int64 {
        guard let id = parameters.get(name, as: Int64.self) else { throw DomainError.notFound("There is nothing with that id") }
        return id
    }
}

/// The entity a route's `:id` names, for a signed-in person, or 404. A GP comes as the domain's
/// view of them for that person (403 when they may not see them at all).
extension AppDatabase {
    func gp(at context: AppRequestContext) async throws -> GPEntryView {
        try await gp(id: try context.pathID(), by: try context.requirePrincipal())
    }

    func practice(at context: AppRequestContext) async throws -> PracticeView {
        try await practice(id: try context.pathID(), by: try context.requirePrincipal())
    }

    func organisation(at context: AppRequestContext) async throws -> Organisation {
        _ = try context.requirePrincipal()
        guard let organisation = try await organisation(id: try context.pathID()) else {
            throw DomainError.notFound("No organisation has that id")
        }
        return organisation
    }
}
