import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SGPSupport
import Testing

@testable import SGPSupportWeb

/// `--trusted-proxy` ranges, and the client address the per-address sign-in limit counts.
@Suite struct ClientAddressTests {
    @Test func rangesMatchTheAddressesTheyCover() throws {
        let everyIPv4 = try NetworkRange("0.0.0.0/0")
        #expect(everyIPv4.contains("8.8.8.8") && everyIPv4.contains("255.255.255.255") && everyIPv4.contains("0.0.0.0"))
        #expect(!everyIPv4.contains("::1"), "an IPv4 range holds no IPv6 address")
        let everyIPv6 = try NetworkRange("::/0")
        #expect(everyIPv6.contains("2001:db8::1") && everyIPv6.contains("::"))
        #expect(!everyIPv6.contains("10.0.0.1"))

        for one in try [NetworkRange("10.1.2.3/32"), NetworkRange("10.1.2.3")] {
            #expect(one.contains("10.1.2.3"))
            #expect(!one.contains("10.1.2.4") && !one.contains("10.1.2.2"))
        }
        for one in try [NetworkRange("2001:db8::1/128"), NetworkRange("2001:db8::1")] {
            #expect(one.contains("2001:db8:0:0:0:0:0:1") && one.contains("2001:0db8::0001"))
            #expect(!one.contains("2001:db8::2"))
        }
        let site = try NetworkRange("2001:db8::/32")
        #expect(site.contains("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(!site.contains("2001:db9::"))
        let odd = try NetworkRange("192.168.0.0/23")
        #expect(odd.contains("192.168.1.255") && !odd.contains("192.168.2.0"))
        // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
        let ten = try NetworkRange("10.0.0.0/8")
        #expect(ten.contains("::ffff:10.9.8.7"))
        #expect(!ten.contains("::ffff:11.0.0.1"))
        #expect(!ten.contains("local"), "no address, no match")
        #expect(try NetworkRange("::1").contains("0:0:0:0:0:0:0:1"))
        #expect(try NetworkRange(" 10.0.0.0/8 ").description == "10.0.0.0/8")
    }

    @Test(arguments: [
        ("10.0.0.0/33", "the prefix length of an IPv4 range is a whole number from 0 to 32"),
        ("::/129", "the prefix length of an IPv6 range is a whole number from 0 to 128"),
        ("10.0.0.0/-1", "from 0 to 32"), ("10.0.0.0/", "from 0 to 32"), ("10.0.0.0/8/8", "from 0 to 32"),
        ("10.0.0.1/8", "the address has bits set after its first 8"),
        ("2001:db8::1/32", "the address has bits set after its first 32"),
        ("300.0.0.0/8", "is not an address range"), ("10.0.0/8", "is not an address range"),
        ("010.0.0.0/8", "is not an address range"), ("1::2::3/64", "is not an address range"),
        ("fe80::1%eth0/64", "is not an address range"), ("12345::/16", "is not an address range"),
        ("1:2:3:4:5:6:7:8:9/128", "is not an address range"), ("not-an-address", "is not an address range"),
        ("", "is not an address range"),
    ])
    func aRangeThatIsWrongIsRefusedSayingWhy(_ text: String, _ reason: String) {
        do {
            let range = try NetworkRange(text)
            Issue.record("\(text) was read as \(range)")
        } catch let error as NetworkRange.Invalid {
            #expect(error.description.contains(reason), "\(text): \(error.description)")
            #expect(error.description.contains("\"\(text)\""), "the message names what was given")
        } catch {
            Issue.record("\(text): unexpected \(error)")
        }
    }

    @Test func theForwardedAddressIsBelievedOnlyFromATrustedProxy() throws {
        let proxies = try [NetworkRange("10.0.0.0/8"), NetworkRange("2001:db8::/32")]
        func client(_ peer: String, _ header: [String]) -> String {
            ClientAddress.resolve(peer: peer, forwardedFor: header, trustedProxies: proxies)
        }
        #expect(client("203.0.113.9", ["198.51.100.1"]) == "203.0.113.9", "an untrusted peer's header is ignored")
        #expect(client("10.0.0.5", []) == "10.0.0.5", "no header: the proxy itself")
        #expect(client("10.0.0.5", ["198.51.100.1"]) == "198.51.100.1")
        // The client may write anything to the left; only the right end is the proxies' own.
        #expect(client("10.0.0.5", ["1.1.1.1, 198.51.100.1"]) == "198.51.100.1")
        #expect(client("10.0.0.5", ["1.1.1.1", "198.51.100.1, 10.0.0.7"]) == "198.51.100.1", "trusted hops are passed over")
        #expect(client("2001:db8::5", ["[2001:db8:1::9]:443, 203.0.113.7:5000"]) == "203.0.113.7")
        #expect(client("::ffff:10.0.0.5", ["2001:db8::7, 2001:db9::7"]) == "2001:db9::7")
        #expect(client("10.0.0.5", ["198.51.100.1, unknown"]) == "10.0.0.5", "a hop that is no address ends the trail")
        #expect(client("10.0.0.5", ["10.0.0.6, 10.0.0.7"]) == "10.0.0.6", "all trusted: the furthest one named")
    }

    /// Over a real socket (the peer is this machine): the per-address limit counts the TCP peer unless
    /// it is a trusted proxy, and then the address it forwards.
    @Test func thePerAddressLimitCountsTheForwardedClientOnlyBehindATrustedProxy() async throws {
        var direct = try await TestEnvironment(demo: false)
        direct.configuration.signInLimits.failuresPerAddress = 2
        try await direct.test(.live) { browser in
            try await browser.request("/sign-in")
            for (index, claimed) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"].enumerated() {
                let response = try await browser.submit(
                    "/sign-in", ["email": "nobody\(index)@example.org", "password": "a wrong guess"],
                    headers: [.xForwardedFor: claimed])
                let expected: HTTPResponse.Status = index < 2 ? .unauthorized : .tooManyRequests
                #expect(response.status == expected, "untrusted peer, \(claimed)")
            }
        }

        var proxied = try await TestEnvironment(demo: false)
        proxied.configuration.signInLimits.failuresPerAddress = 2
        proxied.configuration.trustedProxies = try [NetworkRange("127.0.0.0/8"), NetworkRange("::1")]
        try await proxied.test(.live) { browser in
            try await browser.request("/sign-in")
            let attempts: [(String, HTTPResponse.Status)] = [
                ("203.0.113.1", .unauthorized), ("203.0.113.2", .unauthorized), ("203.0.113.3", .unauthorized),
                // What the client wrote on the left does not count: 203.0.113.1 is the one the proxy saw.
                ("198.51.100.9, 203.0.113.1", .unauthorized), ("198.51.100.10, 203.0.113.1", .tooManyRequests),
            ]
            for (index, (header, expected)) in attempts.enumerated() {
                let response = try await browser.submit(
                    "/sign-in", ["email": "nobody\(index)@example.org", "password": "a wrong guess"],
                    headers: [.xForwardedFor: header])
                #expect(response.status == expected, "behind the proxy, \(header)")
            }
        }
    }
}
