import Foundation
import GRDB
import Ink

/// One mailshot as one recipient reads it: the subject, a plain-text part that reads well on its
/// own, and an HTML part for common mail clients (tables, inline styles, no script, no remote images).
public struct RenderedMailshot: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
}

/// Who a mailshot is written for.
enum MailshotReader {
    /// A GP: the best of the work they can take, their own checks expiring soon.
    case gp(GP, work: ReaderWork, expiring: [ExpiringCheck])
    /// A practice manager: the news and events, and how much work is open.
    case practiceManager(name: String?)
    /// The archive page: everything, for nobody in particular.
    case archive
}

/// The work one GP's mailshot lists: the best sessions they may take (by the clearing-house's
/// ranking, soonest first among equals), and how many more they may take besides.
struct ReaderWork: Sendable, Equatable {
    /// Session ids, best first.
    var best: [Int64] = []
    var more = 0

    /// A mailshot that a person reads lists a dozen and links to the rest.
    static let listed = 12

    var eligibleCount: Int { best.count + more }
}

/// What the mailshot holds this week, loaded once for every recipient.
struct MailshotMaterial {
    var mailshot: Mailshot
    var organisation: Organisation
    var items: [MailshotItem]
    /// Open sessions of the coming 14 days, own and partner organisations, soonest first.
    var work: [SessionListing]
    /// Each organisation's skill names by code: a session's skills are read by their names.
    var skillNames: [Int64: [String: String]] = [:]
    /// Their lines, written once when a batch of recipients is rendered.
    var fragments: SessionFragments?

    mutating func prepareFragments(links: Links) {
        fragments = SessionFragments(work, skillNames: skillNames, links: links)
    }

    static let workDays = 14

    static func load(_ db: Database, mailshotId: Int64, today: Day) throws -> MailshotMaterial {
        guard let mailshot = try Mailshot.fetchOne(db, id: mailshotId),
            let organisation = try Organisation.fetchOne(db, id: mailshot.organisationId)
        else { throw DomainError.notFound("No mailshot has that id") }
        let items = try MailshotItem.fetchAll(
            db, sql: "SELECT * FROM mailshotItem WHERE mailshotId = ? ORDER BY position, id", arguments: [mailshotId])
        return try load(db, mailshot: mailshot, organisation: organisation, items: items, today: today)
    }

    static func load(_ db: Database, mailshot: Mailshot, organisation: Organisation, items: [MailshotItem], today: Day) throws
        -> MailshotMaterial
    {
        let from = max(today, mailshot.isoWeek.monday)
        let organisations = [organisation.id!] + (try AppDatabase.partnerOrganisationIds(db, of: organisation.id!))
        let sessions = try ClinicalSession.fetchAll(
            db,
            sql: """
                SELECT s.* FROM clinicalSession s JOIN practice p ON p.id = s.practiceId
                WHERE s.status = 'open' AND s.date BETWEEN ? AND ? AND p.organisationId IN (SELECT value FROM json_each(?))
                ORDER BY s.date, s.startMinute, s.id LIMIT 2000
                """,
            arguments: [from, from.adding(days: workDays - 1), String(describing: organisations)])
        let practices = try Practice.filter(ids: Set(sessions.map(\.practiceId))).fetchAll(db)
        let byId = Dictionary(uniqueKeysWithValues: practices.map { ($0.id!, $0) })
        let skills = try Skill.fetchAll(
            db, sql: "SELECT * FROM organisationSkill WHERE organisationId IN (SELECT value FROM json_each(?))",
            arguments: [String(describing: organisations)])
        return MailshotMaterial(
            mailshot: mailshot, organisation: organisation, items: items,
            work: sessions.map { SessionListing(session: $0, practice: byId[$0.practiceId]!) },
            skillNames: Dictionary(grouping: skills, by: \.organisationId).mapValues { ofOrganisation in
                Dictionary(ofOrganisation.map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
            })
    }

    /// The sessions each GP may take, decided by the clearing-house's own rules in one pass, the best
    /// dozen by its ranking (the soonest first among equals), never ordered by a practice's private
    /// preference.
    func eligibility(_ db: Database, gpIds: [Int64]) throws -> [Int64: ReaderWork] {
        guard !gpIds.isEmpty, !work.isEmpty else { return [:] }
        let practices = Dictionary(work.map { ($0.practice.id!, $0.practice) }, uniquingKeysWith: { first, _ in first })
        let context = try EligibilityContext.load(
            db, gpIds: gpIds, sessions: work.map(\.session), practices: Array(practices.values))
        // A GP never takes a session outside their localities (a rule of its own), so only those
        // sessions are put to the full rules: the same answer, a fraction of the work.
        let byLocality = Dictionary(grouping: work, by: \.practice.locality)
        var result: [Int64: ReaderWork] = [:]
        for gpId in gpIds {
            guard let gp = context.gps[gpId] else { continue }
            var eligible: [(score: Int, listing: SessionListing)] = []
            for locality in Set(gp.localities) {
                for listing in byLocality[locality] ?? []
                where context.isEligible(gpId: gpId, session: listing.session, practice: listing.practice) {
                    let score = context.ranking(
                        gpId: gpId, session: listing.session, practice: listing.practice, explain: false, forTheGP: true
                    ).score
                    eligible.append((score, listing))
                }
            }
            eligible.sort { $0.score != $1.score ? $0.score > $1.score : SessionListing.soonerFirst($0.listing, $1.listing) }
            result[gpId] = ReaderWork(
                best: eligible.prefix(ReaderWork.listed).map { $0.listing.session.id! },
                more: max(0, eligible.count - ReaderWork.listed))
        }
        return result
    }
}

/// Every session's line in both parts, written once for all the recipients of a mailshot.
struct SessionFragments {
    var lines: [Int64: (text: String, html: String)] = [:]

    init(_ work: [SessionListing], skillNames: [Int64: [String: String]], links: Links) {
        for listing in work {
            let session = listing.session
            let names = skillNames[listing.practice.organisationId] ?? [:]
            let skills =
                session.requiredSkills.isEmpty
                ? "" : " Skills: \(session.requiredSkills.map { names[$0] ?? $0 }.joined(separator: ", "))."
            let what =
                "\(session.kind.title), \(listing.practice.name) (\(listing.practice.locality)), \(session.rateText).\(skills)"
            let apply = links.url("/sessions/\(session.id!)")
            lines[session.id!] = (
                "  * \(session.start)–\(session.end) \(what)\n    Apply: \(apply)",
                """
                <tr><td style="padding:6px 8px 6px 0;vertical-align:top;white-space:nowrap">\(session.start)–\(session.end)</td>\
                <td style="padding:6px 0">\(MailshotRenderer.escape(what)) \
                <a href="\(MailshotRenderer.escape(apply))" style="color:#005eb8">Apply</a></td></tr>
                """
            )
        }
    }
}

/// Writes the mailshot's two parts. Every value from the database is escaped in the HTML part;
/// news bodies are Markdown, sanitised to a short allow-list of tags (`HTMLSanitiser`).
enum MailshotRenderer {
    static func render(
        _ material: MailshotMaterial, for reader: MailshotReader, links: Links, unsubscribeURL: String?
    ) -> RenderedMailshot {
        let week = material.mailshot.isoWeek
        let subject = "Work available and news: \(week.displayText), \(material.organisation.name)"
        var text: [String] = []
        var html: [String] = []
        let heading = "Work available and news"
        text += [heading.uppercased(), "\(material.organisation.name) · \(week.displayText)", ""]
        html.append(
            """
            <h1 style="font-size:22px;margin:0 0 4px;color:#005eb8">\(escape(heading))</h1>
            <p style="margin:0 0 16px;color:#4c6272">\(escape(material.organisation.name)) · \(escape(week.displayText))</p>
            """)
        let greetingName: String? =
            switch reader {
            case .gp(let gp, _, _): gp.name
            case .practiceManager(let name): name
            case .archive: nil
            }
        if let greetingName {
            text += ["Dear \(greetingName),", ""]
            html.append(paragraph("Dear \(escape(greetingName)),"))
        }

        // Work available.
        let listed: [SessionListing]
        var note: String?
        // Beyond the dozen listed: how many more, and where the GP sees them all.
        var more: String?
        switch reader {
        case .gp(_, let work, _):
            // The best dozen, read by day.
            let best = Set(work.best)
            listed = material.work.filter { best.contains($0.session.id!) }
            if work.more > 0 {
                more =
                    "\(work.more) more session\(work.more == 1 ? "" : "s") you could take \(work.more == 1 ? "is" : "are") open "
                    + "in these two weeks."
            }
            let others = material.work.count - work.eligibleCount
            if others > 0 {
                note =
                    "\(others) other open session\(others == 1 ? "" : "s") in these two weeks \(others == 1 ? "is" : "are") not listed: "
                    + "\(others == 1 ? "it needs" : "they need") a skill, a locality or a day your entry does not give, or a check in date."
            }
            if listed.isEmpty { note = (note.map { $0 + " " } ?? "") + "Nothing open matches your entry this time." }
        case .practiceManager:
            listed = []
            note = "\(material.work.count) sessions are open across the organisation in the next two weeks."
        case .archive:
            listed = material.work
        }
        let workTitle = listed.isEmpty ? "Work available" : "Work available for you in the next two weeks"
        text += [workTitle.uppercased(), String(repeating: "=", count: workTitle.count)]
        html.append(sectionHeading(workTitle))
        var day: Day?
        var table: [String] = []
        // Each session's lines are written once per mailshot and shared by every recipient.
        let fragments = material.fragments ?? SessionFragments(material.work, skillNames: material.skillNames, links: links)
        for listing in listed {
            let session = listing.session
            if session.date != day {
                day = session.date
                text += ["", session.date.displayText]
                table.append(
                    "<tr><th colspan=\"2\" style=\"text-align:left;padding:12px 0 4px;border-bottom:2px solid #d8dde0\">\(escape(session.date.displayText))</th></tr>"
                )
            }
            let fragment = fragments.lines[session.id!]!
            text.append(fragment.text)
            table.append(fragment.html)
        }
        if !table.isEmpty {
            html.append("<table role=\"presentation\" style=\"border-collapse:collapse;width:100%\">\(table.joined())</table>")
        }
        if let more {
            let all = links.url("/work")
            text += ["", "\(more) See all the work available for you: \(all)"]
            html.append(
                paragraph(
                    "\(escape(more)) <a href=\"\(escape(all))\" style=\"color:#005eb8\">See all the work available for you</a>"))
        }
        if let note {
            text += ["", note]
            html.append(paragraph(escape(note)))
        }
        text.append("")

        // The GP's own checks.
        if case .gp(_, _, let expiring) = reader, !expiring.isEmpty {
            let title = "Your checks expiring soon"
            text += [title.uppercased(), String(repeating: "=", count: title.count)]
            html.append(sectionHeading(title))
            var list: [String] = []
            for check in expiring {
                let line =
                    check.type == ExpiringCheck.revalidation
                    ? "\(check.dueText): check GMC Online, and tell the support team if you need help with your appraisal."
                    : "\(check.typeName) expires on \(check.expiresOn.displayText): send the renewal to the support team."
                text.append("  * \(line)")
                list.append("<li>\(escape(line))</li>")
            }
            html.append("<ul>\(list.joined())</ul>")
            text.append("")
        }

        // News and events, in the liaison officer's order.
        let news = material.items.filter { $0.kind == .news }
        if !news.isEmpty {
            text += ["NEWS", "===="]
            html.append(sectionHeading("News"))
            for item in news {
                text += ["", item.title, String(repeating: "-", count: item.title.count), item.body ?? ""]
                html.append("<h3 style=\"font-size:17px;margin:16px 0 4px\">\(escape(item.title))</h3>")
                html.append(markdownHTML(item.body ?? ""))
            }
            text.append("")
        }
        let events = material.items.filter { $0.kind == .event }
        if !events.isEmpty {
            text += ["EDUCATION EVENTS", "================"]
            html.append(sectionHeading("Education events"))
            for item in events {
                var facts = [item.eventDate?.displayText, item.place].compactMap { $0 }
                if let hours = item.cpdHours { facts.append("\(String(format: "%g", hours)) CPD hour\(hours == 1 ? "" : "s")") }
                text += ["", item.title, "  " + facts.joined(separator: " · ")]
                if let body = item.body { text.append("  " + body) }
                if let link = item.bookingLink { text.append("  Book: \(link)") }
                html.append(
                    "<h3 style=\"font-size:17px;margin:16px 0 4px\">\(escape(item.title))</h3>"
                        + paragraph(escape(facts.joined(separator: " · "))) + (item.body.map { markdownHTML($0) } ?? "")
                        + (item.bookingLink.map { "<p><a href=\"\(escape($0))\" style=\"color:#005eb8\">Book a place</a></p>" }
                            ?? ""))
            }
            text.append("")
        }

        // Why they get it, and how to stop.
        let archive = links.url("/mailshots/\(material.mailshot.id!)")
        text += ["--", "Read this and past mailshots in sgpst: \(archive)"]
        var footer = "<a href=\"\(escape(archive))\" style=\"color:#4c6272\">Read this and past mailshots in sgpst</a>."
        if let unsubscribeURL {
            text.append("You get this weekly mailshot because you asked for it. Stop it with one click: \(unsubscribeURL)")
            footer +=
                " You get this weekly mailshot because you asked for it. <a href=\"\(escape(unsubscribeURL))\" style=\"color:#4c6272\">Unsubscribe</a>."
        }
        html.append(
            "<hr style=\"border:0;border-top:1px solid #d8dde0;margin:24px 0 8px\"><p style=\"font-size:13px;color:#4c6272\">\(footer)</p>"
        )
        let document = """
            <!DOCTYPE html>
            <html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>\(escape(subject))</title></head>
            <body style="margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#212b32;background:#ffffff">
            <div style="max-width:640px;margin:0 auto">
            \(html.joined(separator: "\n"))
            </div></body></html>
            """
        return RenderedMailshot(subject: subject, text: text.joined(separator: "\n") + "\n", html: document)
    }

    static func sectionHeading(_ title: String) -> String {
        "<h2 style=\"font-size:19px;margin:24px 0 8px;color:#212b32;border-bottom:2px solid #005eb8\">\(escape(title))</h2>"
    }

    static func paragraph(_ html: String) -> String { "<p style=\"margin:0 0 12px\">\(html)</p>" }

    /// Markdown to HTML, cut down to the sanitiser's allow-list: Ink copies targets and raw HTML as
    /// written, so what it writes is never emailed unchecked.
    static func markdownHTML(_ markdown: String) -> String {
        HTMLSanitiser.sanitise(MarkdownParser().html(from: markdown))
    }

    static func escape(_ text: String) -> String {
        // Most text needs nothing: look at the bytes once before building anything.
        let special: Set<UInt8> = [38, 60, 62, 34, 39]
        guard text.utf8.contains(where: special.contains) else { return text }
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
