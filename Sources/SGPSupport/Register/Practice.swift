import Foundation
import GRDB

/// A GP practice of an organisation: the place sessions are worked.
public struct Practice: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var organisationId: Int64
    public var odsCode: String
    public var name: String
    public var locality: String
    public var address: String?
    public var postcode: String?
    public var phone: String?
    public var email: String?
    public var clinicalSystem: String?
    public var createdAt: Date
    public var updatedAt: Date?

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let organisationId = Column(CodingKeys.organisationId)
        public static let odsCode = Column(CodingKeys.odsCode)
        public static let name = Column(CodingKeys.name)
        public static let locality = Column(CodingKeys.locality)
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// Practice fields as sent; absent means "leave as it is". Decoded straight from API bodies.
public struct PracticeInput: Sendable, Equatable, Decodable {
    public var odsCode: String?
    public var name: String?
    public var locality: String?
    public var address: String?
    public var postcode: String?
    public var phone: String?
    public var email: String?
    public var clinicalSystem: String?

    public init() {}
}

/// What a visiting GP needs on the day at a practice.
public struct PracticePack: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var practiceId: Int64
    public var arrival: String
    public var systems: String
    public var contacts: String
    public var referrals: String
    public var protocols: String
    public var emergencies: String
    public var updatedAt: Date

    /// The sections in the order the pack shows them, with their headings.
    public static let sections: [(key: String, title: String, hint: String)] = [
        ("arrival", "Arrival and parking", "Where to park, which door, who to report to, key codes kept elsewhere."),
        ("systems", "Logins and clinical system", "Clinical system, how to get a login and smartcard access, printers."),
        ("contacts", "Who to ask for what", "Duty doctor, practice manager, nurse team, reception lead."),
        ("referrals", "Referral routes", "Two-week-wait, e-RS, local services, how urgent referrals are sent."),
        ("protocols", "Local protocols", "Prescribing formulary, repeat prescribing, test results, home visits."),
        ("emergencies", "Emergency arrangements", "Resuscitation equipment, panic alarms, fire exits, defibrillator."),
    ]
}

extension AppDatabase {
    func practice(id: Int64) async throws -> Practice? {
        try await read { db in try Practice.fetchOne(db, id: id) }
    }

    func practices(ids: [Int64]) async throws -> [Practice] {
        try await read { db in try Practice.filter(ids: ids).order(Practice.Columns.name).fetchAll(db) }
    }

    /// An organisation's practices by name, filtered by text and locality.
    func practices(organisationId: Int64, text: String? = nil, locality: String? = nil, page: PageRequest) async throws
        -> Page<Practice>
    {
        try await read { db in
            var request = Practice.filter(Practice.Columns.organisationId == organisationId).order(Practice.Columns.name)
            if let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                request = request.filter(Practice.Columns.name.like("%\(text)%") || Practice.Columns.odsCode.like("%\(text)%"))
            }
            if let locality, !locality.isEmpty { request = request.filter(Practice.Columns.locality == locality) }
            return try Page(request, page, db)
        }
    }

    public func createPractice(organisationId: Int64, _ input: PracticeInput, by principal: Principal) async throws -> Practice {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        let now = clock.now()
        return try await write { db in
            var practice = Practice(id: nil, organisationId: organisationId, odsCode: "", name: "", locality: "", createdAt: now)
            try Self.apply(input, to: &practice, db: db, creating: true)
            try practice.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "practice", entityId: practice.id, action: "create")
            return practice
        }
    }

    /// The liaison officer may change any field; the practice's manager its contact details.
    public func updatePractice(id: Int64, _ input: PracticeInput, by principal: Principal) async throws -> Practice {
        let now = clock.now()
        return try await write { db in
            guard var practice = try Practice.fetchOne(db, id: id) else { throw DomainError.notFound("No practice has that id") }
            var permitted = input
            if !AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId)) {
                guard principal.practiceIds.contains(id) else {
                    throw DomainError.forbidden("You do not have permission to change this practice")
                }
                permitted.odsCode = nil
                permitted.locality = nil
            }
            try Self.apply(permitted, to: &practice, db: db, creating: false)
            practice.updatedAt = now
            try practice.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "practice", entityId: id, action: "update")
            return practice
        }
    }

    static func apply(_ input: PracticeInput, to practice: inout Practice, db: Database, creating: Bool) throws {
        var errors = ValidationErrors()
        var updated = practice
        func text(_ raw: String?) -> String? { raw?.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let raw = text(input.odsCode) {
            if let ods = Validators.odsCode(raw) {
                if try Practice.filter(Practice.Columns.odsCode == ods && Practice.Columns.id != practice.id).fetchCount(db) > 0 {
                    errors.add("odsCode", "ODS code \(ods) is already used by another practice")
                }
                updated.odsCode = ods
            } else {
                errors.add("odsCode", "Enter the ODS code: a letter and 5 digits, like A81001")
            }
        } else if creating {
            errors.add("odsCode", "Enter the ODS code: a letter and 5 digits, like A81001")
        }
        if let name = text(input.name) {
            if name.isEmpty || name.count > 160 { errors.add("name", "Enter the practice's name") }
            updated.name = name
        } else if creating {
            errors.add("name", "Enter the practice's name")
        }
        if let locality = text(input.locality) {
            if locality.isEmpty || locality.count > 80 { errors.add("locality", "Enter the locality the practice is in") }
            updated.locality = locality
        } else if creating {
            errors.add("locality", "Enter the locality the practice is in")
        }
        if let address = text(input.address) { updated.address = address.isEmpty ? nil : address }
        if let postcode = Validators.optional(
            input.postcode, field: "postcode", message: Validators.postcodeMessage, into: &errors,
            normalise: Validators.ukPostcode)
        {
            updated.postcode = postcode
        }
        if let phone = Validators.optional(
            input.phone, field: "phone", message: Validators.phoneMessage, into: &errors, normalise: Validators.ukPhone)
        {
            updated.phone = phone
        }
        if let email = Validators.optional(
            input.email, field: "email", message: Validators.emailMessage, into: &errors, normalise: Validators.email)
        {
            updated.email = email
        }
        if let system = text(input.clinicalSystem) { updated.clinicalSystem = system.isEmpty ? nil : system }
        try errors.throwIfAny()
        practice = updated
    }

    /// The practice pack, or an empty one.
    func practicePack(practiceId: Int64) async throws -> PracticePack? {
        try await read { db in try PracticePack.fetchOne(db, key: practiceId) }
    }

    /// Saves the pack; the practice's manager or the liaison officer may edit it.
    public func savePracticePack(practiceId: Int64, sections: [String: String], by principal: Principal) async throws
        -> PracticePack
    {
        let now = clock.now()
        return try await write { db in
            guard let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.notFound("No practice has that id")
            }
            guard
                principal.practiceIds.contains(practiceId)
                    || AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId))
            else { throw DomainError.forbidden("You do not have permission to edit this practice pack") }
            var errors = ValidationErrors()
            for (key, value) in sections where value.count > 5000 {
                errors.add(key, "Keep each section under 5,000 characters")
            }
            try errors.throwIfAny()
            func value(_ key: String) -> String { sections[key]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
            let pack = PracticePack(
                practiceId: practiceId, arrival: value("arrival"), systems: value("systems"), contacts: value("contacts"),
                referrals: value("referrals"), protocols: value("protocols"), emergencies: value("emergencies"), updatedAt: now)
            try pack.save(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "practice", entityId: practiceId, action: "save-pack")
            return pack
        }
    }
}

/// A practice's wish about a GP: preferred, or not wanted (with a reason only the practice and the
/// support team see).
public struct PracticePreference: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case preferred
        case notWanted = "not-wanted"
    }

    public var practiceId: Int64
    public var gpId: Int64
    public var preference: Kind
    public var reason: String?
    public var createdAt: Date

    public enum Columns {
        public static let practiceId = Column(CodingKeys.practiceId)
        public static let gpId = Column(CodingKeys.gpId)
    }
}

extension AppDatabase {
    public func setPracticePreference(
        practiceId: Int64, gpId: Int64, preference: PracticePreference.Kind?, reason: String?, by principal: Principal
    ) async throws {
        let now = clock.now()
        try await write { db in
            guard let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.notFound("No practice has that id")
            }
            guard
                principal.practiceIds.contains(practiceId)
                    || AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId))
            else { throw DomainError.forbidden("You do not have permission to change this practice's GP preferences") }
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            // Only GPs who could work there are marked: the practice's own organisation's, or a
            // partner's. Clearing a mark is always allowed (an agreement may have ended since).
            let organisations = [practice.organisationId] + (try Self.partnerOrganisationIds(db, of: practice.organisationId))
            guard preference == nil || organisations.contains(gp.organisationId) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "gpId", message: "Choose a GP of this organisation or a partner organisation"))
            }
            if let preference {
                let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
                try PracticePreference(
                    practiceId: practiceId, gpId: gpId, preference: preference, reason: reason?.isEmpty == true ? nil : reason,
                    createdAt: now
                ).save(db)
            } else {
                _ = try PracticePreference.deleteOne(db, key: ["practiceId": practiceId, "gpId": gpId])
            }
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "practice", entityId: practiceId, action: "set-preference",
                detail: "gp \(gpId): \(preference?.rawValue ?? "none")")
        }
    }

    /// Finds a GP of an organisation by GMC number: for those who may see its register (its support
    /// team, its practices).
    public func gpId(gmcNumber: String, organisationId: Int64, by principal: Principal) async throws -> Int64? {
        guard
            principal.may(.superviseOrganisation(organisationId: organisationId))
                || principal.may(.viewGPSummary(organisationId: organisationId))
        else { throw DomainError.forbidden("You do not have permission to search this register") }
        return try await gpId(gmcNumber: gmcNumber, organisationId: organisationId)
    }

    func gpId(gmcNumber: String, organisationId: Int64) async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(
                db, sql: "SELECT id FROM gp WHERE registrationNumber = ? AND organisationId = ?",
                arguments: [gmcNumber.uppercased().filter { !$0.isWhitespace }, organisationId])
        }
    }

    func practicePreferences(practiceId: Int64) async throws -> [PracticePreference] {
        try await read { db in
            try PracticePreference.filter(PracticePreference.Columns.practiceId == practiceId).fetchAll(db)
        }
    }
}
