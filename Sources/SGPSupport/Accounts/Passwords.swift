import Dispatch
import HummingbirdBcrypt

/// Hashes and checks passwords with bcrypt, away from the caller's threads (bcrypt is slow by design).
public struct PasswordHasher: Sendable {
    /// log2 of bcrypt's rounds: 12 or more in service; tests pass a low cost to stay fast.
    public let cost: UInt8
    /// Told of every bcrypt run, a hash or a check: tests count the slow work with it.
    private let willRunBcrypt: @Sendable () -> Void

    public init(cost: UInt8 = 12, willRunBcrypt: @escaping @Sendable () -> Void = {}) {
        self.cost = cost
        self.willRunBcrypt = willRunBcrypt
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        willRunBcrypt()
        return await Self.offload { Bcrypt.hash(password, cost: cost) }
    }

    /// A well-formed hash at this cost that no password matches: checking against it takes as long
    /// as a real check and always fails.
    var unmatchableHash: String {
        "$2b$" + (cost < 10 ? "0\(cost)" : "\(cost)") + "$C6UzMDM.H6dfI/f/IKxGhuEnv9F6hO0D7FCRkeJ/XDIEpwZt1qWn."
    }

    public func verify(_ password: String, against hash: String) async -> Bool {
        willRunBcrypt()
        // bcrypt reads a C string and stops at a NUL byte, so "\0" and anything after it would
        // match the hash of the empty string: such a password never matches (none can be set).
        let cut = password.utf8.contains(0)
        let matches = await Self.offload { Bcrypt.verify(password, hash: hash) }
        return matches && !cut
    }

    private static func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}

/// The rules a new password must meet (OWASP ASVS 5.0 level 2).
public enum PasswordPolicy {
    public static let minimumLength = 10
    /// bcrypt reads only the first 72 bytes; longer passwords are refused rather than silently cut.
    public static let maximumBytes = 72

    /// What is wrong with the password, or nil when it may be used. Every way of setting a password
    /// (the command line, the set-password link) asks this one rule.
    public static func problem(with password: String) -> String? {
        // bcrypt stops at a NUL byte (the rest would be silently dropped), and a tab or line break
        // is almost always a paste gone wrong that the person could not type again.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "A password cannot contain control characters such as tabs or line breaks"
        }
        if password.count < minimumLength {
            return "Enter a password of at least \(minimumLength) characters"
        }
        if password.utf8.count > maximumBytes {
            return "Enter a password of at most \(maximumBytes) bytes (about \(maximumBytes) letters without accents)"
        }
        if commonPasswords.contains(password.lowercased()) {
            return "This password is one of the most common; choose one that is harder to guess"
        }
        return nil
    }

    /// The commonest passwords of at least ten characters in public breach lists.
    static let commonPasswords: Set<String> = [
        "1234567890", "12345678910", "0123456789", "1234567891", "123456789a", "1234512345",
        "1111111111", "0000000000", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop", "qwerty1234",
        "qwerty12345", "qwerty123456", "qwertyuiop1", "asdfghjkl1", "asdfghjkl;", "zxcvbnm123",
        "password12", "password123", "password1234", "password!1", "passw0rd123", "p@ssw0rd123",
        "iloveyou12", "iloveyou123", "abcdefghij", "abc1234567", "abcd123456", "a123456789",
        "football123", "baseball123", "princess12", "sunshine12", "welcome123", "welcome1234",
        "changeme123", "letmein123", "monkey1234", "dragon1234", "master1234", "superman12",
        "administrator", "admin12345", "admin123456", "trustno1234", "starwars12", "whatever12",
        "liverpool1", "chelsea123", "arsenal123", "manchester", "1234qwerty", "987654321a",
        "9876543210", "1122334455", "1212121212", "5555555555", "7777777777", "123123123123",
        "qazwsxedcrfv", "computer12", "internet12", "passwordpassword", "doctor1234", "nhsnhsnhs1",
        "summer2024", "summer2025", "summer2026", "winter2025", "winter2026", "autumn2026",
        "january2026", "november2026", "december2026", "password2025", "password2026",
        "sgpst12345",
    ]
}
