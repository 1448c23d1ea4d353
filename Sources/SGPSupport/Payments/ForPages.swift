import Foundation
import GRDB

extension AppDatabase {
    /// The GP signed in, for the pages about their own pay (their terms and pay details, Form B):
    /// anyone else has none of these, and is refused (403, as the page exists but is not theirs).
    public func ownGPId(by principal: Principal) throws -> Int64 {
        guard let gpId = principal.gpId else {
            throw DomainError.forbidden("Only a GP has terms, pay details and pension forms")
        }
        return gpId
    }
}
