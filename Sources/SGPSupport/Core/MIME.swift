import Foundation

/// Writes a `MailMessage` as RFC 5322 / MIME text: UTF-8 parts in base64, multipart/alternative when
/// there is HTML, RFC 2047 encoded words for non-ASCII header text. Header values never carry a
/// line break, so no name or subject can smuggle in a header of its own.
public enum MIMEWriter {
    public static func render(_ message: MailMessage, from: String, date: Date) -> String {
        let sender = MailSender.parse(from) ?? MailSender(name: nil, address: from)
        let domain = sender.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let messageID = message.messageID ?? "\(UUID().uuidString.lowercased())@\(domain)"
        var lines = [
            "From: \(address(sender.address, name: sender.name))",
            "To: \(address(message.to, name: message.toName))",
            "Subject: \(encodedWord(message.subject))",
            "Date: \(dateText(date))",
            "Message-ID: <\(headerValue(messageID))>",
            "MIME-Version: 1.0",
        ]
        for (name, value) in message.headers.sorted(by: { $0.key < $1.key }) {
            let safeName = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            guard !safeName.isEmpty else { continue }
            lines.append("\(safeName): \(headerValue(value))")
        }
        guard !message.attachments.isEmpty else {
            lines += body(message)
            return lines.joined(separator: "\r\n") + "\r\n"
        }
        // The text (or text and HTML), then each file, in one multipart/mixed.
        let boundary = "=_sgpst_mixed_\(UUID().uuidString.lowercased())"
        lines.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("This is a message with attachments.")
        lines.append("--\(boundary)")
        lines += body(message)
        for attachment in message.attachments {
            let filename = headerValue(attachment.filename).filter { !"\"\\/".contains($0) }
            lines.append("--\(boundary)")
            lines += part(
                attachment.content, type: headerValue(attachment.contentType),
                disposition: "attachment; filename=\"\(filename)\"")
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The readable part: plain text, or plain text and HTML as alternatives.
    private static func body(_ message: MailMessage) -> [String] {
        guard let html = message.html else { return part(message.text, type: "text/plain") }
        let boundary = "=_sgpst_\(UUID().uuidString.lowercased())"
        var lines = ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""]
        lines.append("This is a message in two parts: plain text and HTML.")
        lines.append("--\(boundary)")
        lines += part(message.text, type: "text/plain")
        lines.append("--\(boundary)")
        lines += part(html, type: "text/html")
        lines.append("--\(boundary)--")
        return lines
    }

    /// A part's headers and its body in base64, in lines of 76 characters.
    private static func part(_ body: String, type: String, disposition: String? = nil) -> [String] {
        let normalised = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalised.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        return ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64"]
            + (disposition.map { ["Content-Disposition: \($0)"] } ?? []) + ["", encoded]
    }

    /// `Name <address>` with the name encoded when needed; the address itself stripped of anything
    /// that could end the header.
    static func address(_ email: String, name: String?) -> String {
        let email = headerValue(email).filter { !"<>\" ,;".contains($0) }
        guard let name = name.map(headerValue), !name.isEmpty else { return email }
        let quoted = name.allSatisfy(\.isASCII) ? "\"\(name.replacingOccurrences(of: "\"", with: "'"))\"" : encodedWord(name)
        return "\(quoted) <\(email)>"
    }

    /// A header value on one line: CR, LF and other control characters become spaces.
    static func headerValue(_ value: String) -> String {
        String(value.map { $0.isNewline || ($0.asciiValue.map { $0 < 32 || $0 == 127 } ?? false) ? " " : $0 })
    }

    /// RFC 2047 encoded word for non-ASCII header text (after removing line breaks).
    static func encodedWord(_ text: String) -> String {
        let text = headerValue(text)
        return text.allSatisfy(\.isASCII) ? text : "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    /// RFC 5322 date, in UTC.
    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
