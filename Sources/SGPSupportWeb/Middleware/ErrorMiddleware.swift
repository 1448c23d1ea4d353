import Foundation
import Hummingbird
import Logging
import SGPSupport

/// Turns every error into the answer a person or a client can act on: JSON under `/api` and
/// `/healthz`, a friendly page elsewhere. Nothing escapes as a bare crash.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let renderer: PageRenderer

    struct ErrorPage: Sendable {
        var page: PageChrome
        var heading: String
        var message: String
        var signInLink: Bool
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status == .internalServerError {
                context.logger.error(
                    "Request failed", metadata: ["path": "\(request.uri.path)", "error": "\(String(reflecting: error))"])
            }
            if Self.isAPI(request.uri.path) {
                return apiError.jsonResponse()
            }
            if error is AuthenticationRequired {
                let next =
                    request.uri.path.addingPercentEncoding(
                        withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-"))) ?? "/"
                return .seeOther("/sign-in?next=\(next)")
            }
            return htmlPage(for: apiError, request: request, context: context)
        }
    }

    static func isAPI(_ path: String) -> Bool {
        path.hasPrefix("/api/") || path == "/api" || path == "/healthz" || path == "/readyz"
    }

    private func htmlPage(for error: APIError, request: Request, context: Context) -> Response {
        let (heading, message): (String, String) =
            switch error.status.code {
            case 403 where error.code == "csrf_failed": ("There is a problem with this form", error.message)
            case 403:
                (
                    "You do not have permission to see this page",
                    "Your sign-in does not give access to this page. If you think it should, ask your liaison officer."
                )
            case 404:
                (
                    "Page not found",
                    "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address."
                )
            case 401, 429, 409, 413, 422, 400: ("There is a problem", error.message)
            case 503: ("Sorry, the service cannot save changes right now", error.message)
            default: ("Sorry, there is a problem with the service", "Try again later. Anything you saved before is safe.")
            }
        let model = ErrorPage(
            page: PageChrome(title: heading, context: context, path: request.uri.path),
            heading: heading, message: message, signInLink: context.principal == nil && error.status.code == 403)
        var response = renderer.render("error", model, status: error.status)
        for field in error.headers { response.headers.append(field) }
        return response
    }
}
