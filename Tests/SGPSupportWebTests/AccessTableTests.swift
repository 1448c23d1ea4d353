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
/// of another organisation. Records named in paths are DEMO1's: practice Z90001, GP 1, a session of
/// Z90001, a card about GP 1 (raised as a concern, so the liaison officer sees it too), a shared
/// evidence entry of GP 1, a support case and report about GP 1, a mailshot with an item, a clearing
/// run and a local audit topic of DEMO1. Lists are scoped, so a list anyone signed in may ask for
/// answers each with their own rows (tested in the modules' own tests).
@Suite struct AccessTableTests {
    /// GET routes: who is let in (every other person is refused: 401/403/404, or a page's sign-in).
    static let reads: [String: String] = [
        "GET /": "aALMSPGgp",
        "GET /admin": "A",
        "GET /api/v1/bookings": "ALMSPGgp",
        "GET /api/v1/clearing-runs": "AL",
        "GET /api/v1/clearing-runs/{id}": "AL",
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
        "GET /api/v1/practices/{id}/pack": "ALMP",
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
        "GET /availability": "Gg",
        "GET /bookings": "ALMSPGgp",
        "GET /calendar/{token}": "",
        "GET /clearing-runs": "L",
        "GET /clearing-runs/{id}": "AL",
        "GET /clearing-runs/{id}/sessions/{sessionId}": "AL",
        "GET /dashboard": "ALMSPGgp",
        "GET /evidence/{id}": "MG",
        "GET /feedback": "ALMSPGgp",
        "GET /feedback/cards/{id}": "LMPG",
        "GET /feedback/{token}": "aALMSPGgp",
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
        "GET /join": "aALMSPGgp",
        "GET /mailshot-subscription": "Gg",
        "GET /mailshots": "LMSPGgp",
        "GET /mailshots/{id}": "ALM",
        "GET /mailshots/{id}/preview": "ALM",
        "GET /mailshots/{id}/preview.html": "ALM",
        "GET /organisations/{id}": "ALM",
        "GET /organisations/{id}/evidence": "ALM",
        "GET /organisations/{id}/feedback-templates": "AL",
        "GET /practices": "LM",
        "GET /practices/{id}": "ALMP",
        "GET /practices/{id}/admission-feedback": "P",
        "GET /practices/{id}/feedback": "LMP",
        "GET /practices/{id}/pack": "ALP",
        "GET /register/gps.csv": "LM",
        "GET /register/import": "L",
        "GET /register/mailing-list.csv": "L",
        "GET /register/practices.csv": "LM",
        "GET /reports/activity": "ALM",
        "GET /reports/annual": "ALM",
        "GET /sessions": "ALMPGgp",
        "GET /sessions/new": "LPp",
        "GET /sessions/{id}": "ALMPG",
        "GET /set-password": "",
        "GET /sign-in": "aALMSPGgp",
        "GET /sign-in/code": "",
        "GET /support": "ALMSPGgp",
        "GET /support/annual-account": "ALM",
        "GET /support/cases/{id}": "MG",
        "GET /support/cases/{id}/reports/{version}": "MG",
        "GET /unsubscribe/{token}": "aALMSPGgp",
        "GET /work": "Gg",
    ]

    /// Routes that change things: who may. Each is sent, with an empty body, as every signed-in
    /// person the table does not list, and must be refused (401, 403 or 404) before anything is read.
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
        "POST /applicants/{id}/approve": "AL",
        "POST /applicants/{id}/decline": "L",
        "POST /sessions/new": "LPp",
        "POST /sessions/{id}/apply": "Gg",
        "POST /sessions/{id}/withdraw": "ALP",
        "POST /bookings/{id}/complete": "ALPG",
        "POST /bookings/calendar-address": "PGgp",
        "POST /availability": "Gg",
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
        "POST /mailshot-subscription": "Gg",
    ]

    /// Writes this table cannot settle with an empty body, each for its reason (their access is
    /// tested in their module's own tests):
    static let notSettledByAnEmptyBody: [String: String] = [
        // The body names what they act on, so an empty one is refused as incomplete, for anyone.
        "POST /api/v1/sessions": "body", "POST /api/v1/arrangements": "body", "POST /api/v1/sharing-agreements": "body",
        "POST /api/v1/support-cases": "body", "POST /api/v1/pastoral-contacts": "body", "POST /api/v1/clearing-runs": "body",
        "POST /arrangements": "body", "POST /clearing-runs": "body", "POST /support/cases": "body",
        "POST /support/pastoral-contacts": "body", "POST /mailshots": "body",
        // They check the input before who asks (a 422 names the missing field to anyone signed in).
        "PATCH /api/v1/organisations/{id}/check-types/{code}": "input first",
        "PUT /api/v1/practices/{id}/preferences/{gpId}": "input first", "POST /api/v1/sessions/{id}/offers": "input first",
        "POST /gps/{id}/evidence": "input first", "POST /sessions/{id}/offer": "input first",
        "POST /practices/{id}/preferences": "input first",
        // The demo has no such record to name (an application, an offer, a sharing agreement).
        "POST /api/v1/applications/{id}/accept": "no record", "POST /applications/{id}/accept": "no record",
        "POST /api/v1/offers/{id}/accept": "no record", "POST /api/v1/offers/{id}/decline": "no record",
        "POST /offers/{id}/accept": "no record", "POST /offers/{id}/decline": "no record",
        "POST /api/v1/sharing-agreements/{id}/accept": "no record", "POST /api/v1/sharing-agreements/{id}/end": "no record",
    ]

    /// Routes that change things and need no sign-in: everything else must refuse a signed-out
    /// caller before it does anything (who of the signed-in may write is tested module by module).
    static let publicWrites: Set<String> = [
        "POST /sign-in", "POST /sign-in/code", "POST /join", "POST /set-password", "POST /feedback/{token}",
        "POST /unsubscribe/{token}", "POST /api/v1/session",
    ]

    static let people: [(code: Character, email: String?)] = [
        ("a", nil), ("A", "admin@demo.test"), ("L", "liaison@demo.test"), ("M", "mentor@demo.test"),
        ("S", "supervisor@demo.test"), ("P", "practice@demo.test"), ("G", "gp@demo.test"), ("g", "gp@other.test"),
        ("p", "practice@other.test"),
    ]

    struct Records {
        var ids: [String: Int] = [:]
    }

    /// The other organisation, its practice and GP with sign-ins, and the DEMO1 records paths name.
    static func prepare(_ environment: TestEnvironment, _ browser: Browser) async throws -> Records {
        let database = environment.database
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
        records.ids["mailshotItem"] = try #require(item.json["id"] as? Int)
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
        return records
    }

    /// A route's pattern with its parameters filled from the records.
    static func concrete(_ pattern: String, _ records: Records) -> String {
        var previous = ""
        return "/"
            + pattern.split(separator: "/").map { segment -> String in
                defer { previous = String(segment) }
                guard segment.hasPrefix(":") || segment.hasPrefix("{") else { return String(segment) }
                let name = segment.trimmingCharacters(in: CharacterSet(charactersIn: ":{}"))
                switch (previous, name) {
                case ("sessions", "id"): return String(records.ids["session"] ?? 0)
                case ("bookings", "id"): return String(records.ids["booking"] ?? 0)
                case (_, "sessionId"): return String(records.ids["openSession"] ?? 0)
                case ("cards", _), ("feedback-cards", _): return String(records.ids["card"] ?? 0)
                case ("evidence", _): return String(records.ids["evidence"] ?? 0)
                case ("mailshots", _): return String(records.ids["mailshot"] ?? 0)
                case ("clearing-runs", _): return String(records.ids["clearingRun"] ?? 0)
                case ("cases", _), ("support-cases", _): return String(records.ids["supportCase"] ?? 0)
                case ("reports", "version"): return "1"
                case ("portfolio", "year"): return "2026"
                case (_, "direction"): return "practice-about-gp"
                case ("mailshot-items", _): return String(records.ids["mailshotItem"] ?? 0)
                case ("feedback-concerns", _), ("concerns", _): return String(records.ids["concern"] ?? 0)
                case ("audit-topics", _): return String(records.ids["topic"] ?? 0)
                case (_, "token"): return "no-such-token"
                default: return "1"
                }
            }.joined(separator: "/")
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

    static func refused(_ response: TestResponse) -> Bool {
        if [.unauthorized, .forbidden, .notFound].contains(response.status) { return true }
        return response.status == .seeOther && (response.headers[.location] ?? "").hasPrefix("/sign-in")
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
            var clients: [(code: Character, page: Browser, api: APIClient)] = []
            for person in Self.people {
                let page = Browser(browser.client)
                var api = APIClient(client: browser.client)
                if let email = person.email {
                    try await page.signIn(email)
                    api = try await APIClient.signedIn(browser.client, email)
                }
                clients.append((person.code, page, api))
            }
            // Everyone reads first: the writes below are all refused, but reads must not depend on that.
            for (code, page, api) in clients {
                for route in routes where route.method == .get {
                    let path =
                        Self.concrete(route.pattern, records)
                        + (Self.organisationQueried.contains(route.key) ? "?organisationId=1" : "")
                    let response = path.hasPrefix("/api/") ? try await api.send(path) : try await page.request(path)
                    if !Self.refused(response) { observed[route.key, default: ""].append(code) }
                    #expect(Self.hardeningProblem(response) == nil, "\(route.key) as \(code)")
                }
            }
            for (code, page, api) in clients {
                try await page.request(code == "a" ? "/sign-in" : "/dashboard")  // a form token, so only who asks decides
                for route in routes where route.method != .get && !Self.publicWrites.contains(route.key) {
                    let settled = Self.notSettledByAnEmptyBody[route.key] == nil
                    guard code == "a" || (settled && !(Self.writes[route.key] ?? "").contains(code)) else { continue }
                    let path = Self.concrete(route.pattern, records)
                    refusalsAsked += 1
                    let response =
                        path.hasPrefix("/api/")
                        ? try await api.send(path, method: route.method, json: "{}")
                        : try await page.submit(path, ["probe": "1"])
                    if code == "a" {
                        let signInFirst =
                            path.hasPrefix("/api/")
                            ? response.status == .unauthorized
                            : response.status == .seeOther && (response.headers[.location] ?? "").hasPrefix("/sign-in")
                        #expect(signInFirst, "\(route.key) signed out answered \(response.status)")
                    } else {
                        #expect(Self.refused(response), "\(route.key) as \(code) answered \(response.status)")
                    }
                    #expect(Self.hardeningProblem(response) == nil, "\(route.key) as \(code)")
                }
            }
            #expect(refusalsAsked > 400, "the writes were sent (\(refusalsAsked))")
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
                Self.writes[route.key] != nil || Self.notSettledByAnEmptyBody[route.key] != nil
                || Self.publicWrites.contains(route.key)
            #expect(listed, "\(route.key) is not in the table of writes")
        }
    }
}
