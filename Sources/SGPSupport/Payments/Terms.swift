import Foundation
import GRDB

/// A cancellation scale: "notice under N days → P % of the fee", checked in order of N; notice
/// of N days or more under every step costs nothing.
public struct CancellationScale: Sendable, Equatable, Codable {
    public struct Step: Sendable, Equatable, Codable {
        public var noticeUnderDays: Int
        public var percent: Int
    }

    public var steps: [Step]

    /// 100 % under a day, 75 % under 3 days, 20 % under 7 days.
    public static let standard = CancellationScale(steps: [
        Step(noticeUnderDays: 1, percent: 100), Step(noticeUnderDays: 3, percent: 75), Step(noticeUnderDays: 7, percent: 20),
    ])

    /// The share of the fee owed for this many whole days' notice (the session's day minus the
    /// day it was cancelled: cancelling the day before is 1 day's notice, on the day 0).
    public func percent(forNoticeDays days: Int) -> Int {
        steps.sorted { $0.noticeUnderDays < $1.noticeUnderDays }.first { days < $0.noticeUnderDays }?.percent ?? 0
    }

    /// Stored and typed as "1:100 3:75 7:20".
    public var code: String { steps.map { "\($0.noticeUnderDays):\($0.percent)" }.joined(separator: " ") }

    public init(steps: [Step]) { self.steps = steps.sorted { $0.noticeUnderDays < $1.noticeUnderDays } }

    /// Parses "1:100 3:75 7:20" (commas or spaces between steps); nil when a step is malformed,
    /// repeated, or a longer notice costs more than a shorter one.
    public init?(code: String) {
        var steps: [Step] = []
        for part in code.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }) {
            let pieces = part.split(separator: ":")
            guard pieces.count == 2, let days = Int(pieces[0]), let percent = Int(pieces[1]), (1...90).contains(days),
                (0...100).contains(percent)
            else { return nil }
            steps.append(Step(noticeUnderDays: days, percent: percent))
        }
        let sorted = steps.sorted { $0.noticeUnderDays < $1.noticeUnderDays }
        guard Set(sorted.map(\.noticeUnderDays)).count == sorted.count,
            zip(sorted, sorted.dropFirst()).allSatisfy({ $0.percent >= $1.percent })
        else { return nil }
        self.steps = sorted
    }

    /// "Under 1 day's notice 100 % of the fee; under 3 days 75 %; under 7 days 20 %", or none.
    public var text: String {
        guard !steps.isEmpty else { return "No cancellation fee" }
        return steps.map { "under \($0.noticeUnderDays) \($0.noticeUnderDays == 1 ? "day's" : "days'") notice \($0.percent) %" }
            .joined(separator: "; ").capitalisingFirst
    }
}

extension String {
    var capitalisingFirst: String { prefix(1).uppercased() + dropFirst() }
}

/// A GP's terms: their usual ones (no practice), or those for one practice.
public struct GPTerms: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var gpId: Int64
    public var practiceId: Int64?
    public var sessionRatePence: Int?
    public var hourlyRatePence: Int?
    public var paymentTermsDays: Int
    public var mileagePencePerMile: Int
    public var cancellationScale: String
    /// Work through a limited company is not pensionable on Form A: no forms are offered.
    public var limitedCompany: Bool
    public var updatedAt: Date

    public static let databaseTableName = "gpTerms"
    public static let paymentTermsChoices = [14, 28, 30]
    /// HMRC's approved mileage rate for the first 10,000 miles.
    public static let defaultMileagePencePerMile = 45

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The terms a GP has set nothing for: 28 days, 45p a mile, the standard scale.
    public static func usual(gpId: Int64, now: Date) -> GPTerms {
        GPTerms(
            id: nil, gpId: gpId, practiceId: nil, paymentTermsDays: 28, mileagePencePerMile: defaultMileagePencePerMile,
            cancellationScale: CancellationScale.standard.code, limitedCompany: false, updatedAt: now)
    }

    public var scale: CancellationScale { CancellationScale(code: cancellationScale) ?? .standard }

    /// The copy a booking keeps: what was agreed when it was made.
    public var snapshot: TermsSnapshot {
        TermsSnapshot(
            sessionRatePence: sessionRatePence, hourlyRatePence: hourlyRatePence, paymentTermsDays: paymentTermsDays,
            mileagePencePerMile: mileagePencePerMile, cancellationScale: cancellationScale, limitedCompany: limitedCompany)
    }
}

/// Terms as a booking keeps them (JSON in `booking.terms`).
public struct TermsSnapshot: Codable, Sendable, Equatable {
    public var sessionRatePence: Int?
    public var hourlyRatePence: Int?
    public var paymentTermsDays: Int
    public var mileagePencePerMile: Int
    public var cancellationScale: String
    public var limitedCompany: Bool

    public var scale: CancellationScale { CancellationScale(code: cancellationScale) ?? .standard }

    static func decoded(_ text: String?) -> TermsSnapshot? {
        text.flatMap { try? JSONDecoder().decode(TermsSnapshot.self, from: Data($0.utf8)) }
    }

    var encoded: String { String(decoding: try! JSONEncoder().encode(self), as: UTF8.self) }
}

/// What a person may do with a GP's terms.
public enum TermsCapability: String, Sendable, CaseIterable, Codable {
    case edit
}

/// A GP's terms for one practice (or their usual ones), as one person may see them.
public struct TermsView: Sendable {
    public var gpId: Int64
    public var gpName: String
    public var practice: Practice?
    public var terms: GPTerms
    /// True when these are the GP's usual terms because none are set for the practice asked about.
    public var isUsual: Bool
    public var may: Set<TermsCapability>
}

/// Terms as a caller sends them: absent fields keep their value.
public struct TermsInput: Sendable, Decodable, Equatable {
    public var practiceId: Int64?
    /// Rates in pounds as forms send them ("380", "95.50"), or in integer pence as the API answers them.
    public var sessionRate: Double?
    public var hourlyRate: Double?
    public var sessionRatePence: Int?
    public var hourlyRatePence: Int?
    public var paymentTermsDays: Int?
    public var mileagePencePerMile: Int?
    public var cancellationScale: String?
    public var limitedCompany: Bool?

    public init(
        practiceId: Int64? = nil, sessionRate: Double? = nil, hourlyRate: Double? = nil, sessionRatePence: Int? = nil,
        hourlyRatePence: Int? = nil, paymentTermsDays: Int? = nil, mileagePencePerMile: Int? = nil,
        cancellationScale: String? = nil, limitedCompany: Bool? = nil
    ) {
        self.practiceId = practiceId
        self.sessionRate = sessionRate
        self.hourlyRate = hourlyRate
        self.sessionRatePence = sessionRatePence
        self.hourlyRatePence = hourlyRatePence
        self.paymentTermsDays = paymentTermsDays
        self.mileagePencePerMile = mileagePencePerMile
        self.cancellationScale = cancellationScale
        self.limitedCompany = limitedCompany
    }
}

extension AppDatabase {
    /// The terms in force between a GP and a practice: those set for it, else the GP's usual ones.
    static func termsInForce(_ db: Database, gpId: Int64, practiceId: Int64?, now: Date) throws -> (GPTerms, isUsual: Bool) {
        if let practiceId,
            let own = try GPTerms.fetchOne(
                db, sql: "SELECT * FROM gpTerms WHERE gpId = ? AND practiceId = ?", arguments: [gpId, practiceId])
        {
            return (own, false)
        }
        let usual =
            try GPTerms.fetchOne(db, sql: "SELECT * FROM gpTerms WHERE gpId = ? AND practiceId IS NULL", arguments: [gpId])
            ?? GPTerms.usual(gpId: gpId, now: now)
        return (usual, true)
    }

    /// A GP's terms are theirs to set; the support team and practices that could book them read
    /// them (a practice before it accepts).
    static func requireMayReadTerms(_ db: Database, gp: GP, by principal: Principal) throws {
        if principal.gpId == gp.id { return }
        if AccessPolicy.permits(principal, .viewGP(gpId: gp.id!, organisationId: gp.organisationId)) { return }
        let reach = try Self.partnerOrganisationIds(db, of: gp.organisationId) + [gp.organisationId]
        let practiceOrganisations = try Practice.filter(keys: principal.practiceIds).fetchAll(db).map(\.organisationId)
        guard practiceOrganisations.contains(where: reach.contains) else {
            throw DomainError.forbidden("Only the GP, their support team and practices that could book them see their terms")
        }
    }

    /// A GP's terms for a practice (or their usual ones).
    public func terms(gpId: Int64, practiceId: Int64?, by principal: Principal) async throws -> TermsView {
        let now = clock.now()
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try Self.requireMayReadTerms(db, gp: gp, by: principal)
            let practice = try practiceId.flatMap { try Practice.fetchOne(db, id: $0) }
            if practiceId != nil, practice == nil { throw DomainError.notFound("No practice has that id") }
            let (terms, isUsual) = try Self.termsInForce(db, gpId: gpId, practiceId: practiceId, now: now)
            return TermsView(
                gpId: gpId, gpName: gp.name, practice: practice, terms: terms, isUsual: practiceId != nil && isUsual,
                may: principal.gpId == gpId ? [.edit] : [])
        }
    }

    /// The GP sets their usual terms, or those for one practice.
    public func setTerms(gpId: Int64, _ input: TermsInput, by principal: Principal) async throws -> TermsView {
        let now = clock.now()
        try await write { db in
            guard principal.gpId == gpId else {
                guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
                try Self.requireMayReadTerms(db, gp: gp, by: principal)
                throw DomainError.forbidden("Only the GP sets their own terms")
            }
            if let practiceId = input.practiceId, try Practice.fetchOne(db, id: practiceId) == nil {
                throw DomainError.validationFailed(ValidationErrors(field: "practiceId", message: "Choose a practice"))
            }
            var (terms, isUsual) = try Self.termsInForce(db, gpId: gpId, practiceId: input.practiceId, now: now)
            if isUsual && input.practiceId != nil {
                // The first terms for a practice start from the usual ones.
                terms.id = nil
                terms.practiceId = input.practiceId
            }
            var errors = ValidationErrors()
            /// nil: leave as it is; .some(nil): clear it (0); .some(pence): set it.
            func pence(pounds: Double?, pence: Int?, _ field: String) -> Int?? {
                if let pence {
                    guard (0...10_000_000).contains(pence) else {
                        errors.add(field + "Pence", "Enter the rate in pence from 0 to 10,000,000")
                        return .none
                    }
                    return .some(pence == 0 ? nil : pence)
                }
                guard let pounds else { return .none }
                let scaled = pounds * 100
                guard pounds.isFinite, pounds >= 0, pounds <= 100_000, abs(scaled - scaled.rounded()) < 0.000_001 else {
                    errors.add(field, "Enter an amount in pounds and pence from 0 to 100,000, like 380 or 95.50")
                    return .none
                }
                return .some(pounds == 0 ? nil : Int(scaled.rounded()))
            }
            if let rate = pence(pounds: input.sessionRate, pence: input.sessionRatePence, "sessionRate") {
                terms.sessionRatePence = rate
            }
            if let rate = pence(pounds: input.hourlyRate, pence: input.hourlyRatePence, "hourlyRate") {
                terms.hourlyRatePence = rate
            }
            if let days = input.paymentTermsDays {
                if GPTerms.paymentTermsChoices.contains(days) {
                    terms.paymentTermsDays = days
                } else {
                    errors.add("paymentTermsDays", "Choose payment within 14, 28 or 30 days")
                }
            }
            if let mileage = input.mileagePencePerMile {
                if (0...1000).contains(mileage) {
                    terms.mileagePencePerMile = mileage
                } else {
                    errors.add("mileagePencePerMile", "Enter pence per mile from 0 to 1000 (HMRC's rate is 45)")
                }
            }
            if let code = input.cancellationScale {
                if let scale = CancellationScale(code: code) {
                    terms.cancellationScale = scale.code
                } else {
                    errors.add(
                        "cancellationScale",
                        "Enter steps like \"1:100 3:75 7:20\": under 1 day's notice 100 %, under 3 days 75 %, under 7 days 20 % (a longer notice never costs more)"
                    )
                }
            }
            if let limited = input.limitedCompany { terms.limitedCompany = limited }
            try errors.throwIfAny()
            terms.updatedAt = now
            try terms.save(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "set-terms")
        }
        return try await terms(gpId: gpId, practiceId: input.practiceId, by: principal)
    }
}
