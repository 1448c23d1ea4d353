import Foundation
import SGPSupport

/// The register's import page (`/register/import`): a file to upload or rows to paste, what they
/// hold, and after a post either the problems to correct or, row by row, what was (or a dry run
/// would be) added and changed.
struct RegisterImportPage: Sendable {
    var page: PageChrome
    var fields: [FormField]
    var problems: [String]
    var hasProblems: Bool
    var changes: [String]
    var hasChanges: Bool
    var changesHeading: String
    var gpColumns: String
    var checkColumns: String
    var practiceColumns: String

    /// `posted` is the form as sent, kept after a problem or a dry run; nil for an empty form.
    init(page: PageChrome, posted: FormFields?, errors: ValidationErrors, report: ImportReport?, maximumUploadBytes: Int) {
        self.page = page
        let megabytes = max(1, maximumUploadBytes / (1024 * 1024))
        fields = [
            .select(
                "kind", "What the file holds", value: posted?.text("kind") ?? RegisterFileKind.gps.rawValue,
                choices: RegisterFileKind.choices.map { ($0.code, $0.title) }, errors: errors),
            .file(
                "file", "The file", errors: errors,
                hint: "A CSV file or an Excel workbook (.xlsx), up to \(megabytes) MB. In a workbook of GPs, a sheet "
                    + "named Checks records their checks too. After a check, choose the file again to import it.",
                accept: ".csv,.xlsx,.txt,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            .textarea(
                "csv", "Or paste the rows", value: posted?["csv"], errors: errors,
                hint: "Copied from a spreadsheet, or a CSV file's text, heading row first. Lists (localities, skills) "
                    + "are separated by semicolons; dates day first, like 15/05/2026, or year first as the machine form writes them."
            ),
            .checkbox(
                "dryRun", "Check only: list what would change without saving", checked: posted?["dryRun"] == "true",
                errors: errors),
        ]
        problems = report?.problems.map(\.description) ?? []
        hasProblems = !problems.isEmpty
        changes = hasProblems ? [] : report?.changes ?? []
        hasChanges = !changes.isEmpty
        changesHeading = report?.dryRun == true ? "What the import would do" : "What was imported"
        gpColumns = RegisterCSV.columnLabels(.gps).joined(separator: ", ")
        checkColumns = RegisterCSV.columnLabels(.checks).joined(separator: ", ")
        practiceColumns = RegisterCSV.columnLabels(.practices).joined(separator: ", ")
    }
}
