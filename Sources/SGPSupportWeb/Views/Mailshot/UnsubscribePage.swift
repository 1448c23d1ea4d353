import Foundation
import SGPSupport

/// The page an unsubscribe link opens (`/unsubscribe/{token}`), no sign-in: the button, what it did,
/// or why the link cannot be used.
struct UnsubscribePage: Sendable {
    var page: PageChrome
    var heading: String
    var message: String
    /// Set while the button is there to press.
    var token: String?

    static func asking(page: PageChrome, token: String) -> Self {
        Self(
            page: page, heading: "Stop the weekly mailshot?",
            message: "You will get no more weekly mailshots. You can subscribe again from your page in sgpst at any time.",
            token: token)
    }

    static func done(page: PageChrome, email: String) -> Self {
        Self(page: page, heading: "Unsubscribed", message: "\(email) will get no more weekly mailshots.", token: nil)
    }

    /// A link we never sent, or (`outOfDate`) one sent before the GP subscribed again.
    static func unusable(page: PageChrome, message: String, outOfDate: Bool) -> Self {
        Self(
            page: page, heading: outOfDate ? "This link is out of date" : "This link cannot be used", message: message,
            token: nil)
    }
}

/// A GP's own mailshot setting (`/mailshot-subscription`).
struct MailshotSubscriptionPage: Sendable {
    var page: PageChrome
    var subscribed: Bool
    var since: String?

    init(page: PageChrome, gp: GP) {
        self.page = page
        subscribed = gp.mailshotConsent
        since = gp.mailshotConsentAt.map { Day($0).displayText }
    }
}
