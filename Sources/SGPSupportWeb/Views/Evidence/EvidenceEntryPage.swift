import Foundation
import SGPSupport

/// An evidence entry's form: title, date, the kind's own detail fields, the practice, tags, a
/// follow-up and sharing. The kind decides the detail fields; a practice's words on an admission
/// it sent stay as it sent them.
enum EvidenceForm {
    /// The details a practice wrote on an admission feedback it sent: shown as sent, never edited.
    static let practiceWords: Set<String> = ["feedback", "admittedOn"]

    /// The detail fields the GP writes.
    static func editableFields(_ kind: EvidenceKind, entry: EvidenceEntry?) -> [DetailField] {
        kind.fields.filter { entry?.sentByPracticeId == nil || !practiceWords.contains($0.key) }
    }

    typealias Field = FormDeclaration<EvidenceInput>.Field

    static func declaration(_ kind: EvidenceKind, entry: EvidenceEntry?, practices: [(id: Int64, name: String)])
        -> FormDeclaration<EvidenceInput>
    {
        // Date fields without a hint of their own show none: `.date`'s default example is a YYYY-MM-DD
        // date, and these pages show no date that way (the browser's date picker takes it).
        let head: [Field?] = [.text("title", "Title", \.title), .text("date", "Date", \.date, type: "date")]
        let details = editableFields(kind, entry: entry).map { field -> Field? in
            let name = "details.\(field.key)"
            let label = field.required ? field.label : "\(field.label) (optional)"
            let keyPath = \EvidenceInput.[detail: field.key]
            return switch field.shape {
            case .paragraph: .textarea(name, label, keyPath, hint: field.hint)
            case .day: .text(name, label, keyPath, hint: field.hint, type: "date")
            case .line, .count, .hours: .text(name, label, keyPath, hint: field.hint)
            }
        }
        let tail: [Field?] = [
            // A reflection's practice is its card's.
            kind == .feedbackReflection
                ? nil
                : .select(
                    "practiceId", "Practice", \.practiceText,
                    choices: [("", "None")] + practices.map { (String($0.id), $0.name) }),
            .text("tags", "Tags (optional)", \.tagsText, hint: "Separate tags with commas, like dermatology, children"),
            .date("followUpOn", "Follow-up date (optional)", \.followUpOn, hint: "We email you a reminder on the day"),
            .checkbox("sharedWithMentor", "Share with my mentor", \.sharedWithMentor),
        ]
        return FormDeclaration(head + details + tail)
    }

    /// What the form posts: the kind is the page's, and the button pressed says draft or complete.
    static func input(_ declaration: FormDeclaration<EvidenceInput>, _ posted: FormFields, kind: EvidenceKind)
        -> EvidenceInput
    {
        var start = EvidenceInput()
        start.kind = kind.rawValue
        var input = declaration.decode(posted, into: start)
        input.draft = posted["action"] == "draft"
        return input
    }
}

extension EvidenceInput {
    /// The entry as its form shows it before any change (a new one dated today).
    init(current entry: EvidenceEntry?, kind: EvidenceKind, today: Day) {
        self.init()
        self.kind = kind.rawValue
        title = entry?.title
        date = (entry?.date ?? today).description
        details = entry?.details
        practiceId = entry?.practiceId.map(LinkChange.set) ?? .clear
        tags = entry?.tags
        followUpOn = entry?.followUpOn?.description
        sharedWithMentor = entry?.sharedWithMentor ?? false
    }

    /// One detail as its field holds it; every field the form shows is sent, so an empty one clears it.
    subscript(detail key: String) -> String? {
        get { details?[key]?.text }
        set {
            var all = details ?? [:]
            all[key] = .text(newValue ?? "")
            details = all
        }
    }

    /// The practice as the form's choice holds it: an id, or empty for none.
    var practiceText: String? {
        get {
            switch practiceId {
            case .set(let id): String(id)
            case .keep, .clear: nil
            }
        }
        set {
            practiceId = Int64((newValue ?? "").trimmingCharacters(in: .whitespaces)).map(LinkChange.set) ?? .clear
        }
    }

    /// Tags as typed: separated by commas.
    var tagsText: String? {
        get { tags?.joined(separator: ", ") }
        set { tags = (newValue ?? "").split(separator: ",").map(String.init) }
    }
}

/// An evidence entry's page (`/evidence/{id}`, `/gps/{id}/evidence/new`): its form for the GP; for
/// their mentor, or the practice that sent it, the entry as it reads.
struct EvidenceEntryPage: Sendable {
    struct Detail: Sendable {
        var label: String
        var value: String
    }

    var page: PageChrome
    var heading: String
    /// The kind the form posts back.
    var kind: String
    var kindTitle: String
    var guidance: String
    var action: String
    var fields: [FormField]
    var canEdit: Bool
    var status: String?
    var isDraft: Bool
    var deleteAction: String?
    var details: [Detail]
    var hasDetails: Bool
    var cardLink: String?
    var backLink: String

    /// `form` is the entry's form when the reader may write it (the GP), nil for a reader;
    /// `posted` what came back refused with `errors`.
    init(
        page: PageChrome, kind: EvidenceKind, entry: EvidenceEntry?, gpId: Int64, form: FormDeclaration<EvidenceInput>?,
        today: Day, readerIsPractice: Bool, posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        heading = entry?.title ?? "New entry: \(kind.title)"
        self.kind = kind.rawValue
        kindTitle = kind.title
        guidance = kind.guidance
        action = entry.map { "/evidence/\($0.id!)" } ?? "/gps/\(gpId)/evidence"
        fields =
            form?.rendered(current: EvidenceInput(current: entry, kind: kind, today: today), posted: posted, errors: errors)
            ?? []
        canEdit = form != nil
        status = entry?.status.title
        isDraft = entry?.status == .draft
        deleteAction = form == nil ? nil : entry.map { "/evidence/\($0.id!)/delete" }
        var shown: [Detail] = []
        if let entry {
            for field in entry.kind.fields {
                guard let value = entry.detail(field.key) else { continue }
                // The owner edits in the form: above it only a practice's own words, as sent.
                if form != nil && (entry.sentByPracticeId == nil || !EvidenceForm.practiceWords.contains(field.key)) {
                    continue
                }
                shown.append(Detail(label: field.label, value: field.displayText(value)))
            }
        }
        details = shown
        hasDetails = !shown.isEmpty
        cardLink = entry?.feedbackCardId.map { "/feedback/cards/\($0)" }
        backLink = readerIsPractice ? "/feedback" : "/gps/\(gpId)/evidence"
    }
}
