import Foundation
import GRDB

/// A national-scale synthetic data set for benchmarks (`sgpst generate`): organisations of about 150
/// practices with five localities each, GPs with checks, skills, localities and availability in
/// realistic proportions, neighbouring organisations sharing GPs, and open sessions in one week.
/// The same seed always makes the same data.
public struct SyntheticDataSpec: Sendable {
    public var practices: Int
    public var gps: Int
    public var sessions: Int
    public var seed: UInt64
    /// The week the open sessions fall in.
    public var week: IsoWeek

    public init(practices: Int, gps: Int, sessions: Int, seed: UInt64, week: IsoWeek) {
        self.practices = practices
        self.gps = gps
        self.sessions = sessions
        self.seed = seed
        self.week = week
    }
}

/// SplitMix64: small, fast and the same on every platform, so a seed names one data set.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public struct SyntheticDataSummary: Sendable {
    public var organisations: Int
    public var practices: Int
    public var gps: Int
    public var sessions: Int
}

extension AppDatabase {
    public func generateSyntheticData(_ spec: SyntheticDataSpec) async throws -> SyntheticDataSummary {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var random = SeededGenerator(state: spec.seed)
            let organisationCount = max(1, (spec.practices + 149) / 150)
            var organisationIds: [Int64] = []
            var localities: [Int64: [String]] = [:]
            for index in 0..<organisationCount {
                var organisation = Organisation(
                    id: nil, code: String(format: "G%04d", index + 1), name: "Synthetic ICB \(index + 1)", region: "Synthetic",
                    createdAt: now)
                try organisation.insert(db)
                try RegisterDefaults.install(db, organisationId: organisation.id!)
                organisationIds.append(organisation.id!)
                localities[organisation.id!] = (1...5).map { "Locality \(index + 1)-\($0)" }
            }
            // Each organisation shares GPs with the next one (pairs), as neighbouring ICBs do.
            for index in stride(from: 0, to: organisationIds.count - 1, by: 2) {
                try db.execute(
                    sql: """
                        INSERT INTO sharingAgreement (organisationId, partnerOrganisationId, status, proposedAt, acceptedAt)
                        VALUES (?, ?, 'active', ?, ?)
                        """,
                    arguments: [organisationIds[index], organisationIds[index + 1], now, now])
            }
            var practices: [(id: Int64, organisationId: Int64, locality: String)] = []
            for index in 0..<spec.practices {
                let organisationId = organisationIds[index % organisationIds.count]
                let locality = localities[organisationId]!.randomElement(using: &random)!
                var practice = Practice(
                    id: nil, organisationId: organisationId, odsCode: String(format: "Y%05d", index + 1),
                    name: "Synthetic Practice \(index + 1)", locality: locality, createdAt: now)
                try practice.insert(db)
                practices.append((practice.id!, organisationId, locality))
            }
            // Skills most GPs lack: a scarce skill makes a session hard to fill.
            let skillShares: [(String, Double)] = [
                ("minor-surgery", 0.25), ("coil-fitting", 0.15), ("implant-fitting", 0.12), ("joint-injections", 0.1),
                ("child-health-surveillance", 0.3),
            ]
            let dayParts = ["morning", "afternoon", "evening"]
            for index in 0..<spec.gps {
                let organisationIndex = Int.random(in: 0..<organisationIds.count, using: &random)
                let organisationId = organisationIds[organisationIndex]
                let own = localities[organisationId]!.shuffled(using: &random)
                // About one GP in five also works across the border, in a locality of the partner organisation.
                let partnerIndex = organisationIndex ^ 1
                let acrossBorder =
                    partnerIndex < organisationIds.count && Double.random(in: 0..<1, using: &random) < 0.2
                    ? [localities[organisationIds[partnerIndex]]!.randomElement(using: &random)!] : []
                var gp = GP(
                    id: nil, organisationId: organisationId, name: "Dr Synthetic \(index + 1)",
                    registrationNumber: String(format: "%07d", 5_000_000 + index), profession: .gp,
                    kind: [.freelance, .freelance, .salaried, .retainer].randomElement(using: &random)!,
                    status: Double.random(in: 0..<1, using: &random) < 0.92 ? .active : .applicant,
                    email: "gp\(index + 1)@synthetic.test",
                    localities: Array(own.prefix(Int.random(in: 1...3, using: &random))) + acrossBorder,
                    skills: skillShares.filter { Double.random(in: 0..<1, using: &random) < $0.1 }.map(\.0),
                    maxSessionsPerWeek: [2, 3, 4, 5, 6, 8].randomElement(using: &random)!,
                    mailshotConsent: Double.random(in: 0..<1, using: &random) < 0.75, createdAt: now)
                try gp.insert(db)
                for type in RegisterDefaults.checkCodes(for: gp.profession) {
                    // About 4% of GPs have one check running out within the next month.
                    let expiresIn =
                        Double.random(in: 0..<1, using: &random) < 0.005 ? Int.random(in: 1...30, using: &random) : 400
                    var check = CredentialCheck(
                        id: nil, gpId: gp.id!, type: type, status: .verified, verifiedOn: today.adding(days: -60),
                        expiresOn: today.adding(days: expiresIn), recordedAt: now)
                    if type == "dbs" {
                        check.dbsCertificateNumber = String(format: "%012d", index + 1)
                        check.dbsLevel = "enhanced"
                        check.dbsUpdateService = true
                    }
                    try check.insert(db)
                }
                for weekday in 1...5 {
                    for part in dayParts where Double.random(in: 0..<1, using: &random) < (part == "evening" ? 0.15 : 0.5) {
                        try db.execute(
                            sql: "INSERT INTO availabilityWeekly (gpId, weekday, dayPart) VALUES (?, ?, ?)",
                            arguments: [gp.id, weekday, part])
                    }
                }
            }
            let slots: [(Int, Int, ClinicalSession.Kind)] = [
                (510, 750, .surgery), (810, 1050, .surgery), (540, 720, .clinic), (840, 960, .homeVisits),
                (1110, 1260, .extendedHours), (480, 660, .telephoneTriage), (720, 840, .surgery),
            ]
            for _ in 0..<spec.sessions {
                let practice = practices.randomElement(using: &random)!
                let slot = slots.randomElement(using: &random)!
                let skill =
                    Double.random(in: 0..<1, using: &random) < 0.1 ? [skillShares.randomElement(using: &random)!.0] : []
                var session = ClinicalSession(
                    id: nil, practiceId: practice.id, date: spec.week.monday.adding(days: Int.random(in: 0...4, using: &random)),
                    startMinute: slot.0, endMinute: slot.1, kind: slot.2, requiredSkills: skill,
                    ratePence: [8500, 9000, 9500, 10000, 11000].randomElement(using: &random)!, rateUnit: .session, status: .open,
                    postedAt: now)
                try session.insert(db)
            }
            return SyntheticDataSummary(
                organisations: organisationCount, practices: spec.practices, gps: spec.gps, sessions: spec.sessions)
        }
    }
}
