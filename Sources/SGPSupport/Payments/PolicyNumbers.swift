import Foundation
import GRDB

/// The base rate an organisation uses for late-payment interest, from the day it took effect.
public struct BaseRateEntry: Sendable, Equatable {
    public var effectiveFrom: Day
    public var rateBasisPoints: Int
}

/// One scheme year's NHS pension numbers, as the administrator enters them.
public struct PensionYearInput: Sendable, Equatable {
    public var schemeYear: String
    /// "0=5.2 13260=6.5 …": from this annual pay in whole pounds, this percentage.
    public var tiers: String
    public var pensionablePercent: String
    public var employerPercent: String

    public init(schemeYear: String, tiers: String, pensionablePercent: String = "90", employerPercent: String = "14.38") {
        self.schemeYear = schemeYear
        self.tiers = tiers
        self.pensionablePercent = pensionablePercent
        self.employerPercent = employerPercent
    }
}

extension AppDatabase {
    /// The organisation's base rates, latest first.
    public func baseRates(organisationId: Int64, by principal: Principal) async throws -> [BaseRateEntry] {
        try AccessPolicy.require(principal, .viewOrganisation(organisationId: organisationId))
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM baseRate WHERE organisationId = ? ORDER BY effectiveFrom DESC",
                arguments: [organisationId]
            ).map { BaseRateEntry(effectiveFrom: Day($0["effectiveFrom"] as String)!, rateBasisPoints: $0["rateBasisPoints"]) }
        }
    }

    /// The organisation's settings as one change: each one sent is checked first, then all are
    /// saved in one transaction (a wrong base rate never leaves the appraisal months changed).
    public func setOrganisationSettings(
        organisationId: Int64, appraisalValidityMonths: Int?, baseRatePercent: String?, baseRateFrom: String?,
        rounds: FeedbackRoundSettings = FeedbackRoundSettings(), by principal: Principal
    ) async throws {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        var errors = ValidationErrors()
        let changesBaseRate = baseRatePercent != nil || baseRateFrom != nil
        let roundColumns: [(String, Int?, ClosedRange<Int>)] = [
            ("colleagueTarget", rounds.colleagueTarget, AppDatabase.smallestMinimum...100),
            ("colleagueMinimum", rounds.colleagueMinimum, AppDatabase.smallestMinimum...100),
            ("patientTarget", rounds.patientTarget, AppDatabase.smallestMinimum...200),
            ("patientMinimum", rounds.patientMinimum, AppDatabase.smallestMinimum...200),
            ("roundsPerCycle", rounds.roundsPerCycle, 1...10),
        ]
        for (column, value, range) in roundColumns {
            if let value, !range.contains(value) {
                errors.add(column, "Enter a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
        }
        let changesRounds = roundColumns.contains { $0.1 != nil }
        if changesRounds {
            // The minimum may not exceed the target once both are known (what is sent, else what is set).
            let current = try await feedbackRoundSettings(organisationId: organisationId, by: principal)
            for (kind, target, minimum) in [
                (
                    "colleague", rounds.colleagueTarget ?? current.colleagueTarget,
                    rounds.colleagueMinimum ?? current.colleagueMinimum
                ),
                ("patient", rounds.patientTarget ?? current.patientTarget, rounds.patientMinimum ?? current.patientMinimum),
            ] {
                if let target, let minimum, minimum > target {
                    errors.add("\(kind)Minimum", "The minimum for a report cannot be more than the target (\(target))")
                }
            }
        }
        if let months = appraisalValidityMonths, !(1...36).contains(months) {
            errors.add("appraisalValidityMonths", "Enter a number of months from 1 to 36, like 15")
        }
        if appraisalValidityMonths == nil && !changesBaseRate && !changesRounds {
            errors.add(
                "appraisalValidityMonths",
                "Send a setting to change: appraisalValidityMonths, or baseRatePercent with baseRateFrom")
        }
        let rate = baseRatePercent.flatMap(Percent.basisPoints)
        let day = baseRateFrom.flatMap { Day($0) }
        if changesBaseRate {
            if rate == nil || rate! > 5_000 {
                errors.add("baseRatePercent", "Enter the base rate as a percentage, like 4 or 3.75")
            }
            if day == nil { errors.add("baseRateFrom", "Enter the day the rate took effect, like 2025-08-07") }
        }
        try errors.throwIfAny()
        let now = clock.now()
        try await write { db in
            if let months = appraisalValidityMonths {
                try db.execute(
                    sql: "UPDATE organisation SET appraisalValidityMonths = ? WHERE id = ?", arguments: [months, organisationId])
                try AuditEvent.record(
                    db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId,
                    action: "set-appraisal-months", detail: "\(months)")
            }
            for (column, value, _) in roundColumns {
                guard let value else { continue }
                try db.execute(sql: "UPDATE organisation SET \(column) = ? WHERE id = ?", arguments: [value, organisationId])
            }
            if changesRounds {
                try AuditEvent.record(
                    db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId,
                    action: "set-feedback-round-settings")
            }
            if changesBaseRate, let rate, let day {
                try db.execute(
                    sql: """
                        INSERT INTO baseRate (organisationId, effectiveFrom, rateBasisPoints) VALUES (?, ?, ?)
                        ON CONFLICT(organisationId, effectiveFrom) DO UPDATE SET rateBasisPoints = excluded.rateBasisPoints
                        """,
                    arguments: [organisationId, day, rate])
                try AuditEvent.record(
                    db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId,
                    action: "set-base-rate", detail: "\(Percent.text(basisPoints: rate)) from \(day)")
            }
        }
    }

    /// The organisation's numbers for feedback rounds, each filled in.
    public func feedbackRoundSettings(organisationId: Int64, by principal: Principal) async throws -> FeedbackRoundSettings {
        try AccessPolicy.require(principal, .viewOrganisation(organisationId: organisationId))
        return try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM organisation WHERE id = ?", arguments: [organisationId])
            else { throw DomainError.notFound("No organisation has that id") }
            return FeedbackRoundSettings(
                colleagueTarget: row["colleagueTarget"], colleagueMinimum: row["colleagueMinimum"],
                patientTarget: row["patientTarget"], patientMinimum: row["patientMinimum"], roundsPerCycle: row["roundsPerCycle"])
        }
    }

    /// A new organisation starts with the latest base rate any organisation has entered.
    static func installBaseRate(_ db: Database, organisationId: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO baseRate (organisationId, effectiveFrom, rateBasisPoints)
                SELECT ?, COALESCE(MAX(effectiveFrom), '2025-08-07'),
                       COALESCE((SELECT rateBasisPoints FROM baseRate ORDER BY effectiveFrom DESC LIMIT 1), 400)
                FROM baseRate
                """,
            arguments: [organisationId])
    }

    /// The administrator enters (or corrects) a scheme year's tiers and rates: next year's are added, not coded.
    public func setPensionYear(_ input: PensionYearInput, by principal: Principal) async throws -> [PensionTier] {
        try AccessPolicy.require(principal, .administer)
        var errors = ValidationErrors()
        let year = input.schemeYear.trimmingCharacters(in: .whitespaces)
        let yearParts = year.split(separator: "/")
        let startYear = yearParts.count == 2 && yearParts[0].count == 4 ? Int(yearParts[0]) : nil
        if startYear == nil || yearParts[1].count != 2 || Int(yearParts[1]) != (startYear! + 1) % 100 {
            errors.add("schemeYear", "Enter the scheme year as 2026/27")
        }
        var tiers: [PensionTier] = []
        for part in input.tiers.split(whereSeparator: { $0 == " " || $0 == "," }) {
            let pieces = part.split(separator: "=")
            guard pieces.count == 2, let pounds = Int(pieces[0]), pounds >= 0, let rate = Percent.basisPoints(String(pieces[1]))
            else {
                errors.add("tiers", "Enter each tier as POUNDS=PERCENT, like \"0=5.2 13260=6.5\"")
                break
            }
            tiers.append(PensionTier(schemeYear: year, fromPence: pounds * 100, rateBasisPoints: rate))
        }
        if tiers.isEmpty || !tiers.contains(where: { $0.fromPence == 0 }) {
            errors.add("tiers", "The tiers must start from 0")
        }
        let pensionable = Percent.basisPoints(input.pensionablePercent)
        let employer = Percent.basisPoints(input.employerPercent)
        if pensionable == nil || pensionable! > 10_000 { errors.add("pensionablePercent", "Enter a percentage, like 90") }
        if employer == nil || employer! > 10_000 { errors.add("employerPercent", "Enter a percentage, like 14.38") }
        try errors.throwIfAny()
        let now = clock.now()
        let entered = tiers.sorted { $0.fromPence < $1.fromPence }
        return try await write { db in
            try db.execute(sql: "DELETE FROM pensionTier WHERE schemeYear = ?", arguments: [year])
            for tier in entered {
                try db.execute(
                    sql: "INSERT INTO pensionTier (schemeYear, fromPence, rateBasisPoints) VALUES (?, ?, ?)",
                    arguments: [year, tier.fromPence, tier.rateBasisPoints])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO pensionRate VALUES (?, ?, ?)", arguments: [year, pensionable!, employer!])
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "pension-year", entityId: nil, action: "set", detail: year)
            return entered
        }
    }

    /// Gives (or takes away) a practice user's right to sign locums' Form As: the administrator's act.
    public func setLocumApprover(email: String, practiceODSCode: String, approver: Bool, by principal: Principal) async throws {
        try AccessPolicy.require(principal, .administer)
        let now = clock.now()
        try await write { db in
            guard let userId = try Int64.fetchOne(db, sql: "SELECT id FROM user WHERE email = ?", arguments: [email.lowercased()])
            else { throw DomainError.notFound("No sign-in has the email \(email)") }
            guard
                let practiceId = try Int64.fetchOne(
                    db, sql: "SELECT id FROM practice WHERE odsCode = ?", arguments: [practiceODSCode.uppercased()])
            else { throw DomainError.notFound("No practice has the ODS code \(practiceODSCode)") }
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM roleGrant WHERE userId = ? AND practiceId = ?)",
                    arguments: [userId, practiceId]) == true
            else { throw DomainError.conflict("\(email) does not work for that practice: grant them a practice role first") }
            if approver {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO locumApprover (userId, practiceId) VALUES (?, ?)",
                    arguments: [userId, practiceId])
            } else {
                try db.execute(
                    sql: "DELETE FROM locumApprover WHERE userId = ? AND practiceId = ?", arguments: [userId, practiceId])
            }
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "user", entityId: userId,
                action: approver ? "grant-locum-approver" : "remove-locum-approver", detail: practiceODSCode.uppercased())
        }
    }
}
