import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import SGPSupport
import SGPSupportWeb

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web service (stops cleanly on SIGINT or SIGTERM).")

    static let demoDatabase = "sgpst-demo.sqlite"

    @Option(help: "The SQLite database file. With --demo and none given: ./\(Serve.demoDatabase).") var database: String?
    @Option(help: "The key that seals bank details and NI numbers (made when missing). Default: the database's path + .key.")
    var dataKey: String?
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @Option(help: "The public address of the service, e.g. https://sgpst.example.org (https turns on Secure cookies and HSTS).")
    var baseURL: String?
    @Flag(help: "Load the demo data when it is not there yet and print the demo sign-ins.") var demo = false
    @Option(help: "The folder holding Templates/, public/ and seeds/ (or set SGPST_RESOURCES).") var resources: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String = "info"
    @Option(
        help: """
            text (the default) or json: one JSON object a line on standard error (time, level, message, and for \
            each request its id, route, status and duration).
            """)
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }
    @Option(
        name: .customLong("trusted-proxy"),
        help: """
            A reverse proxy in front of the service, as an address range (CIDR: 10.0.0.0/8, 2001:db8::/32, or one address); \
            repeat for more. Only from these is X-Forwarded-For believed, for the per-address sign-in limit.
            """)
    var trustedProxies: [String] = []
    @Option(
        name: .customLong("metrics-from"),
        help: """
            Besides loopback, an address range (CIDR) that may read /metrics (a monitoring server); repeat for more.
            """)
    var metricsFrom: [String] = []
    @Option(
        help: """
            What is kept in memory between requests: all (the default), eligibility (each organisation's eligibility \
            facts only, no answers kept) or none. For measuring; a deployment leaves it alone.
            """)
    var cache: CacheChoice = .all
    @OptionGroup var mail: MailOptions

    enum CacheChoice: String, ExpressibleByArgument, CaseIterable {
        case all, eligibility, none
    }

    func validate() throws {
        if database == nil && !demo {
            throw ValidationError("Name the database with --database FILE, or pass --demo to use ./\(Self.demoDatabase).")
        }
        if let baseURL, URL(string: baseURL)?.host == nil {
            throw ValidationError("--base-url must be an absolute address such as https://sgpst.example.org")
        }
        _ = try mail.transport()
        if !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535")
        }
        _ = try proxyRanges()
        _ = try Self.ranges(metricsFrom, option: "--metrics-from")
    }

    /// The `--trusted-proxy` ranges, or a message naming the one that is wrong.
    func proxyRanges() throws -> [NetworkRange] {
        try Self.ranges(trustedProxies, option: "--trusted-proxy")
    }

    static func ranges(_ raw: [String], option: String) throws -> [NetworkRange] {
        try raw.map { text in
            do {
                return try NetworkRange(text)
            } catch let error as NetworkRange.Invalid {
                throw ValidationError("\(option) \(error.description)")
            }
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { [logFormat] label in
            switch logFormat {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "sgpst")
        // swift-metrics' backend for the whole process: Hummingbird's request metrics and the
        // domain's own (`ServiceMetrics`) go to one registry, which `/metrics` reads.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        ServiceMetrics.prepare()
        let resourcesFolder = try ResourceLocator.locate(explicit: resources)
        // Start-up lines: as they are on a terminal, as log lines when the log is JSON.
        let announce: (String) -> Void = { [logFormat] line in
            if logFormat == .json { logger.info("\(line)") } else { print(line) }
        }
        announce("Resources: \(resourcesFolder.path)")
        let path = database ?? Self.demoDatabase
        let appDatabase = try AppDatabase(
            path: path, passwords: DatabaseOptions.passwordHasher(), dataKeyPath: dataKey, eligibilityCache: cache != .none)
        if demo {
            let demoData = try DemoData.load(from: resourcesFolder.appendingPathComponent("seeds/demo.json"))
            if try await appDatabase.organisation(code: demoData.organisationCode) == nil {
                let summary = try await appDatabase.loadDemo(demoData)
                announce("Loaded the demo data into \(path): \(summary.practices) practices, \(summary.gps) GPs.")
            }
            DemoLoader.printSignIns(demoData)
        }
        var configuration = AppConfiguration(
            host: host, port: port, baseURL: baseURL.flatMap(URL.init(string:)), resourcesDirectory: resourcesFolder,
            trustedProxies: try proxyRanges(), mailer: try mail.transport(), responseCache: cache == .all)
        configuration.metrics = registry
        configuration.metricsFrom = try Self.ranges(metricsFrom, option: "--metrics-from")
        let app = try await buildApplication(configuration: configuration, database: appDatabase, logger: logger)
        announce("Serving on http://\(host):\(port)  (database \(path))")
        // Into a file or a pipe, output is buffered: show the sign-ins now, not when the server stops.
        fflush(nil)
        try await app.runService()
    }
}
