import ArgumentParser
import Foundation
import SGPSupport

extension RegisterFileColumns: ExpressibleByArgument {}

/// `sgpst import gps|checks|practices`: register files into the register, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import GPs, their checks or practices from CSV or .xlsx (all or nothing).",
        subcommands: [GPs.self, Checks.self, Practices.self])

    struct Options: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The organisation's code.") var organisation: String
        @Flag(help: "Report what would change, row by row, without writing anything.") var dryRun = false
        @Argument(
            help: """
                The file: CSV (UTF-8, or Windows-1252 as Excel saves it) or an .xlsx workbook, headed by the forms' \
                labels or the API's JSON names; lists separated by ';'; dates as DD/MM/YYYY or YYYY-MM-DD.
                """)
        var file: String

        func run(_ body: (AppDatabase, Int64, Data) async throws -> ImportReport) async throws {
            let database = try self.database.open()
            guard let organisation = try await database.organisation(code: organisation) else {
                throw reportFailure(DomainError.notFound("No organisation has the code \(organisation)"))
            }
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw reportFailure(DomainError.notFound("Cannot read \(file): \(error.localizedDescription)"))
            }
            do {
                let report = try await body(database, organisation.id!, data)
                if !report.problems.isEmpty {
                    printError("nothing was imported; correct these problems:")
                    for problem in report.problems { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) }
                    throw ExitCode.failure
                }
                for change in report.changes { print(change) }
                print(report.summary)
            } catch DomainError.validationFailed(let errors) where errors["file"] != nil {
                // The file as a whole (its columns, its format): not an option of this command.
                printError(errors["file"]!)
                throw ExitCode.failure
            } catch let error as DomainError {
                throw reportFailure(error)
            }
        }
    }

    struct GPs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gps", abstract: "Upsert GPs by GMC number (and a workbook's Checks sheet).")
        @OptionGroup var options: Options

        func run() async throws {
            try await options.run { database, organisationId, file in
                try await database.importGPs(organisationId: organisationId, file: file, dryRun: options.dryRun, by: .commandLine)
            }
        }
    }

    struct Checks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checks", abstract: "Record checks of GPs on the register, matched by GMC number.")
        @OptionGroup var options: Options

        func run() async throws {
            try await options.run { database, organisationId, file in
                try await database.importChecks(
                    organisationId: organisationId, file: file, dryRun: options.dryRun, by: .commandLine)
            }
        }
    }

    struct Practices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "practices", abstract: "Upsert practices by ODS code.")
        @OptionGroup var options: Options

        func run() async throws {
            try await options.run { database, organisationId, file in
                try await database.importPractices(
                    organisationId: organisationId, file: file, dryRun: options.dryRun, by: .commandLine)
            }
        }
    }
}

/// `sgpst export gps|practices|checks|mailing-list`: the import's columns, to a file or stdout.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the register as CSV.")

    enum What: String, ExpressibleByArgument, CaseIterable {
        case gps, practices, checks
        case mailingList = "mailing-list"
    }

    @Argument(help: "gps, practices, checks or mailing-list.") var what: What
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The organisation's code.") var organisation: String
    @Option(help: "Write to this file instead of standard output.") var to: String?
    @Option(
        help: """
            labels: headed as the forms are, with the words they show and a byte-order mark for Excel (the default); \
            json: the API's names and codes, for programs.
            """)
    var columns: RegisterFileColumns = .labels

    func run() async throws {
        let database = try self.database.open()
        guard let found = try await database.organisation(code: organisation) else {
            throw reportFailure(DomainError.notFound("No organisation has the code \(organisation)"))
        }
        let csv: String =
            switch what {
            case .gps: try await database.exportGPs(organisationId: found.id!, columns: columns, by: .commandLine)
            case .practices: try await database.exportPractices(organisationId: found.id!, columns: columns, by: .commandLine)
            case .checks: try await database.exportChecks(organisationId: found.id!, columns: columns, by: .commandLine)
            case .mailingList:
                try await database.exportMailingList(organisationId: found.id!, columns: columns, by: .commandLine)
            }
        if let to {
            try csv.write(toFile: to, atomically: true, encoding: .utf8)
        } else {
            print(csv, terminator: "")
        }
    }
}
