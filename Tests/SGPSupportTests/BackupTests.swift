import Foundation
import GRDB
import Testing

@testable import SGPSupport

@Suite struct BackupTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-\(name)-\(UUID().uuidString).sqlite").path
    }

    /// Organisations and their audit lines, as one backup sees them: each organisation is written in
    /// one transaction with its audit line and its check types, so a consistent copy has all or none.
    static func counts(_ path: String) throws -> (organisations: Int, audited: Int, checkTypes: Int) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organisation") ?? 0,
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM auditEvent WHERE entity = 'organisation' AND action = 'create'") ?? 0,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkType") ?? 0
            )
        }
    }

    @Test func aBackupTakenWhileWritesGoOnIsOneConsistentSnapshotThatRestores() async throws {
        let path = Self.temporaryPath("live")
        let database = try AppDatabase(path: path, passwords: PasswordHasher(cost: 4))
        let perOrganisation = RegisterDefaults.checkTypes.count
        let writer = Task {
            for index in 0..<150 {
                _ = try await database.createOrganisation(
                    OrganisationInput(code: String(format: "B%04d", index), name: "Organisation \(index)"), by: .commandLine)
            }
        }
        var backups: [String] = []
        for round in 0..<3 {
            try await Task.sleep(for: .milliseconds(40))
            let backup = Self.temporaryPath("backup-\(round)")
            let report = try DatabaseBackup.backup(databasePath: path, to: backup)
            #expect(report.integrity == "ok")
            #expect(report.migrations == AppDatabase.knownMigrations)
            #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
            backups.append(backup)
        }
        try await writer.value
        var seen: [Int] = []
        for backup in backups {
            let counts = try Self.counts(backup)
            #expect(counts.organisations == counts.audited, "every organisation with its audit line, none half-written")
            #expect(counts.checkTypes == counts.organisations * perOrganisation)
            seen.append(counts.organisations)
            let verified = try DatabaseBackup.verify(backupPath: backup)
            #expect(verified.integrity == "ok")
        }
        #expect(seen == seen.sorted(), "later backups hold at least as much")

        // Restore refuses to overwrite a database unless told, then brings the copy back.
        let target = Self.temporaryPath("restored")
        _ = try AppDatabase.migrate(path: target)
        #expect(throws: BackupFailure.self) {
            _ = try DatabaseBackup.restore(backupPath: backups[0], to: target, replacing: false)
        }
        let restored = try DatabaseBackup.restore(backupPath: backups[0], to: target, replacing: true)
        #expect(restored.integrity == "ok")
        #expect(try Self.counts(target).organisations == seen[0])
    }

    @Test func aDamagedBackupIsRefused() throws {
        let path = Self.temporaryPath("source")
        _ = try AppDatabase.migrate(path: path)
        let backup = Self.temporaryPath("damaged")
        _ = try DatabaseBackup.backup(databasePath: path, to: backup)
        // Overwrite a stretch of pages in the middle of the file.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: backup))
        try handle.seek(toOffset: 8192)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 16384))
        try handle.close()
        #expect(throws: (any Error).self) { _ = try DatabaseBackup.verify(backupPath: backup) }
        #expect(throws: BackupFailure.self) {
            _ = try DatabaseBackup.backup(databasePath: Self.temporaryPath("missing"), to: Self.temporaryPath("nowhere"))
        }
    }
}
