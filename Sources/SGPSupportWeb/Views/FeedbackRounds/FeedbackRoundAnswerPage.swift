import Foundation
import SGPSupport

/// The questionnaire a colleague's emailed link or a patient's slip opens
/// (`/feedback-rounds/answer/{token}`), with no sign-in: each statement as a row of radios on the
/// five-point scale and "Unable to comment", then two boxes of free text. A link that was used, or
/// whose round has closed, says so instead of showing the form.
struct FeedbackRoundAnswerPage: Sendable {
    struct Option: Sendable {
        var id: String
        var value: String
        var label: String
        var checked: Bool
    }

    struct Question: Sendable {
        /// The radios' name, `item-{code}`.
        var name: String
        var number: String
        var text: String
        var domain: String
        var options: [Option]
    }

    var page: PageChrome
    var heading: String
    var intro: String
    var anonymity: String
    var closedReason: String?
    var answerable: Bool
    var action: String
    var questions: [Question]
    var answersError: String?
    var textFields: [FormField]

    /// `token` is the link's or the slip's code, as the address named it; `posted` and `errors` a
    /// refused answer's.
    init(
        page: PageChrome, questionnaire: FeedbackQuestionnaire, token: String, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) {
        let name = questionnaire.gpName
        self.page = page
        heading = "Feedback on \(name)"
        intro =
            questionnaire.kind == .colleague
            ? "\(name) has worked with you and is collecting colleague feedback for their GMC revalidation. It takes "
                + "about five minutes. Rate each statement from what you have seen of their work, or choose "
                + "\"\(FeedbackAnswersForm.unableToComment)\"."
            : "\(name) would like to know how your appointment went, for their GMC revalidation. It takes about two "
                + "minutes. Rate each statement, or choose \"\(FeedbackAnswersForm.unableToComment)\"."
        anonymity =
            "Your answers are anonymous: \(name) never sees who answered or any single answer, only everyone's answers "
            + "collated into one report by the Sessional GP Support Team."
        closedReason = questionnaire.closedReason
        answerable = questionnaire.closedReason == nil
        action = "/feedback-rounds/answer/\(token)"
        let items = answerable ? questionnaire.items : []
        let fields = FeedbackAnswersForm.ratings(items).rendered(
            current: FeedbackAnswersForm.blank, posted: posted, errors: errors)
        var questions: [Question] = []
        for (index, (item, field)) in zip(items, fields).enumerated() {
            questions.append(
                Question(
                    name: field.name, number: "\(index + 1)", text: item.text, domain: item.domain,
                    options: field.options.map {
                        Option(
                            id: "\(field.name)-\($0.value.isEmpty ? "none" : $0.value)", value: $0.value, label: $0.label,
                            checked: $0.selected)
                    }))
        }
        self.questions = questions
        answersError = errors["answers"]
        textFields =
            answerable
            ? FeedbackAnswersForm.comments.rendered(current: FeedbackAnswersForm.blank, posted: posted, errors: errors)
            : []
    }
}

/// The questionnaire's fields, decoded into the domain's `FeedbackAnswersInput`: a rating for each
/// statement (`item-{code}`: "1" to "5", or empty for "unable to comment") and the two texts.
enum FeedbackAnswersForm {
    static let unableToComment = "Unable to comment"

    /// The five points of the domain's scale, then "unable to comment" (no rating).
    static var ratingChoices: [(String, String)] {
        FeedbackRoundItem.scale.enumerated().map { (String($0.offset + 1), $0.element) } + [("", unableToComment)]
    }

    static func fieldName(_ item: FeedbackRoundItem) -> String { "item-\(item.code)" }

    static func ratings(_ items: [FeedbackRoundItem]) -> FormDeclaration<FeedbackAnswersInput> {
        FormDeclaration(
            items.map { item -> FormDeclaration<FeedbackAnswersInput>.Field? in
                .select(fieldName(item), item.text, \FeedbackAnswersInput.[rating: item.code], choices: ratingChoices)
            })
    }

    static var comments: FormDeclaration<FeedbackAnswersInput> {
        FormDeclaration([
            .textarea(
                "doesWell", "What does this doctor do well?", \.doesWell,
                hint: "Optional. Please do not name anyone, or say anything that would identify a patient."),
            .textarea("couldChange", "What could they do differently?", \.couldChange, hint: "Optional."),
        ])
    }

    static func declaration(_ items: [FeedbackRoundItem]) -> FormDeclaration<FeedbackAnswersInput> {
        var declaration = ratings(items)
        declaration.fields += comments.fields
        return declaration
    }

    static var blank: FeedbackAnswersInput { FeedbackAnswersInput(answers: []) }
}

extension FeedbackAnswersInput {
    /// A statement's rating as its radios hold it: "1" to "5", empty for "unable to comment", nil
    /// before anything was answered (so no radio is chosen for the respondent).
    subscript(rating item: String) -> String? {
        get { answers?.first { $0.item == item }.map { answer in answer.rating.map { String($0) } ?? "" } }
        set {
            let rating = Int((newValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
            var all = answers ?? []
            if let index = all.firstIndex(where: { $0.item == item }) {
                all[index].rating = rating
            } else {
                all.append(Answer(item: item, rating: rating))
            }
            answers = all
        }
    }
}
