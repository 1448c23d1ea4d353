import Foundation
import GRDB

/// What a GP's invoices and pension forms need about them that the register does not hold: the
/// address invoiced from, NI and pension (SD) numbers, date of birth, bank details and expected pay.
/// Stored sealed; shown only to the GP, and (as each form needs) to the practice they invoice.
public struct PayDetails: Codable, Sendable, Equatable {
    public var address: String = ""
    public var niNumber: String = ""
    public var dateOfBirth: Day?
    /// The NHS Pension Scheme (SD) reference number: 8 digits.
    public var sdNumber: String = ""
    public var bankAccountName: String = ""
    public var sortCode: String = ""
    public var accountNumber: String = ""
    /// The GP's expected pensionable pay for the scheme year from all their NHS work: it chooses
    /// their contribution tier.
    public var expectedAnnualPensionablePence: Int?

    public init() {}

    /// "12-34-56".
    public var sortCodeText: String {
        guard sortCode.count == 6 else { return sortCode }
        let digits = Array(sortCode)
        return "\(String(digits[0..<2]))-\(String(digits[2..<4]))-\(String(digits[4..<6]))"
    }

    /// What an invoice needs before it can be sent.
    var missingForInvoice: [String] {
        var missing: [String] = []
        if address.isEmpty { missing.append("your address") }
        if bankAccountName.isEmpty || sortCode.isEmpty || accountNumber.isEmpty { missing.append("your bank details") }
        return missing
    }

    /// What a pension form needs.
    var missingForPension: [String] {
        var missing: [String] = []
        if niNumber.isEmpty { missing.append("your NI number") }
        if sdNumber.isEmpty { missing.append("your NHS Pension Scheme (SD) number") }
        if dateOfBirth == nil { missing.append("your date of birth") }
        return missing
    }
}

/// Pay details as the GP types them: absent fields keep their value, empty ones clear it.
public struct PayDetailsInput: Sendable, Decodable, Equatable {
    public var address: String?
    public var niNumber: String?
    public var dateOfBirth: String?
    public var sdNumber: String?
    public var bankAccountName: String?
    public var sortCode: String?
    public var accountNumber: String?
    public var expectedAnnualPensionablePay: Double?

    public init(
        address: String? = nil, niNumber: String? = nil, dateOfBirth: String? = nil, sdNumber: String? = nil,
        bankAccountName: String? = nil, sortCode: String? = nil, accountNumber: String? = nil,
        expectedAnnualPensionablePay: Double? = nil
    ) {
        self.address = address
        self.niNumber = niNumber
        self.dateOfBirth = dateOfBirth
        self.sdNumber = sdNumber
        self.bankAccountName = bankAccountName
        self.sortCode = sortCode
        self.accountNumber = accountNumber
        self.expectedAnnualPensionablePay = expectedAnnualPensionablePay
    }
}

extension AppDatabase {
    static func payDetails(_ db: Database, gpId: Int64, sealer: DataSealer) throws -> PayDetails {
        guard let sealed = try Data.fetchOne(db, sql: "SELECT sealed FROM gpPayDetails WHERE gpId = ?", arguments: [gpId])
        else { return PayDetails() }
        return try sealer.open(json: PayDetails.self, sealed, row: "gpPayDetails:\(gpId)")
    }

    /// The GP's own pay details: nobody else reads them whole.
    public func payDetails(gpId: Int64, by principal: Principal) async throws -> PayDetails {
        guard principal.gpId == gpId else { throw DomainError.forbidden("Only the GP sees and sets their own pay details") }
        let sealer = self.sealer
        return try await read { db in try Self.payDetails(db, gpId: gpId, sealer: sealer) }
    }

    /// The GP sets their pay details; each is checked as typed.
    public func setPayDetails(gpId: Int64, _ input: PayDetailsInput, by principal: Principal) async throws -> PayDetails {
        guard principal.gpId == gpId else { throw DomainError.forbidden("Only the GP sees and sets their own pay details") }
        let now = clock.now()
        let sealer = self.sealer
        return try await write { db in
            var details = try Self.payDetails(db, gpId: gpId, sealer: sealer)
            var errors = ValidationErrors()
            func clean(_ text: String?) -> String? { text?.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let address = clean(input.address) {
                if address.count > 300 {
                    errors.add("address", "Keep the address under 300 characters")
                } else {
                    details.address = address
                }
            }
            if let ni = clean(input.niNumber)?.uppercased().filter({ !$0.isWhitespace }) {
                if ni.isEmpty || Validators.isNINumber(ni) {
                    details.niNumber = ni
                } else {
                    errors.add(
                        "niNumber", "Enter the National Insurance number: 2 letters, 6 digits and A, B, C or D, like AB123456C")
                }
            }
            if let text = clean(input.dateOfBirth) {
                if text.isEmpty {
                    details.dateOfBirth = nil
                } else if let day = Day(text), day.year >= 1900, day < Day(now) {
                    details.dateOfBirth = day
                } else {
                    errors.add("dateOfBirth", "Enter the date of birth as a date in the past, like 1980-03-14")
                }
            }
            if let sd = clean(input.sdNumber)?.uppercased().replacingOccurrences(of: "SD", with: "").filter({ !$0.isWhitespace })
            {
                if sd.isEmpty || (sd.count == 8 && sd.allSatisfy(\.isASCII) && sd.allSatisfy(\.isNumber)) {
                    details.sdNumber = sd
                } else {
                    errors.add("sdNumber", "Enter the NHS Pension Scheme (SD) number: 8 digits, like 12345678")
                }
            }
            if let name = clean(input.bankAccountName) {
                if name.count > 70 {
                    errors.add("bankAccountName", "Keep the account name under 70 characters")
                } else {
                    details.bankAccountName = name
                }
            }
            if let code = clean(input.sortCode)?.filter({ $0 != "-" && !$0.isWhitespace }) {
                if code.isEmpty || (code.count == 6 && code.allSatisfy { $0.isASCII && $0.isNumber }) {
                    details.sortCode = code
                } else {
                    errors.add("sortCode", "Enter the sort code: 6 digits, like 12-34-56")
                }
            }
            if let account = clean(input.accountNumber)?.filter({ !$0.isWhitespace }) {
                if account.isEmpty || (account.count == 8 && account.allSatisfy { $0.isASCII && $0.isNumber }) {
                    details.accountNumber = account
                } else {
                    errors.add("accountNumber", "Enter the account number: 8 digits")
                }
            }
            if let pay = input.expectedAnnualPensionablePay {
                if pay.isFinite, pay >= 0, pay <= 1_000_000 {
                    details.expectedAnnualPensionablePence = pay == 0 ? nil : Int((pay * 100).rounded())
                } else {
                    errors.add(
                        "expectedAnnualPensionablePay", "Enter your expected pensionable pay for the year in pounds, like 60000")
                }
            }
            try errors.throwIfAny()
            try db.execute(
                sql: """
                    INSERT INTO gpPayDetails (gpId, sealed, updatedAt) VALUES (?, ?, ?)
                    ON CONFLICT(gpId) DO UPDATE SET sealed = excluded.sealed, updatedAt = excluded.updatedAt
                    """,
                arguments: [gpId, try sealer.seal(json: details, row: "gpPayDetails:\(gpId)"), now])
            try AuditEvent.record(db, at: now, actor: principal.actor, entity: "gp", entityId: gpId, action: "set-pay-details")
            return details
        }
    }
}
