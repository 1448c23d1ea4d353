import Foundation

/// Shapes of UK identifiers and contact details, each answering the normalised form or nil.
public enum Validators {
    /// GMC reference number: exactly seven digits.
    public static func gmcNumber(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        return value.range(of: #"^[0-9]{7}$"#, options: .regularExpression) != nil ? value : nil
    }

    /// A registration number in its regulator's shape: GMC (doctors) and GPhC (pharmacists) numbers
    /// are seven digits; an NMC PIN is two digits, a letter, four digits and a letter (12A3456E).
    public static func registrationNumber(_ raw: String, profession: GP.Profession) -> String? {
        let value = raw.uppercased().filter { !$0.isWhitespace }
        let shape = profession == .nurse ? #"^[0-9]{2}[A-Z][0-9]{4}[A-Z]$"# : #"^[0-9]{7}$"#
        return value.range(of: shape, options: .regularExpression) != nil ? value : nil
    }

    /// A registration number of any profession's shape, normalised: for finding an entry by its number.
    public static func anyRegistrationNumber(_ raw: String) -> String? {
        GP.Profession.allCases.lazy.compactMap { registrationNumber(raw, profession: $0) }.first
    }

    /// ODS code of a GP practice: a letter and five digits (A81001).
    /// A National Insurance number as HMRC issues them: two letters (not D, F, I, Q, U or V; the
    /// second not O), six digits and a final A–D; the prefixes never issued are refused.
    public static func isNINumber(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 9, characters.allSatisfy(\.isASCII) else { return false }
        let first = characters[0]
        let second = characters[1]
        let excluded: Set<Character> = ["D", "F", "I", "Q", "U", "V"]
        guard first.isLetter, second.isLetter, first.isUppercase, second.isUppercase, !excluded.contains(first),
            !excluded.contains(second), second != "O",
            characters[2..<8].allSatisfy(\.isNumber), "ABCD".contains(characters[8])
        else { return false }
        return !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(String(characters[0..<2]))
    }

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

    /// Whether the text holds an NHS number: ten digits whose modulus-11 check digit is valid, however
    /// they are written. Digits of any script count (full-width `９`), and groups of digits joined only
    /// by separators (any space, `.`, `-`, `_`, `/`, dashes, invisible marks) read as one number, so
    /// `943.476.5919` or `943  476_5919` is caught; any run of whole groups making ten digits is
    /// checked, so a digit put in front does not hide it either. Other ten-digit numbers (a phone
    /// number) fail the check digit and pass.
    public static func containsNHSNumber(_ text: String) -> Bool {
        var groups: [[Int]] = []  // the run so far: groups of digits joined only by separators
        var group: [Int] = []
        for scalar in text.unicodeScalars {
            if let digit = decimalDigit(scalar) {
                group.append(digit)
                continue
            }
            if !group.isEmpty { groups.append(group) }
            group = []
            if !isNumberSeparator(scalar) {
                if hasNHSNumber(groups) { return true }
                groups = []
            }
        }
        if !group.isEmpty { groups.append(group) }
        return hasNHSNumber(groups)
    }

    /// Any run of whole consecutive groups that makes ten digits and passes the check.
    private static func hasNHSNumber(_ groups: [[Int]]) -> Bool {
        for start in groups.indices {
            var digits: [Int] = []
            for group in groups[start...] {
                digits += group
                if digits.count >= 10 { break }
            }
            if digits.count == 10, nhsCheckDigitIsValid(digits) { return true }
        }
        return false
    }

    /// The NHS number's modulus-11 check: the first nine digits weighted 10 down to 2; 11 minus the
    /// remainder of their sum is the tenth digit (11 reads as 0; 10 means no valid number).
    static func nhsCheckDigitIsValid(_ digits: [Int]) -> Bool {
        guard digits.count == 10 else { return false }
        let sum = zip(digits.prefix(9), stride(from: 10, through: 2, by: -1)).map { $0 * $1 }.reduce(0, +)
        let check = 11 - sum % 11
        if check == 10 { return false }
        return (check == 11 ? 0 : check) == digits[9]
    }

    /// A decimal digit in any script, as its value.
    private static func decimalDigit(_ scalar: Unicode.Scalar) -> Int? {
        let properties = scalar.properties
        guard properties.numericType == .decimal || properties.numericType == .digit,
            let value = properties.numericValue, value >= 0, value <= 9, value == value.rounded()
        else { return nil }
        return Int(value)
    }

    /// What may stand between the digits of one number without ending it.
    private static func isNumberSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace || ".-_/\u{FF0E}\u{FF0F}\u{3002}\u{00B7}".unicodeScalars.contains(scalar) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .dashPunctuation, .connectorPunctuation, .spaceSeparator, .format, .nonspacingMark, .enclosingMark: return true
        default: return false
        }
    }
}
