import Foundation
import Hummingbird
import SGPSupport

/// The documents behind checks: a GP sends a renewed certificate from their entry page (or the API),
/// the liaison officer verifies it in one step beside it, and each is downloaded, never shown in
/// the service's own pages and never kept in any cache.
struct DocumentsController {
    typealias CheckBody = GPAPIController.CheckBody

    let database: AppDatabase
    let pages: RegisterPagesController

    /// The routes whose bodies carry a document, as the router names them: they may be as large as
    /// `documentBodyLimit` (`AppRequestContext.maxUploadSize`), every other route keeps 2 MiB.
    static let documentBodies: Set<String> = ["/gps/{id}/documents", "/gps/{id}/checks/new", "/api/v1/gps/{id}/documents"]

    /// The largest document, the form around it, and room to say beside the field that a file a
    /// little too large is too large (rather than refusing the whole request with an error page).
    static let documentBodyLimit = CheckDocument.maximumBytes + 6 * 1024 * 1024

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/gps/:id/documents", use: sendRenewal)
        router.post("/gps/:id/checks/:checkId/verify", use: verify)
        router.get("/documents/:id", use: download)
        router.post("/api/v1/gps/:id/documents", use: sendRenewalBody)
        router.get("/api/v1/documents/:id", use: download)
    }

    /// A GP sends a renewed certificate from their own entry: a check waiting for the liaison officer.
    @Sendable func sendRenewal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.gp(at: context)
        // Refused before the body, which may be 16 MiB, is read.
        try entry.require(.sendRenewal)
        let gp = entry.gp
        let submission = try await request.formSubmission(context: context)
        let types = try await database.checkTypes(organisationId: gp.organisationId, for: gp.profession)
        let input = RenewalForm.declaration(types: types).decode(submission.fields, into: RenewalForm.Input())
        let document = submission.files["document"].map { DocumentUpload(filename: $0.filename, bytes: Data($0.bytes)) }
        do {
            _ = try await database.submitRenewal(
                gpId: gp.id!, type: input.type ?? "", expiresOn: input.expiresOn, document: document, by: principal)
            return .seeOther("/gps/\(gp.id!)?done=\(Notice.renewalSent.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await pages.renderProfile(
                context: context, entry: entry, posted: .renewal(submission.fields), errors: errors,
                status: .unprocessableContent)
        }
    }

    /// The same from a program: the document itself is the body (`Content-Type` application/pdf,
    /// image/jpeg or image/png; what it is is still read from its bytes), the check in the query.
    @Sendable func sendRenewalBody(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.gp(at: context)
        try entry.require(.sendRenewal)
        guard let declared = request.headers[.contentType], CheckDocument.Kind.named(contentType: declared) != nil else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "Send the document itself as the body, with Content-Type "
                    + CheckDocument.Kind.allCases.map(\.contentType).joined(separator: ", "))
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let filename = request.uri.queryParameters.get("filename") ?? "document"
        let check = try await database.submitRenewal(
            gpId: entry.gp.id!, type: request.uri.queryParameters.get("type") ?? "",
            expiresOn: request.uri.queryParameters.get("expiresOn"),
            document: DocumentUpload(filename: filename, bytes: Data(buffer: body)), by: principal)
        return try .json(CheckBody(check), status: .created)
    }

    /// The liaison officer verifies a check waiting for it, beside its document, in one step.
    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let entry = try await database.gp(at: context)
        try entry.require(.recordChecks)
        let checkId = try context.pathID("checkId")
        let form = try await request.formFields(context: context)
        let input = VerifyForm.declaration(checkId: checkId, isDBS: true).decode(form, into: VerificationInput())
        do {
            _ = try await database.verifyCheck(gpId: entry.gp.id!, checkId: checkId, input, by: principal)
            return .seeOther("/gps/\(entry.gp.id!)?done=\(Notice.checkVerified.rawValue)")
        } catch DomainError.validationFailed(let errors) {
            return try await pages.renderProfile(
                context: context, entry: entry, posted: .verification(checkId: checkId, form),
                errors: VerifyForm.errors(errors, checkId: checkId), status: .unprocessableContent)
        } catch DomainError.conflict(let message) {
            // Verified already (a second click, or another liaison officer): the page as it now is.
            return try await pages.renderProfile(context: context, entry: entry, notice: message)
        }
    }

    /// A document, to save: for the GP and their liaison officer (or an administrator) only.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let download = try await database.document(id: try context.pathID(), by: try context.requirePrincipal())
        return Self.response(download)
    }

    /// The stored bytes as their own type, saved rather than shown (`attachment`, so nothing sent
    /// as a certificate ever runs in the service's pages), and kept in no cache (`no-store`: the
    /// browser's, a proxy's, nor the service's own). `nosniff` is on every answer already.
    static func response(_ download: DocumentDownload) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: download.document.contentType,
                .contentDisposition: contentDisposition(download.document.originalName),
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: download.bytes)))
    }

    /// `attachment` with the name: in ASCII as `filename` (what every browser reads), and as sent
    /// (accents and all) as `filename*` (RFC 6266) for the browsers that read that.
    static func contentDisposition(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive], locale: nil)
        let ascii = String(
            folded.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" ? Character(scalar) : "_"
            })
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
