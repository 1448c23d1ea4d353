import Crypto
import Foundation

/// Seals personal data at rest (bank details, NI numbers) with AES-256-GCM under a key that lives
/// outside the database: a copied database file, a backup or a replica reads none of it alone.
public struct DataSealer: Sendable {
    private let key: SymmetricKey

    public init(key: SymmetricKey) { self.key = key }

    public struct Unreadable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The key in the file at `path` (32 random bytes), made with owner-only permissions when
    /// there is none yet. Keep it with the database's backups, but not in the same place.
    public static func keyFile(_ path: String, mayCreate: Bool = true) throws -> DataSealer {
        let url = URL(fileURLWithPath: path)
        if let bytes = try? Data(contentsOf: url) {
            guard bytes.count == 32 else {
                throw Unreadable(description: "\(path) is not a sgpst data key (32 bytes); restore the right key file")
            }
            return DataSealer(key: SymmetricKey(data: bytes))
        }
        guard mayCreate else {
            throw Unreadable(
                description:
                    "The data key \(path) is missing, but the database holds sealed pay details: restore the key file beside it (or pass --data-key FILE)"
            )
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw Unreadable(description: "Could not write the data key to \(path)")
        }
        return DataSealer(key: key)
    }

    /// Where the key lives by default: beside the database, named after it.
    public static func defaultKeyPath(forDatabase path: String) -> String { path + ".key" }

    /// Seals `plain` for one place (`row`, e.g. "gpPayDetails:12"): the same bytes copied into
    /// another row do not open there, so one GP's bank details cannot be moved onto another's.
    public func seal(_ plain: Data, row: String = "") throws -> Data {
        guard let combined = try AES.GCM.seal(plain, using: key, authenticating: Data(row.utf8)).combined else {
            throw Unreadable(description: "Could not seal the data")
        }
        return combined
    }

    public func open(_ sealed: Data, row: String = "") throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(row.utf8))
        } catch {
            throw Unreadable(description: "Sealed data could not be opened with this data key")
        }
    }

    func seal<T: Encodable>(json value: T, row: String) throws -> Data { try seal(JSONEncoder().encode(value), row: row) }

    func open<T: Decodable>(json type: T.Type, _ sealed: Data, row: String) throws -> T {
        try JSONDecoder().decode(type, from: open(sealed, row: row))
    }
}
