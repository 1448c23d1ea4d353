/// Something a person may try to do, named with what it is done to.
public enum Action: Sendable, Equatable {
    /// Manage organisations and users across the service.
    case administer
    /// See an organisation's name and code: anyone who works in or for it.
    case viewOrganisation(organisationId: Int64)
    /// See an organisation's support-team overview (its GPs and practices in full).
    case superviseOrganisation(organisationId: Int64)
    /// Change what an organisation's support team runs (the liaison officer's work).
    case manageOrganisation(organisationId: Int64)
    case viewPractice(practiceId: Int64, organisationId: Int64)
    /// See a GP's entry in full (check history, contact details).
    case viewGP(gpId: Int64, organisationId: Int64)
    /// See the summary practices get: name, GMC number, profession, skills, cleared to work.
    case viewGPSummary(organisationId: Int64)
}

/// The one answer to "may this person do this to that?". Every route asks it; nothing else decides.
public enum AccessPolicy {
    public static func permits(_ principal: Principal, _ action: Action) -> Bool {
        if principal.isAdministrator { return true }
        switch action {
        case .administer:
            return false
        case .viewOrganisation(let organisationId):
            return principal.organisationIdsSeen.contains(organisationId)
        case .superviseOrganisation(let organisationId):
            return isSupportTeam(principal, of: organisationId)
        case .manageOrganisation(let organisationId):
            return principal.organisationIds(as: .liaisonOfficer).contains(organisationId)
        case .viewPractice(let practiceId, let organisationId):
            return isSupportTeam(principal, of: organisationId) || principal.practiceIds.contains(practiceId)
        case .viewGP(let gpId, let organisationId):
            return isSupportTeam(principal, of: organisationId) || principal.gpId == gpId
        case .viewGPSummary(let organisationId):
            return isSupportTeam(principal, of: organisationId)
                || principal.grants.contains { $0.role == .practiceManager && $0.owningOrganisationId == organisationId }
        }
    }

    /// Throws `DomainError.forbidden` unless the action is permitted.
    public static func require(_ principal: Principal, _ action: Action) throws {
        guard permits(principal, action) else {
            throw DomainError.forbidden("You do not have permission to do that")
        }
    }

    private static func isSupportTeam(_ principal: Principal, of organisationId: Int64) -> Bool {
        principal.organisationIds(as: .liaisonOfficer).contains(organisationId)
            || principal.organisationIds(as: .mentor).contains(organisationId)
    }
}
