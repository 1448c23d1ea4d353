import Foundation
import SGPSupport

/// Before the send, which cannot be called back (`/mailshots/{id}/send`): to how many and with what,
/// the one button that sends, and first a test copy to the signed-in person's own address, as a GP
/// they choose by name would get it.
struct MailshotSendPage: Sendable {
    var page: PageChrome
    var id: Int64
    var heading: String
    var recipients: Int
    /// "72 recipients", "1 recipient".
    var recipientsText: String
    /// "News: Flu clinics", "Education event: Study day".
    var items: [String]
    var hasItems: Bool
    var testCopyField: FormField
    /// Where a test copy goes: the person's own address (from their sign-in, not chosen on the page).
    var testCopyTo: String

    init(page: PageChrome, view: MailshotView, recipients: Int, readers: [MailshotGPReader], ownAddress: String) {
        self.page = page
        id = view.mailshot.id!
        heading = "Send the mailshot for \(view.mailshot.isoWeek.displayText)?"
        self.recipients = recipients
        recipientsText = MailshotPage.countText(recipients)
        items = view.items.map { "\($0.kind.title): \($0.title)" }
        hasItems = !view.items.isEmpty
        testCopyField = MailshotReaderChoice.field(
            "gpId", "As this GP would get it", readers: readers, selected: readers.first?.gpId,
            none: "No GP in particular (as the archive reads)")
        testCopyTo = ownAddress
    }
}
