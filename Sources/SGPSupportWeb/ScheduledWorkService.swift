import Logging
import SGPSupport
import ServiceLifecycle

/// The service's own regular work while the server runs: completes bookings whose sessions have
/// ended (which issues their feedback cards), reminds authors of cards still waiting and GPs of evidence follow-ups due, and resumes a
/// mailshot whose sending stopped (a restart or a crash).
struct ScheduledWorkService: Service {
    let database: AppDatabase
    let mailer: any MailTransport
    let links: Links
    let interval: Duration
    let logger: Logger

    func run() async throws {
        // Shutdown cancels the sleep; that is the normal end of this service, not an error.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runOnce()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func runOnce() async {
        do {
            let completed = try await database.completeFinishedBookings(links: links)
            await mailer.deliver(completed.notifications, logger: logger)
            if completed.value > 0 { logger.info("Completed \(completed.value) booking(s) whose sessions have ended") }
            let reminded = try await database.sendFeedbackReminders(links: links)
            await mailer.deliver(reminded.notifications, logger: logger)
            if reminded.value > 0 { logger.info("Reminded the authors of \(reminded.value) feedback card(s)") }
            let tomorrow = try await database.sendSessionReminders(links: links)
            await mailer.deliver(tomorrow.notifications, logger: logger)
            if tomorrow.value > 0 { logger.info("Reminded \(tomorrow.value) GP(s) of tomorrow's session") }
            let payments = try await database.sendPaymentReminders(links: links)
            await mailer.deliver(payments.notifications, logger: logger)
            if payments.value > 0 { logger.info("Sent \(payments.value) payment and pension form reminder(s)") }
            let rounds = try await database.sendFeedbackRoundReminders(links: links)
            await mailer.deliver(rounds.notifications, logger: logger)
            let followUps = try await database.sendEvidenceFollowUpReminders(links: links)
            await mailer.deliver(followUps.notifications, logger: logger)
            for report in try await database.resumeInterruptedMailshots(transport: mailer, links: links) {
                logger.info("Resumed a mailshot: \(report.sent) of \(report.recipients) sent, \(report.failed.count) failed")
            }
            ServiceMetrics.schedulerRuns.increment()
        } catch is CancellationError {
            // The service is stopping: what was not done runs at the next start.
            logger.debug("Scheduled work stopped with the service")
        } catch {
            ServiceMetrics.schedulerFailures.increment()
            logger.error("Scheduled work failed; it runs again shortly: \(error)")
        }
    }
}
