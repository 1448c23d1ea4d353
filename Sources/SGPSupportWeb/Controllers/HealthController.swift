import Hummingbird
import SGPSupport

/// `GET /healthz`: 200 only after a real database round-trip.
struct HealthController {
    let database: AppDatabase

    struct Health: Encodable {
        var status: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in
            try await database.ping()
            return try Response.json(Health(status: "ok"))
        }
    }
}
