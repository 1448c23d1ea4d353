import Foundation
import GRDB

/// What is waiting for a person, role by role: the dashboard is a work queue, each item something
/// to act on. Read through the same rules as every other route (each part asks its module).
public struct WorkQueue: Sendable {
    /// The GP's: offers still standing, their next bookings, their checks running out, and evidence
    /// whose follow-up date has come (cards and arrangements are in the shared lists below).
    public struct ForGP: Sendable {
        public var gpId: Int64
        public var offers: [(offer: Offer, listing: SessionListing)]
        public var nextBookings: [BookingListing]
        /// Their own checks expiring in the next six weeks, soonest first.
        public var expiringChecks: [ExpiringCheck]
        /// Their evidence entries whose follow-up date is today or past, as the evidence log lists them.
        public var followUpsDue: [EvidenceEntry]
        /// Sessions ready to invoice, overdue invoices, the Form B coming due.
        public var invoicing: GPInvoicing = .none
    }

    /// A practice's: applications to decide and its sessions still open this week and next.
    public struct ForPractice: Sendable {
        public var practice: Practice
        public var applications: [(application: Application, gpName: String, listing: SessionListing)]
        public var openSessions: [SessionListing]
        /// Invoices sent to the practice and not yet paid (overdue first), and paid ones whose Form A is unsigned.
        public var invoicesToPay: [InvoiceSummary] = []
        public var formsToSign: [InvoiceSummary] = []
        /// Feedback rounds of GPs who worked there, where the practice adds colleagues or prints slips.
        public var feedbackRounds: [FeedbackRoundView] = []
    }

    /// An organisation's liaison officer's: GPs not cleared today with every reason, sessions still
    /// unfilled this week, new applicants, serious concerns still open, the latest mailshot.
    public struct ForLiaisonOfficer: Sendable {
        public var organisationId: Int64
        public var notClearedToday: [GPEntryView]
        /// All of them, where the list stops at a page.
        public var notClearedTotal: Int
        public var unfilledThisWeek: [SessionListing]
        public var applicants: [GP]
        /// Checks waiting for the liaison officer to verify, renewals the GPs sent first among them.
        public var checksToVerify: [PendingCheck]
        /// Open concerns of the serious kind about the organisation's cards, until the mentor closes them.
        public var seriousConcerns: [ConcernListing]
        public var latestMailshot: Mailshot?
        /// Where the latest mailshot's sending stands (nil when there is none).
        public var latestMailshotDeliveries: DeliveryCounts?
        /// Per practice, Form As waiting for a signature and how long (counts only).
        public var formsAwaitingSignature: [FormsAwaitingSignature] = []
    }

    /// A mentor's: open concerns and the caseload, with each case's next review date.
    public struct ForMentor: Sendable {
        public var openConcerns: [ConcernListing]
        public var caseload: [(view: SupportCaseView, nextReview: Day?)]
    }

    public var gp: ForGP?
    /// Open concerns the support team may see (read once, for the mentor's list and the flags).
    public var openConcerns: [ConcernListing]
    public var practices: [ForPractice]
    public var liaison: [ForLiaisonOfficer]
    public var mentor: ForMentor?
    /// Cards waiting for this person to fill in (a GP's and a practice's).
    public var cardsToFill: [FeedbackCardView]
    /// Arrangements waiting for this person to confirm.
    public var arrangementsToConfirm: [ArrangementView]
}

extension AppDatabase {
    /// Everything waiting for the person signed in.
    public func workQueue(by principal: Principal) async throws -> WorkQueue {
        let now = clock.now()
        let today = clock.today
        let reach = principal.reach
        var queue = WorkQueue(
            gp: nil, openConcerns: [], practices: [], liaison: [], mentor: nil, cardsToFill: [], arrangementsToConfirm: [])
        if reach.isSupportTeam || reach.mentors {
            queue.openConcerns = try await feedbackConcerns(by: principal, includeClosed: false)
        }
        if reach.isGP || reach.managesPractices {
            queue.cardsToFill = try await feedbackInbox(for: principal).waiting
            queue.arrangementsToConfirm = try await provisionalArrangements(by: principal).filter { $0.may.contains(.confirm) }
        }
        if let gpId = principal.gpId {
            let offers = try await self.offers(by: principal).filter { $0.0.effectiveStatus(now: now) == "pending" }
            let upcoming = try await bookings(for: principal, from: today, to: today.adding(days: 28))
                .filter { $0.booking.status == .confirmed && $0.booking.gpId == principal.gpId }
            let organisationId = try await read { db in
                try Int64.fetchOne(db, sql: "SELECT organisationId FROM gp WHERE id = ?", arguments: [gpId])
            }
            var expiring: [ExpiringCheck] = []
            if let organisationId {
                expiring = try await expiringChecks(organisationId: organisationId, gpId: gpId, by: principal)
            }
            queue.gp = WorkQueue.ForGP(
                gpId: gpId, offers: offers.map { (offer: $0.0, listing: $0.1) }, nextBookings: Array(upcoming.prefix(5)),
                expiringChecks: expiring, followUpsDue: try await evidenceFollowUpsDue(gpId: gpId, today: today),
                invoicing: try await gpInvoicing(gpId: gpId, today: today))
        }
        let nextWeekEnd = today.adding(days: 13 - (today.isoWeekday - 1))
        for practice in try await ownPractices(by: principal) {
            let open = try await sessions(
                filter: SessionFilter(status: .open, from: today, to: nextWeekEnd, practiceId: practice.id!),
                page: PageRequest(perPage: PageRequest.maximumPerPage), by: principal
            ).items
            let invoicing = try await practiceInvoicing(practiceId: practice.id!, today: today)
            queue.practices.append(
                WorkQueue.ForPractice(
                    practice: practice, applications: try await pendingApplications(practiceId: practice.id!, by: principal),
                    openSessions: open, invoicesToPay: invoicing.toPay, formsToSign: invoicing.toSign,
                    feedbackRounds: try await practiceFeedbackRounds(practiceId: practice.id!, by: principal)))
        }
        let weekEnd = today.adding(days: 7 - today.isoWeekday)
        for supported in reach.supportedOrganisations where supported.isLiaisonOfficer {
            let id = supported.organisationId
            let notCleared = try await gps(
                organisationId: id, filter: GPFilter(status: .active, notClearedOn: today), page: PageRequest(perPage: 50),
                by: principal)
            let applicants = try await gps(
                organisationId: id, filter: GPFilter(status: .applicant), page: PageRequest(perPage: PageRequest.maximumPerPage),
                by: principal)
            let unfilled = try await sessions(
                organisationIds: [id], filter: SessionFilter(status: .open, from: today, to: weekEnd),
                page: PageRequest(perPage: PageRequest.maximumPerPage))
            let latest = try await mailshots(organisationId: id, by: principal).first
            var deliveries: DeliveryCounts?
            if let latest { deliveries = try await mailshotView(id: latest.id!, by: principal).deliveries }
            let serious = queue.openConcerns.filter { $0.concern.severity == .serious && $0.concern.organisationId == id }
            queue.liaison.append(
                WorkQueue.ForLiaisonOfficer(
                    organisationId: id, notClearedToday: notCleared.items, notClearedTotal: notCleared.total,
                    unfilledThisWeek: unfilled.items, applicants: applicants.items.map(\.gp),
                    checksToVerify: try await checksToVerify(organisationId: id, by: principal), seriousConcerns: serious,
                    latestMailshot: latest, latestMailshotDeliveries: deliveries,
                    formsAwaitingSignature: try await formsAwaitingSignature(organisationId: id, by: principal)))
        }
        if reach.mentors {
            let cases = try await supportCases(by: principal).filter { $0.reader == .mentor && $0.supportCase.closedOn == nil }
            queue.mentor = WorkQueue.ForMentor(
                openConcerns: queue.openConcerns,
                caseload: cases.map { view in (view: view, nextReview: view.plan?.reviewDates.filter { $0 >= today }.min()) })
        }
        return queue
    }

    /// The GP's own evidence whose follow-up date has come (read only for the GP signed in).
    func evidenceFollowUpsDue(gpId: Int64, today: Day) async throws -> [EvidenceEntry] {
        try await read { db in
            try EvidenceEntry.fetchAll(
                db, sql: "SELECT * FROM evidenceEntry WHERE gpId = ? AND followUpOn <= ? ORDER BY followUpOn",
                arguments: [gpId, today])
        }
    }

    /// Applications waiting for the practice's decision, oldest first.
    func pendingApplications(practiceId: Int64, by principal: Principal) async throws
        -> [(application: Application, gpName: String, listing: SessionListing)]
    {
        let now = clock.now()
        return try await read { db in
            let applications = try Application.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM application a JOIN clinicalSession s ON s.id = a.sessionId
                    WHERE s.practiceId = ? AND a.status = 'pending' AND s.status = 'open' ORDER BY a.createdAt
                    """,
                arguments: [practiceId])
            return try applications.compactMap { application in
                let (session, practice) = try Self.sessionAndPractice(db, application.sessionId)
                let view = try Self.sessionView(db, session: session, practice: practice, by: principal, now: now)
                guard view.may.contains(.decideApplications) else { return nil }
                let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [application.gpId]) ?? ""
                return (application: application, gpName: name, listing: view.listing)
            }
        }
    }
}

/// A check recorded as pending and not yet followed by another of its type: waiting to be verified.
public struct PendingCheck: Sendable, Equatable {
    public var check: CredentialCheck
    public var gpName: String
    public var typeName: String
}

extension AppDatabase {
    /// The organisation's checks waiting for verification, oldest first: the liaison officer's.
    public func checksToVerify(organisationId: Int64, by principal: Principal) async throws -> [PendingCheck] {
        try AccessPolicy.require(principal, .manageOrganisation(organisationId: organisationId))
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, gp.name AS gpName, t.name AS typeName FROM credentialCheck c
                    JOIN gp ON gp.id = c.gpId
                    JOIN checkType t ON t.organisationId = gp.organisationId AND t.code = c.type
                    WHERE gp.organisationId = ? AND gp.status = 'active' AND c.status = 'pending'
                      AND c.id = (SELECT MAX(id) FROM credentialCheck WHERE gpId = c.gpId AND type = c.type)
                    ORDER BY c.recordedAt, c.id
                    """,
                arguments: [organisationId]
            ).map { row in
                PendingCheck(check: try CredentialCheck(row: row), gpName: row["gpName"], typeName: row["typeName"])
            }
        }
    }
}
