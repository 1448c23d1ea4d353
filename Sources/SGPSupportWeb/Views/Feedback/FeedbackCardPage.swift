import Foundation
import SGPSupport

/// A card's page (`/feedback/cards/{id}`, or the emailed link). For its author before submission:
/// the form, kept as typed after an error. After: the card as submitted, and what the person
/// looking may do with it (the domain's `FeedbackCardRights`).
struct FeedbackCardPage: Sendable {
    /// Which of the page's forms came back refused: only that one shows what was posted.
    enum Form: Sendable {
        case card, addendum, appraisal, raiseConcern, handling
    }

    struct RatingOption: Sendable {
        var id: String
        var value: String
        var label: String
        var checked: Bool
    }

    struct BoxRow: Sendable {
        var key: String
        var title: String
        var rated: Bool
        var options: [RatingOption]
        var ratingText: String
        var commentLabel: String
        var comment: String
        var error: String?
    }

    struct AddendumRow: Sendable {
        var date: String
        var text: String
    }

    struct ConcernPanel: Sendable {
        var id: Int64
        var severity: String
        var serious: Bool
        var details: String?
        var raised: String
        var isOpen: Bool
        var contactMadeOn: String?
        var response: String?
        var outcome: String?
        var outcomeOn: String?
        var canHandle: Bool
        var fields: [FormField]
        /// The GP's mentor: the case this concern opened, or the button to open one.
        var supportCaseLink: String?
        var canOpenSupportCase: Bool
    }

    var page: PageChrome
    var cardId: Int64
    var heading: String
    var about: String
    var formAction: String
    var editable: Bool
    var byLink: Bool
    var status: String
    var reminder: String
    var nextStage: String
    var contactLine: String?
    var boxes: [BoxRow]
    var fields: [FormField]
    var concernFields: [FormField]
    var overallComment: String?
    var discussFurther: Bool
    var submittedText: String?
    var addenda: [AddendumRow]
    var hasAddenda: Bool
    var canAddAddendum: Bool
    var addendumFields: [FormField]
    var canMarkForAppraisal: Bool
    var useForAppraisal: Bool
    var reflection: String?
    var reflectionFields: [FormField]
    var canRaiseConcern: Bool
    var concern: ConcernPanel?

    /// `token` is the emailed link's, when the card was opened through it.
    init(
        page: PageChrome, view: FeedbackCardView, rights: FeedbackCardRights, token: String?,
        posted: (form: Form, fields: FormFields)? = nil, errors: ValidationErrors = ValidationErrors()
    ) {
        func shown(_ form: Form) -> FormFields? { posted?.form == form ? posted?.fields : nil }
        let card = view.card
        let aboutGP = card.direction == .practiceAboutGP
        let current = FeedbackSubmission(current: card)
        self.page = page
        cardId = card.id!
        heading = aboutGP ? "Feedback on \(view.gpName)" : "Feedback on \(view.practiceName)"
        about =
            "\(view.sessionKind) session at \(view.practiceName) on \(view.sessionDate.displayText), \(view.sessionTime)"
            + (aboutGP ? " with \(view.gpName)" : "")
        formAction = token.map { "/feedback/\($0)" } ?? "/feedback/cards/\(card.id!)"
        editable = rights.may.contains(.edit)
        byLink = token != nil
        status = card.status.title
        reminder = AppDatabase.constructiveReminder
        nextStage = AppDatabase.nextStageText
        contactLine =
            aboutGP
            ? view.gpPhone.map { "\(view.gpName)'s phone: \($0). If something is worth a conversation, call them first." }
            : view.practicePhone.map {
                "\(view.practiceName)'s phone: \($0). If something is worth a conversation, call the practice."
            }

        let boxFields = FeedbackCardForm.boxes(card.boxes).rendered(current: current, posted: shown(.card), errors: errors)
        let byName = Dictionary(boxFields.map { ($0.name, $0) }) { first, _ in first }
        boxes = card.boxes.map { box in
            let rating = byName["rating-\(box.key)"]
            let comment = byName["comment-\(box.key)"]
            return BoxRow(
                key: box.key, title: box.title, rated: box.rated,
                options: (rating?.options ?? []).map {
                    RatingOption(
                        id: "rating-\(box.key)-\($0.value.isEmpty ? "none" : $0.value)", value: $0.value, label: $0.label,
                        checked: $0.selected)
                },
                ratingText: FeedbackRating.label(card.answer(box.key)?.rating), commentLabel: comment?.label ?? box.title,
                comment: comment?.value ?? "", error: errors[box.key])
        }
        fields = FeedbackCardForm.closing(card.direction).rendered(current: current, posted: shown(.card), errors: errors)
        concernFields = FeedbackCardForm.concern.rendered(
            current: FeedbackCardForm.noConcern, posted: shown(.card) ?? shown(.raiseConcern), errors: errors)
        overallComment = card.comment
        discussFurther = card.discussFurther
        submittedText = card.submittedAt.map { "Submitted on \(Day($0).displayText). A submitted card is final." }
        addenda = view.addenda.map { AddendumRow(date: Day($0.createdAt).displayText, text: $0.text) }
        hasAddenda = !view.addenda.isEmpty
        canAddAddendum = rights.may.contains(.addAddendum)
        addendumFields = AddendumInput.declaration.rendered(
            current: AddendumInput(), posted: shown(.addendum), errors: errors)
        canMarkForAppraisal = rights.may.contains(.markForAppraisal)
        useForAppraisal = card.useForAppraisal
        reflection = card.reflection
        reflectionFields = AppraisalReflectionInput.declaration.rendered(
            current: AppraisalReflectionInput(reflection: card.reflection), posted: shown(.appraisal), errors: errors)
        canRaiseConcern = rights.may.contains(.raiseConcern)
        concern = view.concern.map { concern in
            ConcernPanel(
                id: concern.id!, severity: concern.severity.title, serious: concern.severity == .serious,
                details: concern.details, raised: Day(concern.raisedAt).displayText, isOpen: concern.isOpen,
                contactMadeOn: concern.contactMadeOn?.displayText, response: concern.response,
                outcome: concern.outcome?.title, outcomeOn: concern.outcomeOn?.displayText,
                canHandle: rights.may.contains(.handleConcern),
                fields: ConcernHandlingForm.declaration.rendered(
                    current: ConcernHandlingInput(current: concern), posted: shown(.handling), errors: errors),
                supportCaseLink: rights.supportCaseId.map { "/support/cases/\($0)" },
                canOpenSupportCase: rights.may.contains(.openSupportCase))
        }
    }
}
