import ArgumentParser
import Foundation
import SGPSupport

@main
struct SGPST: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgpst",
        abstract: "The coordination service of a Sessional GP Support Team.",
        subcommands: [
            Serve.self, Migrate.self, Demo.self, OrganisationCommand.self, UserCommand.self, ImportCommand.self,
            ExportCommand.self, MailshotCommand.self, ClearingCommand.self, Generate.self, Bench.self, BackupCommand.self,
            RestoreCommand.self, PensionYearCommand.self,
        ])
}

/// `--database FILE`, shared by every command that works on a database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file (created when missing).")
    var database: String
    @Option(help: "The key that seals bank details and NI numbers (made when missing). Default: the database's path + .key.")
    var dataKey: String?

    /// bcrypt's cost comes from SGPST_BCRYPT_COST (for test scripts only); 12 otherwise.
    func open() throws -> AppDatabase {
        try AppDatabase(path: database, passwords: Self.passwordHasher(), dataKeyPath: dataKey)
    }

    static func passwordHasher() -> PasswordHasher {
        if let raw = ProcessInfo.processInfo.environment["SGPST_BCRYPT_COST"], let cost = UInt8(raw), (4...31).contains(cost) {
            return PasswordHasher(cost: cost)
        }
        return PasswordHasher(cost: 12)
    }
}

/// `--mail` and `--mail-from`, shared by every command that sends email.
struct MailOptions: ParsableArguments {
    @Option(
        help: """
            Where email goes: outbox:DIR (one .eml file per message) or \
            smtp://[user:password@]host:port[?starttls=required][&ca=FILE]. Default: SGPST_MAIL, else \(MailSettings.demoDefault).
            """)
    var mail: String?
    @Option(help: "Who the service's email comes from: \"Name <address>\" or an address.")
    var mailFrom = "Sessional GP support <sgpst@localhost>"

    func transport() throws -> any MailTransport {
        guard MailSender.parse(mailFrom) != nil else {
            throw ValidationError(
                "--mail-from: give an address, with a name if you like: \"Sessional GP support <support@example.nhs.uk>\"")
        }
        let spec = mail ?? ProcessInfo.processInfo.environment["SGPST_MAIL"] ?? MailSettings.demoDefault
        do {
            return try MailSettings.transport(spec, from: mailFrom)
        } catch let error as MailSettings.Invalid {
            throw ValidationError("--mail: \(error.description)")
        }
    }
}

/// Prints a domain error as a message that says what to fix, then exits with failure.
func reportFailure(_ error: any Error) -> ExitCode {
    switch error {
    case DomainError.validationFailed(let errors):
        for entry in errors.entries { printError("--\(entry.field): \(entry.message)") }
    case DomainError.notFound(let message), DomainError.conflict(let message), DomainError.forbidden(let message):
        printError(message)
    default:
        printError("\(error)")
    }
    return .failure
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database migrations and say what was done.")

    @Option(name: .long, help: "The SQLite database file (created when missing).")
    var database: String

    func run() async throws {
        let result = try AppDatabase.migrate(path: database)
        if result.applied.isEmpty {
            print("\(database) is up to date: \(result.current.count) migrations, the latest \(result.current.last ?? "none").")
        } else {
            print("Applied \(result.applied.count) migration(s) to \(database):")
            for name in result.applied { print("  \(name)") }
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the fictional demo data set (refuses to load twice).")

    @OptionGroup var options: DatabaseOptions
    @Option(name: .long, help: "The folder holding Templates/, public/ and seeds/ (or set SGPST_RESOURCES).")
    var resources: String?

    func run() async throws {
        let database = try options.open()
        do {
            let demo = try DemoLoader.demoData(resources: resources)
            let summary = try await database.loadDemo(demo)
            print("Loaded \(summary.practices) practices and \(summary.gps) GPs.")
            DemoLoader.printSignIns(demo)
        } catch let error as DomainError {
            throw reportFailure(error)
        }
    }
}
