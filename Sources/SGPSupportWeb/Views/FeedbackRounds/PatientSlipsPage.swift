import Foundation
import SGPSupport

/// The patient slips a practice has just made (the answer to `POST /feedback-rounds/{id}/patient-slips`):
/// one slip for each patient, with the short link and its code, to print and cut up. The codes are
/// shown this once; the service keeps only their digests.
struct PatientSlipsPage: Sendable {
    struct Slip: Sendable {
        var link: String
        var code: String
    }

    var page: PageChrome
    var heading: String
    var roundLink: String
    var session: String?
    var slipHeading: String
    var slipText: String
    var anonymity: String
    var validity: String
    var slips: [Slip]

    /// `session` is the booking the slips are for, when the viewer's list of sessions holds it;
    /// `links` makes the printed addresses absolute (the service's base URL).
    init(page: PageChrome, view: FeedbackRoundView, codes: [String], session: BookingListing?, links: Links) {
        self.page = page
        heading = "Patient slips for \(view.gpName)"
        roundLink = "/feedback-rounds/\(view.round.id!)"
        self.session = session.map { "For the session on " + PatientSlipsForm.label($0, namesPractice: true) + "." }
        slipHeading = "How did your appointment with \(view.gpName) go?"
        slipText =
            "\(view.gpName) is collecting patients' feedback for their revalidation as a doctor. It takes about two "
            + "minutes. Go to this address, on a phone or a computer:"
        anonymity = "You do not give your name: \(view.gpName) sees only everyone's answers together."
        validity = "The code works once, for \(AppDatabase.patientCodeDays) days after the appointment."
        slips = codes.map { Slip(link: links.url("/feedback-rounds/answer/\($0)"), code: $0) }
    }
}
