import Foundation
import GRDB

extension AppDatabase {
    static let roundNotFound = DomainError.notFound("No feedback round has that id")
    /// How long a round may run, how long a patient's code stays good after its session, and how far
    /// ahead slips may be made (public: the pages' forms say them, and offer only those sessions).
    public static let longestRoundDays = 90
    public static let patientCodeDays = 7
    public static let patientSlipDaysAhead = 30
    /// The most names a GP adds to a round: one fewer than the minimum, so their own choices alone
    /// can never release a report.
    public static func gpAdditions(_ round: FeedbackRound) -> Int { max(1, round.minimum - 1) }
    /// The most patient slips for one session (about one list of appointments).
    public static let slipsPerSession = 20
    /// No report is ever one or two people's answers, whatever an organisation sets.
    public static let smallestMinimum = 3

    /// Days after the invitation at which an unanswered colleague is reminded.
    public static let colleagueReminderDays = [7, 14]

    struct RoundSides {
        var isGP: Bool
        var isTeam: Bool
        /// The principal's practices where the GP completed sessions in the last 12 months.
        var practices: [Int64]
        var any: Bool { isGP || isTeam || !practices.isEmpty }
    }

    /// The practices where the GP completed sessions in the last 12 months: where colleagues come from.
    static func workedPractices(_ db: Database, gpId: Int64, today: Day) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT s.practiceId FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                WHERE b.gpId = ? AND b.status = 'completed' AND b.date >= ?
                GROUP BY s.practiceId ORDER BY COUNT(*) DESC, s.practiceId
                """,
            arguments: [gpId, today.adding(days: -365)])
    }

    static func roundSides(_ db: Database, _ principal: Principal, gp: GP, today: Day) throws -> RoundSides {
        let worked = principal.practiceIds.isEmpty ? [] : try Self.workedPractices(db, gpId: gp.id!, today: today)
        return RoundSides(
            isGP: principal.gpId == gp.id,
            isTeam: AccessPolicy.permits(principal, .manageOrganisation(organisationId: gp.organisationId)),
            practices: worked.filter(principal.practiceIds.contains))
    }

    /// The round with its GP and the sides this person is on, or not found for someone on none.
    static func authorisedRound(_ db: Database, id: Int64, _ principal: Principal, today: Day) throws
        -> (FeedbackRound, GP, RoundSides)
    {
        let (round, gp) = try roundAndGP(db, id: id)
        let sides = try roundSides(db, principal, gp: gp, today: today)
        guard sides.any else { throw roundNotFound }
        return (round, gp, sides)
    }

    static func roundAndGP(_ db: Database, id: Int64) throws -> (FeedbackRound, GP) {
        guard let round = try FeedbackRound.fetchOne(db, id: id), let gp = try GP.fetchOne(db, id: round.gpId) else {
            throw Self.roundNotFound
        }
        return (round, gp)
    }

    static func roundView(_ db: Database, _ round: FeedbackRound, gp: GP, sides: RoundSides) throws -> FeedbackRoundView {
        let id = round.id!
        let responses =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM feedbackRoundResponse WHERE feedbackRoundId = ?", arguments: [id])
            ?? 0
        let byPractice = try Row.fetchAll(
            db,
            sql: """
                SELECT COALESCE(p.name, 'Other') AS practice, COUNT(*) AS n FROM feedbackRoundInvitation i
                LEFT JOIN practice p ON p.id = i.practiceId WHERE i.feedbackRoundId = ? GROUP BY p.name ORDER BY p.name
                """,
            arguments: [id]
        ).map { (practice: $0["practice"] as String, count: $0["n"] as Int) }
        var may = Set<FeedbackRoundCapability>()
        // The GP is never the independent step: not opening, closing or printing slips for their own
        // round, whatever other role they hold.
        if sides.isTeam && !sides.isGP {
            if round.status == .requested { may.insert(.open) }
            if round.status == .open { may.insert(.close) }
        }
        if sides.isGP {
            if round.status == .short && !round.extended { may.insert(.extend) }
            if round.status == .released { may.formUnion([.readReport, .reflect]) }
        }
        if round.kind == .colleague, round.status == .requested || round.status == .open, sides.isGP || !sides.practices.isEmpty {
            may.insert(.addColleague)
        }
        if round.kind == .patient, round.status == .open, !sides.practices.isEmpty, !sides.isGP { may.insert(.printSlips) }
        // While it runs only the support team sees how many have answered (a GP watching the count
        // rise could tell who answered when); once closed, the GP is told how many came.
        let countShown = sides.isTeam && !sides.isGP || round.status == .released || round.status == .short
        // A practice sees only its own people asked, not where else the GP works.
        let shownPractices =
            sides.isTeam || sides.isGP
            ? byPractice
            : try Row.fetchAll(
                db,
                sql: """
                    SELECT p.name AS practice, COUNT(*) AS n FROM feedbackRoundInvitation i JOIN practice p ON p.id = i.practiceId
                    WHERE i.feedbackRoundId = ? AND i.practiceId IN (\(sides.practices.map(String.init).joined(separator: ",")))
                    GROUP BY p.name ORDER BY p.name
                    """,
                arguments: [id]
            ).map { (practice: $0["practice"] as String, count: $0["n"] as Int) }
        let report = may.contains(.readReport) ? try Self.roundReport(db, round, gp: gp) : nil
        let standing: String
        switch round.status {
        case .requested: standing = "Asked for on \(Day(round.requestedAt).displayText); the support team opens it."
        case .open:
            let closes = round.closesOn?.displayText ?? "a date to be set"
            standing =
                countShown
                ? "\(responses) of a target of \(round.target) answered so far; it closes on \(closes). Nothing is shown to anyone until it closes with at least \(round.minimum)."
                : "Open for answers until \(closes). Nothing is shown to anyone until it closes with at least \(round.minimum); only the support team sees how many have answered."
        case .released: standing = "Closed with \(responses) answers: the collated report is the GP's."
        case .short:
            standing =
                "Closed with \(responses) answers, fewer than the \(round.minimum) needed for a report."
                + (round.extended ? "" : " The GP may extend it once.")
        }
        return FeedbackRoundView(
            round: round, gpName: gp.name, responses: countShown ? responses : nil,
            invited: shownPractices.map(\.count).reduce(0, +), invitedByPractice: shownPractices, report: report, may: may,
            standing: standing)
    }

    // MARK: Asking, opening, closing

    /// The GP asks for a round of one kind (one at a time, and as many per five-year cycle as the organisation allows).
    public func requestFeedbackRound(gpId: Int64, kind text: String?, by principal: Principal) async throws -> FeedbackRoundView {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            guard principal.gpId == gpId else {
                throw DomainError.forbidden("Only the GP asks for their own feedback round")
            }
            guard let kind = text.flatMap(FeedbackRound.Kind.init(rawValue:)) else {
                throw DomainError.validationFailed(
                    ValidationErrors(field: "kind", message: "Choose colleague or patient feedback"))
            }
            let running =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM feedbackRound WHERE gpId = ? AND kind = ? AND status IN ('requested', 'open')",
                    arguments: [gpId, kind.rawValue]) ?? 0
            if running > 0 { throw DomainError.conflict("You already have a \(kind.title.lowercased()) round under way") }
            let settings = try Row.fetchOne(db, sql: "SELECT * FROM organisation WHERE id = ?", arguments: [gp.organisationId])!
            let cycleStart = (gp.revalidationDueOn ?? today.adding(months: 60)).adding(months: -60)
            let done =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM feedbackRound WHERE gpId = ? AND kind = ? AND status = 'released' AND closedAt >= ?",
                    arguments: [gpId, kind.rawValue, cycleStart.noon]) ?? 0
            let perCycle: Int = settings["roundsPerCycle"]
            if done >= perCycle {
                throw DomainError.conflict(
                    "You have had \(done) \(kind.title.lowercased()) round\(done == 1 ? "" : "s") this revalidation cycle, the most your organisation runs"
                )
            }
            var round = FeedbackRound(
                id: nil, gpId: gpId, kind: kind, status: .requested, itemsVersion: 1,
                target: settings[kind == .colleague ? "colleagueTarget" : "patientTarget"],
                minimum: settings[kind == .colleague ? "colleagueMinimum" : "patientMinimum"], requestedAt: now, extended: false)
            try round.insert(db)
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "feedback-round", entityId: round.id, action: "request")
            return try Self.roundView(db, round, gp: gp, sides: try Self.roundSides(db, principal, gp: gp, today: today))
        }
    }

    /// Rounds a practice can help with: colleague rounds to add its people to, patient rounds to
    /// print slips for, of GPs who completed sessions there in the last 12 months.
    func practiceFeedbackRounds(practiceId: Int64, by principal: Principal) async throws -> [FeedbackRoundView] {
        let today = clock.today
        return try await read { db in
            let rounds = try FeedbackRound.fetchAll(
                db,
                sql: """
                    SELECT r.* FROM feedbackRound r
                    WHERE r.status IN ('requested', 'open') AND r.gpId IN (
                        SELECT b.gpId FROM booking b JOIN clinicalSession s ON s.id = b.sessionId
                        WHERE s.practiceId = ? AND b.status = 'completed' AND b.date >= ?)
                    ORDER BY r.closesOn, r.id
                    """,
                arguments: [practiceId, today.adding(days: -365)])
            return try rounds.compactMap { round in
                guard let gp = try GP.fetchOne(db, id: round.gpId) else { return nil }
                let view = try Self.roundView(db, round, gp: gp, sides: try Self.roundSides(db, principal, gp: gp, today: today))
                return view.may.isDisjoint(with: [.addColleague, .printSlips]) ? nil : view
            }
        }
    }

    public func feedbackRound(id: Int64, by principal: Principal) async throws -> FeedbackRoundView {
        let today = clock.today
        return try await read { db in
            let (round, gp, sides) = try Self.authorisedRound(db, id: id, principal, today: today)
            return try Self.roundView(db, round, gp: gp, sides: sides)
        }
    }

    /// A GP's rounds, newest first: for the GP and their liaison officer.
    public func feedbackRounds(gpId: Int64, by principal: Principal) async throws -> [FeedbackRoundView] {
        let today = clock.today
        return try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            let sides = try Self.roundSides(db, principal, gp: gp, today: today)
            guard sides.isGP || sides.isTeam else {
                throw DomainError.forbidden("A GP's feedback rounds are theirs and their support team's")
            }
            return try FeedbackRound.filter(Column("gpId") == gpId).order(Column("id").desc).fetchAll(db).map {
                try Self.roundView(db, $0, gp: gp, sides: sides)
            }
        }
    }

    static func closingDay(_ text: String?, today: Day) throws -> Day {
        guard let text, let day = Day(text.trimmingCharacters(in: .whitespaces)), day > today,
            day <= today.adding(days: Self.longestRoundDays)
        else {
            throw DomainError.validationFailed(
                ValidationErrors(
                    field: "closesOn",
                    message:
                        "Enter the closing date: after today and within \(Self.longestRoundDays) days"
                ))
        }
        return day
    }

    /// The liaison officer opens a round (the independent step): the service chooses colleagues
    /// from the practices where the GP worked in the last 12 months, spread across them, and each
    /// is emailed a single-use link.
    public func openFeedbackRound(id: Int64, closesOn text: String?, by principal: Principal, links: Links) async throws
        -> Outcome<FeedbackRoundView>
    {
        let now = clock.now()
        let sealer = self.sealer
        let today = Day(now)
        return try await write { db in
            var (round, gp, sides) = try Self.authorisedRound(db, id: id, principal, today: today)
            guard sides.isTeam, !sides.isGP else {
                throw DomainError.forbidden("The support team opens a feedback round, not the GP")
            }
            guard round.status == .requested else { throw DomainError.conflict("This round has already been opened") }
            round.closesOn = try Self.closingDay(text, today: today)
            round.status = .open
            round.openedAt = now
            round.openedById = principal.recordedUserId
            try round.update(db)
            if round.kind == .colleague { try Self.chooseColleagues(db, round: round, gp: gp, today: today) }
            let mail = try Self.sendInvitations(db, round: round, gp: gp, now: now, links: links, sealer: sealer)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "feedback-round", entityId: id, action: "open")
            return Outcome(value: try Self.roundView(db, round, gp: gp, sides: sides), notifications: mail)
        }
    }

    /// The practice managers of the practices the GP worked at, a fair share from each, up to the target.
    static func chooseColleagues(_ db: Database, round: FeedbackRound, gp: GP, today: Day) throws {
        let practices = try Self.workedPractices(db, gpId: gp.id!, today: today)
        guard !practices.isEmpty else { return }
        let share = max(2, (round.target + practices.count - 1) / practices.count)
        var chosen =
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM feedbackRoundInvitation WHERE feedbackRoundId = ? AND addedBy <> 'gp'",
                arguments: [round.id]) ?? 0
        for practiceId in practices where chosen < round.target {
            let managers = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.displayName, u.email FROM user u JOIN roleGrant g ON g.userId = u.id
                    WHERE g.role = 'practice-manager' AND g.practiceId = ? AND u.disabledAt IS NULL
                      AND u.id NOT IN (SELECT userId FROM roleGrant WHERE gpId = ?)
                    ORDER BY u.id LIMIT ?
                    """,
                arguments: [practiceId, gp.id, share])
            for manager in managers where chosen < round.target {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO feedbackRoundInvitation (feedbackRoundId, name, email, role, practiceId, addedBy)
                        VALUES (?, ?, ?, 'practice-manager', ?, 'service')
                        """,
                    arguments: [round.id, manager["displayName"] as String, manager["email"] as String, practiceId])
                chosen += db.changesCount
            }
        }
    }

    /// Emails every colleague not yet asked a single-use link (only while the round is open).
    static func sendInvitations(
        _ db: Database, round: FeedbackRound, gp: GP, now: Date, links: Links, sealer: DataSealer
    ) throws -> [MailMessage] {
        guard round.status == .open else { return [] }
        let waiting = try Row.fetchAll(
            db, sql: "SELECT id, name, email FROM feedbackRoundInvitation WHERE feedbackRoundId = ? AND sentAt IS NULL",
            arguments: [round.id])
        return try waiting.map { row in
            let token = SecretToken.generate()
            let id: Int64 = row["id"]
            try db.execute(
                sql: "UPDATE feedbackRoundInvitation SET tokenDigest = ?, tokenSealed = ?, sentAt = ? WHERE id = ?",
                arguments: [
                    SecretToken.digest(token), try sealer.seal(Data(token.utf8), row: "invitation:\(id)"), now, id,
                ])
            return Self.invitationMail(
                to: row["email"], name: row["name"], gp: gp, closesOn: round.closesOn,
                link: links.url("/feedback-rounds/answer/\(token)"))
        }
    }

    static func invitationMail(to email: String, name: String, gp: GP, closesOn: Day?, link: String, reminder: Bool = false)
        -> MailMessage
    {
        MailMessage(
            to: email, toName: name,
            subject: (reminder ? "Reminder: " : "") + "Feedback on \(gp.name) for their revalidation",
            text: """
                Dear \(name),

                \(gp.name) has worked with you, and is collecting colleague feedback for their GMC revalidation. The \
                Sessional GP Support Team collects and collates it, so \(gp.name) never sees who answered or any \
                single answer: only a report of everyone's answers together, once enough have come in.

                It takes about five minutes, with no sign-in\(closesOn.map { ", and closes on \($0.displayText)" } ?? ""). The link is yours \
                and works once:
                \(link)
                """)
    }

    /// The GP or a practice where the GP worked adds a colleague to ask. The GP may add names but
    /// never take away the service's choices (there is no removal), and sees who was asked only as counts.
    public func addColleague(roundId: Int64, _ input: ColleagueInput, by principal: Principal, links: Links) async throws
        -> Outcome<FeedbackRoundView>
    {
        let now = clock.now()
        let sealer = self.sealer
        let today = Day(now)
        return try await write { db in
            let (round, gp, sides) = try Self.authorisedRound(db, id: roundId, principal, today: today)
            guard sides.isGP || !sides.practices.isEmpty else {
                throw DomainError.forbidden("Colleagues are added by the GP, or by a practice where they worked")
            }
            guard round.kind == .colleague, round.status == .requested || round.status == .open else {
                throw DomainError.conflict("Colleagues can be added only to a colleague round not yet closed")
            }
            var errors = ValidationErrors()
            let name = input.name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if name.isEmpty || name.count > 100 { errors.add("name", "Enter the colleague's name") }
            let email = input.email.flatMap(Validators.email)
            if email == nil { errors.add("email", "Enter the colleague's email address, like name@nhs.net") }
            let role = input.role.flatMap(ColleagueRole.init(rawValue:))
            if role == nil {
                errors.add("role", "Choose their role: " + ColleagueRole.allCases.map(\.title).joined(separator: ", "))
            }
            // Never the GP themselves, under any address of theirs this service knows.
            let ownAddresses = try Set(
                [gp.email?.lowercased(), principal.gpId == gp.id ? principal.email.lowercased() : nil].compactMap { $0 }
                    + String.fetchAll(
                        db, sql: "SELECT u.email FROM user u JOIN roleGrant g ON g.userId = u.id WHERE g.gpId = ?",
                        arguments: [gp.id]
                    ).map { $0.lowercased() })
            if let email, ownAddresses.contains(email) { errors.add("email", "A GP cannot give feedback on themselves") }
            // The GP may add some names, never enough to outweigh those the service and practices chose.
            let gpAdded =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM feedbackRoundInvitation WHERE feedbackRoundId = ? AND addedBy = 'gp'",
                    arguments: [roundId]) ?? 0
            if sides.isGP, gpAdded >= Self.gpAdditions(round) {
                errors.add(
                    "email",
                    "You have added \(gpAdded), the most a GP adds to a round with a target of \(round.target): the service and the practices choose the rest"
                )
            }
            try errors.throwIfAny()
            let practiceId = sides.isGP ? nil : sides.practices.first
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO feedbackRoundInvitation (feedbackRoundId, name, email, role, practiceId, addedBy)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [roundId, name, email!, role!.rawValue, practiceId, sides.isGP ? "gp" : "practice"])
            // Someone already asked is answered as a new name would be (and not emailed again), so
            // adding a name never tells the GP whether the service or a practice chose them.
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "feedback-round", entityId: roundId, action: "add-colleague")
            let mail = try Self.sendInvitations(db, round: round, gp: gp, now: now, links: links, sealer: sealer)
            return Outcome(value: try Self.roundView(db, round, gp: gp, sides: sides), notifications: mail)
        }
    }

    /// Closes a round: released with at least the minimum, else short (the GP is told how many came).
    public func closeFeedbackRound(id: Int64, by principal: Principal, links: Links) async throws -> Outcome<FeedbackRoundView> {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            let (round, gp, sides) = try Self.authorisedRound(db, id: id, principal, today: today)
            guard sides.isTeam, !sides.isGP else { throw DomainError.forbidden("The support team closes a feedback round") }
            guard round.status == .open else { throw DomainError.conflict("Only an open round can be closed") }
            let (closed, mail) = try Self.close(db, round, gp: gp, now: now, links: links)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "feedback-round", entityId: id, action: "close")
            return Outcome(value: try Self.roundView(db, closed, gp: gp, sides: sides), notifications: mail)
        }
    }

    static func close(_ db: Database, _ round: FeedbackRound, gp: GP, now: Date, links: Links) throws -> (
        FeedbackRound, [MailMessage]
    ) {
        var round = round
        let responses =
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM feedbackRoundResponse WHERE feedbackRoundId = ?", arguments: [round.id]) ?? 0
        round.status = responses >= round.minimum ? .released : .short
        round.closedAt = now
        try round.update(db)
        let text =
            round.status == .released
            ? "Your \(round.kind.title.lowercased()) round has closed with \(responses) answers. Your collated report is ready, for your appraisal:"
            : "Your \(round.kind.title.lowercased()) round has closed with \(responses) answers, fewer than the \(round.minimum) a report needs."
                + (round.extended ? " Talk to your support team about what to do next:" : " You can extend it once:")
        let mail =
            gp.email.map {
                [
                    MailMessage(
                        to: $0, toName: gp.name, subject: "Your \(round.kind.title.lowercased()) round has closed",
                        text: "Dear \(gp.name),\n\n\(text)\n\(links.url("/feedback-rounds/\(round.id!)"))")
                ]
            } ?? []
        return (round, mail)
    }

    /// The GP extends a round that closed short, once, to a new closing date.
    public func extendFeedbackRound(id: Int64, closesOn text: String?, by principal: Principal, links: Links) async throws
        -> Outcome<FeedbackRoundView>
    {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            var (round, gp, sides) = try Self.authorisedRound(db, id: id, principal, today: today)
            guard sides.isGP else { throw DomainError.forbidden("The GP extends their own round") }
            guard round.status == .short, !round.extended else {
                throw DomainError.conflict(
                    round.extended
                        ? "This round has been extended once already" : "Only a round that closed short can be extended")
            }
            round.closesOn = try Self.closingDay(text, today: today)
            round.status = .open
            round.extended = true
            round.closedAt = nil
            try round.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "feedback-round", entityId: id, action: "extend")
            return Outcome(value: try Self.roundView(db, round, gp: gp, sides: sides), notifications: [])
        }
    }

    /// The GP's reflection on a released report: what they take from it, for their appraisal.
    public func reflectOnFeedbackRound(id: Int64, reflection text: String?, by principal: Principal) async throws
        -> FeedbackRoundView
    {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            var (round, gp, sides) = try Self.authorisedRound(db, id: id, principal, today: today)
            guard sides.isGP else { throw DomainError.forbidden("The GP reflects on their own feedback") }
            guard round.status == .released else { throw DomainError.conflict("The report is not released yet") }
            let reflection = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            var errors = ValidationErrors()
            if reflection.isEmpty || reflection.count > 5_000 {
                errors.add("reflection", "Write your reflection: what you take from the feedback, in under 5,000 characters")
            }
            if Validators.containsNHSNumber(reflection) {
                errors.add("reflection", "Take out the NHS number: the portfolio never carries patient identifiers")
            }
            try errors.throwIfAny()
            round.reflection = reflection
            try round.update(db)
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "feedback-round", entityId: id, action: "reflect")
            return try Self.roundView(db, round, gp: gp, sides: sides)
        }
    }

    /// The GP's released rounds as their portfolio carries them, with the revalidation cycle.
    static func roundEvidence(_ db: Database, gp: GP) throws -> [Portfolio.FeedbackRoundEvidence] {
        try FeedbackRound.fetchAll(
            db, sql: "SELECT * FROM feedbackRound WHERE gpId = ? AND status = 'released' ORDER BY closedAt", arguments: [gp.id]
        ).map { round in
            Portfolio.FeedbackRoundEvidence(
                roundId: round.id!, kind: round.kind, closedOn: round.closedAt.map { Day($0) },
                revalidationDueOn: gp.revalidationDueOn, report: try Self.roundReport(db, round, gp: gp),
                reflection: round.reflection)
        }
    }

    // MARK: Patients

    /// A practice where the GP works makes single-use codes for patients of one of the GP's sessions there.
    public func patientSlips(roundId: Int64, bookingId: Int64?, count: Int?, by principal: Principal) async throws -> [String] {
        let now = clock.now()
        let today = Day(now)
        return try await write { db in
            let (round, gp, sides) = try Self.authorisedRound(db, id: roundId, principal, today: today)
            // Who asks is settled before the round's state.
            guard !sides.practices.isEmpty, !sides.isGP else {
                throw DomainError.forbidden("The practice prints patient slips")
            }
            guard round.kind == .patient, round.status == .open else {
                throw DomainError.conflict("Patient slips are for an open patient round")
            }
            var errors = ValidationErrors()
            let booking = try bookingId.flatMap { try Booking.fetchOne(db, id: $0) }
            var practiceId: Int64?
            if let booking {
                practiceId = try Self.sessionAndPractice(db, booking.sessionId).1.id
            }
            guard let booking, booking.gpId == gp.id, let practiceId, principal.practiceIds.contains(practiceId),
                booking.status != .cancelled
            else {
                guard !principal.practiceIds.isEmpty else { throw DomainError.forbidden("The practice prints patient slips") }
                throw DomainError.validationFailed(
                    ValidationErrors(field: "bookingId", message: "Choose one of \(gp.name)'s sessions at your practice"))
            }
            if booking.date < today.adding(days: -Self.patientCodeDays)
                || booking.date > today.adding(days: Self.patientSlipDaysAhead)
            {
                errors.add(
                    "bookingId",
                    "Slips are for a session from the last \(Self.patientCodeDays) days or the next \(Self.patientSlipDaysAhead)")
            }
            let wanted = count ?? 0
            if !(1...60).contains(wanted) { errors.add("count", "Enter how many slips, from 1 to 60") }
            // About one list of appointments a session: never enough to fill a round from one desk.
            let made =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM feedbackRoundPatientCode WHERE bookingId = ?", arguments: [booking.id]) ?? 0
            if made + wanted > Self.slipsPerSession {
                errors.add("count", "A session has at most \(Self.slipsPerSession) slips; \(made) are made for this one already")
            }
            try errors.throwIfAny()
            var codes: [String] = []
            for _ in 0..<wanted {
                let code = Self.patientCode()
                try db.execute(
                    sql:
                        "INSERT INTO feedbackRoundPatientCode (feedbackRoundId, bookingId, codeDigest, createdAt) VALUES (?, ?, ?, ?)",
                    arguments: [roundId, booking.id, SecretToken.digest(code), now])
                codes.append(code)
            }
            try AuditEvent.record(
                db, at: now, actor: principal.actor, entity: "feedback-round", entityId: roundId, action: "patient-slips",
                detail: "\(wanted) for booking \(booking.id!)")
            return codes
        }
    }

    /// Ten characters a patient can type from a slip (no 0/O, 1/I/L): about 49 bits.
    static func patientCode() -> String {
        let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet.randomElement(using: &generator)! })
    }

    // MARK: Answering (no sign-in)

    enum Answerer {
        case colleague(invitationId: Int64, role: String)
        case patient(codeId: Int64)
    }

    static func answerer(_ db: Database, token: String, today: Day) throws -> (FeedbackRound, GP, Answerer, closed: String?) {
        // A patient types the code from a slip: any case, with spaces or hyphens.
        let code = token.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        let digest = SecretToken.digest(code)
        if let row = try Row.fetchOne(
            db, sql: "SELECT id, feedbackRoundId, role, answeredAt FROM feedbackRoundInvitation WHERE tokenDigest = ?",
            arguments: [SecretToken.digest(token)])
        {
            let (round, gp) = try Self.roundAndGP(db, id: row["feedbackRoundId"])
            let answered: Date? = row["answeredAt"]
            let closed =
                answered != nil ? "You have already answered: thank you." : round.status != .open ? "This round has closed." : nil
            return (round, gp, .colleague(invitationId: row["id"], role: row["role"]), closed)
        }
        if let row = try Row.fetchOne(
            db,
            sql: """
                SELECT c.id, c.feedbackRoundId, c.usedAt, b.date FROM feedbackRoundPatientCode c JOIN booking b ON b.id = c.bookingId
                WHERE c.codeDigest = ?
                """,
            arguments: [digest])
        {
            let (round, gp) = try Self.roundAndGP(db, id: row["feedbackRoundId"])
            let date = Day(row["date"] as String) ?? today
            let used: Date? = row["usedAt"]
            let closed =
                used != nil
                ? "This code has been used: each code is for one patient."
                : round.status != .open || today.days(until: date) < -Self.patientCodeDays
                    ? "This code is no longer valid: it was for a session on \(date.displayText)."
                    // A code works from its session's day: no answers before the patient has been seen.
                    : today < date ? "This code works from the day of the session, \(date.displayText)." : nil
            return (round, gp, .patient(codeId: row["id"]), closed)
        }
        throw DomainError.notFound("This link or code is not one we know: check it against your email or slip")
    }

    /// The questionnaire a link or code opens.
    public func questionnaire(token: String) async throws -> FeedbackQuestionnaire {
        let today = clock.today
        return try await read { db in
            let (round, gp, _, closed) = try Self.answerer(db, token: token, today: today)
            return FeedbackQuestionnaire(
                gpName: gp.name, kind: round.kind, items: try Self.roundItems(db, round), closedReason: closed)
        }
    }

    static func roundItems(_ db: Database, _ round: FeedbackRound) throws -> [FeedbackRoundItem] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM feedbackRoundItem WHERE version = ? AND kind = ? ORDER BY position",
            arguments: [round.itemsVersion, round.kind.rawValue]
        ).map {
            FeedbackRoundItem(
                kind: round.kind, code: $0["code"], position: $0["position"], domain: $0["domain"], text: $0["text"])
        }
    }

    /// A round's questionnaire, for anyone who may see the round.
    public func feedbackRoundItems(roundId: Int64, by principal: Principal) async throws -> [FeedbackRoundItem] {
        let today = clock.today
        return try await read { db in
            let (round, gp) = try Self.roundAndGP(db, id: roundId)
            guard try Self.roundSides(db, principal, gp: gp, today: today).any else { throw Self.roundNotFound }
            return try Self.roundItems(db, round)
        }
    }

    /// One answer, once per link or code. What is kept says nothing of who gave it: the group
    /// (their role, or "Patients"), the ratings, the two texts and the day.
    public func answerFeedback(token: String, _ input: FeedbackAnswersInput) async throws {
        let now = clock.now()
        let today = Day(now)
        try await write { db in
            let (round, _, answerer, closed) = try Self.answerer(db, token: token, today: today)
            if let closed { throw DomainError.conflict(closed) }
            let items = try Self.roundItems(db, round)
            var errors = ValidationErrors()
            var ratings: [String: Int?] = [:]
            for answer in input.answers ?? [] {
                guard items.contains(where: { $0.code == answer.item }) else {
                    errors.add("answers", "There is no question \(answer.item) in this questionnaire")
                    continue
                }
                if let rating = answer.rating, !(1...5).contains(rating) {
                    errors.add("answers", "Each rating is from 1 to 5, or \"unable to comment\"")
                }
                ratings[answer.item] = answer.rating
            }
            if ratings.values.allSatisfy({ $0 == nil }) {
                errors.add("answers", "Rate at least one statement (choose \"unable to comment\" for the others)")
            }
            func text(_ value: String?, _ field: String) -> String? {
                let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if trimmed.count > 2_000 { errors.add(field, "Keep it under 2,000 characters") }
                if Validators.containsNHSNumber(trimmed) {
                    errors.add(field, "Take out the NHS number: no patient is ever named or numbered here")
                }
                return trimmed.isEmpty ? nil : trimmed
            }
            let doesWell = text(input.doesWell, "doesWell")
            let couldChange = text(input.couldChange, "couldChange")
            try errors.throwIfAny()
            let answers = items.map { ["item": $0.code, "rating": (ratings[$0.code] ?? nil).map { "\($0)" } ?? "null"] }
            let json =
                "[" + answers.map { "{\"item\":\"\($0["item"]!)\",\"rating\":\($0["rating"]!)}" }.joined(separator: ",") + "]"
            let group: String
            switch answerer {
            case .colleague(let invitationId, let role):
                group = ColleagueRole(rawValue: role)?.title ?? "Colleague"
                // Only the day, and the link's secret forgotten: nothing in the file pairs a name with an answer by time.
                try db.execute(
                    sql:
                        "UPDATE feedbackRoundInvitation SET answeredAt = ?, tokenSealed = NULL WHERE id = ? AND answeredAt IS NULL",
                    arguments: [today.noon, invitationId])
                guard db.changesCount == 1 else { throw DomainError.conflict("You have already answered: thank you.") }
            case .patient(let codeId):
                group = "Patients"
                try db.execute(
                    sql: "UPDATE feedbackRoundPatientCode SET usedAt = ? WHERE id = ? AND usedAt IS NULL",
                    arguments: [today.noon, codeId])
                guard db.changesCount == 1 else {
                    throw DomainError.conflict("This code has been used: each code is for one patient.")
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO feedbackRoundResponse (feedbackRoundId, respondentGroup, answers, doesWell, couldChange, submittedOn)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [round.id, group, json, doesWell, couldChange, today])
        }
    }

    // MARK: The report

    static func itemMeans(_ db: Database, roundId: Int64) throws -> (rows: [Row], byItem: [String: [Int?]]) {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT respondentGroup, answers, doesWell, couldChange FROM feedbackRoundResponse WHERE feedbackRoundId = ?",
            arguments: [roundId])
        var byItem: [String: [Int?]] = [:]
        for row in rows {
            let data = Data((row["answers"] as String).utf8)
            let answers = (try? JSONDecoder().decode([FeedbackAnswersInput.Answer].self, from: data)) ?? []
            for answer in answers { byItem[answer.item, default: []].append(answer.rating) }
        }
        return (rows, byItem)
    }

    static func mean(_ ratings: [Int?]) -> Double? {
        let given = ratings.compactMap { $0 }
        guard !given.isEmpty else { return nil }
        return (Double(given.reduce(0, +)) / Double(given.count) * 10).rounded() / 10
    }

    static func roundReport(_ db: Database, _ round: FeedbackRound, gp: GP) throws -> FeedbackRoundReport {
        let (rows, byItem) = try Self.itemMeans(db, roundId: round.id!)
        var groups: [String: Int] = [:]
        for row in rows { groups[row["respondentGroup"], default: 0] += 1 }
        // The organisation's other GPs' released rounds of this kind: each one's mean per item.
        let others = try Int64.fetchAll(
            db,
            sql: """
                SELECT r.id FROM feedbackRound r JOIN gp g ON g.id = r.gpId
                WHERE g.organisationId = ? AND r.kind = ? AND r.status = 'released' AND r.gpId <> ?
                """,
            arguments: [gp.organisationId, round.kind.rawValue, gp.id])
        var otherMeans: [String: [Double]] = [:]
        for other in others {
            for (item, ratings) in try Self.itemMeans(db, roundId: other).byItem {
                if let mean = Self.mean(ratings) { otherMeans[item, default: []].append(mean) }
            }
        }
        let items = try Self.roundItems(db, round).map { item -> FeedbackRoundReport.Item in
            let ratings = byItem[item.code] ?? []
            var distribution = Array(repeating: 0, count: 6)
            for rating in ratings { distribution[rating.map { $0 - 1 } ?? 5] += 1 }
            let sorted = (otherMeans[item.code] ?? []).sorted()
            func quantile(_ q: Double) -> Double? {
                guard sorted.count >= 3 else { return nil }
                let position = q * Double(sorted.count - 1)
                let low = Int(position.rounded(.down))
                let high = min(low + 1, sorted.count - 1)
                return ((sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))) * 10).rounded() / 10
            }
            return FeedbackRoundReport.Item(
                item: item.code, text: item.text, domain: item.domain, mean: Self.mean(ratings), distribution: distribution,
                othersLowerQuartile: quantile(0.25), othersMedian: quantile(0.5), othersUpperQuartile: quantile(0.75))
        }
        // Names out: the GP's, every practice's of the organisation and every one the GP worked at
        // (partners' too), and everyone asked.
        let practiceNames = try String.fetchAll(
            db,
            sql: """
                SELECT name FROM practice WHERE organisationId = ? OR id IN (
                    SELECT s.practiceId FROM booking b JOIN clinicalSession s ON s.id = b.sessionId WHERE b.gpId = ?)
                """,
            arguments: [gp.organisationId, gp.id])
        let askedNames = try String.fetchAll(
            db, sql: "SELECT name FROM feedbackRoundInvitation WHERE feedbackRoundId = ?", arguments: [round.id])
        var comments = rows.flatMap { row in
            [row["doesWell"] as String?, row["couldChange"] as String?].compactMap { $0 }
        }.map { NameRemover.remove(from: $0, people: [gp.name] + askedNames, places: practiceNames) }
        // A fresh random order at each reading: no order anyone could undo to pair comments or
        // date them by when they came.
        comments.shuffle()
        return FeedbackRoundReport(
            groups: groups.sorted { $0.key < $1.key }.map { FeedbackRoundReport.Group(group: $0.key, responses: $0.value) },
            items: items, comments: comments)
    }

    // MARK: Scheduled

    /// Unanswered colleagues are reminded at 7 and 14 days; rounds past their closing date close.
    public func sendFeedbackRoundReminders(links: Links) async throws -> Outcome<Int> {
        let now = clock.now()
        let sealer = self.sealer
        let today = Day(now)
        return try await write { db in
            var mail: [MailMessage] = []
            var count = 0
            let due = try FeedbackRound.fetchAll(
                db, sql: "SELECT * FROM feedbackRound WHERE status = 'open' AND closesOn < ?", arguments: [today])
            for round in due {
                let gp = try GP.fetchOne(db, id: round.gpId)!
                mail += try Self.close(db, round, gp: gp, now: now, links: links).1
                count += 1
            }
            let waiting = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, i.name, i.email, i.sentAt, r.id AS roundId FROM feedbackRoundInvitation i
                    JOIN feedbackRound r ON r.id = i.feedbackRoundId
                    WHERE r.status = 'open' AND i.sentAt IS NOT NULL AND i.answeredAt IS NULL
                    """)
            for row in waiting {
                let sent: Date = row["sentAt"]
                let days = Day(sent).days(until: today)
                guard let step = Self.colleagueReminderDays.last(where: { $0 <= days }) else { continue }
                var fresh = false
                for earlier in Self.colleagueReminderDays where earlier <= step {
                    fresh =
                        try Self.claimReminder(db, subject: "invitation", id: row["id"], kind: "remind-\(earlier)", now: now)
                        || fresh
                }
                guard fresh else { continue }
                let (round, gp) = try Self.roundAndGP(db, id: row["roundId"])
                // The same link as the first email (kept sealed), so either email works.
                let id: Int64 = row["id"]
                // One unreadable link never stops the round's other reminders, or the closing above.
                guard
                    let sealed = try Data.fetchOne(
                        db, sql: "SELECT tokenSealed FROM feedbackRoundInvitation WHERE id = ?", arguments: [id]),
                    let opened = try? sealer.open(sealed, row: "invitation:\(id)")
                else { continue }
                let token = String(decoding: opened, as: UTF8.self)
                mail.append(
                    Self.invitationMail(
                        to: row["email"], name: row["name"], gp: gp, closesOn: round.closesOn,
                        link: links.url("/feedback-rounds/answer/\(token)"), reminder: true))
                count += 1
            }
            return Outcome(value: count, notifications: mail)
        }
    }
}

/// Takes people's and places' names out of free text before anyone reads it.
enum NameRemover {
    static func remove(from text: String, people: [String], places: [String]) -> String {
        var result = text
        func replace(_ name: String, with mark: String, anyCase: Bool = true) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard trimmed.count >= 3 else { return }
            let escaped = NSRegularExpression.escapedPattern(for: trimmed)
            result = result.replacingOccurrences(
                of: "\\b\(escaped)\\b", with: mark,
                options: anyCase ? [.regularExpression, .caseInsensitive] : .regularExpression)
        }
        // Whole names first, then each part of a person's name (a surname alone, a first name alone).
        for place in places.sorted(by: { $0.count > $1.count }) { replace(place, with: "[practice]") }
        for person in people.sorted(by: { $0.count > $1.count }) { replace(person, with: "[name]") }
        let titles: Set<String> = ["dr", "dr.", "mr", "mrs", "ms", "miss", "prof"]
        // A part alone only as it is written in a name (capitalised): "Will" goes, "I will" stays.
        for part in Set(people.flatMap { $0.split(separator: " ").map(String.init) }) where !titles.contains(part.lowercased()) {
            replace(part, with: "[name]", anyCase: false)
        }
        return result.replacingOccurrences(
            of: "\\b(Dr|Mr|Mrs|Ms|Miss|Prof)\\.? \\[name\\]", with: "[name]", options: .regularExpression)
    }
}
