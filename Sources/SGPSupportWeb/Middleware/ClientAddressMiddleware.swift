import HTTPTypes
import Hummingbird

/// Settles who the request comes from (`AppRequestContext.remoteAddress`) before anything reads it:
/// behind a trusted reverse proxy (`sgpst serve --trusted-proxy`), the address the proxy was reached
/// from, and whether over https (`X-Forwarded-Proto`); otherwise the TCP peer, whatever headers it sends.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let trustedProxies: [NetworkRange]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        guard !trustedProxies.isEmpty else { return try await next(request, context) }
        var context = context
        context.remoteAddress = ClientAddress.resolve(
            peer: context.peerAddress, forwardedFor: request.headers[values: .xForwardedFor], trustedProxies: trustedProxies)
        // The proxy's own word only (the last value is the one it added), and only from the proxy.
        if trustedProxies.contains(where: { $0.contains(context.peerAddress) }),
            let proto = request.headers[values: .xForwardedProto].last?.split(separator: ",").last
        {
            context.forwardedHTTPS = proto.trimmingCharacters(in: .whitespaces).lowercased() == "https"
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
