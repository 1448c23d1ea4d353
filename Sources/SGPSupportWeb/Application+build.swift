import Foundation
import Hummingbird
import Logging
import SGPSupport

/// Builds the application that serves; tests build the very same one. Each request's path is
/// normalised before the router and its middleware see it (`PathNormalisingResponder`).
public func buildApplication(
    configuration: AppConfiguration, database: AppDatabase, logger: Logger = quietLogger
) async throws -> some ApplicationProtocol {
    let router = try await buildRouter(configuration: configuration, database: database, logger: logger)
    return Application(
        responder: PathNormalisingResponder(responder: router.buildResponder()),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sgpst"),
        services: [
            ScheduledWorkService(
                database: database, mailer: configuration.mailer, links: configuration.links, interval: .seconds(300),
                logger: logger)
        ],
        logger: logger)
}

/// Tests build the application without a logger of their own: only warnings and worse from them.
public let quietLogger: Logger = {
    var logger = Logger(label: "sgpst")
    logger.logLevel = .warning
    return logger
}()

/// The routes and middleware, outermost first: the request's id and its log line, who the client
/// is (behind a trusted proxy), headers
/// on every answer, errors turned into pages or JSON, static files, who is signed in, the CSRF check
/// on form posts, then signed-in GET answers kept until the next write (inside the authentication,
/// so they are kept per authenticated session and with that session's CSRF token).
public func buildRouter(configuration: AppConfiguration, database: AppDatabase, logger: Logger = quietLogger) async throws
    -> Router<AppRequestContext>
{
    let renderer = try await PageRenderer(
        templatesDirectory: ResourceLocator.resolved(configuration.resourcesDirectory, "Templates"))
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(RequestLogMiddleware(logger: logger, trustedProxies: configuration.trustedProxies))
    // Requests by route template and status, and their durations (through swift-metrics).
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(ClientAddressMiddleware(trustedProxies: configuration.trustedProxies))
    router.middlewares.add(SecurityHeadersMiddleware(usesHTTPS: configuration.usesHTTPS))
    router.middlewares.add(ErrorMiddleware(renderer: renderer))
    router.middlewares.add(
        FileMiddleware(ResourceLocator.resolved(configuration.resourcesDirectory, "public").path, urlBasePath: "/static"))
    router.middlewares.add(
        AuthenticationMiddleware(
            database: database, lifetimes: configuration.sessionLifetimes, usesHTTPS: configuration.usesHTTPS))
    router.middlewares.add(CSRFMiddleware(allowedOrigin: configuration.baseOrigin, usesHTTPS: configuration.usesHTTPS))
    if configuration.responseCache {
        router.middlewares.add(ResponseCacheMiddleware(database: database, cache: ResponseCache()))
    }

    HealthController(database: database).addRoutes(to: router)
    if let registry = configuration.metrics {
        MetricsController(registry: registry, allowedRanges: configuration.metricsFrom).addRoutes(to: router)
    }
    try OpenAPIController(resourcesDirectory: configuration.resourcesDirectory).addRoutes(to: router)
    SessionController(database: database, renderer: renderer, configuration: configuration).addRoutes(to: router)
    DashboardController(database: database, renderer: renderer).addRoutes(to: router)
    OrganisationController(database: database, renderer: renderer).addRoutes(to: router)
    let registerPages = RegisterPagesController(
        database: database, renderer: renderer, mailer: configuration.mailer, baseURL: configuration.publicBaseURL)
    registerPages.addRoutes(to: router)
    DocumentsController(database: database, pages: registerPages).addRoutes(to: router)
    PracticeAPIController(database: database).addRoutes(to: router)
    let clearingHouse = ClearingHouseAPIController(
        database: database, mailer: configuration.mailer, baseURL: configuration.publicBaseURL)
    clearingHouse.addRoutes(to: router)
    InvoiceAPIController(database: database, mailer: configuration.mailer, baseURL: configuration.publicBaseURL)
        .addRoutes(to: router)
    FeedbackRoundAPIController(database: database, mailer: configuration.mailer, baseURL: configuration.publicBaseURL)
        .addRoutes(to: router)
    ClearingHousePagesController(database: database, renderer: renderer, api: clearingHouse).addRoutes(to: router)
    PracticePagesController(database: database, renderer: renderer).addRoutes(to: router)
    JoinController(
        database: database, renderer: renderer, signInLimits: configuration.signInLimits, mailer: configuration.mailer,
        links: Links(baseURL: configuration.publicBaseURL)
    ).addRoutes(to: router)
    RegisterFilesController(database: database, renderer: renderer).addRoutes(to: router)
    GPAPIController(database: database, mailer: configuration.mailer, baseURL: configuration.publicBaseURL).addRoutes(to: router)
    let feedback = FeedbackAPIController(database: database, mailer: configuration.mailer, links: configuration.links)
    feedback.addRoutes(to: router)
    FeedbackPagesController(database: database, renderer: renderer, api: feedback).addRoutes(to: router)
    FeedbackRoundPagesController(
        database: database, renderer: renderer, mailer: configuration.mailer, links: configuration.links
    ).addRoutes(to: router)
    ReportsController(database: database, renderer: renderer).addRoutes(to: router)
    let evidence = EvidenceAPIController(database: database, mailer: configuration.mailer, links: configuration.links)
    evidence.addRoutes(to: router)
    EvidencePagesController(database: database, renderer: renderer, api: evidence).addRoutes(to: router)
    SupportAPIController(database: database).addRoutes(to: router)
    let links = Links(baseURL: configuration.publicBaseURL)
    ClearingRunAPIController(database: database, mailer: configuration.mailer, links: links).addRoutes(to: router)
    ClearingRunPagesController(database: database, renderer: renderer, mailer: configuration.mailer, links: links)
        .addRoutes(to: router)
    SupportPagesController(database: database, renderer: renderer).addRoutes(to: router)
    InvoicePagesController(database: database, renderer: renderer, mailer: configuration.mailer, links: links)
        .addRoutes(to: router)
    let mailshots = MailshotAPIController(database: database, mailer: configuration.mailer, links: configuration.links)
    mailshots.addRoutes(to: router)
    MailshotController(database: database, renderer: renderer, api: mailshots).addRoutes(to: router)
    return router
}
