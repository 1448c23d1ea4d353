import Foundation
import GRDB

/// A sessional GP's register entry.
public struct GP: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case freelance, salaried, retainer, returner
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case applicant, active, suspended, left
    }

    public enum Profession: String, Codable, Sendable, CaseIterable {
        case gp, nurse, pharmacist
    }

    public static let databaseTableName = "gp"

    public var id: Int64?
    public var organisationId: Int64
    public var name: String
    /// The regulator's number by profession: GMC reference number (doctors), NMC PIN (nurses),
    /// GPhC registration number (pharmacists).
    public var registrationNumber: String
    public var profession: Profession
    public var kind: Kind
    public var status: Status
    public var mentorId: Int64?
    public var email: String?
    public var phone: String?
    public var postcode: String?
    public var localities: [String] = []
    public var skills: [String] = []
    public var maxSessionsPerWeek: Int?
    public var usualRatePence: Int?
    public var appraisalMonth: Int?
    public var lastAppraisalOn: Day?
    public var revalidationDueOn: Day?
    public var mailshotConsent: Bool = false
    public var mailshotConsentAt: Date?
    public var applicationNote: String?
    public var declineReason: String?
    public var createdAt: Date
    public var updatedAt: Date?

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let organisationId = Column(CodingKeys.organisationId)
        public static let status = Column(CodingKeys.status)
        public static let name = Column(CodingKeys.name)
        public static let registrationNumber = Column(CodingKeys.registrationNumber)
        public static let profession = Column(CodingKeys.profession)
        public static let email = Column(CodingKeys.email)
        public static let mailshotConsent = Column(CodingKeys.mailshotConsent)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// What the number is called for this person's profession.
    public var registrationNumberName: String { profession.registrationNumberName }
}

extension GP.Profession {
    /// "GMC number", "NMC PIN", "GPhC number".
    public var registrationNumberName: String {
        switch self {
        case .gp: "GMC number"
        case .nurse: "NMC PIN"
        case .pharmacist: "GPhC number"
        }
    }

    /// The profession inside a sentence: "a GP", "a nurse".
    public var inSentence: String { self == .gp ? title : title.lowercased() }

    /// The regulator's check every person of this profession needs.
    public var regulatorCheck: String {
        switch self {
        case .gp: "gmc-registration"
        case .nurse: "nmc-registration"
        case .pharmacist: "gphc-registration"
        }
    }

    /// What to type, said to the person filling in the form.
    var registrationNumberFormat: String {
        switch self {
        case .gp: "Enter the GMC reference number: exactly 7 digits, like 1234567"
        case .nurse: "Enter the NMC PIN: 2 digits, a letter, 4 digits and a letter, like 12A3456E"
        case .pharmacist: "Enter the GPhC registration number: exactly 7 digits, like 2012345"
        }
    }
}

/// Register fields as a caller sends them: every field optional (absent means "leave as it is"),
/// strings as typed. The rules decide which fields each person may set. Decoded straight from API
/// bodies: any other field a client sends is ignored.
public struct GPInput: Sendable, Equatable, Decodable {
    public var name: String?
    /// The GMC number, NMC PIN or GPhC number, by profession.
    public var registrationNumber: String?
    /// Accepted for any profession, as clients have sent it: a non-doctor's is their registration number.
    public var gmcNumber: String?
    public var profession: String?
    public var kind: String?
    public var status: String?
    public var mentorId: Int64?
    public var email: String?
    public var phone: String?
    public var postcode: String?
    public var localities: [String]?
    public var skills: [String]?
    public var maxSessionsPerWeek: Int?
    public var usualRate: Double?
    public var appraisalMonth: Int?
    public var lastAppraisalOn: String?
    public var revalidationDueOn: String?
    public var mailshotConsent: Bool?
    public var applicationNote: String?

    public init() {}

    /// Only the fields a GP may change on their own entry: contact details, localities, skills, consent.
    var selfServiceFields: GPInput {
        var allowed = GPInput()
        allowed.email = email
        allowed.phone = phone
        allowed.postcode = postcode
        allowed.localities = localities
        allowed.skills = skills
        allowed.mailshotConsent = mailshotConsent
        return allowed
    }
}

/// Filters for the register list.
public struct GPFilter: Sendable, Equatable {
    public var text: String?
    public var status: GP.Status?
    public var skill: String?
    public var locality: String?
    public var clearedOn: Day?
    /// Only those not cleared to work on this day (each with every reason).
    public var notClearedOn: Day?
    public var checksExpiringWithinDays: Int?
    /// Whether `text` also matches email addresses (only for those who may see them).
    var matchEmail = true

    public init(
        text: String? = nil, status: GP.Status? = nil, skill: String? = nil, locality: String? = nil, clearedOn: Day? = nil,
        checksExpiringWithinDays: Int? = nil, notClearedOn: Day? = nil
    ) {
        self.text = text
        self.status = status
        self.skill = skill
        self.locality = locality
        self.clearedOn = clearedOn
        self.checksExpiringWithinDays = checksExpiringWithinDays
        self.notClearedOn = notClearedOn
    }
}

/// A register entry with today's clearance, as lists show it.
public struct GPListing: Sendable {
    public var gp: GP
    public var clearance: Clearance

    public init(gp: GP, clearance: Clearance) {
        self.gp = gp
        self.clearance = clearance
    }
}

extension AppDatabase {
    func gp(id: Int64) async throws -> GP? {
        try await read { db in try GP.fetchOne(db, id: id) }
    }

    /// Adds a GP to an organisation's register (the liaison officer's form, the API, the import).
    public func createGP(organisationId: Int64, _ input: GPInput, by principal: Principal) async throws -> GP {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            var gp = GP(
                id: nil, organisationId: organisationId, name: "", registrationNumber: "", profession: .gp, kind: .freelance,
                status: .active, createdAt: now)
            try Self.apply(input, to: &gp, db: db, now: now, today: today, creating: true)
            try gp.insert(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gp.id, action: "create")
            return gp
        }
    }

    /// Changes a register entry. The liaison officer may change any field; the GP only their
    /// contact details, localities, skills and consent (other fields they send are ignored).
    public func updateGP(id: Int64, _ input: GPInput, by principal: Principal) async throws -> GP {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            guard var gp = try GP.fetchOne(db, id: id) else { throw DomainError.notFound("No GP has that id") }
            let permitted: GPInput
            if AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId)) {
                permitted = input
            } else if principal.gpId == id {
                permitted = input.selfServiceFields
            } else {
                throw DomainError.forbidden("You do not have permission to change this register entry")
            }
            try Self.apply(permitted, to: &gp, db: db, now: now, today: today, creating: false)
            gp.updatedAt = now
            try gp.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: id, action: "update")
            return gp
        }
    }

    /// Validates every present field, then applies them all or none.
    static func apply(_ input: GPInput, to gp: inout GP, db: Database, now: Date, today: Day, creating: Bool) throws {
        var errors = ValidationErrors()
        var updated = gp
        func text(_ raw: String?) -> String? { raw?.trimmingCharacters(in: .whitespacesAndNewlines) }

        if let name = text(input.name) {
            if name.isEmpty || name.count > 120 { errors.add("name", "Enter the GP's full name (up to 120 characters)") }
            updated.name = name
        } else if creating {
            errors.add("name", "Enter the GP's full name")
        }
        if let raw = text(input.profession), !raw.isEmpty {
            if let profession = GP.Profession.named(raw) {
                updated.profession = profession
            } else {
                errors.add("profession", "Choose the profession: \(GP.Profession.titlesInWords)")
            }
        }
        // The number is checked against the profession it is for, when either is being set: an entry
        // changed only in its email keeps the number it has.
        let number = text(input.registrationNumber) ?? text(input.gmcNumber)
        // A problem is told under the name the caller used; the old name only when only it was sent.
        let numberField = input.gmcNumber != nil && input.registrationNumber == nil ? "gmcNumber" : "registrationNumber"
        if let raw = number ?? (text(input.profession) != nil && !creating ? updated.registrationNumber : nil) {
            if let normalised = Validators.registrationNumber(raw, profession: updated.profession) {
                let clash = try GP.filter(
                    GP.Columns.registrationNumber == normalised && GP.Columns.profession == updated.profession.rawValue
                        && GP.Columns.id != gp.id
                ).fetchOne(db)
                if clash != nil {
                    errors.add(
                        numberField, "\(updated.profession.registrationNumberName) \(normalised) is already on the register")
                }
                updated.registrationNumber = normalised
            } else {
                errors.add(numberField, updated.profession.registrationNumberFormat)
            }
        } else if creating {
            errors.add(numberField, updated.profession.registrationNumberFormat)
        }
        if let raw = text(input.kind), !raw.isEmpty {
            if let kind = GP.Kind.named(raw) {
                updated.kind = kind
            } else {
                errors.add("kind", "Choose how they work: \(GP.Kind.titlesInWords)")
            }
        }
        if let raw = text(input.status), !raw.isEmpty {
            if let status = GP.Status.named(raw) {
                updated.status = status
            } else {
                errors.add("status", "Choose the register status: \(GP.Status.titlesInWords)")
            }
        }
        if let mentorId = input.mentorId {
            let isMentor =
                try RoleGrant
                .filter(RoleGrant.Columns.userId == mentorId && RoleGrant.Columns.role == Role.mentor)
                .filter(Column("organisationId") == gp.organisationId)
                .fetchCount(db) > 0
            if isMentor { updated.mentorId = mentorId } else { errors.add("mentorId", "Choose a mentor of this organisation") }
        }
        if let email = Validators.optional(
            input.email, field: "email", message: Validators.emailMessage, into: &errors, normalise: Validators.email)
        {
            updated.email = email
        }
        if let phone = Validators.optional(
            input.phone, field: "phone", message: Validators.phoneMessage, into: &errors, normalise: Validators.ukPhone)
        {
            updated.phone = phone
        }
        if let postcode = Validators.optional(
            input.postcode, field: "postcode", message: Validators.postcodeMessage, into: &errors,
            normalise: Validators.ukPostcode)
        {
            updated.postcode = postcode
        }
        if let localities = input.localities {
            let known = try Self.localities(db, organisationId: gp.organisationId)
            let wanted = Self.cleanList(localities)
            let unknown = wanted.filter { !known.contains($0) }
            if unknown.isEmpty {
                updated.localities = wanted
            } else {
                errors.add(
                    "localities",
                    "Unknown localities: \(unknown.joined(separator: ", ")). Choose from: \(known.joined(separator: ", "))")
            }
        }
        if let skills = input.skills {
            let known = try String.fetchAll(
                db, sql: "SELECT code FROM organisationSkill WHERE organisationId = ?", arguments: [gp.organisationId])
            let wanted = Self.cleanList(skills)
            let unknown = wanted.filter { !known.contains($0) }
            if unknown.isEmpty {
                updated.skills = wanted
            } else {
                errors.add(
                    "skills",
                    "Unknown skills: \(unknown.joined(separator: ", ")). Choose from: \(known.sorted().joined(separator: ", "))")
            }
        }
        if let cap = input.maxSessionsPerWeek {
            if (1...14).contains(cap) {
                updated.maxSessionsPerWeek = cap
            } else {
                errors.add("maxSessionsPerWeek", "Enter a number of sessions a week from 1 to 14")
            }
        }
        if let rate = input.usualRate {
            if rate > 0, rate < 10_000 {
                updated.usualRatePence = Int((rate * 100).rounded())
            } else {
                errors.add("usualRate", "Enter the usual rate per session in pounds, more than 0")
            }
        }
        if let month = input.appraisalMonth {
            if (1...12).contains(month) {
                updated.appraisalMonth = month
            } else {
                errors.add("appraisalMonth", "Enter the appraisal month as a number from 1 (January) to 12 (December)")
            }
        }
        if let raw = text(input.lastAppraisalOn) {
            if raw.isEmpty {
                updated.lastAppraisalOn = nil
            } else if let day = Day(raw) {
                if day > today { errors.add("lastAppraisalOn", "The last appraisal cannot be in the future") }
                updated.lastAppraisalOn = day
            } else {
                errors.add("lastAppraisalOn", "Enter a real date as YYYY-MM-DD, like 2026-03-14")
            }
        }
        if let raw = text(input.revalidationDueOn) {
            if raw.isEmpty {
                updated.revalidationDueOn = nil
            } else if let day = Day(raw) {
                updated.revalidationDueOn = day
            } else {
                errors.add("revalidationDueOn", "Enter a real date as YYYY-MM-DD, like 2029-06-30")
            }
        }
        if let consent = input.mailshotConsent, consent != updated.mailshotConsent {
            // Explicit opt-in, with its date; withdrawing clears it.
            updated.mailshotConsent = consent
            updated.mailshotConsentAt = consent ? now : nil
        }
        if let note = text(input.applicationNote) {
            if note.count > 2000 { errors.add("applicationNote", "Keep the message under 2,000 characters") }
            updated.applicationNote = note.isEmpty ? nil : note
        }
        try errors.throwIfAny()
        gp = updated
    }

    static func cleanList(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The register of an organisation, filtered, with today's (or the asked date's) clearance.
    func gps(organisationId: Int64, filter: GPFilter, page: PageRequest) async throws -> Page<GPListing> {
        let today = clock.today
        return try await read { db in
            var request = GP.filter(GP.Columns.organisationId == organisationId)
            if let status = filter.status { request = request.filter(GP.Columns.status == status.rawValue) }
            if let skill = filter.skill, !skill.isEmpty {
                request = request.filter(sql: "EXISTS (SELECT 1 FROM json_each(gp.skills) WHERE value = ?)", arguments: [skill])
            }
            if let locality = filter.locality, !locality.isEmpty {
                request = request.filter(
                    sql: "EXISTS (SELECT 1 FROM json_each(gp.localities) WHERE value = ?)", arguments: [locality])
            }
            if let days = filter.checksExpiringWithinDays {
                request = request.filter(
                    sql: """
                        EXISTS (SELECT 1 FROM credentialCheck c
                                JOIN (\(CredentialCheck.countingRows())) l ON l.id = c.id
                                WHERE c.gpId = gp.id AND c.status = 'verified' AND c.expiresOn >= ? AND c.expiresOn <= ?)
                        """,
                    arguments: [today, today.adding(days: days)])
            }
            var gps = try request.order(GP.Columns.name).fetchAll(db)
            if let text = filter.text, let search = NameSearch(text) {
                gps = gps.filter { search.matches($0, includingEmail: filter.matchEmail) }
            }
            let day = filter.clearedOn ?? filter.notClearedOn ?? today
            let clearances = try Self.clearances(db, gps: gps, on: day)
            var listings = gps.map { GPListing(gp: $0, clearance: clearances[$0.id!]!) }
            if filter.clearedOn != nil { listings = listings.filter(\.clearance.cleared) }
            if filter.notClearedOn != nil { listings = listings.filter { !$0.clearance.cleared } }
            let slice = listings.dropFirst(page.offset).prefix(page.perPage)
            return Page(items: Array(slice), total: listings.count, page: page.page, perPage: page.perPage)
        }
    }
}

/// A register search as people type it: whole or partial names in any order, ignoring case and
/// accents ("zara yardley", "Yardley Z", "sian" finds Siân), or a registration number or email.
/// Matched in Swift: SQLite's LIKE folds neither accents nor non-ASCII case.
struct NameSearch {
    let words: [String]

    init?(_ text: String) {
        words = Self.fold(text).split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
        if words.isEmpty { return nil }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    func matches(_ gp: GP, includingEmail: Bool) -> Bool {
        let name = Self.fold(gp.name)
        let number = Self.fold(gp.registrationNumber)
        let email = includingEmail ? Self.fold(gp.email ?? "") : ""
        return words.allSatisfy { word in
            name.contains(word) || number.contains(word) || (includingEmail && email.contains(word))
        }
    }
}
