import ArgumentParser
import Foundation
import SGPSupport

/// `sgpst clearing export|solve`: the weekly clearing run's instance as a file any solver reads, and
/// our solver run on such a file (the independent checker compares the two).
struct ClearingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clearing", abstract: "Export a week's clearing instance, or solve an instance file.",
        subcommands: [Export.self, Solve.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an organisation's clearing instance for a week as JSON (sessions, GPs, eligible pairs with scores).")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The organisation's code.") var organisation: String
        @Option(help: "The ISO week, like 2026-W50.") var week: String
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func validate() throws {
            if IsoWeek(week) == nil { throw ValidationError("--week must look like 2026-W50") }
        }

        func run() async throws {
            let database = try self.database.open()
            do {
                guard let found = try await database.organisation(code: organisation) else {
                    throw DomainError.notFound("No organisation has the code \(organisation)")
                }
                let instance = try await database.clearingInstance(
                    organisationId: found.id!, week: IsoWeek(week)!, by: .commandLine)
                try writeJSON(instance, to: output)
            } catch let error as DomainError {
                throw reportFailure(error)
            }
        }
    }

    struct Solve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Solve a clearing instance file; prints {\"filled\", \"objective\", \"assignments\"} as JSON.")

        @Argument(help: "The instance file (as `sgpst clearing export` writes it).") var file: String

        func run() async throws {
            let instance: ClearingInstance
            do {
                instance = try JSONDecoder().decode(ClearingInstance.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
            } catch let error as DecodingError {
                printError("\(file) is not a clearing instance: \(describe(error))")
                throw ExitCode.failure
            }
            do {
                try writeJSON(try ClearingSolver.solve(instance), to: nil)
            } catch DomainError.validationFailed(let errors) {
                // The messages name the place in the file, not a command-line option.
                for entry in errors.entries { printError("\(file): \(entry.message)") }
                throw ExitCode.failure
            }
        }
    }
}

/// A decoding error as a sentence that names the place in the file.
func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return "\(path(context)): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
}

func writeJSON(_ value: some Encodable, to file: String?) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(value)
    if let file {
        try data.write(to: URL(fileURLWithPath: file), options: .atomic)
    } else {
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
