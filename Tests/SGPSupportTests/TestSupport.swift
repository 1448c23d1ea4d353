import Foundation
import Synchronization
import Testing

@testable import SGPSupport

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = TestClock.day("2026-12-07T09:00:00Z")) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var wallClock: WallClock {
        WallClock { [self] in self.now }
    }

    static func day(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso)!
    }
}

/// A fresh database file of its own for each test, at bcrypt's lowest cost so tests stay quick.
/// Sign-ins need no authenticator code unless the test is about that (`secondFactorRoles`).
func makeTestDatabase(
    clock: TestClock = TestClock(), secondFactorRoles: Set<Role> = [], passwords: PasswordHasher = PasswordHasher(cost: 4)
) throws -> AppDatabase {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("sgpst-test-\(UUID().uuidString).sqlite").path
    return try AppDatabase(path: path, clock: clock.wallClock, passwords: passwords, secondFactorRoles: secondFactorRoles)
}

/// Counts bcrypt runs (hashes and checks), to show where the slow work is done and where it is not.
final class BcryptCounter: Sendable {
    private let count = Mutex(0)

    var runs: Int { count.withLock { $0 } }

    /// A hasher at bcrypt's lowest cost that counts each run here.
    var hasher: PasswordHasher {
        PasswordHasher(cost: 4, willRunBcrypt: { [self] in self.count.withLock { $0 += 1 } })
    }
}

/// The repository's demo data set, read from `seeds/`.
func repositoryDemoData() throws -> DemoData {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try DemoData.load(from: root.appendingPathComponent("seeds/demo.json"))
}

let validPassword = "correct horse battery"

/// The base of links written into emails during tests.
let testLinks = Links(baseURL: "https://sgpst.test")
