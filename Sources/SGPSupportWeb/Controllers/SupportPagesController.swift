import Foundation
import Hummingbird
import SGPSupport

/// The mentor support pages: the caseload with the open-case and pastoral forms, a case, a printable
/// progress report, and the anonymised annual account (the models are in Views/Support).
struct SupportPagesController {
    let database: AppDatabase
    let renderer: PageRenderer

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
        context: AppRequestContext, posted: (form: CaseloadPage.Form, fields: FormFields)? = nil,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let model = CaseloadPage(
            page: PageChrome(title: "Support", context: context, path: "/support", errors: errors, notice: notice),
            cases: try await database.supportCases(by: principal), isMentor: principal.reach.mentors,
            mentees: try await database.mentees(by: principal),
            contacts: principal.reach.mentors ? try await database.pastoralContacts(by: principal) : [],
            today: database.clock.today, posted: posted, errors: errors)
        return renderer.render("support", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    @Sendable func openCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            // The choices only shape the rendered field: decoding reads what was posted, and the domain checks it.
            let input = SupportForms.openCase(mentees: []).decode(form, into: SupportForms.newCase(today: database.clock.today))
            let opened = try await database.openSupportCase(input, by: principal)
            return .seeOther("/support/cases/\(opened.id!)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCaseload(context: context, posted: (.openCase, form), errors: errors)
        }
    }

    @Sendable func logPastoral(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            let input = SupportForms.pastoral(mentees: []).decode(form, into: PastoralContactInput())
            guard let gpId = input.gpId.flatMap({ Int64($0) }) else {
                throw DomainError.validationFailed(ValidationErrors(field: "pastoral-gpId", message: "Choose the GP"))
            }
            _ = try await database.logPastoralContact(
                gpId: gpId, date: input.date, topic: input.topic, signpostedTo: input.signpostedTo, by: principal)
            return .seeOther("/support?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCaseload(context: context, posted: (.pastoral, form), errors: errors)
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
        context: AppRequestContext, posted: (form: SupportCasePage.Form, fields: FormFields)? = nil,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.supportCase(id: try context.pathID(), by: principal)
        let id = view.supportCase.id!
        let model = SupportCasePage(
            page: PageChrome(title: "Support case", context: context, path: "/support", errors: errors, notice: notice),
            view: view, metrics: view.reader == .subject ? [] : try await database.supportMetrics(caseId: id, by: principal),
            supervisors: view.reader == .mentor
                ? try await database.educationalSupervisors(organisationId: view.supportCase.organisationId, by: principal)
                : [],
            today: database.clock.today, posted: posted, errors: errors)
        return renderer.render("support-case", model, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    /// A form posted from the case page: done, back with a notice; refused, the page with the messages.
    private func caseAction(
        _ request: Request, context: AppRequestContext, _ form: SupportCasePage.Form,
        perform: (Int64, FormFields, Principal) async throws -> Void
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let fields = try await request.formFields(context: context)
        do {
            try await perform(id, fields, principal)
            return .seeOther("/support/cases/\(id)?done=saved")
        } catch DomainError.validationFailed(let errors) {
            return try await renderCase(context: context, posted: (form, fields), errors: errors)
        }
    }

    @Sendable func updateCase(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context, .details) { id, form, principal in
            let update = SupportCaseForms.details.decode(form, into: SupportCaseUpdate())
            _ = try await database.updateSupportCase(id: id, update, by: principal)
        }
    }

    @Sendable func addMeeting(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context, .meeting) { id, form, principal in
            let meeting = SupportCaseForms.meeting.decode(form, into: SupportMeetingInput())
            _ = try await database.addSupportMeeting(caseId: id, date: meeting.date, notes: meeting.notes, by: principal)
        }
    }

    @Sendable func savePlan(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context, .plan) { id, form, principal in
            var update = SupportCaseUpdate()
            update.plan = SupportCaseForms.plan(supervisors: []).decode(form, into: SupportCaseUpdate.PlanInput())
            _ = try await database.updateSupportCase(id: id, update, by: principal)
        }
    }

    @Sendable func writeReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await caseAction(request, context: context, .report) { id, form, principal in
            let report = SupportCaseForms.report.decode(form, into: ProgressReportInput())
            _ = try await database.writeProgressReport(
                caseId: id, referringBody: report.referringBody, body: report.body, by: principal)
        }
    }

    @Sendable func showReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.supportCase(id: try context.pathID(), by: try context.requirePrincipal())
        guard let version = context.parameters.get("version", as: Int.self),
            let report = view.reports.first(where: { $0.version == version })
        else { throw DomainError.notFound("This case has no report of that version") }
        let page = PageChrome(title: "Progress report, version \(version)", context: context, path: "/support")
        return renderer.render("support-report", ProgressReportPage(page: page, view: view, report: report))
    }

    // MARK: The annual account

    @Sendable func annualAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (organisationId, year) = try SupportAPIController.accountQuery(request, today: database.clock.today)
        let rows = try await database.supportAnnualAccount(organisationId: organisationId, year: year, by: principal)
        if request.uri.queryParameters.get("format") == "csv" {
            return .download(
                Array(AnnualAccountPage.csv(rows).utf8), filename: "support-annual-account-\(year).csv",
                contentType: "text/csv; charset=utf-8")
        }
        let page = PageChrome(title: "Support: annual account \(year)", context: context, path: "/support")
        return renderer.render(
            "support-account", AnnualAccountPage(page: page, organisationId: organisationId, year: year, rows: rows))
    }
}
