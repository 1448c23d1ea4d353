import Foundation
import SGPSupport

/// A GP's register entry (`/gps/{id}`): details, clearance with every reason, checks current and past.
struct GPProfilePage: Sendable {
    struct CheckRow: Sendable {
        var typeName: String
        var status: String
        var verifiedOn: String?
        var expiresOn: String?
        var note: String?
        var dbs: String?
        var recorded: String

        init(_ check: CredentialCheck, names: [String: String]) {
            var dbs: String?
            if let number = check.dbsCertificateNumber {
                var parts = ["Certificate \(number)"]
                if let level = check.dbsLevel { parts.append(CredentialCheck.DBSLevel(rawValue: level)?.title ?? level) }
                if let issued = check.dbsIssuedOn { parts.append("issued \(issued.displayText)") }
                if check.dbsUpdateService == true { parts.append("on the Update Service") }
                dbs = parts.joined(separator: ", ")
            }
            typeName = names[check.type] ?? check.type
            status = check.status.title
            verifiedOn = check.verifiedOn?.displayText
            expiresOn = check.expiresOn?.displayText
            note = check.note
            self.dbs = dbs
            recorded = DisplayDate.dayAndTime(check.recordedAt)
        }
    }

    struct GPDetails: Sendable {
        var id: Int64
        var name: String
        var gmcNumber: String
        /// What the number is called for this profession ("GMC number", "NMC PIN", "GPhC number").
        var registrationName: String
        var profession: String
        var kind: String
        var status: String
        var email: String?
        var phone: String?
        var postcode: String?
        var localities: String
        var skills: String
        var maxSessionsPerWeek: String?
        var usualRate: String?
        var appraisalMonth: String?
        var lastAppraisalOn: String?
        var revalidationDueOn: String?
        var mailshotConsent: String
        var applicationNote: String?
        var declineReason: String?

        init(_ gp: GP, skillNames: [String: String]) {
            let months = [
                "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December",
            ]
            id = gp.id!
            name = gp.name
            gmcNumber = gp.registrationNumber
            registrationName = gp.registrationNumberName
            profession = gp.profession.title
            kind = gp.kind.title
            status = gp.status.title
            email = gp.email
            phone = gp.phone
            postcode = gp.postcode
            localities = gp.localities.joined(separator: ", ")
            skills = gp.skills.map { skillNames[$0] ?? $0 }.joined(separator: ", ")
            maxSessionsPerWeek = gp.maxSessionsPerWeek.map(String.init)
            usualRate = gp.usualRatePence.map { Money.pounds($0) }
            appraisalMonth = gp.appraisalMonth.map { months[$0 - 1] }
            lastAppraisalOn = gp.lastAppraisalOn?.displayText
            revalidationDueOn = gp.revalidationDueOn?.displayText
            mailshotConsent =
                gp.mailshotConsent ? "Yes" + (gp.mailshotConsentAt.map { ", since \(DisplayDate.day($0))" } ?? "") : "No"
            applicationNote = gp.applicationNote
            declineReason = gp.declineReason
        }
    }

    var page: PageChrome
    var gp: GPDetails
    var cleared: Bool
    var reasons: [String]
    var current: [CheckRow]
    var history: [CheckRow]
    var expiring: [String]
    var hasExpiring: Bool
    var hasHistory: Bool
    var canManage: Bool
    var canEdit: Bool
    var canDownload: Bool
    /// The GP, or their mentor (who sees what the GP shares).
    var canSeeEvidence: Bool
    /// Conditions on the GP's work from open support cases, for the support team (never the case).
    var workRestrictions: [String]
    var isApplicant: Bool

    /// `history` is newest first, as the domain gives it; the current check of a type is its newest.
    init(
        page: PageChrome, entry: GPEntryView, history: [CredentialCheck], types: [CheckType], skills: [Skill],
        expiring: [ExpiringCheck], workRestrictions: [String]
    ) {
        let names = Dictionary(uniqueKeysWithValues: types.map { ($0.code, $0.name) })
        var newest: [String: CredentialCheck] = [:]
        for check in history where newest[check.type] == nil { newest[check.type] = check }
        self.page = page
        gp = GPDetails(entry.gp, skillNames: Dictionary(skills.map { ($0.code, $0.name) }) { first, _ in first })
        cleared = entry.clearance.cleared
        reasons = entry.clearance.reasons
        current = types.compactMap { type in newest[type.code].map { CheckRow($0, names: names) } }
        self.history = history.map { CheckRow($0, names: names) }
        self.expiring = expiring.map(\.dueText)
        hasExpiring = !expiring.isEmpty
        hasHistory = !history.isEmpty
        canManage = entry.may.contains(.recordChecks)
        canEdit = entry.may.contains(.edit)
        canDownload = entry.may.contains(.downloadPersonalData)
        canSeeEvidence = entry.may.contains(.seeEvidence)
        self.workRestrictions = workRestrictions
        isApplicant = entry.gp.status == .applicant
    }
}
