import Foundation
import GRDB

/// A session a practice and a GP arranged between themselves, reported to the scheme so that it
/// counts. One side records it; it stays provisional until the other side confirms it, and only a
/// confirmed arrangement books time, issues feedback cards, counts in reports or opens the pack.
public struct Arrangement: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case provisional, confirmed, declined

        public var title: String {
            switch self {
            case .provisional: "Waiting for the other side to confirm"
            case .confirmed: "Confirmed"
            case .declined: "Declined"
            }
        }
    }

    /// Who recorded it, and so who must confirm it: a GP's record the practice confirms; a
    /// practice's or the liaison officer's record the GP confirms.
    public enum Side: String, Codable, Sendable {
        case gp
        case practice
        case liaisonOfficer = "liaison-officer"
    }

    public var id: Int64?
    public var practiceId: Int64
    public var gpId: Int64
    public var date: Day
    public var startMinute: Int
    public var endMinute: Int
    public var kind: ClinicalSession.Kind
    public var status: Status
    public var recordedBySide: Side
    public var recordedById: Int64?
    public var createdAt: Date
    public var decidedAt: Date?
    public var decidedById: Int64?
    public var bookingId: Int64?

    public var start: String { ClockTime.format(startMinute) }
    public var end: String { ClockTime.format(endMinute) }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// What a person may do with an arrangement.
public enum ArrangementCapability: String, Sendable, CaseIterable, Codable {
    /// Confirm or decline it: the other side from the one that recorded it.
    case confirm
    case decline
}

/// An arrangement with its practice and GP, as one person may see it.
public struct ArrangementView: Sendable {
    public var arrangement: Arrangement
    public var practice: Practice
    public var gpName: String
    public var may: Set<ArrangementCapability>
    /// The session its confirmation booked.
    public var sessionId: Int64?
}

/// What someone reports about a session arranged outside the scheme; decoded straight from API bodies.
public struct ArrangementInput: Sendable, Decodable {
    public var practiceId: Int64?
    /// The GP, by id; or by `gmcNumber` (the practice's form); a GP reporting their own may leave both out.
    public var gpId: Int64?
    public var gmcNumber: String?
    public var date: String?
    public var start: String?
    public var end: String?
    public var kind: String?

    public init(practiceId: Int64?, gpId: Int64?, date: String?, start: String?, end: String?, kind: String?) {
        self.practiceId = practiceId
        self.gpId = gpId
        self.date = date
        self.start = start
        self.end = end
        self.kind = kind
    }
}

extension AppDatabase {
    /// The side the principal records an arrangement at this practice for, or nil when they may
    /// not: its manager, its liaison officer, or a GP for themselves.
    static func arrangementSide(_ principal: Principal, practice: Practice) -> Arrangement.Side? {
        if principal.practiceIds.contains(practice.id!) { return .practice }
        if AccessPolicy.permits(principal, .manageOrganisation(organisationId: practice.organisationId)) {
            return .liaisonOfficer
        }
        return principal.gpId == nil ? nil : .gp
    }

    /// The GPs and practices an arrangement may join: one organisation's, or partners'.
    static func arrangementOrganisations(_ db: Database, practice: Practice) throws -> [Int64] {
        [practice.organisationId] + (try Self.partnerOrganisationIds(db, of: practice.organisationId))
    }

    /// Either side (or the liaison officer) records a session arranged directly between a GP and a
    /// practice of the same organisation or partners. Past dates are allowed (that is the point).
    /// It is provisional: the other side is emailed a link to confirm it.
    public func recordArrangement(_ input: ArrangementInput, by principal: Principal, links: Links) async throws
        -> Outcome<Arrangement>
    {
        let now = clock.now()
        return try await write { db in
            var errors = ValidationErrors()
            let practice = try input.practiceId.flatMap { try Practice.fetchOne(db, id: $0) }
            guard let practice else {
                // Who asks is settled before anything they sent is looked up.
                guard
                    principal.gpId != nil || !principal.practiceIds.isEmpty
                        || !principal.organisationIds(as: .liaisonOfficer).isEmpty
                else { throw Self.arrangementRefusal }
                throw DomainError.validationFailed(ValidationErrors(field: "practiceId", message: "Choose the practice"))
            }
            guard let side = Self.arrangementSide(principal, practice: practice) else { throw Self.arrangementRefusal }
            // A GP reports only their own sessions; the practice's side names the GP.
            if side == .gp, input.gmcNumber != nil || (input.gpId != nil && input.gpId != principal.gpId) {
                throw Self.arrangementRefusal
            }
            let organisations = try Self.arrangementOrganisations(db, practice: practice)
            var gp: GP?
            if side == .gp {
                gp = try principal.gpId.flatMap { try GP.fetchOne(db, id: $0) }
                if let own = gp, !organisations.contains(own.organisationId) {
                    errors.add(
                        "practiceId", "The GP and the practice must be in the same organisation, or in partner organisations")
                }
            } else if let number = input.gmcNumber?.uppercased().filter({ !$0.isWhitespace }) {
                // Only an active GP who could work there is found; anyone else is "no such GP".
                gp = try GP.filter(
                    GP.Columns.registrationNumber == number && GP.Columns.status == GP.Status.active.rawValue
                        && organisations.contains(GP.Columns.organisationId)
                ).fetchOne(db)
                if gp == nil { errors.add("gmcNumber", "No GP of this organisation has that GMC number") }
            } else if let id = input.gpId {
                // Another organisation's GP, an applicant or a leaver is answered as if there were none.
                gp = try GP.fetchOne(db, id: id).flatMap {
                    $0.status == .active && organisations.contains($0.organisationId) ? $0 : nil
                }
                if gp == nil {
                    errors.add("gpId", "The GP and the practice must be in the same organisation, or in partner organisations")
                }
            } else {
                errors.add("gpId", "Choose the GP")
            }
            let date = Self.requiredDay(input.date, field: "date", into: &errors)
            let start = input.start.flatMap(ClockTime.parse)
            let end = input.end.flatMap(ClockTime.parse)
            if start == nil { errors.add("start", "Enter the start time as HH:MM") }
            if end == nil { errors.add("end", "Enter the end time as HH:MM") }
            if let start, let end, end <= start { errors.add("end", "The end time must be after the start time") }
            let kind = ClinicalSession.Kind.named(input.kind ?? "surgery")
            if kind == nil { errors.add("kind", "Choose the kind of session: \(ClinicalSession.Kind.titlesInWords)") }
            try errors.throwIfAny()
            guard let gp else { throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "Choose the GP")) }
            if side == .practice, gp.id == principal.gpId { throw DomainError.forbidden(Self.bothSidesRefusal) }
            var arrangement = Arrangement(
                id: nil, practiceId: practice.id!, gpId: gp.id!, date: date!, startMinute: start!, endMinute: end!,
                kind: kind!, status: .provisional, recordedBySide: side,
                recordedById: principal.isCommandLine ? nil : principal.userId, createdAt: now)
            try arrangement.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "arrangement", entityId: arrangement.id, action: "record")
            let link = links.url("/arrangements/\(arrangement.id!)")
            let what =
                "a \(arrangement.kind.title.lowercased()) session at \(practice.name) on \(arrangement.date.displayText), "
                + "\(arrangement.start)–\(arrangement.end)"
            var mail: [MailMessage] = []
            if side == .gp {
                mail = try Self.practiceRecipients(db, practice).map {
                    MailMessage(
                        to: $0, subject: "Please confirm: \(gp.name), \(arrangement.date.displayText)",
                        text: """
                            \(gp.name) has reported \(what), arranged directly with the practice.

                            It counts towards the scheme only once the practice confirms it. Confirm or decline it here:
                            \(link)
                            """)
                }
            } else if let email = gp.email {
                mail = [
                    MailMessage(
                        to: email, toName: gp.name, subject: "Please confirm: \(practice.name), \(arrangement.date.displayText)",
                        text: """
                            Dear \(gp.name),

                            \(side == .practice ? practice.name : "The sessional GP support team") has reported \(what), \
                            arranged directly between you and the practice.

                            It counts towards the scheme only once you confirm it. Confirm or decline it here:
                            \(link)
                            """)
                ]
            }
            return Outcome(value: arrangement, notifications: mail)
        }
    }

    /// What the principal may do with the arrangement (nil when they may not see it).
    static func arrangementCapabilities(_ principal: Principal, _ arrangement: Arrangement, practice: Practice)
        -> Set<ArrangementCapability>?
    {
        let isGP = principal.gpId == arrangement.gpId
        let isPractice = principal.practiceIds.contains(practice.id!)
        let isTeam = AccessPolicy.permits(principal, .superviseOrganisation(organisationId: practice.organisationId))
        guard isGP || isPractice || isTeam else { return nil }
        return isConfirmingSide(principal, arrangement, practice: practice) && arrangement.status == .provisional
            ? [.confirm, .decline] : []
    }

    /// The side that did not record it, and never the person who recorded it: the practice
    /// confirms a GP's record, the GP a practice's, each only if they are not also the other side;
    /// the GP confirms what the liaison officer (a third party) recorded.
    static func isConfirmingSide(_ principal: Principal, _ arrangement: Arrangement, practice: Practice) -> Bool {
        let isGP = principal.gpId == arrangement.gpId
        let isPractice = principal.practiceIds.contains(practice.id!)
        guard principal.isCommandLine || principal.userId != arrangement.recordedById else { return false }
        switch arrangement.recordedBySide {
        case .gp: return isPractice && !isGP
        case .practice: return isGP && !isPractice
        case .liaisonOfficer: return isGP
        }
    }

    /// Someone who is both the GP and a manager of the practice cannot be one side of it.
    public static let bothSidesRefusal =
        "You are both the GP and a manager of this practice: ask the liaison officer to record it, then confirm it"

    static let arrangementRefusal = DomainError.forbidden(
        "Only the GP, the practice or the liaison officer can record this arrangement")

    static func arrangementView(_ db: Database, _ arrangement: Arrangement, by principal: Principal) throws -> ArrangementView? {
        guard let practice = try Practice.fetchOne(db, id: arrangement.practiceId),
            let may = Self.arrangementCapabilities(principal, arrangement, practice: practice)
        else { return nil }
        let name = try String.fetchOne(db, sql: "SELECT name FROM gp WHERE id = ?", arguments: [arrangement.gpId]) ?? ""
        let sessionId = try arrangement.bookingId.flatMap {
            try Int64.fetchOne(db, sql: "SELECT sessionId FROM booking WHERE id = ?", arguments: [$0])
        }
        return ArrangementView(arrangement: arrangement, practice: practice, gpName: name, may: may, sessionId: sessionId)
    }

    /// One arrangement, for its GP, its practice and their support team.
    public func arrangement(id: Int64, by principal: Principal) async throws -> ArrangementView {
        try await read { db in
            guard let arrangement = try Arrangement.fetchOne(db, id: id) else {
                throw DomainError.notFound("No arrangement has that id")
            }
            guard let view = try Self.arrangementView(db, arrangement, by: principal) else {
                throw DomainError.forbidden("This arrangement is between another GP and practice")
            }
            return view
        }
    }

    /// The provisional arrangements that involve the principal as GP or practice: those waiting for
    /// them to confirm, and those they recorded that wait for the other side.
    public func provisionalArrangements(by principal: Principal) async throws -> [ArrangementView] {
        try await read { db in
            let arrangements = try Arrangement.fetchAll(
                db,
                sql: """
                    SELECT * FROM arrangement WHERE status = 'provisional'
                    AND (gpId = ? OR practiceId IN (SELECT value FROM json_each(?))) ORDER BY date, startMinute
                    """,
                arguments: [principal.gpId ?? -1, String(describing: principal.practiceIds)])
            return try arrangements.compactMap { try Self.arrangementView(db, $0, by: principal) }
        }
    }

    /// The other side confirms: the session and its booking are made in the same transaction (409
    /// when the GP is booked elsewhere at that time); a past one completes at once and issues its cards.
    public func confirmArrangement(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<Arrangement> {
        let now = clock.now()
        return try await write { db in
            var (arrangement, practice) = try Self.decidableArrangement(db, id: id, by: principal)
            // A sharing agreement may have ended since it was recorded.
            guard let gp = try GP.fetchOne(db, id: arrangement.gpId),
                try Self.arrangementOrganisations(db, practice: practice).contains(gp.organisationId)
            else {
                throw DomainError.conflict(
                    "The GP's organisation and the practice's no longer share GPs, so this arrangement cannot be confirmed")
            }
            var session = ClinicalSession(
                id: nil, practiceId: practice.id!, date: arrangement.date, startMinute: arrangement.startMinute,
                endMinute: arrangement.endMinute, kind: arrangement.kind, requiredSkills: [], ratePence: 0, rateUnit: .session,
                notes: "Arranged outside the scheme", status: .open, source: "reported", postedAt: now,
                postedById: arrangement.recordedById)
            try session.insert(db)
            var booking = try Self.book(db, session: &session, gpId: arrangement.gpId, practice: practice, now: now)
            var mail: [MailMessage] = []
            if Self.endInstant(session) <= now {
                mail = try Self.complete(db, booking: &booking, session: &session, now: now, links: links)
            }
            arrangement.status = .confirmed
            arrangement.decidedAt = now
            arrangement.decidedById = principal.isCommandLine ? nil : principal.userId
            arrangement.bookingId = booking.id
            try arrangement.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "arrangement", entityId: id, action: "confirm")
            return Outcome(value: arrangement, notifications: mail)
        }
    }

    /// The other side declines: nothing is booked or counted.
    public func declineArrangement(id: Int64, by principal: Principal) async throws -> Arrangement {
        let now = clock.now()
        return try await write { db in
            var (arrangement, _) = try Self.decidableArrangement(db, id: id, by: principal)
            arrangement.status = .declined
            arrangement.decidedAt = now
            arrangement.decidedById = principal.isCommandLine ? nil : principal.userId
            try arrangement.update(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "arrangement", entityId: id, action: "decline")
            return arrangement
        }
    }

    private static func decidableArrangement(
        _ db: Database, id: Int64, by principal: Principal
    ) throws -> (Arrangement, Practice) {
        guard let arrangement = try Arrangement.fetchOne(db, id: id),
            let practice = try Practice.fetchOne(db, id: arrangement.practiceId)
        else { throw DomainError.notFound("No arrangement has that id") }
        guard Self.arrangementCapabilities(principal, arrangement, practice: practice) != nil else {
            throw DomainError.forbidden("This arrangement is between another GP and practice")
        }
        // Who asks is settled before the state: only the other side may ever decide.
        guard Self.isConfirmingSide(principal, arrangement, practice: practice) else {
            throw DomainError.forbidden(
                arrangement.recordedBySide == .gp
                    ? "The practice confirms an arrangement the GP recorded"
                    : "The GP confirms an arrangement the practice or the support team recorded")
        }
        guard arrangement.status == .provisional else {
            throw DomainError.conflict("This arrangement is already \(arrangement.status.title.lowercased())")
        }
        return (arrangement, practice)
    }

    /// The GPs a person who names the GP may report an arrangement with, by name: those of the
    /// organisations (and their partners) of the practices they report for.
    public func gpsForArrangements(by principal: Principal) async throws -> [NameableGP] {
        var seenOrganisations = Set<Int64>()
        var seenGPs = Set<Int64>()
        var choices: [NameableGP] = []
        for practice in try await practicesForArrangements(by: principal)
        where seenOrganisations.insert(practice.organisationId).inserted {
            for gp in try await nameableGPs(practiceId: practice.id!, by: principal) where seenGPs.insert(gp.id).inserted {
                choices.append(gp)
            }
        }
        return choices.sorted { $0.name < $1.name }
    }

    /// The practices a person may report an arrangement with: a GP's organisation's and its
    /// partners', a practice manager's own, a liaison officer's organisation's.
    public func practicesForArrangements(by principal: Principal) async throws -> [Practice] {
        try await read { db in
            var organisations: [Int64] = principal.organisationIds(as: .liaisonOfficer)
            if let gpId = principal.gpId, let gp = try GP.fetchOne(db, id: gpId) {
                organisations += [gp.organisationId] + (try Self.partnerOrganisationIds(db, of: gp.organisationId))
            }
            let listed = try Practice.filter(organisations.contains(Practice.Columns.organisationId))
                .order(Practice.Columns.name).fetchAll(db)
            let own = try Practice.filter(ids: principal.practiceIds).order(Practice.Columns.name).fetchAll(db)
            var seen = Set<Int64>()
            return (own + listed).filter { seen.insert($0.id!).inserted }
        }
    }
}
