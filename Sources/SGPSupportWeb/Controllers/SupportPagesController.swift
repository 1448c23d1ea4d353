import Foundation
import Hummingbird
import SGPSupport

/// The mentor support pages: the caseload with the open-case and pastoral forms, a case, a printable
/// progress report, and the anonymised annual account.
struct SupportPagesController {
    let database: AppDatabase
    let renderer: PageRenderer

    struct CaseRow: Sendable {
        var id: Int64
        var gpName: String
        var routeIn: String
        var opened: String
        var status: String
        var restriction: String?
    }

    struct ContactRow: Sendable {
        var date: String
        var gpName: String
        var topic: String
        var signpostedTo: String?
    }

    struct CaseloadPage: Sendable {
        var page: PageChrome
        var cases: [CaseRow]
        var hasCases: Bool
        var isMentor: Bool
        var openFields: [FormField]
        var pastoralFields: [FormField]
        var contacts: [ContactRow]
        var hasContacts: Bool
    }

    struct Line: Sendable {
        var label: String
        var value: String
    }

    struct ReportRow: Sendable {
        var version: Int
        var referringBody: String
        var written: String
        var link: String
    }

    struct CasePage: Sendable {
        var page: PageChrome
        var caseId: Int64
        var heading: String
        var isMentor: Bool
        var isSubject: Bool
        var summary: [Line]
        var metrics: [Line]
        var hasMetrics: Bool
        var concernLink: String?
        var meetings: [Line]
        var hasMeetings: Bool
        var meetingFields: [FormField]
        var plan: [Line]
        var hasPlan: Bool
        var planFields: [FormField]
        var reports: [ReportRow]
        var hasReports: Bool
        var reportFields: [FormField]
        var caseFields: [FormField]
    }

    struct ReportPage: Sendable {
        var page: PageChrome
        var gpName: String
        var report: ProgressReport
        var written: String
        var caseLink: String
    }

    struct AccountPage: Sendable {
        var page: PageChrome
        var organisationId: Int64
        var year: Int
        var rows: [Line]
        var csvLink: String
        var threshold: Int
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/support", use: caseload)
        router.post("/support/cases", use: openCase)
        router.post("/support/pastoral-contacts", use: logPastoral)
        router.get("/support/cases/:id", use: showCase)
        router.post("/support/cases/:id", use: updateCase)
        router.post("/support/cases/:id/meetings", use: addMeeting)
        router.post("/support/cases/:id/plan", use: savePlan)
        router.post("/support/cases/:id/reports", use: writeReport)
        router.get("/support/cases/:id/reports/:version", use: showReport)
        router.post("/feedback/concerns/:id/support-case", use: openFromConcern)
        router.get("/support/annual-account", use: annualAccount)
    }

    // MARK: Caseload

    @Sendable func caseload(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderCaseload(context: context, notice: Notice.from(request))
    }

    private func renderCaseload(
        context: AppRequestContext, form: FormFields? = nil, errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let views = try await database.supportCases(by: principal)
        let mentees = try await database.mentees(by: principal)
        let menteeChoices = [("", "Choose a GP")] + mentees.map { (String($0.id), $0.name) }
        let contacts = principal.reach.mentors ? try await database.pastoralContacts(by: principal) : []
        let today = database.clock.today.description
        let model = CaseloadPage(
            page: PageChrome(title: "Support", context: context, path: "/support", errors: errors, notice: notice),
            cases: views.map {
                CaseRow(
                    id: $0.supportCase.id!, gpName: $0.gpName, routeIn: $0.supportCase.routeIn.title,
                    opened: $0.supportCase.openedOn.displayText,
                    status: $0.supportCase.outcome.map { "Closed: \($0.title)" } ?? "Open",
                    restriction: $0.supportCase.workRestriction)
            },
            hasCases: !views.isEmpty, isMentor: principal.reach.mentors,
            openFields: [
                .select("gpId", "GP", value: form?.text("gpId"), choices: menteeChoices, errors: errors),
                .select(
                    "routeIn", "How it began", value: form?.text("routeIn"),
                    choices: SupportCase.RouteIn.allCases.map { ($0.rawValue, $0.title) }, errors: errors),
                .text("toldOn", "Date the GP was told", value: form?.text("toldOn") ?? today, errors: errors, type: "date"),
                .text("toldBy", "Told by", value: form?.text("toldBy"), errors: errors, hint: "Name and role"),
            ],
            pastoralFields: [
                .select("pastoral-gpId", "GP", value: form?.text("pastoral-gpId"), choices: menteeChoices, errors: errors),
                .text("date", "Date", value: form?.text("date") ?? today, errors: errors, type: "date"),
                .text("topic", "Topic", value: form?.text("topic"), errors: errors, hint: "A few words; no case needed"),
                .text("signpostedTo", "Signposted to (optional)", value: form?.text("signpostedTo"), errors: errors),
            ],
            contacts: contacts.map {
                ContactRow(
                    date: $0.contact.date.displayText, gpName: $0.gpName, topic: $0.contact.topic,
                    signpostedTo: $0.contact.signpostedTo)
            }, hasContacts: !contacts.isEmpty)
        return renderer.render("support", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func openCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            let opened = try await database.openSupportCase(
                SupportCaseInput(
                    gpId: Int64(form.text("gpId")), routeIn: form["routeIn"], toldOn: form["toldOn"], toldBy: form["toldBy"]),
                by: principal)
            return .seeOther("/support/cases/\(opened.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCaseload(context: context, form: form, errors: errors)
        }
    }

    @Sendable func logPastoral(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            guard let gpId = Int64(form.text("pastoral-gpId")) else {
                throw DomainError.validationFailed(ValidationErrors(field: "pastoral-gpId", message: "Choose the GP"))
            }
            _ = try await database.logPastoralContact(
                gpId: gpId, date: form["date"], topic: form["topic"], signpostedTo: form["signpostedTo"], by: principal)
            return .seeOther("/support?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCaseload(context: context, form: form, errors: errors)
        }
    }

    @Sendable func openFromConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let opened = try await database.openSupportCase(fromConcern: try context.pathID(), by: principal)
        return .seeOther("/support/cases/\(opened.id!)?done=saved")
    }

    // MARK: A case

    @Sendable func showCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderCase(context: context, notice: Notice.from(request))
    }

    private func renderCase(
        context: AppRequestContext, form: FormFields? = nil, errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.supportCase(id: try context.pathID(), by: principal)
        let supportCase = view.supportCase
        let id = supportCase.id!
        let isMentor = view.reader == .mentor
        let metrics = view.reader == .subject ? [] : try await database.supportMetrics(caseId: id, by: principal)
        let supervisors =
            isMentor ? try await database.educationalSupervisors(organisationId: supportCase.organisationId, by: principal) : []
        func number(_ value: Double?) -> String { value.map { $0 == $0.rounded() ? String(Int($0)) : String($0) } ?? "–" }
        func field(_ name: String, _ stored: String?) -> String? { form.map { $0.text(name) } ?? stored }
        let plan = view.plan
        let model = CasePage(
            page: PageChrome(
                title: "Support case", context: context, path: "/support", errors: errors, notice: notice),
            caseId: id, heading: "Support for \(view.gpName)", isMentor: isMentor, isSubject: view.reader == .subject,
            summary: [
                Line(label: "How it began", value: supportCase.routeIn.title),
                Line(label: "Opened", value: supportCase.openedOn.displayText),
                Line(label: "GP told", value: "\(supportCase.toldOn.displayText), by \(supportCase.toldBy)"),
                Line(
                    label: "Support offered",
                    value: supportCase.signposts.isEmpty
                        ? "None recorded" : supportCase.signposts.map(\.title).joined(separator: ", ")),
                Line(label: "Work restriction", value: supportCase.workRestriction ?? "None"),
                Line(
                    label: "Status",
                    value: supportCase.outcome.map { "Closed \(supportCase.closedOn?.displayText ?? ""): \($0.title)" } ?? "Open"),
            ],
            metrics: metrics.map {
                Line(
                    label: $0.measure,
                    value:
                        "\(number($0.value)) — organisation: lower quartile \(number($0.lowerQuartile)), median \(number($0.median)), upper quartile \(number($0.upperQuartile)) (\($0.gps) GPs)"
                )
            }, hasMetrics: !metrics.isEmpty,
            concernLink: view.concernCardId.map { "/feedback/cards/\($0)" },
            meetings: view.meetings.map { Line(label: $0.date.displayText, value: $0.notes) },
            hasMeetings: !view.meetings.isEmpty,
            meetingFields: [
                .text(
                    "date", "Date", value: form?.text("date") ?? database.clock.today.description, errors: errors, type: "date"),
                .textarea("notes", "Notes", value: form?.text("notes"), errors: errors),
            ],
            plan: plan.map {
                [
                    Line(label: "Objectives", value: $0.objectives),
                    Line(label: "Activities", value: $0.activities ?? "–"),
                    Line(label: "Educational supervisor", value: view.supervisorName ?? "Not yet chosen"),
                    Line(label: "Reviews", value: $0.reviewDates.map(\.displayText).joined(separator: ", ")),
                    Line(label: "Completed", value: $0.completedOn?.displayText ?? "Not yet"),
                ]
            } ?? [], hasPlan: plan != nil,
            planFields: [
                .textarea("plan.objectives", "Objectives", value: field("plan.objectives", plan?.objectives), errors: errors),
                .textarea("plan.activities", "Activities", value: field("plan.activities", plan?.activities), errors: errors),
                .select(
                    "plan.supervisorId", "Educational supervisor",
                    value: field("plan.supervisorId", plan?.supervisorId.map(String.init)),
                    choices: [("", "Choose")] + supervisors.map { (String($0.id), $0.name) }, errors: errors),
                .text(
                    "plan.reviewDates", "Review dates",
                    value: field("plan.reviewDates", plan?.reviewDates.map(\.description).joined(separator: ", ")),
                    errors: errors, hint: "YYYY-MM-DD, separated by commas"),
                .text(
                    "plan.completedOn", "Completed on (optional)",
                    value: field("plan.completedOn", plan?.completedOn?.description), errors: errors, type: "date"),
            ],
            reports: view.reports.map {
                ReportRow(
                    version: $0.version, referringBody: $0.referringBody, written: Day($0.writtenAt).displayText,
                    link: "/support/cases/\(id)/reports/\($0.version)")
            }, hasReports: !view.reports.isEmpty,
            reportFields: [
                .text(
                    "referringBody", "For", value: form?.text("referringBody") ?? view.reports.first?.referringBody,
                    errors: errors),
                .textarea("body", "Report", value: form?.text("body"), errors: errors),
            ],
            caseFields: [
                .checkboxes(
                    "signposts", "Support offered", selected: supportCase.signposts.map(\.rawValue),
                    choices: SupportCase.Signpost.allCases.map { ($0.rawValue, $0.title) }, errors: errors),
                .text(
                    "workRestriction", "Work restriction (optional)",
                    value: field("workRestriction", supportCase.workRestriction), errors: errors,
                    hint: "A condition on the GP's work. The liaison officer sees this, and only this, while the case is open."),
                .select(
                    "outcome", "Outcome", value: field("outcome", supportCase.outcome?.rawValue),
                    choices: [("", "Still open")] + SupportCase.Outcome.allCases.map { ($0.rawValue, $0.title) }, errors: errors),
            ])
        return renderer.render("support-case", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// A form posted from the case page: done, back with a notice; refused, the page with the messages.
    private func caseAction(
        _ request: Request, context: AppRequestContext, perform: (Int64, FormFields, Principal) async throws -> Void
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        do {
            try await perform(id, form, principal)
            return .seeOther("/support/cases/\(id)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCase(context: context, form: form, errors: errors)
        }
    }

    @Sendable func updateCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context) { id, form, principal in
            var update = SupportCaseUpdate()
            update.signposts = form.all("signposts")
            update.workRestriction = form.text("workRestriction")
            update.outcome = form.text("outcome")
            _ = try await database.updateSupportCase(id: id, update, by: principal)
        }
    }

    @Sendable func addMeeting(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context) { id, form, principal in
            _ = try await database.addSupportMeeting(caseId: id, date: form["date"], notes: form["notes"], by: principal)
        }
    }

    @Sendable func savePlan(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context) { id, form, principal in
            var plan = SupportCaseUpdate.PlanInput()
            plan.objectives = form.text("plan.objectives")
            plan.activities = form.text("plan.activities")
            plan.supervisorId = Int64(form.text("plan.supervisorId"))
            plan.reviewDates = form.text("plan.reviewDates").split(separator: ",").map(String.init)
            plan.completedOn = form.text("plan.completedOn")
            var update = SupportCaseUpdate()
            update.plan = plan
            _ = try await database.updateSupportCase(id: id, update, by: principal)
        }
    }

    @Sendable func writeReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context) { id, form, principal in
            _ = try await database.writeProgressReport(
                caseId: id, referringBody: form["referringBody"], body: form["body"], by: principal)
        }
    }

    @Sendable func showReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.supportCase(id: try context.pathID(), by: principal)
        guard let version = context.parameters.get("version", as: Int.self),
            let report = view.reports.first(where: { $0.version == version })
        else { throw DomainError.notFound("This case has no report of that version") }
        return renderer.render(
            "support-report",
            ReportPage(
                page: PageChrome(title: "Progress report, version \(version)", context: context, path: "/support"),
                gpName: view.gpName, report: report, written: Day(report.writtenAt).displayText,
                caseLink: "/support/cases/\(view.supportCase.id!)"))
    }

    // MARK: The annual account

    @Sendable func annualAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (organisationId, year) = try SupportAPIController.accountQuery(request, today: database.clock.today)
        let rows = try await database.supportAnnualAccount(organisationId: organisationId, year: year, by: principal)
        func shown(_ row: AccountRow) -> String {
            row.suppressed ? "fewer than \(AppDatabase.suppressionThreshold)" : row.value.map { String(format: "%g", $0) } ?? "–"
        }
        if request.uri.queryParameters.get("format") == "csv" {
            let lines = [["measure", "value"]] + rows.map { [$0.measure, $0.suppressed ? "suppressed" : shown($0)] }
            let text = lines.map { $0.map(ReportsController.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
            return .download(
                Array(text.utf8), filename: "support-annual-account-\(year).csv", contentType: "text/csv; charset=utf-8")
        }
        return renderer.render(
            "support-account",
            AccountPage(
                page: PageChrome(title: "Support: annual account \(year)", context: context, path: "/support"),
                organisationId: organisationId, year: year, rows: rows.map { Line(label: $0.measure, value: shown($0)) },
                csvLink: "/support/annual-account?organisationId=\(organisationId)&year=\(year)&format=csv",
                threshold: AppDatabase.suppressionThreshold))
    }
}
