import Foundation
import SGPSupport

/// The support team's list of practices (`/practices`).
struct PracticeListPage: Sendable {
    struct Row: Sendable {
        var id: Int64
        var name: String
        var odsCode: String
        var locality: String
        var phone: String?
    }

    var page: PageChrome
    var rows: [Row]
    var total: Int
    var canManage: Bool

    init(page: PageChrome, listing: Page<Practice>, canManage: Bool) {
        self.page = page
        rows = listing.items.map { Row(id: $0.id!, name: $0.name, odsCode: $0.odsCode, locality: $0.locality, phone: $0.phone) }
        total = listing.total
        self.canManage = canManage
    }
}

/// A practice's page (`/practices/{id}`): its details, its pack for those who may read it, and its
/// preferred and not-wanted GPs with the form to mark one.
struct PracticePage: Sendable {
    struct PreferenceRow: Sendable {
        var gpId: Int64
        var gpName: String
        var preference: String
        var reason: String?
    }

    var page: PageChrome
    var practice: Practice
    var phoneLink: String?
    var pack: [SessionPage.PackSection]
    var hasPack: Bool
    var canEdit: Bool
    /// The practice's own managers (who may send its GPs admission feedback).
    var isOwnPractice: Bool
    var preferences: [PreferenceRow]
    var hasPreferences: Bool
    var preferenceFields: [FormField]
    /// Late cancellations on the practice's record (the last six months).
    var lateCancellations: [String]
    var hasLateCancellations: Bool

    /// `pack` and `preferences` are what the domain gave those who may read them (nil and empty otherwise).
    init(
        page: PageChrome, view: PracticeView, pack: PracticePack?, preferences: [PracticePreferenceView],
        nameable: [AppDatabase.NameableGP] = [], posted: FormFields? = nil, errors: ValidationErrors = ValidationErrors(),
        lateCancellations: [LateCancellationListing] = []
    ) {
        self.page = page
        self.lateCancellations = lateCancellations.map(LateCancellationText.line)
        hasLateCancellations = !lateCancellations.isEmpty
        practice = view.practice
        phoneLink = view.practice.phone.flatMap(PracticePlace.telLink)
        self.pack =
            pack.map { saved in
                PracticePack.sections.compactMap { section in
                    let text = PracticePackText.text(of: saved, section.key)
                    return text.isEmpty ? nil : SessionPage.PackSection(title: section.title, text: text)
                }
            } ?? []
        hasPack = !self.pack.isEmpty
        canEdit = view.may.contains(.editPack)
        isOwnPractice = view.may.contains(.actAsPractice)
        self.preferences = preferences.map {
            PreferenceRow(
                gpId: $0.preference.gpId, gpName: $0.gpName, preference: $0.preference.preference.title,
                reason: $0.preference.reason)
        }
        hasPreferences = !self.preferences.isEmpty
        preferenceFields = PreferenceForm.declaration(gps: nameable).rendered(
            current: PreferenceForm.Input(), posted: posted, errors: errors)
    }
}

/// Marking a GP (chosen by name) preferred or not wanted, or clearing the mark.
enum PreferenceForm {
    struct Input {
        var gpId: String?
        /// How the form named the GP before: still read from clients that post it.
        var gmcNumber: String?
        var preference: String? = PracticePreference.Kind.preferred.rawValue
        var reason: String?
    }

    /// The choice that clears a mark: the domain's word for no preference.
    static let clear = "none"

    static func declaration(gps: [AppDatabase.NameableGP]) -> FormDeclaration<Input> {
        FormDeclaration([
            .select(
                "gpId", "GP", \.gpId, choices: [("", "Choose the GP")] + gps.map { (String($0.id), $0.label) },
                hint: "The GPs of this organisation and its partners, by name."),
            .formerName("gmcNumber", of: "gpId", \.gmcNumber),
            .select(
                "preference", "Preference", \.preference,
                choices: PracticePreference.Kind.choices.map { ($0.code, $0.title) } + [(clear, "No preference (clear)")]),
            .text("reason", "Reason (private to the practice and the support team)", \.reason),
        ])
    }
}

/// Editing a practice's pack: one box per section, in the pack's order.
enum PackForm {
    struct Input {
        var sections: [String: String] = [:]
    }

    static var declaration: FormDeclaration<Input> {
        FormDeclaration(
            PracticePack.sections.map { section -> FormDeclaration<Input>.Field? in
                .textarea(section.key, section.title, \.sections[section.key], hint: section.hint)
            })
    }

    static func page(
        chrome: PageChrome, practice: Practice, pack: PracticePack?, posted: FormFields?, errors: ValidationErrors
    ) -> FormPage {
        let path = "/practices/\(practice.id!)/pack"
        return FormPage(
            page: chrome, heading: "Practice pack for \(practice.name)", action: path,
            fields: declaration.rendered(
                current: Input(sections: PracticePackText.sections(of: pack)), posted: posted, errors: errors),
            submit: "Save the pack", cancel: "/practices/\(practice.id!)")
    }
}
