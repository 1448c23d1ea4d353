import Foundation

/// What a person's roles open to them: which parts of the service they work in, worked out here
/// once so that navigation, dashboards and pages read it instead of inspecting roles.
public struct Reach: Sendable, Equatable {
    /// An organisation this person supports, and whether as its liaison officer (else its mentor).
    public struct SupportedOrganisation: Sendable, Equatable {
        public var organisationId: Int64
        public var role: Role
        public var isLiaisonOfficer: Bool { role == .liaisonOfficer }
    }

    public var administers: Bool
    /// The register entry of the GP signed in, if they are one.
    public var ownGPId: Int64?
    /// The practices this person manages.
    public var practiceIds: [Int64]
    /// The organisations this person supports (liaison officer, mentor), in grant order.
    public var supportedOrganisations: [SupportedOrganisation]
    /// A mentor: holds a caseload, logs pastoral contacts, marks cards for appraisal.
    public var mentors: Bool
    public var supervisesEducation: Bool
    /// Works in or for at least one organisation (its mailshots, its news).
    public var worksInAnOrganisation: Bool

    public var isGP: Bool { ownGPId != nil }
    public var managesPractices: Bool { !practiceIds.isEmpty }
    public var isSupportTeam: Bool { !supportedOrganisations.isEmpty }
    /// The session board: practices and the support team (a GP's board is their work available).
    public var seesSessionBoard: Bool { managesPractices || isSupportTeam }
    /// Feedback cards: everyone who works in the scheme, not an administrator alone.
    public var seesFeedback: Bool { isGP || managesPractices || isSupportTeam || supervisesEducation }
    /// Support cases: the GP's own, the mentor's caseload, a supervisor's named cases.
    public var seesSupport: Bool { isGP || mentors || supervisesEducation }
}

extension Principal {
    public var reach: Reach {
        Reach(
            administers: isAdministrator, ownGPId: gpId, practiceIds: practiceIds,
            supportedOrganisations: grants.compactMap { grant in
                guard grant.role == .liaisonOfficer || grant.role == .mentor, let id = grant.organisationId else { return nil }
                return Reach.SupportedOrganisation(organisationId: id, role: grant.role)
            },
            mentors: holds(.mentor), supervisesEducation: holds(.educationalSupervisor),
            worksInAnOrganisation: !organisationIdsSeen.isEmpty)
    }

    /// Whether the access policy lets this person do this (for pages to show or hide an action).
    public func may(_ action: Action) -> Bool { AccessPolicy.permits(self, action) }
}
