import ArgumentParser
import Foundation
import SGPSupport

/// `sgpst import gps|practices`: CSV files into the register, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import GPs or practices from CSV (all or nothing).",
        subcommands: [GPs.self, Practices.self])

    struct Options: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The organisation's code.") var organisation: String
        @Flag(help: "Report what would change without writing anything.") var dryRun = false
        @Argument(help: "The CSV file: a header row of the API's JSON names, lists separated by ';'.") var file: String

        func run(_ body: (AppDatabase, Int64, String) async throws -> ImportReport) async throws {
            let database = try self.database.open()
            guard let organisation = try await database.organisation(code: organisation) else {
                throw reportFailure(DomainError.notFound("No organisation has the code \(organisation)"))
            }
            let csv: String
            do {
                csv = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw reportFailure(DomainError.notFound("Cannot read \(file): \(error.localizedDescription)"))
            }
            do {
                let report = try await body(database, organisation.id!, csv)
                if !report.problems.isEmpty {
                    printError("nothing was imported; correct these problems:")
                    for problem in report.problems { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) }
                    throw ExitCode.failure
                }
                print(
                    "\(report.dryRun ? "Dry run: would add" : "Added") \(report.created), \(report.dryRun ? "would update" : "updated") \(report.updated)."
                )
            } catch let error as DomainError {
                throw reportFailure(error)
            }
        }
    }

    struct GPs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "gps", abstract: "Upsert GPs by GMC number.")
        @OptionGroup var options: Options

        func run() async throws {
            try await options.run { database, organisationId, csv in
                try await database.importGPs(organisationId: organisationId, csv: csv, dryRun: options.dryRun, by: .commandLine)
            }
        }
    }

    struct Practices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "practices", abstract: "Upsert practices by ODS code.")
        @OptionGroup var options: Options

        func run() async throws {
            try await options.run { database, organisationId, csv in
                try await database.importPractices(
                    organisationId: organisationId, csv: csv, dryRun: options.dryRun, by: .commandLine)
            }
        }
    }
}

/// `sgpst export gps|practices|mailing-list`: the same columns as the import, to a file or stdout.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export the register as CSV.")

    enum What: String, ExpressibleByArgument, CaseIterable {
        case gps, practices
        case mailingList = "mailing-list"
    }

    @Argument(help: "gps, practices or mailing-list.") var what: What
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The organisation's code.") var organisation: String
    @Option(help: "Write to this file instead of standard output.") var to: String?

    func run() async throws {
        let database = try self.database.open()
        guard let found = try await database.organisation(code: organisation) else {
            throw reportFailure(DomainError.notFound("No organisation has the code \(organisation)"))
        }
        let csv: String =
            switch what {
            case .gps: try await database.exportGPs(organisationId: found.id!, by: .commandLine)
            case .practices: try await database.exportPractices(organisationId: found.id!, by: .commandLine)
            case .mailingList: try await database.exportMailingList(organisationId: found.id!, by: .commandLine)
            }
        if let to {
            try csv.write(toFile: to, atomically: true, encoding: .utf8)
        } else {
            print(csv, terminator: "")
        }
    }
}
