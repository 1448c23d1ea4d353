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
extension PortfolioSection: Labelled {}
extension ClinicalSession.RateUnit: Labelled {}
extension CredentialCheck.DBSLevel: Labelled {}
extension Offer.Status: Labelled {}

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

extension RegisterFileKind: Labelled {
    public var title: String {
        switch self {
        case .gps: "GPs"
        case .practices: "Practices"
        case .checks: "GPs' checks"
        }
    }
}
