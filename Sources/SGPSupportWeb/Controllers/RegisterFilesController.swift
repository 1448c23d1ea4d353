import Foundation
import Hummingbird
import SGPSupport

/// The register's files: import from a page (an uploaded CSV or `.xlsx` file, or pasted rows), and
/// CSV downloads (as people read them, or `?columns=json` for programs).
struct RegisterFilesController {
    let database: AppDatabase
    let renderer: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/register/import", use: importForm)
        router.post("/register/import", use: importFile)
        router.get("/register/gps.csv", use: gpsCSV)
        router.get("/register/practices.csv", use: practicesCSV)
        router.get("/register/checks.csv", use: checksCSV)
        router.get("/register/mailing-list.csv", use: mailingListCSV)
    }

    @Sendable func importForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try context.require(.manageOrganisation(organisationId: try RegisterPages.managedOrganisation(request, principal)))
        return render(context: context, posted: nil, errors: ValidationErrors(), report: nil, status: .ok)
    }

    @Sendable func importFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        let submission = try await request.formSubmission(context: context)
        let form = submission.fields
        let dryRun = form["dryRun"] == "true"
        let pasted = form["csv"] ?? ""
        let upload = submission.files["file"]
        // Problems with the file as a whole are shown beside what was sent: the upload or the paste.
        let field = upload == nil && !pasted.isEmpty ? "csv" : "file"
        let file: Data
        if let upload {
            file = Data(upload.bytes)
        } else if !pasted.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            file = Data(pasted.utf8)
        } else {
            return render(
                context: context, posted: form,
                errors: ValidationErrors(field: "file", message: "Choose a file to upload, or paste the rows"), report: nil,
                status: .unprocessableContent)
        }
        do {
            let report: ImportReport =
                switch RegisterFileKind(rawValue: form.text("kind")) ?? .gps {
                case .gps: try await database.importGPs(organisationId: organisationId, file: file, dryRun: dryRun, by: principal)
                case .practices:
                    try await database.importPractices(organisationId: organisationId, file: file, dryRun: dryRun, by: principal)
                case .checks:
                    try await database.importChecks(organisationId: organisationId, file: file, dryRun: dryRun, by: principal)
                }
            if !report.problems.isEmpty {
                return render(
                    context: context, posted: form,
                    errors: ValidationErrors(
                        field: field,
                        message: "Nothing was imported: correct the \(report.problems.count) problem(s) listed below"),
                    report: report, status: .unprocessableContent)
            }
            return render(
                context: context, posted: dryRun ? form : nil, errors: ValidationErrors(), report: report,
                notice: report.summary, status: .ok)
        } catch DomainError.validationFailed(let errors) {
            return render(
                context: context, posted: form,
                errors: ValidationErrors(field: field, message: errors.entries.first?.message ?? "Check the file"),
                report: nil, status: .unprocessableContent)
        }
    }

    private func render(
        context: AppRequestContext, posted: FormFields?, errors: ValidationErrors, report: ImportReport?,
        notice: String? = nil, status: HTTPResponse.Status
    ) -> Response {
        let model = RegisterImportPage(
            page: PageChrome(
                title: "Import a register file", context: context, path: "/register/import", errors: errors, notice: notice),
            posted: posted, errors: errors, report: report, maximumUploadBytes: context.maxUploadSize)
        return renderer.render("register-import", model, status: status)
    }

    /// The columns an export is asked for: `?columns=json` for the JSON names and codes.
    static func columns(_ request: Request) -> RegisterFileColumns {
        request.uri.queryParameters.get("columns").flatMap(RegisterFileColumns.init(rawValue:)) ?? .labels
    }

    @Sendable func gpsCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        return Self.csv(
            try await database.exportGPs(organisationId: organisationId, columns: Self.columns(request), by: principal),
            filename: "register.csv")
    }

    @Sendable func practicesCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.supervisedOrganisation(request, principal)
        return Self.csv(
            try await database.exportPractices(organisationId: organisationId, columns: Self.columns(request), by: principal),
            filename: "practices.csv")
    }

    @Sendable func checksCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        return Self.csv(
            try await database.exportChecks(organisationId: organisationId, columns: Self.columns(request), by: principal),
            filename: "checks.csv")
    }

    @Sendable func mailingListCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterPages.managedOrganisation(request, principal)
        return Self.csv(
            try await database.exportMailingList(organisationId: organisationId, columns: Self.columns(request), by: principal),
            filename: "mailing-list.csv")
    }

    static func csv(_ text: String, filename: String) -> Response {
        .download(Array(text.utf8), filename: filename, contentType: "text/csv; charset=utf-8")
    }
}
