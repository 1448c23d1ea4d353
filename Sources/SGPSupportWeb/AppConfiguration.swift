import Foundation
import Prometheus
import SGPSupport

/// How the web application is set up; the CLI fills it from flags and the environment.
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The public address people reach the service at; https here turns on Secure cookies and HSTS.
    public var baseURL: URL?
    /// The folder that holds `Templates/`, `public/` and `seeds/`.
    public var resourcesDirectory: URL
    public var sessionLifetimes: SessionLifetimes
    public var signInLimits: SignInLimits
    /// Reverse proxies whose `X-Forwarded-For` names the client (for the per-address sign-in limit).
    public var trustedProxies: [NetworkRange]
    /// Where the service's emails go (an outbox folder until SMTP is configured).
    public var mailer: any MailTransport
    /// Keep signed-in GET answers until the next write (`ResponseCacheMiddleware`); off to measure
    /// every request doing its work.
    public var responseCache: Bool
    /// Where `/metrics` reads from (the registry `serve` gives swift-metrics); none: no `/metrics`.
    public var metrics: PrometheusCollectorRegistry?
    /// Besides loopback, the address ranges `/metrics` answers (`--metrics-from`).
    public var metricsFrom: [NetworkRange] = []

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        baseURL: URL? = nil,
        resourcesDirectory: URL,
        sessionLifetimes: SessionLifetimes = SessionLifetimes(),
        signInLimits: SignInLimits = SignInLimits(),
        trustedProxies: [NetworkRange] = [],
        mailer: any MailTransport,
        responseCache: Bool = true
    ) {
        self.responseCache = responseCache
        self.host = host
        self.port = port
        self.baseURL = baseURL
        self.resourcesDirectory = resourcesDirectory
        self.sessionLifetimes = sessionLifetimes
        self.signInLimits = signInLimits
        self.trustedProxies = trustedProxies
        self.mailer = mailer
    }

    /// The address links in emails start with: the base URL, or where the service listens.
    var publicBaseURL: String {
        if let baseURL {
            return baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        }
        return "http://\(host):\(port)"
    }

    /// True when the service is reached over https, so cookies carry `Secure`.
    /// Absolute addresses for the links emails carry.
    var links: Links { Links(baseURL: publicBaseURL) }

    public var usesHTTPS: Bool { baseURL?.scheme?.lowercased() == "https" }

    /// `scheme://host[:port]` of the base URL, the only origin forms may be posted from.
    var baseOrigin: String? {
        guard let baseURL, let scheme = baseURL.scheme, let host = baseURL.host else { return nil }
        return "\(scheme.lowercased())://\(host.lowercased())" + (baseURL.port.map { ":\($0)" } ?? "")
    }
}

/// Finds the resources folder: an explicit one, then `SGPST_RESOURCES`, then the working directory
/// and the folders above the executable (so `swift run` from the repository root just works).
public enum ResourceLocator {
    public static let environmentVariable = "SGPST_RESOURCES"

    public struct Missing: Error, CustomStringConvertible {
        public var searched: [String]
        public var description: String {
            "Cannot find sgpst's resources (a folder holding Templates/ and public/). Looked in: "
                + searched.joined(separator: ", ")
                + ". Run from the repository root, or pass --resources DIR or set \(ResourceLocator.environmentVariable)."
        }
    }

    public static func locate(explicit: String?, executablePath: String = CommandLine.arguments.first ?? "") throws -> URL {
        var candidates: [URL] = []
        if let explicit {
            candidates = [URL(fileURLWithPath: explicit)]
        } else if let fromEnvironment = ProcessInfo.processInfo.environment[environmentVariable], !fromEnvironment.isEmpty {
            candidates = [URL(fileURLWithPath: fromEnvironment)]
        } else {
            // An installed binary's own files first (bin/sgpst beside share/sgpst, wherever it is
            // started from, through any symlink to the binary), then the working folder, then a
            // build folder's ancestors (.build/debug/sgpst in a checkout).
            let binaryFolder = executableURL(executablePath).deletingLastPathComponent()
            candidates.append(binaryFolder.deletingLastPathComponent().appendingPathComponent("share/sgpst"))
            candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            var folder = binaryFolder
            for _ in 0..<5 {
                candidates.append(folder)
                folder = folder.deletingLastPathComponent()
            }
        }
        for candidate in candidates where isResourcesFolder(candidate) {
            return candidate.standardizedFileURL
        }
        throw Missing(searched: candidates.map(\.path))
    }

    /// The running binary, symlinks followed: argv[0] as given when it names a file (a path,
    /// relative or absolute), else the kernel's own record of it (started through `PATH`).
    static func executableURL(_ argument: String) -> URL {
        if argument.contains("/") { return URL(fileURLWithPath: argument).resolvingSymlinksInPath() }
        if let running = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: running).resolvingSymlinksInPath()
        }
        return URL(fileURLWithPath: argument).resolvingSymlinksInPath()
    }

    /// A folder of the resources as the file server and the template loader read it: symlinks
    /// followed (the file server serves nothing outside the folder it is given).
    public static func resolved(_ resources: URL, _ folder: String) -> URL {
        resources.appendingPathComponent(folder).resolvingSymlinksInPath()
    }

    static func isResourcesFolder(_ url: URL) -> Bool {
        let templates = url.appendingPathComponent("Templates/layout.mustache").path
        let publicFolder = url.appendingPathComponent("public").path
        return FileManager.default.fileExists(atPath: templates) && FileManager.default.fileExists(atPath: publicFolder)
    }
}
