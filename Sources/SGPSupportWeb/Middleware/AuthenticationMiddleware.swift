import Hummingbird
import SGPSupport

/// Finds who is signed in: by bearer token under `/api` (never by cookie, so the API needs no CSRF
/// token), by the session cookie everywhere else.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let sessionCookieName = "sgpst_session"

    let database: AppDatabase
    let lifetimes: SessionLifetimes
    let usesHTTPS: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        var context = context
        if ErrorMiddleware.isAPI(request.uri.path) {
            if let token = Self.bearerToken(request) {
                context.session = try await database.activeSession(token: token, kind: .api, lifetimes: lifetimes)
                context.sessionToken = token
                context.authentication = context.session.map {
                    AuthenticatedSession(credential: .bearerToken, token: token, session: $0)
                }
            }
            return try await next(request, context)
        }
        guard let token = request.cookies[Self.sessionCookieName]?.value, !token.isEmpty else {
            return try await next(request, context)
        }
        context.session = try await database.activeSession(token: token, kind: .web, lifetimes: lifetimes)
        context.sessionToken = context.session == nil ? nil : token
        context.authentication = context.session.map {
            AuthenticatedSession(credential: .sessionCookie, token: token, session: $0)
        }
        var response = try await next(request, context)
        if context.session == nil, response.headers[.setCookie] == nil {
            // The cookie names a session that has ended: tell the browser to forget it.
            response.setCookie(Self.expiredSessionCookie(secure: context.usesHTTPS(usesHTTPS)))
        }
        return response
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    static func sessionCookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: sessionCookieName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func expiredSessionCookie(secure: Bool) -> Cookie {
        Cookie(name: sessionCookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
