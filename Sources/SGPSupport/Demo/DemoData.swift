import Foundation
import GRDB

/// The fictional demo data set in `seeds/demo.json`, loaded by `sgpst demo` and `sgpst serve --demo`.
public struct DemoData: Decodable, Sendable {
    struct OrganisationSeed: Decodable, Sendable {
        var code: String
        var name: String
        var region: String?
    }

    struct PracticeSeed: Decodable, Sendable {
        var odsCode: String
        var name: String
        var locality: String
        var address: String?
        var postcode: String?
        var phone: String?
        var email: String?
        var clinicalSystem: String?
        var pack: [String: String]?
    }

    /// Check dates are offsets from the day the demo is loaded, so it always looks current.
    struct CheckSeed: Decodable, Sendable {
        var type: String
        var verifiedDaysAgo: Int
        var expiresInDays: Int
    }

    struct GPSeed: Decodable, Sendable {
        var name: String
        var gmcNumber: String
        var profession: GP.Profession
        var kind: GP.Kind
        var status: GP.Status
        var email: String?
        var phone: String?
        var postcode: String?
        var localities: [String]?
        var skills: [String]?
        var maxSessionsPerWeek: Int?
        var usualRate: Double?
        var appraisalMonth: Int?
        var mailshotConsent: Bool?
        var applicationNote: String?
        var checks: [CheckSeed]?
        var availability: [AvailabilitySeed]?
    }

    struct AvailabilitySeed: Decodable, Sendable {
        var weekday: String
        var dayParts: [String]
    }

    /// A session relative to the load day; `bookedBy` (a GMC number) books it, completed when past.
    /// An open one may wait on someone: the practice's offer to a GP (`offeredTo`), or GPs'
    /// applications for the practice to decide (`appliedBy`), made through the clearing-house's
    /// own rules as the demo's people would make them.
    struct SessionSeed: Decodable, Sendable {
        var practice: String
        var dayOffset: Int
        /// Moved on to the Monday when the offset falls at a weekend (for a GP who works weekdays),
        /// so whatever day the demo is loaded the GP it names can take it.
        var weekdayOnly: Bool?
        var start: String
        var end: String
        var kind: ClinicalSession.Kind
        var rate: Double
        var requiredSkills: [String]
        var bookedBy: String?
        /// The practice's card about the GP, already submitted (past sessions only).
        var feedback: FeedbackSeed?
        /// The GP (a GMC number) the practice has offered the open session to: the offer stands its
        /// usual time from the load.
        var offeredTo: String?
        /// GPs (GMC numbers) who have applied for the open session, waiting for the practice's decision.
        var appliedBy: [String]?
    }

    struct FeedbackSeed: Decodable, Sendable {
        var ratings: [String: Int]
        var comment: String?
        /// Raised as a concern as the practice submitted the card, for the GP mentor to handle.
        var concern: ConcernSeed?

        var answers: [FeedbackAnswer] {
            ratings.sorted { $0.key < $1.key }.map { FeedbackAnswer(box: $0.key, rating: $0.value, comment: nil) }
        }
    }

    struct ConcernSeed: Decodable, Sendable {
        var severity: FeedbackConcern.Severity
        var details: String?
    }

    /// A GP's evidence entry, dated relative to the load day.
    struct EvidenceSeed: Decodable, Sendable {
        var gmcNumber: String
        var kind: EvidenceKind
        var title: String
        var dayOffset: Int
        var details: [String: DetailValue]
        var sharedWithMentor: Bool?
        var tags: [String]?
    }

    public struct UserSeed: Decodable, Sendable {
        public var email: String
        public var displayName: String
        public var role: Role
        var scope: String?
    }

    var organisation: OrganisationSeed
    /// One password for every demo sign-in (demo data only).
    public var password: String
    /// One authenticator secret for every demo sign-in that needs a code (demo data only).
    var secondFactorSecret: String?
    var practices: [PracticeSeed]
    var gps: [GPSeed]
    public var users: [UserSeed]
    var sessions: [SessionSeed]?
    var evidence: [EvidenceSeed]?

    public var organisationCode: String { organisation.code }

    /// The demo's authenticator key as an app takes it (base32), for the sign-ins that need a code.
    public var secondFactorKey: String? {
        secondFactorSecret.map(SecondFactor.typedKey(secret:))
    }

    public static func load(from url: URL) throws -> DemoData {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DomainError.notFound("The demo data file \(url.path) cannot be read: \(error.localizedDescription)")
        }
        return try JSONDecoder().decode(DemoData.self, from: data)
    }
}

/// What a demo load created.
public struct DemoLoadSummary: Sendable {
    public var organisationCode: String
    public var practices: Int
    public var gps: Int
    public var users: [DemoData.UserSeed]
    public var password: String
}

extension AppDatabase {
    /// Loads the demo data set in one transaction; refuses when its organisation already exists.
    public func loadDemo(_ demo: DemoData) async throws -> DemoLoadSummary {
        // One hash for the shared demo password keeps loading quick at a production bcrypt cost.
        let hash = await passwords.hash(demo.password)
        let now = clock.now()
        let today = clock.today
        try await write { db in
            if try Organisation.filter(Organisation.Columns.code == demo.organisation.code).fetchCount(db) > 0 {
                throw DomainError.conflict("The demo data is already loaded (organisation \(demo.organisation.code) exists)")
            }
            var organisation = Organisation(
                id: nil, code: demo.organisation.code, name: demo.organisation.name,
                region: demo.organisation.region, createdAt: now)
            try organisation.insert(db)
            try RegisterDefaults.install(db, organisationId: organisation.id!)
            var practiceIds: [String: Int64] = [:]
            for seed in demo.practices {
                var practice = Practice(
                    id: nil, organisationId: organisation.id!, odsCode: seed.odsCode, name: seed.name,
                    locality: seed.locality, address: seed.address, postcode: seed.postcode, phone: seed.phone,
                    email: seed.email, clinicalSystem: seed.clinicalSystem, createdAt: now)
                try practice.insert(db)
                practiceIds[seed.odsCode] = practice.id
                if let pack = seed.pack {
                    try PracticePack(
                        practiceId: practice.id!, arrival: pack["arrival"] ?? "", systems: pack["systems"] ?? "",
                        contacts: pack["contacts"] ?? "", referrals: pack["referrals"] ?? "",
                        protocols: pack["protocols"] ?? "", emergencies: pack["emergencies"] ?? "", updatedAt: now
                    ).insert(db)
                }
            }
            var gpIds: [String: Int64] = [:]
            for seed in demo.gps {
                var gp = GP(
                    id: nil, organisationId: organisation.id!, name: seed.name, registrationNumber: seed.gmcNumber,
                    profession: seed.profession, kind: seed.kind, status: seed.status, email: seed.email,
                    phone: seed.phone, postcode: seed.postcode, localities: seed.localities ?? [], skills: seed.skills ?? [],
                    maxSessionsPerWeek: seed.maxSessionsPerWeek, usualRatePence: seed.usualRate.map { Int($0 * 100) },
                    appraisalMonth: seed.appraisalMonth, mailshotConsent: seed.mailshotConsent ?? false,
                    mailshotConsentAt: seed.mailshotConsent == true ? now : nil, applicationNote: seed.applicationNote,
                    createdAt: now)
                try gp.insert(db)
                gpIds[seed.gmcNumber] = gp.id
                for check in seed.checks ?? [] {
                    var row = CredentialCheck(
                        id: nil, gpId: gp.id!, type: check.type, status: .verified,
                        verifiedOn: today.adding(days: -check.verifiedDaysAgo),
                        expiresOn: today.adding(days: check.expiresInDays), recordedAt: now)
                    if check.type == "dbs" {
                        row.dbsCertificateNumber = String(format: "%012d", 1000 + Int(gp.id!))
                        row.dbsLevel = "enhanced"
                        row.dbsUpdateService = true
                    }
                    try row.insert(db)
                }
                for entry in seed.availability ?? [] {
                    guard let weekday = Weekday(rawValue: entry.weekday) else { continue }
                    for part in entry.dayParts {
                        try db.execute(
                            sql: "INSERT INTO availabilityWeekly (gpId, weekday, dayPart) VALUES (?, ?, ?)",
                            arguments: [gp.id, weekday.number, part])
                    }
                }
            }
            for seed in demo.users {
                var user = User(
                    id: nil, email: seed.email, displayName: seed.displayName, passwordHash: hash,
                    disabledAt: nil, createdAt: now)
                try user.insert(db)
                var grant = RoleGrant(id: nil, userId: user.id!, role: seed.role)
                switch seed.role {
                case .administrator: break
                case .liaisonOfficer, .mentor, .educationalSupervisor: grant.organisationId = organisation.id
                case .practiceManager: grant.practiceId = practiceIds[seed.scope ?? ""]
                case .gp: grant.gpId = gpIds[seed.scope ?? ""]
                }
                try grant.insert(db)
                if seed.role == .practiceManager, let practiceId = grant.practiceId {
                    try db.execute(
                        sql: "INSERT INTO locumApprover (userId, practiceId) VALUES (?, ?)", arguments: [user.id!, practiceId])
                }
                if let secret = demo.secondFactorSecret, Role.needingSecondFactor.contains(seed.role) {
                    try SecondFactor(userId: user.id!, secret: secret, confirmedAt: now, lastUsedStep: 0).insert(db)
                }
            }
            for seed in demo.sessions ?? [] {
                guard let practiceId = practiceIds[seed.practice], let start = ClockTime.parse(seed.start),
                    let end = ClockTime.parse(seed.end)
                else { continue }
                var date = today.adding(days: seed.dayOffset)
                if seed.weekdayOnly == true, date.isoWeekday > 5 { date = date.adding(days: 8 - date.isoWeekday) }
                var session = ClinicalSession(
                    id: nil, practiceId: practiceId, date: date, startMinute: start, endMinute: end, kind: seed.kind,
                    requiredSkills: seed.requiredSkills, ratePence: Int(seed.rate * 100), rateUnit: .session, status: .open,
                    postedAt: now.addingTimeInterval(TimeInterval(min(seed.dayOffset, 0) - 10) * 86400))
                try session.insert(db)
                try Self.demoOffersAndApplications(db, seed: seed, session: session, gpIds: gpIds, now: now)
                guard let gmc = seed.bookedBy, let gpId = gpIds[gmc] else { continue }
                let past = seed.dayOffset < 0
                var booking = Booking(
                    id: nil, sessionId: session.id!, gpId: gpId, status: past ? .completed : .confirmed, date: date,
                    startMinute: start, endMinute: end, gpOrganisationId: organisation.id!,
                    practiceOrganisationId: organisation.id!, createdAt: session.postedAt.addingTimeInterval(2 * 86400),
                    completedAt: past ? now : nil)
                try booking.insert(db)
                session.status = past ? .completed : .booked
                session.bookedAt = booking.createdAt
                try session.update(db)
                guard past else { continue }
                // The demo sends no mail: the cards are issued and their links dropped.
                _ = try AppDatabase.issueFeedbackCards(db, booking: booking, now: now, links: Links(baseURL: ""))
                if let feedback = seed.feedback {
                    try db.execute(
                        sql: """
                            UPDATE feedbackCard SET status = 'submitted', submittedAt = ?, answers = ?, comment = ?
                            WHERE bookingId = ? AND direction = 'practice-about-gp'
                            """,
                        arguments: [
                            now, String(decoding: try JSONEncoder().encode(feedback.answers), as: UTF8.self), feedback.comment,
                            booking.id,
                        ])
                    if let concern = feedback.concern,
                        let card = try FeedbackCard.fetchOne(
                            db, sql: "SELECT * FROM feedbackCard WHERE bookingId = ? AND direction = 'practice-about-gp'",
                            arguments: [booking.id])
                    {
                        // The support team's emails are dropped like the cards' links.
                        _ = try Self.raiseConcern(
                            db, card: card, ConcernInput(severity: concern.severity.rawValue, details: concern.details),
                            actor: .commandLine, now: now, links: Links(baseURL: ""))
                    }
                }
            }
            for seed in demo.evidence ?? [] {
                guard let gpId = gpIds[seed.gmcNumber] else { continue }
                var entry = EvidenceEntry(
                    id: nil, gpId: gpId, kind: seed.kind, status: .complete, title: seed.title,
                    date: Day(now).adding(days: seed.dayOffset), details: seed.details, practiceId: nil, bookingId: nil,
                    feedbackCardId: nil, auditTopicId: nil, tags: seed.tags ?? [], followUpOn: nil, followUpRemindedAt: nil,
                    sharedWithMentor: seed.sharedWithMentor ?? false, sentByPracticeId: nil, createdAt: now, updatedAt: nil)
                try entry.insert(db)
            }
            // A small team has one GP mentor for all its sessional GPs.
            try db.execute(
                sql: """
                    UPDATE gp SET mentorId = (SELECT g.userId FROM roleGrant g WHERE g.role = 'mentor' AND g.organisationId = ?
                    ORDER BY g.id LIMIT 1) WHERE organisationId = ?
                    """,
                arguments: [organisation.id, organisation.id])
            try AuditEvent.record(
                db, at: now, actor: .commandLine, entity: "organisation", entityId: organisation.id, action: "load-demo")
        }
        return DemoLoadSummary(
            organisationCode: demo.organisation.code, practices: demo.practices.count, gps: demo.gps.count,
            users: demo.users, password: demo.password)
    }

    /// What waits on an open demo session: the practice's offer and the GPs' applications, each
    /// made by the step the pages use (so the same eligibility rules hold) and by the person who
    /// would make it. The demo sends no mail: the notices are dropped.
    private static func demoOffersAndApplications(
        _ db: Database, seed: DemoData.SessionSeed, session: ClinicalSession, gpIds: [String: Int64], now: Date
    ) throws {
        guard seed.bookedBy == nil, seed.offeredTo != nil || !(seed.appliedBy ?? []).isEmpty else { return }
        guard let practice = try Practice.fetchOne(db, id: session.practiceId) else { return }
        let links = Links(baseURL: "")
        if let gmc = seed.offeredTo {
            guard let gpId = gpIds[gmc], let gp = try GP.fetchOne(db, id: gpId) else {
                throw DomainError.notFound("The demo offers a session to GMC \(gmc), who is not in the demo's register")
            }
            _ = try makeOffer(
                db, session: session, practice: practice, gp: gp, by: try demoPerson(db, practiceId: practice.id), now: now,
                links: links)
        }
        for gmc in seed.appliedBy ?? [] {
            guard let gpId = gpIds[gmc] else {
                throw DomainError.notFound("The demo has GMC \(gmc) apply for a session, who is not in the demo's register")
            }
            _ = try makeApplication(
                db, session: session, practice: practice, gpId: gpId, by: try demoPerson(db, gpId: gpId), now: now,
                links: links)
        }
    }

    /// The demo's own sign-in for a practice's manager or for a GP, as the rules see them; the
    /// command line where the demo has none.
    private static func demoPerson(_ db: Database, practiceId: Int64? = nil, gpId: Int64? = nil) throws -> Principal {
        let user = try User.fetchOne(
            db,
            sql: """
                SELECT u.* FROM user u JOIN roleGrant g ON g.userId = u.id
                WHERE (g.role = 'practice-manager' AND g.practiceId = ?) OR (g.role = 'gp' AND g.gpId = ?)
                ORDER BY g.id LIMIT 1
                """,
            arguments: [practiceId, gpId])
        return try user.map { try Principal.load(db, user: $0) } ?? Principal.commandLine
    }
}
