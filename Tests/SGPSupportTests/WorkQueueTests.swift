import Foundation
import Testing

@testable import SGPSupport

/// The parts of the work queue issue 20 asks for beyond offers, bookings, applications and cards:
/// a GP's checks running out and follow-ups due, the liaison officer's serious concerns and where
/// the latest mailshot stands.
@Suite struct WorkQueueTests {
    @Test func aGPsQueueHoldsTheirChecksRunningOutAndTheFollowUpsWhoseDayHasCome() async throws {
        let fixture = try await EvidenceFixture()
        let database = fixture.database
        let (gp, principal) = try await fixture.feedback.mentoredGP("1111111")
        let (other, _) = try await fixture.feedback.mentoredGP("2222222")
        // The newest indemnity check is the current one: it runs out three weeks from today (2026-12-07).
        for gpId in [gp.id!, other.id!] {
            _ = try await database.recordCheck(
                gpId: gpId, CheckInput(type: "indemnity", status: "verified", verifiedOn: "2026-12-01", expiresOn: "2026-12-28"),
                by: fixture.feedback.liaison)
        }
        var due = fixture.input(.learningNeed, title: "Weight-loss injections")
        due.followUpOn = "2026-12-07"
        _ = try await database.createEvidenceEntry(gpId: gp.id!, due, by: principal)
        var later = fixture.input(.cpd, title: "Dermatology update")
        later.followUpOn = "2027-01-10"
        _ = try await database.createEvidenceEntry(gpId: gp.id!, later, by: principal)

        let queue = try #require(try await database.workQueue(by: principal).gp)
        #expect(queue.gpId == gp.id)
        #expect(queue.expiringChecks.map(\.type) == ["indemnity"], "only their own check, not the other GP's")
        #expect(queue.expiringChecks.first?.expiresOn == Day("2026-12-28"))
        #expect(queue.followUpsDue.map(\.title) == ["Weight-loss injections"], "the January follow-up is not due yet")

        // A practice manager or the liaison officer has no GP's queue.
        #expect(try await database.workQueue(by: fixture.feedback.manager).gp == nil)
        #expect(try await database.workQueue(by: fixture.feedback.liaison).gp == nil)
    }

    @Test func theLiaisonOfficersQueueHoldsSeriousConcernsUntilClosedAndTheLatestMailshotsSending() async throws {
        let fixture = try await FeedbackFixture()
        let database = fixture.database
        let (gp, principal) = try await fixture.mentoredGP("1111111")
        var queue = try #require(try await database.workQueue(by: fixture.liaison).liaison.first)
        #expect(queue.seriousConcerns.isEmpty && queue.latestMailshot == nil && queue.latestMailshotDeliveries == nil)

        _ = try await fixture.completeSessions(for: [(gp, principal)])
        let card = try await fixture.card(gpId: gp.id!, .practiceAboutGP)
        var submission = FeedbackFixture.goodSubmission(card, rating: 2)
        submission.concern = ConcernInput(severity: "serious", details: "Left before the last patient was seen")
        _ = try await database.saveFeedbackCard(
            id: card.id, submission, submit: true, author: .principal(fixture.manager), links: testLinks)
        let week = IsoWeek(containing: Day(fixture.clock.now)).description
        _ = try await database.mailshot(organisationId: fixture.clearing.register.organisationId, week: week, by: fixture.liaison)

        queue = try #require(try await database.workQueue(by: fixture.liaison).liaison.first)
        #expect(queue.seriousConcerns.map(\.card.id) == [card.id])
        #expect(queue.latestMailshot?.status == .draft)
        #expect(queue.latestMailshotDeliveries == DeliveryCounts(pending: 0, sent: 0, failed: 0))
        #expect(try await database.workQueue(by: fixture.mentor).mentor?.openConcerns.map(\.card.id) == [card.id])

        let concern = try #require(queue.seriousConcerns.first?.concern)
        _ = try await database.handleFeedbackConcern(
            id: concern.id!,
            ConcernHandlingInput(
                contactMadeOn: "2026-12-08", response: "Spoke to both; a rota mix-up.", outcome: "support-offered",
                outcomeOn: nil),
            by: fixture.mentor)
        #expect(try await database.workQueue(by: fixture.liaison).liaison.first?.seriousConcerns.isEmpty == true)
    }
}
