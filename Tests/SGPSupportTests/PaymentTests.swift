import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The clearing fixture (today Mon 7 Dec 2026, 09:00) with a GP whose pay details are in, and
/// helpers to work sessions at practice A81001 and invoice them. Sessions are £95 each, 09:00–12:00.
struct PaymentFixture {
    let clearing: ClearingFixture
    let gp: GP
    let gpPrincipal: Principal
    var database: AppDatabase { clearing.database }
    var clock: TestClock { clearing.clock }
    var manager: Principal { clearing.manager }
    var practiceId: Int64 { clearing.practiceId }

    init() async throws {
        clearing = try await ClearingFixture()
        (gp, gpPrincipal) = try await clearing.readyGP("1234567", name: "Dr Ada Locum")
        _ = try await clearing.database.setPayDetails(
            gpId: gp.id!,
            PayDetailsInput(
                address: "1 High Street, Ashby, AB1 2CD", niNumber: "AB 12 34 56 C", dateOfBirth: "1980-03-14",
                sdNumber: "12345678", bankAccountName: "Dr A Locum", sortCode: "12-34-56", accountNumber: "31926819",
                expectedAnnualPensionablePay: 60_000),
            by: gpPrincipal)
    }

    /// A booking of the GP at the practice on each date (booked now, in the future).
    func book(_ dates: [String]) async throws -> [Booking] {
        var bookings: [Booking] = []
        for date in dates {
            let session = try await clearing.post(date: date)
            let application = try await database.apply(sessionId: session.id!, by: gpPrincipal, links: testLinks).value
            bookings.append(try await database.acceptApplication(id: application.id!, by: manager, links: testLinks).value)
        }
        return bookings
    }

    /// Moves the clock to 09:00 on a day.
    func moveTo(_ day: String) {
        clock.advance(by: TestClock.day("\(day)T09:00:00Z").timeIntervalSince(clock.now))
    }

    /// Books, works (the clock moves past them) and completes sessions on these dates.
    func worked(_ dates: [String], thenOn day: String) async throws -> [Booking] {
        let bookings = try await book(dates)
        moveTo(day)
        var completed: [Booking] = []
        for booking in bookings {
            completed.append(try await database.completeBooking(id: booking.id!, by: manager, links: testLinks).value)
        }
        return completed
    }

    func invoice(_ bookings: [Booking], send: Bool = true) async throws -> InvoiceView {
        let draft = try await database.createInvoice(
            InvoiceInput(practiceId: practiceId, bookingIds: bookings.map { $0.id! }), by: gpPrincipal)
        guard send else { return draft }
        return try await database.sendInvoice(id: draft.invoice.id!, by: gpPrincipal, links: testLinks).value
    }

    func paidAndSigned(_ invoice: InvoiceView, paidOn: String) async throws {
        _ = try await database.markInvoicePaid(id: invoice.invoice.id!, paidOn: paidOn, by: manager, links: testLinks)
        _ = try await database.approveFormA(invoiceId: invoice.invoice.id!, from: "192.0.2.1", by: manager)
    }
}

func domainError(_ body: () async throws -> Void) async -> DomainError? {
    do {
        try await body()
    } catch let error as DomainError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
    }
    return nil
}

@Suite struct PayArithmeticTests {
    /// 90 % of the fee is pensionable; the employer pays 14.38 % of that. Each figure is rounded
    /// once, half up, to the penny (our stated reading of PCSE's forms).
    @Test func penceArithmeticRoundsEachFigureOnceHalfUp() {
        let rates = PensionRates(schemeYear: "2025/26", pensionableShareBasisPoints: 9000, employerRateBasisPoints: 1438)
        #expect(PayRules.pension(feePence: 38_000, rates: rates) == (34_200, 4_918))  // 4,917.96p
        #expect(PayRules.pension(feePence: 9_500, rates: rates) == (8_550, 1_229))  // 1,229.49p
        #expect(PayRules.pension(feePence: 1, rates: rates) == (1, 0))  // 0.9p up, 0.1438p down
        #expect(PayRules.share(of: 1, basisPoints: 5_000) == 1, "a half penny goes up")
        #expect(PayRules.share(of: 3, basisPoints: 5_000) == 2)
        #expect(PayRules.fee(ratePence: 9_500, unit: .hour, minutes: 190) == 30_083)  // 300.833…
        #expect(Money.pounds(4_918) == "£49.18" && Percent.text(basisPoints: 1438) == "14.38 %")
        #expect(Percent.text(basisPoints: 520) == "5.2 %" && Percent.basisPoints("5.2") == 520)
    }

    @Test func theTierAtEachBoundaryOf2025To26() async throws {
        let database = try makeTestDatabase()
        let (tiers, year) = try await database.read { db in try AppDatabase.pensionTiers(db, schemeYear: "2025/26") }
        #expect(year == "2025/26" && tiers.count == 6)
        let cases: [(Int, Int)] = [
            (0, 520), (1_325_999, 520), (1_326_000, 650), (2_779_799, 650), (2_779_800, 830), (3_386_899, 830),
            (3_386_900, 980), (5_084_599, 980), (5_084_600, 1070), (6_519_099, 1070), (6_519_100, 1250), (50_000_000, 1250),
        ]
        for (pay, rate) in cases {
            #expect(PayRules.tier(forAnnualPence: pay, tiers: tiers)?.rateBasisPoints == rate, "\(Money.pounds(pay))")
        }
    }

    /// Next year's tiers are entered as data; until then the latest earlier year's are used, and said so.
    @Test func aLaterYearsTiersAreEnteredNotCoded() async throws {
        let database = try makeTestDatabase()
        let before = try await database.read { db in try AppDatabase.pensionTiers(db, schemeYear: "2026/27") }
        #expect(before.usedYear == "2025/26")
        let errors = await validationErrors {
            _ = try await database.setPensionYear(PensionYearInput(schemeYear: "2026/28", tiers: "100=5"), by: .commandLine)
        }
        #expect(errors?["schemeYear"] != nil && errors?["tiers"] == "The tiers must start from 0")
        _ = try await database.setPensionYear(
            PensionYearInput(schemeYear: "2026/27", tiers: "0=5.4 14000=6.8", employerPercent: "14.4"), by: .commandLine)
        let after = try await database.read { db in try AppDatabase.pensionTiers(db, schemeYear: "2026/27") }
        #expect(after.usedYear == "2026/27")
        #expect(PayRules.tier(forAnnualPence: 1_400_000, tiers: after.tiers)?.rateBasisPoints == 680)
        let rates = try await database.read { db in try AppDatabase.pensionRates(db, schemeYear: "2026/27") }
        #expect(rates.0.employerRateBasisPoints == 1440 && rates.note == nil)
    }

    @Test func theDueDateAndTheCompensationBands() {
        let issued = Day("2026-12-07")!
        #expect(PayRules.dueOn(issuedOn: issued, termsDays: 14) == Day("2026-12-21"))
        #expect(PayRules.dueOn(issuedOn: issued, termsDays: 28) == Day("2027-01-04"))
        #expect(PayRules.dueOn(issuedOn: issued, termsDays: 30) == Day("2027-01-06"))
        #expect(PayRules.fixedCompensation(debtPence: 99_999) == 4_000)
        #expect(PayRules.fixedCompensation(debtPence: 100_000) == 7_000)
        #expect(PayRules.fixedCompensation(debtPence: 999_999) == 7_000)
        #expect(PayRules.fixedCompensation(debtPence: 1_000_000) == 10_000)
    }

    /// Base rate plus 8 % a year, simple, for each day after the due date, over 365 days.
    @Test func lateInterestForABaseRateAndDays() {
        #expect(PayRules.daysOverdue(dueOn: Day("2027-01-04")!, today: Day("2027-01-04")!) == 0)
        #expect(PayRules.daysOverdue(dueOn: Day("2027-01-04")!, today: Day("2027-02-03")!) == 30)
        // £1,000 at 4 % + 8 % for 30 days: 1,000 × 0.12 × 30 / 365 = £9.863…
        #expect(PayRules.lateInterest(debtPence: 100_000, baseRateBasisPoints: 400, daysOverdue: 30) == 986)
        #expect(PayRules.lateInterest(debtPence: 100_000, baseRateBasisPoints: 400, daysOverdue: 365) == 12_000)
        #expect(PayRules.lateInterest(debtPence: 38_000, baseRateBasisPoints: 375, daysOverdue: 1) == 12)  // 11.97p
        #expect(PayRules.lateInterest(debtPence: 100_000, baseRateBasisPoints: 400, daysOverdue: 0) == 0)
    }

    @Test func theCancellationScaleAtEachEdge() {
        let scale = CancellationScale.standard
        let expected = [(0, 100), (1, 75), (2, 75), (3, 20), (6, 20), (7, 0), (30, 0)]
        for (days, percent) in expected { #expect(scale.percent(forNoticeDays: days) == percent, "\(days) days' notice") }
        #expect(scale.code == "1:100 3:75 7:20")
        #expect(scale.text == "Under 1 day's notice 100 %; under 3 days' notice 75 %; under 7 days' notice 20 %")
        #expect(CancellationScale(code: "1:50, 3:75") == nil, "a longer notice never costs more")
        #expect(CancellationScale(code: "0:100") == nil && CancellationScale(code: "2:100 2:50") == nil)
        #expect(CancellationScale(code: "")?.percent(forNoticeDays: 0) == 0)
    }

    @Test func theTenWeekDeadlineAndTheUPR() {
        #expect(PayRules.pensionDeadline(firstDay: Day("2026-12-09")!) == Day("2027-02-17"))
        #expect(PayRules.upr(sdNumber: "12345678", month: Month("2026-12")!) == "12345678LOCDEC26")
        #expect(PayRules.upr(sdNumber: "12345678", month: Month("2027-01")!).count == 16)
        #expect(PayRules.formBDue(month: Month("2026-12")!) == Day("2027-01-07"))
        #expect(PayRules.formBDue(month: Month("2027-02")!) == Day("2027-03-07"))
        #expect(
            PayRules.schemeYear(of: Day("2027-03-31")!) == "2026/27" && PayRules.schemeYear(of: Day("2027-04-01")!) == "2027/28")
        let days = ["2026-12-09", "2026-12-10", "2026-12-14", "2026-12-11"].map { Day($0)! }
        #expect(
            PayRules.dayRanges(days).map { "\($0.lowerBound)…\($0.upperBound)" } == [
                "2026-12-09…2026-12-11", "2026-12-14…2026-12-14",
            ])
    }
}

@Suite struct InvoiceTests {
    @Test func anInvoiceFromCompletedBookingsWithMileageAndTheEmployersContribution() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09", "2026-12-10"], thenOn: "2026-12-14")
        let draft = try await fixture.database.createInvoice(
            InvoiceInput(practiceId: fixture.practiceId, bookingIds: worked.map { $0.id! }, mileageMiles: 24, notes: "Thank you"),
            by: fixture.gpPrincipal)
        #expect(draft.invoice.number == "INV-0001" && draft.state == .draft && draft.may == [.send, .discard])
        #expect(draft.lines.map(\.kind) == [.session, .session, .mileage, .employerContribution])
        #expect(draft.lines.map(\.amountPence) == [9_500, 9_500, 1_080, 2_459])  // 17,100 × 14.38 % = 2,458.98
        #expect(draft.invoice.pensionablePayPence == 17_100 && draft.invoice.employerContributionPence == 2_459)
        #expect(draft.invoice.totalPence == 22_539)
        #expect(draft.invoice.issuedOn == Day("2026-12-14") && draft.invoice.dueOn == Day("2027-01-11"))

        // Nothing is invoiced twice; the practice does not see a draft.
        let again = await validationErrors {
            _ = try await fixture.database.createInvoice(
                InvoiceInput(practiceId: fixture.practiceId, bookingIds: [worked[0].id!]), by: fixture.gpPrincipal)
        }
        #expect(again?["bookingIds"]?.contains("not on another invoice") == true)
        #expect(
            await domainError { _ = try await fixture.database.invoice(id: draft.invoice.id!, by: fixture.manager) }
                == .notFound("No invoice has that id"))

        let sent = try await fixture.database.sendInvoice(id: draft.invoice.id!, by: fixture.gpPrincipal, links: testLinks)
        #expect(sent.value.state == .sent && sent.value.payee.details.accountNumber == "31926819")
        let mail = try #require(sent.notifications.first)
        #expect(mail.to == "pm@example.org" && mail.text.contains("https://sgpst.test/invoices/\(draft.invoice.id!)"))
        let seen = try await fixture.database.invoice(id: draft.invoice.id!, by: fixture.manager)
        #expect(seen.may == [.markPaid, .viewFormA] && seen.payee.details.sortCodeText == "12-34-56" && seen.overdue == nil)
    }

    /// A month's invoice takes every uninvoiced booking of that month at the practice.
    @Test func aMonthsInvoiceTakesTheMonthsUninvoicedBookings() async throws {
        let fixture = try await PaymentFixture()
        _ = try await fixture.worked(["2026-12-09", "2026-12-10"], thenOn: "2026-12-14")
        let monthly = try await fixture.database.createInvoice(
            InvoiceInput(practiceId: fixture.practiceId, month: "2026-12"), by: fixture.gpPrincipal)
        #expect(monthly.lines.filter { $0.kind == .session }.count == 2)
        let errors = await validationErrors {
            _ = try await fixture.database.createInvoice(
                InvoiceInput(practiceId: fixture.practiceId, month: "2026-12"), by: fixture.gpPrincipal)
        }
        #expect(errors?["month"]?.hasPrefix("You have nothing to invoice") == true)
    }

    @Test func anOverdueInvoiceShowsTheGPTheStatutoryFiguresAndThePracticeIsRemindedOnce() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-14")
        let sent = try await fixture.invoice(worked)
        #expect(sent.invoice.dueOn == Day("2027-01-11"))
        fixture.moveTo("2027-01-18")  // 7 days overdue
        let view = try await fixture.database.invoice(id: sent.invoice.id!, by: fixture.gpPrincipal)
        #expect(view.state == .overdue)
        let overdue = try #require(view.overdue)
        #expect(overdue.daysOverdue == 7 && overdue.baseRateBasisPoints == 400 && overdue.baseRateFrom == Day("2025-08-07"))
        // £107.29 × 12 % × 7 / 365 = 24.69p; £40 for a debt under £1,000.
        #expect(overdue.interestPence == 25 && overdue.compensationPence == 4_000)
        #expect(overdue.claimPence == sent.invoice.totalPence + 25 + 4_000)
        #expect(try await fixture.database.invoice(id: sent.invoice.id!, by: fixture.manager).overdue == nil, "the GP's figures")

        func overdueMail() async throws -> [MailMessage] {
            try await fixture.database.sendPaymentReminders(links: testLinks).notifications.filter {
                $0.subject.hasPrefix("Overdue")
            }
        }
        let first = try await overdueMail()
        #expect(first.map(\.to) == ["pm@example.org"] && first[0].text.contains("/invoices/\(sent.invoice.id!)"))
        #expect(try await overdueMail().isEmpty, "each reminder once")
        fixture.moveTo("2027-02-10")  // 30 days: the 14- and 28-day reminders are due, one is sent
        let later = try await overdueMail()
        #expect(later.count == 1 && later[0].subject.contains("30 days"))
        #expect(try await overdueMail().isEmpty)
    }

    /// Form A must reach PCSE within 10 weeks of the first day worked: the GP and the practice are
    /// reminded at 6 and 8 weeks while it is unsigned.
    @Test func unsignedFormAsAreChasedAtSixAndEightWeeks() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-10")
        let sent = try await fixture.invoice(worked)
        let form = try await fixture.database.formA(invoiceId: sent.invoice.id!, by: fixture.gpPrincipal)
        #expect(form.ranges.map(\.deadline) == [Day("2027-02-17")!] && form.deadline == Day("2027-02-17"))
        func formAMail() async throws -> [MailMessage] {
            try await fixture.database.sendPaymentReminders(links: testLinks).notifications.filter {
                $0.subject.hasPrefix("Form A")
            }
        }
        fixture.moveTo("2027-01-19")  // 41 days
        #expect(try await formAMail().isEmpty)
        fixture.moveTo("2027-01-20")  // 6 weeks
        let six = try await formAMail()
        #expect(Set(six.map(\.to)) == ["pm@example.org", "1234567@example.org"] && six[0].text.contains("17 Feb 2027"))
        #expect(try await formAMail().isEmpty)
        fixture.moveTo("2027-02-03")  // 8 weeks
        #expect(try await formAMail().count == 2)
        try await fixture.paidAndSigned(sent, paidOn: "2027-02-03")
        fixture.moveTo("2027-02-04")
        #expect(try await formAMail().isEmpty)
    }

    @Test func onlyALocumApproverOfThePracticeSignsFormAAndNeverTheLocum() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-10")
        let sent = try await fixture.invoice(worked)
        let id = sent.invoice.id!
        #expect(
            await domainError { _ = try await fixture.database.approveFormA(invoiceId: id, from: "t", by: fixture.manager) }
                == .conflict("Mark the invoice paid before signing Form A: the form gives the date paid"))
        _ = try await fixture.database.markInvoicePaid(id: id, paidOn: "2026-12-10", by: fixture.manager, links: testLinks)
        let own = await domainError {
            _ = try await fixture.database.approveFormA(invoiceId: id, from: "t", by: fixture.gpPrincipal)
        }
        #expect(own == .forbidden("A locum cannot sign their own Form A: a locum approver at the practice signs it"))

        // A second manager of the practice whose right the administrator took away.
        _ = try await fixture.database.createUser(
            NewUserInput(email: "pm2@example.org", password: validPassword, role: .practiceManager, scopeReference: "A81001"),
            by: .commandLine)
        try await fixture.database.setLocumApprover(
            email: "pm2@example.org", practiceODSCode: "A81001", approver: false, by: .commandLine)
        let second = try await fixture.database.signIn(email: "pm2@example.org", password: validPassword, from: "t", kind: .web)
            .principal
        #expect(try await fixture.database.invoice(id: id, by: second).may.contains(.approveFormA) == false)
        let refused = await domainError { _ = try await fixture.database.approveFormA(invoiceId: id, from: "t", by: second) }
        #expect(
            refused == .forbidden("Only a locum approver of the practice can sign Form A; ask your administrator for the right"))

        let signed = try await fixture.database.approveFormA(invoiceId: id, from: "192.0.2.9", by: fixture.manager)
        #expect(signed.approval?.approvedFrom == "192.0.2.9" && signed.approval?.approvedById == fixture.manager.userId)
        #expect(signed.upr == "12345678LOCDEC26" && signed.grossFeePence == 9_500 && signed.pensionablePayPence == 8_550)
        #expect(
            await domainError { _ = try await fixture.database.approveFormA(invoiceId: id, from: "t", by: fixture.manager) }
                == .conflict("Form A is already signed"))
    }

    /// Form B is for money received in the month, not work done in it: three Form As of December's
    /// work, two paid in December and one in January.
    @Test func formBTotalsOverThreeFormAsInTwoMonths() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09", "2026-12-10", "2026-12-11"], thenOn: "2026-12-14")
        var invoices: [InvoiceView] = []
        for booking in worked { invoices.append(try await fixture.invoice([booking])) }
        fixture.moveTo("2026-12-16")
        try await fixture.paidAndSigned(invoices[0], paidOn: "2026-12-15")
        try await fixture.paidAndSigned(invoices[1], paidOn: "2026-12-16")
        fixture.moveTo("2027-01-05")
        try await fixture.paidAndSigned(invoices[2], paidOn: "2027-01-04")

        let gpId = fixture.gp.id!
        let december = try await fixture.database.formB(gpId: gpId, month: Month("2026-12")!, by: fixture.gpPrincipal)
        #expect(december.lines.map(\.invoiceNumber) == ["INV-0001", "INV-0002"])
        #expect(december.lines[0].practiceCode == "A81001" && december.lines[0].firstDay == Day("2026-12-09"))
        #expect(december.pensionablePayPence == 17_100)  // a
        #expect(december.tierRateBasisPoints == 1070)  // £60,000 expected: 10.7 %
        #expect(december.employeeContributionPence == 1_830)  // b = g: 1,829.7
        #expect(december.employerContributionPence == 2_458)  // h: 1,229 + 1,229 (each Form A's own box 3)
        #expect(december.totalContributionPence == 4_288)  // i
        #expect(december.cumulativePensionablePayPence == 17_100)  // j
        #expect(december.upr == "12345678LOCDEC26" && december.dueOn == Day("2027-01-07"))
        #expect(december.tierNote.contains("those for 2025/26 are used"))
        #expect(december.missing.isEmpty && december.payee.details.niNumber == "AB123456C")

        let january = try await fixture.database.formB(gpId: gpId, month: Month("2027-01")!, by: fixture.gpPrincipal)
        #expect(january.lines.map(\.invoiceNumber) == ["INV-0003"] && january.lines[0].lastDay == Day("2026-12-11"))
        #expect(january.pensionablePayPence == 8_550 && january.employeeContributionPence == 915)
        #expect(january.cumulativePensionablePayPence == 25_650)
        #expect(
            await domainError { _ = try await fixture.database.formB(gpId: gpId, month: Month("2027-01")!, by: fixture.manager) }
                == .forbidden("Only the GP sees their own Form B"))

        // The month's Form B is reminded once, between the 1st and the 7th.
        let reminders = try await fixture.database.sendPaymentReminders(links: testLinks).notifications
            .filter { $0.subject.hasPrefix("Your Form B") }
        #expect(reminders.count == 1 && reminders[0].text.contains("/form-b?month=2026-12"))
    }

    @Test func anInvoiceIsOnlyTheGPsAndTheInvoicedPractices() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-10")
        let sent = try await fixture.invoice(worked)
        let id = sent.invoice.id!
        let (_, otherGP) = try await fixture.clearing.readyGP("7654321")
        _ = try await fixture.database.createUser(
            NewUserInput(email: "pm-b@example.org", password: validPassword, role: .practiceManager, scopeReference: "A81002"),
            by: .commandLine)
        let otherPractice = try await fixture.database.signIn(
            email: "pm-b@example.org", password: validPassword, from: "t", kind: .web
        ).principal
        let liaison = fixture.clearing.register.liaison
        for outsider in [otherGP, otherPractice, liaison, Principal.commandLine] {
            #expect(
                await domainError { _ = try await fixture.database.invoice(id: id, by: outsider) }
                    == .notFound("No invoice has that id"))
            #expect(
                await domainError { _ = try await fixture.database.formA(invoiceId: id, by: outsider) }
                    == .notFound("No invoice has that id"))
            #expect(
                await domainError {
                    _ = try await fixture.database.markInvoicePaid(id: id, paidOn: "2026-12-10", by: outsider, links: testLinks)
                } == .notFound("No invoice has that id"))
        }
        #expect(try await fixture.database.invoices(status: nil, practiceId: nil, by: otherGP).isEmpty)
        #expect(try await fixture.database.invoices(status: nil, practiceId: nil, by: otherPractice).isEmpty)
        #expect(
            await domainError { _ = try await fixture.database.invoices(status: nil, practiceId: nil, by: liaison) }
                == .forbidden("Only GPs and practices have invoices"))
        #expect(try await fixture.database.invoices(status: .sent, practiceId: nil, by: fixture.manager).count == 1)
        #expect(await domainError { _ = try await fixture.database.payDetails(gpId: fixture.gp.id!, by: liaison) } != nil)

        // The support team sees counts and days only.
        let waiting = try await fixture.database.formsAwaitingSignature(
            organisationId: fixture.clearing.register.organisationId, by: liaison)
        #expect(waiting.map(\.count) == [1] && waiting[0].practiceName == "Practice A81001")
        let report = try await fixture.database.activityReport(
            organisationId: fixture.clearing.register.organisationId,
            period: ReportPeriod(from: Day("2026-12-01")!, to: Day("2026-12-31")!), by: liaison)
        #expect(report.payments.invoicesSent == 1 && report.payments.formsAwaitingSignature == 1)
        // The team's subject-access copy holds no invoice and no pay details; the GP's own holds both, opened.
        let teamCopy = String(
            decoding: try await fixture.database.personalDataExport(gpId: fixture.gp.id!, by: liaison), as: UTF8.self)
        #expect(!teamCopy.contains("INV-0001") && !teamCopy.contains("31926819") && !teamCopy.contains("\"invoice\""))
        let ownCopy = String(
            decoding: try await fixture.database.personalDataExport(gpId: fixture.gp.id!, by: fixture.gpPrincipal), as: UTF8.self)
        #expect(ownCopy.contains("INV-0001") && ownCopy.contains("31926819"))
    }

    /// Bank details and NI numbers are sealed in the file: without the key they are unreadable.
    @Test func payDetailsAreSealedAtRest() async throws {
        let fixture = try await PaymentFixture()
        let sealed = try await fixture.database.read { db in
            try Data.fetchOne(db, sql: "SELECT sealed FROM gpPayDetails WHERE gpId = ?", arguments: [fixture.gp.id!])
        }
        let bytes = try #require(sealed)
        for secret in ["31926819", "AB123456C", "123456", "High Street"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is not in the file as written")
        }
        // The same file without its key is refused at start, rather than given a new key silently.
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID().uuidString).key").path
        #expect(throws: DataSealer.Unreadable.self) {
            _ = try AppDatabase(path: fixture.database.writer.path, dataKeyPath: elsewhere)
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        // With another key, nothing sealed opens.
        _ = try DataSealer.keyFile(elsewhere)
        let copy = try AppDatabase(path: fixture.database.writer.path, dataKeyPath: elsewhere)
        #expect(throws: DataSealer.Unreadable.self) { _ = try copy.sealer.open(bytes, row: "gpPayDetails:\(fixture.gp.id!)") }
        let row = "gpPayDetails:\(fixture.gp.id!)"
        #expect(try fixture.database.sealer.open(bytes, row: row).count > 0)
        // Copied onto another GP's row, one GP's sealed details do not open there.
        #expect(throws: DataSealer.Unreadable.self) { _ = try fixture.database.sealer.open(bytes, row: "gpPayDetails:99") }
    }

    /// A booking keeps the terms in force when it was made: a late cancellation by the practice
    /// costs what they said then, and goes on the practice's record; a GP's on theirs.
    @Test func lateCancellationsCostWhatTheTermsSaidAndAreRecordedOnTheSideThatCancelled() async throws {
        let fixture = try await PaymentFixture()
        let bookings = try await fixture.book(["2026-12-09", "2026-12-10", "2026-12-14"])
        _ = try await fixture.database.setTerms(
            gpId: fixture.gp.id!, TermsInput(cancellationScale: "3:10"), by: fixture.gpPrincipal)
        // Two days' notice (Mon → Wed): 75 % under the terms of the booking, not the 10 % set since.
        let byPractice = try await fixture.database.cancelBooking(
            id: bookings[0].id!, reason: "Rota change", by: fixture.manager, links: testLinks)
        #expect(byPractice.value.cancellationFeePence == 7_125 && byPractice.value.cancellationNoticeDays == 2)
        #expect(byPractice.notifications.first?.text.contains("£71.25, which the GP may invoice") == true)
        // The GP cancels with 3 days' notice (not late) and with 7 (not late either).
        _ = try await fixture.database.cancelBooking(
            id: bookings[1].id!, reason: "Unwell", by: fixture.gpPrincipal, links: testLinks)
        let warnings = try await fixture.database.lateCancellations(
            practiceId: fixture.practiceId, by: fixture.clearing.register.liaison)
        #expect(warnings.map(\.warning.side) == [.practice] && warnings[0].warning.noticeDays == 2)
        fixture.moveTo("2026-12-12")
        _ = try await fixture.database.cancelBooking(
            id: bookings[2].id!, reason: "Car broke", by: fixture.gpPrincipal, links: testLinks)
        let gpWarnings = try await fixture.database.lateCancellations(gpId: fixture.gp.id!, by: fixture.gpPrincipal)
        #expect(gpWarnings.map(\.warning.kind) == [.lateCancellation] && gpWarnings[0].warning.reason == "Car broke")

        // The fee is invoiced, not pensionable.
        let invoice = try await fixture.database.createInvoice(
            InvoiceInput(practiceId: fixture.practiceId, bookingIds: [bookings[0].id!]), by: fixture.gpPrincipal)
        #expect(invoice.lines.map(\.kind) == [.cancellationFee] && invoice.invoice.pensionablePayPence == 0)
        #expect(!invoice.invoice.pensionable, "fees alone are not pensionable: no Form A")
        #expect(invoice.invoice.totalPence == 7_125)

        // Six months on, the warnings are gone.
        fixture.moveTo("2027-06-13")
        _ = try await fixture.database.sendPaymentReminders(links: testLinks)
        #expect(try await fixture.database.lateCancellations(gpId: fixture.gp.id!, by: fixture.gpPrincipal).isEmpty)
    }

    @Test func workThroughALimitedCompanyHasNoFormA() async throws {
        let fixture = try await PaymentFixture()
        _ = try await fixture.database.setTerms(gpId: fixture.gp.id!, TermsInput(limitedCompany: true), by: fixture.gpPrincipal)
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-10")
        let sent = try await fixture.invoice(worked)
        #expect(!sent.invoice.pensionable && sent.lines.map(\.kind) == [.session] && sent.invoice.totalPence == 9_500)
        #expect(!sent.may.contains(.viewFormA))
        let refused = await domainError {
            _ = try await fixture.database.formA(invoiceId: sent.invoice.id!, by: fixture.gpPrincipal)
        }
        #expect(refused == .notFound("This invoice has no Form A: work through a limited company is not pensionable on it"))
    }

    @Test func termsAndPayDetailsSayWhatToFix() async throws {
        let fixture = try await PaymentFixture()
        let errors = await validationErrors {
            _ = try await fixture.database.setTerms(
                gpId: fixture.gp.id!, TermsInput(paymentTermsDays: 21, mileagePencePerMile: -1, cancellationScale: "soon"),
                by: fixture.gpPrincipal)
        }
        #expect(errors?["paymentTermsDays"] == "Choose payment within 14, 28 or 30 days")
        #expect(errors?["mileagePencePerMile"] != nil && errors?["cancellationScale"]?.hasPrefix("Enter steps like") == true)
        let details = await validationErrors {
            _ = try await fixture.database.setPayDetails(
                gpId: fixture.gp.id!,
                PayDetailsInput(niNumber: "QQ123456C", sdNumber: "123", sortCode: "12-34", accountNumber: "1"),
                by: fixture.gpPrincipal)
        }
        #expect(details?["niNumber"]?.contains("AB123456C") == true && details?["sdNumber"] != nil)
        #expect(details?["sortCode"] != nil && details?["accountNumber"] != nil)
        // Nothing already saved was lost.
        #expect(try await fixture.database.payDetails(gpId: fixture.gp.id!, by: fixture.gpPrincipal).accountNumber == "31926819")
        let practiceSees = try await fixture.database.terms(
            gpId: fixture.gp.id!, practiceId: fixture.practiceId, by: fixture.manager)
        #expect(practiceSees.terms.paymentTermsDays == 28 && practiceSees.may.isEmpty && practiceSees.isUsual)
    }

    /// Form B counts money when it reaches the GP: paid on 31 December, received on 2 January,
    /// it is January's (and its Form A's reference says January).
    @Test func formBTakesTheMonthTheMoneyArrived() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-14")
        let sent = try await fixture.invoice(worked)
        fixture.moveTo("2027-01-02")
        try await fixture.paidAndSigned(sent, paidOn: "2026-12-31")
        let tooEarly = await validationErrors {
            _ = try await fixture.database.confirmInvoiceReceived(
                id: sent.invoice.id!, receivedOn: "2026-12-30", by: fixture.gpPrincipal)
        }
        #expect(tooEarly?["receivedOn"]?.contains("Thu 31 Dec 2026") == true)
        _ = try await fixture.database.confirmInvoiceReceived(id: sent.invoice.id!, by: fixture.gpPrincipal)
        let gpId = fixture.gp.id!
        #expect(try await fixture.database.formB(gpId: gpId, month: Month("2026-12")!, by: fixture.gpPrincipal).lines.isEmpty)
        let january = try await fixture.database.formB(gpId: gpId, month: Month("2027-01")!, by: fixture.gpPrincipal)
        #expect(january.lines.map(\.paidOn) == [Day("2027-01-02")!] && january.upr == "12345678LOCJAN27")
        #expect(try await fixture.database.formA(invoiceId: sent.invoice.id!, by: fixture.gpPrincipal).upr == "12345678LOCJAN27")
        #expect(Month("3000-01") == nil && Month("1900-06") == nil && Month("2998-12") != nil, "months a Day can hold")
    }

    /// A cancellation by the support team is neither side's: no fee, no warning.
    @Test func theLiaisonOfficersCancellationCostsNoFeeAndMarksNoRecord() async throws {
        let fixture = try await PaymentFixture()
        let booking = try #require(try await fixture.book(["2026-12-08"]).first)
        let cancelled = try await fixture.database.cancelBooking(
            id: booking.id!, reason: "Practice closed by flood", by: fixture.clearing.register.liaison, links: testLinks)
        #expect(cancelled.value.cancellationFeePence == nil)
        #expect(try await fixture.database.lateCancellations(practiceId: fixture.practiceId, by: fixture.manager).isEmpty)
        #expect(try await fixture.database.invoiceableBookings(by: fixture.gpPrincipal).isEmpty)
    }

    /// A no-show noticed after the scheduler completed the booking is still reported, until invoiced.
    @Test func aNoShowIsReportedAfterCompletionUntilTheSessionIsInvoiced() async throws {
        let fixture = try await PaymentFixture()
        let worked = try await fixture.worked(["2026-12-09", "2026-12-10"], thenOn: "2026-12-11")
        let reported = try await fixture.database.reportNoShow(bookingId: worked[0].id!, by: fixture.manager, links: testLinks)
        #expect(reported.value.status == .cancelled && reported.notifications.first?.to == "1234567@example.org")
        #expect(
            try await fixture.database.lateCancellations(gpId: fixture.gp.id!, by: fixture.gpPrincipal).map(\.warning.kind) == [
                .noShow
            ])
        _ = try await fixture.invoice([worked[1]], send: false)
        let refused = await domainError {
            _ = try await fixture.database.reportNoShow(bookingId: worked[1].id!, by: fixture.manager, links: testLinks)
        }
        #expect(refused == .conflict("The GP has invoiced this session: take it up with them and your support team"))
        #expect(
            await domainError {
                _ = try await fixture.database.reportNoShow(bookingId: worked[0].id!, by: fixture.gpPrincipal, links: testLinks)
            } != nil)
    }

    /// The statutory reference rate is fixed for each half year: the rate in force on 31 December
    /// for interest starting January to June, on 30 June for July to December.
    @Test func interestUsesTheHalfYearsReferenceRate() async throws {
        #expect(PayRules.referenceRateDay(interestFrom: Day("2027-01-12")!) == Day("2026-12-31"))
        #expect(PayRules.referenceRateDay(interestFrom: Day("2026-07-01")!) == Day("2026-06-30"))
        #expect(PayRules.referenceRateDay(interestFrom: Day("2026-06-30")!) == Day("2025-12-31"))
        let fixture = try await PaymentFixture()
        let organisationId = fixture.clearing.register.organisationId
        try await fixture.database.setOrganisationSettings(
            organisationId: organisationId, appraisalValidityMonths: nil, baseRatePercent: "3.75", baseRateFrom: "2026-11-06",
            by: fixture.clearing.register.liaison)
        // A cut after the 31 December does not change interest starting in January.
        try await fixture.database.setOrganisationSettings(
            organisationId: organisationId, appraisalValidityMonths: nil, baseRatePercent: "3.5", baseRateFrom: "2027-01-05",
            by: fixture.clearing.register.liaison)
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-14")
        let sent = try await fixture.invoice(worked)
        fixture.moveTo("2027-02-10")
        let overdue = try #require(try await fixture.database.invoice(id: sent.invoice.id!, by: fixture.gpPrincipal).overdue)
        #expect(overdue.baseRateBasisPoints == 375 && overdue.baseRateFrom == Day("2026-11-06"))
        // £107.29 × 11.75 % × 30 / 365 = 103.6p.
        #expect(overdue.daysOverdue == 30 && overdue.interestPence == 104)

        // Settings change all together or not at all.
        let errors = await validationErrors {
            try await fixture.database.setOrganisationSettings(
                organisationId: organisationId, appraisalValidityMonths: 24, baseRatePercent: "lots", baseRateFrom: "2027-02-01",
                by: fixture.clearing.register.liaison)
        }
        #expect(errors?["baseRatePercent"] != nil)
        let months = try await fixture.database.read { db in
            try Int.fetchOne(
                db, sql: "SELECT appraisalValidityMonths FROM organisation WHERE id = ?", arguments: [organisationId])
        }
        #expect(months == 15, "the months were not changed by the refused request")
    }

    /// A locum who is also one of the practice's people still cannot pay or sign for their own invoice.
    @Test func aLocumWhoAlsoManagesThePracticeNeverPaysOrSignsTheirOwn() async throws {
        let fixture = try await PaymentFixture()
        try await fixture.database.grantRole(
            .practiceManager, scopeReference: "A81001", toEmail: "1234567@example.org", by: .commandLine)
        let both = try await fixture.database.signIn(
            email: "1234567@example.org", password: validPassword, from: "t", kind: .web
        ).principal
        let worked = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-10")
        let draft = try await fixture.database.createInvoice(
            InvoiceInput(practiceId: fixture.practiceId, bookingIds: [worked[0].id!]), by: both)
        let sent = try await fixture.database.sendInvoice(id: draft.invoice.id!, by: both, links: testLinks).value
        #expect(!sent.may.contains(.markPaid) && !sent.may.contains(.approveFormA))
        let paying = await domainError {
            _ = try await fixture.database.markInvoicePaid(id: sent.invoice.id!, paidOn: "2026-12-10", by: both, links: testLinks)
        }
        #expect(paying == .forbidden("The practice marks its invoices paid"))
        _ = try await fixture.database.markInvoicePaid(
            id: sent.invoice.id!, paidOn: "2026-12-10", by: fixture.manager, links: testLinks)
        let signing = await domainError {
            _ = try await fixture.database.approveFormA(invoiceId: sent.invoice.id!, from: "t", by: both)
        }
        #expect(signing == .forbidden("A locum cannot sign their own Form A: a locum approver at the practice signs it"))
    }

    /// Rates come in pounds and pence (forms) or integer pence (the API); a fraction of a penny is refused.
    @Test func ratesAreTakenInPenceOrInPoundsAndPence() async throws {
        let fixture = try await PaymentFixture()
        let set = try await fixture.database.setTerms(
            gpId: fixture.gp.id!, TermsInput(sessionRatePence: 38_000), by: fixture.gpPrincipal)
        #expect(set.terms.sessionRatePence == 38_000)
        let errors = await validationErrors {
            _ = try await fixture.database.setTerms(
                gpId: fixture.gp.id!, TermsInput(sessionRate: 95.505), by: fixture.gpPrincipal)
        }
        #expect(errors?["sessionRate"]?.contains("pounds and pence") == true)
        let pounds = try await fixture.database.setTerms(
            gpId: fixture.gp.id!, TermsInput(hourlyRate: 95.5), by: fixture.gpPrincipal)
        #expect(pounds.terms.hourlyRatePence == 9_550 && pounds.terms.sessionRatePence == 38_000)
    }

    /// Completed work not yet on a sent invoice is chased at 6 and 8 weeks too: its clock is running.
    @Test func workNotYetInvoicedIsChasedBeforeTheTenWeeksRunOut() async throws {
        let fixture = try await PaymentFixture()
        _ = try await fixture.worked(["2026-12-09"], thenOn: "2026-12-10")
        func chased() async throws -> [MailMessage] {
            try await fixture.database.sendPaymentReminders(links: testLinks).notifications
                .filter { $0.subject == "Sessions to invoice before the 10-week pension deadline" }
        }
        fixture.moveTo("2027-01-20")
        let six = try await chased()
        #expect(six.map(\.to) == ["1234567@example.org"] && six[0].text.contains("Wed 9 Dec 2026 at Practice A81001"))
        #expect(try await chased().isEmpty)
        fixture.moveTo("2027-02-03")
        #expect(try await chased().count == 1)
    }
}
