import Foundation
import GRDB
import Testing

@testable import SGPSupport

@Suite struct DatabaseTests {
    @Test func migratesAnEmptyFileAndSaysWhatItDid() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-migrate-\(UUID().uuidString).sqlite").path
        let first = try AppDatabase.migrate(path: path)
        #expect(first.applied == AppDatabase.knownMigrations)
        #expect(first.applied.contains("v1-foundation"))
        let second = try AppDatabase.migrate(path: path)
        #expect(second.applied.isEmpty)
        #expect(second.current == AppDatabase.knownMigrations)
    }

    @Test func connectionsEnforceForeignKeysDurabilityAndWAL() async throws {
        let database = try makeTestDatabase()
        let settings = try await database.write { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
        #expect(settings.0 == 1)
        #expect(settings.1 == 2)  // FULL
        #expect(settings.2 == "wal")
        #expect(try await database.integrityCheck() == "ok")
    }

    @Test func theAuditLogRefusesUpdatesAndDeletes() async throws {
        let database = try makeTestDatabase()
        let organisation = try await database.createOrganisation(
            OrganisationInput(code: "QKK", name: "North Ward ICB"), by: .commandLine)
        let events = try await database.auditEvents(entity: "organisation", entityId: organisation.id!)
        #expect(events.map(\.action) == ["create"])
        #expect(events.first?.actor == "command line")
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in try db.execute(sql: "UPDATE auditEvent SET action = 'forged'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await database.writer.write { db in try db.execute(sql: "DELETE FROM auditEvent") }
        }
        #expect(try await database.auditEvents(entity: "organisation", entityId: organisation.id!).map(\.action) == ["create"])
    }

    @Test func aFreshDatabaseHasNoAccounts() async throws {
        let database = try makeTestDatabase()
        let users = try await database.read { db in try User.fetchCount(db) }
        #expect(users == 0)
    }

    @Test func demoDataLoadsOnceWithEveryRole() async throws {
        let database = try makeTestDatabase()
        let demo = try repositoryDemoData()
        let summary = try await database.loadDemo(demo)
        #expect(summary.organisationCode == "DEMO1")
        #expect(summary.practices >= 35)
        #expect(summary.gps >= 90)
        #expect(Set(summary.users.map(\.role)) == Set(Role.allCases))
        for email in ["liaison@demo.test", "mentor@demo.test", "practice@demo.test", "gp@demo.test"] {
            let session = try await database.signIn(email: email, password: "demo-password", from: "test", kind: .web)
            #expect(!session.principal.grants.isEmpty, "\(email) has a role")
        }
        let organisation = try #require(try await database.organisation(code: "DEMO1"))
        let overview = try await database.overview(ofOrganisation: organisation.id!)
        #expect(overview.localities.count == 5)
        await #expect(throws: DomainError.self) { try await database.loadDemo(demo) }
    }
}
