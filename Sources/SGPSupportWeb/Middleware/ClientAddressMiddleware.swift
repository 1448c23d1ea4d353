import HTTPTypes
import Hummingbird

/// Settles who the request comes from (`AppRequestContext.remoteAddress`) before anything reads it:
/// behind a trusted reverse proxy (`sgpst serve --trusted-proxy`), the address the proxy was reached
/// from; otherwise the TCP peer, whatever headers it sends.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let trustedProxies: [NetworkRange]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard !trustedProxies.isEmpty else { return try await next(request, context) }
        var context = context
        context.remoteAddress = ClientAddress.resolve(
            peer: context.peerAddress, forwardedFor: request.headers[values: .xForwardedFor], trustedProxies: trustedProxies)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
