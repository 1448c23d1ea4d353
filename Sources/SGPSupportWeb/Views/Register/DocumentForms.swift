import Foundation
import SGPSupport

/// What the document fields say and offer, wherever a document is sent.
enum DocumentForms {
    /// The kinds a file field offers to choose, by extension and by type.
    static let accept = CheckDocument.Kind.allCases.flatMap { kind in kind.extensions.map { "." + $0 } + [kind.contentType] }
        .joined(separator: ",")

    /// "PDF, JPEG or PNG, up to 10 MB".
    static let kindsAndSize =
        "\(CheckDocument.Kind.titlesInWords), up to \(DocumentUpload.sizeText(CheckDocument.maximumBytes))"
}

/// The GP's form on their own register entry for sending a renewed certificate: a check of their
/// profession waiting for the liaison officer, with the document.
enum RenewalForm {
    struct Input {
        var type: String?
        var expiresOn: String?
    }

    /// `types` are the checks of the GP's own profession.
    static func declaration(types: [CheckType]) -> FormDeclaration<Input> {
        FormDeclaration([
            .select(
                "type", "Which check it renews", \.type, choices: [("", "Choose the check")] + types.map { ($0.code, $0.name) }
            ),
            .date(
                "expiresOn", "Expires on", \.expiresOn,
                hint: "The last day the renewed certificate is good for. Leave it blank if it has no expiry date."),
        ])
    }

    /// The file: a field of the page, not of the check's input (it comes with the submission's files).
    static func documentField(errors: ValidationErrors) -> FormField {
        .file(
            "document", "The certificate", errors: errors, hint: "A scan or photo of it: \(DocumentForms.kindsAndSize).",
            accept: DocumentForms.accept)
    }
}

/// The liaison officer's form beside a check waiting to be verified. Each waiting check has its own
/// form on the profile page, so its fields' names (and so their ids) end in the check's id.
enum VerifyForm {
    static func declaration(checkId: Int64, isDBS: Bool) -> FormDeclaration<VerificationInput> {
        FormDeclaration([
            .date("verifiedOn-\(checkId)", "Date checked", \.verifiedOn, hint: "Today if left blank."),
            .date(
                "expiresOn-\(checkId)", "Expires on", \.expiresOn,
                hint: "The last day it is good for, as the document says. Filled in with the date the GP gave."),
            isDBS
                ? .text(
                    "dbsCertificateNumber-\(checkId)", "DBS certificate number", \.dbsCertificateNumber,
                    hint: "12 digits, from the certificate. Never record what a disclosure says.") : nil,
            .textarea(
                "note-\(checkId)", "Evidence note", \.note,
                hint: "What was seen, e.g. \"Certificate from the indemnity provider, checked against the original\"."),
        ])
    }

    /// The form before anything is posted: checked today, expiring when the check waiting says.
    static func current(_ waiting: CredentialCheck, today: Day) -> VerificationInput {
        VerificationInput(
            verifiedOn: today.description, expiresOn: waiting.expiresOn?.description,
            dbsCertificateNumber: waiting.dbsCertificateNumber)
    }

    /// The domain's messages under the names this check's form gives its fields.
    static func errors(_ errors: ValidationErrors, checkId: Int64) -> ValidationErrors {
        var named = ValidationErrors()
        for entry in errors.entries { named.add("\(entry.field)-\(checkId)", entry.message) }
        return named
    }
}
