import Foundation
import SGPSupport

/// Each person's dashboard (`/dashboard`): the work waiting for them first, from the domain's work
/// queue, each item linking to where it is done; then the organisations, practices and register
/// entry they work with.
struct DashboardPage: Sendable {
    /// One list of waiting work, each item linking to where it is done.
    struct QueueSection: Sendable {
        struct Item: Sendable {
            var text: String
            var note: String?
            var link: String
        }
        var id: String
        var heading: String
        var items: [Item]
        var hasItems: Bool
        var empty: String
        /// How many more there are beyond those listed (or where the whole list is), and its link.
        var more: String?
        var moreLink: String?
    }

    struct ExpiringRow: Sendable {
        var gpId: Int64
        var gpName: String
        var check: String
        var expiresOn: String
    }

    struct OrganisationSummary: Sendable {
        var id: Int64
        var name: String
        var code: String
        var role: String
        var practices: Int
        var localities: String
        var activeGPs: Int
        var applicants: Int
        var totalGPs: Int
        var expiring: [ExpiringRow]
        var hasExpiring: Bool
        var isLiaison: Bool
    }

    struct PracticeSummary: Sendable {
        var id: Int64
        var name: String
        var odsCode: String
        var locality: String
    }

    struct GPSummary: Sendable {
        var id: Int64
        var name: String
        /// "GMC 1234567", or the number of another profession's register.
        var registration: String
        var status: String
        var kind: String
        var cleared: Bool
        var reasons: [String]
    }

    /// What the controller reads for each organisation the person supports.
    struct Supported: Sendable {
        var organisation: Organisation
        var role: Role
        var overview: OrganisationOverview
        var expiring: [ExpiringCheck]
    }

    var page: PageChrome
    /// The work waiting for this person, first.
    var queues: [QueueSection]
    var isAdministrator: Bool
    var organisations: [OrganisationSummary]
    var practices: [PracticeSummary]
    var gp: GPSummary?

    init(
        page: PageChrome, queue: WorkQueue, now: Date, isAdministrator: Bool, organisations: [Supported],
        practices: [Practice], ownEntry: GPEntryView?
    ) {
        self.page = page
        queues = Self.queueSections(queue, now: now, multipleOrganisations: queue.liaison.count > 1)
        self.isAdministrator = isAdministrator
        self.organisations = organisations.map { supported in
            let overview = supported.overview
            let expiring = supported.expiring.map {
                ExpiringRow(gpId: $0.gpId, gpName: $0.gpName, check: $0.typeName, expiresOn: $0.expiresOn.displayText)
            }
            return OrganisationSummary(
                id: supported.organisation.id!, name: supported.organisation.name, code: supported.organisation.code,
                role: supported.role.title, practices: overview.practices,
                localities: overview.localities.joined(separator: ", "), activeGPs: overview.gpsByStatus[.active] ?? 0,
                applicants: overview.gpsByStatus[.applicant] ?? 0, totalGPs: overview.gpTotal, expiring: expiring,
                hasExpiring: !expiring.isEmpty, isLiaison: supported.role == .liaisonOfficer)
        }
        self.practices = practices.map {
            PracticeSummary(id: $0.id!, name: $0.name, odsCode: $0.odsCode, locality: $0.locality)
        }
        gp = ownEntry.map { entry in
            let gp = entry.gp
            return GPSummary(
                id: gp.id!, name: gp.name,
                registration: "\(gp.registrationNumberName) \(gp.registrationNumber)",
                status: gp.status.title, kind: gp.kind.title, cleared: entry.clearance.cleared,
                reasons: entry.clearance.reasons)
        }
    }

    /// The page's lists of waiting work, role by role, from the domain's work queue.
    static func queueSections(_ queue: WorkQueue, now: Date, multipleOrganisations: Bool = false) -> [QueueSection] {
        typealias Item = QueueSection.Item
        var sections: [QueueSection] = []
        /// Ten items at most; `whole` names the full list when it is worth opening even with nothing more.
        func add(
            _ id: String, _ heading: String, _ items: [Item], empty: String, allAt link: String? = nil, total: Int? = nil,
            whole: String? = nil
        ) {
            let shown = Array(items.prefix(10))
            let rest = (total ?? items.count) - shown.count
            let more = rest > 0 ? "and \(rest) more" : whole
            sections.append(
                QueueSection(
                    id: id, heading: heading, items: shown, hasItems: !shown.isEmpty, empty: empty,
                    more: link == nil ? nil : more, moreLink: more == nil ? nil : link))
        }
        func when(_ session: ClinicalSession) -> String {
            "\(session.date.displayText) \(session.start)–\(session.end)"
        }
        func card(_ direction: FeedbackDirection, _ gpName: String, _ practiceName: String) -> String {
            FeedbackPagesController.cardTitle(direction, gpName: gpName, practiceName: practiceName)
        }
        let today = Day(now)
        if let gp = queue.gp {
            add(
                "offers", "Offers waiting for your answer",
                gp.offers.map { offer, listing in
                    let hours = max(0, Int(offer.expiresAt.timeIntervalSince(now) / 3600))
                    return Item(
                        text: "\(listing.practice.name): \(listing.session.kind.title.lowercased()), \(when(listing.session)), "
                            + listing.session.rateText,
                        note:
                            "Stands until \(DisplayDate.dayAndTime(offer.expiresAt)) (\(hours) hour\(hours == 1 ? "" : "s") left)",
                        link: "/sessions/\(listing.session.id!)")
                }, empty: "No offers waiting.", allAt: "/work")
            add(
                "next-bookings", "Your next sessions",
                gp.nextBookings.map {
                    Item(
                        text: "\($0.practice.name): \($0.session.kind.title.lowercased()), \(when($0.session))",
                        note: [$0.practice.address, $0.practice.postcode].compactMap { $0 }.joined(separator: ", "),
                        link: "/sessions/\($0.session.id!)")
                }, empty: "No sessions booked in the next four weeks.", allAt: "/bookings")
            if !gp.expiringChecks.isEmpty {
                add(
                    "checks", "Your checks running out",
                    gp.expiringChecks.map {
                        let days = today.days(until: $0.expiresOn)
                        return Item(
                            text: $0.dueText,
                            note: days == 0
                                ? "Today: send the renewed evidence to your liaison officer"
                                : "In \(days) day\(days == 1 ? "" : "s"): send the renewed evidence to your liaison officer",
                            link: "/gps/\(gp.gpId)")
                    }, empty: "")
            }
            let invoicing = gp.invoicing
            var money: [Item] = invoicing.overdue.map {
                let days = PayRules.daysOverdue(dueOn: $0.invoice.dueOn, today: today)
                return Item(
                    text: "Invoice \($0.invoice.number) to \($0.practiceName): \(Money.pounds($0.invoice.totalPence))",
                    note:
                        "Overdue \(days) day\(days == 1 ? "" : "s") (due \($0.invoice.dueOn.displayText)): see the interest you may claim",
                    link: "/invoices/\($0.invoice.id!)")
            }
            if invoicing.readyToInvoice > 0 {
                money.append(
                    Item(
                        text: "\(invoicing.readyToInvoice) session\(invoicing.readyToInvoice == 1 ? "" : "s") ready to invoice: "
                            + Money.pounds(invoicing.readyToInvoicePence),
                        note: "Worked and not yet on an invoice", link: "/invoices"))
            }
            if let month = invoicing.formBMonth, let due = invoicing.formBDueOn {
                money.append(
                    Item(
                        text: "Your Form B for \(month.displayText)", note: "Due at PCSE by \(due.displayText)",
                        link: "/form-b?month=\(month)"))
            }
            if !money.isEmpty {
                add("money", "Invoices and pension forms", money, empty: "", allAt: "/invoices")
            }
            if !gp.followUpsDue.isEmpty {
                add(
                    "follow-ups", "Evidence follow-ups due",
                    gp.followUpsDue.map {
                        Item(
                            text: $0.title, note: $0.followUpOn.map { "Follow-up due \($0.displayText)" },
                            link: "/evidence/\($0.id!)")
                    }, empty: "", allAt: "/gps/\(gp.gpId)/evidence")
            }
        }
        for practice in queue.practices {
            add(
                "applications-\(practice.practice.id!)", "Applications to decide: \(practice.practice.name)",
                practice.applications.map {
                    Item(
                        text: "\($0.gpName) applied for \(when($0.listing.session))", note: nil,
                        link: "/sessions/\($0.listing.session.id!)")
                }, empty: "No applications waiting.", allAt: "/sessions")
            add(
                "open-sessions-\(practice.practice.id!)", "Sessions still open this week and next: \(practice.practice.name)",
                practice.openSessions.map {
                    Item(
                        text: "\($0.session.kind.title): \(when($0.session))", note: $0.session.rateText,
                        link: "/sessions/\($0.session.id!)")
                }, empty: "None: every session this week and next is filled.", allAt: "/sessions")
            if !practice.invoicesToPay.isEmpty || !practice.formsToSign.isEmpty {
                let toPay = practice.invoicesToPay.map {
                    let overdue = PayRules.daysOverdue(dueOn: $0.invoice.dueOn, today: today)
                    return Item(
                        text: "\($0.gpName): invoice \($0.invoice.number), \(Money.pounds($0.invoice.totalPence))",
                        note: overdue > 0
                            ? "Overdue \(overdue) day\(overdue == 1 ? "" : "s"): it was due \($0.invoice.dueOn.displayText)"
                            : "Due by \($0.invoice.dueOn.displayText)",
                        link: "/invoices/\($0.invoice.id!)")
                }
                let toSign = practice.formsToSign.map {
                    Item(
                        text: "\($0.gpName): Form A for invoice \($0.invoice.number)",
                        note: "Paid \($0.invoice.paidOn?.displayText ?? ""): sign it so the GP can send it to PCSE in time",
                        link: "/invoices/\($0.invoice.id!)")
                }
                add(
                    "invoices-\(practice.practice.id!)", "Invoices to pay and Form As to sign: \(practice.practice.name)",
                    toPay + toSign, empty: "", allAt: "/invoices")
            }
            if !practice.feedbackRounds.isEmpty {
                add(
                    "feedback-rounds-\(practice.practice.id!)", "Feedback rounds to help with: \(practice.practice.name)",
                    practice.feedbackRounds.map {
                        Item(
                            text: "\($0.gpName): \($0.round.kind.title.lowercased())",
                            note: $0.may.contains(.printSlips)
                                ? "Print slips for the patients of their next session with you"
                                : "Add the colleagues here who have worked with them",
                            link: "/feedback-rounds/\($0.round.id!)")
                    }, empty: "")
            }
        }
        if !queue.cardsToFill.isEmpty || queue.gp != nil || !queue.practices.isEmpty {
            add(
                "cards", "Feedback cards to fill in",
                queue.cardsToFill.map {
                    Item(
                        text: card($0.card.direction, $0.gpName, $0.practiceName),
                        note: "Session on \($0.sessionDate.displayText)", link: "/feedback/cards/\($0.card.id!)")
                }, empty: "No cards waiting.", allAt: "/feedback")
        }
        if !queue.arrangementsToConfirm.isEmpty {
            add(
                "arrangements", "Arrangements to confirm",
                queue.arrangementsToConfirm.map {
                    Item(
                        text: ClearingHousePagesController.arrangementText($0), note: nil,
                        link: "/arrangements/\($0.arrangement.id!)")
                }, empty: "", allAt: "/bookings")
        }
        for liaison in queue.liaison {
            let suffix = multipleOrganisations ? "-\(liaison.organisationId)" : ""
            let organisation = "organisationId=\(liaison.organisationId)"
            add(
                "not-cleared" + suffix, "GPs not cleared to work today (\(liaison.notClearedTotal))",
                liaison.notClearedToday.map {
                    Item(text: $0.gp.name, note: $0.clearance.reasons.joined(separator: "; "), link: "/gps/\($0.gp.id!)")
                }, empty: "Every active GP is cleared to work today.",
                allAt: "/gps?\(organisation)&notClearedOn=\(today.description)", total: liaison.notClearedTotal,
                whole: "The register, filtered to those not cleared on \(today.displayText)")
            add(
                "unfilled" + suffix, "Sessions still unfilled this week (\(liaison.unfilledThisWeek.count))",
                liaison.unfilledThisWeek.map {
                    Item(
                        text: "\($0.practice.name): \($0.session.kind.title.lowercased()), \(when($0.session))",
                        note: $0.session.rateText, link: "/sessions/\($0.session.id!)")
                }, empty: "None: every session this week is filled.", allAt: "/sessions")
            add(
                "applicants" + suffix, "New applicants to the register (\(liaison.applicants.count))",
                liaison.applicants.map {
                    Item(text: $0.name, note: "Applied \(DisplayDate.day($0.createdAt))", link: "/applicants")
                }, empty: "No one waiting.", allAt: "/applicants")
            add(
                "verify" + suffix, "Checks to verify (\(liaison.checksToVerify.count))",
                liaison.checksToVerify.map {
                    Item(
                        text: "\($0.gpName): \($0.typeName)",
                        note: ($0.check.documentId == nil ? "Recorded as pending " : "Renewal sent ")
                            + DisplayDate.day($0.check.recordedAt),
                        link: "/gps/\($0.check.gpId)#pending-\($0.check.id!)")
                }, empty: "Nothing waiting to be verified.", allAt: "/gps")
            add(
                "serious-concerns" + suffix, "Serious concerns still open (\(liaison.seriousConcerns.count))",
                liaison.seriousConcerns.map {
                    Item(
                        text: card($0.card.direction, $0.gpName, $0.practiceName),
                        note: "Raised \(Day($0.concern.raisedAt).displayText); the mentor closes it",
                        link: "/feedback/cards/\($0.card.id!)")
                }, empty: "No serious concerns open.", allAt: "/feedback")
            if !liaison.formsAwaitingSignature.isEmpty {
                add(
                    "forms-waiting" + suffix, "Form As waiting for a practice's signature",
                    liaison.formsAwaitingSignature.map {
                        Item(
                            text: "\($0.practiceName): \($0.count) form\($0.count == 1 ? "" : "s")",
                            note: "The oldest sent \($0.oldestWaitingDays) day\($0.oldestWaitingDays == 1 ? "" : "s") ago"
                                + ($0.pastEightWeeks > 0 ? "; \($0.pastEightWeeks) past 8 weeks from the first day worked" : ""),
                            link: "/practices/\($0.practiceId)")
                    }, empty: "")
            }
            add(
                "mailshot" + suffix, "Weekly mailshot",
                Self.mailshotItems(liaison.latestMailshot, liaison.latestMailshotDeliveries, today: today),
                empty: "No mailshot yet.", allAt: "/mailshots")
        }
        if let mentor = queue.mentor {
            add(
                "concerns", "Open concerns (\(mentor.openConcerns.count))",
                mentor.openConcerns.map {
                    Item(
                        text: card($0.card.direction, $0.gpName, $0.practiceName),
                        note: "\($0.concern.severity.title), raised \(Day($0.concern.raisedAt).displayText)",
                        link: "/feedback/cards/\($0.card.id!)")
                }, empty: "No open concerns.", allAt: "/feedback")
            add(
                "caseload", "Your caseload (\(mentor.caseload.count) open)",
                mentor.caseload.map {
                    Item(
                        text: "\($0.view.gpName): \($0.view.supportCase.routeIn.title)",
                        note: $0.nextReview.map { "Next review \($0.displayText)" } ?? "No review date set",
                        link: "/support/cases/\($0.view.supportCase.id!)")
                }, empty: "No open cases.", allAt: "/support")
        }
        return sections
    }

    /// The latest mailshot and where its sending stands; this week's, when the latest is an older week.
    static func mailshotItems(_ mailshot: Mailshot?, _ deliveries: DeliveryCounts?, today: Day) -> [QueueSection.Item] {
        guard let mailshot else { return [] }
        let week = IsoWeek(mailshot.week)
        let failures = deliveries?.failed ?? 0
        let failed = failures > 0 ? ", \(failures) failed" : ""
        let note: String =
            switch mailshot.status {
            case .draft: "Not sent yet"
            case .sending: "Sending: \(deliveries?.sent ?? 0) delivered so far, \(deliveries?.pending ?? 0) to go\(failed)"
            case .sent:
                "\(deliveries?.sent ?? 0) delivered\(failed)" + (mailshot.sentAt.map { ", \(DisplayDate.dayAndTime($0))" } ?? "")
            }
        var items = [
            QueueSection.Item(
                text: "\(week?.displayText ?? mailshot.week): \(mailshot.status.title)", note: note,
                link: "/mailshots/\(mailshot.id!)")
        ]
        let thisWeek = IsoWeek(containing: today)
        if let week, week < thisWeek {
            items.insert(
                QueueSection.Item(text: "\(thisWeek.displayText): not started", note: nil, link: "/mailshots"), at: 0)
        }
        return items
    }
}
