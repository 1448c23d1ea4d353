import Foundation
import HTTPTypes
import Hummingbird
import SGPSupport

/// Refuses form posts that do not come from our own pages: each must carry the page's CSRF token
/// (the session's, or before sign-in a cookie's) and, when the browser says where it comes from,
/// our own origin. The API is exempt: it authenticates by bearer token only, never by cookie.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let cookieName = "sgpst_csrf"
    static let fieldName = "_csrf"

    let allowedOrigin: String?
    let usesHTTPS: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        // Unsubscribe links are posted by mail providers (RFC 8058 one-click): the token is the capability.
        if ErrorMiddleware.isAPI(request.uri.path) || request.uri.path.hasPrefix("/static/")
            || request.uri.path.hasPrefix("/unsubscribe/")
        {
            return try await next(request, context)
        }
        var context = context
        var newCookieToken: String?
        if let session = context.session {
            context.csrfToken = session.csrfToken
        } else if let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty {
            context.csrfToken = cookie
        } else {
            newCookieToken = SecretToken.generate()
            context.csrfToken = newCookieToken
        }

        var request = request
        if ![.get, .head, .options].contains(request.method) {
            guard originIsAllowed(request) else {
                throw APIError(
                    status: .forbidden, code: "csrf_failed", message: "This form was sent from another site, so it was refused.")
            }
            // Collected so the handler can read the body again after the token is taken from it.
            let body = try await request.collectBody(upTo: context.maxUploadSize)
            let submitted =
                request.headers[.xCSRFToken] ?? Self.submittedToken(in: body, contentType: request.headers[.contentType])
            guard newCookieToken == nil, let expected = context.csrfToken, let submitted,
                Self.constantTimeEquals(submitted, expected)
            else {
                throw APIError(
                    status: .forbidden, code: "csrf_failed",
                    message:
                        "This form has expired or did not come from this service. Go back, reload the page and send it again.")
            }
        }
        var response = try await next(request, context)
        if let newCookieToken {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: newCookieToken, path: "/", secure: context.usesHTTPS(usesHTTPS), httpOnly: true,
                    sameSite: .lax)
            )
        }
        return response
    }

    /// The token a form carries in its `_csrf` field: url-encoded, or a text part of a multipart
    /// form (one with a file). Either way the same token is compared the same way.
    static func submittedToken(in body: ByteBuffer, contentType: String?) -> String? {
        if let boundary = contentType.flatMap(MultipartForm.boundary(contentType:)) {
            return MultipartForm(body: Array(body.readableBytesView), boundary: boundary)?.fields[fieldName]
        }
        return FormFields(urlEncoded: String(buffer: body))[fieldName]
    }

    /// A browser names the page's origin on every post; it must be ours (the base URL, or the host asked for).
    private func originIsAllowed(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin]?.lowercased() else { return true }
        if let allowedOrigin { return origin == allowedOrigin }
        guard let host = request.head.authority?.lowercased() else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    private static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
