import Logging
import SGPSupport

extension MailTransport {
    /// Sends notifications after their change is saved. A failed send is logged, not thrown: the
    /// change stands, and the page or API answer says what was saved.
    func deliver(_ messages: [MailMessage], logger: Logger) async {
        for message in MailMessage.once(messages) {
            do {
                try await send(message)
            } catch {
                logger.error("Could not send email", metadata: ["to": "\(message.to)", "error": "\(error)"])
            }
        }
    }
}
