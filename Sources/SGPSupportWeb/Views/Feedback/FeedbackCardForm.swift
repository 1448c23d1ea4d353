import Foundation
import SGPSupport

/// The forms on a card's page. The card's own form is declared from the boxes it was issued with
/// (its organisation's template at the time), so each box's rating and comment are read under the
/// names the page gave them.
enum FeedbackCardForm {
    /// The 5-point scale, then "not observed" (no rating).
    static var ratingChoices: [(String, String)] {
        (1...5).map { (String($0), FeedbackRating.label($0)) } + [("", FeedbackRating.notObserved)]
    }

    /// A rating (for rated boxes) and a comment for each box: `rating-{key}` and `comment-{key}`.
    static func boxes(_ boxes: [FeedbackBox]) -> FormDeclaration<FeedbackSubmission> {
        FormDeclaration(
            boxes.flatMap { box -> [FormDeclaration<FeedbackSubmission>.Field?] in
                [
                    box.rated
                        ? .select("rating-\(box.key)", box.title, \FeedbackSubmission.[rating: box.key], choices: ratingChoices)
                        : nil,
                    .textarea(
                        "comment-\(box.key)", "Comment on \(box.title)" + (box.rated ? " (optional)" : ""),
                        \FeedbackSubmission.[comment: box.key]),
                ]
            })
    }

    /// The overall comment, the wish to talk it over, and (a GP writing about a practice) anonymity.
    static func closing(_ direction: FeedbackDirection) -> FormDeclaration<FeedbackSubmission> {
        FormDeclaration([
            .textarea(
                "comment", "Anything else", \.comment, hint: "Overall comments, what went well and what would help next time."),
            .checkbox(
                "discussFurther", "We would like to discuss this further", \.discussFurther,
                hint: "The support team will contact you to arrange a conversation."),
            direction == .gpAboutPractice
                ? .checkbox(
                    "anonymous", "Do not show my name to the practice", \.anonymous,
                    hint: "The practice then sees your card only combined with others, in batches of "
                        + "\(FeedbackAccess.anonymityThreshold) anonymous cards. The support team still knows who wrote it.")
                : nil,
        ])
    }

    /// Raising the card as a concern: part of the card's form, and its own form once the card is submitted.
    static var concern: FormDeclaration<ConcernInput> {
        FormDeclaration([
            .choice(
                "severity", "Raise this card as a concern?", \.severity, of: FeedbackConcern.Severity.self,
                none: "No, just feedback",
                hint: "A concern goes to the GP mentor and the liaison officer, who will contact you."),
            .textarea("details", "What the concern is about (optional)", \.details),
        ])
    }

    /// Everything the card's form posts, read into one submission.
    static func declaration(_ card: FeedbackCard) -> FormDeclaration<FeedbackSubmission> {
        var declaration = boxes(card.boxes)
        declaration.fields += closing(card.direction).fields + concern.embedded(at: \FeedbackSubmission.concernChoice).fields
        return declaration
    }

    static var blank: FeedbackSubmission { FeedbackSubmission(answers: [], comment: nil, discussFurther: nil) }
    static var noConcern: ConcernInput { ConcernInput(severity: nil, details: nil) }
}

extension FeedbackSubmission {
    /// The card's answers as its form shows them before anything is posted.
    init(current card: FeedbackCard) {
        self.init(
            answers: card.answers.map { Answer(box: $0.box, rating: $0.rating, comment: $0.comment) }, comment: card.comment,
            discussFurther: card.discussFurther, anonymous: card.anonymous)
    }

    /// A box's rating as its radios hold it: "1" to "5", or empty for not observed.
    subscript(rating box: String) -> String? {
        get { answers?.first { $0.box == box }.map { $0.rating.map(String.init) ?? "" } ?? "" }
        set {
            let text = (newValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            changeAnswer(box) { $0.rating = Int(text) }
        }
    }

    subscript(comment box: String) -> String? {
        get { answers?.first { $0.box == box }?.comment }
        set { changeAnswer(box) { $0.comment = newValue } }
    }

    /// Every box the form shows gets an answer, empty when nothing was given (as the API's would be).
    private mutating func changeAnswer(_ box: String, _ change: (inout Answer) -> Void) {
        var all = answers ?? []
        if let index = all.firstIndex(where: { $0.box == box }) {
            change(&all[index])
        } else {
            var answer = Answer(box: box, rating: nil, comment: nil)
            change(&answer)
            all.append(answer)
        }
        answers = all
    }

    /// The concern part of the card's form: no severity chosen means no concern.
    var concernChoice: ConcernInput {
        get { concern ?? FeedbackCardForm.noConcern }
        set {
            let severity = (newValue.severity ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            concern = severity.isEmpty ? nil : newValue
        }
    }
}

/// Recording how a concern was handled (the mentor, the liaison officer).
enum ConcernHandlingForm {
    static var declaration: FormDeclaration<ConcernHandlingInput> {
        FormDeclaration([
            .date("contactMadeOn", "Contact made on", \.contactMadeOn, hint: "When you first spoke to those involved"),
            .textarea("response", "Response", \.response),
            .choice("outcome", "Outcome", \.outcome, of: FeedbackConcern.Outcome.self, none: "Still open"),
            .date("outcomeOn", "Outcome date", \.outcomeOn, hint: "Today if left empty"),
        ])
    }

    static var blank: ConcernHandlingInput {
        ConcernHandlingInput(contactMadeOn: nil, response: nil, outcome: nil, outcomeOn: nil)
    }
}

extension ConcernHandlingInput {
    /// The concern as its form shows it before any change.
    init(current concern: FeedbackConcern) {
        self.init(
            contactMadeOn: concern.contactMadeOn?.description, response: concern.response, outcome: concern.outcome?.rawValue,
            outcomeOn: concern.outcomeOn?.description)
    }
}

/// A dated note the author adds to a submitted card.
struct AddendumInput {
    var text: String?

    static var declaration: FormDeclaration<AddendumInput> {
        FormDeclaration([.textarea("text", "Add a dated addendum", \.text)])
    }
}

/// The GP's reflection on a card they use for appraisal.
struct AppraisalReflectionInput {
    var reflection: String?

    static var declaration: FormDeclaration<AppraisalReflectionInput> {
        FormDeclaration([
            .textarea(
                "reflection", "Your reflection", \.reflection,
                hint: "What you take from this feedback; it goes into your appraisal portfolio with the card.")
        ])
    }
}

extension FormDeclaration {
    /// This form as part of a larger input: its fields show and fill `part` of the whole.
    func embedded<Whole>(at part: WritableKeyPath<Whole, Input>) -> FormDeclaration<Whole> {
        nonisolated(unsafe) let part = part
        var whole = FormDeclaration<Whole>([])
        whole.fields = fields.map { field in
            FormDeclaration<Whole>.Field(
                name: field.name,
                render: { shown, errors in
                    switch shown {
                    case .current(let input): return field.render(.current(input[keyPath: part]), errors)
                    case .posted(let form): return field.render(.posted(form), errors)
                    }
                },
                read: { form, input in field.read(form, &input[keyPath: part]) })
        }
        return whole
    }
}
