import Foundation

// The words people read for each state and kind: pages and emails show these, never the codes
// (the JSON keeps the codes).

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
