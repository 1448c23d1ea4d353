import ArgumentParser
import Foundation
import SGPSupport
import Synchronization

/// `sgpst generate`: a national-scale synthetic data set for the benchmarks.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill a new database with a synthetic data set (for benchmarks; the same seed makes the same data).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Practices (about 150 to an organisation).") var practices = 6500
    @Option(help: "Sessional GPs.") var gps = 12000
    @Option(help: "Open sessions, all in one week.") var sessions = 30000
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: "The week of the sessions (default: next week).") var week: String?

    func validate() throws {
        if let week, IsoWeek(week) == nil { throw ValidationError("--week must look like 2026-W50") }
        if practices < 1 || gps < 0 || sessions < 0 {
            throw ValidationError("Give at least one practice, and no negative counts")
        }
    }

    func run() async throws {
        let database = try self.database.open()
        let week = week.flatMap(IsoWeek.init) ?? IsoWeek(containing: database.clock.today.adding(days: 7))
        let started = ContinuousClock.now
        let summary = try await database.generateSyntheticData(
            SyntheticDataSpec(practices: practices, gps: gps, sessions: sessions, seed: seed, week: week))
        print(
            "Generated \(summary.organisations) organisations, \(summary.practices) practices, \(summary.gps) GPs and "
                + "\(summary.sessions) open sessions in \(week) into \(self.database.database) in \(started.duration(to: .now)).")
    }
}

/// `sgpst bench ...`: speed goals live here, not in timed tests.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks over a generated data set (release build: swift build -c release).",
        subcommands: [Mailshot.self, Reports.self, Clearing.self])

    struct Clearing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a synthetic data set, build next week's clearing instance over every organisation, solve it.",
            discussion: """
                Prints what was built, then as its last line {"seconds", "peakMemoryBytes", "sessions", "filled", \
                "objective"}: seconds is the solve alone; peakMemoryBytes is the whole process's peak (generation included).
                """)

        @Option(help: "Practices (about 150 to an organisation).") var practices = 6500
        @Option(help: "Sessional GPs.") var gps = 12000
        @Option(help: "Open sessions, all in next week.") var sessions = 30000
        @Option(help: "The random seed.") var seed: UInt64 = 1
        @Option(help: "Reuse (or keep) the generated data in this file instead of a temporary one.") var database: String?

        func run() async throws {
            let path =
                database
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-bench-\(UUID().uuidString).sqlite").path
            defer {
                if database == nil {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                }
            }
            let store = try AppDatabase(path: path, passwords: DatabaseOptions.passwordHasher())
            let week = IsoWeek(containing: store.clock.today.adding(days: 7))
            if try await store.organisation(code: "G0001") == nil {
                _ = try await store.generateSyntheticData(
                    SyntheticDataSpec(practices: practices, gps: gps, sessions: sessions, seed: seed, week: week))
            }
            let building = ContinuousClock.now
            let instance = try await store.nationalClearingInstance(week: week, by: .commandLine)
            print(
                "Built \(week): \(instance.sessions.count) sessions, \(instance.gps.count) GPs, \(instance.pairs.count) eligible pairs "
                    + "in \(Mailshot.seconds(building.duration(to: .now))) s.")
            let started = ContinuousClock.now
            let solution = try ClearingSolver.solve(instance)
            let seconds = Mailshot.seconds(started.duration(to: .now))
            print("\(solution.parts) independent parts, \(solution.searchNodes) search nodes, optimal: \(solution.optimal).")
            let json = try JSONSerialization.data(
                withJSONObject: [
                    "seconds": seconds, "peakMemoryBytes": Self.peakMemoryBytes(), "sessions": instance.sessions.count,
                    "filled": solution.filled, "objective": solution.objective,
                ] as [String: Any], options: [.sortedKeys])
            print(String(decoding: json, as: UTF8.self))
        }

        /// The process's peak resident memory (Linux reports kilobytes).
        static func peakMemoryBytes() -> Int {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return usage.ru_maxrss * 1024
        }
    }

    struct Reports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time one organisation's activity report (and its previous period) for a year, as the page asks for it.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The organisation's code (default: the first).") var organisation = "G0001"

        func run() async throws {
            let database = try self.database.open()
            guard let organisation = try await database.organisation(code: organisation) else {
                throw reportFailure(DomainError.notFound("No organisation has the code \(organisation)"))
            }
            let period = ReportPeriod.preset("year", containing: database.clock.today.adding(days: 7))!
            let started = ContinuousClock.now
            let report = try await database.activityReport(organisationId: organisation.id!, period: period, by: .commandLine)
            _ = try await database.activityReport(organisationId: organisation.id!, period: period.previous, by: .commandLine)
            let seconds = Mailshot.seconds(started.duration(to: .now))
            let json = try JSONSerialization.data(
                withJSONObject: [
                    "seconds": seconds, "sessionsPosted": report.sessionsPosted, "organisation": organisation.code,
                ] as [String: Any], options: [.sortedKeys])
            print(String(decoding: json, as: UTF8.self))
        }
    }

    struct Mailshot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render every consenting GP's mailshot; optionally send N messages through --mail and time it.",
            discussion: """
                Prints {"rendered", "renderSeconds", "renderedPerSecond", "renderedBytes", "meanMessageBytes"} (a message's \
                bytes are its text and HTML parts), with --send also {"sent", "sendSeconds", "messagesPerSecond"}.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The week (default: the week of the generated sessions, next week).") var week: String?
        @Option(help: "Also send this many messages through --mail (an SMTP server on loopback).") var send = 0
        @OptionGroup var mail: MailOptions

        func run() async throws {
            let database = try self.database.open()
            let week = week.flatMap(IsoWeek.init) ?? IsoWeek(containing: database.clock.today.adding(days: 7))
            let links = Links(baseURL: "https://sgpst.example.org")
            let started = ContinuousClock.now
            let rendered = try await database.renderEveryMailshot(week: week, links: links, by: .commandLine)
            let renderSeconds = Self.seconds(started.duration(to: .now))
            var result: [String: Any] = [
                "rendered": rendered.messages, "renderSeconds": renderSeconds, "renderedBytes": rendered.bytes,
                "renderedPerSecond": renderSeconds > 0 ? (Double(rendered.messages) / renderSeconds).rounded() : 0,
                "meanMessageBytes": rendered.messages > 0 ? rendered.bytes / rendered.messages : 0,
            ]
            if send > 0 {
                let transport = try mail.transport()
                let messages = (0..<send).map {
                    MailMessage(
                        to: "bench\($0)@synthetic.test", subject: "Benchmark \($0)",
                        text: String(repeating: "Work available. ", count: 300),
                        html: "<p>" + String(repeating: "Work available. ", count: 300) + "</p>")
                }
                let sendStarted = ContinuousClock.now
                let sent = Mutex(0)
                try await transport.sendBatch(messages, willSend: { _ in }) { _, outcome in
                    if outcome == .sent { sent.withLock { $0 += 1 } }
                }
                let sendSeconds = Self.seconds(sendStarted.duration(to: .now))
                result["sent"] = sent.withLock { $0 }
                result["sendSeconds"] = sendSeconds
                result["messagesPerSecond"] = (Double(sent.withLock { $0 }) / sendSeconds).rounded()
            }
            let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: json, as: UTF8.self))
        }

        static func seconds(_ duration: Duration) -> Double {
            let parts = duration.components
            return ((Double(parts.seconds) + Double(parts.attoseconds) / 1e18) * 1000).rounded() / 1000
        }
    }
}
