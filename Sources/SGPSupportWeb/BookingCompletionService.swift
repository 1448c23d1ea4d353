import Logging
import SGPSupport
import ServiceLifecycle

/// Marks bookings completed once their sessions have ended (feedback cards and reports hook on
/// completion), every few minutes while the server runs.
struct BookingCompletionService: Service {
    let database: AppDatabase
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Shutdown cancels the sleep; that is the normal end of this service, not an error.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let completed = try await database.completeFinishedBookings()
                    if completed > 0 { logger.info("Completed \(completed) booking(s) whose sessions have ended") }
                } catch {
                    logger.error("Could not complete finished bookings: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
