import Crypto
import Foundation

/// Random secrets (session ids, API tokens, CSRF tokens) and the one-way digest they are stored under.
///
/// Secrets come from the system's cryptographic generator on purpose: a test that needs a known
/// token reads it from the value returned, never by seeding the generator.
public enum SecretToken {
    /// 32 random bytes, base64url without padding (43 characters).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256 hex digest: what the database keeps instead of the secret itself.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
