import Foundation
import GRDB

/// A GP's figure beside the organisation's spread (seed 003: raw metrics vary with the population
/// and must never be read alone).
public struct MetricComparison: Sendable, Equatable, Encodable {
    public var measure: String
    public var value: Double?
    public var lowerQuartile: Double?
    public var median: Double?
    public var upperQuartile: Double?
    /// How many of the organisation's GPs the spread is drawn from.
    public var gps: Int
}

/// One line of the anonymised annual account: a count, or nothing when it could identify a GP.
public struct AccountRow: Sendable, Equatable, Encodable {
    public var measure: String
    public var value: Double?
    public var suppressed: Bool

    enum CodingKeys: String, CodingKey {
        case measure, value, suppressed
    }

    /// A withheld value is written as `null`, never left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(measure, forKey: .measure)
        try container.encode(value, forKey: .value)
        try container.encode(suppressed, forKey: .suppressed)
    }
}

extension AppDatabase {
    /// Counts from 1 to this minus one are withheld in the annual account.
    public static let suppressionThreshold = 5

    /// Sessions worked and the average feedback rating over the last year, each beside the
    /// distribution across the organisation's active GPs. For readers of the GP's case only.
    public func supportMetrics(caseId: Int64, by principal: Principal) async throws -> [MetricComparison] {
        let today = clock.today
        return try await read { db in
            guard let supportCase = try SupportCase.fetchOne(db, id: caseId) else {
                throw DomainError.notFound("No support case has that id")
            }
            guard let reader = try Self.supportReader(db, principal, supportCase), reader != .subject else {
                throw DomainError.forbidden("Only the GP's mentor and the supervisor on the plan see these figures")
            }
            let range: StatementArguments = [supportCase.organisationId, today.adding(days: -365), today]
            let sessions = try Row.fetchAll(
                db,
                sql: """
                    SELECT g.id, (SELECT COUNT(*) FROM booking b WHERE b.gpId = g.id AND b.status = 'completed'
                                  AND b.date BETWEEN ?2 AND ?3) AS value
                    FROM gp g WHERE g.organisationId = ?1 AND g.status = 'active'
                    """, arguments: range)
            let ratings = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.gpId AS id, c.answers FROM feedbackCard c JOIN gp g ON g.id = c.gpId
                    WHERE g.organisationId = ?1 AND c.direction = 'practice-about-gp' AND c.status = 'submitted'
                      AND c.submittedAt >= ?2 AND c.submittedAt < ?3
                    """,
                arguments: [
                    supportCase.organisationId, Self.startOfDay(today.adding(days: -365)), Self.startOfDay(today.adding(days: 1)),
                ])
            var ratingValues: [Int64: [Int]] = [:]
            for row in ratings {
                let answers =
                    (try? JSONDecoder().decode([FeedbackAnswer].self, from: Data((row["answers"] as String).utf8))) ?? []
                ratingValues[row["id"], default: []] += answers.compactMap(\.rating)
            }
            let averages = ratingValues.compactMapValues { $0.isEmpty ? nil : Double($0.reduce(0, +)) / Double($0.count) }
            let sessionValues = Dictionary(uniqueKeysWithValues: sessions.map { ($0["id"] as Int64, Double($0["value"] as Int)) })
            // The GP's own count even when they are not active (then outside the spread).
            let ownSessions =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM booking WHERE gpId = ? AND status = 'completed' AND date BETWEEN ? AND ?",
                    arguments: [supportCase.gpId, today.adding(days: -365), today]) ?? 0
            return [
                Self.compare("Sessions completed in the last year", Double(ownSessions), Array(sessionValues.values)),
                Self.compare(
                    "Average feedback rating from practices (1–5) in the last year", averages[supportCase.gpId],
                    Array(averages.values)),
            ]
        }
    }

    static func compare(_ measure: String, _ value: Double?, _ values: [Double]) -> MetricComparison {
        let sorted = values.sorted()
        func quantile(_ fraction: Double) -> Double? {
            guard !sorted.isEmpty else { return nil }
            let position = fraction * Double(sorted.count - 1)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, sorted.count - 1)
            let interpolated = sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
            return (interpolated * 10).rounded() / 10
        }
        return MetricComparison(
            measure: measure, value: value.map { ($0 * 10).rounded() / 10 }, lowerQuartile: quantile(0.25), median: quantile(0.5),
            upperQuartile: quantile(0.75), gps: sorted.count)
    }

    /// The anonymised annual account for the organisation's board: counts only, each count from 1
    /// to 4 withheld, and one more withheld beside a lone withheld count so it cannot be worked out
    /// from the total.
    public func supportAnnualAccount(organisationId: Int64, year: Int, by principal: Principal) async throws -> [AccountRow] {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        guard (2000...2200).contains(year) else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "year", message: "Give the year as four digits, like 2026"))
        }
        let from = Day(year: year, month: 1, day: 1)!
        let to = Day(year: year, month: 12, day: 31)!
        return try await read { db in
            let opened = try SupportCase.fetchAll(
                db, sql: "SELECT * FROM supportCase WHERE organisationId = ? AND openedOn BETWEEN ? AND ?",
                arguments: [organisationId, from, to])
            let closed = try SupportCase.fetchAll(
                db, sql: "SELECT * FROM supportCase WHERE organisationId = ? AND closedOn BETWEEN ? AND ?",
                arguments: [organisationId, from, to])
            let plansCompleted =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM developmentPlan p JOIN supportCase c ON c.id = p.caseId
                        WHERE c.organisationId = ? AND p.completedOn BETWEEN ? AND ?
                        """, arguments: [organisationId, from, to]) ?? 0
            let pastoral =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM pastoralContact p JOIN gp ON gp.id = p.gpId
                        WHERE gp.organisationId = ? AND p.date BETWEEN ? AND ?
                        """, arguments: [organisationId, from, to]) ?? 0
            var rows: [AccountRow] = []
            rows += Self.countGroup(
                total: ("Cases opened", opened.count),
                parts: SupportCase.RouteIn.allCases.map { route in
                    ("Cases opened: \(route.title)", opened.filter { $0.routeIn == route }.count)
                })
            rows += Self.countGroup(
                total: ("Cases closed", closed.count),
                parts: SupportCase.Outcome.allCases.map { outcome in
                    ("Cases closed: \(outcome.title)", closed.filter { $0.outcome == outcome }.count)
                })
            rows.append(
                Self.median(
                    "Median days from opening to first contact with the GP",
                    opened.map { Double(max(0, $0.openedOn.days(until: $0.toldOn))) }))
            rows.append(
                Self.median(
                    "Median days from opening to closing",
                    closed.compactMap { supportCase in
                        supportCase.closedOn.map { Double(max(0, supportCase.openedOn.days(until: $0))) }
                    }))
            rows += Self.countGroup(total: ("Developmental plans completed", plansCompleted), parts: [])
            rows += Self.countGroup(total: ("Pastoral contacts logged", pastoral), parts: [])
            return rows
        }
    }

    static func isSuppressed(_ count: Int) -> Bool { count > 0 && count < suppressionThreshold }

    static func countGroup(total: (String, Int), parts: [(String, Int)]) -> [AccountRow] {
        var hidden = parts.map { isSuppressed($0.1) }
        // A lone withheld part could be worked out from the total: withhold the next smallest too.
        if !isSuppressed(total.1), hidden.filter({ $0 }).count == 1,
            let next = parts.indices.filter({ !hidden[$0] && parts[$0].1 > 0 }).min(by: { parts[$0].1 < parts[$1].1 })
        {
            hidden[next] = true
        }
        let totalRow = AccountRow(
            measure: total.0, value: isSuppressed(total.1) ? nil : Double(total.1), suppressed: isSuppressed(total.1))
        // When the total itself is withheld, so is every part (they would add up to it).
        return [totalRow]
            + parts.indices.map { index in
                let withheld = hidden[index] || (totalRow.suppressed && parts[index].1 > 0)
                return AccountRow(measure: parts[index].0, value: withheld ? nil : Double(parts[index].1), suppressed: withheld)
            }
    }

    static func median(_ measure: String, _ values: [Double]) -> AccountRow {
        guard values.count >= suppressionThreshold else {
            return AccountRow(measure: measure, value: nil, suppressed: !values.isEmpty)
        }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        let value = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return AccountRow(measure: measure, value: value, suppressed: false)
    }
}
