import Foundation
import Hummingbird
import Mustache
import SGPSupport

/// What every page's layout needs: its title, the navigation for the signed-in person's roles, the
/// CSRF token for forms, and the error summary when a form comes back with problems.
struct PageChrome: Sendable {
    struct NavItem: Sendable {
        var label: String
        var href: String
        var current: Bool
    }

    struct FieldError: Sendable {
        var field: String
        var message: String
    }

    // Stored, not computed: mustache sees only stored properties.
    var title: String
    var userName: String?
    var signedIn: Bool
    var nav: [NavItem]
    var csrfToken: String
    var errors: [FieldError]
    var hasErrors: Bool
    var notice: String?

    init(
        title: String, context: AppRequestContext, path: String, errors: ValidationErrors = ValidationErrors(),
        notice: String? = nil
    ) {
        self.init(
            title: title, principal: context.principal, csrfToken: context.csrfToken, path: path, errors: errors,
            notice: notice)
    }

    /// The chrome for a person without a request (page-model tests build pages this way).
    init(
        title: String, principal: Principal?, csrfToken: String? = nil, path: String,
        errors: ValidationErrors = ValidationErrors(), notice: String? = nil
    ) {
        self.title = title
        self.userName = principal?.displayName
        self.signedIn = principal != nil
        self.nav = principal.map { Self.navigation(for: $0, path: path) } ?? []
        self.csrfToken = csrfToken ?? ""
        self.errors = errors.entries.map { FieldError(field: $0.field, message: $0.message) }
        self.hasErrors = !errors.isEmpty
        self.notice = notice
    }

    /// The frame of a page with nobody signed in and no navigation: what page-model tests build with.
    init(title: String, errors: ValidationErrors = ValidationErrors(), notice: String? = nil) {
        self.init(title: title, principal: nil, path: "", errors: errors, notice: notice)
    }

    /// Navigation by what the person's roles open (the domain's `Reach`): each link leads somewhere
    /// this person is allowed to go.
    static func navigation(for principal: Principal, path: String) -> [NavItem] {
        let reach = principal.reach
        var items: [(String, String)] = [("Dashboard", "/dashboard")]
        if reach.administers { items.append(("Administration", "/admin")) }
        if reach.seesSessionBoard { items.append(("Sessions", "/sessions")) }
        if reach.isGP { items += [("Work available", "/work"), ("Availability", "/availability")] }
        items.append(("Bookings", "/bookings"))
        if reach.isGP || reach.managesPractices { items.append(("Invoices", "/invoices")) }
        if reach.isGP { items.append(("Pension Form B", "/form-b")) }
        if reach.worksInAnOrganisation { items.append(("Mailshots", "/mailshots")) }
        if reach.seesFeedback { items.append(("Feedback", "/feedback")) }
        if reach.isGP { items.append(("Feedback rounds", "/feedback-rounds")) }
        if reach.seesSupport { items.append(("Support", "/support")) }
        for supported in reach.supportedOrganisations {
            let id = supported.organisationId
            items.append(("Organisation", "/organisations/\(id)"))
            items.append(("Reports", "/reports/activity?organisationId=\(id)"))
            items.append(("Evidence and audits", "/organisations/\(id)/evidence"))
            if supported.isLiaisonOfficer { items.append(("Clearing run", "/clearing-runs?organisationId=\(id)")) }
        }
        for id in reach.practiceIds { items.append(("Practice", "/practices/\(id)")) }
        if let id = reach.ownGPId {
            items.append(("My register entry", "/gps/\(id)"))
            items.append(("Evidence", "/gps/\(id)/evidence"))
        }
        var seen = Set<String>()
        return items.filter { seen.insert($0.1).inserted }.map { NavItem(label: $0.0, href: $0.1, current: $0.1 == path) }
    }
}

/// A page that only says something (`Templates/message.mustache`), with a link onward if there is one.
struct MessagePage: Sendable {
    var page: PageChrome
    var heading: String
    var message: String
    var link: String?
    var linkText: String?
}

/// What a page says after a form post redirected to it. Only these fixed messages can be shown, so
/// a crafted link cannot put words in the service's mouth.
enum Notice: String {
    case added, itemAdded = "item-added", saved, checkRecorded = "check-recorded", approved, declined, preferenceSaved =
        "preference-saved"
    case packSaved = "pack-saved"
    case posted, applied, offered, withdrawn, booked, cancelled, completed
    case offerDeclined = "offer-declined"
    case arrangementRecorded = "arrangement-recorded"
    case arrangementConfirmed = "arrangement-confirmed"
    case arrangementDeclined = "arrangement-declined"
    case cardSubmitted = "card-submitted"
    case draftSaved = "draft-saved"
    case addendumAdded = "addendum-added"
    case concernRaised = "concern-raised"
    case sending
    case deleted, published, joined
    case admissionSent = "admission-sent"
    case offersSent = "offers-sent"
    case testCopySent = "test-copy-sent"
    case applicationWithdrawn = "application-withdrawn"
    case awayAdded = "away-added"
    case exceptionRemoved = "exception-removed"
    case renewalSent = "renewal-sent"
    case checkVerified = "check-verified"
    case invoiceCreated = "created"
    case invoiceSent = "invoice-sent"
    case invoiceDeleted = "invoice-deleted"
    case invoicePaid = "invoice-paid"
    case paymentReceived = "payment-received"
    case formASigned = "form-a-signed"
    case termsSaved = "terms-saved"
    case payDetailsSaved = "pay-details-saved"
    case roundRequested = "round-requested"
    case roundOpened = "round-opened"
    case roundClosed = "round-closed"
    case roundExtended = "round-extended"
    case reflectionSaved = "reflection-saved"
    case colleagueAdded = "colleague-added"

    var message: String {
        switch self {
        case .added: "Added to the register."
        case .itemAdded: "Added to the mailshot."
        case .saved: "Changes saved."
        case .checkRecorded: "Check recorded."
        case .approved: "Applicant approved: they have been emailed a link to choose a password."
        case .declined: "Applicant declined."
        case .preferenceSaved: "Preference saved."
        case .packSaved: "Practice pack saved."
        case .posted: "Session posted."
        case .applied: "You have applied. The practice has been told and will accept or decline."
        case .offered: "Offer sent. It stands for \(DurationText.words(AppDatabase.offerLifetime))."
        case .withdrawn: "Session withdrawn."
        case .booked: "Booked. Both sides have been emailed."
        case .cancelled: "Booking cancelled. The other side has been told."
        case .completed: "Booking marked completed."
        case .offerDeclined: "Offer declined."
        case .arrangementRecorded:
            "Arrangement recorded. The other side has been asked to confirm it; once they do, it counts towards the scheme's funding."
        case .arrangementConfirmed: "Arrangement confirmed: it is booked and counts towards the scheme's funding."
        case .arrangementDeclined: "Arrangement declined: nothing is booked or counted."
        case .cardSubmitted: "Feedback card submitted. Thank you. It is final now; you can still add a dated addendum."
        case .draftSaved: "Draft saved. Nobody else sees it until you submit the card."
        case .addendumAdded: "Addendum added."
        case .sending: "Sending has started. This page shows how far it has gone; reload it to follow."
        case .deleted: "Entry deleted."
        case .published: "Audit topic published. The organisation's GPs see it in their evidence log and can join."
        case .joined: "You have joined the audit. Log your contribution here and mark it complete when it is done."
        case .admissionSent: "Feedback sent. It is in the GP's evidence log for them to reflect on, and they have been emailed."
        case .offersSent:
            "Offers sent and emailed. Nothing is booked until each GP accepts (offers stand "
                + "\(DurationText.words(AppDatabase.offerLifetime))."
        case .concernRaised: "Concern raised. The GP mentor and the liaison officer have been told and will contact you."
        case .testCopySent: "A test copy has gone to your email address."
        case .applicationWithdrawn: "Application withdrawn. You can apply again while the session is open."
        case .awayAdded: "Time away added: you will not be offered sessions on those days."
        case .exceptionRemoved: "Exception removed."
        case .renewalSent:
            "Renewal sent. The liaison officer will look at the document and record the check; until then your "
                + "current check still counts."
        case .checkVerified: "Check verified and recorded, resting on the document that was sent."
        case .invoiceCreated: "Draft invoice made. Check it, then send it to the practice: it is dated when you send it."
        case .invoiceSent: "Invoice sent. The practice has been emailed a link to it."
        case .invoiceDeleted: "Draft deleted. Its sessions can go on another invoice."
        case .invoicePaid: "Marked paid. The GP has been emailed to look for the payment."
        case .paymentReceived: "Thank you: the payment is confirmed as received."
        case .formASigned: "Form A signed. The GP sends it to PCSE with their Form B."
        case .termsSaved: "Your terms are saved. Practices see them beside your applications before they accept you."
        case .payDetailsSaved: "Your pay details are saved. Invoices you send from now on carry them."
        case .roundRequested: "Round asked for. The support team opens it, with the date it closes."
        case .roundOpened:
            "Round opened. Each colleague asked has been emailed their own link; in a patient round, the practices "
                + "print slips for their patients."
        case .roundClosed: "Round closed. The GP has been emailed how many answered."
        case .roundExtended: "Round extended: it is open for answers again until its new closing date."
        case .reflectionSaved: "Reflection saved: it is in your appraisal portfolio beside the report."
        case .colleagueAdded: "Colleague added. They are emailed their own link while the round is open."
        }
    }

    /// The message named by `?done=`, saying the signed-in person's own address where it tells them
    /// where something went: the address comes from their sign-in, never from the link.
    static func from(_ request: Request, principal: Principal?) -> String? {
        guard let notice = request.uri.queryParameters.get("done").flatMap(Notice.init(rawValue:)) else { return nil }
        if notice == .testCopySent, let email = principal?.email { return "A test copy has gone to \(email)." }
        return notice.message
    }

    /// The message named by `?done=` on the request, if it names one.
    static func from(_ request: Request) -> String? {
        request.uri.queryParameters.get("done").flatMap(Notice.init(rawValue:))?.message
    }
}

/// A form field as the page shows it: the value typed (kept after an error) and its message.
struct FieldState: Sendable {
    var value: String
    var error: String?

    init(_ value: String = "", error: String? = nil) {
        self.value = value
        self.error = error
    }

    init(_ name: String, _ form: FormFields?, _ errors: ValidationErrors) {
        self.value = form?.text(name) ?? ""
        self.error = errors[name]
    }
}

/// Renders the mustache templates in `Templates/` into HTML responses.
struct PageRenderer: Sendable {
    struct MissingTemplates: Error, CustomStringConvertible {
        var directory: String
        var description: String {
            "No templates found in \(directory): the folder must hold layout.mustache and the page templates"
        }
    }

    let library: MustacheLibrary

    init(templatesDirectory: URL) async throws {
        let library = try await MustacheLibrary(directory: templatesDirectory.path)
        // The library answers empty, silently, for a missing folder: refuse to start instead.
        guard library.getTemplate(named: "layout") != nil else {
            throw MissingTemplates(directory: templatesDirectory.path)
        }
        self.library = library
    }

    func render(_ template: String, _ model: some Sendable, status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(model, withTemplate: template) else {
            return Response(
                status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "Template \(template) is missing")))
        }
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
