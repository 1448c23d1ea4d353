import Foundation
import SGPSupport

/// A news item or an education event of a draft mailshot: the two add forms on the mailshot's page
/// and the form that changes one (`/mailshot-items/{id}/edit`), each declared once per kind.
enum MailshotItemForm {
    static func declaration(_ kind: MailshotItem.Kind) -> FormDeclaration<MailshotItemInput> {
        switch kind {
        case .news:
            return FormDeclaration<MailshotItemInput>([
                .text("title", "Title", \.title),
                .textarea(
                    "body", "Text", \.body,
                    hint: "Markdown: *emphasis*, **bold**, lists with -, links as [words](https://...)."),
            ])
        case .event:
            return FormDeclaration<MailshotItemInput>([
                .text("title", "Event", \.title),
                .date("eventDate", "Date", \.eventDate),
                .text("place", "Place", \.place),
                .text("cpdHours", "CPD hours", \.cpdHoursText, hint: "A number, like 1.5"),
                .text("bookingLink", "Booking link", \.bookingLink, hint: "A full address, starting https://", type: "url"),
            ])
        }
    }

    /// What an add form posts: its hidden `kind` says which of the two it is (news if it says neither).
    static func decode(_ posted: FormFields) -> MailshotItemInput {
        let kind = MailshotItem.Kind(rawValue: posted.text("kind")) ?? .news
        return declaration(kind).decode(posted, into: MailshotItemInput(kind: posted["kind"], title: nil))
    }

    /// The add form of one kind: empty, or what was posted with its errors when that form came back.
    static func addFields(_ kind: MailshotItem.Kind, posted: FormFields?, errors: ValidationErrors) -> [FormField] {
        let mine = posted.map { MailshotItem.Kind(rawValue: $0.text("kind")) ?? .news } == kind
        return declaration(kind).rendered(
            current: MailshotItemInput(kind: kind.rawValue, title: nil), posted: mine ? posted : nil,
            errors: mine ? errors : ValidationErrors())
    }

    static func editPage(
        chrome: (String) -> PageChrome, item: MailshotItem, posted: FormFields?, errors: ValidationErrors
    ) -> FormPage {
        let what = item.kind == .news ? "news item" : "event"
        return FormPage(
            page: chrome("Change the \(what)"), heading: "Change the \(what) “\(item.title)”",
            action: "/mailshot-items/\(item.id!)/edit",
            fields: declaration(item.kind).rendered(current: MailshotItemInput(current: item), posted: posted, errors: errors),
            submit: "Save changes", cancel: "/mailshots/\(item.mailshotId)")
    }
}

extension MailshotItemInput {
    /// The item as its form shows it before any change.
    init(current item: MailshotItem) {
        self.init(
            kind: item.kind.rawValue, title: item.title, body: item.body, eventDate: item.eventDate?.description,
            place: item.place, cpdHours: item.cpdHours, bookingLink: item.bookingLink)
    }

    /// CPD hours as the form holds them ("1.5"). Words that are not a number reach the domain as a
    /// value outside its range, so it answers with the field's own message.
    var cpdHoursText: String? {
        get { cpdHours.map { String(format: "%g", $0) } }
        set {
            let text = newValue?.trimmingCharacters(in: .whitespaces) ?? ""
            cpdHours = text.isEmpty ? nil : Double(text) ?? -1
        }
    }
}
