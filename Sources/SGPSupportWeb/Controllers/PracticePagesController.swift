import Foundation
import Hummingbird
import SGPSupport

/// Practice pages: the support team's list, a practice's page with its pack and GP preferences, the
/// pack editor. The pages' models are built in Views/Practice.
struct PracticePagesController {
    let database: AppDatabase
    let renderer: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/practices", use: list)
        router.get("/practices/:id", use: show)
        router.get("/practices/:id/pack", use: packForm)
        router.post("/practices/:id/pack", use: savePack)
        router.post("/practices/:id/preferences", use: setPreference)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        let query = request.uri.queryParameters
        let listing = try await database.practices(
            organisationId: organisationId, text: query.get("text"), locality: query.get("locality"),
            page: PageRequest(perPage: PageRequest.maximumPerPage), by: principal)
        let model = PracticeListPage(
            page: PageChrome(title: "Practices", context: context, path: "/practices"), listing: listing,
            canManage: principal.may(.manageOrganisation(organisationId: organisationId)))
        return renderer.render("practices", model)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderPracticePage(request, context: context, view: try await database.practice(at: context))
    }

    /// Marks a GP (chosen by name) as preferred or not wanted, or clears the mark.
    @Sendable func setPreference(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.practice(at: context)
        let practiceId = view.practice.id!
        let form = try await request.formFields(context: context)
        let input = PreferenceForm.declaration(gps: []).decode(form, into: PreferenceForm.Input())
        let subject: AppDatabase.PreferenceSubject =
            input.gmcNumber.map { .gmcNumber($0) } ?? .chosen(input.gpId.flatMap { Int64($0) })
        do {
            _ = try await database.setPracticePreference(
                practiceId: practiceId, about: subject, choice: input.preference,
                reason: input.reason, by: principal)
            return .seeOther("/practices/\(practiceId)?done=preference-saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderPracticePage(request, context: context, view: view, posted: form, errors: errors)
        }
    }

    private func renderPracticePage(
        _ request: Request, context: AppRequestContext, view: PracticeView, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors()
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = view.practice.id!
        let pack = view.may.contains(.seePack) ? try await database.practicePack(practiceId: practiceId, by: principal) : nil
        let preferences =
            view.may.contains(.seePreferences)
            ? try await database.practicePreferences(practiceId: practiceId, by: principal) : []
        let nameable =
            view.may.contains(.setPreferences) ? try await database.nameableGPs(practiceId: practiceId, by: principal) : []
        let warnings =
            view.may.contains(.seeLateCancellations)
            ? try await database.lateCancellations(practiceId: practiceId, by: principal) : []
        let model = PracticePage(
            page: PageChrome(
                title: view.practice.name, context: context, path: "/practices/\(practiceId)", errors: errors,
                notice: Notice.from(request)),
            view: view, pack: pack, preferences: preferences, nameable: nameable, posted: posted, errors: errors,
            lateCancellations: warnings)
        return renderer.render("practice", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func packForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.practice(at: context)
        try view.require(.editPack)
        let pack = try await database.practicePack(practiceId: view.practice.id!, by: principal)
        return renderPackForm(context: context, practice: view.practice, pack: pack, posted: nil, errors: ValidationErrors())
    }

    @Sendable func savePack(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practice = try await database.practice(at: context).practice
        let form = try await request.formFields(context: context)
        let input = PackForm.declaration.decode(form, into: PackForm.Input())
        do {
            _ = try await database.savePracticePack(practiceId: practice.id!, sections: input.sections, by: principal)
            return .seeOther("/practices/\(practice.id!)?done=pack-saved")
        } catch DomainError.validationFailed(let errors) {
            return renderPackForm(context: context, practice: practice, pack: nil, posted: form, errors: errors)
        }
    }

    private func renderPackForm(
        context: AppRequestContext, practice: Practice, pack: PracticePack?, posted: FormFields?, errors: ValidationErrors
    ) -> Response {
        let model = PackForm.page(
            chrome: PageChrome(
                title: "Practice pack for \(practice.name)", context: context, path: "/practices/\(practice.id!)/pack",
                errors: errors),
            practice: practice, pack: pack, posted: posted, errors: errors)
        return renderer.render("form", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
