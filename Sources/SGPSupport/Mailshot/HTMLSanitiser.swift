import Foundation

/// Cuts HTML (Ink's rendering of a news item) down to an allow-list before it is emailed. Ink copies
/// link and image targets and raw HTML as written, so its output is never trusted: tags on the list
/// are written again bare (a link keeps only a web or mail `href`), images become their alt text,
/// table and small-heading tags are dropped (their text stays), and any other markup is shown as text.
/// Entities are kept, stray `&`, `<` and `>` escaped, and every open tag is closed.
enum HTMLSanitiser {
    static let allowedTags: Set<String> = [
        "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "blockquote", "code", "pre", "hr",
    ]
    /// Markup Ink itself writes that the list leaves out: only the tags go, never the text inside.
    static let droppedTags: Set<String> = ["img", "table", "thead", "tbody", "tr", "th", "td", "h5", "h6", "s", "del"]
    static let voidTags: Set<String> = ["br", "hr", "img"]
    static let linkSchemes = ["http://", "https://", "mailto:"]

    static func sanitise(_ html: String) -> String {
        let input = Array(html.unicodeScalars)
        var output = ""
        var open: [String] = []
        var index = 0
        while index < input.count {
            let scalar = input[index]
            switch scalar {
            case "<":
                guard let tag = Tag.read(input, at: index) else {
                    output += "&lt;"
                    index += 1
                    continue
                }
                output += write(tag, source: String(String.UnicodeScalarView(input[index..<tag.end])), open: &open)
                index = tag.end
            case "&":
                if let end = entityEnd(input, at: index) {
                    output.unicodeScalars.append(contentsOf: input[index..<end])
                    index = end
                } else {
                    output += "&amp;"
                    index += 1
                }
            case ">":
                output += "&gt;"
                index += 1
            default:
                output.unicodeScalars.append(scalar)
                index += 1
            }
        }
        for name in open.reversed() { output += "</\(name)>" }
        return output
    }

    /// One tag as read: its name (lower case), whether it closes, its attributes (values decoded).
    struct Tag {
        var name: String
        var closing: Bool
        var attributes: [(name: String, value: String)]
        /// Just past the `>`.
        var end: Int

        /// Reads a tag starting at `<`; nil if what follows is not one (it is then text).
        static func read(_ input: [Unicode.Scalar], at start: Int) -> Tag? {
            var index = start + 1
            func peek() -> Unicode.Scalar? { index < input.count ? input[index] : nil }
            let closing = peek() == "/"
            if closing { index += 1 }
            guard let first = peek(), first.isASCIILetter else { return nil }
            var name = ""
            while let next = peek(), next.isASCIILetter || next.isASCIIDigit || next == "-" {
                name.unicodeScalars.append(next)
                index += 1
            }
            var attributes: [(name: String, value: String)] = []
            while true {
                while let next = peek(), next.properties.isWhitespace || next == "/" { index += 1 }
                guard let next = peek() else { return nil }  // never closed: text
                if next == ">" { return Tag(name: name.lowercased(), closing: closing, attributes: attributes, end: index + 1) }
                var attribute = ""
                while let next = peek(), !next.properties.isWhitespace, !["/", ">", "="].contains(next) {
                    attribute.unicodeScalars.append(next)
                    index += 1
                }
                while let next = peek(), next.properties.isWhitespace { index += 1 }
                var value = ""
                if peek() == "=" {
                    index += 1
                    while let next = peek(), next.properties.isWhitespace { index += 1 }
                    if let quote = peek(), quote == "\"" || quote == "'" {
                        index += 1
                        while let next = peek(), next != quote {
                            value.unicodeScalars.append(next)
                            index += 1
                        }
                        guard peek() == quote else { return nil }
                        index += 1
                    } else {
                        while let next = peek(), !next.properties.isWhitespace, next != ">" {
                            value.unicodeScalars.append(next)
                            index += 1
                        }
                    }
                }
                attributes.append((attribute.lowercased(), HTMLSanitiser.decodeEntities(value)))
            }
        }

        func attribute(_ wanted: String) -> String? { attributes.first { $0.name == wanted }?.value }
    }

    private static func write(_ tag: Tag, source: String, open: inout [String]) -> String {
        if droppedTags.contains(tag.name) {
            // An image never loads; what it shows is said in words.
            guard tag.name == "img", !tag.closing, let alt = tag.attribute("alt") else { return "" }
            return escape(alt)
        }
        guard allowedTags.contains(tag.name) else { return escape(source) }
        if voidTags.contains(tag.name) { return tag.closing ? "" : "<\(tag.name)>" }
        if tag.closing {
            // A closing tag nothing opened is dropped; one that skips others closes them too.
            guard let position = open.lastIndex(of: tag.name) else { return "" }
            let closed = open[position...].reversed().map { "</\($0)>" }.joined()
            open.removeSubrange(position...)
            return closed
        }
        open.append(tag.name)
        if tag.name == "a", let href = tag.attribute("href").flatMap(safeLink) {
            return "<a href=\"\(escape(href))\">"
        }
        return "<\(tag.name)>"
    }

    /// A web or mail address as written (spaces round it trimmed), or nil for anything else.
    static func safeLink(_ href: String) -> String? {
        let trimmed = href.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        let lowered = trimmed.lowercased()
        guard linkSchemes.contains(where: { lowered.hasPrefix($0) && lowered.count > $0.count }) else { return nil }
        // Nothing that a mail client might read as the end of the address or a new line.
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return nil }
        return trimmed
    }

    /// Where an entity (`&amp;`, `&#38;`, `&#x26;`) starting at `&` ends, just past its `;`.
    static func entityEnd(_ input: [Unicode.Scalar], at start: Int) -> Int? {
        var index = start + 1
        var numeric = false
        var hex = false
        if index < input.count, input[index] == "#" {
            numeric = true
            index += 1
            if index < input.count, input[index] == "x" || input[index] == "X" {
                hex = true
                index += 1
            }
        }
        let first = index
        while index < input.count, index - first <= 32 {
            let scalar = input[index]
            let fits =
                hex ? scalar.isASCIIHexDigit : numeric ? scalar.isASCIIDigit : (scalar.isASCIILetter || scalar.isASCIIDigit)
            guard fits else { break }
            index += 1
        }
        guard index > first, index < input.count, input[index] == ";" else { return nil }
        if !numeric, !input[first].isASCIILetter { return nil }
        return index + 1
    }

    /// Decodes the entities that can disguise a link's scheme: numeric ones and the few named ones
    /// HTML escaping writes. Others stay as written (and are escaped again on the way out).
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named: [String: String] = [
            "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "colon": ":", "tab": "\t", "newline": "\n",
            "nbsp": "\u{A0}",
        ]
        let input = Array(text.unicodeScalars)
        var output = ""
        var index = 0
        while index < input.count {
            if input[index] == "&", let end = entityEnd(input, at: index) {
                let body = String(String.UnicodeScalarView(input[(index + 1)..<(end - 1)]))
                var decoded: String?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    decoded = UInt32(body.dropFirst(2), radix: 16).flatMap { Unicode.Scalar($0) }.map { String($0) }
                } else if body.hasPrefix("#") {
                    decoded = UInt32(body.dropFirst()).flatMap { Unicode.Scalar($0) }.map { String($0) }
                } else {
                    decoded = named[body.lowercased()]
                }
                if let decoded {
                    output += decoded
                    index = end
                    continue
                }
            }
            output.unicodeScalars.append(input[index])
            index += 1
        }
        return output
    }

    /// Escapes text for an element or a double-quoted attribute value: the mailshot's one escape.
    static func escape(_ text: String) -> String { MailshotRenderer.escape(text) }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
    fileprivate var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
    fileprivate var isASCIIHexDigit: Bool { isASCIIDigit || (0x41...0x46).contains(value) || (0x61...0x66).contains(value) }
}
