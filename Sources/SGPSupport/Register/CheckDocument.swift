import Crypto
import Foundation
import GRDB

/// The evidence behind a credential check: the scan or photo of a certificate (PDF, JPEG or PNG).
/// Kept in the database itself, so every backup (`sgpst backup`, SQLite's online backup) holds it
/// with no extra work; served only to the GP and their liaison officer or an administrator
/// (`GPCapability.seeDocuments`). This is what is known about one, without its bytes.
public struct CheckDocument: Codable, Sendable, Identifiable, Equatable, FetchableRecord {
    /// What a file is, told by its first bytes: never by its name or the type a browser says.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case pdf, jpeg, png
    }

    public var id: Int64
    public var gpId: Int64
    /// The check it was sent with (a verified check resting on it names it as its `documentId`).
    public var checkId: Int64?
    public var contentType: String
    public var byteCount: Int
    /// SHA-256 of the bytes, in hex: what the file was when it was sent.
    public var sha256: String
    /// The name it was sent under, made safe to show and to offer as the download's name.
    public var originalName: String
    public var uploadedById: Int64?
    public var uploadedAt: Date

    /// The largest document taken: 10 MiB, more than a multi-page scan or a phone's photo needs.
    public static let maximumBytes = 10 * 1024 * 1024

    /// What someone is told whose file is not one of the kinds taken, whatever its name says.
    public static let notADocumentMessage =
        "The file is not a PDF, JPEG or PNG: choose the scan or photo of the certificate"

    /// The columns of a document but its bytes: what lists and pages read.
    static let metadataColumns = "id, gpId, checkId, contentType, byteCount, sha256, originalName, uploadedById, uploadedAt"

    public var kind: Kind? { Kind.allCases.first { $0.contentType == contentType } }
}

extension CheckDocument.Kind {
    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        }
    }

    /// The extension a download's name ends in, and the others a file of this kind is sent under.
    public var fileExtension: String { extensions[0] }

    public var extensions: [String] {
        switch self {
        case .pdf: ["pdf"]
        case .jpeg: ["jpg", "jpeg", "jpe"]
        case .png: ["png"]
        }
    }

    /// The bytes each kind's files begin with.
    var signature: [UInt8] {
        switch self {
        case .pdf: Array("%PDF-".utf8)
        case .jpeg: [0xFF, 0xD8, 0xFF]
        case .png: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        }
    }

    /// The kind the bytes are, or nil for anything else (a Word file renamed `.pdf`, say).
    public static func of(_ bytes: Data) -> Self? {
        allCases.first { bytes.starts(with: $0.signature) }
    }

    /// The kind a content type names (`application/pdf`), ignoring its parameters and case.
    public static func named(contentType: String) -> Self? {
        let bare = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return allCases.first { $0.contentType == bare }
    }
}

/// A file someone sends as the evidence behind a check: the name it had and its bytes.
public struct DocumentUpload: Sendable {
    public var filename: String
    public var bytes: Data

    public init(filename: String, bytes: Data) {
        self.filename = filename
        self.bytes = bytes
    }
}

/// A document checked and ready to keep: its kind (by content), safe name and digest.
struct PreparedDocument: Sendable {
    var kind: CheckDocument.Kind
    var name: String
    var sha256: String
    var bytes: Data
}

extension DocumentUpload {
    /// The file as it will be kept, or nil with what is wrong with it told beside `field`. Its kind
    /// is read from its first bytes, not from its name or the type the sender claims.
    func prepared(field: String, into errors: inout ValidationErrors) -> PreparedDocument? {
        guard !bytes.isEmpty else {
            errors.add(field, "The file is empty: choose the scan or photo of the certificate")
            return nil
        }
        guard bytes.count <= CheckDocument.maximumBytes else {
            errors.add(
                field,
                "The file is larger than \(Self.sizeText(CheckDocument.maximumBytes)), the largest taken: scan the "
                    + "certificate at a lower resolution, or send a photo of it")
            return nil
        }
        guard let kind = CheckDocument.Kind.of(bytes) else {
            errors.add(field, CheckDocument.notADocumentMessage)
            return nil
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return PreparedDocument(kind: kind, name: Self.safeName(filename, kind: kind), sha256: digest, bytes: bytes)
    }

    /// "850 KB", "1.2 MB", "10 MB" (in units of 1,024, as file managers count).
    public static func sizeText(_ bytes: Int) -> String {
        if bytes < 1024 * 1024 { return "\(max(1, (bytes + 1023) / 1024)) KB" }
        let megabytes = String(format: "%.1f", Double(bytes) / (1024 * 1024))
        return (megabytes.hasSuffix(".0") ? String(megabytes.dropLast(2)) : megabytes) + " MB"
    }

    /// The name to show and to offer for download: the last part of what was sent (some browsers
    /// send a whole path), in composed form, each character that is not a letter, digit, space or
    /// `.-_()+,&'` replaced by `_`, at most 100 characters, and ending in an extension of the kind
    /// the file really is (a PDF sent as `scan.exe` is offered as `scan.exe.pdf`).
    static func safeName(_ sent: String, kind: CheckDocument.Kind) -> String {
        let last = sent.precomposedStringWithCanonicalMapping.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
        let allowed = CharacterSet.letters.union(.decimalDigits).union(CharacterSet(charactersIn: " .-_()+,&'"))
        var scalars = String.UnicodeScalarView()
        for scalar in last.unicodeScalars { scalars.append(allowed.contains(scalar) ? scalar : "_") }
        var name = String(scalars).trimmingCharacters(in: CharacterSet(charactersIn: " ._"))
        var stem = name
        if let dot = name.lastIndex(of: "."), kind.extensions.contains(name[name.index(after: dot)...].lowercased()) {
            stem = String(name[..<dot])
        }
        stem = String(stem.prefix(100)).trimmingCharacters(in: CharacterSet(charactersIn: " ._"))
        if stem.isEmpty { stem = "document" }
        let sentExtension = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() } ?? ""
        name = stem + "." + (kind.extensions.contains(sentExtension) ? sentExtension : kind.fileExtension)
        return name
    }
}

extension ValidationErrors {
    /// These messages followed by another set's, keeping the first message for each field.
    func followed(by other: ValidationErrors) -> ValidationErrors {
        var all = self
        for entry in other.entries { all.add(entry.field, entry.message) }
        return all
    }
}

/// A document with its bytes, for someone who may read it.
public struct DocumentDownload: Sendable {
    public var document: CheckDocument
    public var bytes: Data
}

/// What the liaison officer enters to verify a check waiting for it, as typed.
public struct VerificationInput: Sendable {
    /// The day they checked (today when empty).
    public var verifiedOn: String?
    public var expiresOn: String?
    public var note: String?
    /// For a DBS check: the certificate's 12 digits, read from the document.
    public var dbsCertificateNumber: String?

    public init(
        verifiedOn: String? = nil, expiresOn: String? = nil, note: String? = nil, dbsCertificateNumber: String? = nil
    ) {
        self.verifiedOn = verifiedOn
        self.expiresOn = expiresOn
        self.note = note
        self.dbsCertificateNumber = dbsCertificateNumber
    }
}

extension AppDatabase {
    /// A GP sends the evidence of a renewed credential: a check of that type waiting for the
    /// liaison officer to verify it (pending), with the document attached, in one transaction.
    /// Only the GP themselves; a GP may not otherwise record checks. Every problem is told at once.
    public func submitRenewal(
        gpId: Int64, type: String, expiresOn: String?, document: DocumentUpload?, by principal: Principal
    ) async throws -> CredentialCheck {
        guard principal.gpId == gpId else { throw DomainError.forbidden(GPCapability.sendRenewal.refusal) }
        let now = clock.now()
        let today = clock.today
        var errors = ValidationErrors()
        // A renewal that has already run out renews nothing.
        if let raw = expiresOn, let day = Day(raw.trimmingCharacters(in: .whitespaces)), day < today {
            errors.add("expiresOn", "The expiry date has passed: enter the renewed certificate's expiry date")
        }
        var prepared: PreparedDocument?
        if let document {
            prepared = document.prepared(field: "document", into: &errors)
        } else {
            errors.add("document", "Choose the scan or photo of the certificate to send")
        }
        let found = errors
        let kept = prepared
        let input = CheckInput(type: type, status: CredentialCheck.Status.pending.rawValue, expiresOn: expiresOn)
        return try await write { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            return try Self.recordCheck(
                db, gp: gp, input, by: principal, now: now, today: today, document: kept, alsoWrong: found,
                action: "submit-renewal")
        }
    }

    /// The liaison officer verifies a check waiting for it (a GP's renewal) in one step: a verified
    /// check of the same type, a new row (the pending one stays in the history), resting on the same
    /// document. 409 when it is no longer waiting (verified already, or a newer check recorded).
    public func verifyCheck(gpId: Int64, checkId: Int64, _ input: VerificationInput, by principal: Principal) async throws
        -> CredentialCheck
    {
        let now = clock.now()
        let today = clock.today
        return try await write { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            try AccessPolicy.require(principal, .manageOrganisation(organisationId: gp.organisationId))
            guard let waiting = try CredentialCheck.fetchOne(db, id: checkId), waiting.gpId == gpId else {
                throw DomainError.notFound("This GP has no check with that id")
            }
            let newest = try Int64.fetchOne(
                db, sql: "SELECT MAX(id) FROM credentialCheck WHERE gpId = ? AND type = ?", arguments: [gpId, waiting.type])
            guard waiting.status == .pending, newest == waiting.id else {
                throw DomainError.conflict("This check is no longer waiting: a newer one has been recorded (see the history)")
            }
            var check = CheckInput(
                type: waiting.type, status: CredentialCheck.Status.verified.rawValue, verifiedOn: input.verifiedOn,
                expiresOn: input.expiresOn, note: input.note,
                dbsCertificateNumber: input.dbsCertificateNumber ?? waiting.dbsCertificateNumber,
                dbsIssuedOn: waiting.dbsIssuedOn?.description, dbsLevel: waiting.dbsLevel,
                dbsUpdateService: waiting.dbsUpdateService)
            check.appraisalOn = waiting.appraisalOn?.description
            return try Self.recordCheck(
                db, gp: gp, check, by: principal, now: now, today: today, documentId: waiting.documentId,
                action: "verify-check")
        }
    }

    /// Keeps a document for a GP (its check named afterwards, once recorded) and answers its id.
    static func insertDocument(_ db: Database, _ document: PreparedDocument, gpId: Int64, by principal: Principal, at now: Date)
        throws -> Int64
    {
        try db.execute(
            sql: """
                INSERT INTO checkDocument (gpId, contentType, byteCount, sha256, originalName, bytes, uploadedById, uploadedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                gpId, document.kind.contentType, document.bytes.count, document.sha256, document.name, document.bytes,
                principal.recordedUserId, now,
            ])
        return db.lastInsertedRowID
    }

    /// A document with its bytes: for the GP and their liaison officer (or an administrator) only.
    public func document(id: Int64, by principal: Principal) async throws -> DocumentDownload {
        try await read { db in
            guard
                let document = try CheckDocument.fetchOne(
                    db, sql: "SELECT \(CheckDocument.metadataColumns) FROM checkDocument WHERE id = ?", arguments: [id]),
                let gp = try GP.fetchOne(db, id: document.gpId)
            else { throw DomainError.notFound("No document has that id") }
            guard Self.capabilities(principal, on: gp).contains(.seeDocuments) else {
                throw DomainError.forbidden(GPCapability.seeDocuments.refusal)
            }
            let bytes = try Data.fetchOne(db, sql: "SELECT bytes FROM checkDocument WHERE id = ?", arguments: [id]) ?? Data()
            return DocumentDownload(document: document, bytes: bytes)
        }
    }

    /// What is known of a GP's documents (never their bytes), oldest first: for those who may read them.
    public func documents(gpId: Int64, by principal: Principal) async throws -> [CheckDocument] {
        try await read { db in
            guard let gp = try GP.fetchOne(db, id: gpId) else { throw DomainError.notFound("No GP has that id") }
            guard Self.capabilities(principal, on: gp).contains(.seeDocuments) else {
                throw DomainError.forbidden(GPCapability.seeDocuments.refusal)
            }
            return try CheckDocument.fetchAll(
                db, sql: "SELECT \(CheckDocument.metadataColumns) FROM checkDocument WHERE gpId = ? ORDER BY id",
                arguments: [gpId])
        }
    }
}
