import Foundation
import Hummingbird
import SGPSupport

/// The register's GP API: `/api/v1/gps…`.
struct GPAPIController {
    let database: AppDatabase
    let mailer: any MailTransport
    let baseURL: String

    /// A GP as the support team and the GP themselves see it.
    struct GPBody: Encodable {
        var id: Int64
        var name: String
        /// The registration number under its first name; `registrationNumber` says it for every profession.
        var gmcNumber: String
        var registrationNumber: String
        var profession: String
        var kind: String
        var status: String
        var organisationId: Int64
        var mentorId: Int64?
        var email: String?
        var phone: String?
        var postcode: String?
        var localities: [String]
        var skills: [String]
        var maxSessionsPerWeek: Int?
        var usualRate: Double?
        var appraisalMonth: Int?
        var lastAppraisalOn: Day?
        var revalidationDueOn: Day?
        var mailshotConsent: Bool
        var mailshotConsentAt: Date?

        init(_ gp: GP) {
            id = gp.id!
            name = gp.name
            gmcNumber = gp.registrationNumber
            registrationNumber = gp.registrationNumber
            profession = gp.profession.rawValue
            kind = gp.kind.rawValue
            status = gp.status.rawValue
            organisationId = gp.organisationId
            mentorId = gp.mentorId
            email = gp.email
            phone = gp.phone
            postcode = gp.postcode
            localities = gp.localities
            skills = gp.skills
            maxSessionsPerWeek = gp.maxSessionsPerWeek
            usualRate = gp.usualRatePence.map { Double($0) / 100 }
            appraisalMonth = gp.appraisalMonth
            lastAppraisalOn = gp.lastAppraisalOn
            revalidationDueOn = gp.revalidationDueOn
            mailshotConsent = gp.mailshotConsent
            mailshotConsentAt = gp.mailshotConsentAt
        }
    }

    /// What a practice manager may see of a GP, and nothing more.
    struct GPSummaryBody: Encodable {
        var id: Int64
        var name: String
        var gmcNumber: String
        var registrationNumber: String
        var profession: String
        var skills: [String]
        var cleared: Bool
    }

    /// A create request: the entity's fields, plus which organisation it joins when the body names
    /// one. Decoded from one read of the body.
    struct CreateRequest<Input: Decodable & Sendable>: Decodable, Sendable {
        var organisationId: Int64?
        var input: Input

        enum CodingKeys: String, CodingKey { case organisationId }

        init(from decoder: any Decoder) throws {
            organisationId = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int64.self, forKey: .organisationId)
            input = try Input(from: decoder)
        }
    }

    struct CheckBody: Encodable {
        var id: Int64
        var type: String
        var status: String
        var verifiedOn: Day?
        var expiresOn: Day?
        var note: String?
        var verifiedById: Int64?
        var recordedAt: Date
        var dbsCertificateNumber: String?
        var dbsIssuedOn: Day?
        var dbsLevel: String?
        var dbsUpdateService: Bool?
        var appraisalOn: Day?
        var reviewNote: String?
        /// The document it rests on (`GET /api/v1/documents/{id}`).
        var documentId: Int64?

        init(_ check: CredentialCheck) {
            id = check.id!
            type = check.type
            status = check.status.rawValue
            verifiedOn = check.verifiedOn
            expiresOn = check.expiresOn
            note = check.note
            verifiedById = check.verifiedById
            recordedAt = check.recordedAt
            dbsCertificateNumber = check.dbsCertificateNumber
            dbsIssuedOn = check.dbsIssuedOn
            dbsLevel = check.dbsLevel
            dbsUpdateService = check.dbsUpdateService
            appraisalOn = check.appraisalOn
            reviewNote = check.reviewNote
            documentId = check.documentId
        }
    }

    struct CheckRequest: Decodable {
        var type: String?
        var status: String?
        var verifiedOn: String?
        var expiresOn: String?
        var note: String?
        var dbsCertificateNumber: String?
        var dbsIssuedOn: String?
        var dbsLevel: String?
        var dbsUpdateService: Bool?
        var appraisalOn: String?
    }

    struct DeclineRequest: Decodable {
        var reason: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/gps", use: list)
        router.post("/api/v1/gps", use: create)
        router.get("/api/v1/gps/:id", use: show)
        router.patch("/api/v1/gps/:id", use: update)
        router.get("/api/v1/gps/:id/checks", use: checks)
        router.post("/api/v1/gps/:id/checks", use: recordCheck)
        router.get("/api/v1/gps/:id/clearance", use: clearance)
        router.get("/api/v1/gps/:id/personal-data", use: personalData)
        // The same download from the profile page, signed in by cookie.
        router.get("/gps/:id/personal-data.json", use: personalData)
        router.post("/api/v1/gps/:id/approve", use: approve)
        router.post("/api/v1/gps/:id/decline", use: decline)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let organisationId = try RegisterQuery.organisationId(request, principal: principal)
        let page = try await database.gps(
            organisationId: organisationId, filter: try RegisterQuery.gpFilter(request), page: request.pageRequest(),
            by: principal)
        return try .json(ListBody(items: page.items.map(Self.body), total: page.total, page: page.page, perPage: page.perPage))
    }

    /// The entry in full, or the summary, as the domain gave it for this person.
    enum EntryBody: Encodable {
        case full(GPBody)
        case summary(GPSummaryBody)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .full(let body): try body.encode(to: encoder)
            case .summary(let body): try body.encode(to: encoder)
            }
        }
    }

    static func body(_ view: GPEntryView) -> EntryBody {
        guard view.isSummary else { return .full(GPBody(view.gp)) }
        return .summary(
            GPSummaryBody(
                id: view.gp.id!, name: view.gp.name, gmcNumber: view.gp.registrationNumber,
                registrationNumber: view.gp.registrationNumber, profession: view.gp.profession.rawValue,
                skills: view.gp.skills, cleared: view.clearance.cleared))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSON(CreateRequest<GPInput>.self, context: context)
        let organisationId = try principal.organisationId(named: body.organisationId, as: .liaisonOfficer)
        let gp = try await database.createGP(organisationId: organisationId, body.input, by: principal)
        return try .json(GPBody(gp), status: .created)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try .json(Self.body(try await database.gp(at: context)))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.gp(at: context)
        let input = try await request.decodeJSON(GPInput.self, context: context)
        let updated = try await database.updateGP(id: view.gp.id!, input, by: principal)
        return try .json(GPBody(updated))
    }

    @Sendable func checks(_ request: Request, context: AppRequestContext) async throws -> Response {
        let checks = try await database.checks(gpId: try context.pathID(), by: try context.requirePrincipal())
        return try .json(ListBody(items: checks.map(CheckBody.init), total: checks.count, page: 1, perPage: max(checks.count, 1)))
    }

    @Sendable func recordCheck(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await database.gp(at: context)
        let body = try await request.decodeJSON(CheckRequest.self, context: context)
        var input = CheckInput(
            type: body.type ?? "", status: body.status, verifiedOn: body.verifiedOn, expiresOn: body.expiresOn, note: body.note,
            dbsCertificateNumber: body.dbsCertificateNumber, dbsIssuedOn: body.dbsIssuedOn, dbsLevel: body.dbsLevel,
            dbsUpdateService: body.dbsUpdateService)
        input.appraisalOn = body.appraisalOn
        let check = try await database.recordCheck(gpId: view.gp.id!, input, by: principal)
        return try .json(CheckBody(check), status: .created)
    }

    @Sendable func clearance(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.pathID()
        let day = try RegisterQuery.day(request, "date") ?? database.clock.today
        return try .json(try await database.clearance(gpId: id, on: day, by: principal))
    }

    @Sendable func personalData(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        let data = try await database.personalDataExport(gpId: gp.id!, by: principal)
        return .download(
            data, filename: "sgpst-personal-data-\(gp.registrationNumber).json", contentType: "application/json; charset=utf-8")
    }

    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try await database.gp(at: context).gp.id!
        let invite = try await database.approveApplicant(gpId: id, by: principal)
        try await RegisterMail.sendInvite(invite, mailer: mailer, baseURL: baseURL)
        return try .json(GPBody(try await database.gp(id: id, by: principal).gp))
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let gp = try await database.gp(at: context).gp
        let body = try await request.decodeJSON(DeclineRequest.self, context: context)
        return try .json(GPBody(try await database.declineApplicant(gpId: gp.id!, reason: body.reason ?? "", by: principal)))
    }

}

/// Query-string parsing shared by the register's routes, with clear messages for bad values.
enum RegisterQuery {
    /// The `organisationId` the query names, or the one the person acts for (`Principal`'s resolver).
    static func organisationId(
        _ request: Request, principal: Principal, as capacity: OrganisationCapacity = .anyRole
    ) throws -> Int64 {
        try principal.organisationId(named: try namedOrganisation(request), as: capacity)
    }

    /// `?organisationId=` when present: a number, or 400.
    static func namedOrganisation(_ request: Request) throws -> Int64? {
        guard let raw = request.uri.queryParameters.get("organisationId") else { return nil }
        guard let id = Int64(raw) else { throw APIError.badRequest("organisationId must be a number") }
        return id
    }

    static func day(_ request: Request, _ name: String) throws -> Day? {
        guard let raw = request.uri.queryParameters.get(name), !raw.isEmpty else { return nil }
        guard let day = Day(raw) else {
            throw DomainError.validationFailed(ValidationErrors(field: name, message: "Enter a real date as YYYY-MM-DD"))
        }
        return day
    }

    static func gpFilter(_ request: Request) throws -> GPFilter {
        let query = request.uri.queryParameters
        var filter = GPFilter()
        filter.text = query.get("text")
        if let raw = query.get("status"), !raw.isEmpty {
            guard let status = GP.Status(rawValue: raw) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "status", message: "Choose applicant, active, suspended or left"))
            }
            filter.status = status
        }
        filter.skill = query.get("skill")
        filter.locality = query.get("locality")
        filter.clearedOn = try day(request, "clearedOn")
        filter.notClearedOn = try day(request, "notClearedOn")
        if let raw = query.get("expiringWithinDays"), !raw.isEmpty {
            guard let days = Int(raw), (0...366).contains(days) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "expiringWithinDays", message: "Enter a number of days from 0 to 366"))
            }
            filter.checksExpiringWithinDays = days
        }
        return filter
    }
}

/// The register's emails.
enum RegisterMail {
    static func sendInvite(_ invite: PasswordSetupInvite, mailer: any MailTransport, baseURL: String) async throws {
        let link = "\(baseURL)/set-password?token=\(invite.token)"
        let text = """
            Dear \(invite.name),

            The sessional GP support team has approved your registration. Choose a password to sign in:

            \(link)

            The link works once and expires in \(DurationText.words(AppDatabase.inviteValidity)). If you did not ask to \
            join, ignore this email.
            """
        try await mailer.send(
            MailMessage(to: invite.email, toName: invite.name, subject: "Your sessional GP support sign-in", text: text))
    }
}
