import Foundation

/// The one source of "now" for the domain, injected so tests fix today instead of racing it.
public struct WallClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = WallClock { Date() }

    /// A clock that always answers the same instant.
    public static func fixed(_ date: Date) -> WallClock {
        WallClock { date }
    }
}
