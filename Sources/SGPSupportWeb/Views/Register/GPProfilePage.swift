import Foundation
import SGPSupport

/// A GP's register entry (`/gps/{id}`): details, clearance with every reason, checks current and past
/// with the documents they rest on, the checks waiting to be verified (each with its document and,
/// for the liaison officer, the form that verifies it) and, for the GP, the form to send a renewal.
struct GPProfilePage: Sendable {
    /// A document to download, as a link says it.
    struct DocumentLink: Sendable {
        var href: String
        var name: String
        /// "PDF, 1.2 MB, sent Mon 7 Dec 2026".
        var details: String

        init(_ document: CheckDocument) {
            href = "/documents/\(document.id)"
            name = document.originalName
            details =
                "\(document.kind?.title ?? "File"), \(DocumentUpload.sizeText(document.byteCount)), "
                + "sent \(DisplayDate.day(document.uploadedAt))"
        }
    }

    struct CheckRow: Sendable {
        var typeName: String
        var status: String
        var verifiedOn: String?
        var expiresOn: String?
        var note: String?
        var dbs: String?
        var recorded: String
        /// Why the liaison officer should look at it again (a GMC check recorded for a nurse, say).
        var reviewNote: String?
        /// The document it rests on, for those who may open it.
        var document: DocumentLink?

        init(_ check: CredentialCheck, names: [String: String], documents: [Int64: CheckDocument]) {
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
            reviewNote = check.reviewNote
            document = check.documentId.flatMap { documents[$0] }.map(DocumentLink.init)
        }
    }

    /// A check waiting to be verified, with its document and the form that verifies it.
    struct PendingRow: Sendable {
        var checkId: Int64
        var typeName: String
        /// "Recorded Mon 7 Dec 2026, 09:00".
        var recorded: String
        var expiresOn: String?
        var document: DocumentLink?
        var action: String
        var fields: [FormField]
        var submit: String
    }

    /// One of the page's own forms, as it came back with problems to fix.
    enum Posted: Sendable {
        case renewal(FormFields)
        case verification(checkId: Int64, FormFields)
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
    /// Who sees the whole entry: the link to the GP's feedback rounds (which the domain shows the GP and
    /// their liaison officer).
    var canSeeFeedbackRounds: Bool
    /// Conditions on the GP's work from open support cases, for the support team (never the case).
    var workRestrictions: [String]
    var isApplicant: Bool
    /// The GP, their liaison officer or an administrator: who may open the documents.
    var canSeeDocuments: Bool
    var pending: [PendingRow]
    var hasPending: Bool
    /// The liaison officer (or an administrator), who verifies what is pending.
    var canVerify: Bool
    /// The GP themselves, who may send a renewed certificate.
    var canSendRenewal: Bool
    var renewalAction: String
    var renewalFields: [FormField]
    /// Late cancellations and no-shows on the GP's record (the last six months), for the GP and the team.
    var lateCancellations: [String]
    var hasLateCancellations: Bool

    /// `history` is newest first, as the domain gives it; the current check of a type is the one
    /// that counts (`CredentialCheck.counting`: a renewal waiting for verification is listed as
    /// pending, not as current). `documents` are the GP's, for those who may open them (else none).
    init(
        page: PageChrome, entry: GPEntryView, history: [CredentialCheck], types: [CheckType], skills: [Skill],
        expiring: [ExpiringCheck], workRestrictions: [String], documents: [CheckDocument] = [], today: Day,
        posted: Posted? = nil, errors: ValidationErrors = ValidationErrors(), lateCancellations: [LateCancellationListing] = []
    ) {
        self.lateCancellations = lateCancellations.map(LateCancellationText.line)
        hasLateCancellations = !lateCancellations.isEmpty
        let names = Dictionary(uniqueKeysWithValues: types.map { ($0.code, $0.name) })
        let counting = CredentialCheck.counting(history)
        let byId = Dictionary(documents.map { ($0.id, $0) }) { first, _ in first }
        let gpId = entry.gp.id!
        self.page = page
        gp = GPDetails(entry.gp, skillNames: Dictionary(skills.map { ($0.code, $0.name) }) { first, _ in first })
        cleared = entry.clearance.cleared
        reasons = entry.clearance.reasons
        current = types.compactMap { type in counting[type.code].map { CheckRow($0, names: names, documents: byId) } }
        self.history = history.map { CheckRow($0, names: names, documents: byId) }
        self.expiring = expiring.map(\.dueText)
        hasExpiring = !expiring.isEmpty
        hasHistory = !history.isEmpty
        canManage = entry.may.contains(.recordChecks)
        canEdit = entry.may.contains(.edit)
        canDownload = entry.may.contains(.downloadPersonalData)
        canSeeEvidence = entry.may.contains(.seeEvidence)
        canSeeFeedbackRounds = entry.may.contains(.seeFeedbackRounds)
        self.workRestrictions = workRestrictions
        isApplicant = entry.gp.status == .applicant
        let mayOpen = entry.may.contains(.seeDocuments)
        let maySend = entry.may.contains(.sendRenewal)
        canSeeDocuments = mayOpen
        canVerify = entry.may.contains(.recordChecks)
        canSendRenewal = maySend

        // What is waiting is the GP's and their liaison officer's business, beside its document.
        let waiting = mayOpen ? CredentialCheck.awaitingVerification(history) : []
        pending = waiting.map { check in
            let checkId = check.id!
            let declaration = VerifyForm.declaration(checkId: checkId, isDBS: check.type == "dbs")
            var sent: FormFields?
            if case .verification(let postedId, let form) = posted, postedId == checkId { sent = form }
            let typeName = names[check.type] ?? check.type
            return PendingRow(
                checkId: checkId, typeName: typeName, recorded: "Recorded \(DisplayDate.dayAndTime(check.recordedAt))",
                expiresOn: check.expiresOn?.displayText,
                document: check.documentId.flatMap { byId[$0] }.map(DocumentLink.init),
                action: "/gps/\(gpId)/checks/\(checkId)/verify",
                fields: declaration.rendered(
                    current: VerifyForm.current(check, today: today), posted: sent,
                    errors: sent == nil ? ValidationErrors() : errors),
                submit: "Verify \(typeName)")
        }
        hasPending = !pending.isEmpty

        renewalAction = "/gps/\(gpId)/documents"
        var renewal: FormFields?
        if case .renewal(let form) = posted { renewal = form }
        let renewalErrors = renewal == nil ? ValidationErrors() : errors
        let ownTypes = types.filter { $0.applies(to: entry.gp.profession) }
        renewalFields =
            maySend
            ? RenewalForm.declaration(types: ownTypes).rendered(
                current: RenewalForm.Input(), posted: renewal, errors: renewalErrors)
                + [RenewalForm.documentField(errors: renewalErrors)]
            : []
    }
}
