import Testing

@testable import SGPSupport

@Suite struct AccessPolicyTests {
    typealias Grant = Principal.Grant

    func person(_ grants: Grant...) -> Principal {
        Principal(userId: 1, email: "x@example.org", displayName: "X", grants: grants)
    }

    let liaisonOfOne = Grant(role: .liaisonOfficer, organisationId: 1, owningOrganisationId: 1)
    let mentorOfOne = Grant(role: .mentor, organisationId: 1, owningOrganisationId: 1)
    let managerOfPracticeTen = Grant(role: .practiceManager, practiceId: 10, owningOrganisationId: 1)
    let gpTwenty = Grant(role: .gp, gpId: 20, owningOrganisationId: 1)

    @Test func theSupportTeamSeesItsOwnOrganisationOnly() {
        for grant in [liaisonOfOne, mentorOfOne] {
            let team = person(grant)
            #expect(AccessPolicy.permits(team, .superviseOrganisation(organisationId: 1)))
            #expect(!AccessPolicy.permits(team, .superviseOrganisation(organisationId: 2)))
            #expect(AccessPolicy.permits(team, .viewPractice(practiceId: 11, organisationId: 1)))
            #expect(!AccessPolicy.permits(team, .viewPractice(practiceId: 11, organisationId: 2)))
            #expect(AccessPolicy.permits(team, .viewGP(gpId: 21, organisationId: 1)))
            #expect(!AccessPolicy.permits(team, .viewGP(gpId: 21, organisationId: 2)))
            #expect(!AccessPolicy.permits(team, .administer))
        }
        #expect(AccessPolicy.permits(person(liaisonOfOne), .manageOrganisation(organisationId: 1)))
        #expect(!AccessPolicy.permits(person(mentorOfOne), .manageOrganisation(organisationId: 1)))
    }

    @Test func aPracticeManagerSeesTheirPracticeButNoGPsRecordsOrOverview() {
        let manager = person(managerOfPracticeTen)
        #expect(AccessPolicy.permits(manager, .viewPractice(practiceId: 10, organisationId: 1)))
        #expect(!AccessPolicy.permits(manager, .viewPractice(practiceId: 11, organisationId: 1)))
        #expect(!AccessPolicy.permits(manager, .viewGP(gpId: 20, organisationId: 1)))
        #expect(!AccessPolicy.permits(manager, .superviseOrganisation(organisationId: 1)))
        #expect(AccessPolicy.permits(manager, .viewOrganisation(organisationId: 1)))
        #expect(!AccessPolicy.permits(manager, .viewOrganisation(organisationId: 2)))
    }

    @Test func aGPSeesOnlyTheirOwnEntry() {
        let gp = person(gpTwenty)
        #expect(AccessPolicy.permits(gp, .viewGP(gpId: 20, organisationId: 1)))
        #expect(!AccessPolicy.permits(gp, .viewGP(gpId: 21, organisationId: 1)))
        #expect(!AccessPolicy.permits(gp, .viewPractice(practiceId: 10, organisationId: 1)))
        #expect(!AccessPolicy.permits(gp, .superviseOrganisation(organisationId: 1)))
        #expect(!AccessPolicy.permits(gp, .administer))
    }

    @Test func anAdministratorMayDoAnything() {
        let admin = person(Grant(role: .administrator))
        #expect(AccessPolicy.permits(admin, .administer))
        #expect(AccessPolicy.permits(admin, .manageOrganisation(organisationId: 7)))
        #expect(AccessPolicy.permits(admin, .viewGP(gpId: 99, organisationId: 7)))
    }

    @Test func someoneWithNoRoleMayDoNothing() {
        let nobody = person()
        #expect(!AccessPolicy.permits(nobody, .viewOrganisation(organisationId: 1)))
        #expect(throws: DomainError.self) { try AccessPolicy.require(nobody, .viewPractice(practiceId: 10, organisationId: 1)) }
    }
}
