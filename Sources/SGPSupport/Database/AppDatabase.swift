import Foundation
import GRDB
import Logging
import Synchronization

/// The one owner of the SQLite database: it opens the pool, applies the migrations and is the only
/// door to the data. Every module adds its named operations as extensions of this type.
public final class AppDatabase: Sendable {
    /// Where the connection pool lives; nothing else in the process opens SQLite.
    let writer: DatabasePool
    /// "Now" for every timestamp the domain writes.
    public let clock: WallClock
    /// How passwords are hashed (tests use a low cost, production at least 12).
    public let passwords: PasswordHasher
    /// Roles whose sign-ins need a code from an authenticator app (tests that are not about the
    /// second factor sign in with an empty set).
    public let secondFactorRoles: Set<Role>
    /// Seals personal pay details (bank details, NI number) with a key kept outside the file.
    let sealer: DataSealer
    /// Counts the writes committed through this process: anything computed from the data before
    /// the count moved may be stale (the response cache keys on it).
    private let committedWrites = Atomic<Int>(0)
    /// Sign-in sessions read since the last write (every request asks for one).
    let sessionLookups = SessionLookupCache()
    /// Each organisation's eligibility facts in memory (nil: every question reads SQLite afresh).
    let eligibility: EligibilityCache?

    public var writeGeneration: Int { committedWrites.load(ordering: .acquiring) }

    /// Opens (creating if needed) the database file and migrates it to the current schema.
    public init(
        path: String,
        clock: WallClock = .system,
        passwords: PasswordHasher = PasswordHasher(),
        migrate: Bool = true,
        maxPageCount: Int? = nil,
        secondFactorRoles: Set<Role> = Role.needingSecondFactor,
        dataKeyPath: String? = nil,
        eligibilityCache: Bool = true
    ) throws {
        let pool = try Self.openPool(path: path, maxPageCount: maxPageCount)
        if eligibilityCache {
            let cache = EligibilityCache()
            // Every committed change to the tables the facts come from, whichever code wrote it.
            pool.add(transactionObserver: EligibilityChangeObserver(cache: cache), extent: .databaseLifetime)
            eligibility = cache
        } else {
            eligibility = nil
        }
        if migrate {
            try Self.migrator.migrate(pool)
        }
        // A new key is made only for a database that has sealed nothing yet: a database restored
        // without its key must not quietly get a new one that opens none of its data.
        let holdsSealedData = try pool.read { db in
            try db.tableExists("gpPayDetails")
                && (try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM gpPayDetails) OR EXISTS (SELECT 1 FROM invoice WHERE payeeSealed IS NOT NULL)
                            OR EXISTS (SELECT 1 FROM feedbackRoundInvitation WHERE tokenSealed IS NOT NULL)
                        """)
                    ?? false)
        }
        self.writer = pool
        self.sealer = try DataSealer.keyFile(
            dataKeyPath ?? DataSealer.defaultKeyPath(forDatabase: path), mayCreate: !holdsSealedData)
        self.clock = clock
        self.passwords = passwords
        self.secondFactorRoles = secondFactorRoles
    }

    /// The pool with foreign keys on, a 5 s busy timeout and a durable writer. `maxPageCount` caps
    /// the file (SQLite pages of 4 KiB): a write past it fails whole, as on a full disk.
    static func openPool(path: String, maxPageCount: Int? = nil) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        if let maxPageCount {
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA max_page_count = \(maxPageCount)") }
        }
        // Another process (a backup, the sqlite3 shell) may hold the lock briefly: wait, don't fail.
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // A confirmed booking must survive power loss, not only a process crash. The pool sets
        // NORMAL on its writer when it enables WAL, so FULL is set afterwards, on the one writer.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    /// Names of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// Names of every migration this build knows, oldest first.
    public static var knownMigrations: [String] { migrator.migrations }

    /// Applies pending migrations to the file at `path` and returns the names it applied.
    public static func migrate(path: String) throws -> (applied: [String], current: [String]) {
        let pool = try openPool(path: path)
        let before = try pool.read { db in try migrator.appliedMigrations(db) }
        try migrator.migrate(pool)
        let after = try pool.read { db in try migrator.appliedMigrations(db) }
        return (after.filter { !before.contains($0) }, after)
    }

    /// The database's size in SQLite pages.
    public func pageCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// A database round-trip, for health checks.
    public func ping() async throws {
        _ = try await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Whether the service can do its work: every migration applied, the database takes a write,
    /// and its storage has room (the file under its page cap, the disk with at least
    /// `minimumFreeBytes` free). For a proxy's readiness check; `ping` is the cheap liveness one.
    public struct Readiness: Sendable, Equatable {
        public var pendingMigrations: [String]
        public var writable: Bool
        public var storageFull: Bool
        public var ready: Bool { pendingMigrations.isEmpty && writable && !storageFull }
    }

    public static let minimumFreeBytes: Int64 = 16 << 20

    public func readiness() async throws -> Readiness {
        let applied = try await read { db in try Self.migrator.appliedMigrations(db) }
        // The file itself (a disk remounted read-only leaves the open connection none the wiser),
        // and the write lock taken and let go.
        let file = URL(fileURLWithPath: writer.path).resolvingSymlinksInPath()
        var writable = [file.path, file.path + "-wal"].allSatisfy {
            !FileManager.default.fileExists(atPath: $0) || FileManager.default.isWritableFile(atPath: $0)
        }
        do {
            try await writer.writeWithoutTransaction { db in try db.inTransaction(.immediate) { .rollback } }
        } catch {
            writable = false
        }
        let pages = try await read { db in
            (
                used: (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
                    - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0),
                cap: try Int.fetchOne(db, sql: "PRAGMA max_page_count") ?? .max
            )
        }
        let folder = file.deletingLastPathComponent().path
        let free = (try? FileManager.default.attributesOfFileSystem(forPath: folder)[.systemFreeSize] as? NSNumber)?.int64Value
        return Readiness(
            pendingMigrations: Self.knownMigrations.filter { !applied.contains($0) }, writable: writable,
            storageFull: pages.used >= pages.cap || (free ?? .max) < Self.minimumFreeBytes)
    }

    /// `PRAGMA integrity_check`'s answer ("ok" when the file is sound).
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    /// Reads and writes go through these two, so SQL stays inside this library.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await ServiceMetrics.timed(ServiceMetrics.databaseReads) { try await writer.read(body) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            let result = try await ServiceMetrics.timed(ServiceMetrics.databaseWrites) { try await writer.write(body) }
            committedWrites.add(1, ordering: .releasing)
            return result
        } catch let error as DatabaseError {
            throw Self.domainError(for: error)
        }
    }

    /// Storage trouble in words a caller can act on; constraint and other errors pass through.
    private static func domainError(for error: DatabaseError) -> any Error {
        switch error.resultCode {
        case .SQLITE_FULL: DomainError.storageFull
        case .SQLITE_BUSY, .SQLITE_LOCKED: DomainError.busy
        default: error
        }
    }
}
