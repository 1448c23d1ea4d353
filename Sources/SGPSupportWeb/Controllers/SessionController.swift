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
        /// Offered once sign-ins are locked: the password with the authenticator's code still signs in.
        var showCode: Bool
        var code: FieldState
        var next: String
    }

    struct SecondFactorPage: Sendable {
        var page: PageChrome
        var code: FieldState
        var next: String
        var setUpKey: String?
        var setUpLink: String?
    }

    struct TokenRequest: Decodable {
        var email: String?
        var password: String?
        /// The authenticator code, for the sign-ins that need one.
        var code: String?
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
        router.get("/sign-in/code", use: secondFactorPage)
        router.post("/sign-in/code", use: secondFactor)
        router.post("/sign-out", use: signOut)
        router.post("/api/v1/session", use: createToken)
        router.delete("/api/v1/session", use: revokeToken)
        router.get("/api/v1/me", use: me)
    }

    @Sendable func signInPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.principal != nil { return .seeOther("/dashboard") }
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        return renderSignIn(context: context, email: "", next: next, errors: ValidationErrors(), showCode: false, status: .ok)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let email = form.text("email")
        let next = Self.safeNext(form["next"])
        let code = form.text("code")
        var errors = ValidationErrors()
        if email.isEmpty { errors.add("email", "Enter your email address") }
        if (form["password"] ?? "").isEmpty { errors.add("password", "Enter your password") }
        guard errors.isEmpty else {
            return renderSignIn(
                context: context, email: email, next: next, errors: errors, showCode: !code.isEmpty,
                status: .unprocessableContent)
        }
        do {
            let outcome = try await database.beginSignIn(
                email: email, password: form["password"] ?? "", code: code.isEmpty ? nil : code, from: context.remoteAddress,
                kind: .web, limits: configuration.signInLimits)
            switch outcome {
            case .signedIn(let issued):
                return try await signedIn(issued, context: context, next: next)
            case .secondFactorNeeded(let challenge):
                var response = Response.seeOther("/sign-in/code" + (next.map { "?next=" + Self.queryEncoded($0) } ?? ""))
                response.setCookie(challengeCookie(challenge, maxAge: Int(AppDatabase.signInCodeLifetime), context: context))
                return response
            }
        } catch DomainError.invalidCredentials {
            errors.add("email", "Enter a correct email address and password")
            return renderSignIn(
                context: context, email: email, next: next, errors: errors, showCode: !code.isEmpty, status: .unauthorized)
        } catch DomainError.invalidSecondFactorCode {
            errors.add("code", "That code is not right or was already used. Enter the code your app shows now.")
            return renderSignIn(context: context, email: email, next: next, errors: errors, showCode: true, status: .unauthorized)
        } catch DomainError.secondFactorNotSetUp {
            errors.add("code", "Your authenticator app is not set up yet: leave the code empty and sign in to set it up.")
            return renderSignIn(
                context: context, email: email, next: next, errors: errors, showCode: true, status: .unprocessableContent)
        } catch DomainError.tooManyAttempts(let seconds) {
            errors.add("email", Self.tooManyMessage(seconds, codeMayHelp: true))
            var response = renderSignIn(
                context: context, email: email, next: next, errors: errors, showCode: true, status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    /// The second step for sign-ins that need a code: enter it, or first set up the authenticator app.
    @Sendable func secondFactorPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        guard let challenge = request.cookies[Self.challengeCookieName]?.value, !challenge.isEmpty,
            let prompt = try await database.secondFactorPrompt(challenge: challenge)
        else { return .seeOther("/sign-in") }
        return renderSecondFactor(context: context, prompt: prompt, next: next, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func secondFactor(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let next = Self.safeNext(form["next"])
        guard let challenge = request.cookies[Self.challengeCookieName]?.value, !challenge.isEmpty else {
            return .seeOther("/sign-in")
        }
        /// The page again with what to fix (the challenge's prompt is read only then).
        func again(_ message: String, _ status: HTTPResponse.Status) async throws -> Response {
            guard let prompt = try await database.secondFactorPrompt(challenge: challenge) else { return .seeOther("/sign-in") }
            return renderSecondFactor(
                context: context, prompt: prompt, next: next, errors: ValidationErrors(field: "code", message: message),
                status: status)
        }
        let code = form.text("code")
        if code.isEmpty { return try await again("Enter the 6-digit code from your authenticator app", .unprocessableContent) }
        do {
            let issued = try await database.completeSignIn(
                challenge: challenge, code: code, from: context.remoteAddress, limits: configuration.signInLimits)
            var response = try await signedIn(issued, context: context, next: next)
            response.setCookie(challengeCookie("", maxAge: 0, context: context))
            return response
        } catch DomainError.invalidSecondFactorCode {
            return try await again(
                "That code is not right or was already used. Enter the code your app shows now.", .unauthorized)
        } catch DomainError.tooManyAttempts(let seconds) {
            var response = try await again(Self.tooManyMessage(seconds), .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        } catch DomainError.notFound {
            return .seeOther("/sign-in")
        }
    }

    /// A new session id at every sign-in; any session the browser held before is ended.
    private func signedIn(_ issued: IssuedSession, context: AppRequestContext, next: String?) async throws -> Response {
        if let previous = context.sessionToken { try await database.endSession(token: previous) }
        var response = Response.seeOther(next ?? "/dashboard")
        response.setCookie(
            AuthenticationMiddleware.sessionCookie(issued.token, secure: context.usesHTTPS(configuration.usesHTTPS)))
        return response
    }

    static let challengeCookieName = "sgpst_sign_in"

    private func challengeCookie(_ value: String, maxAge: Int, context: AppRequestContext) -> Cookie {
        Cookie(
            name: Self.challengeCookieName, value: value, maxAge: maxAge, path: "/sign-in",
            secure: context.usesHTTPS(configuration.usesHTTPS),
            httpOnly: true, sameSite: .strict)
    }

    /// On the sign-in page a code may still help: wrong passwords lock the password alone.
    private static func tooManyMessage(_ seconds: Int, codeMayHelp: Bool = false) -> String {
        "Too many failed sign-ins for this account or network. Wait \(seconds / 60) minutes and try again"
            + (codeMayHelp ? ", or, if you sign in with an authenticator app, enter your password and its code together." : ".")
    }

    private static func queryEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await database.endAllSessions(userId: principal.userId, kind: .web, by: principal.actor)
        var response = Response.seeOther("/sign-in")
        response.setCookie(AuthenticationMiddleware.expiredSessionCookie(secure: context.usesHTTPS(configuration.usesHTTPS)))
        return response
    }

    @Sendable func createToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try await request.decodeJSON(TokenRequest.self, context: context)
        var errors = ValidationErrors()
        if (input.email ?? "").isEmpty { errors.add("email", "Enter your email address") }
        if (input.password ?? "").isEmpty { errors.add("password", "Enter your password") }
        try errors.throwIfAny()
        let issued = try await database.signIn(
            email: input.email!, password: input.password!, code: input.code, from: context.remoteAddress, kind: .api,
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
        context: AppRequestContext, email: String, next: String?, errors: ValidationErrors, showCode: Bool,
        status: HTTPResponse.Status
    ) -> Response {
        let model = SignInPage(
            page: PageChrome(title: "Sign in", context: context, path: "/sign-in", errors: errors),
            email: FieldState(email, error: errors["email"]), password: FieldState(error: errors["password"]),
            showCode: showCode, code: FieldState(error: errors["code"]), next: next ?? "")
        return renderer.render("sign-in", model, status: status)
    }

    private func renderSecondFactor(
        context: AppRequestContext, prompt: SecondFactorPrompt, next: String?, errors: ValidationErrors,
        status: HTTPResponse.Status
    ) -> Response {
        let title = prompt.setUpKey == nil ? "Enter your code" : "Set up your authenticator app"
        let model = SecondFactorPage(
            page: PageChrome(title: title, context: context, path: "/sign-in/code", errors: errors),
            code: FieldState(error: errors["code"]), next: next ?? "", setUpKey: prompt.setUpKey, setUpLink: prompt.setUpLink)
        return renderer.render("sign-in-code", model, status: status)
    }

    /// Only a path on this site may follow sign-in, never another site. Browsers drop tabs and line
    /// breaks from an address and read a backslash as a slash, so "/<tab>/evil.example" or "/\evil"
    /// would leave the site: the value must start with one "/" and a path character, and hold no
    /// control character or backslash, both as sent and percent-decoded. It is used as it came or
    /// not at all, never trimmed into shape.
    static func safeNext(_ next: String?) -> String? {
        guard let next, isLocalPath(next), let decoded = next.removingPercentEncoding, isLocalPath(decoded) else {
            return nil
        }
        return next
    }

    /// What may follow the leading "/": RFC 3986's path characters with "%" for escapes (never a
    /// slash or a backslash).
    private static let pathStart = Set(
        ("abcdefghijklmnopqrstuvwxyz" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "0123456789" + "-._~!$&'()*+,;=:@%").unicodeScalars)

    private static func isLocalPath(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 2, scalars[0] == "/", pathStart.contains(scalars[1]) else { return false }
        return !scalars.contains { $0 == "\\" || $0.properties.generalCategory == .control }
    }
}
