import Foundation

/// Shapes of UK identifiers and contact details, each answering the normalised form or nil.
public enum Validators {
    /// GMC reference number: exactly seven digits.
    public static func gmcNumber(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        return value.range(of: #"^[0-9]{7}$"#, options: .regularExpression) != nil ? value : nil
    }

    /// ODS code of a GP practice: a letter and five digits (A81001).
    public static func odsCode(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces).uppercased()
        return value.range(of: #"^[A-Z][0-9]{5}$"#, options: .regularExpression) != nil ? value : nil
    }

    /// A UK phone number: 10 or 11 digits starting 0, or +44; kept as typed but tidied.
    public static func ukPhone(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        var digits = value.filter { !" -()".contains($0) }
        if digits.hasPrefix("+44") { digits = "0" + digits.dropFirst(3) }
        guard digits.range(of: #"^0[0-9]{9,10}$"#, options: .regularExpression) != nil else { return nil }
        return value.replacingOccurrences(of: "  ", with: " ")
    }

    /// A UK postcode, answered in capitals with one space (SW1A 1AA).
    public static func ukPostcode(_ raw: String) -> String? {
        let compact = raw.uppercased().filter { !$0.isWhitespace }
        guard compact.range(of: #"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"#, options: .regularExpression) != nil else {
            return nil
        }
        return compact.dropLast(3) + " " + compact.suffix(3)
    }

    /// Reads an optional field that was sent: empty clears it (`.some(nil)`), a valid value comes back
    /// normalised, an invalid one adds `message`; absent (`nil`) means "leave it as it is".
    static func optional(
        _ raw: String?, field: String, message: String, into errors: inout ValidationErrors, normalise: (String) -> String?
    ) -> String?? {
        guard let raw = raw?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        if raw.isEmpty { return .some(nil) }
        guard let value = normalise(raw) else {
            errors.add(field, message)
            return nil
        }
        return .some(value)
    }

    static let emailMessage = "Enter an email address in the right format, like name@example.org"
    static let phoneMessage = "Enter a UK phone number, like 01632 960123 or 07700 900123"
    static let postcodeMessage = "Enter a full UK postcode, like SW1A 1AA"

    public static func email(_ raw: String) -> String? {
        EmailAddress.normalised(raw)
    }

    /// NHS-number-shaped text (ten digits, spaced 3-3-4 or not).
    public static func containsNHSNumberShape(_ text: String) -> Bool {
        text.range(of: #"(?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9])"#, options: .regularExpression) != nil
    }
}
