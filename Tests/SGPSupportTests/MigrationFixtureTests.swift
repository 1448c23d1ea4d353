import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// Databases made by every released schema (`Tests/fixtures/schemas/<migration>.sqlite`, one per
/// release, each with data in it) migrate to the current schema with every row and value intact.
/// A release that adds a migration adds its fixture: a copy of a database of that schema with data.
@Suite struct MigrationFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/schemas")

    /// Every row of every table, column by column, in rowid order.
    static func snapshot(_ path: String) throws -> [String: [[String: DatabaseValue]]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var tables: [String: [[String: DatabaseValue]]] = [:]
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            {
                let order = table == "grdb_migrations" || table == "mailshotOptOut" ? "" : " ORDER BY rowid"
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"" + order).map { row in
                    Dictionary(uniqueKeysWithValues: row.columnNames.map { ($0, row[$0] as DatabaseValue) })
                }
            }
            return tables
        }
    }

    /// Tables a migration adds rows to on purpose: v11 gives every organisation the nurses' and
    /// pharmacists' regulator checks.
    static let gainsRows: Set<String> = ["checkType"]
    /// Columns a migration renamed on purpose (old name → new): v11's registration number.
    static let renamedColumns: [String: [String: String]] = ["gp": ["gmcNumber": "registrationNumber"]]

    @Test func everyReleasedSchemaHasAFixture() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".sqlite") }
        let released = Set(files.map { String($0.dropLast(".sqlite".count)) })
        // The newest migration is this release's own; every earlier one must have its fixture.
        #expect(released == Set(AppDatabase.knownMigrations.dropLast()))
    }

    @Test(arguments: AppDatabase.knownMigrations.dropLast())
    func aDatabaseOfAnEarlierReleaseMigratesWithItsDataIntact(_ migration: String) async throws {
        let fixture = Self.folder.appendingPathComponent("\(migration).sqlite").path
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-\(migration)-\(UUID().uuidString).sqlite")
            .path
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        let before = try Self.snapshot(path)
        #expect(before["gp"]?.isEmpty == false, "the fixture holds data")

        let result = try AppDatabase.migrate(path: path)
        #expect(result.current == AppDatabase.knownMigrations)
        let after = try Self.snapshot(path)
        for (table, rows) in before where table != "grdb_migrations" {
            let migrated = try #require(after[table], "\(table) is still there")
            if Self.gainsRows.contains(table) {
                #expect(migrated.count >= rows.count, "\(table) keeps its rows")
            } else {
                #expect(migrated.count == rows.count, "\(table) keeps its rows")
            }
            let renamed = Self.renamedColumns[table] ?? [:]
            for (old, new) in zip(rows, migrated)
            where old.contains(where: { new[renamed[$0.key] ?? $0.key] != $0.value }) {
                Issue.record("\(table): a row changed in migration: \(old) became \(new)")
                break
            }
        }
        let database = try AppDatabase(path: path, passwords: PasswordHasher(cost: 4))
        #expect(try await database.integrityCheck() == "ok")
        let organisation = try #require(try await database.organisation(id: 1))
        #expect(try await database.organisationEvidence(organisationId: organisation.id!, by: .commandLine).cpdTarget == 50)
    }
}
