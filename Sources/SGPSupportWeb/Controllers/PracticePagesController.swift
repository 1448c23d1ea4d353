import Foundation
import Hummingbird
import SGPSupport

/// Practice pages: the support team's list, a practice's page with its pack and GP preferences,
/// the pack editor.
struct PracticePagesController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct ListPage: Sendable {
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
    }

    struct PackSection: Sendable {
        var title: String
        var text: String
    }

    struct PreferenceRow: Sendable {
        var gpId: Int64
        var gpName: String
        var preference: String
        var reason: String?
    }

    struct PracticePage: Sendable {
        var page: PageChrome
        var practice: Practice
        var pack: [PackSection]
        var hasPack: Bool
        var canEdit: Bool
        /// The practice's own managers (who may send its GPs admission feedback).
        var isOwnPractice: Bool
        var preferences: [PreferenceRow]
        var hasPreferences: Bool
        var preferenceFields: [FormField]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/practices", use: list)
        router.get("/practices/:id", use: show)
        router.get("/practices/:id/pack", use: packForm)
        router.post("/practices/:id/pack", use: savePack)
        router.post("/practices/:id/preferences", use: setPreference)
    }

    /// Marks a GP (by GMC number) as preferred or not wanted, or clears the mark.
    @Sendable func setPreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.practice(at: context)
        let practice = view.practice
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.setPracticePreference(
                practiceId: practice.id!, about: .gmcNumber(form.text("gmcNumber")), choice: form.text("preference"),
                reason: form["reason"], by: principal)
            return .seeOther("/practices/\(practice.id!)?done=preference-saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderPracticePage(request, context: context, view: view, form: form, errors: errors)
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        let query = request.uri.queryParameters
        let page = try await database.practices(
            organisationId: organisationId, text: query.get("text"), locality: query.get("locality"),
            page: PageRequest(perPage: PageRequest.maximumPerPage), by: principal)
        let rows = page.items.map {
            ListPage.Row(id: $0.id!, name: $0.name, odsCode: $0.odsCode, locality: $0.locality, phone: $0.phone)
        }
        let model = ListPage(
            page: PageChrome(title: "Practices", context: context, path: "/practices"), rows: rows, total: page.total,
            canManage: principal.may(.manageOrganisation(organisationId: organisationId)))
        return renderer.render("practices", model)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.practice(at: context)
        return try await renderPracticePage(request, context: context, view: view, form: nil, errors: ValidationErrors())
    }

    private func renderPracticePage(
        _ request: Request, context: AppRequestContext, view: PracticeView, form: FormFields?, errors: ValidationErrors
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = view.practice
        let pack = view.may.contains(.seePack) ? try await database.practicePack(practiceId: practice.id!, by: principal) : nil
        let sections = PracticePack.sections.compactMap { section -> PackSection? in
            guard let text = pack.map({ Self.text(of: $0, section.key) }), !text.isEmpty else { return nil }
            return PackSection(title: section.title, text: text)
        }
        let preferences =
            view.may.contains(.seePreferences)
            ? try await database.practicePreferences(practiceId: practice.id!, by: principal).map {
                PreferenceRow(
                    gpId: $0.preference.gpId, gpName: $0.gpName,
                    preference: $0.preference.preference == .preferred ? "Preferred" : "Not wanted", reason: $0.preference.reason)
            } : []
        let preferenceFields: [FormField] = [
            .text("gmcNumber", "GP's GMC number", value: form?.text("gmcNumber"), errors: errors),
            .select(
                "preference", "Preference", value: form?.text("preference") ?? "preferred",
                choices: [("preferred", "Preferred"), ("not-wanted", "Not wanted"), ("none", "No preference (clear)")],
                errors: errors),
            .text("reason", "Reason (private to the practice and the support team)", value: form?.text("reason"), errors: errors),
        ]
        let model = PracticePage(
            page: PageChrome(
                title: practice.name, context: context, path: "/practices/\(practice.id!)", errors: errors,
                notice: Notice.from(request)),
            practice: practice, pack: sections, hasPack: !sections.isEmpty, canEdit: view.may.contains(.editPack),
            isOwnPractice: view.may.contains(.actAsPractice), preferences: preferences,
            hasPreferences: !preferences.isEmpty, preferenceFields: preferenceFields)
        return renderer.render("practice", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    static func text(of pack: PracticePack, _ key: String) -> String {
        switch key {
        case "arrival": pack.arrival
        case "systems": pack.systems
        case "contacts": pack.contacts
        case "referrals": pack.referrals
        case "protocols": pack.protocols
        default: pack.emergencies
        }
    }

    @Sendable func packForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.practice(at: context)
        let practice = view.practice
        try view.require(.editPack)
        let pack = try await database.practicePack(practiceId: practice.id!, by: principal)
        return renderPackForm(
            context: context, practice: practice, values: { key in pack.map { Self.text(of: $0, key) } },
            errors: ValidationErrors())
    }

    @Sendable func savePack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context).practice
        let form = try await request.formFields(context: context)
        var sections: [String: String] = [:]
        for section in PracticePack.sections { sections[section.key] = form[section.key] ?? "" }
        do {
            _ = try await database.savePracticePack(practiceId: practice.id!, sections: sections, by: principal)
            return .seeOther("/practices/\(practice.id!)?done=pack-saved")
        } catch DomainError.validationFailed(let errors) {
            var response = renderPackForm(context: context, practice: practice, values: { form[$0] }, errors: errors)
            response.status = .unprocessableContent
            return response
        }
    }

    private func renderPackForm(
        context: AppRequestContext, practice: Practice, values: (String) -> String?, errors: ValidationErrors
    ) -> Response {
        let fields = PracticePack.sections.map {
            FormField.textarea($0.key, $0.title, value: values($0.key), errors: errors, hint: $0.hint)
        }
        let path = "/practices/\(practice.id!)/pack"
        let model = FormPage(
            page: PageChrome(title: "Practice pack for \(practice.name)", context: context, path: path, errors: errors),
            heading: "Practice pack for \(practice.name)", action: path, fields: fields, submit: "Save the pack",
            cancel: "/practices/\(practice.id!)")
        return renderer.render("form", model)
    }

}
