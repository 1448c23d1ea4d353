import Foundation
import GRDB

/// A calendar date with no time of day ("2026-12-07"), as sessions, checks and appraisals use.
/// Stored and sent as `YYYY-MM-DD`; compared as dates; read in UK time when taken from an instant.
public struct Day: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        return calendar
    }()

    /// A valid date, or nil ("2026-02-30" is nil).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1900...2999).contains(year), (1...Self.length(ofMonth: month, in: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    static func length(ofMonth month: Int, in year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days since 1970-01-01 (H. Hinnant's days-from-civil): date arithmetic in integers, which the
    /// clearing-house does millions of times in a national run.
    var serial: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(serial: Int) {
        let z = serial + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
    }

    /// Parses `YYYY-MM-DD` exactly.
    public init?(_ text: String) {
        // The common case (every date read from the database) straight from the bytes.
        let bytes = Array(text.utf8)
        if bytes.count == 10, bytes[4] == 45, bytes[7] == 45 {
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for byte in bytes[range] {
                    guard (48...57).contains(byte) else { return nil }
                    value = value * 10 + Int(byte - 48)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            self.init(year: year, month: month, day: day)
            return
        }
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The UK calendar date of an instant.
    public init(_ date: Date) {
        let parts = Self.calendar.dateComponents([.year, .month, .day], from: date)
        self.year = parts.year!
        self.month = parts.month!
        self.day = parts.day!
    }

    /// Noon UK time on this day: a safe instant for arithmetic across clock changes.
    public var noon: Date {
        Self.calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
    }

    public func adding(days: Int) -> Day {
        Day(serial: serial + days)
    }

    public func adding(months: Int) -> Day {
        Day(Self.calendar.date(byAdding: .month, value: months, to: noon)!)
    }

    /// Whole days from this day to another (negative when the other is earlier).
    public func days(until other: Day) -> Int {
        other.serial - serial
    }

    /// 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let weekday = (serial + 3) % 7
        return (weekday < 0 ? weekday + 7 : weekday) + 1
    }

    public var description: String { Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2) }

    /// Zero-padded digits, written out: every SQL argument and JSON date is a day's description,
    /// and String(format:) goes through Foundation's formatter each time.
    static func padded(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// "Mon 7 Dec 2026".
    public var displayText: String {
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(weekdays[isoWeekday - 1]) \(day) \(months[month - 1]) \(year)"
    }

    /// "3 Nov 2026", for reasons and sentences.
    public var shortText: String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(day) \(months[month - 1]) \(year)"
    }

    public static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let day = Day(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected a date as YYYY-MM-DD, got \(text)")
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension Day: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { description.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Day? {
        String.fromDatabaseValue(dbValue).flatMap(Day.init)
    }
}

extension WallClock {
    /// Today's date in the UK.
    public var today: Day { Day(now()) }
}

/// An ISO 8601 week, written `2026-W50`: Monday to Sunday, week 1 holding the year's first Thursday.
public struct IsoWeek: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let week: Int

    /// Reads `YYYY-Www`; nil for anything else or a week the year does not have.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).uppercased().split(separator: "-W")
        guard parts.count == 2, parts[1].count == 2, let year = Int(parts[0]), let week = Int(parts[1]),
            (1900...2200).contains(year), week >= 1, week <= Self.weeks(in: year)
        else { return nil }
        self.year = year
        self.week = week
    }

    /// The week a day falls in (its Thursday decides the year).
    public init(containing day: Day) {
        let thursday = day.adding(days: 4 - day.isoWeekday)
        year = thursday.year
        week = Day(year: thursday.year, month: 1, day: 1)!.days(until: thursday) / 7 + 1
    }

    public var monday: Day {
        let january4 = Day(year: year, month: 1, day: 4)!
        return january4.adding(days: 1 - january4.isoWeekday + (week - 1) * 7)
    }

    public var sunday: Day { monday.adding(days: 6) }

    public var description: String { String(format: "%04d-W%02d", year, week) }

    /// "w/c 7 Dec 2026": the week as people in the UK name it, by its Monday.
    public var displayText: String { "w/c \(monday.shortText)" }

    public static func < (lhs: IsoWeek, rhs: IsoWeek) -> Bool { (lhs.year, lhs.week) < (rhs.year, rhs.week) }

    /// 53 when the year starts on a Thursday, or on a Wednesday in a leap year; 52 otherwise.
    static func weeks(in year: Int) -> Int {
        let january1 = Day(year: year, month: 1, day: 1)!.isoWeekday
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return january1 == 4 || (leap && january1 == 3) ? 53 : 52
    }
}
