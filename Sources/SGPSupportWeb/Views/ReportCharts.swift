import Foundation
import SGPSupport

/// Charts drawn on the server as SVG: no script, presentation attributes only (the page's CSP allows
/// no inline style), each with a title and a description that say in words what it shows; the same
/// numbers are in the table under it.
enum ReportCharts {
    static let width = 640
    static let height = 220
    static let margin = (left: 40, right: 10, top: 10, bottom: 40)

    /// Bars of sessions filled per week.
    static func weeklyBars(_ weeks: [WeeklyFill]) -> String {
        let maximum = max(1, weeks.map(\.filled).max() ?? 0)
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        let slot = weeks.isEmpty ? 0 : Double(plotWidth) / Double(weeks.count)
        var bars: [String] = []
        for (index, week) in weeks.enumerated() {
            let barHeight = Double(plotHeight) * Double(week.filled) / Double(maximum)
            let x = Double(margin.left) + slot * Double(index) + slot * 0.15
            let y = Double(margin.top + plotHeight) - barHeight
            bars.append(
                "<rect x=\"\(fixed(x))\" y=\"\(fixed(y))\" width=\"\(fixed(slot * 0.7))\" height=\"\(fixed(barHeight))\" fill=\"#005eb8\"><title>\(escape(weekName(week.week))): \(week.filled) filled</title></rect>"
            )
            if weeks.count <= 16 || index % max(1, weeks.count / 12) == 0 {
                bars.append(label(x: x + slot * 0.35, y: Double(height - margin.bottom + 16), text: axisLabel(week.week)))
            }
        }
        let description =
            weeks.isEmpty
            ? "No weeks in the period."
            : "Sessions filled each week: " + weeks.map { "\(weekName($0.week)): \($0.filled)" }.joined(separator: ", ") + "."
        return svg(
            id: "fills", title: "Sessions filled per week", description: description, body: axes(maximum: maximum) + bars.joined()
        )
    }

    /// A line of the fill rate per week (weeks with nothing decided leave a gap).
    static func fillRateLine(_ weeks: [WeeklyFill]) -> String {
        let plotWidth = width - margin.left - margin.right
        let plotHeight = height - margin.top - margin.bottom
        let step = weeks.count > 1 ? Double(plotWidth) / Double(weeks.count - 1) : 0
        var segments: [[String]] = [[]]
        var points: [String] = []
        for (index, week) in weeks.enumerated() {
            guard let rate = week.fillRate else {
                segments.append([])
                continue
            }
            let x = Double(margin.left) + step * Double(index) + (weeks.count == 1 ? Double(plotWidth) / 2 : 0)
            let y = Double(margin.top) + Double(plotHeight) * (1 - rate)
            segments[segments.count - 1].append("\(fixed(x)),\(fixed(y))")
            points.append(
                "<circle cx=\"\(fixed(x))\" cy=\"\(fixed(y))\" r=\"4\" fill=\"#007f3b\"><title>\(escape(weekName(week.week))): \(Int((rate * 100).rounded()))%</title></circle>"
            )
        }
        let lines = segments.filter { $0.count > 1 }.map {
            "<polyline points=\"\($0.joined(separator: " "))\" fill=\"none\" stroke=\"#007f3b\" stroke-width=\"3\"/>"
        }
        let description =
            weeks.allSatisfy({ $0.fillRate == nil })
            ? "No session reached its date in the period, so there is no fill rate to show."
            : "Fill rate each week: "
                + weeks.map { "\(weekName($0.week)): \($0.fillRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "none decided")" }
                .joined(separator: ", ") + "."
        return svg(
            id: "rate", title: "Fill rate per week", description: description,
            body: axes(maximum: nil) + lines.joined() + points.joined())
    }

    /// "w/c 7 Dec 2026" for the report's `2026-W50` (the code itself if it is not a week).
    static func weekName(_ code: String) -> String {
        IsoWeek(code)?.displayText ?? code
    }

    /// "7 Dec" under a bar: the week's Monday, short enough for thirteen weeks side by side.
    private static func axisLabel(_ code: String) -> String {
        guard let monday = IsoWeek(code)?.monday else { return code }
        return monday.shortText.split(separator: " ").prefix(2).joined(separator: " ")
    }

    private static func axes(maximum: Int?) -> String {
        let bottom = height - margin.bottom
        var parts = [
            "<line x1=\"\(margin.left)\" y1=\"\(margin.top)\" x2=\"\(margin.left)\" y2=\"\(bottom)\" stroke=\"#4c6272\"/>",
            "<line x1=\"\(margin.left)\" y1=\"\(bottom)\" x2=\"\(width - margin.right)\" y2=\"\(bottom)\" stroke=\"#4c6272\"/>",
        ]
        let top = maximum.map(String.init) ?? "100%"
        parts.append(label(x: Double(margin.left - 6), y: Double(margin.top + 10), text: top, anchor: "end"))
        parts.append(label(x: Double(margin.left - 6), y: Double(bottom), text: "0", anchor: "end"))
        return parts.joined()
    }

    private static func label(x: Double, y: Double, text: String, anchor: String = "middle") -> String {
        "<text x=\"\(fixed(x))\" y=\"\(fixed(y))\" font-size=\"12\" text-anchor=\"\(anchor)\" fill=\"#212b32\">\(escape(text))</text>"
    }

    private static func svg(id: String, title: String, description: String, body: String) -> String {
        """
        <svg class="chart" viewBox="0 0 \(width) \(height)" role="img" aria-labelledby="\(id)-title \(id)-desc" \
        xmlns="http://www.w3.org/2000/svg"><title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>\(body)</svg>
        """
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
