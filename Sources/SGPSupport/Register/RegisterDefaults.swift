import GRDB

/// The lists a new organisation starts with; its liaison officer can change them afterwards.
enum RegisterDefaults {
    static let skills: [(code: String, name: String)] = [
        ("minor-surgery", "Minor surgery"),
        ("coil-fitting", "Coil fitting"),
        ("implant-fitting", "Contraceptive implant fitting"),
        ("joint-injections", "Joint injections"),
        ("child-health-surveillance", "Child health surveillance"),
        ("out-of-hours", "Out-of-hours"),
        ("telephone-triage", "Telephone triage"),
        ("home-visits", "Home visits"),
    ]

    /// Each type with the professions it applies to: the regulator's check is each profession's own.
    static let checkTypes: [(code: String, name: String, professions: String)] = [
        ("gmc-registration", "GMC registration with licence to practise", "gp"),
        ("nmc-registration", "NMC registration (PIN)", "nurse"),
        ("gphc-registration", "GPhC registration", "pharmacist"),
        ("performers-list", "National Performers List", "gp"),
        ("indemnity", "Medical indemnity", everyProfession),
        ("dbs", "DBS check", everyProfession),
        ("hepatitis-b", "Hepatitis B immunity", everyProfession),
        ("right-to-work", "Right to work", everyProfession),
        ("references", "Two references", everyProfession),
        ("appraisal", "Appraisal in date", everyProfession),
    ]

    /// The default check codes that apply to a profession.
    static func checkCodes(for profession: GP.Profession) -> [String] {
        checkTypes.filter { $0.professions.split(separator: " ").contains { $0 == profession.rawValue } }.map(\.code)
    }

    static let everyProfession = GP.Profession.allCases.map(\.rawValue).joined(separator: " ")

    /// The lists as v2 gave organisations that existed then: a released migration keeps doing what
    /// it did, whatever today's lists are (later migrations bring those organisations up to date).
    static func installAsOfV2(_ db: Database, organisationId: Int64) throws {
        for skill in skills {
            try db.execute(
                sql: "INSERT OR IGNORE INTO organisationSkill (organisationId, code, name) VALUES (?, ?, ?)",
                arguments: [organisationId, skill.code, skill.name])
        }
        let v2Types = checkTypes.filter { !["nmc-registration", "gphc-registration"].contains($0.code) }
        for (position, type) in v2Types.enumerated() {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO checkType (organisationId, code, name, requiredBeforeWork, position)
                    VALUES (?, ?, ?, 1, ?)
                    """,
                arguments: [organisationId, type.code, type.name, position])
        }
    }

    static func install(_ db: Database, organisationId: Int64) throws {
        // The late-payment base rate starts as the latest entered anywhere (issue 22).
        try AppDatabase.installBaseRate(db, organisationId: organisationId)
        for skill in skills {
            try db.execute(
                sql: "INSERT OR IGNORE INTO organisationSkill (organisationId, code, name) VALUES (?, ?, ?)",
                arguments: [organisationId, skill.code, skill.name])
        }
        for (position, type) in checkTypes.enumerated() {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO checkType (organisationId, code, name, requiredBeforeWork, position, professions)
                    VALUES (?, ?, ?, 1, ?, ?)
                    """,
                arguments: [organisationId, type.code, type.name, position, type.professions])
        }
    }
}

/// A kind of credential check an organisation asks of its GPs.
public struct CheckType: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var organisationId: Int64
    public var code: String
    public var name: String
    public var requiredBeforeWork: Bool
    public var position: Int
    /// The professions it applies to, as codes separated by spaces ("gp", "gp nurse pharmacist").
    public var professions: String

    public func applies(to profession: GP.Profession) -> Bool {
        // Asked for every check of every GP weighed, thousands a request: compared in place, not split.
        let text = professions.utf8
        let code = profession.rawValue.utf8
        var start = text.startIndex
        while start < text.endIndex {
            let end = text[start...].firstIndex(of: UInt8(ascii: " ")) ?? text.endIndex
            if text[start..<end].elementsEqual(code) { return true }
            start = end < text.endIndex ? text.index(after: end) : end
        }
        return false
    }

    public enum Columns {
        public static let organisationId = Column(CodingKeys.organisationId)
        public static let position = Column(CodingKeys.position)
    }
}

/// A skill on an organisation's list ("minor-surgery": "Minor surgery").
public struct Skill: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "organisationSkill"
    public var organisationId: Int64
    public var code: String
    public var name: String

    public enum Columns {
        public static let organisationId = Column(CodingKeys.organisationId)
    }
}

extension AppDatabase {
    public func checkTypes(organisationId: Int64) async throws -> [CheckType] {
        try await read { db in
            try CheckType.filter(CheckType.Columns.organisationId == organisationId).order(CheckType.Columns.position).fetchAll(
                db)
        }
    }

    public func skills(organisationId: Int64) async throws -> [Skill] {
        try await read { db in
            try Skill.filter(Skill.Columns.organisationId == organisationId).order(Column("name")).fetchAll(db)
        }
    }

    /// The mentors of an organisation (user id and name), for choosing a GP's mentor.
    /// The organisation's mentors, for the liaison officer's choice of a GP's mentor.
    public func mentors(organisationId: Int64, by principal: Principal) async throws -> [(id: Int64, name: String)] {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, u.displayName FROM user u JOIN roleGrant g ON g.userId = u.id
                    WHERE g.role = 'mentor' AND g.organisationId = ? AND u.disabledAt IS NULL ORDER BY u.displayName
                    """,
                arguments: [organisationId]
            ).map { ($0["id"], $0["displayName"]) }
        }
    }

    /// The organisation's localities: those its practices are in.
    public func localities(organisationId: Int64) async throws -> [String] {
        try await read { db in try Self.localities(db, organisationId: organisationId) }
    }

    static func localities(_ db: Database, organisationId: Int64) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT locality FROM practice WHERE organisationId = ? ORDER BY locality",
            arguments: [organisationId])
    }

    /// Marks which check types must be verified before a GP may work (the liaison officer's choice).
    public func setCheckTypeRequired(organisationId: Int64, code: String, required: Bool?, by principal: Principal) async throws
        -> CheckType
    {
        guard let required else {
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
            throw DomainError.validationFailed(ValidationErrors(field: "requiredBeforeWork", message: "Send true or false"))
        }
        return try await setCheckType(organisationId: organisationId, code: code, required: required, by: principal)
    }

    /// Changes whether a check type is required before work and which professions it applies to
    /// (codes: gp, nurse, pharmacist; at least one); what is not sent stays as it is.
    public func setCheckType(
        organisationId: Int64, code: String, required: Bool? = nil, professions: [String]? = nil, by principal: Principal
    ) async throws -> CheckType {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        var chosen: [GP.Profession]?
        if let professions {
            let named = professions.map { GP.Profession.named($0) }
            guard !named.isEmpty, !named.contains(where: { $0 == nil }) else {
                throw DomainError.validationFailed(
                    ValidationErrors(
                        field: "professions", message: "Name one or more professions: \(GP.Profession.titlesInWords)"))
            }
            chosen = named.compactMap { $0 }
        }
        let now = clock.now()
        let professionsChosen = chosen
        return try await write { db in
            guard var type = try CheckType.fetchOne(db, key: ["organisationId": organisationId, "code": code]) else {
                throw DomainError.notFound("No check type \(code)")
            }
            if let required { type.requiredBeforeWork = required }
            if let chosen = professionsChosen {
                // Kept in the domain's order, so the same choice is stored the same way.
                type.professions = GP.Profession.allCases.filter(chosen.contains).map(\.rawValue).joined(separator: " ")
            }
            try type.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId,
                action: "set-check-type",
                detail: "\(code): required=\(type.requiredBeforeWork) professions=\(type.professions)")
            return type
        }
    }

    /// How many months an appraisal counts for, from the day it took place (1 to 36; 15 by default).
    public func setAppraisalValidityMonths(organisationId: Int64, months: Int?, by principal: Principal) async throws {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        guard let months, (1...36).contains(months) else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "appraisalValidityMonths", message: "Enter a number of months from 1 to 36, like 15"))
        }
        let now = clock.now()
        try await write { db in
            try db.execute(
                sql: "UPDATE organisation SET appraisalValidityMonths = ? WHERE id = ?", arguments: [months, organisationId])
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId,
                action: "set-appraisal-months", detail: "\(months)")
        }
    }

    /// Adds a skill to the organisation's list (the liaison officer), e.g. `dermoscopy`, "Dermoscopy".
    public func addSkill(organisationId: Int64, code: String, name: String, by principal: Principal) async throws -> Skill {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        var errors = ValidationErrors()
        let code = code.trimmingCharacters(in: .whitespaces).lowercased()
        let name = name.trimmingCharacters(in: .whitespaces)
        if code.range(of: #"^[a-z0-9]+(-[a-z0-9]+)*$"#, options: .regularExpression) == nil || code.count > 40 {
            errors.add("code", "Enter a short code of lower-case letters, digits and hyphens, like dermoscopy or ecg-reading")
        }
        if name.isEmpty || name.count > 80 { errors.add("name", "Enter the skill's name as people will read it") }
        try errors.throwIfAny()
        let now = clock.now()
        return try await write { db in
            if try Skill.fetchOne(db, key: ["organisationId": organisationId, "code": code]) != nil {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "code", message: "The skill \(code) is already on the list"))
            }
            let skill = Skill(organisationId: organisationId, code: code, name: name)
            try skill.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId, action: "add-skill",
                detail: code)
            return skill
        }
    }
}
