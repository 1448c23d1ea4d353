/// Failures the domain reports to its callers; the web layer maps each to a status and a stable code.
public enum DomainError: Error, Equatable, Sendable {
    /// Input that breaks a rule: field name → what to fix.
    case validationFailed(ValidationErrors)
    case notFound(String)
    case conflict(String)
    case forbidden(String)
    case invalidCredentials
    case tooManyAttempts(retryAfterSeconds: Int)
    /// The password was right; this sign-in also needs the code from an authenticator app.
    case secondFactorNeeded
    /// This sign-in needs an authenticator app that has not been set up yet (set up on the web).
    case secondFactorNotSetUp
    /// The authenticator code is wrong, or was already used.
    case invalidSecondFactorCode
    /// The disk or the database's size cap is full: the write was rolled back whole.
    case storageFull
    /// The database stayed locked for longer than the busy timeout: nothing was written.
    case busy
}

/// Field-level validation messages in the order the fields were checked.
public struct ValidationErrors: Error, Equatable, Sendable {
    public private(set) var entries: [(field: String, message: String)] = []

    public init() {}

    public init(field: String, message: String) {
        add(field, message)
    }

    public var isEmpty: Bool { entries.isEmpty }

    public var fields: [String: String] {
        Dictionary(entries.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(field: String) -> String? {
        entries.first { $0.field == field }?.message
    }

    /// Keeps the first message for a field: it is the one the user must fix first.
    public mutating func add(_ field: String, _ message: String) {
        guard self[field] == nil else { return }
        entries.append((field, message))
    }

    /// Throws `DomainError.validationFailed` when any message was added.
    public func throwIfAny() throws {
        if !isEmpty { throw DomainError.validationFailed(self) }
    }

    public static func == (lhs: ValidationErrors, rhs: ValidationErrors) -> Bool {
        lhs.entries.map(\.field) == rhs.entries.map(\.field)
            && lhs.entries.map(\.message) == rhs.entries.map(\.message)
    }
}
