import ArgumentParser
import Foundation
import SGPSupport

/// `sgpst backup`: an online, consistent copy of the database while the server runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database with SQLite's online backup while the server goes on serving.",
        discussion: "With --verify, the copy is restored into a scratch file and checked there, as a restore would.")

    @Option(name: .long, help: "The SQLite database file to copy.") var database: String
    @Option(name: .long, help: "Where to write the backup (replaced when it exists).") var to: String
    @Flag(name: .long, help: "Restore the copy into a scratch file and run integrity_check on it.") var verify = false

    func run() async throws {
        do {
            let report = try DatabaseBackup.backup(databasePath: database, to: to)
            print("Backed up \(database) to \(to): \(Self.describe(report))")
            if verify {
                let verified = try DatabaseBackup.verify(backupPath: to)
                print("Verified: restored into a scratch file, integrity \(verified.integrity), \(Self.describe(verified))")
            }
        } catch let failure as BackupFailure {
            printError(failure.description)
            throw ExitCode.failure
        }
    }

    static func describe(_ report: BackupReport) -> String {
        "\(report.bytes) bytes, \(report.migrations.count) migrations (latest \(report.migrations.last ?? "none")), "
            + "\(report.gps) GPs, \(report.sessions) sessions, \(report.bookings) bookings"
    }
}

/// `sgpst restore`: a backup back into place, migrated to this build and checked.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Restore a backup made by `sgpst backup` (stop the server first).")

    @Option(name: .long, help: "The backup file.") var from: String
    @Option(name: .long, help: "The database file to restore into.") var database: String
    @Flag(name: .long, help: "Replace the database file when it exists.") var force = false

    func run() async throws {
        do {
            let report = try DatabaseBackup.restore(backupPath: from, to: database, replacing: force)
            print("Restored \(from) into \(database): integrity \(report.integrity), \(BackupCommand.describe(report))")
        } catch let failure as BackupFailure {
            printError(failure.description)
            throw ExitCode.failure
        }
    }
}
