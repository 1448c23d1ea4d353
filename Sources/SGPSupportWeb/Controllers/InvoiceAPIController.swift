import Foundation
import Hummingbird
import SGPSupport

/// Getting paid and pensioned, for programs: a GP's terms and pay details, invoices, Form A and
/// Form B, no-shows and late-cancellation warnings. Money is integer pence in every body.
struct InvoiceAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let baseURL: String
    var links: Links { Links(baseURL: baseURL) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/invoices", use: list)
        router.post("/api/v1/invoices", use: create)
        router.get("/api/v1/invoices/:id", use: show)
        router.post("/api/v1/invoices/:id/send", use: send)
        router.post("/api/v1/invoices/:id/discard", use: discard)
        router.post("/api/v1/invoices/:id/paid", use: paid)
        router.post("/api/v1/invoices/:id/received", use: received)
        router.get("/api/v1/invoices/:id/form-a", use: formA)
        router.post("/api/v1/invoices/:id/form-a/approve", use: approveFormA)
        router.get("/api/v1/gps/:id/form-b", use: formB)
        router.get("/api/v1/gps/:id/terms", use: terms)
        router.put("/api/v1/gps/:id/terms", use: setTerms)
        router.get("/api/v1/gps/:id/pay-details", use: payDetails)
        router.put("/api/v1/gps/:id/pay-details", use: setPayDetails)
        router.post("/api/v1/bookings/:id/no-show", use: noShow)
        router.get("/api/v1/late-cancellations", use: lateCancellations)
    }

    struct LineBody: Encodable {
        var kind: String
        var bookingId: Int64?
        var description: String
        var date: Day?
        var start: String?
        var end: String?
        var rate: String?
        var amountPence: Int
        var pensionable: Bool
    }

    struct OverdueBody: Encodable {
        var daysOverdue: Int
        var baseRatePercent: Double
        var baseRateFrom: Day
        var interestPence: Int
        var compensationPence: Int
        var claimPence: Int
    }

    struct PayeeBody: Encodable {
        var name: String
        var email: String?
        var address: String
        var bankAccountName: String
        var sortCode: String
        var accountNumber: String
    }

    struct InvoiceBody: Encodable {
        var id: Int64
        var number: String
        var gpId: Int64
        var practiceId: Int64
        var status: String
        var issuedOn: Day
        var dueOn: Day
        var paymentTermsDays: Int
        var lines: [LineBody]
        var mileageMiles: Int
        var notes: String?
        var coveringFor: String?
        var totalPence: Int
        var pensionable: Bool
        var pensionablePayPence: Int
        var employerContributionPence: Int
        var paidOn: Day?
        var receivedAt: Date?
        var receivedOn: Day?
        var formASigned: Bool
        var payee: PayeeBody
        var overdue: OverdueBody?
        var may: [String]

        init(_ view: InvoiceView) {
            let invoice = view.invoice
            id = invoice.id!
            number = invoice.number
            gpId = invoice.gpId
            practiceId = invoice.practiceId
            status = view.state.rawValue
            issuedOn = invoice.issuedOn
            dueOn = invoice.dueOn
            paymentTermsDays = invoice.paymentTermsDays
            lines = view.lines.map {
                LineBody(
                    kind: $0.kind.rawValue, bookingId: $0.bookingId, description: $0.description, date: $0.date,
                    start: $0.startMinute.map(ClockTime.format), end: $0.endMinute.map(ClockTime.format), rate: $0.rateText,
                    amountPence: $0.amountPence, pensionable: $0.pensionable)
            }
            mileageMiles = invoice.mileageMiles
            notes = invoice.notes
            coveringFor = invoice.coveringFor
            totalPence = invoice.totalPence
            pensionable = invoice.pensionable
            pensionablePayPence = invoice.pensionablePayPence
            employerContributionPence = invoice.employerContributionPence
            paidOn = invoice.paidOn
            receivedAt = invoice.receivedAt
            receivedOn = invoice.receivedOn
            formASigned = view.formAApproval != nil
            let details = view.payee.details
            payee = PayeeBody(
                name: view.payee.name, email: view.payee.email, address: details.address,
                bankAccountName: details.bankAccountName, sortCode: details.sortCodeText, accountNumber: details.accountNumber)
            overdue = view.overdue.map {
                OverdueBody(
                    daysOverdue: $0.daysOverdue, baseRatePercent: Double($0.baseRateBasisPoints) / 100,
                    baseRateFrom: $0.baseRateFrom, interestPence: $0.interestPence, compensationPence: $0.compensationPence,
                    claimPence: $0.claimPence)
            }
            may = view.may.map(\.rawValue).sorted()
        }
    }

    struct SummaryBody: Encodable {
        var id: Int64
        var number: String
        var gpId: Int64
        var gpName: String
        var practiceId: Int64
        var practiceName: String
        var status: String
        var issuedOn: Day
        var dueOn: Day
        var totalPence: Int
        var paidOn: Day?
        var formASigned: Bool

        init(_ summary: InvoiceSummary) {
            id = summary.invoice.id!
            number = summary.invoice.number
            gpId = summary.invoice.gpId
            gpName = summary.gpName
            practiceId = summary.invoice.practiceId
            practiceName = summary.practiceName
            status = summary.state.rawValue
            issuedOn = summary.invoice.issuedOn
            dueOn = summary.invoice.dueOn
            totalPence = summary.invoice.totalPence
            paidOn = summary.invoice.paidOn
            formASigned = summary.formASigned
        }
    }

    struct PaidBody: Decodable {
        var paidOn: String?
    }

    struct ReceivedBody: Decodable {
        var receivedOn: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        var status: Invoice.State?
        if let text = query.get("status") {
            guard let state = Invoice.State(rawValue: text) else {
                throw APIError(
                    status: .badRequest, code: "validation_failed",
                    message: "status must be one of " + Invoice.State.allCases.map(\.rawValue).joined(separator: ", "),
                    fields: ["status": "Choose draft, sent, overdue or paid"])
            }
            status = state
        }
        let practiceId = try query.get("practiceId").map { text -> Int64 in
            guard let id = Int64(text) else {
                throw APIError(
                    status: .badRequest, code: "validation_failed", message: "practiceId must be a number",
                    fields: ["practiceId": "Give the practice's id"])
            }
            return id
        }
        let items = try await database.invoices(status: status, practiceId: practiceId, by: principal).map(SummaryBody.init)
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(InvoiceInput.self, context: context)
        return try .json(InvoiceBody(try await database.createInvoice(input, by: principal)), status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(InvoiceBody(try await database.invoice(id: try context.pathID(), by: principal)))
    }

    @Sendable func send(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.sendInvoice(id: try context.pathID(), by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(InvoiceBody(outcome.value))
    }

    @Sendable func discard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await database.discardInvoice(id: try context.pathID(), by: principal)
        return Response(status: .noContent)
    }

    @Sendable func paid(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(PaidBody.self, context: context)
        let outcome = try await database.markInvoicePaid(id: id, paidOn: body.paidOn, by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(InvoiceBody(outcome.value))
    }

    @Sendable func received(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let body = try await request.decodeJSON(ReceivedBody.self, context: context, whenEmpty: ReceivedBody())
        return try .json(
            InvoiceBody(try await database.confirmInvoiceReceived(id: id, receivedOn: body.receivedOn, by: principal)))
    }

    // MARK: Pension forms

    struct RangeBody: Encodable {
        var firstDay: Day
        var lastDay: Day
        var deadline: Day
    }

    struct ApprovalBody: Encodable {
        var approverName: String
        var approvedAt: Date
        var approvedFrom: String
    }

    struct FormABody: Encodable {
        var invoiceId: Int64
        var invoiceNumber: String
        var upr: String?
        var name: String
        var niNumber: String
        var gmcNumber: String
        var practiceCode: String
        var practiceName: String
        var ranges: [RangeBody]
        var grossFeePence: Int
        var pensionablePayPence: Int
        var employerContributionPence: Int
        var pensionablePercent: Double
        var employerRatePercent: Double
        var paidOn: Day?
        var deadline: Day?
        var approval: ApprovalBody?
        var may: [String]

        init(_ form: FormAView) {
            invoiceId = form.invoice.id!
            invoiceNumber = form.invoice.number
            upr = form.upr
            name = form.payee.name
            niNumber = form.payee.details.niNumber
            gmcNumber = form.gmcNumber
            practiceCode = form.practice.odsCode
            practiceName = form.practice.name
            ranges = form.ranges.map { RangeBody(firstDay: $0.firstDay, lastDay: $0.lastDay, deadline: $0.deadline) }
            grossFeePence = form.grossFeePence
            pensionablePayPence = form.pensionablePayPence
            employerContributionPence = form.employerContributionPence
            pensionablePercent = Double(form.pensionableShareBasisPoints) / 100
            employerRatePercent = Double(form.employerRateBasisPoints) / 100
            paidOn = form.invoice.paidOn
            deadline = form.deadline
            approval = form.approval.map {
                ApprovalBody(approverName: $0.approverName, approvedAt: $0.approvedAt, approvedFrom: $0.approvedFrom)
            }
            may = form.may.filter { [.viewFormA, .approveFormA].contains($0) }.map(\.rawValue).sorted()
        }
    }

    struct FormBLineBody: Encodable {
        var invoiceId: Int64
        var invoiceNumber: String
        var practiceCode: String
        var practiceName: String
        var firstDay: Day
        var lastDay: Day
        var paidOn: Day
        var pensionablePayPence: Int
        var employerContributionPence: Int
    }

    struct FormBBody: Encodable {
        var gpId: Int64
        var month: String
        var upr: String?
        var name: String
        var dateOfBirth: Day?
        var niNumber: String
        var gmcNumber: String
        var address: String
        var email: String?
        var lines: [FormBLineBody]
        var pensionablePayPence: Int
        var employeeContributionPence: Int
        var employerContributionPence: Int
        var totalContributionPence: Int
        var cumulativePensionablePayPence: Int
        var tierRate: Double?
        var tierNote: String
        var dueOn: Day
        var missing: [String]
        var unsignedInvoiceNumbers: [String]

        init(_ form: FormBView) {
            gpId = form.gpId
            month = form.month.description
            upr = form.upr
            name = form.payee.name
            dateOfBirth = form.payee.details.dateOfBirth
            niNumber = form.payee.details.niNumber
            gmcNumber = form.gmcNumber
            address = form.payee.details.address
            email = form.payee.email
            lines = form.lines.map {
                FormBLineBody(
                    invoiceId: $0.invoiceId, invoiceNumber: $0.invoiceNumber, practiceCode: $0.practiceCode,
                    practiceName: $0.practiceName, firstDay: $0.firstDay, lastDay: $0.lastDay, paidOn: $0.paidOn,
                    pensionablePayPence: $0.pensionablePayPence, employerContributionPence: $0.employerContributionPence)
            }
            pensionablePayPence = form.pensionablePayPence
            employeeContributionPence = form.employeeContributionPence
            employerContributionPence = form.employerContributionPence
            totalContributionPence = form.totalContributionPence
            cumulativePensionablePayPence = form.cumulativePensionablePayPence
            tierRate = form.tierRateBasisPoints.map { Double($0) / 100 }
            tierNote = form.tierNote
            dueOn = form.dueOn
            missing = form.missing
            unsignedInvoiceNumbers = form.unsignedInvoiceNumbers
        }
    }

    @Sendable func formA(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(FormABody(try await database.formA(invoiceId: try context.pathID(), by: principal)))
    }

    @Sendable func approveFormA(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let form = try await database.approveFormA(
            invoiceId: try context.pathID(), from: context.remoteAddress, by: principal)
        return try .json(FormABody(form))
    }

    @Sendable func formB(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let text = request.uri.queryParameters.get("month") ?? ""
        guard let month = Month(text) else {
            throw APIError(
                status: .badRequest, code: "validation_failed", message: "month must be YYYY-MM",
                fields: ["month": "Give the month as YYYY-MM, like 2026-11"])
        }
        return try .json(FormBBody(try await database.formB(gpId: gpId, month: month, by: principal)))
    }

    // MARK: Terms and pay details

    struct TermsBody: Encodable {
        var gpId: Int64
        var practiceId: Int64?
        var usual: Bool
        var sessionRatePence: Int?
        var hourlyRatePence: Int?
        var paymentTermsDays: Int
        var mileagePencePerMile: Int
        var cancellationScale: String
        var cancellationScaleText: String
        var limitedCompany: Bool
        var may: [String]

        init(_ view: TermsView) {
            gpId = view.gpId
            practiceId = view.practice?.id
            usual = view.practice == nil || view.isUsual
            sessionRatePence = view.terms.sessionRatePence
            hourlyRatePence = view.terms.hourlyRatePence
            paymentTermsDays = view.terms.paymentTermsDays
            mileagePencePerMile = view.terms.mileagePencePerMile
            cancellationScale = view.terms.scale.code
            cancellationScaleText = view.terms.scale.text
            limitedCompany = view.terms.limitedCompany
            may = view.may.map(\.rawValue).sorted()
        }
    }

    struct PayDetailsBody: Encodable {
        var address: String
        var niNumber: String
        var dateOfBirth: Day?
        var sdNumber: String
        var bankAccountName: String
        var sortCode: String
        var accountNumber: String
        var expectedAnnualPensionablePayPence: Int?

        init(_ details: PayDetails) {
            address = details.address
            niNumber = details.niNumber
            dateOfBirth = details.dateOfBirth
            sdNumber = details.sdNumber
            bankAccountName = details.bankAccountName
            sortCode = details.sortCodeText
            accountNumber = details.accountNumber
            expectedAnnualPensionablePayPence = details.expectedAnnualPensionablePence
        }
    }

    @Sendable func terms(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let practiceId = request.uri.queryParameters.get("practiceId").flatMap { Int64($0) }
        return try .json(TermsBody(try await database.terms(gpId: try context.pathID(), practiceId: practiceId, by: principal)))
    }

    @Sendable func setTerms(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let input = try await request.decodeJSON(TermsInput.self, context: context)
        return try .json(TermsBody(try await database.setTerms(gpId: gpId, input, by: principal)))
    }

    @Sendable func payDetails(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(PayDetailsBody(try await database.payDetails(gpId: try context.pathID(), by: principal)))
    }

    @Sendable func setPayDetails(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gpId = try context.pathID()
        let input = try await request.decodeJSON(PayDetailsInput.self, context: context)
        return try .json(PayDetailsBody(try await database.setPayDetails(gpId: gpId, input, by: principal)))
    }

    // MARK: No-shows and warnings

    @Sendable func noShow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let outcome = try await database.reportNoShow(bookingId: try context.pathID(), by: principal, links: links)
        await mailer.deliver(outcome.notifications, logger: context.logger)
        return try .json(ClearingHouseAPIController.BookingBody(outcome.value, practiceId: nil))
    }

    struct WarningBody: Encodable {
        var id: Int64
        var bookingId: Int64
        var side: String
        var kind: String
        var gpId: Int64
        var gpName: String
        var practiceId: Int64
        var practiceName: String
        var date: Day
        var noticeDays: Int?
        var reason: String?
        var recordedAt: Date
    }

    @Sendable func lateCancellations(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let items = try await database.lateCancellations(
            gpId: query.get("gpId").flatMap { Int64($0) }, practiceId: query.get("practiceId").flatMap { Int64($0) },
            by: principal
        ).map {
            WarningBody(
                id: $0.warning.id!, bookingId: $0.warning.bookingId, side: $0.warning.side.rawValue,
                kind: $0.warning.kind.rawValue, gpId: $0.warning.gpId, gpName: $0.gpName, practiceId: $0.warning.practiceId,
                practiceName: $0.practiceName, date: $0.date, noticeDays: $0.warning.noticeDays, reason: $0.warning.reason,
                recordedAt: $0.warning.recordedAt)
        }
        return try .json(ListBody(items: items, total: items.count, page: 1, perPage: max(items.count, 1)))
    }
}
