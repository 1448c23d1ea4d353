import Foundation
import SGPSupport

/// A GP's availability (`/availability`), made for a phone: the usual week as large tick boxes, time
/// away (holidays) as ranges of days, one day's change, and every exception listed with its own
/// Remove button.
struct AvailabilityPage: Sendable {
    /// An exception to the usual week as the list shows it; `code` names it to the Remove button.
    struct Exception: Sendable {
        var text: String
        var code: String
    }

    var page: PageChrome
    /// When each part of the day runs in the GP's organisation ("Morning 08:00–13:00, …").
    var timesText: String
    /// One group of tick boxes per weekday (`weekly-monday` …).
    var week: [FormField]
    /// One day's exception: the date, its parts, available or not.
    var dayFields: [FormField]
    /// "Remove all exceptions", when there are any.
    var clearFields: [FormField]
    /// A range of days away: first and last day.
    var awayFields: [FormField]
    var exceptions: [Exception]
    var hasExceptions: Bool

    /// `posted` and `errors` come back from whichever form was sent (`form`): the week's or the time away's.
    init(
        page: PageChrome, view: AvailabilityView, today: Day, posted: FormFields? = nil, form: PostedForm = .week,
        errors: ValidationErrors = ValidationErrors()
    ) {
        let availability = view.availability
        self.page = page
        timesText = DayPart.allCases.map {
            let span = view.times.span($0)
            return "\($0.title) \(ClockTime.format(span.startMinute))–\(ClockTime.format(span.endMinute))"
        }.joined(separator: ", ")
        exceptions = Self.exceptions(availability, from: today)
        hasExceptions = !exceptions.isEmpty
        let fields = AvailabilityForm.declaration(hasExceptions: hasExceptions).rendered(
            current: AvailabilityForm.current(availability), posted: form == .week ? posted : nil,
            errors: form == .week ? errors : ValidationErrors())
        week = fields.filter { $0.name.hasPrefix("weekly-") }
        dayFields = fields.filter { $0.name.hasPrefix("exception") }
        clearFields = fields.filter { $0.name == "clearExceptions" }
        awayFields = AwayForm.declaration.rendered(
            current: AwayForm.Input(), posted: form == .away ? posted : nil,
            errors: form == .away ? errors : ValidationErrors())
    }

    enum PostedForm: Sendable { case week, away }

    /// Exceptions that still matter (ending today or later), soonest first: each range, and each
    /// day's dated entries together.
    static func exceptions(_ availability: Availability, from today: Day) -> [Exception] {
        var listed: [(start: Day, exception: Exception)] = []
        for range in availability.ranges where range.to >= today {
            guard let id = range.id else { continue }
            let text =
                range.from == range.to
                ? "Not available on \(range.from.displayText)"
                : "Not available from \(range.from.displayText) to \(range.to.displayText)"
            listed.append((range.from, Exception(text: text, code: code(.range(id: id)))))
        }
        let byDay = Dictionary(grouping: availability.dates.filter { $0.date >= today }, by: \.date)
        for (day, entries) in byDay {
            func parts(_ available: Bool) -> String? {
                let parts = DayPart.allCases.filter { part in
                    entries.contains { $0.available == available && $0.dayParts.contains(part) }
                }
                return parts.isEmpty ? nil : parts.map(\.title).joined(separator: ", ")
            }
            let says = [
                parts(false).map { "\($0): not available" }, parts(true).map { "\($0): available" },
            ].compactMap { $0 }.joined(separator: "; ")
            listed.append((day, Exception(text: "\(day.displayText) – \(says)", code: code(.day(day)))))
        }
        return listed.sorted { ($0.start, $0.exception.code) < ($1.start, $1.exception.code) }.map(\.exception)
    }

    /// How a Remove button names its exception: `day-2027-01-06` or `range-12`.
    static func code(_ exception: Availability.Exception) -> String {
        switch exception {
        case .day(let day): "day-\(day)"
        case .range(let id): "range-\(id)"
        }
    }

    static func exception(code: String) -> Availability.Exception? {
        if code.hasPrefix("day-"), let day = Day(String(code.dropFirst(4))) { return .day(day) }
        if code.hasPrefix("range-"), let id = Int64(code.dropFirst(6)) { return .range(id: id) }
        return nil
    }
}

/// The week's form: the usual week, one day's exception, and removing every exception. Its field
/// names are kept from before (`weekly-monday`, `exceptionDate`, …): pages and scripts post them.
enum AvailabilityForm {
    typealias Field = FormDeclaration<AvailabilityChange>.Field

    static func declaration(hasExceptions: Bool) -> FormDeclaration<AvailabilityChange> {
        let parts: [(String, String)] = DayPart.choices.map { ($0.code, $0.title) }
        let week: [Field?] = Weekday.allCases.map { weekday in
            Field.checkboxes("weekly-\(weekday.rawValue)", weekday.title, \.weekly[weekday], choices: parts)
        }
        let day: [Field?] = [
            .date("exceptionDate", "Date", \.exceptionDate, hint: "YYYY-MM-DD"),
            .checkboxes("exceptionParts", "Parts of that day", \.exceptionParts, choices: parts),
            .choice("exceptionAvailable", "On that date I am", \.exceptionAvailableCode, of: DayAvailability.self),
            hasExceptions ? .checkbox("clearExceptions", "Remove all exceptions", \.clearExceptions) : nil,
        ]
        return FormDeclaration(week + day)
    }

    /// The saved week as the form shows it.
    static func current(_ availability: Availability) -> AvailabilityChange {
        var change = AvailabilityChange()
        for entry in availability.weekly {
            guard let weekday = Weekday(number: entry.weekday) else { continue }
            change.weekly[weekday] = entry.dayParts.map(\.rawValue)
        }
        return change
    }
}

/// Whether a GP can or cannot work on a date they name.
enum DayAvailability: String, CaseIterable, Labelled, Sendable {
    case notAvailable = "false"
    case available = "true"

    var title: String {
        switch self {
        case .notAvailable: "Not available"
        case .available: "Available"
        }
    }
}

extension AvailabilityChange {
    /// Available or not, as the form's choice holds it.
    var exceptionAvailableCode: String? {
        get { exceptionAvailable ? DayAvailability.available.rawValue : DayAvailability.notAvailable.rawValue }
        set { exceptionAvailable = newValue == DayAvailability.available.rawValue }
    }
}

/// Time away: a range of days the GP cannot work at all.
enum AwayForm {
    struct Input {
        var from: String?
        var to: String?
    }

    static var declaration: FormDeclaration<Input> {
        FormDeclaration([
            .date("from", "First day away", \.from, hint: "YYYY-MM-DD"),
            .date("to", "Last day away", \.to, hint: "YYYY-MM-DD; the same as the first day for a single day"),
        ])
    }
}
