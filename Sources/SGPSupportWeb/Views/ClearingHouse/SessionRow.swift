import Foundation
import Mustache
import SGPSupport

/// A session as lists and its own page show it: words and formats people read, never codes.
struct SessionRow: Sendable {
    var id: Int64
    var date: String
    var time: String
    var practice: String
    var locality: String
    var kind: String
    /// Per session and per hour (`ClinicalSession.rateText`).
    var rate: String
    var status: String
    /// The skills needed, by the organisation's names for them; empty when none are.
    var skills: String

    init(_ listing: SessionListing, skills: SkillNames) {
        let session = listing.session
        id = session.id!
        date = session.date.displayText
        time = "\(session.start)–\(session.end)"
        practice = listing.practice.name
        locality = listing.practice.locality
        kind = session.kind.title
        rate = session.rateText
        status = session.status.title
        self.skills = skills.names(session.requiredSkills, organisationId: listing.practice.organisationId)
    }
}

/// Templates read a row's fields by name, hundreds of rows to a GP's work available: a switch
/// here, where the template library would otherwise reflect over the row for every field it reads.
/// (`ClearingHousePageModelTests.aSessionRowAnswersTemplatesForEveryFieldItHas` holds it to the
/// row's stored properties.)
extension SessionRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "date": date
        case "time": time
        case "practice": practice
        case "locality": locality
        case "kind": kind
        case "rate": rate
        case "status": status
        case "skills": skills
        default: nil
        }
    }
}

/// Skills by their names: a session's skill codes are its practice's organisation's.
struct SkillNames: Sendable {
    private var byOrganisation: [Int64: [String: String]] = [:]

    init(_ skills: [Skill]) {
        for skill in skills { byOrganisation[skill.organisationId, default: [:]][skill.code] = skill.name }
    }

    func names(_ codes: [String], organisationId: Int64) -> String {
        codes.map { byOrganisation[organisationId]?[$0] ?? $0 }.joined(separator: ", ")
    }
}

/// Where a practice is and how to reach it, for the GP going there: the address with a map link,
/// and the phone as a link a phone dials.
struct PracticePlace: Sendable {
    var address: String?
    var mapLink: String?
    var phone: String?
    var phoneLink: String?

    init(_ practice: Practice) {
        let lines = [practice.address, practice.postcode].compactMap { $0?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        address = lines.isEmpty ? nil : lines.joined(separator: ", ")
        // A search by name and address opens the phone's maps app (Google's documented Maps URLs).
        let query = ([practice.name] + lines).joined(separator: ", ")
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        mapLink =
            lines.isEmpty
            ? nil
            : query.addingPercentEncoding(withAllowedCharacters: unreserved).map {
                "https://www.google.com/maps/search/?api=1&query=\($0)"
            }
        phone = practice.phone
        phoneLink = practice.phone.flatMap(Self.telLink)
    }

    /// "01632 960 123" → "tel:01632960123"; nil when there are no digits to dial.
    static func telLink(_ phone: String) -> String? {
        var digits = phone.filter { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        if phone.trimmingCharacters(in: .whitespaces).hasPrefix("+") { digits = "+" + digits }
        return "tel:" + digits
    }
}

/// Time left on an offer, in the words a person reads on their phone.
enum TimeLeft {
    static func words(until end: Date, now: Date) -> String {
        let seconds = end.timeIntervalSince(now)
        guard seconds >= 60 else { return "less than a minute left" }
        let hours = Int(seconds / 3600)
        if hours >= 1 { return "\(hours) hour\(hours == 1 ? "" : "s") left" }
        let minutes = Int(seconds / 60)
        return "\(minutes) minute\(minutes == 1 ? "" : "s") left"
    }
}
