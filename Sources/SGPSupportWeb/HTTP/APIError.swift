import Foundation
import Hummingbird
import NIOCore
import SGPSupport

/// The one shape of every API error: `{"error": {"code", "message", "fields"}}`.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var fields: [String: String]? = nil
    var headers: HTTPFields = [:]

    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var fields: [String: String]?
        }
        var error: Detail
    }

    func jsonResponse() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Body(error: .init(code: code, message: message, fields: fields)))) ?? Data()
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Translates any error into its public form; unknown errors become a bare 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is AuthenticationRequired:
            return APIError(
                status: .unauthorized, code: "unauthenticated",
                message: "Sign in first: send an Authorization: Bearer token from POST /api/v1/session",
                headers: [.wwwAuthenticate: "Bearer"])
        case let error as DomainError:
            return from(error)
        case let error as HTTPError:
            return APIError(
                status: error.status, code: code(for: error.status),
                message: error.body ?? defaultMessage(for: error.status))
        case is NIOTooManyBytesError:
            // A body past the limit (`AppRequestContext.maxUploadSize`) is refused as it arrives,
            // before anything reads it.
            return APIError(
                status: .contentTooLarge, code: "payload_too_large",
                message: "The request body is too large: a form or JSON may be at most "
                    + "\(DocumentUpload.sizeText(AppRequestContext.formBodyLimit)) (CSV imports of the register fit well "
                    + "within it), a document (PDF, JPEG or PNG) \(DocumentUpload.sizeText(CheckDocument.maximumBytes)).")
        default:
            return APIError(
                status: .internalServerError, code: "internal_error",
                message: "Something went wrong on our side. Nothing you sent was half-saved; please try again.")
        }
    }

    private static func from(_ error: DomainError) -> APIError {
        switch error {
        case .validationFailed(let errors):
            let summary = errors.entries.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return APIError(
                status: .unprocessableContent, code: "validation_failed",
                message: "Some fields need correcting: \(summary)", fields: errors.fields)
        case .notFound(let message):
            return APIError(status: .notFound, code: "not_found", message: message)
        case .conflict(let message):
            return APIError(status: .conflict, code: "conflict", message: message)
        case .forbidden(let message):
            return APIError(status: .forbidden, code: "forbidden", message: message)
        case .invalidCredentials:
            return APIError(
                status: .unauthorized, code: "invalid_credentials",
                message: "The email address or password is not right")
        case .secondFactorNeeded:
            return APIError(
                status: .unauthorized, code: "second_factor_required",
                message: "This sign-in also needs the 6-digit code from your authenticator app: send it as \"code\".")
        case .secondFactorNotSetUp:
            return APIError(
                status: .forbidden, code: "second_factor_not_set_up",
                message: "This sign-in needs an authenticator app. Sign in once on the web to set it up, then use the API.")
        case .invalidSecondFactorCode:
            return APIError(
                status: .unauthorized, code: "invalid_code",
                message: "The code is not right or was already used. Enter the current code from your authenticator app.")
        case .storageFull:
            return APIError(
                status: .serviceUnavailable, code: "storage_full",
                message: "The database is full, so nothing was saved. Tell the administrator; reading still works.")
        case .busy:
            return APIError(
                status: .serviceUnavailable, code: "busy",
                message: "The service is busy and nothing was saved. Try again in a moment.",
                headers: [.retryAfter: "1"])
        case .tooManyAttempts(let seconds):
            return APIError(
                status: .tooManyRequests, code: "too_many_attempts",
                message: "Too many failed sign-ins. Wait \(seconds / 60) minutes and try again.",
                headers: [.retryAfter: String(seconds)])
        }
    }

    private static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthenticated"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        default: status.code >= 500 ? "internal_error" : "bad_request"
        }
    }

    private static func defaultMessage(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "There is nothing at this address. Check the path against the API documentation."
        case 405: "This address does not accept that method."
        case 413: "The request body is too large."
        default: status.reasonPhrase
        }
    }
}
