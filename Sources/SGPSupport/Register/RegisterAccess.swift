import Foundation
import GRDB

/// What a person may do with a GP's register entry: worked out once, here, for pages and JSON to read.
public enum GPCapability: String, Sendable, CaseIterable, Codable {
    /// The whole entry: contact details, check history, every reason they are not cleared.
    case seeEntry
    /// Change the entry (the GP only their own contact details, localities, skills and consent).
    case edit
    /// Change every field of the entry (the liaison officer).
    case editEverything
    case recordChecks
    /// Approve or decline an applicant.
    case decideApplication
    case downloadPersonalData
    /// Read the GP's evidence log (the GP, and their own mentor for what is shared).
    case seeEvidence
    /// See work restrictions from support cases.
    case seeWorkRestrictions
    /// Read the documents behind checks (the scans and photos of certificates): the GP, their
    /// liaison officer, an administrator. Not the mentor, who supports the GP rather than checks them.
    case seeDocuments
    /// Send a renewed credential's document for the liaison officer to verify (the GP themselves).
    case sendRenewal
    /// The GP's formal feedback rounds: the GP and their liaison officer (never the answers).
    case seeFeedbackRounds
}

/// A GP's register entry as one person may see it. People who get only the summary (practice
/// managers) get an entry holding just the name, GMC number, profession, skills and status, and
/// a clearance without its reasons: never contact details, check detail or "not wanted" reasons.
public struct GPEntryView: Sendable {
    public var gp: GP
    public var clearance: Clearance
    public var may: Set<GPCapability>

    public var isSummary: Bool { !may.contains(.seeEntry) }

    /// Refuses (403) unless the person may do this with the entry.
    public func require(_ capability: GPCapability) throws {
        guard may.contains(capability) else { throw DomainError.forbidden(capability.refusal) }
    }
}

extension GPCapability {
    /// What someone is told who may not.
    var refusal: String {
        switch self {
        case .seeEntry: "Only the GP and their organisation's support team see the whole entry"
        case .edit, .editEverything: "You do not have permission to change this entry"
        case .recordChecks: "Only the liaison officer records checks"
        case .decideApplication: "Only the liaison officer approves or declines applicants"
        case .downloadPersonalData: "Only the GP or their liaison officer may download this data"
        case .seeEvidence: "Evidence is the GP's own, shared only with their mentor"
        case .seeWorkRestrictions: "Work restrictions are for the support team"
        case .seeDocuments: "A GP's documents are for the GP and their liaison officer only"
        case .sendRenewal: "Only the GP sends their own renewals; the liaison officer records a check instead"
        case .seeFeedbackRounds: "A GP's feedback rounds are theirs and their liaison officer's"
        }
    }
}

/// In which capacity someone acts for an organisation, for routes that do not name one.
public enum OrganisationCapacity: Sendable {
    /// As its liaison officer.
    case liaisonOfficer
    /// As its support team (liaison officer, then mentor).
    case supportTeam
    /// Through any role (the support team first, then a practice or a GP's own organisation).
    case anyRole
}

extension Principal {
    /// The one answer to "which organisation does this person act for here": the one the request
    /// names, else the first in which they hold the capacity. Whether they may do the thing there is
    /// the operation's own question.
    public func organisationId(named asked: Int64?, as capacity: OrganisationCapacity) throws -> Int64 {
        if let asked { return asked }
        let team = organisationIds(as: .liaisonOfficer) + organisationIds(as: .mentor)
        let candidates: [Int64]
        switch capacity {
        case .liaisonOfficer: candidates = organisationIds(as: .liaisonOfficer)
        case .supportTeam: candidates = team
        case .anyRole: candidates = team + organisationIdsSeen
        }
        if let first = candidates.first { return first }
        if isAdministrator {
            throw DomainError.validationFailed(ValidationErrors(field: "organisationId", message: "Name the organisation"))
        }
        switch capacity {
        case .liaisonOfficer: throw DomainError.forbidden("Only the liaison officer can do this")
        case .supportTeam: throw DomainError.forbidden("This is for the support team")
        case .anyRole: throw DomainError.forbidden("You do not belong to an organisation")
        }
    }
}

extension GP {
    /// The summary a practice manager may see: name, registration number, profession, skills, status.
    var summaryOnly: GP {
        GP(
            id: id, organisationId: organisationId, name: name, registrationNumber: registrationNumber, profession: profession,
            kind: kind,
            status: status, skills: skills, createdAt: createdAt)
    }
}

extension AppDatabase {
    /// What the principal may do with this entry (empty when they may not see it at all).
    static func capabilities(_ principal: Principal, on gp: GP) -> Set<GPCapability> {
        let organisationId = gp.organisationId
        let isSubject = principal.gpId == gp.id
        let manages = AccessPolicy.permits(principal, .manageOrganisation(organisationId: organisationId))
        let supervises = AccessPolicy.permits(principal, .superviseOrganisation(organisationId: organisationId))
        var may: Set<GPCapability> = []
        if AccessPolicy.permits(principal, .viewGP(gpId: gp.id!, organisationId: organisationId)) { may.insert(.seeEntry) }
        if manages {
            may.formUnion([.edit, .editEverything, .recordChecks, .downloadPersonalData, .seeDocuments, .seeFeedbackRounds])
        }
        if manages && gp.status == .applicant { may.insert(.decideApplication) }
        if isSubject {
            may.formUnion([.edit, .downloadPersonalData, .seeEvidence, .seeDocuments, .sendRenewal, .seeFeedbackRounds])
        }
        if principal.organisationIds(as: .mentor).contains(organisationId) && gp.mentorId == principal.userId {
            may.insert(.seeEvidence)
        }
        if supervises { may.insert(.seeWorkRestrictions) }
        return may
    }

    /// The entry as the principal may see it, or nil when they may not see it at all.
    static func entryView(_ principal: Principal, gp: GP, clearance: Clearance) -> GPEntryView? {
        let may = capabilities(principal, on: gp)
        if may.contains(.seeEntry) { return GPEntryView(gp: gp, clearance: clearance, may: may) }
        // A practice sees the summary of the organisation's active GPs, not applicants or leavers.
        guard gp.status == .active, AccessPolicy.permits(principal, .viewGPSummary(organisationId: gp.organisationId))
        else { return nil }
        return GPEntryView(gp: gp.summaryOnly, clearance: Clearance(cleared: clearance.cleared, reasons: []), may: may)
    }

    /// A GP's entry as the principal may see it, with today's (or the asked date's) clearance.
    /// 404 when there is no such GP, 403 when the principal may not see them.
    public func gp(id: Int64, on day: Day? = nil, by principal: Principal) async throws -> GPEntryView {
        let day = day ?? clock.today
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: id) else { throw DomainError.notFound("No GP has that id") }
            let clearance = try Self.clearances(db, gps: [gp], on: day)[id]!
            guard let view = Self.entryView(principal, gp: gp, clearance: clearance) else {
                throw DomainError.forbidden("You do not have permission to see this GP")
            }
            return view
        }
    }

    /// The GP's own entry, for the person signed in as them (403 for anyone else).
    public func ownEntry(by principal: Principal) async throws -> GPEntryView {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("This is for GPs on the register") }
        return try await gp(id: gpId, by: principal)
    }

    /// The GP subscribes to the weekly mailshot, or withdraws (a GP's own setting).
    public func setOwnMailshotConsent(_ consent: Bool, by principal: Principal) async throws -> GP {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("The mailshot subscription is a GP's setting") }
        var input = GPInput()
        input.mailshotConsent = consent
        return try await updateGP(id: gpId, input, by: principal)
    }

    /// A GP's checks, newest first: for those who may see the whole entry.
    public func checks(gpId: Int64, by principal: Principal) async throws -> [CredentialCheck] {
        let view = try await gp(id: gpId, by: principal)
        guard view.may.contains(.seeEntry) else { throw DomainError.forbidden("Check detail is for the support team") }
        return try await checks(gpId: gpId)
    }

    /// Whether the GP is cleared on a day: every reason for those who may see the entry, only
    /// cleared or not for a practice.
    public func clearance(gpId: Int64, on day: Day, by principal: Principal) async throws -> Clearance {
        try await gp(id: gpId, on: day, by: principal).clearance
    }

    /// The register of an organisation as the principal may see it: in full for its support team;
    /// for its practices, active GPs only, found by name or GMC number (never by email), and never
    /// filtered by when their checks expire.
    public func gps(organisationId: Int64, filter: GPFilter, page: PageRequest, by principal: Principal) async throws
        -> Page<GPEntryView>
    {
        var filter = filter
        if !AccessPolicy.permits(principal, .superviseOrganisation(organisationId: organisationId)) {
            try AccessPolicy.require(principal, .viewGPSummary(organisationId: organisationId))
            if filter.checksExpiringWithinDays != nil {
                throw DomainError.forbidden("When checks expire is for the support team")
            }
            filter.status = .active
            filter.matchEmail = false
            // The summary hides where a GP works; filtering by it would tell.
            filter.locality = nil
        }
        let listings = try await gps(organisationId: organisationId, filter: filter, page: page)
        return Page(
            items: listings.items.compactMap { Self.entryView(principal, gp: $0.gp, clearance: $0.clearance) },
            total: listings.total, page: listings.page, perPage: listings.perPage)
    }

    /// Checks running out soon, for the organisation's support team (or one GP's own).
    public func expiringChecks(organisationId: Int64, gpId: Int64? = nil, withinDays: Int = 42, by principal: Principal)
        async throws -> [ExpiringCheck]
    {
        let ownOnly = gpId != nil && gpId == principal.gpId
        if !ownOnly { try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId)) }
        return try await expiringChecks(organisationId: organisationId, gpId: gpId, withinDays: withinDays)
    }

    /// The support team's overview of an organisation.
    public func overview(ofOrganisation organisationId: Int64, by principal: Principal) async throws -> OrganisationOverview {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        return try await overview(ofOrganisation: organisationId)
    }
}
