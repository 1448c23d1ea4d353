/// A GP's appraisal year: twelve months from the first of their appraisal month.
public struct AppraisalYear: Sendable, Equatable, Hashable, Comparable {
    /// The calendar year the appraisal year starts in (its `?year=` in links).
    public var startYear: Int
    public var month: Int

    public init(startYear: Int, month: Int) {
        self.startYear = startYear
        self.month = (1...12).contains(month) ? month : 4
    }

    /// The appraisal year a day falls in.
    public init(containing day: Day, month: Int) {
        self.init(startYear: day.month >= month ? day.year : day.year - 1, month: month)
    }

    public var from: Day { Day(year: startYear, month: month, day: 1)! }
    public var to: Day { from.adding(months: 12).adding(days: -1) }

    public func contains(_ day: Day) -> Bool { day >= from && day <= to }

    /// `2026` for a January year, `2026/27` otherwise.
    public var label: String {
        month == 1 ? String(startYear) : "\(startYear)/\(String(format: "%02d", (startYear + 1) % 100))"
    }

    public var previous: AppraisalYear { AppraisalYear(startYear: startYear - 1, month: month) }
    public var next: AppraisalYear { AppraisalYear(startYear: startYear + 1, month: month) }

    public static func < (lhs: AppraisalYear, rhs: AppraisalYear) -> Bool { lhs.startYear < rhs.startYear }
}

extension GP {
    /// The month the GP's appraisal year starts: their appraisal month, else the month of their last
    /// appraisal, else April (the NHS financial year).
    public var appraisalYearMonth: Int { appraisalMonth ?? lastAppraisalOn?.month ?? 4 }
}
