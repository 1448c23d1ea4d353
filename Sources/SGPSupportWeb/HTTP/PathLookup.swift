import Hummingbird
import SGPSupport

extension AppRequestContext {
    /// The route's `:id`, or 404 when it is missing or not a number.
    func pathID(_ name: String = "id") throws -> Int64 {
        guard let id = parameters.get(name, as: Int64.self) else { throw DomainError.notFound("There is nothing with that id") }
        return id
    }
}

/// The entity a route's `:id` names, for a signed-in person, or 404. Whether they may see it is
/// the caller's next question, asked of the access policy.
extension AppDatabase {
    func gp(at context: AppRequestContext) async throws -> GP {
        _ = try context.requirePrincipal()
        guard let gp = try await gp(id: try context.pathID()) else { throw DomainError.notFound("No GP has that id") }
        return gp
    }

    func practice(at context: AppRequestContext) async throws -> Practice {
        _ = try context.requirePrincipal()
        guard let practice = try await practice(id: try context.pathID()) else {
            throw DomainError.notFound("No practice has that id")
        }
        return practice
    }

    func organisation(at context: AppRequestContext) async throws -> Organisation {
        _ = try context.requirePrincipal()
        guard let organisation = try await organisation(id: try context.pathID()) else {
            throw DomainError.notFound("No organisation has that id")
        }
        return organisation
    }
}
