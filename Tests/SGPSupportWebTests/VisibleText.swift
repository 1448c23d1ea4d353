import Foundation
import SGPSupport
import Testing

/// What a page shows a person as words, and the codes among them that should have been labels:
/// a domain value's code where its title belongs (`freelance`, `home-visits`), a skill's code,
/// an ISO week (`2026-W49`) or an ISO date (`2026-12-07`, where people read "Mon 7 Dec 2026").
enum VisibleText {
    /// The text between tags, outside scripts and styles, each piece trimmed and unescaped.
    static func pieces(of html: String) -> [String] {
        var text = html
        for element in ["script", "style", "head"] {
            text = text.replacingOccurrences(
                of: "<\(element)[^>]*>[\\s\\S]*?</\(element)>", with: " ", options: [.regularExpression, .caseInsensitive])
        }
        return text.components(separatedBy: "<").compactMap { part -> String? in
            guard let close = part.firstIndex(of: ">") else { return part.isEmpty ? nil : part }
            return String(part[part.index(after: close)...])
        }
        .map {
            $0.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&nbsp;", with: " ")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        .filter { !$0.isEmpty }
    }

    /// Codes shown as words. A code equal to how its title is written in a sentence ("out-of-hours")
    /// is a word, not a code; a hyphenated code is caught inside sentences too.
    static func codes(in html: String, skills: [(code: String, name: String)]) -> [String] {
        let choices =
            Labels.everyChoice.filter { $0.code != $0.title.lowercased() }.map(\.code)
            + skills.filter { $0.code != $0.name.lowercased() }.map(\.code)
        let codes = Set(choices)
        let hyphenated = codes.filter { $0.contains("-") }
        var found: [String] = []
        for piece in pieces(of: html) {
            if codes.contains(piece) { found.append(piece) }
            let words = piece.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") }).map(String.init)
            found += words.filter { hyphenated.contains($0) && $0 != piece }
            for pattern in [#"\b[0-9]{4}-W[0-9]{2}\b"#, #"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b"#] {
                var rest = piece[...]
                while let range = rest.range(of: pattern, options: .regularExpression) {
                    found.append(String(rest[range]))
                    rest = rest[range.upperBound...]
                }
            }
        }
        return found
    }
}

@Suite struct VisibleTextTests {
    /// The check the access table runs over every page: it finds what a person would notice.
    @Test func codesShownAsWordsAreFoundAndLabelsAreNot() {
        let skills = [(code: "coil-fitting", name: "Coil fitting")]
        let page = """
            <html><head><title>2026-12-07</title></head><body>
            <td>freelance</td><td>Freelance / locum</td><p>Lacks coil-fitting today</p><p>Coil fitting</p>
            <p>Week 2026-W49</p><p>Booked for 2026-12-07</p><p>Mon 7 Dec 2026, w/c 7 Dec 2026</p>
            <p>an out-of-hours session</p><input value="2026-12-07" name="home-visits">
            <script>var x = "gp";</script></body></html>
            """
        #expect(VisibleText.codes(in: page, skills: skills) == ["freelance", "coil-fitting", "2026-W49", "2026-12-07"])
    }
}
