import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// Documents through the pages and the API, against the demo: GP 1 is gp@demo.test's entry, and its
/// indemnity runs out in three weeks.
@Suite struct DocumentsWebTests {
    static let pdf = Array("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]

    /// GP 1's checks as the API gives them to this client, newest first.
    static func checks(_ api: APIClient) async throws -> [[String: Any]] {
        try await api.send("/api/v1/gps/1/checks").json["items"] as? [[String: Any]] ?? []
    }

    /// A sign-in for another GP of the demo's organisation (GP 2).
    static func anotherGP(_ environment: TestEnvironment) async throws {
        let other = try await environment.database.gp(id: 2, by: .commandLine).gp
        _ = try await environment.database.createUser(
            NewUserInput(
                email: "gp2@demo.test", password: demoPassword, role: .gp, scopeReference: other.registrationNumber),
            by: .commandLine)
    }

    @Test func aPDFRenewalGoesFromTheGPToAVerifiedCheckAndOnlyTheyAndTheLiaisonOfficerDownloadIt() async throws {
        let environment = try await TestEnvironment()
        try await Self.anotherGP(environment)
        let today = environment.database.clock.today
        let expiry = today.adding(days: 400).description
        try await environment.test { browser in
            // The GP sends the renewal from their own entry page.
            let gp = Browser(browser.client)
            try await gp.signIn("gp@demo.test")
            let page = try await gp.request("/gps/1")
            #expect(page.text.contains(#"action="/gps/1/documents" enctype="multipart/form-data""#))
            let sent = try await gp.upload(
                "/gps/1/documents", ["type": "indemnity", "expiresOn": expiry],
                file: ("document", "Indemnity 2027.pdf", Self.pdf))
            #expect(sent.status == .seeOther)
            #expect(sent.headers[.location] == "/gps/1?done=renewal-sent")

            let liaisonAPI = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            let pending = try #require(try await Self.checks(liaisonAPI).first { $0["type"] as? String == "indemnity" })
            #expect(pending["status"] as? String == "pending")
            let checkId = try #require(pending["id"] as? Int)
            let documentId = try #require(pending["documentId"] as? Int)
            // Waiting, it takes nothing away.
            #expect(try await liaisonAPI.send("/api/v1/gps/1/clearance").json["cleared"] as? Bool == true)

            // The liaison officer sees it beside the form that verifies it, and downloads it.
            let liaison = Browser(browser.client)
            try await liaison.signIn("liaison@demo.test")
            let profile = try await liaison.request("/gps/1")
            #expect(profile.text.contains("Pending verification"))
            #expect(profile.text.contains(#"href="/documents/\#(documentId)""#))
            #expect(profile.text.contains(#"action="/gps/1/checks/\#(checkId)/verify""#))
            let download = try await liaison.request("/documents/\(documentId)")
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition]?.hasPrefix(#"attachment; filename="Indemnity 2027.pdf""#) == true)
            #expect(download.headers[.cacheControl] == "no-store")
            #expect(download.headers[.xContentTypeOptions] == "nosniff")
            #expect(Array(download.body.readableBytesView) == Self.pdf)
            #expect(try await gp.request("/documents/\(documentId)").status == .ok, "the GP downloads their own")

            // Another GP, a practice manager and the mentor are refused it, on the page and from the API.
            for email in ["gp2@demo.test", "practice@demo.test", "mentor@demo.test"] {
                let refused = Browser(browser.client)
                try await refused.signIn(email)
                #expect(try await refused.request("/documents/\(documentId)").status == .forbidden, "\(email)")
                let api = try await APIClient.signedIn(browser.client, email)
                #expect(try await api.send("/api/v1/documents/\(documentId)").status == .forbidden, "\(email)")
            }

            // A date that does not fit is told beside that check's own field.
            let wrong = try await liaison.submit(
                "/gps/1/checks/\(checkId)/verify",
                ["verifiedOn-\(checkId)": today.description, "expiresOn-\(checkId)": today.adding(days: -1).description])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.text.contains(#"id="expiresOn-\#(checkId)-error""#))
            #expect(wrong.text.contains(##"href="#expiresOn-\##(checkId)""##), "the error summary links to the field")

            // One step: verified, a new row resting on the same document, and clearance counts it.
            let verified = try await liaison.submit(
                "/gps/1/checks/\(checkId)/verify",
                [
                    "verifiedOn-\(checkId)": today.description, "expiresOn-\(checkId)": expiry,
                    "note-\(checkId)": "Certificate from the provider",
                ])
            #expect(verified.headers[.location] == "/gps/1?done=check-verified")
            let indemnity = try await Self.checks(liaisonAPI).filter { $0["type"] as? String == "indemnity" }
            #expect(indemnity.map { $0["status"] as? String } == ["verified", "pending", "verified"])
            #expect(indemnity.first?["documentId"] as? Int == documentId)
            #expect(indemnity.first?["expiresOn"] as? String == expiry)
            let clearance = try await liaisonAPI.send("/api/v1/gps/1/clearance?date=\(today.adding(days: 30))")
            #expect(clearance.json["cleared"] as? Bool == true, "the renewal counts after the old one runs out")

            // A second click finds nothing waiting, and says so on the page.
            try await liaison.request("/gps/1")
            let again = try await liaison.submit("/gps/1/checks/\(checkId)/verify", [:])
            #expect(again.status == .ok)
            #expect(again.text.contains("no longer waiting"))
        }
    }

    @Test func aFileThatClaimsToBeAPDFButIsNotOrIsTooLargeIsRefusedBesideTheField() async throws {
        let environment = try await TestEnvironment()
        try await environment.test { browser in
            try await browser.signIn("gp@demo.test")
            try await browser.request("/gps/1")
            let renamed = try await browser.upload(
                "/gps/1/documents", ["type": "indemnity"],
                file: ("document", "certificate.pdf", Array("PK\u{3}\u{4} word/document.xml".utf8)))
            #expect(renamed.status == .unprocessableContent)
            #expect(renamed.text.contains("The file is not a PDF, JPEG or PNG: choose the scan or photo of the certificate"))
            #expect(renamed.text.contains(#"id="document-error""#))
            #expect(renamed.text.contains(##"href="#document""##))

            // Over 10 MiB: the body is read (these routes take up to 16 MiB), the file refused beside its field.
            let large = Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 0x20, count: CheckDocument.maximumBytes)
            let tooLarge = try await browser.upload(
                "/gps/1/documents", ["type": "indemnity"], file: ("document", "scan.pdf", large))
            #expect(tooLarge.status == .unprocessableContent)
            #expect(tooLarge.text.contains("The file is larger than 10 MB"))
            // Far past it, the body is refused as it arrives.
            let huge = [UInt8](repeating: 0x20, count: DocumentsController.documentBodyLimit + 1)
            let refused = try await browser.upload("/gps/1/documents", ["type": "indemnity"], file: ("document", "x.pdf", huge))
            #expect(refused.status == .contentTooLarge)

            let api = try await APIClient.signedIn(browser.client, "gp@demo.test")
            let checks = try await Self.checks(api)
            #expect(!checks.contains { $0["status"] as? String == "pending" }, "nothing was recorded")
        }
    }

    @Test func theAPITakesTheDocumentAsTheBodyAndTheCheckFormTakesOneToo() async throws {
        let environment = try await TestEnvironment()
        let expiry = environment.database.clock.today.adding(days: 400).description
        try await environment.test { browser in
            let api = try await APIClient.signedIn(browser.client, "gp@demo.test")
            func send(_ bytes: [UInt8], contentType: String, by client: APIClient) async throws -> TestResponse {
                try await browser.client.executeRequest(
                    uri: "/api/v1/gps/1/documents?type=dbs&expiresOn=\(expiry)&filename=DBS%20certificate.pdf", method: .post,
                    headers: [.authorization: "Bearer \(client.token!)", .contentType: contentType],
                    body: ByteBuffer(bytes: bytes))
            }
            let created = try await send(Self.pdf, contentType: "application/pdf", by: api)
            #expect(created.status == .created)
            #expect(created.json["status"] as? String == "pending")
            let documentId = try #require(created.json["documentId"] as? Int)
            let download = try await api.send("/api/v1/documents/\(documentId)")
            #expect(download.headers[.contentDisposition]?.hasPrefix(#"attachment; filename="DBS certificate.pdf""#) == true)
            #expect(try await send(Self.pdf, contentType: "text/plain", by: api).status == .unsupportedMediaType)
            let renamed = try await send(Array("GIF89a".utf8), contentType: "image/png", by: api)
            #expect(renamed.status == .unprocessableContent)
            #expect(
                (renamed.json["error"] as? [String: Any])?["fields"] as? [String: String] == [
                    "document": CheckDocument.notADocumentMessage
                ])
            let liaison = try await APIClient.signedIn(browser.client, "liaison@demo.test")
            #expect(try await send(Self.pdf, contentType: "application/pdf", by: liaison).status == .forbidden)

            // The liaison officer attaches a document to a check through the check form.
            try await browser.signIn("liaison@demo.test")
            let form = try await browser.request("/gps/1/checks/new")
            #expect(form.text.contains(#"enctype="multipart/form-data""#))
            let recorded = try await browser.upload(
                "/gps/1/checks/new",
                [
                    "type": "hepatitis-b", "status": "verified", "verifiedOn": environment.database.clock.today.description,
                    "expiresOn": expiry,
                ], file: ("document", "titre.png", Self.png))
            #expect(recorded.headers[.location] == "/gps/1?done=check-recorded")
            let hepatitis = try #require(try await Self.checks(liaison).first { $0["type"] as? String == "hepatitis-b" })
            let attached = try #require(hepatitis["documentId"] as? Int)
            let image = try await browser.request("/documents/\(attached)")
            #expect(image.headers[.contentType] == "image/png")
            #expect(image.headers[.contentDisposition]?.hasPrefix(#"attachment; filename="titre.png""#) == true)
            // Without a file the form records the check as it always did.
            try await browser.request("/gps/1/checks/new")
            let plain = try await browser.submit(
                "/gps/1/checks/new", ["type": "references", "status": "verified", "expiresOn": expiry])
            #expect(plain.headers[.location] == "/gps/1?done=check-recorded")
        }
    }

    @Test func theProfileShowsWhatIsWaitingBesideItsDocumentToThoseWhoMayOpenIt() async throws {
        let environment = try await TestEnvironment()
        let database = environment.database
        let today = database.clock.today
        let gp = try await database.signIn(email: "gp@demo.test", password: demoPassword, from: "t", kind: .web).principal
        let liaison = try await database.signIn(
            email: "liaison@demo.test", password: demoPassword, from: "t", kind: .web
        ).principal
        let mentor = try await database.signIn(email: "mentor@demo.test", password: demoPassword, from: "t", kind: .web)
            .principal
        let renewal = try await database.submitRenewal(
            gpId: 1, type: "indemnity", expiresOn: today.adding(days: 400).description,
            document: DocumentUpload(filename: "Indemnity.pdf", bytes: Data(Self.pdf)), by: gp)
        let checkId = try #require(renewal.id)
        let documentId = try #require(renewal.documentId)

        func page(_ principal: Principal) async throws -> GPProfilePage {
            let entry = try await database.gp(id: 1, by: principal)
            return GPProfilePage(
                page: PageChrome(title: entry.gp.name), entry: entry, history: try await database.checks(gpId: 1, by: principal),
                types: try await database.checkTypes(organisationId: 1), skills: try await database.skills(organisationId: 1),
                expiring: [], workRestrictions: [],
                documents: entry.may.contains(.seeDocuments) ? try await database.documents(gpId: 1, by: principal) : [],
                today: today)
        }
        let forLiaison = try await page(liaison)
        #expect(forLiaison.canVerify && !forLiaison.canSendRenewal)
        let waiting = try #require(forLiaison.pending.first)
        #expect(forLiaison.pending.count == 1)
        #expect(waiting.typeName == "Medical indemnity")
        #expect(waiting.document?.href == "/documents/\(documentId)")
        #expect(waiting.document?.name == "Indemnity.pdf")
        #expect(waiting.action == "/gps/1/checks/\(checkId)/verify")
        #expect(waiting.fields.map(\.name) == ["verifiedOn-\(checkId)", "expiresOn-\(checkId)", "note-\(checkId)"])
        #expect(waiting.fields.map(\.value) == [today.description, today.adding(days: 400).description, ""])
        // The current indemnity is still the one that counts; the renewal waits.
        let current = try #require(forLiaison.current.first { $0.typeName == "Medical indemnity" })
        #expect(current.status == "Verified")

        let forGP = try await page(gp)
        #expect(forGP.canSendRenewal && !forGP.canVerify)
        #expect(forGP.renewalFields.map(\.name) == ["type", "expiresOn", "document"])
        #expect(forGP.renewalFields.last?.isFile == true)
        #expect(forGP.pending.map(\.checkId) == [checkId])
        // The renewal offers the checks of the GP's own profession only.
        let offered = try #require(forGP.renewalFields.first?.options.map(\.value))
        #expect(offered.contains("gmc-registration") && !offered.contains("nmc-registration"))

        let forMentor = try await page(mentor)
        #expect(!forMentor.canSeeDocuments && forMentor.pending.isEmpty && !forMentor.canSendRenewal)
        #expect(forMentor.history.allSatisfy { $0.document == nil })
    }
}
