import Foundation

/// A kind-specific detail as stored and sent: text (dates are `YYYY-MM-DD` text) or a number.
public enum DetailValue: Codable, Sendable, Equatable {
    case text(String)
    case number(Double)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            throw DecodingError.typeMismatch(
                DetailValue.self,
                .init(codingPath: decoder.codingPath, debugDescription: "a detail is text, a date as text, or a number"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        }
    }

    /// The value as a person typed it (numbers without a trailing `.0`).
    public var text: String {
        switch self {
        case .text(let text): text
        // Int(_:) traps outside its range: only small whole numbers lose their ".0".
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        }
    }

    public var number: Double? {
        switch self {
        case .number(let number): number
        case .text(let text): Double(text.trimmingCharacters(in: .whitespaces))
        }
    }
}

/// One field of a kind's details: the form draws it, the rules check it, the portfolio prints it.
public struct DetailField: Sendable, Equatable {
    public enum Shape: Sendable, Equatable {
        case line, paragraph, day, count, hours
    }

    public var key: String
    public var label: String
    public var shape: Shape
    /// Needed before the entry counts as complete (a draft may leave it out).
    public var required: Bool
    public var hint: String?

    init(_ key: String, _ label: String, _ shape: Shape, required: Bool = true, hint: String? = nil) {
        self.key = key
        self.label = label
        self.shape = shape
        self.required = required
        self.hint = hint
    }

    /// A value as pages and the portfolio show it: a date as "Mon 7 Dec 2026" (it is stored as
    /// YYYY-MM-DD), anything else as typed.
    public func displayText(_ value: String) -> String {
        shape == .day ? Day(value)?.displayText ?? value : value
    }
}

/// The kinds of Total Quality Maintenance evidence (seed 002), each with its own fields.
public enum EvidenceKind: String, Codable, Sendable, CaseIterable {
    case referralAudit = "referral-audit"
    case satisfactionSurvey = "satisfaction-survey"
    case learningNeed = "learning-need"
    case prescribingReview = "prescribing-review"
    case significantEvent = "significant-event"
    case practiceAudit = "practice-audit"
    case admissionFeedback = "admission-feedback"
    case cpd
    case feedbackReflection = "feedback-reflection"
    case other

    public var title: String {
        switch self {
        case .referralAudit: "Audit of own referrals"
        case .satisfactionSurvey: "Patient satisfaction survey"
        case .learningNeed: "Learning need (PUNs and DENs)"
        case .prescribingReview: "Prescribing review"
        case .significantEvent: "Significant event analysis"
        case .practiceAudit: "Part in a practice's audit"
        case .admissionFeedback: "Hospital admission feedback"
        case .cpd: "Education and CPD"
        case .feedbackReflection: "Reflection on a feedback card"
        case .other: "Other"
        }
    }

    /// What the kind is for, shown above its form.
    public var guidance: String {
        switch self {
        case .referralAudit:
            "Look back at a run of your own referrals: how many, what you found, what you changed, and when you will look again."
        case .satisfactionSurvey:
            "A survey of patients you saw at a practice: the period, how many replied, and what the scores said."
        case .learningNeed:
            "A Patient's Unmet Need (PUN) you met in a consultation, the Doctor's Educational Need (DEN) it showed, and how you met it."
        case .prescribingReview: "A review of your prescribing in an area: what you looked at, what you found, what you changed."
        case .significantEvent: "What happened, why, what was learned and what changed. Never name or identify a patient."
        case .practiceAudit:
            "An audit a practice (or the support team) ran that you took part in: the topic, your role, the outcome."
        case .admissionFeedback:
            "Feedback on a hospital admission from a session, and what you take from it. No patient identifiers, not even an NHS number."
        case .cpd: "Education you took part in: the event, the date and the hours (one credit is one hour)."
        case .feedbackReflection: "Your reflection on a feedback card a practice wrote about you."
        case .other: "Any other quality work you want to show at appraisal."
        }
    }

    public var fields: [DetailField] {
        switch self {
        case .referralAudit:
            [
                DetailField("periodFrom", "First day of the period reviewed", .day),
                DetailField("periodTo", "Last day of the period reviewed", .day),
                DetailField("numberReviewed", "Referrals reviewed", .count),
                DetailField("findings", "What you found", .paragraph),
                DetailField("changeMade", "What you changed", .paragraph),
                DetailField("reauditOn", "Re-audit date", .day, required: false, hint: "When you will look again"),
            ]
        case .satisfactionSurvey:
            [
                DetailField("periodFrom", "First day of the survey", .day),
                DetailField("periodTo", "Last day of the survey", .day),
                DetailField("responses", "Responses", .count),
                DetailField("scoresSummary", "What the scores said", .paragraph),
            ]
        case .learningNeed:
            [
                DetailField("pun", "The patient's unmet need (PUN)", .paragraph),
                DetailField("den", "Your educational need (DEN)", .paragraph),
                DetailField("howMet", "How you met it", .paragraph, required: false, hint: "Leave empty until it is met"),
                DetailField("reviewedOn", "Reviewed on", .day, required: false),
            ]
        case .prescribingReview:
            [
                DetailField("focus", "What you reviewed", .line, hint: "For example: antibiotics for sore throat"),
                DetailField("findings", "What you found", .paragraph),
                DetailField("changeMade", "What you changed", .paragraph, required: false),
            ]
        case .significantEvent:
            [
                DetailField("whatHappened", "What happened", .paragraph),
                DetailField("why", "Why it happened", .paragraph),
                DetailField("learned", "What was learned", .paragraph),
                DetailField("changed", "What changed", .paragraph),
            ]
        case .practiceAudit:
            [
                DetailField("topic", "Audit topic", .line),
                DetailField("role", "Your role", .line, hint: "For example: collected data, presented findings"),
                DetailField("outcome", "Outcome", .paragraph, required: false),
            ]
        case .admissionFeedback:
            [
                DetailField("admittedOn", "Date of admission", .day, required: false),
                DetailField("feedback", "The feedback", .paragraph),
                DetailField("reflection", "What you take from it", .paragraph),
            ]
        case .cpd:
            [
                DetailField("event", "Event or activity", .line),
                DetailField("hours", "Hours", .hours, hint: "One credit is one hour"),
                DetailField("learning", "What you learned", .paragraph, required: false),
            ]
        case .feedbackReflection:
            [DetailField("reflection", "Your reflection", .paragraph)]
        case .other:
            [DetailField("description", "Description", .paragraph)]
        }
    }

    /// Kinds that must name the practice they happened at.
    var needsPractice: Bool { [.satisfactionSurvey, .admissionFeedback].contains(self) }

    /// The portfolio section an entry of this kind belongs to.
    public var portfolioSection: PortfolioSection {
        switch self {
        case .cpd: .cpd
        case .referralAudit, .prescribingReview, .practiceAudit: .qualityImprovement
        case .significantEvent: .significantEvents
        case .satisfactionSurvey, .feedbackReflection, .admissionFeedback: .feedback
        case .learningNeed: .learningNeeds
        case .other: .other
        }
    }
}

/// The sections of the appraisal portfolio, in the order it prints them.
public enum PortfolioSection: String, Sendable, CaseIterable, Codable {
    case cpd, qualityImprovement, significantEvents, feedback, learningNeeds, other

    public var title: String {
        switch self {
        case .cpd: "Continuing professional development"
        case .qualityImprovement: "Quality improvement activity"
        case .significantEvents: "Significant events"
        case .feedback: "Feedback from colleagues and patients"
        case .learningNeeds: "Learning needs and how they were met"
        case .other: "Other evidence"
        }
    }
}
