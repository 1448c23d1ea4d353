import Hummingbird
import SGPSupport

/// `GET /healthz`: 200 only after a real database round-trip (liveness: cheap, for every probe).
/// `GET /readyz`: 200 when the service can do its work (every migration applied, the database
/// takes a write, its storage has room), else 503 saying what is wrong (readiness: a proxy stops
/// sending people here meanwhile).
struct HealthController {
    let database: AppDatabase

    struct Health: Encodable {
        var status: String
    }

    struct Ready: Encodable {
        var status: String
        var pendingMigrations: [String]
        var writable: Bool
        var storageFull: Bool
        /// What is wrong, in words; empty when ready.
        var problems: [String]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in
            try await database.ping()
            return try Response.json(Health(status: "ok"))
        }
        router.get("/readyz") { _, _ in
            let readiness = try await database.readiness()
            var problems: [String] = []
            if !readiness.pendingMigrations.isEmpty {
                problems.append("Migrations not applied: \(readiness.pendingMigrations.joined(separator: ", "))")
            }
            if !readiness.writable { problems.append("The database does not take a write") }
            if readiness.storageFull { problems.append("Storage is full") }
            return try Response.json(
                Ready(
                    status: readiness.ready ? "ready" : "not_ready", pendingMigrations: readiness.pendingMigrations,
                    writable: readiness.writable, storageFull: readiness.storageFull, problems: problems),
                status: readiness.ready ? .ok : .serviceUnavailable)
        }
    }
}
