import Foundation
import Hummingbird
import SGPSupport

/// The payment pages: a GP's invoices, terms and pay details; a practice's invoices to pay; one
/// invoice (it prints as one A4 page) with what each side may do; its Form A; and the GP's monthly
/// Form B. The models are in Views/Payments; the domain decides who sees and does what.
struct InvoicePagesController {
    let database: AppDatabase
    let renderer: PageRenderer
    let mailer: any MailTransport
    /// Where the invoices' emails link to.
    let links: Links

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/invoices", use: list)
        router.get("/invoices/new", use: newInvoice)
        router.post("/invoices", use: create)
        router.get("/invoices/:id", use: show)
        router.post("/invoices/:id/send", use: send)
        router.post("/invoices/:id/discard", use: discard)
        router.post("/invoices/:id/paid", use: markPaid)
        router.post("/invoices/:id/received", use: confirmReceived)
        router.get("/invoices/:id/form-a", use: formA)
        router.get("/invoices/:id/form-a.csv", use: formACSV)
        router.post("/invoices/:id/form-a/approve", use: approveFormA)
        router.get("/form-b", use: formB)
        router.get("/form-b.csv", use: formBCSV)
        router.get("/terms", use: terms)
        router.post("/terms", use: saveTerms)
        router.post("/pay-details", use: savePayDetails)
    }

    // MARK: Lists and the new invoice

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let invoices = try await database.invoices(status: nil, practiceId: nil, by: principal)
        let invoiceable = principal.reach.isGP ? try await database.invoiceableBookings(by: principal) : []
        let model = InvoicesPage(
            page: PageChrome(title: "Invoices", context: context, path: "/invoices", notice: Notice.from(request)),
            invoices: invoices, invoiceable: invoiceable, viewer: principal, today: database.clock.today)
        return renderer.render("invoices", model)
    }

    @Sendable func newInvoice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        return try await renderNewInvoice(
            context: context, practiceId: query.get("practiceId", as: Int64.self),
            month: query.get("month").flatMap { Month($0) }, posted: nil, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await request.formFields(context: context)
        do {
            let view = try await database.createInvoice(InvoiceForm.decode(form), by: principal)
            return .seeOther("/invoices/\(view.invoice.id!)?done=\(Notice.invoiceCreated.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderNewInvoice(
                context: context, practiceId: nil, month: nil, posted: form, errors: errors, status: .unprocessableContent)
        } catch DomainError.conflict(let message) {
            // A session taken onto another invoice meanwhile (a second tab): the form again, saying so.
            return try await renderNewInvoice(
                context: context, practiceId: nil, month: nil, posted: form,
                errors: ValidationErrors(field: "bookingIds", message: message), status: .conflict)
        }
    }

    private func renderNewInvoice(
        context: AppRequestContext, practiceId: Int64?, month: Month?, posted: FormFields?, errors: ValidationErrors,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let invoiceable = try await database.invoiceableBookings(by: principal)
        let model = NewInvoicePage(
            page: PageChrome(title: "New invoice", context: context, path: "/invoices", errors: errors),
            invoiceable: invoiceable, practiceId: practiceId, month: month, posted: posted, errors: errors)
        return renderer.render("invoice-new", model, status: status)
    }

    // MARK: One invoice

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderInvoice(context: context, id: try context.pathID(), notice: Notice.from(request))
    }

    private func renderInvoice(
        context: AppRequestContext, id: Int64, notice: String? = nil, posted: FormFields? = nil,
        errors: ValidationErrors = ValidationErrors(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let view = try await database.invoice(id: id, by: try context.requirePrincipal())
        let model = InvoicePage(
            page: PageChrome(
                title: "Invoice \(view.invoice.number)", context: context, path: "/invoices", errors: errors, notice: notice),
            view: view, today: database.clock.today, posted: posted, errors: errors)
        return renderer.render("invoice", model, status: status)
    }

    /// An action the invoice's state no longer allows (sent twice, paid already) answers with the
    /// invoice's page saying why (409); a date paid the domain refuses, with the page and its message (422).
    private func orInvoicePage(
        context: AppRequestContext, id: Int64, posted: FormFields? = nil, _ action: () async throws -> Response
    ) async throws -> Response {
        do {
            return try await action()
        } catch DomainError.conflict(let message) {
            return try await renderInvoice(
                context: context, id: id, errors: ValidationErrors(field: InvoicePage.actionsAnchor, message: message),
                status: .conflict)
        } catch DomainError.validationFailed(let errors) {
            return try await renderInvoice(
                context: context, id: id, posted: posted, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orInvoicePage(context: context, id: id) {
            let outcome = try await database.sendInvoice(id: id, by: principal, links: links)
            await mailer.deliver(outcome.notifications, logger: context.logger)
            return .seeOther("/invoices/\(id)?done=\(Notice.invoiceSent.rawValue)")
        }
    }

    @Sendable func discard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orInvoicePage(context: context, id: id) {
            try await database.discardInvoice(id: id, by: principal)
            return .seeOther("/invoices?done=\(Notice.invoiceDeleted.rawValue)")
        }
    }

    @Sendable func markPaid(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let form = try await request.formFields(context: context)
        return try await orInvoicePage(context: context, id: id, posted: form) {
            let outcome = try await database.markInvoicePaid(id: id, paidOn: form["paidOn"], by: principal, links: links)
            await mailer.deliver(outcome.notifications, logger: context.logger)
            return .seeOther("/invoices/\(id)?done=\(Notice.invoicePaid.rawValue)")
        }
    }

    @Sendable func confirmReceived(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orInvoicePage(context: context, id: id) {
            _ = try await database.confirmInvoiceReceived(id: id, by: principal)
            return .seeOther("/invoices/\(id)?done=\(Notice.paymentReceived.rawValue)")
        }
    }

    // MARK: Form A

    @Sendable func formA(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.formA(invoiceId: try context.pathID(), by: try context.requirePrincipal())
        let model = FormAPage(
            page: PageChrome(title: "Form A for invoice \(view.invoice.number)", context: context, path: "/invoices"),
            view: view)
        return renderer.render("form-a", model)
    }

    @Sendable func formACSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let view = try await database.formA(invoiceId: try context.pathID(), by: try context.requirePrincipal())
        return Self.csv(FormAPage.csv(view), filename: "form-a-\(view.invoice.number).csv")
    }

    /// The signature is the practice's recorded act: who (the signed-in approver), when, and the
    /// address they signed from.
    @Sendable func approveFormA(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        return try await orInvoicePage(context: context, id: id) {
            _ = try await database.approveFormA(invoiceId: id, from: context.remoteAddress, by: principal)
            return .seeOther("/invoices/\(id)?done=\(Notice.formASigned.rawValue)")
        }
    }

    // MARK: Form B

    /// The month asked for, else the month before today's (the one whose Form B is due next).
    static func month(_ request: Request, today: Day) -> Month {
        request.uri.queryParameters.get("month").flatMap { Month($0) } ?? Month(containing: today).previous
    }

    @Sendable func formB(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.formB(
            gpId: try database.ownGPId(by: principal), month: Self.month(request, today: database.clock.today), by: principal)
        let model = FormBPage(
            page: PageChrome(title: "Form B for \(view.month.displayText)", context: context, path: "/form-b"), view: view)
        return renderer.render("form-b", model)
    }

    @Sendable func formBCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.formB(
            gpId: try database.ownGPId(by: principal), month: Self.month(request, today: database.clock.today), by: principal)
        return Self.csv(FormBPage.csv(view), filename: "form-b-\(view.month).csv")
    }

    static func csv(_ text: String, filename: String) -> Response {
        .download(Array(text.utf8), filename: filename, contentType: "text/csv; charset=utf-8")
    }

    // MARK: Terms and pay details

    @Sendable func terms(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderTerms(request, context: context)
    }

    private func renderTerms(
        _ request: Request, context: AppRequestContext, posted: FormFields? = nil, form: TermsPage.PostedForm = .terms,
        errors: ValidationErrors = ValidationErrors(), status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try database.ownGPId(by: principal)
        let model = TermsPage(
            page: PageChrome(
                title: "Your terms and pay details", context: context, path: "/terms", errors: errors,
                notice: Notice.from(request)),
            terms: try await database.terms(gpId: gpId, practiceId: nil, by: principal),
            payDetails: try await database.payDetails(gpId: gpId, by: principal), posted: posted, form: form, errors: errors)
        return renderer.render("terms", model, status: status)
    }

    @Sendable func saveTerms(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try database.ownGPId(by: principal)
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.setTerms(gpId: gpId, TermsForm.declaration.decode(form, into: TermsInput()), by: principal)
            return .seeOther("/terms?done=\(Notice.termsSaved.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTerms(
                request, context: context, posted: form, form: .terms, errors: errors, status: .unprocessableContent)
        }
    }

    @Sendable func savePayDetails(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try database.ownGPId(by: principal)
        let form = try await request.formFields(context: context)
        do {
            _ = try await database.setPayDetails(
                gpId: gpId, PayDetailsForm.declaration.decode(form, into: PayDetailsInput()), by: principal)
            return .seeOther("/terms?done=\(Notice.payDetailsSaved.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await renderTerms(
                request, context: context, posted: form, form: .payDetails, errors: errors, status: .unprocessableContent)
        }
    }
}
