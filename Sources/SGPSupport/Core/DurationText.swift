import Foundation

/// A policy's length of time as people say it ("48 hours", "7 days"), so that pages and emails
/// quote the rule's own number instead of typing it again.
public enum DurationText {
    public static func words(_ seconds: TimeInterval) -> String {
        let hours = Int(seconds / 3600)
        if hours >= 72, hours % 24 == 0 { return plural(hours / 24, "day") }
        if hours >= 1, Double(hours) * 3600 == seconds { return plural(hours, "hour") }
        return plural(Int(seconds / 60), "minute")
    }

    private static func plural(_ count: Int, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s")" }
}
