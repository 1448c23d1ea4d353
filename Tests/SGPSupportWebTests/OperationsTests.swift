import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import SGPSupport
import Synchronization
import Testing

@testable import SGPSupportWeb

/// Log lines as a test reads them back.
final class RecordedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "sgpst") { label in
            JSONLogHandler(label: label) { line in self.lines.withLock { $0.append(line) } }
        }
    }

    var objects: [[String: Any]] {
        lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Running it as an IT team would (issue 25): readiness for the proxy, an id on every answer, a
/// log line per request that names the route and never a person, and an install that finds its files.
@Suite struct OperationsTests {
    @Test func readinessSaysReadyAndWhyNotWhenStorageIsFull() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            let ready = try await browser.request("/readyz")
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
            #expect((ready.json["pendingMigrations"] as? [String])?.isEmpty == true)
        }
        // The same file capped at its present size: live, but not ready.
        let pages = try await environment.database.pageCount()
        let capped = try await TestEnvironment(demo: false, path: environment.path, maxPageCount: pages)
        try await capped.test { browser in
            #expect(try await browser.request("/healthz").status == .ok)
            let full = try await browser.request("/readyz")
            #expect(full.status == .serviceUnavailable)
            #expect(full.json["storageFull"] as? Bool == true)
            #expect((full.json["problems"] as? [String]) == ["Storage is full"])
        }
    }

    @Test func everyAnswerCarriesARequestIdAndEachRequestOneLogLine() async throws {
        let environment = try await TestEnvironment()
        let log = RecordedLog()
        let app = try await buildApplication(
            configuration: environment.configuration, database: environment.database, logger: log.logger)
        try await app.test(.router) { client in
            let browser = Browser(client)
            let page = try await browser.request("/sign-in")
            let missing = try await browser.request("/api/v1/gps/999999")
            let file = try await browser.request("/static/sgpst.css")
            let ids = [page, missing, file].compactMap { $0.headers[.xRequestId] }
            #expect(ids.count == 3 && Set(ids).count == 3, "every answer, errors and files too, its own id")
            let offered = try await browser.request("/healthz", headers: [.xRequestId: "0123456789abcdef"])
            #expect(offered.headers[.xRequestId] != "0123456789abcdef", "only a trusted proxy names the id")
            let odd = try await browser.request("/healthz", headers: [.xRequestId: "bad id\r\nX: y"])
            #expect(odd.headers[.xRequestId] != nil && odd.headers[.xRequestId] != "bad id\r\nX: y")

            #expect(missing.status == .unauthorized)
            let gp = try await APIClient.signedIn(client, "gp@demo.test")
            #expect(try await gp.send("/api/v1/gps/999999").status == .notFound)
            #expect(try await gp.send("/api/v1/gps/1").status == .ok)
        }
        let requests = log.objects.filter { $0["message"] as? String == "request" }
        #expect(requests.count >= 6)
        let own = try #require(requests.first { $0["route"] as? String == "/api/v1/gps/{id}" && $0["status"] as? Int == 200 })
        #expect(
            own["method"] as? String == "GET" && own["durationMs"] is Double && (own["requestId"] as? String)?.isEmpty == false)
        #expect(own["level"] as? String == "info" && (own["time"] as? String)?.hasSuffix("Z") == true)
        #expect(requests.contains { $0["status"] as? Int == 401 } && requests.contains { $0["status"] as? Int == 404 })
        // Never a token, a password, an address or a path's own ids.
        let everything = log.lines.withLock { $0.joined() }
        for secret in ["demo-password", "gp@demo.test", "Bearer", "/api/v1/gps/1\"", "999999"] {
            #expect(!everything.contains(secret), "\(secret)")
        }
    }

    @Test func anInstallFindsItsShareFolderBesideTheBinaryThroughSymlinks() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-install-\(UUID().uuidString)")
        let fileManager = FileManager.default
        defer { try? fileManager.removeItem(at: root) }
        let share = root.appendingPathComponent("opt/sgpst/share/sgpst")
        try fileManager.createDirectory(at: share, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: root.appendingPathComponent("opt/sgpst/bin"), withIntermediateDirectories: true)
        // Templates and public kept elsewhere and linked in, as a configuration tool might.
        try fileManager.createSymbolicLink(
            at: share.appendingPathComponent("Templates"), withDestinationURL: repositoryRoot.appendingPathComponent("Templates"))
        try fileManager.createSymbolicLink(
            at: share.appendingPathComponent("public"), withDestinationURL: repositoryRoot.appendingPathComponent("public"))
        let binary = root.appendingPathComponent("opt/sgpst/bin/sgpst")
        try Data().write(to: binary)
        try fileManager.createDirectory(at: root.appendingPathComponent("usr/bin"), withIntermediateDirectories: true)
        let linked = root.appendingPathComponent("usr/bin/sgpst")
        try fileManager.createSymbolicLink(at: linked, withDestinationURL: binary)

        // Started through the link, from a working folder that holds resources of its own (this checkout).
        let found = try ResourceLocator.locate(explicit: nil, executablePath: linked.path)
        #expect(found.resolvingSymlinksInPath().path == share.resolvingSymlinksInPath().path)
        #expect(
            ResourceLocator.resolved(found, "Templates").path
                == repositoryRoot.appendingPathComponent("Templates").resolvingSymlinksInPath().path,
            "the template loader and the file server are given the folder the link leads to")
        #expect(throws: ResourceLocator.Missing.self) {
            try ResourceLocator.locate(explicit: root.appendingPathComponent("nowhere").path)
        }
    }
}

/// `/metrics` in Prometheus's text format, for the host's own agent or the ranges named.
@Suite struct MetricsRouteTests {
    @Test func metricsAnswerOnlyLoopbackAndTheNamedRanges() throws {
        let monitoring = try NetworkRange("10.20.0.0/16")
        #expect(MetricsController.allows(peer: "127.0.0.1", ranges: []))
        #expect(MetricsController.allows(peer: "::1", ranges: []))
        #expect(!MetricsController.allows(peer: "10.20.3.4", ranges: []))
        #expect(MetricsController.allows(peer: "10.20.3.4", ranges: [monitoring]))
        #expect(!MetricsController.allows(peer: "10.21.3.4", ranges: [monitoring]))
        #expect(!MetricsController.allows(peer: "203.0.113.9", ranges: [monitoring]))
    }

    @Test func theRegistryIsServedAsPrometheusText() async throws {
        var environment = try await TestEnvironment()
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "sgpst_test_total", labels: [("outcome", "sent")]).increment(by: Int64(3))
        environment.configuration.metrics = registry
        try await environment.test { browser in
            let metrics = try await browser.request("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.text.contains(#"sgpst_test_total{outcome="sent"} 3"#))
        }
        // Without a registry (the command line, a test) there is no such route.
        try await TestEnvironment().test { browser in
            let none = try await browser.request("/metrics")
            #expect(none.status == .notFound)
        }
    }
}

/// Behind the proxy: only a trusted proxy's `X-Forwarded-Proto: https` makes cookies Secure and
/// sends HSTS; the same header from anyone else changes nothing.
@Suite struct ForwardedProtoTests {
    @Test(arguments: [true, false])
    func httpsIsBelievedOnlyFromATrustedProxy(trusted: Bool) async throws {
        var environment = try await TestEnvironment()
        environment.configuration.trustedProxies = trusted ? [try NetworkRange("127.0.0.1")] : []
        try await environment.test(.live) { browser in
            let plain = try await browser.request("/sign-in")
            #expect(plain.headers[.strictTransportSecurity] == nil)
            #expect(plain.headers[values: .setCookie].allSatisfy { !$0.contains("Secure") })
            let forwarded = try await Browser(browser.client).request(
                "/sign-in", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect((forwarded.headers[.strictTransportSecurity] != nil) == trusted)
            let cookies = forwarded.headers[values: .setCookie]
            #expect(!cookies.isEmpty && cookies.allSatisfy { $0.contains("Secure") == trusted })
            // The proxy's own request id is kept, and only the proxy's.
            let named = try await browser.request("/healthz", headers: [.xRequestId: "0123456789abcdef"])
            #expect((named.headers[.xRequestId] == "0123456789abcdef") == trusted)
        }
    }
}
