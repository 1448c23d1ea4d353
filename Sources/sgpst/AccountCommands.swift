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
        subcommands: [Add.self, Grant.self, LocumApprover.self, Disable.self, ResetSecondFactor.self])

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

    struct LocumApprover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "locum-approver", abstract: "Let a practice user sign locums' NHS pension Form As (or stop them).")

        @OptionGroup var options: DatabaseOptions
        @Option(help: "Their email address.") var email: String
        @Option(help: "The practice's ODS code.") var practice: String
        @Flag(help: "Take the right away instead.") var remove = false

        func run() async throws {
            let database = try options.open()
            do {
                try await database.setLocumApprover(email: email, practiceODSCode: practice, approver: !remove, by: .commandLine)
                print(
                    remove
                        ? "\(email) no longer signs Form As for \(practice)." : "\(email) may now sign Form As for \(practice).")
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

/// `sgpst pension-year`: a scheme year's NHS pension numbers, entered as data when they are published.
struct PensionYearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pension-year",
        abstract: "Enter a scheme year's member tiers, pensionable share and employer rate (for Forms A and B).")

    @OptionGroup var options: DatabaseOptions
    @Option(help: "The scheme year, April to March: 2026/27.") var year: String
    @Option(help: "The tiers as POUNDS=PERCENT from the lowest: \"0=5.2 13260=6.5 27798=8.3 33869=9.8 50846=10.7 65191=12.5\".")
    var tiers: String
    @Option(help: "The share of a locum's fee that is pensionable, per cent.") var pensionable = "90"
    @Option(help: "The employer contribution on pensionable pay, per cent.") var employer = "14.38"

    func run() async throws {
        let database = try options.open()
        do {
            let entered = try await database.setPensionYear(
                PensionYearInput(schemeYear: year, tiers: tiers, pensionablePercent: pensionable, employerPercent: employer),
                by: .commandLine)
            print("Entered \(entered.count) tiers for \(year).")
        } catch {
            throw reportFailure(error)
        }
    }
}
