import Foundation
import GRDB

/// A recipient's delivery: written when the send starts, updated as each message goes.
public struct MailshotDelivery: Codable, Sendable, Identifiable, Equatable, FetchableRecord, MutablePersistableRecord {
    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case pending, sending, sent, failed
    }

    public var id: Int64?
    public var mailshotId: Int64
    public var email: String
    public var name: String?
    public var gpId: Int64?
    public var userId: Int64?
    public var status: Status
    public var attempts: Int
    public var lastError: String?
    public var sentAt: Date?

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A GP a mailshot would go to, as the support team chooses whose mailshot to see.
public struct MailshotGPReader: Sendable, Equatable {
    public var gpId: Int64
    public var name: String
    public var email: String
}

/// What a send did: how many went, and each failure with its reason.
public struct MailshotSendReport: Sendable, Equatable {
    public var recipients: Int
    public var sent: Int
    public var failed: [String: String]
    /// Sent by an earlier run of the same mailshot (a resumed or repeated send).
    public var alreadySent: Int
}

extension AppDatabase {
    /// How many messages go per round trip to the transport (and per saved batch of outcomes).
    static let mailshotBatchSize = 50

    /// Who would receive the mailshot now: GPs of the organisation with consent (and an email), and,
    /// if chosen, the practice managers who have not opted out.
    public func mailshotRecipientCount(id: Int64, by principal: Principal) async throws -> Int {
        try await read { db in
            guard let mailshot = try Mailshot.fetchOne(db, id: id) else { throw DomainError.notFound("No mailshot has that id") }
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: mailshot.organisationId))
            return try Self.recipients(db, mailshot).count
        }
    }

    static func recipients(_ db: Database, _ mailshot: Mailshot) throws -> [(
        email: String, name: String?, gpId: Int64?, userId: Int64?
    )] {
        var list = try Row.fetchAll(
            db,
            sql: """
                SELECT id, name, email FROM gp
                WHERE organisationId = ? AND status = 'active' AND mailshotConsent = 1 AND email IS NOT NULL
                ORDER BY id
                """,
            arguments: [mailshot.organisationId]
        ).map { (email: $0["email"] as String, name: $0["name"] as String?, gpId: $0["id"] as Int64?, userId: nil as Int64?) }
        if mailshot.includePracticeManagers {
            list += try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT u.id, u.displayName, u.email FROM user u
                    JOIN roleGrant g ON g.userId = u.id AND g.role = 'practice-manager'
                    JOIN practice p ON p.id = g.practiceId
                    WHERE p.organisationId = ? AND u.disabledAt IS NULL
                      AND NOT EXISTS (SELECT 1 FROM mailshotOptOut o WHERE o.email = u.email)
                    ORDER BY u.id
                    """,
                arguments: [mailshot.organisationId]
            ).map { (email: $0["email"] as String, name: $0["displayName"] as String?, gpId: nil, userId: $0["id"] as Int64?) }
        }
        var seen = Set<String>()
        return list.filter { seen.insert($0.email.lowercased()).inserted }
    }

    /// The mailshot as one GP would get it (or as the archive shows it), without sending anything.
    public func previewMailshot(id: Int64, gpId: Int64?, links: Links, by principal: Principal) async throws -> RenderedMailshot {
        let today = clock.today
        return try await read { db in
            let material = try MailshotMaterial.load(db, mailshotId: id, today: today)
            guard AccessPolicy.permits(principal, .superviseOrganisation(organisationId: material.mailshot.organisationId))
            else {
                throw DomainError.forbidden("Only the support team previews a mailshot")
            }
            guard let gpId else { return MailshotRenderer.render(material, for: .archive, links: links, unsubscribeURL: nil) }
            guard let gp = try GP.fetchOne(db, id: gpId), gp.organisationId == material.mailshot.organisationId else {
                throw DomainError.validationFailed(ValidationErrors(field: "gp", message: "Choose a GP of this organisation"))
            }
            return MailshotRenderer.render(
                material, for: try Self.gpReader(db, gp, material: material, today: today), links: links,
                unsubscribeURL: links.url("/unsubscribe/preview"))
        }
    }

    /// The GPs the mailshot would go to now, by name: whom the support team may preview it as, or
    /// send themselves a test copy as. Alphabetical.
    public func mailshotGPReaders(id: Int64, by principal: Principal) async throws -> [MailshotGPReader] {
        try await read { db in
            guard let mailshot = try Mailshot.fetchOne(db, id: id) else { throw DomainError.notFound("No mailshot has that id") }
            guard AccessPolicy.permits(principal, .superviseOrganisation(organisationId: mailshot.organisationId)) else {
                throw DomainError.forbidden(MailshotCapability.preview.refusal)
            }
            return try Self.recipients(db, mailshot).compactMap { recipient in
                recipient.gpId.map {
                    MailshotGPReader(gpId: $0, name: recipient.name ?? recipient.email, email: recipient.email)
                }
            }.sorted { ($0.name.lowercased(), $0.gpId) < ($1.name.lowercased(), $1.gpId) }
        }
    }

    /// Sends the person asking, and nobody else, the mailshot as one GP of the organisation would get
    /// it (with no GP, as the archive reads), its subject marked "[Test copy]". The real send is not
    /// touched: no delivery is written or counted, no unsubscribe link is made or used, the mailshot
    /// stays a draft. Whoever may send it may. Answers the address it went to.
    @discardableResult
    public func sendMailshotTestCopy(
        id: Int64, asGP gpId: Int64?, transport: any MailTransport, links: Links, by principal: Principal
    ) async throws -> String {
        // A signed-in person's own address, never one the request names.
        guard !principal.isCommandLine else {
            throw DomainError.forbidden("A test copy goes to a signed-in person's own address")
        }
        let today = clock.today
        let now = clock.now()
        let rendered = try await read { db -> RenderedMailshot in
            guard let mailshot = try Mailshot.fetchOne(db, id: id) else { throw DomainError.notFound("No mailshot has that id") }
            guard AccessPolicy.permits(principal, .manageOrganisation(organisationId: mailshot.organisationId)) else {
                throw DomainError.forbidden(MailshotCapability.send.refusal)
            }
            guard mailshot.status == .draft else {
                throw DomainError.conflict("This mailshot has been sent (or is sending): a test copy is for a draft")
            }
            let material = try MailshotMaterial.load(db, mailshotId: id, today: today)
            guard let gpId else { return MailshotRenderer.render(material, for: .archive, links: links, unsubscribeURL: nil) }
            guard let gp = try GP.fetchOne(db, id: gpId), gp.organisationId == mailshot.organisationId else {
                throw DomainError.validationFailed(ValidationErrors(field: "gpId", message: "Choose a GP of this organisation"))
            }
            // The footer reads as the GP's would, but its link is no token: nobody can be unsubscribed by it.
            return MailshotRenderer.render(
                material, for: try Self.gpReader(db, gp, material: material, today: today), links: links,
                unsubscribeURL: links.url("/unsubscribe/test-copy"))
        }
        let message = MailMessage(
            to: principal.email, toName: principal.displayName, subject: "[Test copy] " + rendered.subject,
            text: rendered.text, html: rendered.html)
        do {
            try await transport.send(message)
        } catch let error as MailDeliveryError {
            throw DomainError.conflict("The test copy could not be sent: \(error.reason)")
        } catch {
            throw DomainError.conflict("The test copy could not be sent just now. Try again in a few minutes.")
        }
        try await write { db in
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "mailshot", entityId: id, action: "test-copy")
        }
        return principal.email
    }

    /// The archive's reading of a sent mailshot, for anyone of the organisation.
    public func mailshotArchiveText(id: Int64, links: Links, by principal: Principal) async throws -> RenderedMailshot {
        _ = try await mailshotView(id: id, by: principal)
        let today = clock.today
        return try await read { db in
            MailshotRenderer.render(
                try MailshotMaterial.load(db, mailshotId: id, today: today), for: .archive, links: links, unsubscribeURL: nil)
        }
    }

    static func gpReader(_ db: Database, _ gp: GP, material: MailshotMaterial, today: Day) throws -> MailshotReader {
        let work = try material.eligibility(db, gpIds: [gp.id!])[gp.id!] ?? ReaderWork()
        return .gp(
            gp, work: work, expiring: try expiringChecks(db, gpIds: [gp.id!], today: today)[gp.id!] ?? [])
    }

    /// Each GP's verified checks that expire within six weeks, by GP.
    static func expiringChecks(_ db: Database, gpIds: [Int64], today: Day) throws -> [Int64: [ExpiringCheck]] {
        Dictionary(
            grouping: try expiringChecks(
                db, where: "gp.id IN (SELECT value FROM json_each(?))", [String(describing: gpIds)], from: today),
            by: \.gpId)
    }

    /// Sends the mailshot to everyone who should have it and has not yet. Safe to run again at any
    /// time: each recipient's delivery is saved as it goes, so a crash or a restart resumes where it
    /// stopped, and a sent mailshot sends nothing.
    public func sendMailshot(id: Int64, transport: any MailTransport, links: Links, by principal: Principal) async throws
        -> MailshotSendReport
    {
        try await sendMailshot(id: id, transport: transport, links: links, actor: principal.actor) { mailshot in
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: mailshot.organisationId))
        }
    }

    /// Takes over the sends a stopped process left half done (their lease ran out); the server runs
    /// this as it starts and then regularly.
    public func resumeInterruptedMailshots(transport: any MailTransport, links: Links) async throws -> [MailshotSendReport] {
        let now = clock.now()
        let ids = try await read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM mailshot WHERE status = 'sending' AND (sendLeaseUntil IS NULL OR sendLeaseUntil < ?)",
                arguments: [now])
        }
        var reports: [MailshotSendReport] = []
        for id in ids {
            reports.append(try await sendMailshot(id: id, transport: transport, links: links, actor: .system) { _ in })
        }
        return reports
    }

    static let mailshotLease: TimeInterval = 120

    private func sendMailshot(
        id: Int64, transport: any MailTransport, links: Links, actor: Actor,
        authorise: @escaping @Sendable (Mailshot) throws -> Void
    ) async throws -> MailshotSendReport {
        let now = clock.now()
        let alreadySent = try await write { db -> Int in
            guard var mailshot = try Mailshot.fetchOne(db, id: id) else { throw DomainError.notFound("No mailshot has that id") }
            try authorise(mailshot)
            let sent =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM mailshotDelivery WHERE mailshotId = ? AND status = 'sent'", arguments: [id])
                ?? 0
            guard mailshot.status != .sent else { return sent }
            if mailshot.status == .sending, let lease = mailshot.sendLeaseUntil, lease > now {
                throw DomainError.conflict("This mailshot is being sent right now; its progress shows on its page")
            }
            mailshot.sendLeaseUntil = now.addingTimeInterval(Self.mailshotLease)
            try mailshot.update(db)
            if mailshot.status == .draft {
                mailshot.status = .sending
                mailshot.sendStartedAt = now
                try mailshot.update(db)
                for recipient in try Self.recipients(db, mailshot) {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO mailshotDelivery (mailshotId, email, name, gpId, userId, status)
                            VALUES (?, ?, ?, ?, ?, 'pending')
                            """,
                        arguments: [id, recipient.email, recipient.name, recipient.gpId, recipient.userId])
                }
                try AuditEvent.record(db, at: now, actor: actor, entity: "mailshot", entityId: id, action: "send")
            }
            // A message handed to the relay when the last run stopped may have gone: never send it twice.
            try db.execute(
                sql: """
                    UPDATE mailshotDelivery SET status = 'failed',
                        lastError = 'The send was interrupted while this message was going out; not sent again, so nobody gets it twice'
                    WHERE mailshotId = ? AND status = 'sending'
                    """,
                arguments: [id])
            return sent
        }
        // What the mailshot holds is read and written out once per run, not once per batch.
        var material = try await read { db in try MailshotMaterial.load(db, mailshotId: id, today: self.clock.today) }
        material.prepareFragments(links: links)
        do {
            while true {
                let batch = try await prepareMailshotBatch(id: id, material: material, links: links)
                if batch.isEmpty { break }
                try await transport.sendBatch(
                    batch.map(\.message),
                    willSend: { index in
                        try await self.write { db in
                            try db.execute(
                                sql: "UPDATE mailshotDelivery SET status = 'sending' WHERE id = ?",
                                arguments: [batch[index].deliveryId])
                        }
                    }
                ) { index, result in
                    let deliveryId = batch[index].deliveryId
                    let at = self.clock.now()
                    try await self.write { db in
                        switch result {
                        case .sent:
                            try db.execute(
                                sql: "UPDATE mailshotDelivery SET status = 'sent', sentAt = ?, lastError = NULL WHERE id = ?",
                                arguments: [at, deliveryId])
                        case .failed(let permanent, let reason):
                            try db.execute(
                                sql: "UPDATE mailshotDelivery SET status = 'failed', lastError = ? WHERE id = ?",
                                arguments: [(permanent ? "Refused: " : "Could not be delivered for now: ") + reason, deliveryId])
                        }
                    }
                    // Counted once the outcome is saved (a retried save counts once).
                    if case .sent = result {
                        ServiceMetrics.mailshotSent.increment()
                    } else {
                        ServiceMetrics.mailshotFailed.increment()
                    }
                }
            }
        } catch {
            // Let the next run (or the server's check) take over at once, not when the lease runs out.
            try? await write { db in
                try db.execute(sql: "UPDATE mailshot SET sendLeaseUntil = NULL WHERE id = ?", arguments: [id])
            }
            throw error
        }
        return try await write { db in
            try db.execute(
                sql: "UPDATE mailshot SET status = 'sent', sentAt = COALESCE(sentAt, ?), sendLeaseUntil = NULL WHERE id = ?",
                arguments: [self.clock.now(), id])
            let rows = try Row.fetchAll(
                db, sql: "SELECT email, status, lastError FROM mailshotDelivery WHERE mailshotId = ?", arguments: [id])
            var failed: [String: String] = [:]
            for row in rows where row["status"] == "failed" { failed[row["email"]] = row["lastError"] ?? "" }
            return MailshotSendReport(
                recipients: rows.count, sent: rows.filter { $0["status"] == "sent" }.count, failed: failed,
                alreadySent: alreadySent)
        }
    }

    /// Takes the next pending deliveries and writes their messages (each
    /// with its own unsubscribe link). A GP who withdrew consent since the send began is skipped.
    private func prepareMailshotBatch(id: Int64, material: MailshotMaterial, links: Links) async throws -> [(
        deliveryId: Int64, message: MailMessage
    )] {
        let today = clock.today
        let now = clock.now()
        return try await write { db in
            let deliveries = try MailshotDelivery.fetchAll(
                db, sql: "SELECT * FROM mailshotDelivery WHERE mailshotId = ? AND status = 'pending' ORDER BY id LIMIT ?",
                arguments: [id, Self.mailshotBatchSize])
            guard !deliveries.isEmpty else { return [] }
            try db.execute(
                sql: "UPDATE mailshot SET sendLeaseUntil = ? WHERE id = ?",
                arguments: [now.addingTimeInterval(Self.mailshotLease), id])
            let gpIds = deliveries.compactMap(\.gpId)
            let gps = Dictionary(uniqueKeysWithValues: try GP.filter(ids: gpIds).fetchAll(db).map { ($0.id!, $0) })
            let eligibility = try material.eligibility(db, gpIds: gpIds)
            let expiring = try Self.expiringChecks(db, gpIds: gpIds, today: today)
            let domain = URL(string: links.baseURL)?.host ?? "sgpst"
            var prepared: [(Int64, MailMessage)] = []
            for var delivery in deliveries {
                let reader: MailshotReader
                if let gpId = delivery.gpId {
                    guard let gp = gps[gpId], gp.mailshotConsent, gp.email != nil else {
                        delivery.status = .failed
                        delivery.lastError = "No longer consents to the mailshot; not sent"
                        try delivery.update(db)
                        continue
                    }
                    reader = .gp(gp, work: eligibility[gpId] ?? ReaderWork(), expiring: expiring[gpId] ?? [])
                } else {
                    let optedOut =
                        try Bool.fetchOne(
                            db, sql: "SELECT EXISTS (SELECT 1 FROM mailshotOptOut WHERE email = ?)", arguments: [delivery.email])
                        ?? false
                    if optedOut {
                        delivery.status = .failed
                        delivery.lastError = "Asked for no more mailshots; not sent"
                        try delivery.update(db)
                        continue
                    }
                    reader = .practiceManager(name: delivery.name)
                }
                let token = SecretToken.generate()
                // The link is bound to this consent (its time): once the GP subscribes again it is out of date.
                try db.execute(
                    sql: """
                        INSERT INTO unsubscribeToken (tokenDigest, email, gpId, createdAt, consentGivenAt)
                        VALUES (?, ?, ?, ?, (SELECT mailshotConsentAt FROM gp WHERE id = ?))
                        """,
                    arguments: [SecretToken.digest(token), delivery.email, delivery.gpId, now, delivery.gpId])
                let unsubscribe = links.url("/unsubscribe/\(token)")
                let rendered = MailshotRenderer.render(material, for: reader, links: links, unsubscribeURL: unsubscribe)
                delivery.attempts += 1
                try delivery.update(db)
                prepared.append(
                    (
                        delivery.id!,
                        MailMessage(
                            to: delivery.email, toName: delivery.name, subject: rendered.subject, text: rendered.text,
                            html: rendered.html,
                            headers: [
                                "List-Unsubscribe": "<\(unsubscribe)>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                "List-Id":
                                    "\(material.organisation.name) weekly mailshot <mailshot.\(material.organisation.code.lowercased()).\(domain)>",
                            ],
                            messageID: "mailshot-\(id)-\(delivery.id!)@\(domain)")
                    ))
            }
            return prepared
        }
    }

    /// One-click unsubscribe from a mailshot link, no sign-in: a GP's consent is withdrawn, a practice
    /// manager opted out, with the time. Using the link again changes nothing; a GP's link sent before
    /// they subscribed again is out of date and changes nothing either. Answers the address.
    public func unsubscribe(token: String) async throws -> String {
        let now = clock.now()
        return try await write { db in
            let link = try Self.unsubscribeLink(db, token: token)
            if link.usedAt == nil {
                try db.execute(sql: "UPDATE unsubscribeToken SET usedAt = ? WHERE id = ?", arguments: [now, link.id])
            }
            let email = link.email
            if let gpId = link.gpId {
                try db.execute(
                    sql: "UPDATE gp SET mailshotConsent = 0, mailshotConsentAt = ? WHERE id = ? AND mailshotConsent = 1",
                    arguments: [now, gpId])
                try AuditEvent.record(db, at: now, actor: .system, entity: "gp", entityId: gpId, action: "unsubscribe")
            } else {
                try db.execute(sql: "INSERT OR IGNORE INTO mailshotOptOut (email, at) VALUES (?, ?)", arguments: [email, now])
                try AuditEvent.record(db, at: now, actor: .system, entity: "mailshot", entityId: nil, action: "opt-out")
            }
            return email
        }
    }

    /// Checks an unsubscribe link without using it, for the page it opens: throws as `unsubscribe` would.
    public func checkUnsubscribeLink(token: String) async throws {
        _ = try await read { db in try Self.unsubscribeLink(db, token: token).id }
    }

    /// The link's record, if it still acts: one we sent, and for a GP, sent for the subscription they
    /// have now (or any, once they have unsubscribed: a second click changes nothing).
    static func unsubscribeLink(_ db: Database, token: String) throws -> (
        id: Int64, email: String, gpId: Int64?, usedAt: Date?
    ) {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT t.id, t.email, t.gpId, t.usedAt, g.mailshotConsent AS consent, g.mailshotConsentAt AS consentAt,
                        g.mailshotConsentAt IS t.consentGivenAt AS isCurrent
                    FROM unsubscribeToken t LEFT JOIN gp g ON g.id = t.gpId WHERE t.tokenDigest = ?
                    """,
                arguments: [SecretToken.digest(token)])
        else { throw DomainError.notFound("This unsubscribe link is not one we sent. Check it was copied whole.") }
        let gpId: Int64? = row["gpId"]
        if gpId != nil, row["consent"] as Bool? == true, row["isCurrent"] as Bool? != true {
            let since = (row["consentAt"] as Date?).map { " on \(Day($0).displayText)" } ?? ""
            throw DomainError.conflict(
                "This unsubscribe link is out of date: you subscribed again\(since), after it was sent, so it changes "
                    + "nothing. To stop the weekly mailshot now, use the Unsubscribe link in your latest mailshot, or "
                    + "sign in to sgpst and untick it on your mailshot page (/mailshot-subscription).")
        }
        let id: Int64 = row["id"]
        let email: String = row["email"]
        let usedAt: Date? = row["usedAt"]
        return (id, email, gpId, usedAt)
    }

    /// Renders every consenting GP's personalised mailshot for a week across all organisations, as a
    /// send would, without saving or sending anything (`sgpst bench mailshot`). Answers the number
    /// of messages and their total size in bytes.
    /// Renders every consenting GP's mailshot without sending (the benchmark): the operator's only.
    public func renderEveryMailshot(week: IsoWeek, links: Links, by principal: Principal) async throws
        -> (messages: Int, bytes: Int)
    {
        try AccessPolicy.require(principal, .administer)
        let today = clock.today
        let now = clock.now()
        let organisations = try await read { db in try Organisation.fetchAll(db) }
        // Organisations are independent: render them side by side, each in its own read.
        return try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for organisation in organisations {
                group.addTask {
                    try await self.read { db in
                        let mailshot = Mailshot(
                            id: 0, organisationId: organisation.id!, week: week.description, status: .draft,
                            includePracticeManagers: false, createdAt: now)
                        var material = try MailshotMaterial.load(
                            db, mailshot: mailshot, organisation: organisation, items: [], today: today)
                        material.prepareFragments(links: links)
                        let gps = try GP.fetchAll(
                            db, sql: "SELECT * FROM gp WHERE organisationId = ? AND status = 'active' AND mailshotConsent = 1",
                            arguments: [organisation.id])
                        let ids = gps.map { $0.id! }
                        let eligibility = try material.eligibility(db, gpIds: ids)
                        let expiring = try Self.expiringChecks(db, gpIds: ids, today: today)
                        var bytes = 0
                        for gp in gps {
                            let rendered = MailshotRenderer.render(
                                material,
                                for: .gp(gp, work: eligibility[gp.id!] ?? ReaderWork(), expiring: expiring[gp.id!] ?? []),
                                links: links, unsubscribeURL: links.url("/unsubscribe/benchmark"))
                            bytes += rendered.text.utf8.count + rendered.html.utf8.count
                        }
                        return (gps.count, bytes)
                    }
                }
            }
            var total = (messages: 0, bytes: 0)
            for try await (messages, bytes) in group {
                total.messages += messages
                total.bytes += bytes
            }
            return total
        }
    }
}
