/// Money as people read it: "£1,250.00". Amounts are integer pence everywhere; this is the one place
/// they become words.
public enum Money {
    /// Integer arithmetic: exact, and cheap enough to write for every line of every mailshot.
    public static func pounds(_ pence: Int) -> String {
        let sign = pence < 0 ? "-" : ""
        let magnitude = pence.magnitude
        var whole = String(magnitude / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        let fraction = magnitude % 100
        return "\(sign)£\(whole)\(grouped).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
