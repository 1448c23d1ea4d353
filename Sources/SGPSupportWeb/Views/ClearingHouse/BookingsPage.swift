import Foundation
import SGPSupport

/// A person's bookings (`/bookings`): the list, their private calendar address, arrangements waiting
/// to be confirmed, and the form to report a session arranged outside the scheme.
struct BookingsPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        var sessionId: Int64
        var date: String
        var time: String
        var practice: String
        var gpName: String
        var status: String
        var cancelReason: String?
    }

    /// The secret calendar feed: its address is shown only when just made (only a digest is kept).
    struct CalendarPanel: Sendable {
        var hasFeed: Bool
        var url: String?
    }

    struct ArrangementRow: Sendable {
        var id: Int64
        var text: String
        /// This person is the side that confirms it.
        var waitingForYou: Bool
    }

    /// How far back the list goes: recent sessions stay in sight to cancel, complete or check.
    static let daysShownBefore = 60

    var page: PageChrome
    var rows: [Row]
    var calendar: CalendarPanel?
    var arrangementFields: [FormField]
    var canReport: Bool
    var arrangements: [ArrangementRow]
    var hasArrangements: Bool

    /// `hasFeed` is nil for someone with no calendar of their own; `newCalendarURL` the address just made.
    init(
        page: PageChrome, bookings: [BookingListing], hasFeed: Bool?, newCalendarURL: String?,
        provisional: [ArrangementView], arrangementForm: FormDeclaration<ArrangementInput>, canReport: Bool,
        posted: FormFields?, errors: ValidationErrors
    ) {
        self.page = page
        rows = bookings.map {
            Row(
                id: $0.booking.id!, sessionId: $0.session.id!, date: $0.session.date.displayText,
                time: "\($0.session.start)–\($0.session.end)", practice: $0.practice.name, gpName: $0.gpName,
                status: $0.booking.status.title, cancelReason: $0.booking.cancelReason)
        }
        calendar = hasFeed.map { CalendarPanel(hasFeed: $0, url: newCalendarURL) }
        arrangementFields = arrangementForm.rendered(current: ArrangementForm.blank, posted: posted, errors: errors)
        self.canReport = canReport
        arrangements = provisional.map {
            ArrangementRow(id: $0.arrangement.id!, text: ArrangementPage.text($0), waitingForYou: $0.may.contains(.confirm))
        }
        hasArrangements = !arrangements.isEmpty
    }
}

/// Reporting a session a practice and a GP arranged between themselves. A GP reports their own, so
/// only the others name the GP.
enum ArrangementForm {
    /// `gps` are those the person may name (empty for a GP, who reports their own).
    static func declaration(practices: [Practice], gps: [AppDatabase.NameableGP], namesTheGP: Bool)
        -> FormDeclaration<ArrangementInput>
    {
        FormDeclaration([
            .select("practiceId", "Practice", \.practiceText, choices: practices.map { (String($0.id!), $0.name) }),
            namesTheGP
                ? .select("gpId", "GP", \.gpText, choices: [("", "Choose the GP")] + gps.map { (String($0.id), $0.label) })
                : nil,
            namesTheGP ? .formerName("gmcNumber", of: "gpId", \.gmcNumber) : nil,
            .date("date", "Date", \.date, hint: "YYYY-MM-DD; past dates are fine"),
            .text("start", "Start time", \.start, hint: "Like 08:30", type: "time"),
            .text("end", "End time", \.end, hint: "Like 12:30", type: "time"),
            .choice("kind", "Kind of session", \.kind, of: ClinicalSession.Kind.self),
        ])
    }

    static var blank: ArrangementInput {
        ArrangementInput(
            practiceId: nil, gpId: nil, date: nil, start: nil, end: nil, kind: ClinicalSession.Kind.surgery.rawValue)
    }

    /// Nothing filled in: what a post is decoded into.
    static var empty: ArrangementInput {
        ArrangementInput(practiceId: nil, gpId: nil, date: nil, start: nil, end: nil, kind: nil)
    }
}

extension ArrangementInput {
    /// The GP as the form's choice holds it.
    var gpText: String? {
        get { gpId.map(String.init) }
        set { gpId = newValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
    }

    /// The practice as the form's choice holds it.
    var practiceText: String? {
        get { practiceId.map(String.init) }
        set { practiceId = newValue.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
    }
}

/// The page an arrangement's email links to (`/arrangements/{id}`): what was reported, and Confirm /
/// Decline for the other side.
struct ArrangementPage: Sendable {
    var page: PageChrome
    var id: Int64
    var text: String
    var status: String
    var recordedBy: String
    var canDecide: Bool
    var bookingSessionId: Int64?

    init(page: PageChrome, view: ArrangementView) {
        self.page = page
        id = view.arrangement.id!
        text = Self.text(view)
        status = view.arrangement.status.title
        recordedBy =
            switch view.arrangement.recordedBySide {
            case .gp: "Reported by \(view.gpName)"
            case .practice: "Reported by \(view.practice.name)"
            case .liaisonOfficer: "Reported by the sessional GP support team"
            }
        canDecide = view.may.contains(.confirm)
        bookingSessionId = view.sessionId
    }

    static func text(_ view: ArrangementView) -> String {
        let arrangement = view.arrangement
        return "\(arrangement.kind.title) session at \(view.practice.name) with \(view.gpName), "
            + "\(arrangement.date.displayText) \(arrangement.start)–\(arrangement.end)"
    }
}
