import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// The payment pages (issue 22): their models built by their pure initialisers from the domain's
/// views of a real (demo) database, and the journey of one invoice through the pages, from the GP's
/// completed session to the practice's signed Form A and the GP's Form B.
@Suite struct InvoicePagesTests {
    static let links = Links(baseURL: "http://127.0.0.1:8080")

    /// What sending an invoice with a Form A needs: an address, bank details, NI and SD numbers and
    /// a date of birth.
    static let payDetails = PayDetailsInput(
        address: "1 Mill Lane\nAshby Vale\nZZ1 1AA", niNumber: "AB123456C", dateOfBirth: "1980-03-14",
        sdNumber: "12345678", bankAccountName: "Dr A Hartwell", sortCode: "12-34-56", accountNumber: "12345678")

    static func principal(_ database: AppDatabase, _ email: String) async throws -> Principal {
        try await ClearingHousePageModelTests.principal(database, email)
    }

    /// The demo GP's first session worked at Z90001 not invoiced yet (the demo's are £95 a session).
    static func worked(_ database: AppDatabase, gp: Principal) async throws -> InvoiceableBooking {
        let items = try await database.invoiceableBookings(by: gp)
        return try #require(items.first { $0.practice.odsCode == "Z90001" }, "the demo GP worked at Z90001")
    }

    /// A draft invoice to Z90001 for that session.
    static func draft(_ database: AppDatabase, gp: Principal) async throws -> InvoiceView {
        let item = try await Self.worked(database, gp: gp)
        return try await database.createInvoice(
            InvoiceInput(practiceId: item.practice.id, bookingIds: [try #require(item.booking.id)]), by: gp)
    }

    /// The draft, sent with the pay details it needs.
    static func sent(_ database: AppDatabase, gp: Principal) async throws -> InvoiceView {
        _ = try await database.setPayDetails(gpId: 1, Self.payDetails, by: gp)
        let draft = try await Self.draft(database, gp: gp)
        return try await database.sendInvoice(id: try #require(draft.invoice.id), by: gp, links: Self.links).value
    }

    static func invoicePage(_ view: InvoiceView, _ principal: Principal, today: Day) -> InvoicePage {
        InvoicePage(
            page: PageChrome(title: "Invoice", principal: principal, path: "/invoices"), view: view, today: today)
    }

    // MARK: Page models

    @Test func theGPsDraftOffersSendAndDeleteWithItsLinesAndPension() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let view = try await Self.draft(database, gp: gp)

        let page = Self.invoicePage(view, gp, today: database.clock.today)
        #expect(page.canSend && page.canDiscard, "the GP sends or deletes a draft")
        #expect(!page.canMarkPaid && !page.canConfirmReceived && !page.canApproveFormA && page.formALink == nil)
        #expect(page.state == "Draft" && page.draftNote != nil && page.issued == "When sent")
        let session = try #require(page.lines.first)
        #expect(session.description == "Surgery session" && session.amount == "£95.00")
        #expect(session.rate.hasPrefix("£95.00 per session"))
        // 90 % of £95.00 is pensionable, and the employer adds 14.38 % of that (£12.29, to the penny).
        #expect(page.pensionable && page.pensionablePay == "£85.50" && page.employerContribution == "£12.29")
        #expect(page.lines.count == 2 && page.total == "£107.29")
        #expect(page.pensionableShare == "90 % of the session fees" && page.employerRate == "14.38 % of pensionable pay")
        #expect(page.bank == nil, "no bank details yet")
        #expect(page.from.name == "Dr Amelia Hartwell" && page.to.odsCode == "Z90001")
        #expect(page.payDetailsNote != nil)
    }

    @Test func thePracticeMarksASentInvoicePaidFromTodayAndTheGPConfirmsIt() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let sent = try await Self.sent(database, gp: gp)
        let id = try #require(sent.invoice.id)
        let today = database.clock.today

        let asPractice = Self.invoicePage(try await database.invoice(id: id, by: practice), practice, today: today)
        #expect(asPractice.canMarkPaid && !asPractice.canSend && !asPractice.canDiscard)
        #expect(asPractice.paidOnField?.name == "paidOn" && asPractice.paidOnField?.value == today.description)
        #expect(asPractice.paidOnField?.inputType == "date")
        #expect(asPractice.formALink == "/invoices/\(id)/form-a", "a pensionable invoice has a Form A once sent")
        #expect(asPractice.issued == today.displayText && asPractice.due == today.adding(days: 28).displayText)
        let bank = try #require(asPractice.bank)
        #expect(bank.sortCode == "12-34-56" && bank.accountNumber == "12345678" && bank.accountName == "Dr A Hartwell")
        #expect(
            asPractice.paymentTerms
                == "Payment within 28 days of the invoice date (by \(today.adding(days: 28).displayText)), by bank transfer "
                + "to the account below, quoting \(sent.invoice.number).")
        #expect(asPractice.overdue == nil)

        _ = try await database.markInvoicePaid(id: id, paidOn: today.description, by: practice, links: Self.links)
        let paid = Self.invoicePage(try await database.invoice(id: id, by: gp), gp, today: today)
        #expect(paid.canConfirmReceived && !paid.canMarkPaid && paid.state == "Paid")
        #expect(paid.paid == "Abbey Road Group Practice paid this invoice on \(today.displayText).")
    }

    /// Forty days after sending, an invoice due in 28 is twelve days overdue: the GP sees what the
    /// Late Payment Act lets them claim, the practice only that it is overdue.
    @Test func anOverdueInvoiceShowsTheGPTheStatutoryClaim() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let sent = try await Self.sent(database, gp: gp)
        let id = try #require(sent.invoice.id)
        // The same file read 40 days on (the data key beside it is the same one).
        let later = try AppDatabase(
            path: environment.path, clock: .fixed(database.clock.now().addingTimeInterval(40 * 86_400)),
            passwords: PasswordHasher(cost: 4), secondFactorRoles: [])
        let today = later.clock.today

        let view = try await later.invoice(id: id, by: gp)
        let figures = try #require(view.overdue)
        #expect(figures.daysOverdue > 0 && view.state == .overdue)
        let page = Self.invoicePage(view, gp, today: today)
        let overdue = try #require(page.overdue)
        #expect(overdue.heading == "\(figures.daysOverdue) days overdue")
        #expect(overdue.law.contains("Late Payment of Commercial Debts (Interest) Act 1998"))
        #expect(
            overdue.baseRate
                == "\(Percent.text(basisPoints: figures.baseRateBasisPoints)), the Bank of England base rate from \(figures.baseRateFrom.displayText)"
        )
        #expect(overdue.interest == Money.pounds(figures.interestPence) && figures.interestPence > 0)
        #expect(overdue.compensation == "£40.00", "under £1,000 the fixed compensation is £40")
        #expect(overdue.claim == Money.pounds(sent.invoice.totalPence + figures.interestPence + 4_000))
        #expect(page.state == "Overdue")

        let asPractice = Self.invoicePage(try await later.invoice(id: id, by: practice), practice, today: today)
        #expect(asPractice.overdue == nil, "the claim is the GP's to make")

        // Overdue first on both lists, with how long.
        let list = InvoicesPage(
            page: PageChrome(title: "Invoices", principal: gp, path: "/invoices"),
            invoices: try await later.invoices(status: nil, practiceId: nil, by: gp), invoiceable: [], viewer: gp,
            today: today)
        #expect(list.own.first?.overdueText == "\(figures.daysOverdue) days overdue")
        let practiceList = InvoicesPage(
            page: PageChrome(title: "Invoices", principal: practice, path: "/invoices"),
            invoices: try await later.invoices(status: nil, practiceId: nil, by: practice), invoiceable: [],
            viewer: practice, today: today)
        #expect(practiceList.toPay.first?.id == id && practiceList.toPay.first?.state == "Overdue")
        #expect(practiceList.own.isEmpty && !practiceList.isGP && practiceList.isPractice)
    }

    @Test func readyToInvoiceGroupsByPracticeAndMonthAndTheFormTicksTheMonth() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let invoiceable = try await database.invoiceableBookings(by: gp)
        let item = try await Self.worked(database, gp: gp)
        let month = Month(containing: item.booking.date)

        let list = InvoicesPage(
            page: PageChrome(title: "Invoices", principal: gp, path: "/invoices"), invoices: [],
            invoiceable: invoiceable, viewer: gp, today: database.clock.today)
        let group = try #require(list.ready.first { $0.month == month.displayText && $0.practice == item.practice.name })
        #expect(group.link == "/invoices/new?practiceId=\(item.practice.id!)&month=\(month)")
        let inGroup = invoiceable.filter { $0.practice.id == item.practice.id && Month(containing: $0.booking.date) == month }
        #expect(group.total == Money.pounds(inGroup.map(\.amountPence).reduce(0, +)))
        #expect(group.items == "\(inGroup.count) session\(inGroup.count == 1 ? "" : "s")")

        let form = NewInvoicePage(
            page: PageChrome(title: "New invoice", principal: gp, path: "/invoices"), invoiceable: invoiceable,
            practiceId: item.practice.id, month: month)
        #expect(form.fields.map(\.name) == ["practiceId", "bookingIds", "mileageMiles", "coveringFor", "notes"])
        let practiceField = try #require(form.fields.first)
        #expect(practiceField.options.first { $0.selected }?.label == item.practice.name)
        let sessions = form.fields[1]
        #expect(sessions.options.filter(\.selected).map(\.value) == inGroup.map { String($0.booking.id!) })
        let label = try #require(sessions.options.first { $0.value == String(item.booking.id!) }?.label)
        let times = "\(ClockTime.format(item.booking.startMinute))–\(ClockTime.format(item.booking.endMinute))"
        #expect(label == "\(item.booking.date.displayText), \(times), Surgery, £95.00")
    }

    @Test func theTermsPageSaysTheTermsInWordsAndItsFormsDecodeIntoTheDomainsInputs() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let terms = try await database.terms(gpId: 1, practiceId: nil, by: gp)
        let page = TermsPage(
            page: PageChrome(title: "Terms", principal: gp, path: "/terms"), terms: terms,
            payDetails: try await database.payDetails(gpId: 1, by: gp))
        #expect(page.summary.first { $0.label == "Payment" }?.value == "Within 28 days of the invoice")
        #expect(page.summary.first { $0.label == "Mileage" }?.value == "45p a mile")
        #expect(page.summary.first { $0.label == "Cancellation fees" }?.value == CancellationScale.standard.text)
        #expect(
            page.termsFields.map(\.name) == [
                "sessionRate", "hourlyRate", "paymentTermsDays", "mileagePencePerMile", "cancellationScale", "limitedCompany",
            ])
        #expect(page.termsFields[2].options.map(\.value) == ["14", "28", "30"])
        #expect(page.termsFields[2].options.first { $0.selected }?.value == "28")
        #expect(
            page.payFields.map(\.name) == [
                "address", "niNumber", "dateOfBirth", "sdNumber", "bankAccountName", "sortCode", "accountNumber",
                "expectedAnnualPensionablePay",
            ])

        let posted = FormFields(
            urlEncoded: "paymentTermsDays=14&mileagePencePerMile=40&cancellationScale=2%3A100+5%3A50&sessionRate=%C2%A3400")
        let input = TermsForm.declaration.decode(posted, into: TermsInput())
        #expect(input.paymentTermsDays == 14 && input.mileagePencePerMile == 40 && input.cancellationScale == "2:100 5:50")
        #expect(input.sessionRate == 400 && input.hourlyRate == nil && input.limitedCompany == false)
        let saved = try await database.setTerms(gpId: 1, input, by: gp)
        #expect(TermsText.line(saved.terms).hasPrefix("Payment within 14 days · cancellation: under 2 days"))
        #expect(TermsText.line(saved.terms).hasSuffix(" · mileage 40p a mile"))
        let unreadable = TermsForm.declaration.decode(FormFields(urlEncoded: "paymentTermsDays=soon"), into: TermsInput())
        await #expect(
            throws: DomainError.validationFailed(
                ValidationErrors(field: "paymentTermsDays", message: "Choose payment within 14, 28 or 30 days"))
        ) {
            _ = try await database.setTerms(gpId: 1, unreadable, by: gp)
        }
    }

    /// The practice reads each applicant's terms beside their application, before it accepts.
    @Test func thePracticeSeesAnApplicantsTermsOnTheSessionPage() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        let practice = try await Self.principal(database, "practice@demo.test")
        let date = try await ClearingHousePageModelTests.freeWednesday(database, gp: gp)
        let id = try await ClearingHousePageModelTests.post(database, date, "08:30", "10:30", by: practice)
        _ = try await database.apply(sessionId: id, by: gp, links: Self.links)

        let view = try await database.session(id: id, by: practice)
        let practiceId = try #require(view.listing.practice.id)
        let page = SessionPage(
            page: PageChrome(title: "Session", principal: practice, path: "/sessions/\(id)"), view: view,
            applications: try await database.applications(sessionId: id, by: practice), candidates: [], pack: nil,
            skills: SkillNames(try await database.skills(organisationId: 1)), now: database.clock.now(),
            terms: [1: try await database.terms(gpId: 1, practiceId: practiceId, by: practice)])
        let row = try #require(page.applications.first)
        let terms = try #require(row.terms)
        #expect(terms.hasPrefix("Payment within 28 days · cancellation: under 1 day"))
        #expect(terms.hasSuffix(" · mileage 45p a mile"))
    }

    @Test func formAShowsBothPartsAndFormBListsTheSignedFormAOfTheMonth() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await Self.principal(database, "gp@demo.test")
        var practice = try await Self.principal(database, "practice@demo.test")
        let practiceId = try #require(practice.practiceIds.first)
        practice = try await Self.principal(database, "practice@demo.test")
        let sent = try await Self.sent(database, gp: gp)
        let id = try #require(sent.invoice.id)
        let today = database.clock.today

        let before = FormAPage(
            page: PageChrome(title: "Form A", principal: gp, path: "/invoices"),
            view: try await database.formA(invoiceId: id, by: gp))
        #expect(before.upr == "Set when the practice pays" && before.signature == nil && before.paidOn == "Not paid yet")
        #expect(before.sheets.count == 1 && before.sheets[0].ranges.count == 1 && before.sheets[0].blanks.count == 3)
        #expect(before.grossFee == "£95.00" && before.pensionablePay == "£85.50" && before.employerContribution == "£12.29")
        #expect(before.niNumber == "AB123456C" && before.odsCode == "Z90001")
        #expect(before.deadline?.contains("10 weeks from the first day worked") == true)

        _ = try await database.markInvoicePaid(id: id, paidOn: today.description, by: practice, links: Self.links)
        _ = try await database.approveFormA(invoiceId: id, from: "192.0.2.10", by: practice)
        let signed = FormAPage(
            page: PageChrome(title: "Form A", principal: practice, path: "/invoices"),
            view: try await database.formA(invoiceId: id, by: practice))
        #expect(signed.signature?.name == "Janet Cole" && signed.signature?.from == "192.0.2.10")
        #expect(signed.upr.hasPrefix("12345678LOC") && signed.paidOn == today.displayText)
        #expect(signed.deadline == nil, "the deadline is the GP's to keep")
        let csv = FormAPage.csv(try await database.formA(invoiceId: id, by: gp))
        let rows = csv.split(separator: "\r\n")
        #expect(rows.count == 2 && rows[0].hasPrefix("Locum,NI number,GMC number,UPR"))
        #expect(rows[1].contains(",95.00,85.50,12.29,\(today),Janet Cole,"))

        let month = Month(containing: today)
        let formB = FormBPage(
            page: PageChrome(title: "Form B", principal: gp, path: "/form-b"),
            view: try await database.formB(gpId: 1, month: month, by: gp))
        #expect(formB.lines.count == 1 && formB.lines.first?.invoiceNumber == sent.invoice.number)
        #expect(formB.lines.first?.practice.hasPrefix("Z90001 · ") == true)
        #expect(formB.boxA == "£85.50" && formB.boxH == "£12.29")
        #expect(formB.dateOfBirth == "Fri 14 Mar 1980" && formB.niNumber == "AB123456C")
        #expect(formB.previousLink == "/form-b?month=\(month.previous)" && formB.month == month.displayText)
        #expect(formB.missing == nil && formB.unsigned == nil)
        #expect(FormBPage.csv(try await database.formB(gpId: 1, month: month, by: gp)).contains(sent.invoice.number))
    }

    // MARK: Through the pages

    /// The GP invoices a session worked through the pages, sends it once their pay details are in,
    /// the practice marks it paid and signs its Form A, and the GP's Form B for the month lists it.
    @Test func anInvoiceFromTheGPsSessionToThePracticesSignatureAndFormB() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let manager = try await Self.principal(database, "practice@demo.test")
        let practiceId = try #require(manager.practiceIds.first)
        let item = try await Self.worked(database, gp: try await Self.principal(database, "gp@demo.test"))
        let bookingId = try #require(item.booking.id)
        let month = Month(containing: item.booking.date)
        let mailbox = environment.mailbox
        let today = database.clock.today

        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            let list = try await browser.request("/invoices")
            #expect(list.status == .ok && list.text.contains("Ready to invoice"))
            #expect(list.text.contains("/invoices/new?practiceId=\(practiceId)&amp;month=\(month)"))

            let form = try await browser.request("/invoices/new?practiceId=\(practiceId)&month=\(month)")
            #expect(form.status == .ok)
            #expect(form.text.contains(#"name="bookingIds" value="\#(bookingId)" checked"#), "the month's sessions are ticked")

            // Nothing ticked: the form again, with the message beside the sessions and the miles kept.
            let empty = try await browser.submit("/invoices", ["practiceId": "\(practiceId)", "mileageMiles": "12"])
            #expect(empty.status == .unprocessableContent)
            #expect(empty.text.contains("Choose the sessions to invoice, or a month"))
            #expect(empty.text.contains(#"name="mileageMiles" type="number" value="12""#))

            let created = try await browser.submit(
                "/invoices",
                ["practiceId": "\(practiceId)", "bookingIds": "\(bookingId)", "mileageMiles": "12", "notes": "With thanks"])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            #expect(location.hasPrefix("/invoices/") && location.hasSuffix("?done=created"))
            let id = try #require(Int64(location.dropFirst("/invoices/".count).prefix { $0.isNumber }))

            let draft = try await browser.request(location)
            #expect(draft.status == .ok && draft.text.contains("Draft invoice made."))
            #expect(draft.text.contains("Mileage: 12 miles at 45p a mile") && draft.text.contains("£5.40"))

            // Sending needs the pay details the invoice and its Form A carry.
            let refused = try await browser.submit("/invoices/\(id)/send", [:])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("to your pay details before sending"))
            let saved = try await browser.submit(
                "/pay-details",
                [
                    "address": "1 Mill Lane\nAshby Vale", "niNumber": "AB123456C", "dateOfBirth": "1980-03-14",
                    "sdNumber": "12345678", "bankAccountName": "Dr A Hartwell", "sortCode": "12-34-56",
                    "accountNumber": "12345678",
                ])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/terms?done=pay-details-saved")
            try await browser.request("/invoices/\(id)")
            let sent = try await browser.submit("/invoices/\(id)/send", [:])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/invoices/\(id)?done=invoice-sent")
            #expect(mailbox.sent.contains { $0.subject.hasPrefix("Invoice INV-") && $0.text.contains("/invoices/\(id)") })
            let shown = try await browser.request("/invoices/\(id)")
            #expect(shown.text.contains("12-34-56") && !shown.text.contains("Send to the practice"))

            let practice = Browser(browser.client)
            try await practice.signIn("practice@demo.test")
            let toPay = try await practice.request("/invoices")
            #expect(toPay.status == .ok && toPay.text.contains("/invoices/\(id)"))
            let invoice = try await practice.request("/invoices/\(id)")
            #expect(invoice.status == .ok && invoice.text.contains("Mark paid"))
            let future = try await practice.submit("/invoices/\(id)/paid", ["paidOn": today.adding(days: 3).description])
            #expect(future.status == .unprocessableContent && future.text.contains("The date paid cannot be in the future"))
            let paid = try await practice.submit("/invoices/\(id)/paid", ["paidOn": today.description])
            #expect(paid.status == .seeOther && paid.headers[.location] == "/invoices/\(id)?done=invoice-paid")
            let again = try await practice.submit("/invoices/\(id)/paid", ["paidOn": today.description])
            #expect(again.status == .conflict && again.text.contains("This invoice is already marked paid"))
            let signing = try await practice.request("/invoices/\(id)")
            #expect(signing.text.contains("Sign Form A") && signing.text.contains("By signing, you declare"))
            let signed = try await practice.submit("/invoices/\(id)/form-a/approve", [:])
            #expect(signed.status == .seeOther && signed.headers[.location] == "/invoices/\(id)?done=form-a-signed")
            let formA = try await practice.request("/invoices/\(id)/form-a")
            #expect(formA.status == .ok && formA.text.contains("Janet Cole") && formA.text.contains("Part 2: the practice"))
            let csv = try await practice.request("/invoices/\(id)/form-a.csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.headers[.contentDisposition]?.hasPrefix("attachment") == true)

            let formB = try await browser.request("/form-b?month=\(Month(containing: today))")
            #expect(formB.status == .ok && formB.text.contains("INV-") && formB.text.contains("Z90001"))
            let formBCSV = try await browser.request("/form-b.csv?month=\(Month(containing: today))")
            #expect(formBCSV.headers[.contentType]?.hasPrefix("text/csv") == true && formBCSV.text.contains("Z90001"))
            let received = try await browser.submit("/invoices/\(id)/received", [:])
            #expect(received.status == .seeOther && received.headers[.location] == "/invoices/\(id)?done=payment-received")
        }
    }

    /// Nobody but the GP who made it and the practice invoiced sees an invoice: another GP, another
    /// practice, the liaison officer and the administrator are told there is none.
    @Test func anInvoiceIsNotFoundForAnyoneElse() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        _ = try await database.createUser(
            NewUserInput(email: "gp2@demo.test", password: demoPassword, role: .gp, scopeReference: "9900004"),
            by: .commandLine)
        let gp = try await Self.principal(database, "gp@demo.test")
        let sent = try await Self.sent(database, gp: gp)
        let id = try #require(sent.invoice.id)

        for email in ["gp2@demo.test", "practice2@demo.test", "liaison@demo.test", "admin@demo.test"] {
            let other = try await Self.principal(database, email)
            await #expect(throws: DomainError.notFound("No invoice has that id"), "\(email)") {
                _ = try await database.invoice(id: id, by: other)
            }
        }
        try await environment.test { browser in
            for email in ["gp2@demo.test", "practice2@demo.test", "liaison@demo.test"] {
                let other = Browser(browser.client)
                try await other.signIn(email)
                #expect(try await other.request("/invoices/\(id)").status == .notFound, "\(email)")
                #expect(try await other.request("/invoices/\(id)/form-a").status == .notFound, "\(email)")
                try await other.request("/dashboard")  // a form token, so only who asks decides
                let marked = try await other.submit("/invoices/\(id)/paid", ["paidOn": "2026-01-01"])
                #expect(marked.status == .notFound, "\(email)")
            }
        }
    }
}

/// The money work on each dashboard, and the warnings on each side's record.
@Suite struct PaymentWorkPageTests {
    static func sections(_ database: AppDatabase, _ principal: Principal) async throws -> [String: DashboardPage.QueueSection] {
        let queue = try await database.workQueue(by: principal)
        return Dictionary(
            uniqueKeysWithValues: DashboardPage.queueSections(queue, now: database.clock.now()).map { ($0.id, $0) })
    }

    @Test func eachDashboardListsTheMoneyWorkWaiting() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await InvoicePagesTests.principal(database, "gp@demo.test")
        let practice = try await InvoicePagesTests.principal(database, "practice@demo.test")
        let liaison = try await InvoicePagesTests.principal(database, "liaison@demo.test")

        let ready = try #require(try await Self.sections(database, gp)["money"])
        #expect(ready.items.map(\.link) == ["/invoices"] && ready.items[0].text.contains("ready to invoice: £"))

        let sent = try await InvoicePagesTests.sent(database, gp: gp)
        let id = try #require(sent.invoice.id)
        let practiceId = try #require(practice.practiceIds.first)
        let toPay = try #require(try await Self.sections(database, practice)["invoices-\(practiceId)"])
        #expect(toPay.items.map(\.link) == ["/invoices/\(id)"] && toPay.items[0].note?.hasPrefix("Due by ") == true)
        let waiting = try #require(try await Self.sections(database, liaison)["forms-waiting"])
        #expect(waiting.items.map(\.link) == ["/practices/\(practiceId)"] && waiting.items[0].text.hasSuffix(": 1 form"))

        _ = try await database.markInvoicePaid(
            id: id, paidOn: database.clock.today.description, by: practice, links: InvoicePagesTests.links)
        let toSign = try #require(try await Self.sections(database, practice)["invoices-\(practiceId)"])
        #expect(toSign.items.map(\.text) == ["Dr Amelia Hartwell: Form A for invoice \(sent.invoice.number)"])
        _ = try await database.approveFormA(invoiceId: id, from: "t", by: practice)
        #expect(try await Self.sections(database, practice)["invoices-\(practiceId)"] == nil, "nothing left to do")
        #expect(try await Self.sections(database, liaison)["forms-waiting"] == nil)
    }

    /// A practice finds the feedback rounds of GPs who worked there on its dashboard.
    @Test func thePracticeDashboardLeadsToTheRoundsItCanHelpWith() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let gp = try await InvoicePagesTests.principal(database, "gp@demo.test")
        let practice = try await InvoicePagesTests.principal(database, "practice@demo.test")
        let practiceId = try #require(practice.practiceIds.first)
        #expect(try await Self.sections(database, practice)["feedback-rounds-\(practiceId)"] == nil)
        let round = try await database.requestFeedbackRound(gpId: 1, kind: "colleague", by: gp)
        let section = try #require(try await Self.sections(database, practice)["feedback-rounds-\(practiceId)"])
        #expect(section.items.map(\.link) == ["/feedback-rounds/\(round.round.id!)"])
        #expect(section.items[0].text == "Dr Amelia Hartwell: colleague feedback")
    }

    /// The domain's rules are tested in PaymentTests; here, what each record's page says about them.
    @Test func lateCancellationsReadAsSentencesOnEachRecord() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let liaison = try await InvoicePagesTests.principal(database, "liaison@demo.test")
        let day = Day("2026-12-09")!
        func listing(_ side: LateCancellation.Side, _ kind: LateCancellation.Kind, notice: Int?, reason: String?)
            -> LateCancellationListing
        {
            LateCancellationListing(
                warning: LateCancellation(
                    id: 1, bookingId: 1, side: side, kind: kind, gpId: 1, practiceId: 1, noticeDays: notice, reason: reason,
                    recordedAt: database.clock.now()),
                gpName: "Dr Amelia Hartwell", practiceName: "Abbey Road Group Practice", date: day)
        }
        let warnings = [
            listing(.gp, .lateCancellation, notice: 1, reason: "Family emergency"),
            listing(.practice, .lateCancellation, notice: 2, reason: "Rota change"),
            listing(.gp, .noShow, notice: 0, reason: nil),
        ]
        let page = GPProfilePage(
            page: PageChrome(title: "GP", principal: liaison, path: "/gps/1"), entry: try await database.gp(id: 1, by: liaison),
            history: [], types: [], skills: [], expiring: [], workRestrictions: [], today: database.clock.today,
            lateCancellations: warnings)
        #expect(page.hasLateCancellations)
        #expect(
            page.lateCancellations == [
                "Dr Amelia Hartwell cancelled the session on Wed 9 Dec 2026 at Abbey Road Group Practice with 1 day's notice: Family emergency",
                "Abbey Road Group Practice cancelled Dr Amelia Hartwell's session on Wed 9 Dec 2026 with 2 days' notice: Rota change",
                "Dr Amelia Hartwell did not attend the session on Wed 9 Dec 2026 at Abbey Road Group Practice (recorded \(DisplayDate.day(database.clock.now())))",
            ])
    }
}
