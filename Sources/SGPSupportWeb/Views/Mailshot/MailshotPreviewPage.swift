import Foundation
import SGPSupport

/// The mailshot as one GP would get it (`/mailshots/{id}/preview`), with the choice of whose to see
/// by name; with no GP chosen, as the archive reads.
struct MailshotPreviewPage: Sendable {
    var page: PageChrome
    var id: Int64
    /// "As Dr Amelia Hartwell would get it".
    var reader: String
    var subject: String
    var text: String
    var htmlURL: String
    var chooser: FormField

    init(page: PageChrome, mailshotId: Int64, rendered: RenderedMailshot, readers: [MailshotGPReader], gpId: Int64?) {
        self.page = page
        id = mailshotId
        if let gpId {
            let name = readers.first(where: { $0.gpId == gpId })?.name
            reader = "As \(name ?? "the chosen GP") would get it"
        } else {
            reader = "As the archive reads: every session open, for no GP in particular"
        }
        subject = rendered.subject
        text = rendered.text
        htmlURL = "/mailshots/\(mailshotId)/preview.html" + (gpId.map { "?gpId=\($0)" } ?? "")
        chooser = MailshotReaderChoice.field(
            "gpId", "GP to preview as", readers: readers, selected: gpId, none: "No GP in particular (as the archive reads)")
    }
}
