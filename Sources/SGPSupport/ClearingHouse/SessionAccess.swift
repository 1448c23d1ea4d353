import Foundation
import GRDB

/// What a person may do with a session: worked out once, here, for pages and JSON to read.
public enum SessionCapability: String, Sendable, CaseIterable, Codable {
    /// Apply for it (a GP who may take it and has not applied).
    case apply
    /// Take back their application while the practice has not decided (the GP who applied).
    case withdrawApplication
    /// Accept or decline the offer made to them.
    case acceptOffer
    case declineOffer
    /// See its applications and candidates, and offer it (the practice and its support team).
    case manage
    /// Accept applications and offer the session (the practice, or the liaison officer for it).
    case decideApplications
    case offer
    /// See who cannot take it, and why (the support team; a practice only as far as the summary goes).
    case seeIneligibleCandidates
    /// Withdraw the open session.
    case withdraw
    /// See its booking (the practice, its support team, the GP booked).
    case seeBooking
    /// Cancel the booking, or mark it completed after the session.
    case cancelBooking
    case complete
    /// Read the practice pack (the GP booked, the practice and its support team).
    case seePack
}

/// One session as one person may see it: the booking only for those who may see it, the person's
/// own application and offer, and what they may do.
public struct SessionView: Sendable {
    public var listing: SessionListing
    public var booking: BookingListing?
    public var ownApplication: Application?
    /// The offer made to this GP that still stands.
    public var ownOffer: Offer?
    /// The booking is this GP's own (they are the one booked).
    public var isOwnBooking: Bool
    public var may: Set<SessionCapability>
    /// Why a GP cannot apply, in words that give away nothing private (a practice's preferences).
    public var whyNotApply: String?
}

/// Who the reasons a GP cannot take a session are written for.
enum EligibilityAudience {
    /// The GP's own support team: every reason, with check detail.
    case everything
    /// The practice's support team, for a partner organisation's GP: every rule, "not cleared"
    /// without which check.
    case withoutCheckDetail
    /// The practice: only what the register's summary shows (cleared or not, skills) and its own
    /// preference; any other rule is "not available for this session".
    case practice
    /// The GP asking for themselves: never a practice's private preference.
    case theGP

    static func of(_ principal: Principal, about gp: GP, at practice: Practice) -> EligibilityAudience {
        if principal.gpId == gp.id { return .theGP }
        if AccessPolicy.permits(principal, .viewGP(gpId: gp.id!, organisationId: gp.organisationId)) { return .everything }
        return AccessPolicy.permits(principal, .superviseOrganisation(organisationId: practice.organisationId))
            ? .withoutCheckDetail : .practice
    }

    /// Whether a rule that is neither clearance, skills nor the practice's preference is named.
    var namesEveryRule: Bool { self != .practice }
}

extension AppDatabase {
    /// The organisations whose sessions a person sees: the support team's own, a GP's own and its
    /// partners' (administrators: all).
    static func visibleSessionOrganisations(_ db: Database, _ principal: Principal) throws -> Set<Int64> {
        if principal.isAdministrator { return Set(try Int64.fetchAll(db, sql: "SELECT id FROM organisation")) }
        var organisations = Set(principal.organisationIds(as: .liaisonOfficer) + principal.organisationIds(as: .mentor))
        if let gpId = principal.gpId, let gp = try GP.fetchOne(db, id: gpId) {
            organisations.insert(gp.organisationId)
            organisations.formUnion(try Self.partnerOrganisationIds(db, of: gp.organisationId))
        }
        return organisations
    }

    /// One session as the principal may see it: 404 when there is none, 403 when they may not see it.
    public func session(id: Int64, by principal: Principal) async throws -> SessionView {
        let now = clock.now()
        return try await read { db in
            guard let session = try ClinicalSession.fetchOne(db, id: id),
                let practice = try Practice.fetchOne(db, id: session.practiceId)
            else { throw DomainError.notFound("No session has that id") }
            return try Self.sessionView(db, session: session, practice: practice, by: principal, now: now)
        }
    }

    static func sessionView(
        _ db: Database, session: ClinicalSession, practice: Practice, by principal: Principal, now: Date
    ) throws -> SessionView {
        let id = session.id!
        let own = principal.practiceIds.contains(practice.id!)
        let manages = own || AccessPolicy.permits(principal, .superviseOrganisation(organisationId: practice.organisationId))
        let decides = own || AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId))
        let visible = try manages || visibleSessionOrganisations(db, principal).contains(practice.organisationId)
        let booking = try Booking.fetchOne(
            db, sql: "SELECT * FROM booking WHERE sessionId = ? AND status != 'cancelled' ORDER BY id DESC LIMIT 1",
            arguments: [id])
        let isBookedGP = booking != nil && booking?.gpId == principal.gpId
        var ownApplication: Application?
        var ownOffer: Offer?
        if let gpId = principal.gpId {
            ownApplication = try Application.fetchOne(
                db, sql: "SELECT * FROM application WHERE sessionId = ? AND gpId = ?", arguments: [id, gpId])
            ownOffer = try Offer.fetchOne(
                db, sql: "SELECT * FROM offer WHERE sessionId = ? AND gpId = ? AND status = 'pending' AND expiresAt > ?",
                arguments: [id, gpId, now])
        }
        guard visible || isBookedGP || ownApplication != nil || ownOffer != nil else {
            throw DomainError.forbidden("You do not have permission to see this session")
        }
        var may: Set<SessionCapability> = []
        if manages { may.formUnion([.manage, .seeBooking, .seePack]) }
        // The practice sees them too, with only what the register's summary shows (`EligibilityAudience`).
        if manages { may.insert(.seeIneligibleCandidates) }
        if decides {
            may.formUnion([.decideApplications, .offer])
            if session.status == .open { may.insert(.withdraw) }
        }
        if isBookedGP { may.formUnion([.seeBooking, .seePack]) }
        if booking?.status == .confirmed && (decides || isBookedGP) {
            may.insert(.cancelBooking)
            if Self.endInstant(session) <= now { may.insert(.complete) }
        }
        var whyNot: String?
        if let gpId = principal.gpId, !manages, session.status == .open {
            if ownOffer != nil {
                may.formUnion([.acceptOffer, .declineOffer])
            } else if ownApplication?.status == .pending {
                may.insert(.withdrawApplication)
            } else if ownApplication == nil || ownApplication?.status == .withdrawn {
                let context = try EligibilityContext.load(db, gpIds: [gpId], sessions: [session], practices: [practice])
                if context.isEligible(gpId: gpId, session: session, practice: practice) {
                    may.insert(.apply)
                } else {
                    whyNot = Self.applyRefusal
                }
            }
        }
        var bookingListing: BookingListing?
        if let booking, may.contains(.seeBooking) {
            let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [booking.gpId]) ?? ""
            bookingListing = BookingListing(booking: booking, session: session, practice: practice, gpName: name)
        }
        return SessionView(
            listing: SessionListing(session: session, practice: practice), booking: bookingListing,
            ownApplication: ownApplication, ownOffer: ownOffer, isOwnBooking: isBookedGP, may: may, whyNotApply: whyNot)
    }

    /// What a GP is told when they cannot apply: the same on the page and in the API, and never a
    /// practice's private preference.
    public static let applyRefusal =
        "You cannot apply: check your availability, skills, localities and checks on your dashboard."

    /// The sessions a person sees: a practice manager their practice's (the one asked for, or
    /// their first), the support team and GPs those of their organisations and partners.
    public func sessions(filter: SessionFilter, page: PageRequest, by principal: Principal) async throws
        -> Page<SessionListing>
    {
        let organisations = try await read { db in try Self.visibleSessionOrganisations(db, principal) }
        var scoped = filter
        if organisations.isEmpty {
            guard let practiceId = filter.practiceId ?? principal.practiceIds.first, principal.practiceIds.contains(practiceId)
            else { throw DomainError.forbidden("You do not have permission to list these sessions") }
            scoped.practiceId = practiceId
            guard let practice = try await practice(id: practiceId) else { throw DomainError.notFound("No practice has that id") }
            return try await sessions(organisationIds: [practice.organisationId], filter: scoped, page: page)
        }
        return try await sessions(organisationIds: organisations.sorted(), filter: scoped, page: page)
    }

    /// Open sessions the GP signed in may take, soonest first (`eligibleFor=me`, "Work available").
    public func workAvailable(filter: SessionFilter, by principal: Principal) async throws -> [SessionListing] {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("Work available is for GPs") }
        return try await eligibleSessions(gpId: gpId, filter: filter)
    }

    /// The offers made to the GP signed in, newest first.
    public func offers(by principal: Principal) async throws -> [(Offer, SessionListing)] {
        guard let gpId = principal.gpId else { throw DomainError.forbidden("Offers are made to GPs") }
        return try await offers(gpId: gpId)
    }

    /// Which board a person's "Sessions" page is: the support team's open sessions, a practice's own,
    /// or (for a GP with no other role) their work available.
    public enum SessionBoardKind: Sendable { case supportTeam, practice, workAvailable }

    public struct SessionBoard: Sendable {
        public var kind: SessionBoardKind
        public var sessions: [SessionListing]
        /// May post sessions (a practice manager, or a liaison officer for their practices).
        public var mayPost: Bool
    }

    public func sessionBoard(by principal: Principal) async throws -> SessionBoard {
        let team = principal.organisationIds(as: .liaisonOfficer) + principal.organisationIds(as: .mentor)
        let mayPost = !principal.practiceIds.isEmpty || !principal.organisationIds(as: .liaisonOfficer).isEmpty
        if team.isEmpty && principal.practiceIds.isEmpty {
            if principal.gpId != nil { return SessionBoard(kind: .workAvailable, sessions: [], mayPost: false) }
            guard principal.isAdministrator else {
                throw DomainError.forbidden("The session board is for practices and the support team")
            }
        }
        let today = clock.today
        var sessions: [SessionListing] = []
        let all = PageRequest(perPage: PageRequest.maximumPerPage)
        if !team.isEmpty {
            sessions += try await self.sessions(
                organisationIds: team, filter: SessionFilter(status: .open, from: today), page: all
            ).items
        }
        for practice in try await practices(ids: principal.practiceIds) {
            sessions += try await self.sessions(
                organisationIds: [practice.organisationId],
                filter: SessionFilter(from: today.adding(days: -14), practiceId: practice.id!), page: all
            ).items
        }
        return SessionBoard(kind: team.isEmpty ? .practice : .supportTeam, sessions: sessions, mayPost: mayPost)
    }

    /// One booking, for its GP, its practice and the support teams of either side.
    public func booking(id: Int64, by principal: Principal) async throws -> BookingListing {
        guard let listing = try await booking(id: id) else { throw DomainError.notFound("No booking has that id") }
        let booking = listing.booking
        let team = Set(principal.organisationIds(as: .liaisonOfficer) + principal.organisationIds(as: .mentor))
        guard
            principal.isAdministrator || principal.gpId == booking.gpId || principal.practiceIds.contains(listing.practice.id!)
                || team.contains(booking.gpOrganisationId) || team.contains(booking.practiceOrganisationId)
        else { throw DomainError.forbidden("This booking is another GP's and practice's") }
        return listing
    }

    /// The practices a person may post sessions for: their own, and the liaison officer's organisation's.
    public func practicesForPosting(by principal: Principal) async throws -> [Practice] {
        var practices = try await practices(ids: principal.practiceIds)
        if let organisationId = principal.organisationIds(as: .liaisonOfficer).first {
            practices += try await self.practices(
                organisationId: organisationId, page: PageRequest(perPage: PageRequest.maximumPerPage)
            ).items
        }
        guard !practices.isEmpty else {
            throw DomainError.forbidden("Only a practice manager or the liaison officer can post sessions")
        }
        return practices
    }
}
