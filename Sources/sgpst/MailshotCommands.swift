import ArgumentParser
import Foundation
import SGPSupport

/// `sgpst mailshot send|preview`: the weekly mailshot from cron, and a look at one recipient's copy.
struct MailshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailshot", abstract: "Send or preview an organisation's weekly mailshot.",
        subcommands: [Send.self, Preview.self])

    struct Options: ParsableArguments {
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The organisation's code.") var organisation: String
        @Option(help: "The ISO week, like 2026-W50 (default: this week; from Saturday, next week).") var week: String?
        @Option(help: "The service's public address, for the links in the mailshot.") var baseURL = "http://127.0.0.1:8080"

        func validate() throws {
            if let week, IsoWeek(week) == nil { throw ValidationError("--week must look like 2026-W50") }
            if URL(string: baseURL)?.host == nil { throw ValidationError("--base-url must be an absolute address") }
        }

        /// The database and the organisation's mailshot for the week (made when missing).
        func mailshot() async throws -> (AppDatabase, Mailshot) {
            let database = try self.database.open()
            guard let organisation = try await database.organisation(code: organisation) else {
                throw reportFailure(DomainError.notFound("No organisation has the code \(organisation)"))
            }
            let week = week ?? IsoWeek(containing: database.clock.today.adding(days: 2)).description
            return (database, try await database.mailshot(organisationId: organisation.id!, week: week, by: .commandLine))
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the week's mailshot to everyone who consents (resumes an interrupted send; sends nothing twice).")
        @OptionGroup var options: Options
        @OptionGroup var mail: MailOptions

        func run() async throws {
            let transport = try mail.transport()
            do {
                let (database, mailshot) = try await options.mailshot()
                let report = try await database.sendMailshot(
                    id: mailshot.id!, transport: transport, links: Links(baseURL: options.baseURL), by: .commandLine)
                print(
                    "Mailshot \(mailshot.week): \(report.sent) of \(report.recipients) recipients sent"
                        + (report.alreadySent > 0 ? " (\(report.alreadySent) before this run)" : "")
                        + ", \(report.failed.count) failed."
                )
                for (email, reason) in report.failed.sorted(by: { $0.key < $1.key }) { print("  failed: \(email): \(reason)") }
            } catch let error as DomainError {
                throw reportFailure(error)
            } catch let error as MailDeliveryError {
                printError("\(error.reason). Nothing more was sent; run the command again to resume once the relay takes mail.")
                throw ExitCode.failure
            }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the mailshot as one GP would get it (plain text part).")
        @OptionGroup var options: Options
        @Option(help: "The GP's GMC number.") var to: String
        @Flag(help: "Print the HTML part instead of the plain text.") var html = false

        func run() async throws {
            do {
                let (database, mailshot) = try await options.mailshot()
                guard let gpId = try await database.gpId(gmcNumber: to, organisationId: mailshot.organisationId, by: .commandLine)
                else {
                    throw reportFailure(DomainError.notFound("No GP of this organisation has the GMC number \(to)"))
                }
                let rendered = try await database.previewMailshot(
                    id: mailshot.id!, gpId: gpId, links: Links(baseURL: options.baseURL), by: .commandLine)
                print("Subject: \(rendered.subject)\n")
                print(html ? rendered.html : rendered.text)
            } catch let error as DomainError {
                throw reportFailure(error)
            }
        }
    }
}
