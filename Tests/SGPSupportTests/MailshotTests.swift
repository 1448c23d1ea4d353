import Foundation
import GRDB
import Synchronization
import Testing

@testable import SGPSupport

/// Keeps what would have been sent; can stop dead after a number of messages, like a killed process.
final class CapturingTransport: MailTransport {
    struct Crash: Error {}
    private let state = Mutex<[MailMessage]>([])
    let crashAfter: Int?

    init(crashAfter: Int? = nil) {
        self.crashAfter = crashAfter
    }

    func send(_ message: MailMessage) async throws {
        try state.withLock { sent in
            if let crashAfter, sent.count >= crashAfter { throw Crash() }
            sent.append(message)
        }
    }

    var sent: [MailMessage] { state.withLock { $0 } }
}

struct MailshotFixture {
    let clearing: ClearingFixture
    var database: AppDatabase { clearing.database }
    var liaison: Principal { clearing.register.liaison }
    var organisationId: Int64 { clearing.register.organisationId }

    init() async throws {
        clearing = try await ClearingFixture()
    }

    /// Ready GPs: the first `consenting` ask for the mailshot, the rest do not.
    func gps(consenting: Int, declining: Int) async throws -> [GP] {
        var gps: [GP] = []
        for index in 0..<(consenting + declining) {
            let gmc = String(format: "%07d", 3_000_000 + index)
            gps.append(try await clearing.readyGP(gmc) { $0.mailshotConsent = index < consenting }.0)
        }
        return gps
    }

    func mailshot() async throws -> Mailshot {
        try await database.mailshot(organisationId: organisationId, week: "2026-W50", by: liaison)
    }
}

@Suite struct MailshotTests {
    @Test func isoWeeksReadAndCountAsTheStandardSays() {
        #expect(IsoWeek("2026-W50")?.monday == Day("2026-12-07"))
        #expect(IsoWeek("2026-W53")?.monday == Day("2026-12-28"), "2026 starts on a Thursday: it has 53 weeks")
        #expect(IsoWeek("2027-W53") == nil)
        #expect(IsoWeek("2026-50") == nil)
        #expect(IsoWeek(containing: Day("2027-01-01")!).description == "2026-W53")
        #expect(IsoWeek(containing: Day("2026-12-13")!).description == "2026-W50")
    }

    @Test func dayArithmeticAgreesWithTheSystemCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = Day("2023-12-25")!
        for offset in stride(from: -800, through: 2000, by: 7) {
            let day = start.adding(days: offset)
            let date = calendar.date(
                byAdding: .day, value: offset, to: calendar.date(from: DateComponents(year: 2023, month: 12, day: 25))!)!
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            #expect((day.year, day.month, day.day) == (parts.year!, parts.month!, parts.day!))
            #expect(day.isoWeekday == (parts.weekday! == 1 ? 7 : parts.weekday! - 1))
            #expect(start.days(until: day) == offset)
        }
        #expect(Day("2028-02-29") != nil && Day("2027-02-29") == nil && Day("2026-04-31") == nil)
    }

    /// A GP who could take fifteen sessions reads the best twelve (equals soonest first), how many
    /// more there are, and where to see them all; a practice's private preference for them never
    /// orders what they read.
    @Test func aGPReadsTheirBestDozenSessionsAndALinkToTheRest() async throws {
        let fixture = try await MailshotFixture()
        let (gp, _) = try await fixture.clearing.readyGP("3100000") {
            $0.localities = ["Ashby Vale", "Brookmere"]
            $0.mailshotConsent = true
        }
        let days = [
            "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17",
        ]
        var soonest: [Int64] = []
        for day in days { soonest.append(try await fixture.clearing.post(date: day, start: "09:00", end: "12:00").id!) }
        for day in days.prefix(4) { soonest.append(try await fixture.clearing.post(date: day, start: "13:30", end: "17:00").id!) }
        let posted = soonest
        soonest = try await fixture.database.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM clinicalSession WHERE id IN (SELECT value FROM json_each(?)) ORDER BY date, startMinute",
                arguments: [String(describing: posted)])
        }
        let brookmere = try #require(
            try await fixture.database.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM practice WHERE odsCode = 'A81002'")
            })
        try await fixture.database.setPracticePreference(
            practiceId: brookmere, gpId: gp.id!, preference: .preferred, reason: "Knows the list", by: fixture.liaison)
        var preferred: [Int64] = []
        for (day, start, end) in [
            ("2026-12-18", "09:00", "12:00"), ("2026-12-18", "13:30", "17:00"), ("2026-12-17", "13:30", "17:00"),
        ] {
            preferred.append(try await fixture.clearing.post(date: day, start: start, end: end, practiceId: brookmere).id!)
        }
        let mailshot = try await fixture.mailshot()
        let transport = CapturingTransport()
        _ = try await fixture.database.sendMailshot(id: mailshot.id!, transport: transport, links: testLinks, by: fixture.liaison)
        let message = try #require(transport.sent.first { $0.to == gp.email })
        func lists(_ id: Int64) -> Bool { message.text.contains("Apply: https://sgpst.test/sessions/\(id)\n") }
        #expect(soonest.allSatisfy(lists), "the soonest twelve")
        #expect(!preferred.contains(where: lists), "the later three are counted, not listed, whoever prefers the GP")
        #expect(
            message.text.contains(
                "3 more sessions you could take are open in these two weeks. See all the work available for you: https://sgpst.test/work"
            ))
        #expect(message.html?.contains("<a href=\"https://sgpst.test/work\"") == true)
        let headings = try ["Tue 8 Dec 2026", "Mon 14 Dec 2026", "Wed 16 Dec 2026", "Thu 17 Dec 2026"].map {
            try #require(message.text.range(of: $0)).lowerBound
        }
        #expect(headings == headings.sorted(), "listed by day, soonest first, whatever their rank")
    }

    @Test func onlyGPsWhoConsentGetIt_andEachGetsTheirOwnWork() async throws {
        let fixture = try await MailshotFixture()
        let gps = try await fixture.gps(consenting: 3, declining: 2)
        _ = try await fixture.clearing.post(date: "2026-12-09", start: "09:00", end: "12:00")
        _ = try await fixture.clearing.post(date: "2026-12-10", start: "09:00", end: "12:00", skills: ["coil-fitting"])
        let mailshot = try await fixture.mailshot()
        _ = try await fixture.database.addMailshotItem(
            mailshotId: mailshot.id!, MailshotItemInput(kind: "news", title: "New indemnity scheme", body: "Read **this**."),
            by: fixture.liaison)
        let transport = CapturingTransport()
        let report = try await fixture.database.sendMailshot(
            id: mailshot.id!, transport: transport, links: testLinks, by: fixture.liaison)
        #expect(report.sent == 3 && report.failed.isEmpty)
        #expect(Set(transport.sent.map(\.to)) == Set(gps.prefix(3).map { $0.email! }))
        #expect(!transport.sent.contains { message in gps.suffix(2).contains { $0.email == message.to } }, "no consent, no mail")
        let message = try #require(transport.sent.first)
        #expect(message.text.contains("Wed 9 Dec 2026"))
        #expect(message.text.contains("Apply: https://sgpst.test/sessions/"))
        #expect(message.text.contains("1 other open session"), "the coil-fitting session is summarised, not listed")
        #expect(message.html?.contains("<strong>this</strong>") == true, "news bodies are Markdown")
        #expect(message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(message.headers["List-Unsubscribe"]?.hasPrefix("<https://sgpst.test/unsubscribe/") == true)

        // Sent is sent: running it again sends nothing, and the draft can no longer change.
        let again = CapturingTransport()
        let second = try await fixture.database.sendMailshot(
            id: mailshot.id!, transport: again, links: testLinks, by: fixture.liaison)
        #expect(again.sent.isEmpty && second.alreadySent == 3)
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.addMailshotItem(
                mailshotId: mailshot.id!, MailshotItemInput(kind: "news", title: "Late", body: "x"), by: fixture.liaison)
        }
    }

    @Test func aSendKilledHalfwayResumesAndNobodyGetsItTwice() async throws {
        let fixture = try await MailshotFixture()
        let gps = try await fixture.gps(consenting: 7, declining: 0)
        let mailshot = try await fixture.mailshot()
        let first = CapturingTransport(crashAfter: 3)
        await #expect(throws: CapturingTransport.Crash.self) {
            _ = try await fixture.database.sendMailshot(id: mailshot.id!, transport: first, links: testLinks, by: fixture.liaison)
        }
        #expect(first.sent.count == 3)
        let second = CapturingTransport()
        let resumed = try await fixture.database.resumeInterruptedMailshots(transport: second, links: testLinks)
        let everyone = first.sent.map(\.to) + second.sent.map(\.to)
        #expect(everyone.count == Set(everyone).count, "nobody twice")
        // The message in flight when it died is not sent again; it is reported instead.
        #expect(resumed.first?.failed.count == 1)
        #expect(resumed.first?.failed.values.first?.contains("interrupted") == true)
        #expect(Set(everyone).count == gps.count - 1)
    }

    @Test func aSecondSenderWaitsWhileTheFirstHoldsTheLease() async throws {
        let fixture = try await MailshotFixture()
        _ = try await fixture.gps(consenting: 4, declining: 0)
        let mailshot = try await fixture.mailshot()
        let first = CapturingTransport(crashAfter: 1)
        await #expect(throws: CapturingTransport.Crash.self) {
            _ = try await fixture.database.sendMailshot(id: mailshot.id!, transport: first, links: testLinks, by: fixture.liaison)
        }
        // A sender killed outright (SIGKILL) never gets to give its lease back: put it back as it would stand.
        try await fixture.database.write { db in
            try db.execute(
                sql: "UPDATE mailshot SET sendLeaseUntil = ? WHERE id = ?",
                arguments: [fixture.clearing.clock.now.addingTimeInterval(120), mailshot.id])
        }
        await #expect(throws: DomainError.conflict("This mailshot is being sent right now; its progress shows on its page")) {
            _ = try await fixture.database.sendMailshot(
                id: mailshot.id!, transport: CapturingTransport(), links: testLinks, by: fixture.liaison)
        }
        let early = CapturingTransport()
        #expect(try await fixture.database.resumeInterruptedMailshots(transport: early, links: testLinks).isEmpty)
        #expect(early.sent.isEmpty, "nothing goes while the lease stands")
        fixture.clearing.clock.advance(by: 121)
        let second = CapturingTransport()
        let resumed = try await fixture.database.resumeInterruptedMailshots(transport: second, links: testLinks)
        #expect(resumed.count == 1)
        #expect(first.sent.count == 1 && second.sent.count == 2, "the one in flight at the crash is reported, the rest go")
        #expect(Set(first.sent.map(\.to)).isDisjoint(with: second.sent.map(\.to)))
        #expect(resumed.first?.sent == 3 && resumed.first?.failed.count == 1)
    }

    /// Issue 19, finding 13: an old link withdrew consent again after the GP had subscribed again.
    @Test func anOldLinkNeverUnsubscribesAGPWhoSubscribedAgain() async throws {
        let fixture = try await MailshotFixture()
        let (gp, principal) = try await fixture.clearing.readyGP("3000001") { $0.mailshotConsent = true }
        func link(_ week: String) async throws -> String {
            let mailshot = try await fixture.database.mailshot(
                organisationId: fixture.organisationId, week: week, by: fixture.liaison)
            let transport = CapturingTransport()
            _ = try await fixture.database.sendMailshot(
                id: mailshot.id!, transport: transport, links: testLinks, by: fixture.liaison)
            let header = try #require(transport.sent.first { $0.to == gp.email }?.headers["List-Unsubscribe"])
            return String(header.dropFirst("<https://sgpst.test/unsubscribe/".count).dropLast())
        }
        func consents() async throws -> Bool { try #require(try await fixture.database.gp(id: gp.id!)).mailshotConsent }
        let old = try await link("2026-W50")
        fixture.clearing.clock.advance(by: 3600)
        _ = try await fixture.database.unsubscribe(token: old)
        #expect(try await consents() == false)

        fixture.clearing.clock.advance(by: 3600)
        var input = GPInput()
        input.mailshotConsent = true
        _ = try await fixture.database.updateGP(id: gp.id!, input, by: principal)
        fixture.clearing.clock.advance(by: 3600)
        do {
            try await fixture.database.checkUnsubscribeLink(token: old)
            Issue.record("the page would offer to unsubscribe")
        } catch DomainError.conflict(let message) {
            #expect(message.contains("out of date") && message.contains("/mailshot-subscription"), "\(message)")
        }
        await #expect(throws: DomainError.self) { _ = try await fixture.database.unsubscribe(token: old) }
        #expect(try await consents() == true, "the old link changed nothing")

        let fresh = try await link("2026-W51")
        try await fixture.database.checkUnsubscribeLink(token: fresh)
        #expect(try await fixture.database.unsubscribe(token: fresh) == gp.email)
        #expect(try await consents() == false, "a link from the latest mailshot works")
    }

    @Test func unsubscribingWithdrawsConsentWithItsTime() async throws {
        let fixture = try await MailshotFixture()
        let gps = try await fixture.gps(consenting: 1, declining: 0)
        let transport = CapturingTransport()
        _ = try await fixture.database.sendMailshot(
            id: try await fixture.mailshot().id!, transport: transport, links: testLinks, by: fixture.liaison)
        let header = try #require(transport.sent.first?.headers["List-Unsubscribe"])
        let token = String(header.dropFirst("<https://sgpst.test/unsubscribe/".count).dropLast())
        fixture.clearing.clock.advance(by: 3600)
        #expect(try await fixture.database.unsubscribe(token: token) == gps[0].email)
        let gp = try #require(try await fixture.database.gp(id: gps[0].id!))
        #expect(!gp.mailshotConsent)
        #expect(gp.mailshotConsentAt == fixture.clearing.clock.now)
        #expect(try await fixture.database.unsubscribe(token: token) == gps[0].email, "a second click changes nothing")
        await #expect(throws: DomainError.self) { _ = try await fixture.database.unsubscribe(token: "forged") }
        let next = try await fixture.database.mailshot(
            organisationId: fixture.organisationId, week: "2026-W51", by: fixture.liaison)
        let later = CapturingTransport()
        _ = try await fixture.database.sendMailshot(id: next.id!, transport: later, links: testLinks, by: fixture.liaison)
        #expect(later.sent.isEmpty)
    }

    @Test func anItemIsChangedOnlyWhileADraft_checkedAndSanitisedAsAddingIs() async throws {
        let fixture = try await MailshotFixture()
        _ = try await fixture.gps(consenting: 1, declining: 0)
        let mailshot = try await fixture.mailshot()
        let item = try await fixture.database.addMailshotItem(
            mailshotId: mailshot.id!, MailshotItemInput(kind: "news", title: "Flu clinics", body: "Sessions wanted."),
            by: fixture.liaison)

        let errors = await validationErrors {
            _ = try await fixture.database.updateMailshotItem(
                id: item.id!, MailshotItemInput(kind: "news", title: " ", body: " "), by: fixture.liaison)
        }
        #expect(errors?["title"] == "Give the item a title")
        #expect(errors?["body"] == "Write the news item")

        let changed = try await fixture.database.updateMailshotItem(
            id: item.id!,
            MailshotItemInput(
                kind: "event", title: "Flu clinics from January",
                body: "Sessions **wanted**.\n\n<script>alert(1)</script>\n\n[Book](javascript:alert(1))"),
            by: fixture.liaison)
        #expect(changed.kind == .news, "an item stays the kind it is")
        #expect(changed.id == item.id && changed.position == item.position)
        let view = try await fixture.database.mailshotView(id: mailshot.id!, by: fixture.liaison)
        #expect(view.items.map(\.title) == ["Flu clinics from January"])
        let preview = try await fixture.database.previewMailshot(
            id: mailshot.id!, gpId: nil, links: testLinks, by: fixture.liaison)
        #expect(preview.html.contains("<strong>wanted</strong>"))
        #expect(!preview.html.contains("<script>") && !preview.html.contains("javascript:"), "the new text is sanitised")
        await #expect(throws: DomainError.self, "a practice manager changes no mailshot") {
            _ = try await fixture.database.updateMailshotItem(
                id: item.id!, MailshotItemInput(kind: "news", title: "Mine", body: "x"), by: fixture.clearing.manager)
        }
        await #expect(throws: DomainError.notFound("No mailshot item has that id")) {
            _ = try await fixture.database.updateMailshotItem(
                id: 999_999, MailshotItemInput(kind: "news", title: "None", body: "x"), by: fixture.liaison)
        }

        // Sent, or while sending, it can no longer change.
        _ = try await fixture.database.sendMailshot(
            id: mailshot.id!, transport: CapturingTransport(), links: testLinks, by: fixture.liaison)
        let late = MailshotItemInput(kind: "news", title: "Late", body: "x")
        await #expect(throws: MailshotView.noLongerADraft) {
            _ = try await fixture.database.updateMailshotItem(id: item.id!, late, by: fixture.liaison)
        }
        try await fixture.database.write { db in
            try db.execute(sql: "UPDATE mailshot SET status = 'sending' WHERE id = ?", arguments: [mailshot.id])
        }
        await #expect(throws: MailshotView.noLongerADraft) {
            _ = try await fixture.database.updateMailshotItem(id: item.id!, late, by: fixture.liaison)
        }
        #expect(
            try await fixture.database.mailshotView(id: mailshot.id!, by: fixture.liaison).items.map(\.title) == [
                "Flu clinics from January"
            ])
    }

    @Test func aTestCopyGoesToTheSenderOnly_andTheRealSendIsUntouched() async throws {
        let fixture = try await MailshotFixture()
        let gps = try await fixture.gps(consenting: 2, declining: 0)
        let mailshot = try await fixture.mailshot()
        let transport = CapturingTransport()
        let address = try await fixture.database.sendMailshotTestCopy(
            id: mailshot.id!, asGP: gps[1].id, transport: transport, links: testLinks, by: fixture.liaison)
        #expect(address == fixture.liaison.email)
        #expect(transport.sent.map(\.to) == [fixture.liaison.email])
        let copy = try #require(transport.sent.first)
        #expect(copy.subject.hasPrefix("[Test copy] Work available and news: w/c 7 Dec 2026"))
        #expect(copy.text.contains("Dear \(gps[1].name),"), "as the chosen GP would get it")
        #expect(copy.headers["List-Unsubscribe"] == nil)
        let view = try await fixture.database.mailshotView(id: mailshot.id!, by: fixture.liaison)
        #expect(view.mailshot.status == .draft)
        #expect(view.deliveries == DeliveryCounts(pending: 0, sent: 0, failed: 0))
        let tokens = try await fixture.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM unsubscribeToken") ?? 0
        }
        #expect(tokens == 0, "no unsubscribe link made")
        await #expect(throws: DomainError.self, "the same right as sending") {
            _ = try await fixture.database.sendMailshotTestCopy(
                id: mailshot.id!, asGP: nil, transport: transport, links: testLinks, by: fixture.clearing.manager)
        }
        #expect(transport.sent.count == 1)

        // The names offered to choose from: the GPs it would go to.
        let readers = try await fixture.database.mailshotGPReaders(id: mailshot.id!, by: fixture.liaison)
        #expect(Set(readers.map(\.gpId)) == Set(gps.map { $0.id! }))
    }

    @Test func newsIsValidatedAndRawHTMLIsShownNotRun() async throws {
        let fixture = try await MailshotFixture()
        let mailshot = try await fixture.mailshot()
        let errors = await validationErrors {
            _ = try await fixture.database.addMailshotItem(
                mailshotId: mailshot.id!,
                MailshotItemInput(kind: "event", title: " ", eventDate: "next tuesday", bookingLink: "javascript:alert(1)"),
                by: fixture.liaison)
        }
        #expect(errors?["title"] == "Give the item a title")
        #expect(errors?["eventDate"] != nil)
        #expect(errors?["bookingLink"] != nil)
        #expect(
            MailshotRenderer.markdownHTML("<script>alert(1)</script> & [x](javascript:alert(1))").contains("<script>") == false)
        #expect(MailshotRenderer.markdownHTML("[x](javascript:alert(1))").contains("javascript:") == false)
    }
}

/// Issue 19, finding 6: Ink copies link targets and raw HTML as written, so attributes reached the email.
@Suite struct HTMLSanitiserTests {
    /// Every tag left is a bare tag from the allow-list, or a link to a web or mail address.
    static func tagsAreInert(_ html: String) -> Bool {
        let bare = #"^</?(p|br|strong|em|b|i|ul|ol|li|a|h1|h2|h3|h4|blockquote|code|pre|hr)>$"#
        let link = #"^<a href="(https?://|mailto:)[^"<>]+">$"#
        var rest = html[...]
        while let range = rest.range(of: #"<[^>]*>?"#, options: .regularExpression) {
            let tag = String(rest[range])
            let allowed = [bare, link].contains { tag.range(of: $0, options: .regularExpression) != nil }
            guard allowed else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    @Test func eachAttackComesOutInert() {
        let attacks = [
            #"[hover me](https://example.org" onmouseover="alert(1))"#,
            #"![logo](https://example.org/x.png" onerror="alert(1))"#,
            "![tracker](http://evil.example/pixel.png)",
            "<img src=http://evil.example/pixel.png>",
            "<img src=x onerror=alert(1)>",
            #"<div onmouseover="alert(1)">raw block</div>"#,
            #"Inline <span style="color:red" onclick="alert(1)">raw</span> HTML"#,
            "<script>alert(1)</script>",
            #"<a href="javascript:alert(1)">raw link</a>"#,
            "[x](javascript:alert(1)) [y](&#106;avascript:alert(1)) [z](data:text/html,hi) [w]( JAVASCRIPT:alert(1))",
            #"<iframe src="https://evil.example"></iframe><style>body{display:none}</style>"#,
        ]
        for attack in attacks {
            let html = MailshotRenderer.markdownHTML(attack)
            #expect(Self.tagsAreInert(html), "\(attack) gave \(html)")
            #expect(!html.contains("<img") && !html.contains("src=\""), "\(attack) loads nothing: \(html)")
        }
        // Raw HTML that is not on the list is shown as text; an image becomes its words.
        #expect(MailshotRenderer.markdownHTML("<script>alert(1)</script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(MailshotRenderer.markdownHTML("![logo](https://example.org/x.png)") == "logo")
    }

    @Test func ordinaryMarkdownSurvives() {
        let markdown = """
            Sessions **wanted** in _January_: [book here](https://example.org/book?a=1&b=2) or \
            [email us](mailto:team@example.org).

            * one
            * two

            1. first
            2. second

            > A quote

            # Heading

            `code <here>`
            """
        let html = MailshotRenderer.markdownHTML(markdown)
        #expect(html.contains("<strong>wanted</strong>") && html.contains("<em>January</em>"))
        #expect(html.contains(#"<a href="https://example.org/book?a=1&amp;b=2">book here</a>"#))
        #expect(html.contains(#"<a href="mailto:team@example.org">email us</a>"#))
        #expect(html.contains("<ul><li>one</li><li>two</li></ul>") && html.contains("<ol><li>first</li><li>second</li></ol>"))
        #expect(html.contains("<blockquote><p>A quote</p></blockquote>") && html.contains("<h1>Heading</h1>"))
        #expect(html.contains("<code>code &lt;here&gt;</code>"))
        #expect(Self.tagsAreInert(html))
    }

    @Test func entitiesAreKeptAttributesEscapedAgainAndTagsClosed() {
        #expect(
            HTMLSanitiser.sanitise("<p>AT&amp;T &copy; &#8212; &#x2014; & 5 > 3</p>")
                == "<p>AT&amp;T &copy; &#8212; &#x2014; &amp; 5 &gt; 3</p>")
        #expect(
            HTMLSanitiser.sanitise(#"<a href="https://example.org/?q=&quot;x&quot;" title="t">x</a>"#)
                == #"<a href="https://example.org/?q=&quot;x&quot;">x</a>"#)
        #expect(HTMLSanitiser.sanitise("<a href='&#106;avascript:alert(1)'>x</a>") == "<a>x</a>")
        #expect(HTMLSanitiser.sanitise("<P CLASS=x><STRONG>bold</p>") == "<p><strong>bold</strong></p>")
        #expect(HTMLSanitiser.sanitise("<ul><li>open") == "<ul><li>open</li></ul>", "what a news item opens, it closes")
        #expect(HTMLSanitiser.sanitise("</div></strong>text") == "&lt;/div&gt;text")
        #expect(HTMLSanitiser.sanitise("<br/><hr class=x>") == "<br><hr>")
        #expect(HTMLSanitiser.sanitise(#"<img src="x" onerror="a" alt="A <b> & c">"#) == "A &lt;b&gt; &amp; c")
        #expect(HTMLSanitiser.sanitise("1 < 2 and <b") == "1 &lt; 2 and &lt;b")
    }
}

@Suite struct MIMETests {
    @Test func aLineBreakInANameOrSubjectNeverMakesAHeader() {
        let message = MailMessage(
            to: "gp@example.org\r\nBcc: victim@example.org", toName: "Dr Evil\r\nBcc: other@example.org",
            subject: "Hello\r\nBcc: third@example.org", text: "Body", html: "<p>Body</p>",
            headers: ["X-Test\r\nBcc": "value\nBcc: fourth@example.org"])
        let rendered = MIMEWriter.render(message, from: "sgpst@example.org", date: Date(timeIntervalSince1970: 0))
        let headerBlock = rendered.components(separatedBy: "\r\n\r\n")[0]
        #expect(!headerBlock.split(separator: "\r\n").contains { $0.hasPrefix("Bcc") })
        #expect(headerBlock.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(headerBlock.contains("Content-Type: multipart/alternative"))
        #expect(rendered.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(rendered.contains("Content-Type: text/html; charset=utf-8"))
    }

    @Test func nonASCIIHeaderTextIsEncoded() {
        let rendered = MIMEWriter.render(
            MailMessage(to: "a@example.org", toName: "Dr Zoë Ní Bhriain", subject: "Café – 7 Dec", text: "é"),
            from: "s@example.org", date: Date())
        #expect(rendered.contains("Subject: =?utf-8?B?"))
        #expect(rendered.contains("To: =?utf-8?B?"))
        #expect(rendered.unicodeScalars.allSatisfy { $0.isASCII })
    }
}

@Suite struct SMTPConversationTests {
    static let envelopes = [
        SMTPConversation.Envelope(from: "s@example.org", to: "a@example.org", data: "Subject: A\r\n\r\n.hidden\r\n"),
        SMTPConversation.Envelope(from: "s@example.org", to: "b@example.org", data: "Subject: B\r\n\r\nBody\r\n"),
    ]

    @Test func aFullSessionWithSTARTTLSAndAuthPlain() {
        var smtp = SMTPConversation(
            heloName: "sgpst", requireTLS: true, credentials: .init(username: "u", password: "p"), envelopes: Self.envelopes)
        #expect(smtp.receive(SMTPReply(code: 220, lines: ["relay ready"])) == [.send("EHLO sgpst")])
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["relay", "STARTTLS", "AUTH LOGIN"])) == [.send("STARTTLS")])
        #expect(smtp.receive(SMTPReply(code: 220, lines: ["go ahead"])) == [.startTLS])
        #expect(smtp.tlsEstablished() == [.send("EHLO sgpst")])
        #expect(
            smtp.receive(SMTPReply(code: 250, lines: ["relay", "AUTH PLAIN LOGIN"]))
                == [.send("AUTH PLAIN \(Data("\0u\0p".utf8).base64EncodedString())")])
        #expect(smtp.receive(SMTPReply(code: 235, lines: ["ok"])) == [.send("MAIL FROM:<s@example.org>")])
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["ok"])) == [.send("RCPT TO:<a@example.org>")])
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["ok"])) == [.send("DATA")])
        #expect(smtp.receive(SMTPReply(code: 354, lines: ["go"])) == [.sendData(0, "Subject: A\r\n\r\n..hidden\r\n.\r\n")])
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["queued"])) == [.delivered(0), .send("MAIL FROM:<s@example.org>")])
        // The second recipient is refused for now: reset, then quit (nothing else to send).
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["ok"])) == [.send("RCPT TO:<b@example.org>")])
        #expect(
            smtp.receive(SMTPReply(code: 451, lines: ["try later"]))
                == [.refused(1, permanent: false, reply: "451 try later"), .send("RSET")])
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["ok"])) == [.send("QUIT")])
        #expect(smtp.receive(SMTPReply(code: 221, lines: ["bye"])) == [.close])
    }

    @Test func aRelayWithoutSTARTTLSIsRefusedWhenTLSIsRequired() {
        var smtp = SMTPConversation(heloName: "sgpst", requireTLS: true, credentials: nil, envelopes: Self.envelopes)
        _ = smtp.receive(SMTPReply(code: 220, lines: ["hi"]))
        let actions = smtp.receive(SMTPReply(code: 250, lines: ["relay", "8BITMIME"]))
        #expect(actions.last == .close)
        guard case .fail(let reason) = actions.first else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("STARTTLS"))
    }

    @Test func authLoginAndAPermanentRefusalAfterData() {
        var smtp = SMTPConversation(
            heloName: "h", requireTLS: false, credentials: .init(username: "user", password: "pw"),
            envelopes: [Self.envelopes[1]])
        _ = smtp.receive(SMTPReply(code: 220, lines: ["hi"]))
        #expect(smtp.receive(SMTPReply(code: 250, lines: ["relay", "AUTH=LOGIN"])) == [.send("AUTH LOGIN")])
        #expect(smtp.receive(SMTPReply(code: 334, lines: ["VXNlcm5hbWU6"])) == [.send("dXNlcg==")])
        #expect(smtp.receive(SMTPReply(code: 334, lines: ["UGFzc3dvcmQ6"])) == [.send("cHc=")])
        _ = smtp.receive(SMTPReply(code: 235, lines: ["ok"]))
        _ = smtp.receive(SMTPReply(code: 250, lines: ["ok"]))
        _ = smtp.receive(SMTPReply(code: 250, lines: ["ok"]))
        _ = smtp.receive(SMTPReply(code: 354, lines: ["go"]))
        #expect(
            smtp.receive(SMTPReply(code: 554, lines: ["rejected"]))
                == [.refused(0, permanent: true, reply: "554 rejected"), .send("QUIT")])
    }

    @Test func theMailSettingIsReadOrRefusedWithWhatToFix() throws {
        let smtp = try #require(
            try MailSettings.transport("smtp://me%40x:s3cret@relay.example.org:587?starttls=required", from: "s@example.org")
                as? SMTPMailTransport)
        #expect(smtp.configuration.host == "relay.example.org" && smtp.configuration.port == 587)
        #expect(smtp.configuration.requireTLS)
        #expect(smtp.configuration.credentials == .init(username: "me@x", password: "s3cret"))
        #expect(try MailSettings.transport("outbox:./out", from: "s@x") is OutboxMailTransport)
        #expect(throws: MailSettings.Invalid.self) { _ = try MailSettings.transport("ftp://x", from: "s@x") }
    }
}

@Suite struct MailSenderTests {
    @Test func theSenderIsANameAndAnAddressOrAnAddress() throws {
        #expect(
            MailSender.parse("Sessional GP support <support@wealdmoor.nhs.uk>")
                == MailSender(name: "Sessional GP support", address: "support@wealdmoor.nhs.uk"))
        #expect(MailSender.parse(" sgpst@localhost ") == MailSender(name: nil, address: "sgpst@localhost"))
        #expect(MailSender.parse("Support Team") == nil)
        #expect(MailSender.parse("a <b@c>\r\nBcc: x@y") == nil)
        let rendered = MIMEWriter.render(
            MailMessage(to: "gp@example.org", subject: "Hello", text: "Hi"),
            from: "Sessional GP support <support@wealdmoor.nhs.uk>",
            date: Date(timeIntervalSince1970: 0))
        #expect(rendered.contains("From: \"Sessional GP support\" <support@wealdmoor.nhs.uk>\r\n"))
        #expect(rendered.contains("@wealdmoor.nhs.uk>\r\nMIME-Version"), "the Message-ID's domain is the address's")
    }
}
