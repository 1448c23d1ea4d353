import HTTPTypes
import Hummingbird

/// Headers every response carries: a strict Content-Security-Policy (no inline script, no plugins,
/// no framing), nosniff, a referrer policy, HSTS over https, and no caching of anything but static files.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    let usesHTTPS: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var response = try await next(request, context)
        // A handler may set a narrower policy of its own (the email preview, framed by its own page).
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            response.headers[.xFrameOptions] = "DENY"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        if context.usesHTTPS(usesHTTPS) {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        if request.uri.path.hasPrefix("/static/") {
            if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "public, max-age=3600" }
        } else {
            // Pages and API answers may hold personal data: never keep them in a cache.
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xCSRFToken = Self("X-CSRF-Token")!
}
