import Hummingbird

/// The front door: every request's path is normalised once, before routing and before any
/// middleware, so the router and the middleware judge the same path. The router ignores empty
/// segments ("//api/v1/me" finds `/api/v1/me`) while a prefix test does not ("//api/…" is not
/// "/api/…"), and a path read one way by the router and another by the API check would let the
/// session cookie into the API.
struct PathNormalisingResponder<Responder: HTTPResponder>: HTTPResponder {
    typealias Context = Responder.Context

    let responder: Responder

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = RequestPath.normalised(request.uri.path)
        guard path != request.uri.path else { return try await responder.respond(to: request, context: context) }
        var head = request.head
        head.path = path + (request.uri.query.map { "?" + $0 } ?? "")
        return try await responder.respond(to: Request(head: head, body: request.body), context: context)
    }
}

enum RequestPath {
    /// One leading slash and no repeated ones; a trailing slash is kept. Nothing else changes: the
    /// router reads percent-escapes as they come, so they cannot make another route.
    static func normalised(_ path: String) -> String {
        var result = "/"
        var afterSlash = true
        for character in path {
            if character == "/" {
                if !afterSlash { result.append("/") }
                afterSlash = true
            } else {
                result.append(character)
                afterSlash = false
            }
        }
        return result
    }
}
