import Foundation
import GRDB

/// A reporting period: any two dates, both included.
public struct ReportPeriod: Sendable, Equatable {
    public var from: Day
    public var to: Day

    public init(from: Day, to: Day) {
        self.from = from
        self.to = to
    }

    public var days: Int { from.days(until: to) + 1 }

    /// The period of the same length just before this one, for comparison.
    public var previous: ReportPeriod {
        ReportPeriod(from: from.adding(days: -days), to: from.adding(days: -1))
    }

    /// `month`, `quarter` or `year` containing the day (a calendar month, quarter, or year).
    public static func preset(_ name: String, containing day: Day) -> ReportPeriod? {
        switch name {
        case "month":
            let first = Day(year: day.year, month: day.month, day: 1)!
            return ReportPeriod(from: first, to: first.adding(months: 1).adding(days: -1))
        case "quarter":
            let first = Day(year: day.year, month: (day.month - 1) / 3 * 3 + 1, day: 1)!
            return ReportPeriod(from: first, to: first.adding(months: 3).adding(days: -1))
        case "year":
            return ReportPeriod(from: Day(year: day.year, month: 1, day: 1)!, to: Day(year: day.year, month: 12, day: 31)!)
        default:
            return nil
        }
    }

    /// Reads `from`/`to` (YYYY-MM-DD) or a preset, saying what to fix.
    public static func parse(from: String?, to: String?, preset: String?, today: Day) throws -> ReportPeriod {
        var errors = ValidationErrors()
        if let preset, !preset.isEmpty {
            guard let period = Self.preset(preset, containing: today) else {
                throw DomainError.validationFailed(ValidationErrors(field: "preset", message: "Choose month, quarter or year"))
            }
            return period
        }
        let start = from.flatMap(Day.init)
        let end = to.flatMap(Day.init)
        if start == nil { errors.add("from", "Give the first day as YYYY-MM-DD, like 2026-10-01") }
        if end == nil { errors.add("to", "Give the last day as YYYY-MM-DD, like 2026-12-31") }
        if let start, let end {
            if end < start { errors.add("to", "The last day must not be before the first") }
            if start.days(until: end) > 3660 { errors.add("to", "Keep the period to ten years or less") }
        }
        try errors.throwIfAny()
        return ReportPeriod(from: start!, to: end!)
    }
}

/// What each figure means: shown beside it on the page, and the one place it is defined.
public enum ReportDefinitions {
    public static let all: [String: String] = [
        "sessionsPosted":
            "Sessions practices posted through the scheme whose date falls in the period (whatever became of them).",
        "sessionsFilled":
            "Posted sessions in the period booked through the scheme and not cancelled (booked or completed).",
        "arrangementsReported":
            "Sessions arranged directly between a practice and a GP and reported to the scheme, dated in the period.",
        "sessionsCancelled":
            "Posted sessions in the period that were withdrawn before booking or cancelled by the practice after it.",
        "sessionsUnfilled": "Posted sessions in the period still open when their date came (their date is before today).",
        "fillRate": "Sessions filled as a share of those that reached a decision: filled ÷ (filled + unfilled).",
        "medianHoursToBook": "Median time from posting to booking, in hours, over the sessions filled.",
        "p90HoursToBook": "90th percentile of the time from posting to booking, in hours: nine in ten were booked within it.",
        "gpsActive": "GPs with at least one session (filled or reported) at the organisation's practices in the period.",
        "practicesServed": "The organisation's practices with at least one session filled or reported in the period.",
        "hoursWorked": "Hours of the sessions filled or reported in the period (end time minus start time).",
        "newRegistrations": "GPs added to the organisation's register in the period.",
        "leavers": "GPs of the organisation whose entry was set to 'left' in the period.",
        "clearedShare":
            "Active GPs of the organisation cleared to work on the period's last day, as a share of all its active GPs.",
        "checksExpired": "Credential checks (the latest of each kind per GP) whose expiry date fell in the period.",
        "cardsIssued": "Feedback cards issued in the period (one each way per completed session).",
        "cardsReturned": "Of the cards issued in the period, those submitted.",
        "returnRate": "Cards returned ÷ cards issued.",
        "concernsRaised": "Feedback cards raised as concerns in the period, by severity and outcome.",
        "invoicesSent": "Invoices GPs sent to the organisation's practices, dated in the period.",
        "invoicesPaid": "Invoices the practices marked paid with a payment date in the period.",
        "medianDaysToPay":
            "The median of days from an invoice's issue to its payment, over invoices paid in the period (the lower middle one of an even count).",
        "invoicesOverdueNow": "Invoices sent and unpaid past their due date today, and their total.",
        "formsAwaitingSignature":
            "Form As of sent invoices not yet signed by the practice today; in brackets those past 8 weeks from the first day worked (the 10-week window closes at 10).",
        "mailshotsSent":
            "Weekly mailshots whose sending finished in the period, and the messages handed to the email server for delivery.",
        "evidenceByKind":
            "Complete evidence entries (TQM logs) the organisation's GPs dated in the period, by kind: counts only, never content.",
        "lentTo": "Sessions at a partner organisation's practices worked by this organisation's GPs.",
        "borrowedFrom": "Sessions at this organisation's practices worked by a partner organisation's GPs.",
    ]
}

/// One row of a breakdown: what it counts (`label`), sessions and hours.
public struct ReportRow: Sendable, Equatable, Encodable {
    public var label: String
    public var sessions: Int
    public var hours: Double
}

public struct WeeklyFill: Sendable, Equatable, Encodable {
    public var week: String
    public var filled: Int
    public var unfilled: Int
    public var fillRate: Double?
}

public struct PartnerRow: Sendable, Equatable, Encodable {
    public var organisation: String
    public var lentTo: Int
    public var borrowedFrom: Int
}

public struct CountRow: Sendable, Equatable, Encodable {
    public var label: String
    public var count: Int

    public init(label: String, count: Int) {
        self.label = label
        self.count = count
    }
}

/// The activity report of one organisation for one period: every figure the funding is argued on.
public struct ActivityReport: Sendable, Equatable, Encodable {
    public var organisationId: Int64
    public var organisationName: String
    public var from: Day
    public var to: Day
    public var sessionsPosted: Int
    public var sessionsFilled: Int
    public var arrangementsReported: Int
    public var sessionsCancelled: Int
    public var cancelledBy: [CountRow]
    public var sessionsUnfilled: Int
    public var fillRate: Double?
    public var medianHoursToBook: Double?
    public var p90HoursToBook: Double?
    public var gpsActive: Int
    public var practicesServed: Int
    public var hoursWorked: Double
    public var newRegistrations: Int
    public var leavers: Int
    public var byGPKind: [ReportRow]
    public var byProfession: [ReportRow]
    public var byLocality: [ReportRow]
    public var byPractice: [ReportRow]
    public var bySessionKind: [ReportRow]
    public var partners: [PartnerRow]
    public var weekly: [WeeklyFill]
    public var clearedShare: Double?
    public var checksExpired: Int
    public var cardsIssued: Int
    public var cardsReturned: Int
    public var returnRate: Double?
    public var concernsBySeverity: [CountRow]
    public var concernsByOutcome: [CountRow]
    public var mailshotsSent: Int
    public var mailshotRecipients: Int
    public var evidenceByKind: [CountRow]
    /// Invoices and pension forms at the organisation's practices (counts and days, no amounts per GP).
    public var payments: PaymentFigures
}

extension AppDatabase {
    /// The report for the support team (or an administrator) of the organisation.
    public func activityReport(organisationId: Int64, period: ReportPeriod, by principal: Principal) async throws
        -> ActivityReport
    {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        let today = clock.today
        return try await read { db in try Self.activityReport(db, organisationId: organisationId, period: period, today: today) }
    }

    static func activityReport(_ db: Database, organisationId: Int64, period: ReportPeriod, today: Day) throws -> ActivityReport {
        guard let organisation = try Organisation.fetchOne(db, id: organisationId) else {
            throw DomainError.notFound("No organisation has that id")
        }
        let range: StatementArguments = [organisationId, period.from, period.to]
        let sessionsOfPeriod = """
            SELECT s.* FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
            WHERE p.organisationId = ? AND s.date BETWEEN ? AND ?
            """
        let posted = try ClinicalSession.fetchAll(db, sql: sessionsOfPeriod + " AND s.source <> 'reported'", arguments: range)
        let filled = posted.filter { $0.status == .booked || $0.status == .completed }
        let unfilled = posted.filter { $0.status == .open && $0.date < today }
        let cancelled = posted.filter { $0.status == .cancelled || $0.status == .withdrawn }
        let reported =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
                    WHERE p.organisationId = ? AND s.date BETWEEN ? AND ? AND s.source = 'reported'
                      AND s.status IN ('booked', 'completed')
                    """, arguments: range) ?? 0
        let waits = filled.compactMap { session in session.bookedAt.map { $0.timeIntervalSince(session.postedAt) / 3600 } }
            .sorted()

        // Work done: live bookings of sessions at the organisation's practices, dated in the period.
        let work = try Row.fetchAll(
            db,
            sql: """
                SELECT b.gpId, b.gpOrganisationId, s.practiceId, p.name AS practiceName, p.locality, s.kind,
                       (s.endMinute - s.startMinute) AS minutes, g.kind AS gpKind, g.profession
                FROM booking b JOIN clinicalSession s ON s.id = b.sessionId JOIN practice p ON p.id = s.practiceId
                JOIN gp g ON g.id = b.gpId
                WHERE p.organisationId = ? AND b.date BETWEEN ? AND ? AND b.status IN ('confirmed', 'completed')
                """, arguments: range)
        func breakdown(_ label: (Row) -> String) -> [ReportRow] {
            var rows: [String: ReportRow] = [:]
            for row in work {
                let key = label(row)
                rows[key, default: ReportRow(label: key, sessions: 0, hours: 0)].sessions += 1
                rows[key]!.hours += Double(row["minutes"] as Int) / 60
            }
            return rows.values.sorted { ($0.sessions, $1.label) > ($1.sessions, $0.label) }
        }
        let partnerNames = try Dictionary(
            Organisation.fetchAll(db).map { ($0.id!, $0.name) }, uniquingKeysWith: { first, _ in first })
        var partners: [Int64: PartnerRow] = [:]
        for row in work where (row["gpOrganisationId"] as Int64) != organisationId {
            let partner: Int64 = row["gpOrganisationId"]
            partners[partner, default: PartnerRow(organisation: partnerNames[partner] ?? "", lentTo: 0, borrowedFrom: 0)]
                .borrowedFrom += 1
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT b.practiceOrganisationId AS partner, COUNT(*) AS n FROM booking b
                WHERE b.gpOrganisationId = ? AND b.practiceOrganisationId <> b.gpOrganisationId AND b.date BETWEEN ? AND ?
                  AND b.status IN ('confirmed', 'completed') GROUP BY b.practiceOrganisationId
                """, arguments: range)
        {
            let partner: Int64 = row["partner"]
            partners[partner, default: PartnerRow(organisation: partnerNames[partner] ?? "", lentTo: 0, borrowedFrom: 0)].lentTo =
                row["n"]
        }

        var weekly: [WeeklyFill] = []
        var week = IsoWeek(containing: period.from)
        while week.monday <= period.to {
            let inWeek = { (session: ClinicalSession) in session.date >= week.monday && session.date <= week.sunday }
            let weekFilled = filled.filter(inWeek).count
            let weekUnfilled = unfilled.filter(inWeek).count
            weekly.append(
                WeeklyFill(
                    week: week.description, filled: weekFilled, unfilled: weekUnfilled,
                    fillRate: weekFilled + weekUnfilled == 0 ? nil : Double(weekFilled) / Double(weekFilled + weekUnfilled)))
            week = IsoWeek(containing: week.monday.adding(days: 7))
        }

        let activeGPs = try Int64.fetchAll(
            db, sql: "SELECT id FROM gp WHERE organisationId = ? AND status = 'active'", arguments: [organisationId])
        var cleared = 0
        if !activeGPs.isEmpty {
            let context = try EligibilityContext.load(db, gpIds: activeGPs, sessions: [], practices: [])
            cleared = activeGPs.filter { context.clearance($0, period.to).cleared }.count
        }
        let checksExpired =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM credentialCheck c
                    JOIN (\(CredentialCheck.countingRows())) latest ON latest.id = c.id
                    JOIN gp ON gp.id = c.gpId
                    WHERE gp.organisationId = ? AND c.expiresOn BETWEEN ? AND ?
                    """, arguments: range) ?? 0
        // Instants in the period: from the first day's start to the last day's end, UK time.
        let start = Self.startOfDay(period.from)
        let end = Self.startOfDay(period.to.adding(days: 1))
        let instants: StatementArguments = [organisationId, start, end]
        let cards = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS issued, COALESCE(SUM(status = 'submitted'), 0) AS returned FROM feedbackCard
                WHERE organisationId = ? AND issuedAt >= ? AND issuedAt < ?
                """, arguments: instants)!
        let concerns = try Row.fetchAll(
            db, sql: "SELECT severity, outcome FROM feedbackConcern WHERE organisationId = ? AND raisedAt >= ? AND raisedAt < ?",
            arguments: instants)
        func counts(_ values: [String]) -> [CountRow] {
            Dictionary(grouping: values, by: { $0 }).map { CountRow(label: $0.key, count: $0.value.count) }
                .sorted { ($0.count, $1.label) > ($1.count, $0.label) }
        }
        let mailshots = try Row.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) AS sent,
                       (SELECT COUNT(*) FROM mailshotDelivery d JOIN mailshot m2 ON m2.id = d.mailshotId
                        WHERE m2.organisationId = ?1 AND m2.sentAt >= ?2 AND m2.sentAt < ?3 AND d.status = 'sent') AS recipients
                FROM mailshot m WHERE m.organisationId = ?1 AND m.sentAt >= ?2 AND m.sentAt < ?3
                """, arguments: instants)!
        let issued: Int = cards["issued"]
        let returned: Int = cards["returned"]
        let decided = filled.count + unfilled.count
        return ActivityReport(
            organisationId: organisationId, organisationName: organisation.name, from: period.from, to: period.to,
            sessionsPosted: posted.count, sessionsFilled: filled.count, arrangementsReported: reported,
            sessionsCancelled: cancelled.count,
            cancelledBy: counts(
                cancelled.map {
                    "\($0.status == .withdrawn ? "withdrawn before booking" : "cancelled after booking") by \($0.cancelledByRole ?? "unknown")"
                }),
            sessionsUnfilled: unfilled.count, fillRate: decided == 0 ? nil : Double(filled.count) / Double(decided),
            medianHoursToBook: percentile(waits, 0.5), p90HoursToBook: percentile(waits, 0.9),
            gpsActive: Set(work.map { $0["gpId"] as Int64 }).count,
            practicesServed: Set(work.map { $0["practiceId"] as Int64 }).count,
            hoursWorked: work.reduce(0) { $0 + Double($1["minutes"] as Int) / 60 },
            newRegistrations: try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM gp WHERE organisationId = ? AND createdAt >= ? AND createdAt < ?",
                arguments: instants)
                ?? 0,
            leavers: try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM gp WHERE organisationId = ? AND status = 'left' AND updatedAt >= ? AND updatedAt < ?",
                arguments: instants) ?? 0,
            byGPKind: breakdown { $0["gpKind"] }, byProfession: breakdown { $0["profession"] },
            byLocality: breakdown { $0["locality"] }, byPractice: breakdown { $0["practiceName"] },
            bySessionKind: breakdown { ClinicalSession.Kind(rawValue: $0["kind"])?.title ?? $0["kind"] },
            partners: partners.values.sorted { $0.organisation < $1.organisation }, weekly: weekly,
            clearedShare: activeGPs.isEmpty ? nil : Double(cleared) / Double(activeGPs.count), checksExpired: checksExpired,
            cardsIssued: issued, cardsReturned: returned, returnRate: issued == 0 ? nil : Double(returned) / Double(issued),
            concernsBySeverity: counts(concerns.map { $0["severity"] }),
            concernsByOutcome: counts(concerns.map { ($0["outcome"] as String?) ?? "open" }),
            mailshotsSent: mailshots["sent"], mailshotRecipients: mailshots["recipients"],
            evidenceByKind: try evidenceCounts(db, organisationId: organisationId, from: period.from, to: period.to),
            payments: try paymentFigures(db, organisationId: organisationId, from: period.from, to: period.to, today: today))
    }

    /// Nearest-rank percentile of sorted values, rounded to a tenth.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = max(1, Int((fraction * Double(sorted.count)).rounded(.up)))
        return (sorted[rank - 1] * 10).rounded() / 10
    }

    static func startOfDay(_ day: Day) -> Date {
        Day.calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 0))!
    }
}
