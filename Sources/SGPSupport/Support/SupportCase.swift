import Foundation
import GRDB

/// The mentor's confidential record of support for one GP (seeds 000–002): how it began, when and by
/// whom the GP was told, the support offered, meetings, a developmental plan when needed, and how it ended.
public struct SupportCase: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum RouteIn: String, Codable, Sendable, CaseIterable {
        case selfReferral = "self-referral"
        case feedbackConcern = "feedback-concern"
        case complaint
        case performanceReferral = "performance-referral"
        case returnToWork = "return-to-work"

        public var title: String {
            switch self {
            case .selfReferral: "Self-referral"
            case .feedbackConcern: "A feedback-card concern"
            case .complaint: "A complaint"
            case .performanceReferral: "Referral from the performance process (NHS England or the GMC)"
            case .returnToWork: "Return to work"
            }
        }
    }

    public enum Outcome: String, Codable, Sendable, CaseIterable {
        case resolved
        case supportCompleted = "support-completed"
        case referredOn = "referred-on"
        case leftScheme = "left-scheme"

        public var title: String {
            switch self {
            case .resolved: "Resolved"
            case .supportCompleted: "Support completed"
            case .referredOn: "Referred on"
            case .leftScheme: "Left the scheme"
            }
        }
    }

    /// Where the mentor signposts support (seed 001).
    public enum Signpost: String, Codable, Sendable, CaseIterable {
        case occupationalHealth = "occupational-health"
        case localMedicalCommittee = "local-medical-committee"
        case indemnity = "indemnity-organisation"
        case peerSupport = "peer-support"
        case other

        public var title: String {
            switch self {
            case .occupationalHealth: "Occupational health"
            case .localMedicalCommittee: "The local medical committee"
            case .indemnity: "The indemnity organisation"
            case .peerSupport: "Peer support"
            case .other: "Other"
            }
        }
    }

    public var id: Int64?
    public var gpId: Int64
    public var organisationId: Int64
    public var mentorId: Int64
    public var routeIn: RouteIn
    public var openedOn: Day
    public var toldOn: Day
    public var toldBy: String
    public var signposts: [Signpost]
    /// A condition on the GP's work while the case is open: the only part the liaison officer sees.
    public var workRestriction: String?
    public var outcome: Outcome?
    public var closedOn: Day?
    public var feedbackConcernId: Int64?
    public var createdAt: Date
    public var updatedAt: Date?

    public var isOpen: Bool { closedOn == nil }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

public struct SupportMeeting: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var caseId: Int64
    public var date: Day
    public var notes: String
    public var createdById: Int64?
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Tailored developmental training with an educational supervisor (seed 000).
public struct DevelopmentPlan: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var caseId: Int64
    public var objectives: String
    public var activities: String?
    public var supervisorId: Int64?
    public var reviewDates: [Day]
    public var completedOn: Day?
    public var updatedAt: Date
}

/// A report for the referring body; every version is kept as written.
public struct ProgressReport: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var caseId: Int64
    public var version: Int
    public var referringBody: String
    public var body: String
    public var writtenById: Int64?
    public var writtenAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Support that needs no case, logged briefly.
public struct PastoralContact: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var gpId: Int64
    public var mentorId: Int64
    public var date: Day
    public var topic: String
    public var signpostedTo: String?
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Opening a case: decoded straight from API bodies.
public struct SupportCaseInput: Sendable, Decodable {
    public var gpId: Int64?
    public var routeIn: String?
    public var toldOn: String?
    public var toldBy: String?
    public var openedOn: String?
    public var signposts: [String]?
    public var workRestriction: String?

    public init(gpId: Int64?, routeIn: String?, toldOn: String?, toldBy: String?) {
        self.gpId = gpId
        self.routeIn = routeIn
        self.toldOn = toldOn
        self.toldBy = toldBy
    }
}

/// Changes the mentor makes to a case; absent fields are left as they are, empty text clears.
public struct SupportCaseUpdate: Sendable, Decodable {
    public struct PlanInput: Sendable, Decodable {
        public var objectives: String?
        public var activities: String?
        public var supervisorId: Int64?
        public var reviewDates: [String]?
        public var completedOn: String?

        public init() {}
    }

    public var toldOn: String?
    public var toldBy: String?
    public var signposts: [String]?
    public var workRestriction: String?
    public var outcome: String?
    public var closedOn: String?
    public var plan: PlanInput?

    public init() {}
}

/// A case as one reader may see it. The GP sees their plan and reports, not the meeting notes.
public struct SupportCaseView: Sendable {
    public enum Reader: Sendable, Equatable {
        case mentor, supervisor, subject
    }

    public var supportCase: SupportCase
    public var gpName: String
    public var reader: Reader
    public var meetings: [SupportMeeting]
    public var plan: DevelopmentPlan?
    public var supervisorName: String?
    public var reports: [ProgressReport]
    /// The card behind a concern-born case (for the mentor).
    public var concernCardId: Int64?
}

extension AppDatabase {
    static let supportTextLimit = 8000

    // MARK: Access

    /// Who is reading: the GP's mentor, the supervisor on the plan, the GP themself, or nobody.
    static func supportReader(_ db: Database, _ principal: Principal, _ supportCase: SupportCase) throws
        -> SupportCaseView.Reader?
    {
        if try FeedbackAccess.isMentorOfGP(db, principal, gpId: supportCase.gpId) { return .mentor }
        if principal.holds(.educationalSupervisor),
            try Int64.fetchOne(
                db, sql: "SELECT supervisorId FROM developmentPlan WHERE caseId = ?", arguments: [supportCase.id])
                == principal.userId
        {
            return .supervisor
        }
        if principal.gpId == supportCase.gpId { return .subject }
        return nil
    }

    static func supportCaseForMentor(_ db: Database, id: Int64, _ principal: Principal) throws -> SupportCase {
        guard let supportCase = try SupportCase.fetchOne(db, id: id) else {
            throw DomainError.notFound("No support case has that id")
        }
        guard try supportReader(db, principal, supportCase) == .mentor else {
            throw DomainError.forbidden("Only the GP's mentor can change a support case")
        }
        return supportCase
    }

    // MARK: Reading

    public func supportCase(id: Int64, by principal: Principal) async throws -> SupportCaseView {
        try await read { db in try Self.supportCaseView(db, id: id, by: principal) }
    }

    static func supportCaseView(_ db: Database, id: Int64, by principal: Principal) throws -> SupportCaseView {
        guard let supportCase = try SupportCase.fetchOne(db, id: id) else {
            throw DomainError.notFound("No support case has that id")
        }
        guard let reader = try Self.supportReader(db, principal, supportCase) else {
            throw DomainError.forbidden(
                "Support cases are confidential: only the GP's mentor, the educational supervisor on the plan and the GP can open them"
            )
        }
        let plan = try DevelopmentPlan.fetchOne(db, key: ["caseId": id])
        return SupportCaseView(
            supportCase: supportCase,
            gpName: try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [supportCase.gpId]) ?? "",
            reader: reader,
            meetings: reader == .subject
                ? []
                : try SupportMeeting.fetchAll(
                    db, sql: "SELECT * FROM supportMeeting WHERE caseId = ? ORDER BY date, id", arguments: [id]),
            plan: plan,
            supervisorName: try plan?.supervisorId.flatMap {
                try String.fetchOne(db, sql: "SELECT displayName FROM user WHERE id = ?", arguments: [$0])
            },
            reports: try ProgressReport.fetchAll(
                db, sql: "SELECT * FROM progressReport WHERE caseId = ? ORDER BY version DESC", arguments: [id]),
            concernCardId: reader == .mentor
                ? try supportCase.feedbackConcernId.flatMap {
                    try Int64.fetchOne(db, sql: "SELECT cardId FROM feedbackConcern WHERE id = ?", arguments: [$0])
                } : nil)
    }

    /// The cases this person may open: a mentor's mentees', a supervisor's plans', a GP's own.
    public func supportCases(by principal: Principal) async throws -> [SupportCaseView] {
        try await read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT c.id FROM supportCase c JOIN gp ON gp.id = c.gpId
                    LEFT JOIN developmentPlan p ON p.caseId = c.id
                    WHERE (gp.mentorId = ?1 AND ?2) OR (p.supervisorId = ?1 AND ?3) OR c.gpId = ?4
                    ORDER BY c.closedOn IS NOT NULL, c.openedOn DESC
                    """,
                arguments: [
                    principal.userId, principal.holds(.mentor), principal.holds(.educationalSupervisor), principal.gpId,
                ]
            )
            .map { try Self.supportCaseView(db, id: $0, by: principal) }
        }
    }

    /// What the support team may know of a GP's cases: the work restrictions of open ones, nothing else.
    public func workRestrictions(gpId: Int64, by principal: Principal) async throws -> [String] {
        try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try AccessPolicy.require(principal, .superviseOrganisation(organisationId: gp.organisationId))
            return try String.fetchAll(
                db,
                sql: """
                    SELECT workRestriction FROM supportCase
                    WHERE gpId = ? AND closedOn IS NULL AND workRestriction IS NOT NULL ORDER BY openedOn
                    """, arguments: [gpId])
        }
    }

    // MARK: Writing

    /// The GP's mentor opens a case.
    public func openSupportCase(_ input: SupportCaseInput, by principal: Principal) async throws -> SupportCase {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            guard let gpId = input.gpId, let gp = try GP.fetchOne(db, id: gpId) else {
                throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "Choose the GP"))
            }
            guard try FeedbackAccess.isMentorOfGP(db, principal, gpId: gpId) else {
                throw DomainError.forbidden("Only the GP's mentor can open a support case for them")
            }
            var errors = ValidationErrors()
            let routeIn = SupportCase.RouteIn(rawValue: input.routeIn ?? "")
            if routeIn == nil {
                errors.add(
                    "routeIn", "Say how the case began: " + SupportCase.RouteIn.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let openedOn =
                Self.optionalDay(
                    input.openedOn, field: "openedOn", message: "Give the opening date as YYYY-MM-DD", into: &errors) ?? today
            var supportCase = SupportCase(
                id: nil, gpId: gpId, organisationId: gp.organisationId, mentorId: principal.userId,
                routeIn: routeIn ?? .selfReferral, openedOn: openedOn, toldOn: today, toldBy: "", signposts: [],
                workRestriction: nil, outcome: nil, closedOn: nil, feedbackConcernId: nil, createdAt: now, updatedAt: nil)
            var update = SupportCaseUpdate()
            update.toldOn = input.toldOn ?? ""
            update.toldBy = input.toldBy ?? ""
            update.signposts = input.signposts
            update.workRestriction = input.workRestriction
            Self.apply(update, to: &supportCase, today: today, errors: &errors)
            try errors.throwIfAny()
            try supportCase.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "supportCase", entityId: supportCase.id, action: "open")
            return supportCase
        }
    }

    /// A feedback-card concern about a GP becomes a case in one step, linked both ways.
    public func openSupportCase(fromConcern concernId: Int64, by principal: Principal) async throws -> SupportCase {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            guard let concern = try FeedbackConcern.fetchOne(db, id: concernId),
                let card = try FeedbackCard.fetchOne(db, id: concern.cardId)
            else { throw DomainError.notFound("No concern has that id") }
            guard card.direction == .practiceAboutGP else {
                throw DomainError.conflict("This concern is about a practice, not a GP: a support case is for a GP")
            }
            guard try FeedbackAccess.isMentorOfGP(db, principal, gpId: card.gpId) else {
                throw DomainError.forbidden("Only the GP's mentor can open a support case for them")
            }
            if let existing = try SupportCase.fetchOne(
                db, sql: "SELECT * FROM supportCase WHERE feedbackConcernId = ?", arguments: [concernId])
            {
                return existing
            }
            let organisationId = try Int64.fetchOne(db, sql: "SELECT organisationId FROM gp WHERE id = ?", arguments: [card.gpId])
            var supportCase = SupportCase(
                id: nil, gpId: card.gpId, organisationId: organisationId ?? concern.organisationId, mentorId: principal.userId,
                routeIn: .feedbackConcern, openedOn: today, toldOn: concern.contactMadeOn ?? today,
                toldBy: principal.displayName, signposts: [], workRestriction: nil, outcome: nil, closedOn: nil,
                feedbackConcernId: concernId, createdAt: now, updatedAt: nil)
            try supportCase.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "supportCase", entityId: supportCase.id, action: "open",
                detail: "from concern \(concernId)")
            return supportCase
        }
    }

    /// The case a concern opened, for the GP's mentor (nil when none, or for anyone else).
    public func supportCaseId(forConcern concernId: Int64, by principal: Principal) async throws -> Int64? {
        try await read { db in
            guard
                let supportCase = try SupportCase.fetchOne(
                    db, sql: "SELECT * FROM supportCase WHERE feedbackConcernId = ?", arguments: [concernId])
            else { return nil }
            return try Self.supportReader(db, principal, supportCase) == .mentor ? supportCase.id : nil
        }
    }

    /// True when this person is the GP's mentor (who may open a case for them).
    public func isMentor(ofGP gpId: Int64, _ principal: Principal) async throws -> Bool {
        try await read { db in try FeedbackAccess.isMentorOfGP(db, principal, gpId: gpId) }
    }

    /// The mentor changes the case, its plan, or closes it.
    public func updateSupportCase(id: Int64, _ update: SupportCaseUpdate, by principal: Principal) async throws -> SupportCase {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var supportCase = try Self.supportCaseForMentor(db, id: id, principal)
            var errors = ValidationErrors()
            Self.apply(update, to: &supportCase, today: today, errors: &errors)
            var plan = try DevelopmentPlan.fetchOne(db, key: ["caseId": id])
            if let input = update.plan {
                plan = try Self.applyPlan(
                    input, to: plan, caseId: id, organisationId: supportCase.organisationId, db: db, now: now, errors: &errors)
            }
            try errors.throwIfAny()
            supportCase.updatedAt = now
            try supportCase.update(db)
            try plan?.save(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "supportCase", entityId: id,
                action: supportCase.isOpen ? "update" : "close")
            return supportCase
        }
    }

    static func apply(_ update: SupportCaseUpdate, to supportCase: inout SupportCase, today: Day, errors: inout ValidationErrors)
    {
        func text(_ value: String?) -> String? {
            guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            return value
        }
        if let toldOn = update.toldOn {
            if let day = Day(toldOn.trimmingCharacters(in: .whitespaces)), day <= today {
                supportCase.toldOn = day
            } else {
                errors.add("toldOn", "Give the date the GP was told, as YYYY-MM-DD, today or earlier")
            }
        }
        if let toldBy = update.toldBy {
            if let name = text(toldBy), name.count <= 200 {
                supportCase.toldBy = name
            } else {
                errors.add("toldBy", "Say who told the GP (a name and role)")
            }
        }
        if let signposts = update.signposts {
            let known = signposts.compactMap(SupportCase.Signpost.init(rawValue:))
            if known.count != signposts.count {
                errors.add(
                    "signposts", "Signpost to: " + SupportCase.Signpost.allCases.map(\.rawValue).joined(separator: ", "))
            }
            supportCase.signposts = known
        }
        if let restriction = update.workRestriction {
            supportCase.workRestriction = text(restriction)
            if restriction.count > 500 { errors.add("workRestriction", "Keep the restriction under 500 characters") }
        }
        if let outcome = update.outcome {
            if outcome.isEmpty {
                supportCase.outcome = nil
                supportCase.closedOn = nil
            } else if let value = SupportCase.Outcome(rawValue: outcome) {
                supportCase.outcome = value
                supportCase.closedOn = supportCase.closedOn ?? today
            } else {
                errors.add(
                    "outcome", "Choose the outcome: " + SupportCase.Outcome.allCases.map(\.rawValue).joined(separator: ", "))
            }
        }
        if let closedOn = update.closedOn, !closedOn.isEmpty {
            if let day = Day(closedOn), day >= supportCase.openedOn, day <= today {
                supportCase.closedOn = day
            } else {
                errors.add("closedOn", "Give the closing date as YYYY-MM-DD, between the opening date and today")
            }
        }
        if supportCase.closedOn != nil, supportCase.outcome == nil {
            errors.add("outcome", "Choose the outcome to close the case")
        }
    }

    static func applyPlan(
        _ input: SupportCaseUpdate.PlanInput, to plan: DevelopmentPlan?, caseId: Int64, organisationId: Int64, db: Database,
        now: Date, errors: inout ValidationErrors
    ) throws -> DevelopmentPlan {
        var plan =
            plan
            ?? DevelopmentPlan(
                caseId: caseId, objectives: "", activities: nil, supervisorId: nil, reviewDates: [], completedOn: nil,
                updatedAt: now)
        if let objectives = input.objectives?.trimmingCharacters(in: .whitespacesAndNewlines) { plan.objectives = objectives }
        if plan.objectives.isEmpty || plan.objectives.count > supportTextLimit {
            errors.add("plan.objectives", "Write the plan's objectives")
        }
        if let activities = input.activities?.trimmingCharacters(in: .whitespacesAndNewlines) {
            plan.activities = activities.isEmpty ? nil : activities
        }
        if let supervisorId = input.supervisorId {
            let isSupervisor =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM roleGrant WHERE userId = ? AND role = 'educational-supervisor'
                                       AND organisationId = ?)
                        """, arguments: [supervisorId, organisationId]) ?? false
            if isSupervisor {
                plan.supervisorId = supervisorId
            } else {
                errors.add("plan.supervisorId", "Choose an educational supervisor of the GP's organisation")
            }
        }
        if let dates = input.reviewDates {
            let days = dates.map { Day($0.trimmingCharacters(in: .whitespaces)) }
            if days.contains(nil) { errors.add("plan.reviewDates", "Give each review date as YYYY-MM-DD") }
            plan.reviewDates = days.compactMap { $0 }.sorted()
        }
        if let completed = input.completedOn {
            plan.completedOn = completed.isEmpty ? nil : Day(completed)
            if !completed.isEmpty, plan.completedOn == nil {
                errors.add("plan.completedOn", "Give the completion date as YYYY-MM-DD")
            }
        }
        plan.updatedAt = now
        return plan
    }

    /// The mentor notes a meeting with the GP.
    public func addSupportMeeting(caseId: Int64, date: String?, notes: String?, by principal: Principal) async throws
        -> SupportMeeting
    {
        var errors = ValidationErrors()
        let day = Day((date ?? "").trimmingCharacters(in: .whitespaces))
        if day == nil { errors.add("date", "Give the meeting date as YYYY-MM-DD") }
        let notes = notes?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if notes.isEmpty || notes.count > Self.supportTextLimit { errors.add("notes", "Write the meeting notes") }
        let now = clock.now()
        return try await write { [errors] db in
            _ = try Self.supportCaseForMentor(db, id: caseId, principal)
            try errors.throwIfAny()  // after who asks is settled
            var meeting = SupportMeeting(
                id: nil, caseId: caseId, date: day!, notes: notes, createdById: principal.recordedUserId, createdAt: now)
            try meeting.insert(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "supportCase", entityId: caseId, action: "meeting")
            return meeting
        }
    }

    /// The mentor writes the next version of the progress report for the referring body.
    public func writeProgressReport(caseId: Int64, referringBody: String?, body: String?, by principal: Principal) async throws
        -> ProgressReport
    {
        var errors = ValidationErrors()
        let referringBody = referringBody?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let body = body?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if referringBody.isEmpty || referringBody.count > 200 {
            errors.add("referringBody", "Name the body the report is for, like “NHS England performance team”")
        }
        if body.isEmpty || body.count > Self.supportTextLimit { errors.add("body", "Write the report") }
        let now = clock.now()
        return try await write { [errors] db in
            _ = try Self.supportCaseForMentor(db, id: caseId, principal)
            try errors.throwIfAny()  // after who asks is settled
            let version =
                (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM progressReport WHERE caseId = ?", arguments: [caseId]) ?? 0)
                + 1
            var report = ProgressReport(
                id: nil, caseId: caseId, version: version, referringBody: referringBody, body: body,
                writtenById: principal.recordedUserId, writtenAt: now)
            try report.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "supportCase", entityId: caseId, action: "report",
                detail: "version \(version)")
            return report
        }
    }

    /// A mentor logs a brief pastoral contact with a mentee.
    public func logPastoralContact(
        gpId: Int64, date: String?, topic: String?, signpostedTo: String?, by principal: Principal
    ) async throws -> PastoralContact {
        var errors = ValidationErrors()
        let day = Day((date ?? "").trimmingCharacters(in: .whitespaces))
        if day == nil { errors.add("date", "Give the date as YYYY-MM-DD") }
        let topic = topic?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if topic.isEmpty || topic.count > 200 { errors.add("topic", "Say briefly what it was about") }
        try errors.throwIfAny()
        let now = clock.now()
        return try await write { db in
            guard try FeedbackAccess.isMentorOfGP(db, principal, gpId: gpId) else {
                throw DomainError.forbidden("Only the GP's mentor logs pastoral contacts with them")
            }
            let signposted = signpostedTo?.trimmingCharacters(in: .whitespacesAndNewlines)
            var contact = PastoralContact(
                id: nil, gpId: gpId, mentorId: principal.userId, date: day!, topic: topic,
                signpostedTo: signposted?.isEmpty == false ? signposted : nil, createdAt: now)
            try contact.insert(db)
            return contact
        }
    }

    /// The mentor's own pastoral log.
    public func pastoralContacts(by principal: Principal) async throws -> [(contact: PastoralContact, gpName: String)] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.*, g.name AS gpName FROM pastoralContact p JOIN gp g ON g.id = p.gpId
                    WHERE p.mentorId = ? ORDER BY p.date DESC LIMIT 200
                    """, arguments: [principal.userId]
            )
            .map { (try PastoralContact(row: $0), $0["gpName"]) }
        }
    }

    /// The GPs this mentor mentors (who they may open cases for).
    public func mentees(by principal: Principal) async throws -> [(id: Int64, name: String)] {
        guard principal.holds(.mentor) else { return [] }
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT id, name FROM gp WHERE mentorId = ? AND status <> 'left' ORDER BY name",
                arguments: [principal.userId]
            )
            .map { (id: $0["id"], name: $0["name"]) }
        }
    }

    /// Educational supervisors of an organisation (for the plan's form).
    /// The organisation's educational supervisors, for a mentor naming one on a plan.
    public func educationalSupervisors(organisationId: Int64, by principal: Principal) async throws
        -> [(id: Int64, name: String)]
    {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.displayName FROM user u JOIN roleGrant g ON g.userId = u.id
                    WHERE g.role = 'educational-supervisor' AND g.organisationId = ? AND u.disabledAt IS NULL
                    ORDER BY u.displayName
                    """, arguments: [organisationId]
            )
            .map { (id: $0["id"], name: $0["displayName"]) }
        }
    }
}
