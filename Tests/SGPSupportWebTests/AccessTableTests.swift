import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Who may see what, route by route, for every route the router has: a table the router is checked
/// against, so a new route cannot go unconsidered. People: `a` anyone (signed out), `A` the
/// administrator, `L` DEMO1's liaison officer, `M` its mentor, `S` its educational supervisor, `P` the
/// manager of practice Z90001, `G` the demo GP (register entry 1), `g` a GP and `p` a practice manager
/// of another organisation. Every record named in a path exists, so a refusal is never a record that
/// is missing: they are DEMO1's practice Z90001, GP 1, a session of Z90001, a card about GP 1 (raised
/// as a concern, so the liaison officer sees it too), a shared evidence entry of GP 1, a support case
/// and report about GP 1, a mailshot with an item, a clearing run and a local audit topic of DEMO1,
/// an applicant, an application and an offer (to GP 1), a sharing agreement DEMO1 proposed, a renewal
/// GP 1 sent (a pending check with its document), and the tokens of a calendar feed, a feedback card's
/// link, a password-setup link and an unsubscribe link; GP 1's colleague round (open, the demo
/// practice manager among those asked, whose link the public questionnaire routes name) and patient
/// round (open, for the slips).
/// Lists are scoped, so a list anyone signed in may ask for answers each with their own rows (tested
/// in the modules' own tests).
///
/// Each answer is exact: whoever is let in is not refused (and no answer is a server error); whoever
/// is not is refused, signed out with 401 from the API and a 303 to the sign-in page from a page,
/// signed in with 403, because the record exists. 404 is only for a record that does not exist: each
/// route naming a record is asked, by someone who would be let in were it there, for one that is not.
@Suite struct AccessTableTests {
    /// GET routes: who is let in. Everyone else is refused exactly (see above), unless the route
    /// answers everyone alike (`answersEveryoneAlike`).
    static let reads: [String: String] = [
        "GET /": "aALMSPGgp",
        "GET /admin": "A",
        "GET /api/v1/arrangements/{id}": "ALMPG",
        "GET /api/v1/bookings": "ALMSPGgp",
        "GET /api/v1/clearing-runs": "AL",
        "GET /api/v1/clearing-runs/{id}": "AL",
        // A GP's documents: the GP, their liaison officer and an administrator; not the mentor.
        "GET /api/v1/documents/{id}": "ALG",
        "GET /api/v1/evidence/{id}": "MG",
        "GET /api/v1/feedback-cards": "ALMSPGgp",
        "GET /api/v1/feedback-cards/{id}": "LMPG",
        "GET /api/v1/feedback-concerns": "ALMSPGgp",
        "GET /api/v1/gps": "LMPp",
        "GET /api/v1/gps/{id}": "ALMPG",
        "GET /api/v1/gps/{id}/availability": "ALMG",
        "GET /api/v1/gps/{id}/calendar-url": "ALG",
        "GET /api/v1/gps/{id}/checks": "ALMG",
        "GET /api/v1/gps/{id}/clearance": "ALMPG",
        "GET /api/v1/gps/{id}/evidence": "MG",
        "GET /api/v1/gps/{id}/feedback-summary": "ALMG",
        "GET /api/v1/gps/{id}/personal-data": "ALG",
        "GET /api/v1/gps/{id}/portfolio": "MG",
        "GET /api/v1/mailshots/{id}": "ALM",
        "GET /api/v1/mailshots/{id}/preview": "ALM",
        "GET /api/v1/me": "ALMSPGgp",
        "GET /api/v1/openapi.json": "aALMSPGgp",
        "GET /api/v1/organisations": "ALMSPGgp",
        "GET /api/v1/organisations/{id}": "ALMSPG",
        "GET /api/v1/organisations/{id}/audit-topics": "ALMG",
        "GET /api/v1/organisations/{id}/check-types": "ALMSPG",
        "GET /api/v1/organisations/{id}/day-parts": "ALMSPG",
        "GET /api/v1/organisations/{id}/feedback-templates": "ALM",
        "GET /api/v1/organisations/{id}/skills": "ALMSPG",
        "GET /api/v1/practices": "LMSPGgp",
        "GET /api/v1/practices/{id}": "ALMP",
        "GET /api/v1/practices/{id}/calendar-url": "ALP",
        "GET /api/v1/practices/{id}/feedback-summary": "ALMP",
        "GET /api/v1/practices/{id}/pack": "ALMPG",  // the demo GP is booked there
        "GET /api/v1/practices/{id}/preferences": "ALMP",
        "GET /api/v1/reports/activity": "ALM",
        "GET /api/v1/sessions": "ALMPGgp",
        "GET /api/v1/sessions/{id}": "ALMPG",
        "GET /api/v1/sessions/{id}/candidates": "ALMP",
        "GET /api/v1/support-cases": "ALMSPGgp",
        "GET /api/v1/support-cases/{id}": "MG",
        "GET /api/v1/support-cases/{id}/metrics": "M",
        "GET /api/v1/support/annual-account": "ALM",
        "GET /applicants": "L",
        "GET /arrangements/{id}": "ALMPG",
        "GET /availability": "Gg",
        "GET /bookings": "ALMSPGgp",
        "GET /calendar/{token}": "aALMSPGgp",
        "GET /clearing-runs": "L",
        "GET /clearing-runs/{id}/send": "AL",
        "GET /clearing-runs/{id}": "AL",
        "GET /clearing-runs/{id}/sessions/{sessionId}": "AL",
        "GET /dashboard": "ALMSPGgp",
        "GET /documents/{id}": "ALG",
        "GET /evidence/{id}": "MG",
        "GET /feedback": "ALMSPGgp",
        "GET /feedback/cards/{id}": "LMPG",
        "GET /feedback/{token}": "aALMSPGgp",
        // A GP's feedback rounds: their own list; the GP's and their support team's list of them; a
        // round for those and the practices where the GP worked (to everyone else it does not exist:
        // `roundRoutes`); the questionnaire a link opens, for anyone holding it.
        "GET /feedback-rounds": "Gg",
        "GET /feedback-rounds/{id}": "ALPG",
        "GET /feedback-rounds/answer/{token}": "aALMSPGgp",
        "GET /gps/{id}/feedback-rounds": "ALG",
        "GET /api/v1/gps/{id}/feedback-rounds": "ALG",
        "GET /api/v1/feedback-rounds/{id}": "ALPG",
        "GET /api/v1/feedback-rounds/{id}/items": "ALPG",
        // A GP's own Form B, for the month asked (their own figures only).
        "GET /form-b": "Gg",
        "GET /form-b.csv": "Gg",
        "GET /gps": "LM",
        "GET /gps/new": "L",
        "GET /gps/{id}": "ALMG",
        "GET /gps/{id}/checks/new": "AL",
        "GET /gps/{id}/edit": "ALG",
        "GET /gps/{id}/evidence": "MG",
        "GET /gps/{id}/evidence/new": "G",
        "GET /gps/{id}/feedback": "LMG",
        "GET /gps/{id}/personal-data.json": "ALG",
        "GET /gps/{id}/portfolio/{year}": "MG",
        "GET /healthz": "aALMSPGgp",
        "GET /readyz": "aALMSPGgp",
        // A GP's invoices and a practice's (each their own); an invoice only for the GP who made it
        // and the practice invoiced (to everyone else it does not exist: `invoiceRoutes`).
        "GET /invoices": "PGgp",
        "GET /api/v1/invoices": "PGgp",
        "GET /api/v1/invoices/{id}": "PG",
        "GET /api/v1/invoices/{id}/form-a": "PG",
        "GET /api/v1/gps/{id}/form-b": "G",
        "GET /api/v1/gps/{id}/pay-details": "G",
        // Practices that could book the GP read their terms before accepting, as the support team does.
        "GET /api/v1/gps/{id}/terms": "ALMPG",
        // A GP's record of late cancellations: the GP and the support team.
        "GET /api/v1/late-cancellations": "ALMG",
        "GET /invoices/new": "Gg",
        "GET /invoices/{id}": "PG",
        "GET /invoices/{id}/form-a": "PG",
        "GET /invoices/{id}/form-a.csv": "PG",
        "GET /join": "aALMSPGgp",
        "GET /mailshot-items/{id}/edit": "AL",
        "GET /mailshot-subscription": "Gg",
        "GET /mailshots": "LMSPGgp",
        "GET /mailshots/{id}": "ALM",
        "GET /mailshots/{id}/send": "AL",
        "GET /mailshots/{id}/preview": "ALM",
        "GET /mailshots/{id}/preview.html": "ALM",
        "GET /organisations/{id}": "ALM",
        "GET /organisations/{id}/evidence": "ALM",
        "GET /organisations/{id}/feedback-templates": "AL",
        "GET /password-reset": "aALMSPGgp",
        "GET /practices": "LM",
        "GET /practices/{id}": "ALMP",
        "GET /practices/{id}/admission-feedback": "P",
        "GET /practices/{id}/feedback": "LMP",
        "GET /practices/{id}/pack": "ALP",
        "GET /register/checks.csv": "L",
        "GET /register/gps.csv": "LM",
        "GET /register/import": "L",
        "GET /register/mailing-list.csv": "L",
        "GET /register/practices.csv": "LM",
        "GET /reports/activity": "ALM",
        "GET /reports/annual": "ALM",
        "GET /sessions": "ALMPGgp",
        "GET /sessions/new": "LPp",
        "GET /sessions/{id}": "ALMPG",
        "GET /set-password": "aALMSPGgp",
        "GET /sign-in": "aALMSPGgp",
        "GET /sign-in/code": "",
        "GET /support": "ALMSPGgp",
        "GET /support/annual-account": "ALM",
        "GET /support/cases/{id}": "MG",
        "GET /support/cases/{id}/reports/{version}": "MG",
        "GET /terms": "Gg",
        "GET /unsubscribe/{token}": "aALMSPGgp",
        "GET /work": "Gg",
    ]

    /// Routes that change things: who may. Each is sent, with an empty body, as every signed-in
    /// person the table does not list, and must be refused with 403 before anything is read (what
    /// was sent is judged only for someone who may send it).
    static let writes: [String: String] = [
        "POST /sign-out": "ALMSPGgp",
        "POST /audit-topics/{id}/join": "G",
        "POST /api/v1/audit-topics/{id}/join": "G",
        "POST /feedback/concerns/{id}/support-case": "M",
        "POST /feedback/concerns/{id}": "M",
        "POST /api/v1/feedback-concerns/{id}/support-case": "M",
        "PATCH /api/v1/feedback-concerns/{id}": "M",
        "POST /support/cases/{id}/reports": "M",
        "POST /support/cases/{id}/meetings": "M",
        "POST /feedback/cards/{id}/concern": "P",
        "POST /feedback/cards/{id}/appraisal": "G",
        "POST /feedback/cards/{id}/addendum": "P",
        "POST /bookings/{id}/cancel": "ALPG",
        "POST /api/v1/support-cases/{id}/reports": "M",
        "POST /api/v1/support-cases/{id}/meetings": "M",
        "POST /api/v1/feedback-cards/{id}/appraisal": "G",
        "POST /api/v1/feedback-cards/{id}/addenda": "P",
        "POST /api/v1/feedback-cards/{id}/concern": "P",
        "POST /api/v1/gps/{id}/decline": "AL",
        "POST /api/v1/bookings/{id}/cancel": "ALPG",
        "DELETE /api/v1/session": "ALMSPGgp",
        "POST /api/v1/organisations/{id}/skills": "AL",
        "PUT /api/v1/organisations/{id}/day-parts": "AL",
        "PUT /api/v1/organisations/{id}/feedback-templates/{direction}": "AL",
        "POST /api/v1/organisations/{id}/audit-topics": "ALM",
        "POST /api/v1/practices": "AL",
        "PATCH /api/v1/practices/{id}": "ALP",
        "PUT /api/v1/practices/{id}/pack": "ALP",
        "DELETE /api/v1/practices/{id}/preferences/{gpId}": "ALP",
        "POST /api/v1/practices/{id}/calendar-url": "ALP",
        "POST /api/v1/practices/{id}/admission-feedback": "P",
        "POST /api/v1/sessions/{id}/withdraw": "ALP",
        "POST /api/v1/sessions/{id}/applications": "Gg",
        "POST /api/v1/bookings/{id}/complete": "ALPG",
        "POST /api/v1/gps": "AL",
        "PATCH /api/v1/gps/{id}": "ALG",
        "PUT /api/v1/gps/{id}/availability": "ALG",
        "POST /api/v1/gps/{id}/calendar-url": "ALG",
        "POST /api/v1/gps/{id}/checks": "AL",
        "POST /api/v1/gps/{id}/approve": "AL",
        "POST /api/v1/gps/{id}/evidence": "G",
        "POST /api/v1/feedback-cards/{id}/draft": "P",
        "POST /api/v1/feedback-cards/{id}/submit": "P",
        "DELETE /api/v1/evidence/{id}": "G",
        "PATCH /api/v1/evidence/{id}": "G",
        "PATCH /api/v1/support-cases/{id}": "M",
        "POST /api/v1/clearing-runs/{id}/remove": "AL",
        "POST /api/v1/clearing-runs/{id}/swap": "AL",
        "POST /api/v1/clearing-runs/{id}/send": "AL",
        "POST /api/v1/mailshots": "AL",
        "POST /api/v1/mailshots/{id}/items": "AL",
        "POST /api/v1/mailshots/{id}/send": "AL",
        "POST /organisations/{id}/check-types": "AL",
        "POST /organisations/{id}/skills": "AL",
        "POST /organisations/{id}/feedback-templates": "AL",
        "POST /organisations/{id}/audit-topics": "ALM",
        "POST /organisations/{id}/cpd-target": "AL",
        "POST /gps/new": "L",
        "POST /gps/{id}/edit": "ALG",
        "POST /gps/{id}/checks/new": "AL",
        "POST /gps/{id}/checks/{checkId}/verify": "AL",
        // A renewal is the GP's own to send.
        "POST /gps/{id}/documents": "G",
        "POST /api/v1/gps/{id}/documents": "G",
        "POST /applicants/{id}/approve": "AL",
        "POST /applicants/{id}/decline": "AL",
        "POST /arrangements/{id}/confirm": "G",
        "POST /arrangements/{id}/decline": "G",
        "POST /api/v1/arrangements/{id}/confirm": "G",
        "POST /api/v1/arrangements/{id}/decline": "G",
        "POST /sessions/new": "LPp",
        "POST /sessions/{id}/apply": "Gg",
        "POST /sessions/{id}/withdraw": "ALP",
        "POST /bookings/{id}/complete": "ALPG",
        "POST /bookings/calendar-address": "PGgp",
        "POST /availability": "Gg",
        "POST /availability/exceptions": "Gg",
        "POST /availability/exceptions/remove": "Gg",
        "POST /practices/{id}/pack": "ALP",
        "POST /practices/{id}/admission-feedback": "P",
        "POST /register/import": "L",
        "POST /feedback/cards/{id}": "P",
        "POST /evidence/{id}": "G",
        "POST /evidence/{id}/delete": "G",
        "POST /clearing-runs/{id}/remove": "AL",
        "POST /clearing-runs/{id}/swap": "AL",
        "POST /clearing-runs/{id}/send": "AL",
        "POST /support/cases/{id}": "M",
        "POST /support/cases/{id}/plan": "M",
        "POST /mailshots/{id}/items": "AL",
        "POST /mailshots/{id}/settings": "AL",
        "POST /mailshots/{id}/send": "AL",
        "POST /mailshot-items/{id}/move": "AL",
        "POST /mailshot-items/{id}/remove": "AL",
        "POST /mailshot-items/{id}/edit": "AL",
        // The same right as sending: the test copy goes to whoever may send, at their own address.
        "POST /mailshots/{id}/test-copy": "AL",
        "POST /mailshot-subscription": "Gg",
        "PATCH /api/v1/organisations/{id}/check-types/{code}": "AL",
        "PATCH /api/v1/organisations/{id}/settings": "AL",
        "PUT /api/v1/practices/{id}/preferences/{gpId}": "ALP",
        "POST /api/v1/sessions/{id}/offers": "ALP",
        "POST /gps/{id}/evidence": "G",
        "POST /sessions/{id}/offer": "ALP",
        "POST /practices/{id}/preferences": "ALP",
        "POST /api/v1/applications/{id}/accept": "ALP",
        "POST /applications/{id}/accept": "ALP",
        "POST /applications/{id}/withdraw": "G",
        "POST /api/v1/offers/{id}/accept": "G",
        "POST /api/v1/offers/{id}/decline": "G",
        "POST /offers/{id}/accept": "G",
        "POST /offers/{id}/decline": "G",
        // Only the partner organisation's liaison officer accepts, and no one here is that.
        "POST /api/v1/sharing-agreements/{id}/accept": "",
        "POST /api/v1/sharing-agreements/{id}/end": "L",
        // Invoices: the GP makes, sends, deletes a draft of and confirms receiving theirs; the practice
        // marks it paid, and a locum approver there signs its Form A.
        "POST /invoices": "Gg",
        "POST /invoices/{id}/send": "G",
        "POST /invoices/{id}/discard": "G",
        "POST /invoices/{id}/paid": "P",
        "POST /invoices/{id}/received": "G",
        "POST /invoices/{id}/form-a/approve": "P",
        "POST /api/v1/invoices": "Gg",
        "POST /api/v1/invoices/{id}/send": "G",
        "POST /api/v1/invoices/{id}/discard": "G",
        "POST /api/v1/invoices/{id}/paid": "P",
        "POST /api/v1/invoices/{id}/received": "G",
        "POST /api/v1/invoices/{id}/form-a/approve": "P",
        "PUT /api/v1/gps/{id}/terms": "G",
        "PUT /api/v1/gps/{id}/pay-details": "G",
        // The practice (or its liaison officer) reports that the booked GP did not come.
        "POST /api/v1/bookings/{id}/no-show": "ALP",
        "POST /terms": "Gg",
        "POST /pay-details": "Gg",
        // Feedback rounds: the GP asks for one and extends one that closed short; the support team
        // opens and closes it; the GP and a practice where they worked add colleagues; the practice
        // prints patient slips.
        "POST /feedback-rounds": "Gg",
        "POST /feedback-rounds/{id}/open": "AL",
        "POST /feedback-rounds/{id}/close": "AL",
        "POST /feedback-rounds/{id}/extend": "G",
        "POST /feedback-rounds/{id}/colleagues": "PG",
        "POST /feedback-rounds/{id}/patient-slips": "P",
        "POST /feedback-rounds/{id}/reflection": "G",
        "POST /api/v1/gps/{id}/feedback-rounds": "G",
        "POST /api/v1/feedback-rounds/{id}/open": "AL",
        "POST /api/v1/feedback-rounds/{id}/close": "AL",
        "POST /api/v1/feedback-rounds/{id}/extend": "G",
        "POST /api/v1/feedback-rounds/{id}/colleagues": "PG",
        "POST /api/v1/feedback-rounds/{id}/patient-slips": "P",
        "POST /api/v1/feedback-rounds/{id}/reflection": "G",
    ]

    /// Routes about one invoice, which only the GP who made it and the practice invoiced ever see: to
    /// anyone else signed in it does not exist (404, not 403, so nobody learns which invoices there
    /// are). With each, who sees the invoice but may not do this, and is refused with 403.
    static let invoiceRoutes: [String: String] = [
        "GET /invoices/{id}": "", "GET /invoices/{id}/form-a": "", "GET /invoices/{id}/form-a.csv": "",
        "POST /invoices/{id}/send": "", "POST /invoices/{id}/discard": "", "POST /invoices/{id}/paid": "G",
        "POST /invoices/{id}/received": "P", "POST /invoices/{id}/form-a/approve": "G",
        "GET /api/v1/invoices/{id}": "", "GET /api/v1/invoices/{id}/form-a": "",
        "POST /api/v1/invoices/{id}/send": "", "POST /api/v1/invoices/{id}/discard": "",
        "POST /api/v1/invoices/{id}/paid": "G", "POST /api/v1/invoices/{id}/received": "P",
        "POST /api/v1/invoices/{id}/form-a/approve": "G",
    ]

    /// Routes about one feedback round, which only the GP, their support team and the practices where
    /// the GP worked see: to anyone else signed in it does not exist (404). With each, who sees the
    /// round but may not do this, and is refused with 403.
    static let roundRoutes: [String: String] = [
        "GET /feedback-rounds/{id}": "", "POST /feedback-rounds/{id}/open": "PG", "POST /feedback-rounds/{id}/close": "PG",
        "POST /feedback-rounds/{id}/extend": "ALP", "POST /feedback-rounds/{id}/colleagues": "AL",
        "POST /feedback-rounds/{id}/patient-slips": "ALG",
        "POST /feedback-rounds/{id}/reflection": "ALP",
        "GET /api/v1/feedback-rounds/{id}": "", "GET /api/v1/feedback-rounds/{id}/items": "",
        "POST /api/v1/feedback-rounds/{id}/open": "PG", "POST /api/v1/feedback-rounds/{id}/close": "PG",
        "POST /api/v1/feedback-rounds/{id}/extend": "ALP", "POST /api/v1/feedback-rounds/{id}/colleagues": "AL",
        "POST /api/v1/feedback-rounds/{id}/patient-slips": "ALG", "POST /api/v1/feedback-rounds/{id}/reflection": "ALP",
    ]

    /// Writes this table cannot settle with an empty body: the body, not the path, names what they
    /// act on, so an empty one names no record to be refused about (their access is tested in their
    /// module's own tests). They are still sent signed out, and must ask for a sign-in first.
    static let notSettledByAnEmptyBody: Set<String> = [
        "POST /api/v1/sessions", "POST /api/v1/arrangements", "POST /api/v1/sharing-agreements",
        "POST /api/v1/support-cases", "POST /api/v1/pastoral-contacts", "POST /api/v1/clearing-runs",
        "POST /arrangements", "POST /clearing-runs", "POST /support/cases", "POST /support/pastoral-contacts",
        "POST /mailshots",
    ]

    /// Lists and forms for one organisation that an administrator, who belongs to none, must name:
    /// asked without one, they are told to name it (422), not refused.
    static let administratorNamesTheOrganisation: Set<String> = [
        "GET /api/v1/gps", "GET /api/v1/practices", "GET /applicants", "GET /gps", "GET /gps/new", "GET /practices",
        "GET /register/checks.csv",
        "GET /register/gps.csv", "GET /register/import", "GET /register/mailing-list.csv", "GET /register/practices.csv",
        "GET /clearing-runs", "GET /mailshots", "POST /gps/new", "POST /register/import",
    ]

    /// What a link that does not exist answers where it is not 404: a feedback card's link that was
    /// never sent looks like one that has expired (410), so neither says which links exist.
    static let missingAnswers: [String: HTTPResponse.Status] = ["GET /feedback/{token}": .gone]

    /// Routes that answer everyone alike, signed in or not, with this status (and, for a redirect,
    /// where to): the code step of a sign-in, with no sign-in half done, goes back to the first step.
    static let answersEveryoneAlike: [String: (status: HTTPResponse.Status, location: String?)] = [
        "GET /sign-in/code": (.seeOther, "/sign-in")
    ]

    /// Routes that change things and need no sign-in: everything else must refuse a signed-out
    /// caller before it does anything (who of the signed-in may write is tested module by module).
    static let publicWrites: Set<String> = [
        "POST /sign-in", "POST /sign-in/code", "POST /join", "POST /set-password", "POST /feedback/{token}",
        "POST /feedback-rounds/answer/{token}", "POST /unsubscribe/{token}", "POST /api/v1/session", "POST /password-reset",
        "POST /api/v1/password-reset", "POST /api/v1/feedback-answers/{token}",
    ]

    static let people: [(code: Character, email: String?)] = [
        ("a", nil), ("A", "admin@demo.test"), ("L", "liaison@demo.test"), ("M", "mentor@demo.test"),
        ("S", "supervisor@demo.test"), ("P", "practice@demo.test"), ("G", "gp@demo.test"), ("g", "gp@other.test"),
        ("p", "practice@other.test"),
    ]

    struct Records {
        var ids: [String: Int] = [:]
        /// The secrets of public addresses: `calendar`, `feedback`, `round`, `setPassword`, `unsubscribe`.
        var tokens: [String: String] = [:]
    }

    /// The other organisation, its practice and GP with sign-ins, and the DEMO1 records paths name.
    static func prepare(_ environment: TestEnvironment, _ browser: Browser) async throws -> Records {
        let database = environment.database
        let mailbox = environment.mailbox
        let other = try await database.createOrganisation(OrganisationInput(code: "OTH", name: "Other ICB"), by: .commandLine)
        var practice = PracticeInput()
        practice.odsCode = "Y77001"
        practice.name = "Other Surgery"
        practice.locality = "Elsewhere"
        _ = try await database.createPractice(organisationId: other.id!, practice, by: .commandLine)
        var gp = GPInput()
        gp.name = "Dr Other"
        gp.gmcNumber = "7777777"
        gp.localities = ["Elsewhere"]
        _ = try await database.createGP(organisationId: other.id!, gp, by: .commandLine)
        _ = try await database.createUser(
            NewUserInput(email: "gp@other.test", password: demoPassword, role: .gp, scopeReference: "7777777"),
            by: .commandLine)
        _ = try await database.createUser(
            NewUserInput(email: "practice@other.test", password: demoPassword, role: .practiceManager, scopeReference: "Y77001"),
            by: .commandLine)

        var records = Records()
        let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
        let week = IsoWeek(containing: Day(Date()).adding(days: 7)).description
        let mailshot = try await liaison.send(
            "/api/v1/mailshots", method: .post, json: #"{"organisationId": 1, "week": "\#(week)"}"#)
        records.ids["mailshot"] = try #require(mailshot.json["id"] as? Int)
        let item = try await liaison.send(
            "/api/v1/mailshots/\(records.ids["mailshot"]!)/items", method: .post,
            json: #"{"kind": "news", "title": "Study day", "body": "At the Ashby Vale hub"}"#)
        // The answer is the mailshot with its items: the item is its first.
        records.ids["mailshotItem"] = try #require((item.json["items"] as? [[String: Any]])?.first?["id"] as? Int)
        let run = try await liaison.send(
            "/api/v1/clearing-runs", method: .post, json: #"{"organisationId": 1, "week": "\#(week)"}"#)
        records.ids["clearingRun"] = try #require(run.json["id"] as? Int)
        let mentor = try await APIClient.signedIn(browser.client, "mentor@demo.test")
        records.ids["supportCase"] = try await SupportWebTests.openCase(mentor)
        _ = try await mentor.send(
            "/api/v1/support-cases/\(records.ids["supportCase"]!)/reports", method: .post,
            json: #"{"referringBody": "NHS England", "body": "Engaging well"}"#)
        // The rest from the API, as their own people see them.
        func items(_ client: APIClient, _ path: String) async throws -> [[String: Any]] {
            try await client.send(path).json["items"] as? [[String: Any]] ?? []
        }
        func id(_ item: [String: Any]?) -> Int? { item?["id"] as? Int }
        let gpClient = try await APIClient.signedIn(browser.client, "gp@demo.test")
        let booking = try await items(gpClient, "/api/v1/bookings?perPage=100").first { ($0["practiceId"] as? Int) == 1 }
        records.ids["session"] = booking?["sessionId"] as? Int
        records.ids["booking"] = id(booking)
        records.ids["openSession"] = id(
            try await items(liaison, "/api/v1/sessions?practiceId=1&status=open&perPage=100").first)
        records.ids["card"] = id(
            try await items(gpClient, "/api/v1/feedback-cards?about=gp:1&perPage=100").first {
                ($0["direction"] as? String) == "practice-about-gp" && ($0["practiceId"] as? Int) == 1
            })
        records.ids["evidence"] = id(
            try await items(gpClient, "/api/v1/gps/1/evidence?perPage=100").first { ($0["sharedWithMentor"] as? Bool) == true })
        for (name, value) in records.ids {
            #expect(value > 0, "the demo has a \(name) to name in paths")
        }
        let practiceClient = try await APIClient.signedIn(browser.client, "practice@demo.test")
        let concern = try await practiceClient.send(
            "/api/v1/feedback-cards/\(records.ids["card"] ?? 0)/concern", method: .post,
            json: #"{"severity": "minor", "details": "Left before the handover"}"#)
        records.ids["concern"] = concern.json["id"] as? Int
        let topic = try await liaison.send(
            "/api/v1/organisations/1/audit-topics", method: .post,
            json: #"{"title": "Antibiotic prescribing", "criteria": "Follows the local formulary"}"#)
        records.ids["topic"] = topic.json["id"] as? Int
        for name in ["session", "booking", "openSession", "card", "evidence", "concern", "topic"] {
            #expect(records.ids[name] != nil, "the demo has a \(name) to name in paths")
        }
        try await Self.prepareWhatTheDemoLacks(
            &records, browser: browser, mailbox: mailbox, otherOrganisationId: try #require(other.id),
            liaison: liaison, gp: gpClient, practice: practiceClient)
        try await Self.prepareAnInvoice(&records, database: database)
        try await Self.prepareFeedbackRounds(&records, database: database)
        return records
    }

    /// GP 1's invoice to Z90001 for a session she worked there, sent (a draft only she would see),
    /// after the pay details sending needs. Made last, so it changes none of the records above.
    static func prepareAnInvoice(_ records: inout Records, database: AppDatabase) async throws {
        let gp = try await database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web).principal
        _ = try await database.setPayDetails(gpId: 1, InvoicePagesTests.payDetails, by: gp)
        let worked = try await database.invoiceableBookings(by: gp)
        let item = try #require(worked.first { $0.practice.odsCode == "Z90001" }, "GP 1 worked a session at Z90001")
        let draft = try await database.createInvoice(
            InvoiceInput(practiceId: item.practice.id, bookingIds: [try #require(item.booking.id)]), by: gp)
        let sent = try await database.sendInvoice(
            id: try #require(draft.invoice.id), by: gp, links: Links(baseURL: "http://127.0.0.1:8080"))
        records.ids["invoice"] = Int(try #require(sent.value.invoice.id))
    }

    /// GP 1's colleague round, asked for by the GP and opened by the liaison officer (so the demo
    /// practice manager, of a practice where GP 1 worked, is emailed a link: the token the public
    /// questionnaire routes name), and a patient round, opened, for the slips route (slips are for an
    /// open patient round only). Made last, with the invoice, so they change none of the records above.
    static func prepareFeedbackRounds(_ records: inout Records, database: AppDatabase) async throws {
        let gp = try await database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web).principal
        let liaison = try await database.signIn(
            email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web
        ).principal
        let links = Links(baseURL: "http://127.0.0.1:8080")
        let closesOn = database.clock.today.adding(days: 28).description
        let colleague = try await database.requestFeedbackRound(gpId: 1, kind: "colleague", by: gp)
        let colleagueId = try #require(colleague.round.id)
        let opened = try await database.openFeedbackRound(id: colleagueId, closesOn: closesOn, by: liaison, links: links)
        let invitation = try #require(
            opened.notifications.first { $0.to == "practice@demo.test" }, "the demo practice manager is asked")
        records.ids["round"] = Int(colleagueId)
        records.tokens["round"] = try Self.token(after: "/feedback-rounds/answer/", in: invitation.text)
        let patient = try await database.requestFeedbackRound(gpId: 1, kind: "patient", by: gp)
        let patientId = try #require(patient.round.id)
        _ = try await database.openFeedbackRound(id: patientId, closesOn: closesOn, by: liaison, links: links)
        records.ids["patientRound"] = Int(patientId)
    }

    /// Records the demo does not have, made after the others are chosen (so they change none of
    /// them): an application and an offer to GP 1 for a session Z90001 posts, a sharing agreement
    /// DEMO1 proposes to the other organisation, an applicant, GP 1's renewal of their indemnity with
    /// its document (pending, so their page shows it beside the form that verifies it), and the
    /// tokens of public addresses.
    static func prepareWhatTheDemoLacks(
        _ records: inout Records, browser: Browser, mailbox: RecordingMailTransport, otherOrganisationId: Int64,
        liaison: APIClient, gp: APIClient, practice: APIClient
    ) async throws {
        let posted = try await practice.send(
            "/api/v1/sessions", method: .post,
            json: #"{"date": "\#(ReliabilityWebTests.nextWednesday)", "start": "13:30", "end": "17:00", "rate": 90}"#)
        let postedId = try #require(posted.json["id"] as? Int, "Z90001 posts a session: \(posted.status)")
        let applied = try await gp.send("/api/v1/sessions/\(postedId)/applications", method: .post)
        records.ids["application"] = try #require(applied.json["id"] as? Int, "GP 1 applies: \(applied.status)")
        let offered = try await practice.send(
            "/api/v1/sessions/\(postedId)/offers", method: .post, json: #"{"gpId": 1}"#)
        records.ids["offer"] = try #require(offered.json["id"] as? Int, "Z90001 offers it to GP 1: \(offered.status)")
        let proposed = try await liaison.send(
            "/api/v1/sharing-agreements", method: .post, json: #"{"partnerOrganisationId": \#(otherOrganisationId)}"#)
        records.ids["agreement"] = try #require(proposed.json["id"] as? Int, "DEMO1 proposes sharing: \(proposed.status)")

        // Two applicants: one stays one, for the paths; approving the other sends a password-setup link.
        let listed = try await liaison.send("/api/v1/gps?status=applicant&perPage=100")
        let applicants = listed.json["items"] as? [[String: Any]] ?? []
        let withEmail = applicants.filter { $0["email"] is String }
        try #require(withEmail.count >= 2, "the demo has applicants")
        records.ids["applicant"] = try #require(withEmail[1]["id"] as? Int)
        let approvedId = try #require(withEmail[0]["id"] as? Int)
        let approvedEmail = try #require(withEmail[0]["email"] as? String)
        let approved = try await liaison.send("/api/v1/gps/\(approvedId)/approve", method: .post)
        #expect(approved.status == .ok, "an applicant is approved")
        let invite = try #require(mailbox.sent.last { $0.to == approvedEmail })
        records.tokens["setPassword"] = try Self.token(after: "token=", in: invite.text)

        // GP 1's calendar feed.
        let calendar = try await gp.send("/api/v1/gps/1/calendar-url")
        let feedURL = try #require(calendar.json["url"] as? String, "GP 1's calendar address: \(calendar.status)")
        records.tokens["calendar"] = try #require(URL(string: feedURL)?.lastPathComponent)

        // A card's link, sent when the practice reports a past arrangement with GP 1.
        try await FeedbackWebTests.reportArrangement(browser.client)
        records.tokens["feedback"] = try FeedbackWebTests.token(in: mailbox, to: "z90001@practice.demo.test")

        // An unsubscribe link: another week's mailshot, sent (the one in the paths stays a draft).
        let laterWeek = IsoWeek(containing: Day(Date()).adding(days: 14)).description
        let mailshot = try await liaison.send(
            "/api/v1/mailshots", method: .post, json: #"{"organisationId": 1, "week": "\#(laterWeek)"}"#)
        let mailshotId = try #require(mailshot.json["id"] as? Int)
        #expect(try await liaison.send("/api/v1/mailshots/\(mailshotId)/send", method: .post).status == .accepted)
        _ = try await MailshotWebTests.waitUntilSent(liaison, mailshotId)
        let delivery = try #require(mailbox.sent.first { $0.to == "gp@demo.test" && $0.headers["List-Unsubscribe"] != nil })
        let unsubscribe = try #require(delivery.headers["List-Unsubscribe"])
        records.tokens["unsubscribe"] = try #require(URL(string: String(unsubscribe.dropFirst().dropLast()))?.lastPathComponent)

        // GP 1 sends their renewed indemnity certificate: the document the document routes name.
        let renewal = try await browser.client.executeRequest(
            uri: "/api/v1/gps/1/documents?type=indemnity&expiresOn=\(Day(Date()).adding(days: 400))&filename=Indemnity.pdf",
            method: .post, headers: [.authorization: "Bearer \(gp.token ?? "")", .contentType: "application/pdf"],
            body: ByteBuffer(bytes: DocumentsWebTests.pdf))
        records.ids["document"] = try #require(renewal.json["documentId"] as? Int, "GP 1 sends a renewal: \(renewal.status)")
        records.ids["pendingCheck"] = try #require(renewal.json["id"] as? Int)

        for (name, value) in records.tokens {
            #expect(!value.isEmpty, "a \(name) token to name in paths")
        }
    }

    /// The 43-character token that follows a marker in a message.
    static func token(after marker: String, in text: String) throws -> String {
        let range = try #require(text.range(of: marker + "[A-Za-z0-9_-]{43}", options: .regularExpression))
        return String(text[range].dropFirst(marker.count))
    }

    /// A route's pattern with its parameters filled from the records; with `missing`, that
    /// parameter names a record that does not exist instead.
    static func concrete(_ pattern: String, _ records: Records, missing: String? = nil) -> String {
        var previous = ""
        return "/"
            + pattern.split(separator: "/").map { segment -> String in
                defer { previous = String(segment) }
                guard segment.hasPrefix(":") || segment.hasPrefix("{") else { return String(segment) }
                let name = segment.trimmingCharacters(in: CharacterSet(charactersIn: ":{}"))
                if name == missing { return name == "token" ? "no-such-token" : "999999" }
                func id(_ record: String) -> String { String(records.ids[record] ?? 0) }
                func token(_ record: String) -> String { records.tokens[record] ?? "" }
                switch (previous, name) {
                case ("sessions", "id"): return id("session")
                case ("bookings", "id"): return id("booking")
                case (_, "sessionId"): return id("openSession")
                case ("cards", _), ("feedback-cards", _): return id("card")
                case ("evidence", _): return id("evidence")
                case ("mailshots", _): return id("mailshot")
                case ("clearing-runs", _): return id("clearingRun")
                case ("cases", _), ("support-cases", _): return id("supportCase")
                case ("reports", "version"): return "1"
                case ("portfolio", "year"): return "2026"
                case (_, "direction"): return "practice-about-gp"
                case ("check-types", "code"): return "dbs"
                case ("mailshot-items", _): return id("mailshotItem")
                case ("feedback-concerns", _), ("concerns", _): return id("concern")
                case ("audit-topics", _): return id("topic")
                case ("applicants", _): return id("applicant")
                case ("gps", "id") where pattern.hasSuffix("/approve") || pattern.hasSuffix("/decline"): return id("applicant")
                case ("applications", _): return id("application")
                case ("documents", _): return id("document")
                case ("checks", "checkId"): return id("pendingCheck")
                case ("offers", _): return id("offer")
                case ("sharing-agreements", _): return id("agreement")
                case ("invoices", _): return id("invoice")
                case ("feedback-rounds", "id") where pattern.hasSuffix("/patient-slips"): return id("patientRound")
                case ("feedback-rounds", _): return id("round")
                case ("answer", "token"): return token("round")
                case ("calendar", "token"): return token("calendar")
                case ("feedback", "token"): return token("feedback")
                case ("unsubscribe", "token"): return token("unsubscribe")
                default: return "1"
                }
            }.joined(separator: "/")
    }

    /// The parameters of a route's pattern that name a record (not a year, a direction or a code).
    static func recordParameters(_ pattern: String) -> [String] {
        pattern.split(separator: "/").filter { $0.hasPrefix(":") || $0.hasPrefix("{") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ":{}")) }
            .filter { ["id", "sessionId", "gpId", "version", "token"].contains($0) }
    }

    /// The query a route is asked with: the organisation for lists of one, the token of a link.
    static func query(_ key: String, _ records: Records, missing: Bool = false) -> String {
        if organisationQueried.contains(key) { return "?organisationId=1" }
        if key == "GET /api/v1/gps/{id}/form-b" { return "?month=2026-11" }
        if key == "GET /api/v1/late-cancellations" { return "?gpId=1" }
        if key == "GET /set-password" { return "?token=" + (missing ? "no-such-token" : records.tokens["setPassword"] ?? "") }
        return ""
    }

    /// Lists that answer for one organisation, named in the query.
    static let organisationQueried: Set<String> = [
        "GET /api/v1/clearing-runs", "GET /api/v1/reports/activity", "GET /reports/activity", "GET /reports/annual",
        "GET /api/v1/support/annual-account", "GET /support/annual-account",
    ]

    /// What every answer must carry and must not show, whoever asks: the security headers, cookies
    /// out of scripts' reach, and no stack trace or SQL.
    static func hardeningProblem(_ response: TestResponse) -> String? {
        guard let policy = response.headers[.contentSecurityPolicy], policy.contains("frame-ancestors"),
            let scripts = policy.split(separator: ";").first(where: { $0.contains("script-src") || $0.contains("default-src") }),
            !scripts.contains("unsafe-inline")
        else { return "no strict Content-Security-Policy" }
        guard response.headers[.xContentTypeOptions] == "nosniff" else { return "no X-Content-Type-Options" }
        guard response.headers[.referrerPolicy] != nil else { return "no Referrer-Policy" }
        for cookie in response.headers[values: .setCookie] where !(cookie.contains("HttpOnly") && cookie.contains("SameSite")) {
            return "a cookie without HttpOnly and SameSite: \(cookie)"
        }
        let body = response.text
        for leak in ["SQLite error", "GRDB", ".swift:", "DecodingError", "Fatal error", "SELECT "] where body.contains(leak) {
            return "the body shows \(leak)"
        }
        return nil
    }

    /// Refused in any way: what the table's "let in" is measured against.
    static func refused(_ response: TestResponse, _ key: String, _ code: Character) -> Bool {
        if [.unauthorized, .forbidden, .notFound].contains(response.status) { return true }
        if code == "A", administratorNamesTheOrganisation.contains(key) { return response.status == .unprocessableContent }
        return response.status == .seeOther && (response.headers[.location] ?? "").hasPrefix("/sign-in")
    }

    typealias Answer = (status: HTTPResponse.Status, location: String?)

    /// The one answer that refuses this person this route: signed out, a sign-in (401 from the API,
    /// a 303 to the sign-in page from a page); signed in, 403, the record being there.
    static func refusal(_ key: String, _ code: Character, path: String) -> Answer {
        if let alike = answersEveryoneAlike[key] { return alike }
        if code != "a", let seeing = invoiceRoutes[key] ?? roundRoutes[key] {
            return (status: seeing.contains(code) ? .forbidden : .notFound, location: nil)
        }
        if code == "A", administratorNamesTheOrganisation.contains(key) { return (status: .unprocessableContent, location: nil) }
        guard code == "a" else { return (status: .forbidden, location: nil) }
        if ErrorMiddleware.isAPI(path) { return (status: .unauthorized, location: nil) }
        return (status: .seeOther, location: "/sign-in")
    }

    /// Nil when the response is the expected answer; otherwise what it was, beside what was expected.
    static func mismatch(_ response: TestResponse, _ expected: Answer) -> String? {
        let location = response.headers[.location]
        let sameLocation = expected.location.map { location?.hasPrefix($0) == true } ?? true
        if response.status == expected.status, sameLocation { return nil }
        return "\(response.status.code)" + (location.map { " to \($0)" } ?? "") + " where the table expects "
            + "\(expected.status.code)" + (expected.location.map { " to \($0)" } ?? "")
    }

    /// Who asks for a record that does not exist: anyone, for a public address; otherwise the
    /// administrator, the liaison officer or the mentor when the route lets one in (their access
    /// does not hang on owning the record); with `ownersToo`, failing those, whoever it lets in.
    static func askerForMissing(_ letIn: String, ownersToo: Bool) -> Character? {
        if letIn.contains("a") { return "a" }
        if let team = "ALM".first(where: { letIn.contains($0) }) { return team }
        return ownersToo ? letIn.first : nil
    }

    /// A route's pattern up to its first parameter: the records it names (`/api/v1/gps/{id}`).
    static func family(_ pattern: String) -> String {
        var segments: [Substring] = []
        for segment in pattern.split(separator: "/") {
            segments.append(segment)
            if segment.hasPrefix(":") || segment.hasPrefix("{") { break }
        }
        return "/" + segments.joined(separator: "/")
    }

    @Test func everyRouteAnswersOnlyThoseTheTableLetsIn() async throws {
        let environment = try await TestEnvironment()
        let router = try await buildRouter(configuration: environment.configuration, database: environment.database)
        let routes = router.routes.map { route -> (key: String, method: HTTPRequest.Method, pattern: String) in
            let pattern = route.path.description.hasPrefix("/") ? route.path.description : "/" + route.path.description
            return ("\(route.method) \(pattern)", route.method, pattern)
        }
        let observed = try await environment.test { browser -> [String: String] in
            var observed: [String: String] = [:]
            var refusalsAsked = 0
            let records = try await Self.prepare(environment, browser)
            let skills = try await environment.database.skills(organisationId: 1).map { ($0.code, $0.name) }
            var signedIn: [Character: (page: Browser, api: APIClient)] = [:]
            for person in Self.people {
                let page = Browser(browser.client)
                var api = APIClient(client: browser.client)
                if let email = person.email {
                    try await page.signIn(email)
                    api = try await APIClient.signedIn(browser.client, email)
                }
                signedIn[person.code] = (page, api)
            }
            let clients = signedIn
            func send(_ code: Character, _ route: (key: String, method: HTTPRequest.Method, pattern: String), _ path: String)
                async throws -> TestResponse
            {
                let (page, api) = clients[code]!
                if ErrorMiddleware.isAPI(path) {
                    return try await api.send(path, method: route.method, json: route.method == .get ? nil : "{}")
                }
                return route.method == .get ? try await page.request(path) : try await page.submit(path, ["probe": "1"])
            }

            // Everyone reads first: the writes below are all refused, but reads must not depend on that.
            for person in Self.people {
                let code = person.code
                for route in routes where route.method == .get {
                    let path = Self.concrete(route.pattern, records) + Self.query(route.key, records)
                    let response = try await send(code, route, path)
                    if !Self.refused(response, route.key, code) { observed[route.key, default: ""].append(code) }
                    if let letIn = Self.reads[route.key], !letIn.contains(code) {
                        let wrong = Self.mismatch(response, Self.refusal(route.key, code, path: path))
                        #expect(wrong == nil, "\(route.key) as \(code) answered \(wrong ?? "")")
                    }
                    #expect(response.status.code < 500, "\(route.key) as \(code) answered \(response.status)")
                    #expect(Self.hardeningProblem(response) == nil, "\(route.key) as \(code)")
                    // Every page as each person shows labels and en-GB dates, never codes.
                    if response.headers[.contentType]?.hasPrefix("text/html") == true {
                        let shown = VisibleText.codes(in: response.text, skills: skills)
                        #expect(shown.isEmpty, "\(route.key) as \(code) shows codes: \(Set(shown).sorted())")
                    }
                }
            }

            // Then every write as everyone it does not let in (signed out, every write that needs a sign-in).
            for person in Self.people {
                let code = person.code
                // A form token, so only who asks decides.
                try await clients[code]!.page.request(code == "a" ? "/sign-in" : "/dashboard")
                for route in routes where route.method != .get && !Self.publicWrites.contains(route.key) {
                    let settled = !Self.notSettledByAnEmptyBody.contains(route.key)
                    guard code == "a" || (settled && !(Self.writes[route.key] ?? "").contains(code)) else { continue }
                    let path = Self.concrete(route.pattern, records)
                    refusalsAsked += 1
                    let response = try await send(code, route, path)
                    let wrong = Self.mismatch(response, Self.refusal(route.key, code, path: path))
                    #expect(wrong == nil, "\(route.key) \(code == "a" ? "signed out" : "as \(code)") answered \(wrong ?? "")")
                    #expect(Self.hardeningProblem(response) == nil, "\(route.key) as \(code)")
                }
            }
            #expect(refusalsAsked > 400, "the writes were sent (\(refusalsAsked))")

            // 404 is for a record that does not exist, asked for by someone the route would let in were it
            // there: every record a GET route names, and the first a write names where no GET route names
            // its kind of record (bookings, applications, offers, applicants, concerns and the like).
            let readFamilies = Set(routes.filter { $0.method == .get }.map { Self.family($0.pattern) })
            var missingAsked = 0
            for route in routes where !Self.publicWrites.contains(route.key) {
                let names: [String]
                let asker: Character?
                if route.method == .get {
                    names = Self.recordParameters(route.pattern)
                    asker = Self.askerForMissing(Self.reads[route.key] ?? "", ownersToo: false)
                } else {
                    guard !readFamilies.contains(Self.family(route.pattern)), !Self.notSettledByAnEmptyBody.contains(route.key)
                    else { continue }
                    names = Array(Self.recordParameters(route.pattern).prefix(1))
                    asker = Self.askerForMissing(Self.writes[route.key] ?? "", ownersToo: true)
                }
                guard let asker, !names.isEmpty else { continue }
                if asker != "a", route.method != .get { try await clients[asker]!.page.request("/dashboard") }
                for name in names {
                    let path = Self.concrete(route.pattern, records, missing: name) + Self.query(route.key, records)
                    missingAsked += 1
                    let response = try await send(asker, route, path)
                    let expected = Self.missingAnswers[route.key] ?? .notFound
                    #expect(
                        response.status == expected,
                        "\(route.key) with no such \(name), as \(asker), answered \(response.status.code) where \(expected.code) is expected"
                    )
                    #expect(Self.hardeningProblem(response) == nil, "\(route.key) with no such \(name)")
                }
            }
            let noSuchLink = try await clients["a"]!.page.request(
                "/set-password" + Self.query("GET /set-password", records, missing: true))
            #expect(noSuchLink.status == .notFound, "GET /set-password with no such token answered \(noSuchLink.status.code)")
            #expect(missingAsked > 60, "records that do not exist were asked for (\(missingAsked))")
            return observed
        }
        for route in routes where route.method == .get {
            #expect(Self.reads[route.key] != nil, "\(route.key) is not in the table: seen by \"\(observed[route.key] ?? "")\"")
            if let expected = Self.reads[route.key] {
                #expect(expected == observed[route.key] ?? "", "\(route.key) let in \"\(observed[route.key] ?? "")\"")
            }
        }
        for route in routes where route.method != .get {
            let listed =
                Self.writes[route.key] != nil || Self.notSettledByAnEmptyBody.contains(route.key)
                || Self.publicWrites.contains(route.key)
            #expect(listed, "\(route.key) is not in the table of writes")
        }
    }
}
