import Foundation
import GRDB

/// What a person may do with a practice: worked out once, here, for pages and JSON to read.
public enum PracticeCapability: String, Sendable, CaseIterable, Codable {
    /// Change its contact details (its managers), or every field (the liaison officer).
    case edit
    case editEverything
    case editPack
    /// Read the practice pack (door codes, logins): the practice, its support team, and GPs booked there.
    case seePack
    /// Its preferred and not-wanted GPs, with the private reasons.
    case seePreferences
    case setPreferences
    /// Act as the practice itself: send a GP feedback on an admission, fill in its cards.
    case actAsPractice
    /// Its late cancellations on record (the last six months): its own people and its support team.
    case seeLateCancellations
}

/// A practice as one person may see it, with what they may do.
public struct PracticeView: Sendable {
    public var practice: Practice
    public var may: Set<PracticeCapability>

    /// Refuses (403) unless the person may do this with the practice.
    public func require(_ capability: PracticeCapability) throws {
        guard may.contains(capability) else {
            throw DomainError.forbidden(
                capability == .seePack
                    ? "The practice pack is for the practice, its support team and GPs booked there"
                    : "You do not have permission to do that for this practice")
        }
    }
}

/// A practice's wish about a GP, with the GP's name, for the practice and its support team.
public struct PracticePreferenceView: Sendable {
    public var preference: PracticePreference
    public var gpName: String
}

extension AppDatabase {
    static func capabilities(_ db: Database, _ principal: Principal, on practice: Practice) throws -> Set<PracticeCapability> {
        let own = principal.practiceIds.contains(practice.id!)
        let manages = AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId))
        let supervises = AccessPolicy.permits(principal, .superviseOrganisation(organisationId: practice.organisationId))
        var may: Set<PracticeCapability> = []
        if own || manages { may.formUnion([.edit, .editPack, .setPreferences]) }
        if own { may.insert(.actAsPractice) }
        if manages { may.insert(.editEverything) }
        if own || supervises { may.formUnion([.seePack, .seePreferences, .seeLateCancellations]) }
        if !may.contains(.seePack), let gpId = principal.gpId, try Self.isBooked(db, gpId: gpId, atPractice: practice.id!) {
            may.insert(.seePack)
        }
        return may
    }

    /// Whether the GP has a live booking at the practice (what opens its pack to them).
    static func isBooked(_ db: Database, gpId: Int64, atPractice practiceId: Int64) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                WHERE b.gpId = ? AND s.practiceId = ? AND b.status IN ('confirmed', 'completed'))
                """,
            arguments: [gpId, practiceId]) ?? false
    }

    /// A practice as the principal may see it: 404 when there is none, 403 when they may not.
    public func practice(id: Int64, by principal: Principal) async throws -> PracticeView {
        try await read { db in
            guard let practice = try Practice.fetchOne(db, id: id) else { throw DomainError.notFound("No practice has that id") }
            try AccessPolicy.require(principal, .viewPractice(practiceId: id, organisationId: practice.organisationId))
            return PracticeView(practice: practice, may: try Self.capabilities(db, principal, on: practice))
        }
    }

    /// The practices the person manages, by name.
    public func ownPractices(by principal: Principal) async throws -> [Practice] {
        try await practices(ids: principal.practiceIds)
    }

    /// The practices a person works with: for the support team (and administrators) an
    /// organisation's, filtered by text and locality; for anyone else the practices they manage.
    public func practices(
        organisationId named: Int64?, text: String? = nil, locality: String? = nil, page: PageRequest, by principal: Principal
    ) async throws -> Page<Practice> {
        let team = principal.organisationIds(as: .liaisonOfficer) + principal.organisationIds(as: .mentor)
        guard !team.isEmpty || principal.isAdministrator else {
            let own = try await ownPractices(by: principal)
            return Page(items: own, total: own.count, page: 1, perPage: max(own.count, 1))
        }
        let organisationId = try principal.organisationId(named: named, as: .supportTeam)
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        return try await practices(organisationId: organisationId, text: text, locality: locality, page: page)
    }

    /// The practice pack, or nil when none is written: for the practice, its support team and GPs booked there.
    public func practicePack(practiceId: Int64, by principal: Principal) async throws -> PracticePack? {
        try await read { db in
            guard let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.notFound("No practice has that id")
            }
            guard try Self.capabilities(db, principal, on: practice).contains(.seePack) else {
                throw DomainError.forbidden("The practice pack is for the practice, its support team and GPs booked there")
            }
            return try PracticePack.fetchOne(db, key: practiceId)
        }
    }

    /// Who a preference is about, as the form or the API names them.
    public enum PreferenceSubject: Sendable {
        case gpId(Int64)
        case gmcNumber(String)
        /// As a form's choice gives it: nil when none was chosen.
        case chosen(Int64?)
    }

    /// Sets or clears a practice's preference from what a form or the API sent: who asks is settled
    /// first, then the GP (of the practice's organisation) and the choice (`preferred`, `not-wanted`,
    /// or `none` to clear).
    public func setPracticePreference(
        practiceId: Int64, about subject: PreferenceSubject, choice: String?, reason: String?, by principal: Principal
    ) async throws -> PracticePreference.Kind? {
        let view = try await practice(id: practiceId, by: principal)
        guard view.may.contains(.setPreferences) else {
            throw DomainError.forbidden("You do not have permission to change this practice's GP preferences")
        }
        var errors = ValidationErrors()
        var gpId: Int64?
        switch subject {
        case .gpId(let id): gpId = id
        case .gmcNumber(let number):
            gpId = try await self.gpId(gmcNumber: number, organisationId: view.practice.organisationId)
            if gpId == nil { errors.add("gmcNumber", "No GP of this organisation has that GMC number") }
        case .chosen(let id):
            gpId = id
            if id == nil { errors.add("gpId", "Choose the GP") }
        }
        let preference = PracticePreference.Kind.named(choice ?? "")
        if preference == nil && choice != "none" {
            errors.add("preference", "Choose \(PracticePreference.Kind.titlesInWords.lowercased()) or no preference")
        }
        try errors.throwIfAny()
        try await setPracticePreference(
            practiceId: practiceId, gpId: gpId!, preference: preference, reason: reason, by: principal)
        return preference
    }

    /// A person a practice may name on its forms (a preference, an arrangement): chosen by name,
    /// told apart by their registration number, never by typing the number.
    public struct NameableGP: Sendable, Equatable {
        public var id: Int64
        public var name: String
        /// "Dr Zara Yardley (GMC number 1111111)".
        public var label: String
    }

    /// The active GPs a practice may name: its own organisation's and its partners', by name; only
    /// what the register summary shows, for those who may act for the practice.
    public func nameableGPs(practiceId: Int64, by principal: Principal) async throws -> [NameableGP] {
        try await read { db in
            guard let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.notFound("No practice has that id")
            }
            let may = try Self.capabilities(db, principal, on: practice)
            guard may.contains(.setPreferences) || may.contains(.actAsPractice) else {
                throw DomainError.forbidden("Only the practice and its support team name GPs for it")
            }
            let organisations = [practice.organisationId] + (try Self.partnerOrganisationIds(db, of: practice.organisationId))
            return try GP.filter(
                organisations.contains(GP.Columns.organisationId) && GP.Columns.status == GP.Status.active.rawValue
            )
            .order(GP.Columns.name).fetchAll(db)
            .map {
                NameableGP(
                    id: $0.id!, name: $0.name, label: "\($0.name) (\($0.registrationNumberName) \($0.registrationNumber))")
            }
        }
    }

    /// The practice's preferred and not-wanted GPs, with the private reasons: the practice's and its support team's.
    public func practicePreferences(practiceId: Int64, by principal: Principal) async throws -> [PracticePreferenceView] {
        try await read { db in
            guard let practice = try Practice.fetchOne(db, id: practiceId) else {
                throw DomainError.notFound("No practice has that id")
            }
            guard try Self.capabilities(db, principal, on: practice).contains(.seePreferences) else {
                throw DomainError.forbidden("Preferences are private to the practice and the support team")
            }
            let preferences = try PracticePreference.filter(PracticePreference.Columns.practiceId == practiceId).fetchAll(db)
            return try preferences.map { preference in
                let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [preference.gpId])
                return PracticePreferenceView(preference: preference, gpName: name ?? "GP \(preference.gpId)")
            }
        }
    }
}
