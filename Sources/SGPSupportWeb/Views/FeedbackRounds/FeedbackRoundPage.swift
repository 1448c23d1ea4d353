import Foundation
import SGPSupport

/// One feedback round (`/feedback-rounds/{id}`): its kind, state and standing, how many answered
/// against the target and the minimum, who was asked only as counts per practice, and, by the
/// domain's `may`: the liaison officer's forms to open it (with its closing date) and close it, the
/// GP's to extend one that closed short, the GP's and the practices' to add a colleague, a practice's
/// to print patient slips, and, once released, the GP's collated report (it prints alone).
struct FeedbackRoundPage: Sendable {
    /// Where the message of an action the round's state no longer allows links to.
    static let actionsAnchor = "round-actions"

    /// Which of the page's forms came back refused: only that one shows what was posted.
    enum Form: Sendable {
        case open, extend, colleague, slips, reflection
    }

    struct Fact: Sendable {
        var label: String
        var value: String
    }

    struct PracticeCount: Sendable {
        var practice: String
        var count: String
    }

    var page: PageChrome
    var id: Int64
    var heading: String
    var kind: String
    var status: String
    var standing: String
    var facts: [Fact]
    var invitedByPractice: [PracticeCount]
    var hasInvited: Bool
    /// The list this round is on, for those who have one (the GP's own, the liaison officer's of the GP).
    var backLink: String?
    var backText: String
    var canOpen: Bool
    var openFields: [FormField]
    var canClose: Bool
    var closeNote: String
    var canExtend: Bool
    var extendFields: [FormField]
    /// The GP's reflection on the released report, for their appraisal portfolio.
    var canReflect: Bool
    var reflectionFields: [FormField]
    var reflection: String?
    var canAddColleague: Bool
    var colleagueNote: String
    var colleagueFields: [FormField]
    var canPrintSlips: Bool
    var slipNote: String
    var hasSlipSessions: Bool
    var slipFields: [FormField]
    var hasActions: Bool
    var actionsAnchor: String
    var report: FeedbackRoundReportSection?
    var hasReport: Bool

    /// `slipSessions` are bookings the viewer may see around today (the domain's `bookings(for:from:to:)`):
    /// the GP's at the viewer's own practices are offered for slips. `posted` and `errors` are a
    /// refused form's.
    init(
        page: PageChrome, view: FeedbackRoundView, viewer: Principal, slipSessions: [BookingListing] = [],
        posted: (form: Form, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        let round = view.round
        let may = view.may
        self.page = page
        id = round.id!
        heading = "\(round.kind.title) for \(view.gpName)"
        kind = round.kind.title
        status = round.status.title
        standing = view.standing

        var facts = [Fact(label: "Asked for on", value: DisplayDate.day(round.requestedAt))]
        if let responses = view.responses { facts.append(Fact(label: "Answers so far", value: "\(responses)")) }
        facts += [
            Fact(label: "Target", value: Self.answers(round.target)),
            Fact(label: "Needed for a report", value: "At least \(Self.answers(round.minimum))"),
        ]
        if let opened = round.openedAt { facts.append(Fact(label: "Opened on", value: DisplayDate.day(opened))) }
        if let closed = round.closedAt {
            facts.append(Fact(label: "Closed on", value: DisplayDate.day(closed)))
        } else if let closesOn = round.closesOn {
            facts.append(Fact(label: "Closes on", value: closesOn.displayText))
        }
        if round.kind == .colleague { facts.append(Fact(label: "Colleagues asked", value: "\(view.invited)")) }
        if round.extended { facts.append(Fact(label: "Extended", value: "Yes, once")) }
        self.facts = facts
        invitedByPractice = view.invitedByPractice.map {
            PracticeCount(practice: $0.practice, count: "\($0.count) colleague\($0.count == 1 ? "" : "s")")
        }
        hasInvited = !view.invitedByPractice.isEmpty

        let reach = viewer.reach
        if reach.ownGPId == round.gpId {
            backLink = "/feedback-rounds"
            backText = "All your feedback rounds"
        } else if reach.administers || reach.supportedOrganisations.contains(where: \.isLiaisonOfficer) {
            backLink = "/gps/\(round.gpId)/feedback-rounds"
            backText = "All of \(view.gpName)'s feedback rounds"
        } else {
            backLink = nil
            backText = ""
        }

        func shown(_ form: Form) -> FormFields? { posted?.form == form ? posted?.fields : nil }
        func errorsFor(_ form: Form) -> ValidationErrors { posted?.form == form ? errors : ValidationErrors() }

        canOpen = may.contains(.open)
        openFields =
            canOpen
            ? ClosingDateForm.declaration(label: "Closing date").rendered(
                current: ClosingDateInput(), posted: shown(.open), errors: errorsFor(.open))
            : []
        canClose = may.contains(.close)
        closeNote =
            "Closing it now releases the collated report to \(view.gpName) if at least \(Self.answers(round.minimum)) "
            + "came; otherwise it closes short, and the GP may extend it once. It closes by itself after its closing date."
        canExtend = may.contains(.extend)
        extendFields =
            canExtend
            ? ClosingDateForm.declaration(label: "New closing date").rendered(
                current: ClosingDateInput(), posted: shown(.extend), errors: errorsFor(.extend))
            : []

        canReflect = may.contains(.reflect)
        reflection = round.reflection
        reflectionFields =
            canReflect
            ? ReflectionForm.declaration.rendered(
                current: ReflectionInput(reflection: round.reflection), posted: shown(.reflection),
                errors: errorsFor(.reflection))
            : []

        canAddColleague = may.contains(.addColleague)
        colleagueNote =
            "Add someone who has worked with \(view.gpName): they are emailed their own link"
            + (round.status == .open ? " now." : " when the round opens.")
            + " \(view.gpName) sees only how many were asked at each practice, never who."
        colleagueFields =
            canAddColleague
            ? ColleagueForm.declaration.rendered(
                current: ColleagueInput(), posted: shown(.colleague), errors: errorsFor(.colleague))
            : []

        canPrintSlips = may.contains(.printSlips)
        let practiceIds = viewer.practiceIds
        let sessions = slipSessions.filter { listing in
            guard let practiceId = listing.practice.id else { return false }
            return listing.booking.gpId == round.gpId && listing.booking.status != .cancelled
                && practiceIds.contains(practiceId)
        }
        hasSlipSessions = !sessions.isEmpty
        slipNote =
            hasSlipSessions
            ? "Print a slip for each patient \(view.gpName) sees in one session, and hand them out at the end of the "
                + "appointment. Each code works once, for \(AppDatabase.patientCodeDays) days after the session."
            : "There is no session of \(view.gpName)'s at your practice in the last \(AppDatabase.patientCodeDays) days "
                + "or the next \(AppDatabase.patientSlipDaysAhead) to print slips for."
        slipFields =
            canPrintSlips && hasSlipSessions
            ? PatientSlipsForm.declaration(sessions: sessions).rendered(
                current: PatientSlipsInput(), posted: shown(.slips), errors: errorsFor(.slips))
            : []

        hasActions = canOpen || canClose || canExtend || canAddColleague || canPrintSlips
        actionsAnchor = Self.actionsAnchor
        report = view.report.map {
            FeedbackRoundReportSection(
                $0, kind: round.kind, gpName: view.gpName, responses: view.responses ?? $0.groups.map(\.responses).reduce(0, +))
        }
        hasReport = report != nil
    }

    /// "1 answer", "15 answers".
    static func answers(_ count: Int) -> String { "\(count) answer\(count == 1 ? "" : "s")" }
}

/// The collated report: the groups who answered, each statement's mean, its answers on each point of
/// the scale and, when the organisation has enough released rounds, other GPs' quartiles; then the
/// comments. Never one person's answers.
struct FeedbackRoundReportSection: Sendable {
    struct Group: Sendable {
        var group: String
        var responses: String
    }

    struct Item: Sendable {
        var text: String
        var domain: String
        var mean: String
        /// Answers on each point of the scale, then "unable to comment", as the columns are headed.
        var counts: [String]
        var others: String
    }

    var heading: String
    var summary: String
    var groups: [Group]
    var columns: [String]
    var items: [Item]
    var othersNote: String
    var comments: [String]
    var hasComments: Bool

    init(_ report: FeedbackRoundReport, kind: FeedbackRound.Kind, gpName: String, responses: Int) {
        heading = "\(kind.title) for \(gpName): the collated report"
        summary =
            "\(FeedbackRoundPage.answers(responses)) for \(gpName), collated: no single answer is shown, and names are "
            + "taken out of the comments. Print it for your appraisal."
        groups = report.groups.map { Group(group: $0.group, responses: FeedbackRoundPage.answers($0.responses)) }
        columns = FeedbackRoundItem.scale + [FeedbackAnswersForm.unableToComment]
        items = report.items.map { item in
            let quartiles = [item.othersLowerQuartile, item.othersMedian, item.othersUpperQuartile].compactMap { $0 }
            return Item(
                text: item.text, domain: item.domain,
                mean: item.mean.map(FeedbackRoundReportSection.oneDecimal) ?? "No ratings",
                counts: item.distribution.map { String($0) },
                others: quartiles.count == 3
                    ? FeedbackRoundReportSection.quartilesText(quartiles)
                    : "Not enough rounds yet")
        }
        othersNote =
            "Other GPs: the middle half of other GPs' means in the organisation's closed rounds of this kind "
            + "(lower to upper quartile), shown once there are enough of them. Ratings run from 1, "
            + "\(FeedbackRoundItem.scale.first ?? ""), to \(FeedbackRoundItem.scale.count), \(FeedbackRoundItem.scale.last ?? "")."
        comments = report.comments
        hasComments = !report.comments.isEmpty
    }

    /// "4.3": a mean or a quartile to one decimal.
    static func oneDecimal(_ value: Double) -> String { String(format: "%.1f", value) }

    /// "3.9 to 4.6, median 4.2": the lower quartile, the upper and the median.
    static func quartilesText(_ quartiles: [Double]) -> String {
        "\(oneDecimal(quartiles[0])) to \(oneDecimal(quartiles[2])), median \(oneDecimal(quartiles[1]))"
    }
}

/// A closing date, for opening a round or extending one.
struct ReflectionInput {
    var reflection: String?
}

/// The GP's reflection on their report: it goes into the appraisal portfolio beside it.
enum ReflectionForm {
    static var declaration: FormDeclaration<ReflectionInput> {
        FormDeclaration([
            .textarea(
                "reflection", "Your reflection", \.reflection,
                hint:
                    "What you take from the feedback and what you will do: it goes into your appraisal portfolio with the report."
            )
        ])
    }
}

struct ClosingDateInput {
    var closesOn: String?
}

enum ClosingDateForm {
    static func declaration(label: String) -> FormDeclaration<ClosingDateInput> {
        FormDeclaration([
            .date(
                "closesOn", label, \.closesOn,
                hint: "The last day answers are taken: after today, and at most \(AppDatabase.longestRoundDays) days away.")
        ])
    }
}

/// A colleague to ask, decoded into the domain's `ColleagueInput`.
enum ColleagueForm {
    static var declaration: FormDeclaration<ColleagueInput> {
        FormDeclaration([
            .text("name", "Their name", \.name, autocomplete: "off"),
            .text("email", "Their email address", \.email, type: "email", autocomplete: "off"),
            .choice("role", "Their role", \.role, of: ColleagueRole.self, none: "Choose their role"),
        ])
    }
}

/// The patient slips a practice prints: one of the GP's sessions there, and how many.
struct PatientSlipsInput {
    var bookingId: String?
    var count: Int?

    /// The session as the domain takes it (text that is not a number names none, which it refuses).
    var bookingNumber: Int64? { bookingId.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } }
}

enum PatientSlipsForm {
    static func declaration(sessions: [BookingListing]) -> FormDeclaration<PatientSlipsInput> {
        let namesPractice = Set(sessions.compactMap { $0.practice.id }).count > 1
        let choices: [(String, String)] = sessions.compactMap { listing in
            guard let id = listing.booking.id else { return nil }
            return (String(id), label(listing, namesPractice: namesPractice))
        }
        return FormDeclaration([
            .select("bookingId", "Session", \.bookingId, choices: choices),
            .number("count", "How many slips", \.count, hint: "One for each patient you will hand a slip to."),
        ])
    }

    /// "Mon 7 Dec 2026, 08:30–12:30, Surgery", with the practice first when several are offered.
    static func label(_ listing: BookingListing, namesPractice: Bool) -> String {
        let booking = listing.booking
        let parts = [
            booking.date.displayText, "\(ClockTime.format(booking.startMinute))–\(ClockTime.format(booking.endMinute))",
            listing.session.kind.title,
        ]
        return ((namesPractice ? [listing.practice.name] : []) + parts).joined(separator: ", ")
    }
}
