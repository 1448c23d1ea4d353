import CoreMetrics

/// The domain's own measurements, through swift-metrics: nothing is kept unless the process has
/// chosen a metrics backend (`sgpst serve` chooses Prometheus; tests and the command line none).
/// Made once, on first use; `prepare()` makes them all at start so that `/metrics` lists every one
/// before it first moves.
public enum ServiceMetrics {
    static let databaseReads = CoreMetrics.Timer(
        label: "sgpst_database_read_duration", dimensions: [], preferredDisplayUnit: .seconds)
    static let databaseWrites = CoreMetrics.Timer(
        label: "sgpst_database_write_duration", dimensions: [], preferredDisplayUnit: .seconds)
    /// Wrong passwords (or a disabled account's), wrong authenticator codes, dead set-password links.
    static let signInFailures = Dictionary(
        uniqueKeysWithValues: ["password", "code", "link"].map {
            ($0, Counter(label: "sgpst_sign_in_failures", dimensions: [("kind", $0)]))
        })
    /// Attempts refused unchecked because an address or an email reached its limit.
    static let signInRefusals = Counter(label: "sgpst_sign_in_refusals")
    static let mailshotSent = Counter(label: "sgpst_mailshot_deliveries", dimensions: [("outcome", "sent")])
    static let mailshotFailed = Counter(label: "sgpst_mailshot_deliveries", dimensions: [("outcome", "failed")])
    public static let schedulerRuns = Counter(label: "sgpst_scheduler_runs", dimensions: [("outcome", "completed")])
    public static let schedulerFailures = Counter(label: "sgpst_scheduler_runs", dimensions: [("outcome", "failed")])

    public static func prepare() {
        _ = (
            databaseReads, databaseWrites, signInFailures, signInRefusals, mailshotSent, mailshotFailed, schedulerRuns,
            schedulerFailures
        )
    }

    /// Runs `body`, recording how long it took in `timer` (whether it succeeded or not).
    static func timed<T>(_ timer: CoreMetrics.Timer, _ body: () async throws -> T) async rethrows -> T {
        let started = ContinuousClock.now
        defer {
            let elapsed = started.duration(to: .now).components
            timer.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        return try await body()
    }
}
