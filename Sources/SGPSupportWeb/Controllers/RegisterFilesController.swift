import Foundation
import Hummingbird
import SGPSupport

/// The register's files: CSV import from a page, and CSV downloads.
struct RegisterFilesController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct ImportPage: Sendable {
        var page: PageChrome
        var fields: [FormField]
        var problems: [String]
        var hasProblems: Bool
        var summary: String?
        var gpColumns: String
        var practiceColumns: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/register/import", use: importForm)
        router.post("/register/import", use: importFile)
        router.get("/register/gps.csv", use: gpsCSV)
        router.get("/register/practices.csv", use: practicesCSV)
        router.get("/register/mailing-list.csv", use: mailingListCSV)
    }

    @Sendable func importForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try context.require(.manageOrganisation(organisationId: try RegisterPages.managedOrganisation(request, principal)))
        return render(context: context, form: nil, errors: ValidationErrors(), problems: [], summary: nil, status: .ok)
    }

    @Sendable func importFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        let form = try await request.formFields(context: context)
        let dryRun = form["dryRun"] == "true"
        let csv = form["csv"] ?? ""
        guard !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return render(
                context: context, form: form, errors: ValidationErrors(field: "csv", message: "Paste the CSV file's contents"),
                problems: [],
                summary: nil, status: .unprocessableContent)
        }
        do {
            let report =
                form["kind"] == "practices"
                ? try await database.importPractices(organisationId: organisationId, csv: csv, dryRun: dryRun, by: principal)
                : try await database.importGPs(organisationId: organisationId, csv: csv, dryRun: dryRun, by: principal)
            if !report.problems.isEmpty {
                return render(
                    context: context, form: form,
                    errors: ValidationErrors(
                        field: "csv",
                        message: "Nothing was imported: correct the \(report.problems.count) problem(s) listed below"),
                    problems: report.problems.map(\.description), summary: nil, status: .unprocessableContent)
            }
            let verb = dryRun ? "Checked: would add" : "Imported: added"
            return render(
                context: context, form: dryRun ? form : nil, errors: ValidationErrors(), problems: [],
                summary: "\(verb) \(report.created) and update \(report.updated).", status: .ok)
        } catch DomainError.validationFailed(let errors) {
            return render(
                context: context, form: form,
                errors: ValidationErrors(field: "csv", message: errors.entries.first?.message ?? "Check the file"),
                problems: [], summary: nil, status: .unprocessableContent)
        }
    }

    private func render(
        context: AppRequestContext, form: FormFields?, errors: ValidationErrors, problems: [String], summary: String?,
        status: HTTPResponse.Status
    ) -> Response {
        let fields: [FormField] = [
            .select(
                "kind", "What the file holds", value: form?.text("kind") ?? "gps",
                choices: [("gps", "GPs"), ("practices", "Practices")],
                errors: errors),
            .textarea(
                "csv", "CSV file contents", value: form?["csv"], errors: errors,
                hint: "Paste the file, header row first. Lists (localities, skills) are separated by semicolons."),
            .checkbox(
                "dryRun", "Check only: report what would change without saving", checked: form?["dryRun"] == "true",
                errors: errors),
        ]
        let model = ImportPage(
            page: PageChrome(
                title: "Import a CSV file", context: context, path: "/register/import", errors: errors, notice: summary),
            fields: fields, problems: problems, hasProblems: !problems.isEmpty, summary: summary,
            gpColumns: RegisterCSV.gpColumns.joined(separator: ","),
            practiceColumns: RegisterCSV.practiceColumns.joined(separator: ","))
        return renderer.render("register-import", model, status: status)
    }

    @Sendable func gpsCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        return Self.csv(try await database.exportGPs(organisationId: organisationId, by: principal), filename: "register.csv")
    }

    @Sendable func practicesCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        return Self.csv(
            try await database.exportPractices(organisationId: organisationId, by: principal), filename: "practices.csv")
    }

    @Sendable func mailingListCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        return Self.csv(
            try await database.exportMailingList(organisationId: organisationId, by: principal), filename: "mailing-list.csv")
    }

    static func csv(_ text: String, filename: String) -> Response {
        .download(Array(text.utf8), filename: filename, contentType: "text/csv; charset=utf-8")
    }
}
