import Foundation
import SGPSupport

/// One version of a progress report (`/support/cases/{id}/reports/{version}`), laid out to print alone.
struct ProgressReportPage: Sendable {
    var page: PageChrome
    var gpName: String
    var referringBody: String
    var version: Int
    var body: String
    var written: String
    var caseLink: String

    init(page: PageChrome, view: SupportCaseView, report: ProgressReport) {
        self.page = page
        gpName = view.gpName
        referringBody = report.referringBody
        version = report.version
        body = report.body
        written = Day(report.writtenAt).displayText
        caseLink = "/support/cases/\(view.supportCase.id!)"
    }
}
