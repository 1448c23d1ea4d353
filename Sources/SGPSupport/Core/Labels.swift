import Foundation

// The words people read for each state and kind: pages and emails show these, never the codes
// (the JSON keeps the codes).

/// A kind or state people choose or read: its code stays in the JSON and the database, its title is
/// what pages and emails show, and its cases are the choices a form offers.
public protocol Labelled: CaseIterable, RawRepresentable, Sendable where RawValue == String, AllCases: Sendable {
    var title: String { get }
}

extension Labelled {
    /// (code, title) for each case, in declaration order: a form's choices.
    public static var choices: [(code: String, title: String)] { allCases.map { ($0.rawValue, $0.title) } }

    /// The case named by its code or by its title as people write it ("Freelance / locum",
    /// "freelance"), ignoring case and surrounding space: forms and spreadsheets send either.
    public static func named(_ raw: String) -> Self? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let exact = Self(rawValue: text) { return exact }
        return allCases.first {
            $0.title.caseInsensitiveCompare(text) == .orderedSame || $0.rawValue.caseInsensitiveCompare(text) == .orderedSame
        }
    }

    /// "GP, Nurse or Pharmacist": the choices in a sentence that asks for one.
    public static var titlesInWords: String {
        let titles = allCases.map(\.title)
        guard titles.count > 1 else { return titles.first ?? "" }
        return titles.dropLast().joined(separator: ", ") + " or " + titles.last!
    }
}

/// Every kind and state with a title: what a check for codes shown to people looks for.
public enum Labels {
    public static let everyKind: [any Labelled.Type] = [
        GP.Kind.self,
        GP.Status.self,
        GP.Profession.self,
        ClinicalSession.Kind.self,
        ClinicalSession.Status.self,
        Booking.Status.self,
        CredentialCheck.Status.self,
        FeedbackConcern.Severity.self,
        Role.self,
        Application.Status.self,
        Mailshot.Status.self,
        FeedbackCard.Status.self,
        Arrangement.Status.self,
        FeedbackDirection.self,
        FeedbackConcern.Outcome.self,
        SupportCase.RouteIn.self,
        SupportCase.Outcome.self,
        SupportCase.Signpost.self,
        EvidenceKind.self,
        EvidenceEntry.Status.self,
        PortfolioSection.self,
        ClinicalSession.RateUnit.self,
        CredentialCheck.DBSLevel.self,
        Offer.Status.self,
        ClearingRun.Status.self,
        ClearingRun.Unfilled.Reason.self,
        DayPart.self,
        MailshotItem.Kind.self,
        Weekday.self,
        PracticePreference.Kind.self,
        Invoice.State.self,
        InvoiceLine.Kind.self,
        RegisterFileKind.self,
        CheckDocument.Kind.self,
        FeedbackRound.Kind.self,
        FeedbackRound.Status.self,
        ColleagueRole.self,
    ]

    /// (code, title) of every case of every kind.
    public static var everyChoice: [(code: String, title: String)] { everyKind.flatMap { $0.choices } }
}

extension Invoice.State: Labelled {
    public var title: String {
        switch self {
        case .draft: "Draft"
        case .sent: "Sent"
        case .overdue: "Overdue"
        case .paid: "Paid"
        }
    }
}

extension InvoiceLine.Kind: Labelled {
    public var title: String {
        switch self {
        case .session: "Session"
        case .cancellationFee: "Cancellation fee"
        case .mileage: "Mileage"
        case .employerContribution: "Employer's pension contribution"
        }
    }
}

extension GP.Kind: Labelled {}
extension GP.Status: Labelled {}
extension GP.Profession: Labelled {}
extension ClinicalSession.Kind: Labelled {}
extension ClinicalSession.Status: Labelled {}
extension Booking.Status: Labelled {}
extension CredentialCheck.Status: Labelled {}
extension FeedbackConcern.Severity: Labelled {}
extension Role: Labelled {}
extension Application.Status: Labelled {}
extension Mailshot.Status: Labelled {}
extension FeedbackCard.Status: Labelled {}
extension Arrangement.Status: Labelled {}
extension FeedbackDirection: Labelled {}
extension FeedbackConcern.Outcome: Labelled {}
extension SupportCase.RouteIn: Labelled {}
extension SupportCase.Outcome: Labelled {}
extension SupportCase.Signpost: Labelled {}
extension EvidenceKind: Labelled {}
extension EvidenceEntry.Status: Labelled {}
extension PortfolioSection: Labelled {}
extension ClinicalSession.RateUnit: Labelled {}
extension CredentialCheck.DBSLevel: Labelled {}
extension Offer.Status: Labelled {}
extension ClearingRun.Status: Labelled {}
extension ClearingRun.Unfilled.Reason: Labelled {}
// Feedback rounds' kinds, states and colleagues' roles carry their titles where they are declared.
extension FeedbackRound.Kind: Labelled {}
extension FeedbackRound.Status: Labelled {}
extension ColleagueRole: Labelled {}

extension GP.Kind {
    public var title: String {
        switch self {
        case .freelance: "Freelance / locum"
        case .salaried: "Salaried"
        case .retainer: "Retainer scheme"
        case .returner: "Returner"
        }
    }
}

extension GP.Status {
    public var title: String {
        switch self {
        case .applicant: "Applicant"
        case .active: "Active"
        case .suspended: "Suspended"
        case .left: "Left"
        }
    }
}

extension GP.Profession {
    public var title: String {
        switch self {
        case .gp: "GP"
        case .nurse: "Nurse"
        case .pharmacist: "Pharmacist"
        }
    }
}

extension ClinicalSession.Status {
    public var title: String {
        switch self {
        case .open: "Open"
        case .booked: "Booked"
        case .completed: "Completed"
        case .cancelled: "Cancelled"
        case .withdrawn: "Withdrawn"
        }
    }
}

extension Booking.Status {
    public var title: String {
        switch self {
        case .confirmed: "Confirmed"
        case .completed: "Completed"
        case .cancelled: "Cancelled"
        }
    }
}

extension Application.Status {
    public var title: String {
        switch self {
        case .pending: "Waiting for a decision"
        case .accepted: "Accepted"
        case .declined: "Declined"
        case .withdrawn: "Withdrawn"
        }
    }
}

extension CredentialCheck.Status {
    public var title: String {
        switch self {
        case .pending: "Pending verification"
        case .verified: "Verified"
        case .failed: "Failed"
        case .expired: "Expired"
        }
    }
}

extension Mailshot.Status {
    public var title: String {
        switch self {
        case .draft: "Draft"
        case .sending: "Sending"
        case .sent: "Sent"
        }
    }
}

extension FeedbackCard.Status {
    public var title: String {
        switch self {
        case .issued: "Waiting to be filled in"
        case .draft: "Draft"
        case .submitted: "Submitted"
        }
    }
}

extension FeedbackConcern.Severity {
    public var title: String {
        switch self {
        case .minor: "Minor"
        case .significant: "Significant"
        case .serious: "Serious"
        }
    }
}

extension ClinicalSession.RateUnit {
    public var title: String {
        switch self {
        case .session: "Per session"
        case .hour: "Per hour"
        }
    }
}

extension CredentialCheck.DBSLevel {
    public var title: String {
        switch self {
        case .basic: "Basic"
        case .standard: "Standard"
        case .enhanced: "Enhanced"
        case .enhancedWithBarredLists: "Enhanced with barred lists"
        }
    }
}

extension DayPart: Labelled {
    public var title: String {
        switch self {
        case .morning: "Morning"
        case .afternoon: "Afternoon"
        case .evening: "Evening"
        }
    }
}

extension Offer.Status {
    public var title: String {
        switch self {
        case .pending: "Waiting for an answer"
        case .accepted: "Accepted"
        case .declined: "Declined"
        case .withdrawn: "Withdrawn"
        }
    }
}

extension MailshotItem.Kind: Labelled {
    public var title: String {
        switch self {
        case .news: "News"
        case .event: "Education event"
        }
    }
}

extension Weekday: Labelled {
    public var title: String {
        switch self {
        case .monday: "Monday"
        case .tuesday: "Tuesday"
        case .wednesday: "Wednesday"
        case .thursday: "Thursday"
        case .friday: "Friday"
        case .saturday: "Saturday"
        case .sunday: "Sunday"
        }
    }
}

extension ClearingRun.Status {
    public var title: String {
        switch self {
        case .proposed: "Proposed"
        case .sent: "Offers sent"
        }
    }
}

extension ClearingRun.Unfilled.Reason {
    public var title: String {
        switch self {
        case .noOneEligible: "No one eligible"
        case .eligibleAllUsed: "Everyone eligible is used elsewhere"
        }
    }
}

extension PracticePreference.Kind: Labelled {
    public var title: String {
        switch self {
        case .preferred: "Preferred"
        case .notWanted: "Not wanted"
        }
    }
}

extension RegisterFileKind: Labelled {
    public var title: String {
        switch self {
        case .gps: "GPs"
        case .practices: "Practices"
        case .checks: "GPs' checks"
        }
    }
}

extension CheckDocument.Kind: Labelled {
    public var title: String {
        switch self {
        case .pdf: "PDF"
        case .jpeg: "JPEG"
        case .png: "PNG"
        }
    }
}
