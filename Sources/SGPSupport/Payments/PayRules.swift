import Foundation

/// The arithmetic of getting paid, in integer pence, with no database: each rule states how it rounds.
public enum PayRules {
    /// `pence × basisPoints / 10 000`, rounded half up to the penny (a half penny goes up). This
    /// is how every percentage here becomes money: 90 % pensionable pay, the 14.38 % employer
    /// contribution, the tier's employee contribution, a cancellation fee. PCSE's forms take
    /// each figure to the penny; rounding each figure once, half up, is the rule we state.
    public static func share(of pence: Int, basisPoints: Int) -> Int {
        precondition(pence >= 0 && basisPoints >= 0)
        return (pence * basisPoints + 5_000) / 10_000
    }

    /// What a locum's fee gives the pension: 90 % of the fee (mileage and expenses excluded) is
    /// pensionable pay, and the employer contribution is 14.38 % of that pensionable pay (not of
    /// the fee), each rounded to the penny.
    public static func pension(feePence: Int, rates: PensionRates) -> (pensionablePayPence: Int, employerContributionPence: Int) {
        let pensionable = share(of: feePence, basisPoints: rates.pensionableShareBasisPoints)
        return (pensionable, share(of: pensionable, basisPoints: rates.employerRateBasisPoints))
    }

    /// The member's contribution rate: the tier whose lower bound is the highest not above the
    /// expected annual pensionable pay. Tiers' bounds are whole pounds, so £13,259.99 is still in
    /// the tier "up to £13,259" and £13,260.00 starts the next.
    public static func tier(forAnnualPence pay: Int, tiers: [PensionTier]) -> PensionTier? {
        tiers.filter { $0.fromPence <= pay }.max { $0.fromPence < $1.fromPence }
    }

    /// A session's fee: per session, or per hour for its length (to the penny, half up).
    public static func fee(ratePence: Int, unit: ClinicalSession.RateUnit, minutes: Int) -> Int {
        switch unit {
        case .session: ratePence
        case .hour: (ratePence * minutes + 30) / 60
        }
    }

    /// The due date: the issue date plus the payment terms.
    public static func dueOn(issuedOn: Day, termsDays: Int) -> Day { issuedOn.adding(days: termsDays) }

    /// Days overdue on `today`: interest runs from the day after the due date, so an invoice is
    /// one day overdue the day after it was due.
    public static func daysOverdue(dueOn: Day, today: Day) -> Int { max(0, dueOn.days(until: today)) }

    /// Statutory interest (Late Payment of Commercial Debts (Interest) Act 1998): simple interest at
    /// the base rate plus 8 % a year on the debt, for each day overdue, over a 365-day year,
    /// rounded half up to the penny.
    public static func lateInterest(debtPence: Int, baseRateBasisPoints: Int, daysOverdue: Int) -> Int {
        guard daysOverdue > 0, debtPence > 0 else { return 0 }
        let annualBasisPoints = baseRateBasisPoints + statutoryMarginBasisPoints
        let scaled = debtPence * annualBasisPoints * daysOverdue
        return (scaled + 10_000 * 365 / 2) / (10_000 * 365)
    }

    /// The day whose base rate is the reference rate for interest starting on `firstDay`: the Act
    /// (as amended in 2002) fixes it for each half year, as the rate in force on 31 December for
    /// interest starting January to June, and on 30 June for July to December.
    public static func referenceRateDay(interestFrom firstDay: Day) -> Day {
        firstDay.month <= 6
            ? Day(year: firstDay.year - 1, month: 12, day: 31)! : Day(year: firstDay.year, month: 6, day: 30)!
    }

    /// The statutory margin over base rate: 8 % a year.
    public static let statutoryMarginBasisPoints = 800

    /// The fixed compensation for a late payment, by the size of the debt: £40 under £1,000,
    /// £70 under £10,000, £100 from £10,000.
    public static func fixedCompensation(debtPence: Int) -> Int {
        switch debtPence {
        case ..<100_000: 4_000
        case ..<1_000_000: 7_000
        default: 10_000
        }
    }

    /// Pension forms must reach PCSE within 10 weeks, counted (the safest reading) from the first
    /// day of each line worked.
    public static func pensionDeadline(firstDay: Day) -> Day { firstDay.adding(days: 70) }

    /// A month's Form B is due seven days after the month ends.
    public static func formBDue(month: Month) -> Day { month.lastDay.adding(days: 7) }

    /// The Unique Payment Reference on Forms A and B: the 8-digit SD number, `LOC`, the month's
    /// three letters and the year's last two digits ("12345678LOCDEC26", 16 characters).
    public static func upr(sdNumber: String, month: Month) -> String {
        sdNumber + "LOC" + month.threeLetters + String(format: "%02d", month.year % 100)
    }

    /// Days run together into the ranges a form lists ("1–3 December", "10 December").
    public static func dayRanges(_ days: [Day]) -> [ClosedRange<Day>] {
        var ranges: [ClosedRange<Day>] = []
        for day in Set(days).sorted() {
            if let last = ranges.last, last.upperBound.adding(days: 1) == day {
                ranges[ranges.count - 1] = last.lowerBound...day
            } else {
                ranges.append(day...day)
            }
        }
        return ranges
    }

    /// The NHS Pension Scheme year (1 April to 31 March) a day falls in: "2026/27".
    public static func schemeYear(of day: Day) -> String {
        let start = day.month >= 4 ? day.year : day.year - 1
        return String(format: "%04d/%02d", start, (start + 1) % 100)
    }
}

/// The pensionable share of a fee and the employer's rate, for one scheme year.
public struct PensionRates: Sendable, Equatable, Codable {
    public var schemeYear: String
    public var pensionableShareBasisPoints: Int
    public var employerRateBasisPoints: Int

    public init(schemeYear: String, pensionableShareBasisPoints: Int, employerRateBasisPoints: Int) {
        self.schemeYear = schemeYear
        self.pensionableShareBasisPoints = pensionableShareBasisPoints
        self.employerRateBasisPoints = employerRateBasisPoints
    }
}

/// One tier of member contributions: from this annual pensionable pay, this rate.
public struct PensionTier: Sendable, Equatable, Codable {
    public var schemeYear: String
    public var fromPence: Int
    public var rateBasisPoints: Int

    public init(schemeYear: String, fromPence: Int, rateBasisPoints: Int) {
        self.schemeYear = schemeYear
        self.fromPence = fromPence
        self.rateBasisPoints = rateBasisPoints
    }
}

/// A percentage held as basis points, as people read it: 1438 → "14.38 %", 900 → "9 %".
public enum Percent {
    public static func text(basisPoints: Int) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        if fraction == 0 { return "\(whole) %" }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10) %" : String(format: "%d.%02d %%", whole, fraction)
    }

    /// "14.38" or "5.2" as typed, into basis points; nil for anything else.
    public static func basisPoints(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "%", with: "")
            .trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber)
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), parts[1].allSatisfy(\.isNumber), let value = Int(parts[1]) else { return nil }
            fraction = parts[1].count == 1 ? value * 10 : value
        }
        return whole * 100 + fraction
    }
}

/// A calendar month, read and written as `YYYY-MM`.
public struct Month: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int

    public init?(year: Int, month: Int) {
        // Within the years a `Day` holds, with the scheme year's April before and the month after.
        guard (1...12).contains(month), (1901...2998).contains(year) else { return nil }
        self.year = year
        self.month = month
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1])
        else { return nil }
        self.init(year: year, month: month)
    }

    public init(containing day: Day) {
        year = day.year
        month = day.month
    }

    public var firstDay: Day { Day(year: year, month: month, day: 1)! }
    public var lastDay: Day { firstDay.adding(months: 1).adding(days: -1) }
    public var previous: Month { Month(containing: firstDay.adding(days: -1)) }
    public var next: Month { Month(containing: lastDay.adding(days: 1)) }
    public var description: String { String(format: "%04d-%02d", year, month) }

    static let names = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    /// "December 2026".
    public var displayText: String { "\(Self.names[month - 1]) \(year)" }
    var threeLetters: String { String(Self.names[month - 1].prefix(3)).uppercased() }

    public static func < (lhs: Month, rhs: Month) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let month = Month(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "Not a YYYY-MM month"))
        }
        self = month
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
