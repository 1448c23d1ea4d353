import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The documents behind checks: a GP's renewal, pending until the liaison officer verifies it in one
/// step; files told by their bytes, not their names; kept in the database, so backups hold them.
@Suite struct DocumentTests {
    static let pdfText = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    static let pdf = Data(pdfText.utf8)
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52])
    /// A Word document (a ZIP file) saved under a PDF's name.
    static let notAPDF = Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]) + Data("word/document.xml".utf8)

    /// A GP in date until 20 Dec 2026 on every check, with their own sign-in.
    static func gpWithSignIn(_ fixture: RegisterFixture, _ number: String = "1234567") async throws -> (GP, Principal) {
        let email = "gp\(number)@example.org"
        let gp = try await fixture.addGP(number) { $0.email = email }
        try await fixture.clearFully(gp.id!, expiries: ["indemnity": "2026-12-20"])
        _ = try await fixture.database.createUser(
            NewUserInput(email: email, password: validPassword, role: .gp, scopeReference: number), by: .commandLine)
        let principal = try await fixture.database.signIn(email: email, password: validPassword, from: "t", kind: .web).principal
        return (gp, principal)
    }

    @Test func aPDFRenewalGoesFromTheGPToAPendingCheckAndTheLiaisonOfficerVerifiesItInOneStep() async throws {
        let fixture = try await RegisterFixture()
        let database = fixture.database
        let (gp, own) = try await Self.gpWithSignIn(fixture)
        let renewal = try await database.submitRenewal(
            gpId: gp.id!, type: "indemnity", expiresOn: "2027-12-20",
            document: DocumentUpload(filename: "Indemnity 2027.pdf", bytes: Self.pdf), by: own)
        #expect(renewal.status == .pending)
        #expect(renewal.expiresOn == Day("2027-12-20"))
        let documentId = try #require(renewal.documentId)

        // Waiting, it takes nothing away: the check it renews still counts until it runs out.
        #expect(try await database.clearance(gpId: gp.id!, on: Day("2026-12-07")!).cleared)
        #expect(
            try await database.clearance(gpId: gp.id!, on: Day("2026-12-21")!).reasons == [
                "Medical indemnity expired 20 Dec 2026"
            ])
        let history = try await database.checks(gpId: gp.id!)
        #expect(CredentialCheck.awaitingVerification(history).map(\.id) == [renewal.id])
        #expect(CredentialCheck.counting(history)["indemnity"]?.expiresOn == Day("2026-12-20"))

        // The document, as it was sent, for the GP and the liaison officer.
        let documents = try await database.documents(gpId: gp.id!, by: fixture.liaison)
        #expect(documents.map(\.id) == [documentId])
        let document = try #require(documents.first)
        #expect(document.checkId == renewal.id)
        #expect(document.contentType == "application/pdf")
        #expect(document.byteCount == Self.pdf.count)
        #expect(document.sha256 == SecretToken.digest(Self.pdfText))
        #expect(document.originalName == "Indemnity 2027.pdf")
        #expect(document.uploadedById == own.userId)
        #expect(try await database.document(id: documentId, by: own).bytes == Self.pdf)

        // It waits in the liaison officer's work queue until verified.
        let waiting = try await database.checksToVerify(organisationId: fixture.organisationId, by: fixture.liaison)
        #expect(waiting.map(\.check.id) == [renewal.id] && waiting.first?.typeName == "Medical indemnity")

        // One step: a verified check of the same type (a new row), resting on the same document.
        let verified = try await database.verifyCheck(
            gpId: gp.id!, checkId: renewal.id!, VerificationInput(expiresOn: "2027-12-20", note: "Certificate seen"),
            by: fixture.liaison)
        #expect(verified.status == .verified)
        #expect(verified.type == "indemnity")
        #expect(verified.verifiedOn == Day("2026-12-07"), "checked today when no date is given")
        #expect(verified.verifiedById == fixture.liaison.userId)
        #expect(verified.documentId == documentId)
        #expect(try await database.clearance(gpId: gp.id!, on: Day("2026-12-21")!).cleared, "clearance counts it")
        let after = try await database.checks(gpId: gp.id!).filter { $0.type == "indemnity" }
        #expect(after.map(\.status) == [.verified, .pending, .verified], "history is kept")
        #expect(CredentialCheck.awaitingVerification(after).isEmpty)
        #expect(try await database.checksToVerify(organisationId: fixture.organisationId, by: fixture.liaison).isEmpty)

        // Nothing is left waiting: a second click is told so.
        await #expect(throws: DomainError.self) {
            _ = try await database.verifyCheck(gpId: gp.id!, checkId: renewal.id!, VerificationInput(), by: fixture.liaison)
        }
    }

    @Test func aFileThatClaimsToBeAPDFButIsNotIsRefusedWithTheMessage() async throws {
        let fixture = try await RegisterFixture()
        let (gp, own) = try await Self.gpWithSignIn(fixture)
        let before = try await fixture.database.checks(gpId: gp.id!).count
        let errors = await validationErrors {
            _ = try await fixture.database.submitRenewal(
                gpId: gp.id!, type: "indemnity", expiresOn: nil,
                document: DocumentUpload(filename: "certificate.pdf", bytes: Self.notAPDF), by: own)
        }
        #expect(errors?["document"] == "The file is not a PDF, JPEG or PNG: choose the scan or photo of the certificate")
        #expect(try await fixture.database.checks(gpId: gp.id!).count == before, "nothing is recorded")
        #expect(try await fixture.database.documents(gpId: gp.id!, by: own).isEmpty)

        // Every problem at once, in the form's order: the check, then the file.
        let both = await validationErrors {
            _ = try await fixture.database.submitRenewal(
                gpId: gp.id!, type: "nmc-registration", expiresOn: "2026-01-01",
                document: DocumentUpload(filename: "certificate.pdf", bytes: Self.notAPDF), by: own)
        }
        #expect(both?.entries.map(\.field) == ["type", "expiresOn", "document"])
        let none = await validationErrors {
            _ = try await fixture.database.submitRenewal(gpId: gp.id!, type: "dbs", expiresOn: nil, document: nil, by: own)
        }
        #expect(none?["document"] == "Choose the scan or photo of the certificate to send")
    }

    @Test func aFileOverTenMebibytesIsRefused() async throws {
        let fixture = try await RegisterFixture()
        let (gp, own) = try await Self.gpWithSignIn(fixture)
        let large = Data("%PDF-1.7\n".utf8) + Data(count: CheckDocument.maximumBytes)
        let errors = await validationErrors {
            _ = try await fixture.database.submitRenewal(
                gpId: gp.id!, type: "indemnity", expiresOn: nil,
                document: DocumentUpload(filename: "scan.pdf", bytes: large), by: own)
        }
        let message = try #require(errors?["document"])
        #expect(message.hasPrefix("The file is larger than 10 MB, the largest taken"), "\(message)")
        // Exactly the limit is taken.
        let limit = Data("%PDF-1.7\n".utf8) + Data(count: CheckDocument.maximumBytes - 9)
        let check = try await fixture.database.submitRenewal(
            gpId: gp.id!, type: "indemnity", expiresOn: nil, document: DocumentUpload(filename: "scan.pdf", bytes: limit),
            by: own)
        let document = try await fixture.database.document(id: try #require(check.documentId), by: own).document
        #expect(document.byteCount == CheckDocument.maximumBytes)
    }

    @Test func onlyTheGPSendsARenewalAndOnlyTheyAndTheLiaisonOfficerOpenIt() async throws {
        let fixture = try await RegisterFixture()
        let (gp, own) = try await Self.gpWithSignIn(fixture)
        let (_, other) = try await Self.gpWithSignIn(fixture, "7654321")
        let upload = DocumentUpload(filename: "dbs.pdf", bytes: Self.pdf)
        for principal in [fixture.liaison, other, Principal.commandLine] {
            await #expect(throws: DomainError.forbidden(GPCapability.sendRenewal.refusal)) {
                _ = try await fixture.database.submitRenewal(
                    gpId: gp.id!, type: "dbs", expiresOn: nil, document: upload, by: principal)
            }
        }
        let check = try await fixture.database.submitRenewal(
            gpId: gp.id!, type: "dbs", expiresOn: nil, document: upload, by: own)
        let documentId = try #require(check.documentId)
        await #expect(throws: DomainError.forbidden(GPCapability.seeDocuments.refusal)) {
            _ = try await fixture.database.document(id: documentId, by: other)
        }
        await #expect(throws: DomainError.forbidden(GPCapability.seeDocuments.refusal)) {
            _ = try await fixture.database.documents(gpId: gp.id!, by: other)
        }
        #expect(try await fixture.database.document(id: documentId, by: .commandLine).bytes == Self.pdf)
        await #expect(throws: DomainError.notFound("No document has that id")) {
            _ = try await fixture.database.document(id: documentId + 1000, by: fixture.liaison)
        }
        // A GP may not verify their own renewal.
        await #expect(throws: DomainError.self) {
            _ = try await fixture.database.verifyCheck(
                gpId: gp.id!, checkId: check.id!, VerificationInput(dbsCertificateNumber: "001234567890"), by: own)
        }
    }

    @Test func theLiaisonOfficerAttachesADocumentToACheckTheyRecord() async throws {
        let fixture = try await RegisterFixture()
        let gp = try await fixture.addGP("1234567")
        let input = CheckInput(
            type: "hepatitis-b", status: "verified", verifiedOn: "2026-12-01", expiresOn: "2031-12-01")
        let check = try await fixture.database.recordCheck(
            gpId: gp.id!, input, document: DocumentUpload(filename: "C:\\Users\\lo\\Scans\\Hep B titre.PNG", bytes: Self.png),
            by: fixture.liaison)
        let download = try await fixture.database.document(id: try #require(check.documentId), by: fixture.liaison)
        #expect(download.document.contentType == "image/png")
        #expect(download.document.originalName == "Hep B titre.png")
        #expect(download.document.checkId == check.id)
        // A check without one is as it always was; a bad file refuses the check with it.
        #expect(try await fixture.database.recordCheck(gpId: gp.id!, input, by: fixture.liaison).documentId == nil)
        let errors = await validationErrors {
            _ = try await fixture.database.recordCheck(
                gpId: gp.id!, input, document: DocumentUpload(filename: "titre.png", bytes: Self.notAPDF),
                by: fixture.liaison)
        }
        #expect(errors?["document"] == CheckDocument.notADocumentMessage)
    }

    @Test func aFileIsToldByItsBytesAndNamedSafely() {
        #expect(CheckDocument.Kind.of(Self.pdf) == .pdf)
        #expect(CheckDocument.Kind.of(Self.png) == .png)
        #expect(CheckDocument.Kind.of(Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10])) == .jpeg)
        #expect(CheckDocument.Kind.of(Self.notAPDF) == nil)
        #expect(CheckDocument.Kind.of(Data("%PDF".utf8)) == nil, "a signature cut short is not one")
        #expect(CheckDocument.Kind.named(contentType: "Application/PDF; charset=binary") == .pdf)
        #expect(CheckDocument.Kind.named(contentType: "text/html") == nil)
        #expect(DocumentUpload.safeName("../../etc/passwd", kind: .pdf) == "passwd.pdf")
        #expect(DocumentUpload.safeName("photo.JPEG", kind: .jpeg) == "photo.jpeg")
        #expect(DocumentUpload.safeName("scan.exe", kind: .pdf) == "scan.exe.pdf")
        #expect(DocumentUpload.safeName("Sia\u{302}n <DBS>.pdf", kind: .pdf) == "Siân _DBS.pdf")
        #expect(DocumentUpload.safeName("", kind: .png) == "document.png")
        #expect(DocumentUpload.sizeText(1_300_000) == "1.2 MB")
        #expect(DocumentUpload.sizeText(2_000) == "2 KB")
        #expect(DocumentUpload.sizeText(CheckDocument.maximumBytes) == "10 MB")
    }

    @Test func theSubjectAccessDownloadListsDocumentsWithoutTheirBytes() async throws {
        let fixture = try await RegisterFixture()
        let (gp, own) = try await Self.gpWithSignIn(fixture)
        let check = try await fixture.database.submitRenewal(
            gpId: gp.id!, type: "indemnity", expiresOn: nil, document: DocumentUpload(filename: "cover.pdf", bytes: Self.pdf),
            by: own)
        for principal in [own, fixture.liaison] {
            let (tables, text) = try await SubjectAccessTests.download(fixture.database, gpId: gp.id!, by: principal)
            let rows = SubjectAccessTests.rows(tables, "checkDocument")
            #expect(rows.count == 1)
            #expect(
                Set(rows.first?.keys.map { $0 } ?? [])
                    == ["id", "checkId", "contentType", "byteCount", "sha256", "originalName", "uploadedAt"])
            #expect(rows.first?["checkId"] as? Int == Int(check.id!))
            #expect(rows.first?["sha256"] as? String == SecretToken.digest(Self.pdfText))
            #expect(!text.contains(Self.pdf.base64EncodedString()), "never the bytes")
        }
    }

    @Test func aBackupHoldsTheDocuments() async throws {
        let fixture = try await RegisterFixture()
        let (gp, own) = try await Self.gpWithSignIn(fixture)
        let check = try await fixture.database.submitRenewal(
            gpId: gp.id!, type: "indemnity", expiresOn: nil, document: DocumentUpload(filename: "cover.pdf", bytes: Self.pdf),
            by: own)
        let copy = BackupTests.temporaryPath("documents")
        let report = try DatabaseBackup.backup(databasePath: fixture.database.writer.path, to: copy)
        #expect(report.integrity == "ok")
        let restored = try AppDatabase(path: copy, passwords: PasswordHasher(cost: 4))
        #expect(try await restored.document(id: try #require(check.documentId), by: .commandLine).bytes == Self.pdf)
    }
}
