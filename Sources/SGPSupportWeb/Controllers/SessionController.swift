import Foundation
import Hummingbird
import SGPSupport

/// Signing in and out: the HTML form with its session cookie, and API bearer tokens.
struct SessionController {
    let database: AppDatabase
    let renderer: PageRenderer
    let configuration: AppConfiguration

    struct SignInPage: Sendable {
        var page: PageChrome
        var email: FieldState
        var password: FieldState
        var next: String
    }

    struct TokenRequest: Decodable {
        var email: String?
        var password: String?
    }

    struct TokenResponse: Encodable {
        var token: String
    }

    struct MeResponse: Encodable {
        struct RoleBody: Encodable {
            var role: String
            var organisationId: Int64?
            var practiceId: Int64?
            var gpId: Int64?
        }
        var id: Int64
        var email: String
        var displayName: String
        var roles: [RoleBody]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/sign-in", use: signInPage)
        router.post("/sign-in", use: signIn)
        router.post("/sign-out", use: signOut)
        router.post("/api/v1/session", use: createToken)
        router.delete("/api/v1/session", use: revokeToken)
        router.get("/api/v1/me", use: me)
    }

    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.principal != nil { return .seeOther("/dashboard") }
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        return renderSignIn(context: context, email: "", next: next, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let email = form.text("email")
        let next = Self.safeNext(form["next"])
        var errors = ValidationErrors()
        if email.isEmpty { errors.add("email", "Enter your email address") }
        if (form["password"] ?? "").isEmpty { errors.add("password", "Enter your password") }
        guard errors.isEmpty else {
            return renderSignIn(context: context, email: email, next: next, errors: errors, status: .unprocessableContent)
        }
        do {
            let issued = try await database.signIn(
                email: email, password: form["password"] ?? "", from: context.remoteAddress, kind: .web,
                limits: configuration.signInLimits)
            // A new session id at every sign-in; any session the browser held before is ended.
            if let previous = context.sessionToken { try await database.endSession(token: previous) }
            var response = Response.seeOther(next ?? "/dashboard")
            response.setCookie(AuthenticationMiddleware.sessionCookie(issued.token, secure: configuration.usesHTTPS))
            return response
        } catch DomainError.invalidCredentials {
            errors.add("email", "Enter a correct email address and password")
            return renderSignIn(context: context, email: email, next: next, errors: errors, status: .unauthorized)
        } catch DomainError.tooManyAttempts(let seconds) {
            errors.add(
                "email", "Too many failed sign-ins for this account or network. Wait \(seconds / 60) minutes and try again.")
            var response = renderSignIn(context: context, email: email, next: next, errors: errors, status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await database.endAllSessions(userId: principal.userId, kind: .web, by: principal.actor)
        var response = Response.seeOther("/sign-in")
        response.setCookie(AuthenticationMiddleware.expiredSessionCookie(secure: configuration.usesHTTPS))
        return response
    }

    @Sendable func createToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decodeJSON(TokenRequest.self, context: context)
        var errors = ValidationErrors()
        if (input.email ?? "").isEmpty { errors.add("email", "Enter your email address") }
        if (input.password ?? "").isEmpty { errors.add("password", "Enter your password") }
        try errors.throwIfAny()
        let issued = try await database.signIn(
            email: input.email!, password: input.password!, from: context.remoteAddress, kind: .api,
            limits: configuration.signInLimits)
        return try .json(TokenResponse(token: issued.token), status: .created)
    }

    @Sendable func revokeToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        if let token = context.sessionToken { try await database.endSession(token: token) }
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let roles = principal.grants.map {
            MeResponse.RoleBody(
                role: $0.role.rawValue, organisationId: $0.organisationId, practiceId: $0.practiceId, gpId: $0.gpId)
        }
        return try .json(
            MeResponse(id: principal.userId, email: principal.email, displayName: principal.displayName, roles: roles))
    }

    private func renderSignIn(
        context: AppRequestContext, email: String, next: String?, errors: ValidationErrors, status: HTTPResponse.Status
    ) -> Response {
        let model = SignInPage(
            page: PageChrome(title: "Sign in", context: context, path: "/sign-in", errors: errors),
            email: FieldState(email, error: errors["email"]), password: FieldState(error: errors["password"]),
            next: next ?? "")
        return renderer.render("sign-in", model, status: status)
    }

    /// Only a path on this site may follow sign-in, never another site ("//evil.example").
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\") else { return nil }
        return next
    }
}
