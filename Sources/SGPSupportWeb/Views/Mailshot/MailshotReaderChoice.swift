import Foundation
import SGPSupport

/// Choosing whose mailshot to see, or to be sent as a test copy: the consenting GPs by name. Their
/// entry's number is the value sent, never shown; a name two GPs share gets each one's address
/// beside it, so every choice is one person.
enum MailshotReaderChoice {
    static func field(
        _ name: String, _ label: String, readers: [MailshotGPReader], selected: Int64?, none: String, hint: String? = nil
    ) -> FormField {
        let counts = Dictionary(readers.map { ($0.name.lowercased(), 1) }, uniquingKeysWith: +)
        let choices: [(String, String)] =
            [("", none)]
            + readers.map { reader -> (String, String) in
                let shared = (counts[reader.name.lowercased()] ?? 0) > 1
                return (String(reader.gpId), shared ? "\(reader.name) (\(reader.email))" : reader.name)
            }
        return .select(
            name, label, value: selected.map(String.init) ?? "", choices: choices, errors: ValidationErrors(), hint: hint)
    }
}
