import Foundation

/// An IPv4 or IPv6 address as its bytes (4 or 16), read from its usual text form.
struct IPAddress: Equatable, Sendable {
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Dotted IPv4 ("192.0.2.1", no leading zeros, which some read as octal) or IPv6 ("2001:db8::1",
    /// "::ffff:192.0.2.1"); nil for anything else, zone suffixes ("%eth0") included.
    init?(_ text: String) {
        guard let bytes = text.contains(":") ? Self.ipv6(text) : Self.ipv4(Substring(text)) else { return nil }
        self.bytes = bytes
    }

    /// An IPv4 address carried in IPv6 (`::ffff:a.b.c.d`, as a dual-stack socket reports IPv4 peers)
    /// is that IPv4 address.
    var unmapped: IPAddress {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return self
        }
        return IPAddress(bytes: Array(bytes[12...]))
    }

    /// The address with every bit after the first `length` cleared.
    func masked(to length: Int) -> IPAddress {
        IPAddress(
            bytes: bytes.enumerated().map { index, byte in
                let kept = max(0, min(8, length - index * 8))
                return kept == 8 ? byte : byte & ~(UInt8(0xFF) >> kept)
            })
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isWholeNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        /// Colon-separated groups of up to four hex digits; the very last may be dotted IPv4.
        func groups(_ part: String, lastMayBeIPv4: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var bytes: [UInt8] = []
            for (index, piece) in pieces.enumerated() {
                if lastMayBeIPv4, index == pieces.count - 1, piece.contains(".") {
                    guard let ipv4 = Self.ipv4(piece) else { return nil }
                    bytes += ipv4
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let value = UInt16(piece, radix: 16)
                    else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], lastMayBeIPv4: true), all.count == 16 else { return nil }
            return all
        }
        // "::" stands for at least one group of zeros.
        guard let head = groups(halves[0], lastMayBeIPv4: false), let tail = groups(halves[1], lastMayBeIPv4: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A range of network addresses in CIDR notation ("10.0.0.0/8", "2001:db8::/32"; a bare address is
/// the range of that one address): the reverse proxies whose `X-Forwarded-For` is believed.
public struct NetworkRange: Sendable, Equatable, CustomStringConvertible {
    let network: IPAddress
    let prefixLength: Int
    public let description: String

    /// Why a range was refused, naming it and what would be right.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else {
            throw Invalid(
                description:
                    "\"\(text)\" is not an address range: give an IPv4 or IPv6 address and a prefix length, "
                    + "like 10.0.0.0/8 or 2001:db8::/32")
        }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isWholeNumber }), let value = Int(parts[1]), (0...bits).contains(value)
            else {
                throw Invalid(
                    description:
                        "\"\(text)\": the prefix length of an IPv\(bits == 32 ? 4 : 6) range is a whole number from 0 to \(bits)")
            }
            length = value
        }
        guard address.masked(to: length) == address else {
            throw Invalid(
                description:
                    "\"\(text)\": the address has bits set after its first \(length); give the range's first address")
        }
        network = address
        prefixLength = length
        description = trimmed
    }

    /// Whether an address (as a socket or a proxy reports it) is in the range. An IPv4 address
    /// carried in IPv6 counts as the IPv4 address.
    public func contains(_ text: String) -> Bool {
        guard var address = IPAddress(text) else { return false }
        if network.bytes.count == 4 { address = address.unmapped }
        return address.bytes.count == network.bytes.count && address.masked(to: prefixLength) == network
    }
}

/// Who a request comes from, for the per-address sign-in limit.
enum ClientAddress {
    /// The TCP peer, unless the peer is a trusted proxy: then the rightmost `X-Forwarded-For` address
    /// that is not itself a trusted proxy. Each proxy appends the address it was reached from, so
    /// only the right end was written by proxies we trust; whatever a client sends sits to its left.
    static func resolve(peer: String, forwardedFor: [String], trustedProxies: [NetworkRange]) -> String {
        func trusted(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }
        guard trusted(peer) else { return peer }
        var nearest = peer
        for entry in forwardedFor.flatMap({ $0.split(separator: ",") }).reversed() {
            // An entry that is no address ends the trail at the trusted hop that wrote it.
            guard let hop = address(in: entry), IPAddress(hop) != nil else { return nearest }
            if !trusted(hop) { return hop }
            nearest = hop
        }
        return nearest
    }

    /// One entry of the header without spaces, brackets or a port ("[2001:db8::1]:443",
    /// "203.0.113.7:5000").
    static func address(in entry: Substring) -> String? {
        var text = entry.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])
        }
        return text.isEmpty ? nil : text
    }
}
