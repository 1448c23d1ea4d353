import Foundation
import Hummingbird
import SGPSupport

/// The public pages: a GP puts their name forward; an approved GP chooses a password.
struct JoinController {
    let database: AppDatabase
    let renderer: PageRenderer
    /// Set-password links are guessed under the sign-in limit of the caller's address.
    let signInLimits: SignInLimits
    let mailer: any MailTransport
    /// Where the emailed reset link goes.
    let links: Links

    struct ResetRequest: Decodable {
        var email: String?
    }

    struct ResetAnswer: Encodable {
        var status: String
        var message: String
    }

    /// The one answer to a reset request, whether or not the address has a sign-in.
    static let resetSent =
        "If that address has a sign-in here, we have emailed it a link to choose a new password. The link works once, for "
        + "\(DurationText.words(AppDatabase.passwordResetValidity))."

    struct PasswordPage: Sendable {
        var page: PageChrome
        var token: String
        var fields: [FormField]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/join", use: joinForm)
        router.post("/join", use: join)
        router.get("/set-password", use: passwordForm)
        router.post("/set-password", use: setPassword)
        router.get("/password-reset", use: resetForm)
        router.post("/password-reset", use: requestReset)
        router.post("/api/v1/password-reset", use: apiRequestReset)
    }

    // MARK: A forgotten password

    @Sendable func resetForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        renderReset(context: context, email: nil, errors: ValidationErrors(), status: .ok)
    }

    private func renderReset(context: AppRequestContext, email: String?, errors: ValidationErrors, status: HTTPResponse.Status)
        -> Response
    {
        let model = FormPage(
            page: PageChrome(title: "Forgotten your password?", context: context, path: "/password-reset", errors: errors),
            heading: "Forgotten your password?", action: "/password-reset",
            fields: [
                .text(
                    "email", "Email address", value: email, errors: errors,
                    hint: "The address you sign in with. We will email it a link to choose a new password.", type: "email",
                    autocomplete: "username")
            ], submit: "Email me a link", cancel: "/sign-in")
        return renderer.render("form", model, status: status)
    }

    @Sendable func requestReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        do {
            let mail = try await database.requestPasswordReset(
                email: form.text("email"), from: context.remoteAddress, links: links, limits: signInLimits)
            await mailer.deliver(mail, logger: context.logger)
        } catch DomainError.validationFailed(let errors) {
            return renderReset(context: context, email: form["email"], errors: errors, status: .unprocessableContent)
        }
        let model = MessagePage(
            page: PageChrome(title: "Check your email", context: context, path: "/password-reset"),
            heading: "Check your email", message: Self.resetSent, link: "/sign-in", linkText: "Back to sign in")
        return renderer.render("message", model)
    }

    @Sendable func apiRequestReset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ResetRequest.self, context: context)
        let mail = try await database.requestPasswordReset(
            email: body.email ?? "", from: context.remoteAddress, links: links, limits: signInLimits)
        await mailer.deliver(mail, logger: context.logger)
        return try .json(ResetAnswer(status: "sent", message: Self.resetSent))
    }

    @Sendable func joinForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await renderJoin(context: context, form: nil, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func join(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let declaration = JoinForm.declaration(organisations: try await database.organisationChoices())
        let application = declaration.decode(form, into: JoinForm.Application())
        do {
            let applicant = try await database.submitApplication(
                organisationId: application.organisation.flatMap { Int64($0) }, application.entry)
            let organisation = try await database.organisation(id: applicant.organisationId)
            if let acknowledgement = AppDatabase.applicationAcknowledgement(
                applicant, organisationName: organisation?.name ?? "the")
            {
                await mailer.deliver([acknowledgement], logger: context.logger)
            }
        } catch DomainError.validationFailed(let errors) {
            return try await renderJoin(context: context, form: form, errors: errors, status: .unprocessableContent)
        }
        let model = MessagePage(
            page: PageChrome(title: "Thank you", context: context, path: "/join"),
            heading: "Thank you: your name has gone forward",
            message:
                "The liaison officer will check your details and email you. Once approved, you will get a link to choose a password.",
            link: "/", linkText: "Back to the start page")
        return renderer.render("message", model)
    }

    private func renderJoin(context: AppRequestContext, form: FormFields?, errors: ValidationErrors, status: HTTPResponse.Status)
        async throws -> Response
    {
        let model = JoinForm.page(
            chrome: PageChrome(title: "Join the sessional register", context: context, path: "/join", errors: errors),
            declaration: JoinForm.declaration(organisations: try await database.organisationChoices()), posted: form,
            errors: errors)
        return renderer.render("form", model, status: status)
    }

    @Sendable func passwordForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let token = request.uri.queryParameters.get("token") ?? ""
        guard try await database.passwordSetupIsValid(token: token) else { return expiredLink(context) }
        return renderPassword(context: context, token: token, errors: ValidationErrors(), status: .ok)
    }

    @Sendable func setPassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.formFields(context: context)
        let token = form["token"] ?? ""
        if form["password"] != form["confirmPassword"] {
            return renderPassword(
                context: context, token: token,
                errors: ValidationErrors(field: "confirmPassword", message: "The two passwords do not match"),
                status: .unprocessableContent)
        }
        do {
            _ = try await database.completePasswordSetup(
                token: token, password: form["password"] ?? "", from: context.remoteAddress, limits: signInLimits)
            return .seeOther("/sign-in")
        } catch DomainError.validationFailed(let errors) {
            return renderPassword(context: context, token: token, errors: errors, status: .unprocessableContent)
        } catch DomainError.notFound {
            return expiredLink(context)
        } catch DomainError.tooManyAttempts(let seconds) {
            let model = MessagePage(
                page: PageChrome(title: "Too many attempts", context: context, path: "/set-password"),
                heading: "Too many attempts",
                message:
                    "Too many links that did not work were tried from this network. Wait \(seconds / 60) minutes and try again.",
                link: nil, linkText: nil)
            var response = renderer.render("message", model, status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    private func renderPassword(context: AppRequestContext, token: String, errors: ValidationErrors, status: HTTPResponse.Status)
        -> Response
    {
        let fields: [FormField] = [
            .text(
                "password", "New password", value: "", errors: errors,
                hint: "At least 10 characters; a short phrase is easiest to remember.",
                type: "password", autocomplete: "new-password"),
            .text("confirmPassword", "Type it again", value: "", errors: errors, type: "password", autocomplete: "new-password"),
        ]
        let model = PasswordPage(
            page: PageChrome(title: "Choose a password", context: context, path: "/set-password", errors: errors), token: token,
            fields: fields)
        return renderer.render("set-password", model, status: status)
    }

    private func expiredLink(_ context: AppRequestContext) -> Response {
        let model = MessagePage(
            page: PageChrome(title: "This link has expired", context: context, path: "/set-password"),
            heading: "This link has expired",
            message:
                "The link has been used already or is more than \(DurationText.words(AppDatabase.inviteValidity)) old. "
                + "Ask the support team to send a new one.",
            link: nil,
            linkText: nil)
        return renderer.render("message", model, status: .notFound)
    }
}
