import Foundation
import GRDB

/// Which way a card's feedback goes.
public enum FeedbackDirection: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case practiceAboutGP = "practice-about-gp"
    case gpAboutPractice = "gp-about-practice"

    public var title: String {
        switch self {
        case .practiceAboutGP: "The practice about the GP"
        case .gpAboutPractice: "The GP about the practice"
        }
    }
}

/// One titled box on a card: a comment, and a rating unless `rated` is false.
public struct FeedbackBox: Codable, Sendable, Equatable {
    public var key: String
    public var title: String
    public var rated: Bool

    public init(key: String, title: String, rated: Bool) {
        self.key = key
        self.title = title
        self.rated = rated
    }
}

/// The 5-point scale; no rating means "not observed".
public enum FeedbackRating {
    public static let labels = [1: "Poor", 2: "Below expectations", 3: "Satisfactory", 4: "Good", 5: "Excellent"]
    public static let notObserved = "Not observed"

    /// "4 – Good", or "Not observed".
    public static func label(_ rating: Int?) -> String {
        guard let rating, let label = labels[rating] else { return notObserved }
        return "\(rating) – \(label)"
    }
}

/// An organisation's wording of the boxes for one direction of card.
public struct FeedbackTemplate: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var organisationId: Int64
    public var direction: FeedbackDirection
    public var boxes: [FeedbackBox]
    public var updatedAt: Date
    public var updatedById: Int64?

    /// The boxes every organisation starts with (seed 002's card, in today's words).
    public static func defaultBoxes(_ direction: FeedbackDirection) -> [FeedbackBox] {
        switch direction {
        case .practiceAboutGP:
            [
                FeedbackBox(key: "clinical-care", title: "Clinical care", rated: true),
                FeedbackBox(key: "record-keeping", title: "Record keeping", rated: true),
                FeedbackBox(key: "communication-with-patients", title: "Communication with patients", rated: true),
                FeedbackBox(key: "working-with-the-practice-team", title: "Working with the practice team", rated: true),
                FeedbackBox(key: "reliability-and-punctuality", title: "Reliability and punctuality", rated: true),
            ]
        case .gpAboutPractice:
            [
                FeedbackBox(key: "induction-and-practice-pack", title: "Induction and practice pack", rated: true),
                FeedbackBox(key: "support-from-the-team", title: "Support from the team", rated: true),
                FeedbackBox(key: "it-and-access", title: "IT and access", rated: true),
                FeedbackBox(key: "workload-on-the-day", title: "Workload on the day", rated: true),
                FeedbackBox(
                    key: "anything-affecting-patient-safety", title: "Anything affecting patient safety", rated: false),
            ]
        }
    }

    /// A stable key from a box title: lower case words joined by hyphens.
    public static func key(for title: String) -> String {
        let words = title.lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.joined(separator: "-")
    }

    /// Boxes for the card about to be issued: the organisation's wording, or the default.
    static func boxes(_ db: Database, organisationId: Int64, direction: FeedbackDirection) throws -> [FeedbackBox] {
        try FeedbackTemplate.fetchOne(db, key: ["organisationId": organisationId, "direction": direction.rawValue])?.boxes
            ?? defaultBoxes(direction)
    }
}

/// A template as the liaison officer writes it: titled boxes, each rated or comment only.
public struct FeedbackTemplateInput: Sendable, Decodable {
    public struct Box: Sendable, Decodable {
        public var title: String?
        public var rated: Bool?

        public init(title: String?, rated: Bool?) {
            self.title = title
            self.rated = rated
        }
    }

    public var boxes: [Box]?

    public init(boxes: [Box]?) {
        self.boxes = boxes
    }
}

extension AppDatabase {
    /// Both templates of an organisation as they stand (defaults where not edited).
    public func feedbackTemplates(organisationId: Int64, by principal: Principal) async throws -> [FeedbackTemplate] {
        try AccessPolicy.require(principal, .superviseOrganisation(organisationId: organisationId))
        return try await read { db in
            try FeedbackDirection.allCases.map { direction in
                try FeedbackTemplate.fetchOne(db, key: ["organisationId": organisationId, "direction": direction.rawValue])
                    ?? FeedbackTemplate(
                        organisationId: organisationId, direction: direction, boxes: FeedbackTemplate.defaultBoxes(direction),
                        updatedAt: Date(timeIntervalSince1970: 0))
            }
        }
    }

    /// The liaison officer rewords a template. Cards already issued keep the boxes they were issued with.
    public func saveFeedbackTemplate(
        organisationId: Int64, direction: FeedbackDirection?, _ input: FeedbackTemplateInput, by principal: Principal
    ) async throws -> FeedbackTemplate {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        guard let direction else { throw DomainError.notFound("Choose which card to change") }
        var errors = ValidationErrors()
        var boxes: [FeedbackBox] = []
        for box in input.boxes ?? [] {
            let title = (box.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty else { continue }
            let key = FeedbackTemplate.key(for: title)
            if title.count > 80 || key.isEmpty {
                errors.add("boxes", "Keep each box title under 80 characters, with letters or numbers in it")
            } else if boxes.contains(where: { $0.key == key }) {
                errors.add("boxes", "Two boxes are called “\(title)”: give each box its own title")
            } else {
                boxes.append(FeedbackBox(key: key, title: title, rated: box.rated ?? true))
            }
        }
        if boxes.isEmpty { errors.add("boxes", "Give the card at least one box") }
        if boxes.count > 12 { errors.add("boxes", "Keep the card to 12 boxes or fewer, so it is quick to fill in") }
        try errors.throwIfAny()
        let now = clock.now()
        let chosen = boxes
        return try await write { db in
            let template = FeedbackTemplate(
                organisationId: organisationId, direction: direction, boxes: chosen, updatedAt: now,
                updatedById: principal.recordedUserId)
            try template.save(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "organisation", entityId: organisationId,
                action: "feedback-template", detail: direction.rawValue)
            return template
        }
    }
}
