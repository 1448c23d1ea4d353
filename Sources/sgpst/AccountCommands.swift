import ArgumentParser
import Foundation
import SGPSupport

extension Role: ExpressibleByArgument {}

struct OrganisationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organisation", abstract: "Manage organisations.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an organisation that runs a support team.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Its code, e.g. QKK or DEMO1.") var code: String
        @Option(help: "Its name.") var name: String
        @Option(help: "Its region.") var region: String?

        func run() async throws {
            let database = try options.open()
            do {
                let organisation = try await database.createOrganisation(
                    OrganisationInput(code: code, name: name, region: region), by: .commandLine)
                print("Added organisation \(organisation.code) (\(organisation.name)), id \(organisation.id!).")
            } catch {
                throw reportFailure(error)
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage sign-ins.",
        subcommands: [Add.self, Grant.self, Disable.self, ResetSecondFactor.self])

    struct Scope: ParsableArguments {
        @Option(help: "The organisation's code (for liaison-officer and mentor).") var organisation: String?
        @Option(help: "The practice's ODS code (for practice-manager).") var practice: String?
        @Option(
            name: [.customLong("gmc"), .customLong("registration")],
            help: "The register entry's number, for gp: the GMC number (or an NMC PIN, a GPhC number).")
        var gmc: String?

        var reference: String? { organisation ?? practice ?? gmc }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a sign-in with one role.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Their email address; they sign in with it.") var email: String
        @Option(help: "Their password (at least 10 characters).") var password: String
        @Option(help: "One of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: Role
        @Option(help: "The name shown in the service.") var name: String?
        @OptionGroup var scope: Scope

        func run() async throws {
            let database = try options.open()
            do {
                let user = try await database.createUser(
                    NewUserInput(
                        email: email, displayName: name, password: password, role: role, scopeReference: scope.reference),
                    by: .commandLine)
                print("Added \(user.email) as \(role.title.lowercased()), id \(user.id!).")
            } catch {
                throw reportFailure(error)
            }
        }
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give an existing sign-in another role.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Their email address.") var email: String
        @Option(help: "The role to add.") var role: Role
        @OptionGroup var scope: Scope

        func run() async throws {
            let database = try options.open()
            do {
                try await database.grantRole(role, scopeReference: scope.reference, toEmail: email, by: .commandLine)
                print("\(email) is now also \(role.title.lowercased()).")
            } catch {
                throw reportFailure(error)
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a sign-in and end all its sessions and tokens.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Their email address.") var email: String

        func run() async throws {
            let database = try options.open()
            do {
                try await database.disableUser(email: email, by: .commandLine)
                print("Disabled \(email); their sessions and API tokens have ended.")
            } catch {
                throw reportFailure(error)
            }
        }
    }

    struct ResetSecondFactor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-second-factor",
            abstract: "Forget a sign-in's authenticator app (a lost phone): their next sign-in sets one up again.")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Their email address.") var email: String

        func run() async throws {
            let database = try options.open()
            do {
                try await database.resetSecondFactor(email: email, by: .commandLine)
                print("Reset the authenticator of \(email): their next sign-in shows a new key to set up.")
            } catch {
                throw reportFailure(error)
            }
        }
    }
}
