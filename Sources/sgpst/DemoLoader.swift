import Foundation
import SGPSupport
import SGPSupportWeb

/// Finds `seeds/demo.json` among the resources and loads it.
enum DemoLoader {
    static func load(into database: AppDatabase, resources: String?) async throws -> DemoLoadSummary {
        let folder = try ResourceLocator.locate(explicit: resources)
        let demo = try DemoData.load(from: folder.appendingPathComponent("seeds/demo.json"))
        return try await database.loadDemo(demo)
    }

    static func demoData(resources: String?) throws -> DemoData {
        let folder = try ResourceLocator.locate(explicit: resources)
        return try DemoData.load(from: folder.appendingPathComponent("seeds/demo.json"))
    }

    static func printSignIns(organisationCode: String, users: [DemoData.UserSeed], password: String) {
        print("Demo organisation \(organisationCode). Sign in with any of these (password: \(password)):")
        for user in users {
            print("  \(user.email.padding(toLength: 24, withPad: " ", startingAt: 0)) \(user.role.title)")
        }
    }

    static func printSignIns(_ summary: DemoLoadSummary) {
        print("Loaded \(summary.practices) practices and \(summary.gps) GPs.")
        printSignIns(organisationCode: summary.organisationCode, users: summary.users, password: summary.password)
    }
}
