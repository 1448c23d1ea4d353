import Foundation
import Hummingbird
import SGPSupport

/// The mentor support API: cases, meetings, plans, progress reports, pastoral contacts, and the
/// anonymised annual account.
struct SupportAPIController {
    let database: AppDatabase

    struct MeetingBody: Encodable {
        var date: Day
        var notes: String
    }

    struct PlanBody: Encodable {
        var objectives: String
        var activities: String?
        var supervisorId: Int64?
        var reviewDates: [Day]
        var completedOn: Day?
    }

    struct ReportBody: Encodable {
        var id: Int64
        var version: Int
        var referringBody: String
        var body: String
        var writtenAt: Date

        init(_ report: ProgressReport) {
            id = report.id!
            version = report.version
            referringBody = report.referringBody
            body = report.body
            writtenAt = report.writtenAt
        }
    }

    struct CaseBody: Encodable {
        var id: Int64
        var gpId: Int64
        var routeIn: String
        var openedOn: Day
        var toldOn: Day
        var toldBy: String
        var signposts: [String]
        var workRestriction: String?
        var status: String
        var outcome: String?
        var closedOn: Day?
        var feedbackConcernId: Int64?
        /// Absent for the GP: meeting notes are the mentor's.
        var meetings: [MeetingBody]?
        var plan: PlanBody?
        var reports: [ReportBody]

        init(_ supportCase: SupportCase) {
            id = supportCase.id!
            gpId = supportCase.gpId
            routeIn = supportCase.routeIn.rawValue
            openedOn = supportCase.openedOn
            toldOn = supportCase.toldOn
            toldBy = supportCase.toldBy
            signposts = supportCase.signposts.map(\.rawValue)
            workRestriction = supportCase.workRestriction
            status = supportCase.isOpen ? "open" : "closed"
            outcome = supportCase.outcome?.rawValue
            closedOn = supportCase.closedOn
            feedbackConcernId = supportCase.feedbackConcernId
            reports = []
        }

        init(_ view: SupportCaseView) {
            self.init(view.supportCase)
            meetings = view.reader == .subject ? nil : view.meetings.map { MeetingBody(date: $0.date, notes: $0.notes) }
            plan = view.plan.map {
                PlanBody(
                    objectives: $0.objectives, activities: $0.activities, supervisorId: $0.supervisorId,
                    reviewDates: $0.reviewDates, completedOn: $0.completedOn)
            }
            reports = view.reports.map(ReportBody.init)
        }
    }

    struct MeetingRequest: Decodable {
        var date: String?
        var notes: String?
    }

    struct ReportRequest: Decodable {
        var referringBody: String?
        var body: String?
    }

    struct PastoralRequest: Decodable {
        var gpId: Int64?
        var date: String?
        var topic: String?
        var signpostedTo: String?
    }

    struct AccountBody: Encodable {
        var organisationId: Int64
        var year: Int
        var rows: [AccountRow]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/support-cases", use: list)
        router.post("/api/v1/support-cases", use: open)
        router.get("/api/v1/support-cases/:id", use: show)
        router.patch("/api/v1/support-cases/:id", use: update)
        router.post("/api/v1/support-cases/:id/meetings", use: addMeeting)
        router.post("/api/v1/support-cases/:id/reports", use: writeReport)
        router.get("/api/v1/support-cases/:id/metrics", use: metrics)
        router.post("/api/v1/feedback-concerns/:id/support-case", use: openFromConcern)
        router.post("/api/v1/pastoral-contacts", use: logPastoral)
        router.get("/api/v1/support/annual-account", use: annualAccount)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let views = try await database.supportCases(by: try context.requirePrincipal())
        return try .json(ListBody(items: views.map(CaseBody.init), total: views.count, page: 1, perPage: max(views.count, 1)))
    }

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(SupportCaseInput.self, context: context)
        let opened = try await database.openSupportCase(input, by: principal)
        return try .json(CaseBody(try await database.supportCase(id: opened.id!, by: principal)), status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try .json(CaseBody(try await database.supportCase(id: try context.pathID(), by: principal)))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let input = try await request.decodeJSON(SupportCaseUpdate.self, context: context)
        let updated = try await database.updateSupportCase(id: try context.pathID(), input, by: principal)
        return try .json(CaseBody(try await database.supportCase(id: updated.id!, by: principal)))
    }

    @Sendable func addMeeting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(MeetingRequest.self, context: context)
        let meeting = try await database.addSupportMeeting(
            caseId: try context.pathID(), date: body.date, notes: body.notes, by: principal)
        return try .json(MeetingBody(date: meeting.date, notes: meeting.notes), status: .created)
    }

    @Sendable func writeReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(ReportRequest.self, context: context)
        let report = try await database.writeProgressReport(
            caseId: try context.pathID(), referringBody: body.referringBody, body: body.body, by: principal)
        return try .json(ReportBody(report), status: .created)
    }

    @Sendable func metrics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let metrics = try await database.supportMetrics(caseId: try context.pathID(), by: principal)
        return try .json(ListBody(items: metrics, total: metrics.count, page: 1, perPage: max(metrics.count, 1)))
    }

    @Sendable func openFromConcern(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let opened = try await database.openSupportCase(fromConcern: try context.pathID(), by: principal)
        return try .json(CaseBody(try await database.supportCase(id: opened.id!, by: principal)), status: .created)
    }

    @Sendable func logPastoral(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(PastoralRequest.self, context: context)
        guard let gpId = body.gpId else {
            throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "Choose the GP"))
        }
        let contact = try await database.logPastoralContact(
            gpId: gpId, date: body.date, topic: body.topic, signpostedTo: body.signpostedTo, by: principal)
        return try .json(contact, status: .created)
    }

    /// `?organisationId=&year=`, saying what to fix.
    static func accountQuery(_ request: Request, today: Day) throws -> (organisationId: Int64, year: Int) {
        let query = request.uri.queryParameters
        guard let organisationId = query.get("organisationId").flatMap({ Int64($0) }) else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "organisationId", message: "Give the organisation's id as organisationId"))
        }
        let yearText = query.get("year") ?? ""
        guard let year = yearText.isEmpty ? today.year : Int(yearText) else {
            throw DomainError.validationFailed(
                ValidationErrors(field: "year", message: "Give the year as four digits, like 2026"))
        }
        return (organisationId, year)
    }

    @Sendable func annualAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (organisationId, year) = try Self.accountQuery(request, today: database.clock.today)
        let rows = try await database.supportAnnualAccount(organisationId: organisationId, year: year, by: principal)
        return try .json(AccountBody(organisationId: organisationId, year: year, rows: rows))
    }
}
