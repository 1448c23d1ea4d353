import Foundation
import SGPSupport
import SGPSupportWeb

/// Finds `seeds/demo.json` among the resources, and tells who can sign in to the demo.
enum DemoLoader {
    static func demoData(resources: String?) throws -> DemoData {
        let folder = try ResourceLocator.locate(explicit: resources)
        return try DemoData.load(from: folder.appendingPathComponent("seeds/demo.json"))
    }

    static func printSignIns(_ demo: DemoData) {
        print("Demo organisation \(demo.organisationCode). Sign in with any of these (password: \(demo.password)):")
        for user in demo.users {
            let needsCode = Role.needingSecondFactor.contains(user.role) ? "  (and a code)" : ""
            print("  \(user.email.padding(toLength: 24, withPad: " ", startingAt: 0)) \(user.role.title)\(needsCode)")
        }
        if let key = demo.secondFactorKey {
            print("Sign-ins marked \"and a code\" need the code from an authenticator app set up with the key: \(key)")
        }
    }
}
