import Foundation
import GRDB

/// A formal colleague or patient feedback exercise for a GP's revalidation: asked for by the GP,
/// opened by the liaison officer, answered without sign-in, and released to the GP only collated,
/// once enough have answered.
public struct FeedbackRound: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case colleague, patient

        public var title: String {
            switch self {
            case .colleague: "Colleague feedback"
            case .patient: "Patient feedback"
            }
        }
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Asked for by the GP; the liaison officer opens it.
        case requested
        case open
        /// Closed with at least the minimum: the collated report is the GP's.
        case released
        /// Closed below the minimum: the GP may extend it once.
        case short

        public var title: String {
            switch self {
            case .requested: "Waiting for the support team to open it"
            case .open: "Open for answers"
            case .released: "Closed: report ready"
            case .short: "Closed with too few answers"
            }
        }
    }

    public var id: Int64?
    public var gpId: Int64
    public var kind: Kind
    public var status: Status
    public var itemsVersion: Int
    public var target: Int
    public var minimum: Int
    public var requestedAt: Date
    public var openedAt: Date?
    public var openedById: Int64?
    public var closesOn: Day?
    public var closedAt: Date?
    public var extended: Bool
    /// The GP's reflection on the released report, carried into their appraisal portfolio.
    public var reflection: String?

    public static let databaseTableName = "feedbackRound"

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One statement respondents rate, by Good Medical Practice's domain. Our own wording.
public struct FeedbackRoundItem: Sendable, Equatable, Codable {
    public var kind: FeedbackRound.Kind
    public var code: String
    public var position: Int
    public var domain: String
    public var text: String

    static func item(_ kind: FeedbackRound.Kind, _ position: Int, _ code: String, _ domain: String, _ text: String)
        -> FeedbackRoundItem
    {
        FeedbackRoundItem(kind: kind, code: code, position: position, domain: domain, text: text)
    }

    /// Version 1 of the questionnaires (kept as rows; a new version is added, never edited).
    public static let version1: [FeedbackRoundItem] = [
        item(
            .colleague, 1, "sound-decisions", "Knowledge, skills and development",
            "Makes sound clinical decisions, using up-to-date knowledge"),
        item(
            .colleague, 2, "knows-limits", "Knowledge, skills and development",
            "Knows the limits of their competence and seeks help or refers when that is right"),
        item(.colleague, 3, "clear-records", "Safety and quality", "Keeps clear, accurate records that others can act on"),
        item(
            .colleague, 4, "follows-systems", "Safety and quality",
            "Follows the practice's systems for results, prescribing and safeguarding"),
        item(
            .colleague, 5, "works-with-team", "Communication, partnership and teamwork",
            "Works well with the whole practice team, including at short notice"),
        item(
            .colleague, 6, "hands-over", "Communication, partnership and teamwork",
            "Hands work over clearly, so nothing is left undone"),
        item(.colleague, 7, "reliable", "Maintaining trust", "Is reliable: arrives when agreed and finishes the work taken on"),
        item(.colleague, 8, "respectful", "Maintaining trust", "Treats colleagues and patients with respect, whoever they are"),
        item(.patient, 1, "listened", "Communication, partnership and teamwork", "Listened to me and gave me enough time"),
        item(.patient, 2, "explained", "Communication, partnership and teamwork", "Explained things in a way I could understand"),
        item(
            .patient, 3, "involved-me", "Communication, partnership and teamwork",
            "Involved me in decisions about my care as much as I wanted"),
        item(.patient, 4, "next-steps", "Safety and quality", "Made clear what happens next, and what to do if I get worse"),
        item(.patient, 5, "kind", "Maintaining trust", "Treated me kindly and with respect"),
        item(.patient, 6, "confident", "Knowledge, skills and development", "I would be confident seeing this doctor again"),
    ]

    /// The five points of the scale; an answer of nil is "unable to comment".
    public static let scale = ["Poor", "Less than satisfactory", "Satisfactory", "Good", "Very good"]
}

/// Who a colleague is to the GP: the groups responses are counted by.
public enum ColleagueRole: String, Codable, Sendable, CaseIterable {
    case practiceManager = "practice-manager"
    case gp
    case nurse
    case pharmacist
    case otherClinician = "other-clinician"
    case receptionist
    case administrativeStaff = "administrative-staff"

    public var title: String {
        switch self {
        case .practiceManager: "Practice manager"
        case .gp: "GP"
        case .nurse: "Nurse"
        case .pharmacist: "Pharmacist"
        case .otherClinician: "Other clinician"
        case .receptionist: "Receptionist"
        case .administrativeStaff: "Administrative staff"
        }
    }
}

/// What a person may do with a round.
public enum FeedbackRoundCapability: String, Sendable, CaseIterable, Codable {
    /// The liaison officer opens a requested round with a closing date, and closes an open one.
    case open, close
    /// The GP, once, after it closed below the minimum.
    case extend
    /// The GP, and the practices where they worked, add colleagues to ask.
    case addColleague
    /// A practice where the GP works prints patient slips for one of their sessions.
    case printSlips
    /// The GP reads the collated report (once released) and writes their reflection on it.
    case readReport
    case reflect
}

/// The collated report: never an individual response.
public struct FeedbackRoundReport: Sendable, Equatable, Encodable {
    public struct Group: Sendable, Equatable, Encodable {
        public var group: String
        public var responses: Int
    }

    public struct Item: Sendable, Equatable, Encodable {
        public var item: String
        public var text: String
        public var domain: String
        /// The mean of the ratings given (1–5), to one decimal; nil when none rated it.
        public var mean: Double?
        /// Counts of ratings 1…5, then of "unable to comment".
        public var distribution: [Int]
        /// Other GPs' released rounds of the organisation, the item's mean: quartiles (three rounds or more).
        public var othersLowerQuartile: Double?
        public var othersMedian: Double?
        public var othersUpperQuartile: Double?
    }

    public var groups: [Group]
    public var items: [Item]
    /// Free text in random order, with names and practice names taken out.
    public var comments: [String]
}

/// A round as one person may see it.
public struct FeedbackRoundView: Sendable {
    public var round: FeedbackRound
    public var gpName: String
    /// How many answered: for the support team while it runs, for everyone who sees it once closed
    /// (nil while it runs for the GP and practices, who could otherwise tell who answered when).
    public var responses: Int?
    public var invited: Int
    /// Who was asked, only as counts per practice (a colleague added by the GP with no practice is "Other").
    public var invitedByPractice: [(practice: String, count: Int)]
    public var report: FeedbackRoundReport?
    public var may: Set<FeedbackRoundCapability>
    /// A sentence on where the round stands (how many came, what happens next).
    public var standing: String
}

/// An organisation's numbers for rounds: absent fields keep their value.
public struct FeedbackRoundSettings: Sendable, Equatable, Codable {
    public var colleagueTarget: Int?
    public var colleagueMinimum: Int?
    public var patientTarget: Int?
    public var patientMinimum: Int?
    public var roundsPerCycle: Int?

    public init(
        colleagueTarget: Int? = nil, colleagueMinimum: Int? = nil, patientTarget: Int? = nil, patientMinimum: Int? = nil,
        roundsPerCycle: Int? = nil
    ) {
        self.colleagueTarget = colleagueTarget
        self.colleagueMinimum = colleagueMinimum
        self.patientTarget = patientTarget
        self.patientMinimum = patientMinimum
        self.roundsPerCycle = roundsPerCycle
    }
}

/// A colleague to ask, as the GP or a practice sends it.
public struct ColleagueInput: Sendable, Decodable, Equatable {
    public var name: String?
    public var email: String?
    public var role: String?

    public init(name: String? = nil, email: String? = nil, role: String? = nil) {
        self.name = name
        self.email = email
        self.role = role
    }
}

/// One answer to the questionnaire, as the respondent sends it (no sign-in).
public struct FeedbackAnswersInput: Sendable, Decodable, Equatable {
    public struct Answer: Sendable, Decodable, Equatable {
        public var item: String
        /// 1–5, or nil for "unable to comment".
        public var rating: Int?

        public init(item: String, rating: Int?) {
            self.item = item
            self.rating = rating
        }
    }

    public var answers: [Answer]?
    public var doesWell: String?
    public var couldChange: String?

    public init(answers: [Answer]?, doesWell: String? = nil, couldChange: String? = nil) {
        self.answers = answers
        self.doesWell = doesWell
        self.couldChange = couldChange
    }
}

/// What the answer page needs: which GP, which questionnaire, whether it can still be answered.
public struct FeedbackQuestionnaire: Sendable {
    public var gpName: String
    public var kind: FeedbackRound.Kind
    public var items: [FeedbackRoundItem]
    /// Why it cannot be answered (used, closed), or nil when it can.
    public var closedReason: String?
}
