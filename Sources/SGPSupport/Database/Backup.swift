import Foundation
import GRDB

/// What a backup, a verification or a restore found.
public struct BackupReport: Sendable, Equatable {
    public var path: String
    public var bytes: Int64
    public var integrity: String
    public var migrations: [String]
    /// Register entries, sessions and bookings in the copy: a quick sign that it is the data expected.
    public var gps: Int
    public var sessions: Int
    public var bookings: Int
}

public struct BackupFailure: Error, CustomStringConvertible {
    public var description: String
}

/// Online backup with SQLite's backup API: the copy is one consistent snapshot (a read transaction
/// on the source), taken while the server goes on serving and writing. Nothing here holds the
/// writer's lock, so the server never waits on a backup.
public enum DatabaseBackup {
    /// Copies `databasePath` to `backupPath` (written beside it as `.partial`, checked, then renamed
    /// into place, so a failed backup never leaves a half-written file under the real name).
    public static func backup(databasePath: String, to backupPath: String) throws -> BackupReport {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw BackupFailure(description: "There is no database at \(databasePath)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let source = try DatabasePool(path: databasePath, configuration: configuration)
        let partial = backupPath + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let destination = try DatabaseQueue(path: partial)
            try source.backup(to: destination)
            // A backup stands alone: one file, no write-ahead log beside it.
            try destination.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            try destination.close()
            let report = try inspect(path: partial)
            guard report.integrity == "ok" else {
                throw BackupFailure(description: "The copy failed its integrity check: \(report.integrity)")
            }
            try? FileManager.default.removeItem(atPath: backupPath)
            try FileManager.default.moveItem(atPath: partial, toPath: backupPath)
            return try inspect(path: backupPath)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Restores the backup into a scratch file and checks it there, as a restore would: the proof
    /// that a backup is usable, not only present.
    public static func verify(backupPath: String) throws -> BackupReport {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-verify-\(UUID().uuidString).sqlite")
            .path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: scratch + suffix) }
        }
        let report = try restore(backupPath: backupPath, to: scratch, replacing: false)
        return BackupReport(
            path: backupPath, bytes: try fileSize(backupPath), integrity: report.integrity, migrations: report.migrations,
            gps: report.gps, sessions: report.sessions, bookings: report.bookings)
    }

    /// Copies a backup into `databasePath` (refusing to replace an existing database unless told),
    /// then migrates it to this build's schema and checks it. Stop the server first.
    public static func restore(backupPath: String, to databasePath: String, replacing: Bool) throws -> BackupReport {
        let backup = try inspect(path: backupPath)
        guard backup.integrity == "ok" else {
            throw BackupFailure(description: "The backup failed its integrity check: \(backup.integrity)")
        }
        let unknown = backup.migrations.filter { !AppDatabase.knownMigrations.contains($0) }
        guard unknown.isEmpty else {
            throw BackupFailure(
                description:
                    "The backup was made by a newer sgpst (migrations \(unknown.joined(separator: ", "))): restore it with that version"
            )
        }
        if FileManager.default.fileExists(atPath: databasePath), !replacing {
            throw BackupFailure(description: "\(databasePath) exists: stop the server and add --force to replace it")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let source = try DatabaseQueue(path: backupPath, configuration: configuration)
        let destination = try AppDatabase.openPool(path: databasePath)
        try source.backup(to: destination)
        try destination.close()
        _ = try AppDatabase.migrate(path: databasePath)
        return try inspect(path: databasePath)
    }

    /// Integrity, schema and row counts of a database file, read only.
    public static func inspect(path: String) throws -> BackupReport {
        guard FileManager.default.fileExists(atPath: path) else {
            throw BackupFailure(description: "There is no file at \(path)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let tables = try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            func count(_ table: String) throws -> Int {
                tables.contains(table) ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 : 0
            }
            return BackupReport(
                path: path, bytes: try fileSize(path),
                integrity: try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; "),
                migrations: tables.contains("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") : [],
                gps: try count("gp"), sessions: try count("clinicalSession"), bookings: try count("booking"))
        }
    }

    static func fileSize(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
    }
}
