import Foundation
import SGPSupport

/// Applicants waiting for the liaison officer (`/applicants`), each with approve and decline.
struct ApplicantsPage: Sendable {
    struct Applicant: Sendable {
        var id: Int64
        var name: String
        /// "GMC number 1234567", "NMC PIN 12A3456E".
        var registration: String
        var profession: String
        var email: String?
        var note: String?
        var applied: String
        var reasonError: String?
    }

    var page: PageChrome
    var applicants: [Applicant]

    /// `refused` is the applicant whose decline came back without a reason, and what to fix.
    init(page: PageChrome, entries: [GPEntryView], refused: (gpId: Int64, message: String)?) {
        self.page = page
        applicants = entries.map {
            Applicant(
                id: $0.gp.id!, name: $0.gp.name, registration: "\($0.gp.registrationNumberName) \($0.gp.registrationNumber)",
                profession: $0.gp.profession.title,
                email: $0.gp.email, note: $0.gp.applicationNote, applied: DisplayDate.day($0.gp.createdAt),
                reasonError: refused?.gpId == $0.gp.id ? refused?.message : nil)
        }
    }
}
