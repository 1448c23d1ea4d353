import Hummingbird
import Prometheus

/// `GET /metrics`: the Prometheus text format, for the organisation's monitoring to scrape. Only
/// from loopback (the host's own agent) or the ranges `--metrics-from` names, judged by the
/// client's own address: behind the proxy the address a trusted proxy says it was reached from
/// (so the whole internet, arriving through nginx on loopback, is not loopback); to anyone else it
/// does not exist.
struct MetricsController {
    let registry: PrometheusCollectorRegistry
    let allowedRanges: [NetworkRange]

    static let loopback = [try! NetworkRange("127.0.0.0/8"), try! NetworkRange("::1")]

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/metrics") { _, context in
            // "local": the request came with no TCP peer at all (in-process, as the router's tests).
            guard Self.allows(peer: context.remoteAddress, ranges: allowedRanges) else { throw HTTPError(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }

    static func allows(peer: String, ranges: [NetworkRange]) -> Bool {
        peer == "local" || (loopback + ranges).contains { $0.contains(peer) }
    }
}
