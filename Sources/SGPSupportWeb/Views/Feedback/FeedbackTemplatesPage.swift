import Foundation
import SGPSupport

/// The liaison officer's wording of the two cards (`/organisations/{id}/feedback-templates`): one
/// form per direction, each a list of boxes, one a line.
struct FeedbackTemplatesPage: Sendable {
    struct Section: Sendable {
        /// The direction the form posts back (its code), and the card's name.
        var direction: String
        var title: String
        var field: FormField
    }

    var page: PageChrome
    var organisationId: Int64
    var sections: [Section]

    /// `posted` is the direction whose form came back refused, with what was typed.
    init(
        page: PageChrome, organisationId: Int64, templates: [FeedbackTemplate],
        posted: (direction: FeedbackDirection, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        self.page = page
        self.organisationId = organisationId
        sections = templates.map { template in
            let refused = posted?.direction == template.direction
            let fields = FeedbackTemplateInput.declaration.rendered(
                current: FeedbackTemplateInput(current: template), posted: refused ? posted?.fields : nil,
                errors: refused ? errors : ValidationErrors())
            return Section(direction: template.direction.rawValue, title: template.direction.title, field: fields[0])
        }
    }
}

extension FeedbackTemplateInput {
    static let commentOnlyMarker = "(comment only)"

    static var declaration: FormDeclaration<FeedbackTemplateInput> {
        FormDeclaration([
            .textarea(
                "boxes", "Boxes on the card", \.boxesText,
                hint: "One box per line. End a line with “\(commentOnlyMarker)” for a box without a rating.")
        ])
    }

    /// The template as its form shows it before any change.
    init(current template: FeedbackTemplate) {
        self.init(boxes: template.boxes.map { Box(title: $0.title, rated: $0.rated) })
    }

    /// The boxes as the liaison officer types them: one a line, "(comment only)" at the end of a box
    /// without a rating.
    var boxesText: String? {
        get {
            boxes?.map { ($0.title ?? "") + ($0.rated == false ? " \(Self.commentOnlyMarker)" : "") }
                .joined(separator: "\n")
        }
        set {
            boxes = (newValue ?? "").split(whereSeparator: \.isNewline).map { line in
                let text = line.trimmingCharacters(in: .whitespaces)
                let commentOnly = text.lowercased().hasSuffix(Self.commentOnlyMarker)
                return Box(title: commentOnly ? String(text.dropLast(Self.commentOnlyMarker.count)) : text, rated: !commentOnly)
            }
        }
    }
}
