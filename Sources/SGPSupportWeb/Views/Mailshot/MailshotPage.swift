import Foundation
import SGPSupport

/// A mailshot (`/mailshots/{id}`). For the liaison officer: its items with their controls, the forms
/// that add news and events, who it goes to, the preview by a GP's name and the way to the send;
/// while it sends, how far it has gone. For the organisation's GPs and practice managers, once
/// sent: the archive's reading.
struct MailshotPage: Sendable {
    struct Item: Sendable {
        var id: Int64
        var editable: Bool
        var kind: String
        var title: String
        var detail: String
        var first: Bool
        var last: Bool
    }

    struct Failure: Sendable {
        var email: String
        var reason: String
    }

    var page: PageChrome
    var id: Int64
    var heading: String
    var isDraft: Bool
    var isSending: Bool
    var isSent: Bool
    /// Following the sending and going on to send: the liaison officer.
    var canManage: Bool
    var items: [Item]
    var newsFields: [FormField]
    var eventFields: [FormField]
    var includePracticeManagers: Bool
    var recipients: Int
    /// "72 recipients", "1 recipient".
    var recipientsText: String
    var sent: Int
    var pending: Int
    var failed: Int
    var failures: [Failure]
    var hasFailures: Bool
    var archiveText: String?
    var previewField: FormField

    /// `recipients` counts who it would go to now (a draft's); `archiveText` is the reading for those
    /// who are not the support team; `posted` is an add form that came back with `errors`.
    init(
        page: PageChrome, view: MailshotView, recipients: Int, archiveText: String?, readers: [MailshotGPReader],
        posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        let mailshot = view.mailshot
        self.page = page
        id = mailshot.id!
        heading = "Mailshot for \(mailshot.isoWeek.displayText)"
        isDraft = mailshot.status == .draft
        isSending = mailshot.status == .sending
        isSent = mailshot.status == .sent
        canManage = view.may.contains(.send)
        let editable = view.may.contains(.change)
        items = view.items.enumerated().map { index, item in
            Item(
                id: item.id!, editable: editable, kind: item.kind.title, title: item.title, detail: Self.detail(item),
                first: index == 0, last: index == view.items.count - 1)
        }
        newsFields = MailshotItemForm.addFields(.news, posted: posted, errors: errors)
        eventFields = MailshotItemForm.addFields(.event, posted: posted, errors: errors)
        includePracticeManagers = mailshot.includePracticeManagers
        self.recipients = recipients
        recipientsText = Self.countText(recipients)
        sent = view.deliveries.sent
        pending = view.deliveries.pending
        failed = view.deliveries.failed
        failures = view.failures.map { Failure(email: $0.email, reason: $0.reason) }
        hasFailures = !view.failures.isEmpty
        self.archiveText = archiveText
        previewField = MailshotReaderChoice.field(
            "gpId", "GP to preview as", readers: readers, selected: nil, none: "No GP in particular (as the archive reads)",
            hint: "The GPs who get the mailshot, by name")
    }

    /// "72 recipients", "1 recipient".
    static func countText(_ count: Int) -> String { count == 1 ? "1 recipient" : "\(count) recipients" }

    /// An event's date, place and hours; the start of a news item's text.
    static func detail(_ item: MailshotItem) -> String {
        switch item.kind {
        case .news:
            return String((item.body ?? "").prefix(140))
        case .event:
            let hours = item.cpdHours.map { "\(String(format: "%g", $0)) CPD hour\($0 == 1 ? "" : "s")" }
            return [item.eventDate?.displayText, item.place, hours].compactMap { $0 }.joined(separator: " · ")
        }
    }
}
