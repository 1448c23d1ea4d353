import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The organisations' eligibility facts kept in memory answer exactly as reading SQLite afresh
/// does: one generated data set (several organisations with partners, checks expiring at every
/// distance, patterns of availability), read through two `AppDatabase`s on the same file, one
/// keeping the facts and one not.
@Suite struct EligibilityCacheTests {
    struct Pair {
        let kept: AppDatabase
        let read: AppDatabase
        let clock: TestClock
    }

    static func pair() async throws -> Pair {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sgpst-facts-\(UUID().uuidString).sqlite").path
        let clock = TestClock()
        let kept = try AppDatabase(path: path, clock: clock.wallClock, passwords: PasswordHasher(cost: 4))
        _ = try await kept.generateSyntheticData(
            SyntheticDataSpec(
                practices: 450, gps: 420, sessions: 900, seed: 11,
                week: IsoWeek(containing: clock.wallClock.today.adding(days: 7))))
        let read = try AppDatabase(
            path: path, clock: clock.wallClock, passwords: PasswordHasher(cost: 4), eligibilityCache: false)
        return Pair(kept: kept, read: read, clock: clock)
    }

    @Test func candidatesAndWorkAvailableAreTheSameWithTheFactsKeptOrRead() async throws {
        let pair = try await Self.pair()
        let sessionIds = try await pair.read.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM clinicalSession WHERE id % 23 = 0 ORDER BY id")
        }
        let gpIds = try await pair.read.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM gp WHERE id % 9 = 0 ORDER BY id")
        }
        #expect(sessionIds.count > 30 && gpIds.count > 40)
        var eligibleSeen = 0
        for sessionId in sessionIds {
            for includeIneligible in [false, true] {
                let kept = try await pair.kept.candidates(
                    sessionId: sessionId, includeIneligible: includeIneligible, by: .commandLine)
                let read = try await pair.read.candidates(
                    sessionId: sessionId, includeIneligible: includeIneligible, by: .commandLine)
                #expect(kept == read, "session \(sessionId), includeIneligible \(includeIneligible)")
                eligibleSeen += read.filter(\.eligible).count
            }
        }
        #expect(eligibleSeen > 0, "the data set has sessions somebody can take")
        var workSeen = 0
        for gpId in gpIds {
            for filter in [SessionFilter(), SessionFilter(to: pair.clock.wallClock.today.adding(days: 9))] {
                let kept = try await pair.kept.eligibleSessions(gpId: gpId, filter: filter).map { $0.session.id! }
                let read = try await pair.read.eligibleSessions(gpId: gpId, filter: filter).map { $0.session.id! }
                #expect(kept == read, "GP \(gpId)")
                workSeen += read.count
            }
        }
        #expect(workSeen > 0, "somebody has work available")
    }

    /// After a change, many requests at once for the same organisations: one builds the facts, the
    /// others wait for it, and every answer is the SQLite reading's.
    @Test func manyReadsAtOnceAfterAChangeAllAnswerAsSQLiteDoes() async throws {
        let pair = try await Self.pair()
        let sessionIds = try await pair.read.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM clinicalSession WHERE id % 97 = 0 ORDER BY id LIMIT 4")
        }
        for round in 0..<3 {
            try await pair.kept.write { db in
                try db.execute(sql: "UPDATE gp SET maxSessionsPerWeek = ? WHERE id % 5 = 0", arguments: [round])
            }
            let expected = try await withThrowingTaskGroup(of: (Int64, [Candidate]).self) { group in
                for sessionId in sessionIds {
                    group.addTask {
                        (
                            sessionId,
                            try await pair.read.candidates(sessionId: sessionId, includeIneligible: true, by: .commandLine)
                        )
                    }
                }
                return try await group.reduce(into: [Int64: [Candidate]]()) { $0[$1.0] = $1.1 }
            }
            try await withThrowingTaskGroup(of: (Int64, [Candidate]).self) { group in
                for index in 0..<32 {
                    let sessionId = sessionIds[index % sessionIds.count]
                    group.addTask {
                        (
                            sessionId,
                            try await pair.kept.candidates(sessionId: sessionId, includeIneligible: true, by: .commandLine)
                        )
                    }
                }
                for try await (sessionId, answer) in group {
                    #expect(answer == expected[sessionId], "round \(round), session \(sessionId)")
                }
            }
        }
    }

    /// Localities are people's words: an apostrophe ("King's Lynn") reads the same both ways.
    @Test func aLocalityWithAnApostropheIsWorkAvailableBothWays() async throws {
        let pair = try await Self.pair()
        let gpId = try #require(
            try await pair.kept.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM gp WHERE organisationId = 1 AND status = 'active' ORDER BY id")
            })
        try await pair.kept.write { db in
            try db.execute(
                sql: """
                    UPDATE practice SET locality = 'King''s Lynn' WHERE organisationId = 1;
                    UPDATE gp SET localities = json_array('King''s Lynn') WHERE organisationId = 1;
                    """)
        }
        let kept = try await pair.kept.eligibleSessions(gpId: gpId, filter: SessionFilter()).map { $0.session.id! }
        let read = try await pair.read.eligibleSessions(gpId: gpId, filter: SessionFilter()).map { $0.session.id! }
        #expect(kept == read)
        let all = try await pair.read.eligibleSessions(
            gpId: gpId, filter: SessionFilter(locality: "King's Lynn"))
        #expect(all.allSatisfy { $0.practice.locality == "King's Lynn" })
    }

    @Test func aCommittedWriteToAnyTableTheFactsComeFromIsSeenByTheNextRead() async throws {
        let pair = try await Self.pair()
        let (sessionId, gpId) = try #require(
            try await pair.read.read { db -> (Int64, Int64)? in
                for id in try Int64.fetchAll(db, sql: "SELECT id FROM clinicalSession ORDER BY id LIMIT 400") {
                    if let first = try firstEligibleGP(db, id) { return (id, first) }
                }
                return nil
            })
        func eligible() async throws -> Bool {
            try await pair.kept.candidates(sessionId: sessionId, includeIneligible: false, by: .commandLine)
                .contains { $0.gpId == gpId }
        }
        #expect(try await eligible())
        // A write the domain has no name for (as an import or the sqlite3 shell might make) still counts.
        try await pair.kept.write { db in
            try db.execute(sql: "UPDATE gp SET localities = '[]' WHERE id = ?", arguments: [gpId])
        }
        #expect(try await !eligible(), "no longer works in the practice's locality")
        try await pair.kept.write { db in
            try db.execute(
                sql:
                    "UPDATE gp SET localities = (SELECT json_array(locality) FROM practice WHERE id = (SELECT practiceId FROM clinicalSession WHERE id = ?)) WHERE id = ?",
                arguments: [sessionId, gpId])
        }
        #expect(try await eligible())
        // A write that rolls back changes nothing, and is not counted as a change.
        let before = try #require(pair.kept.eligibility).generation
        await #expect(throws: (any Error).self) {
            try await pair.kept.write { db in
                try db.execute(sql: "UPDATE gp SET status = 'suspended' WHERE id = ?", arguments: [gpId])
                throw DomainError.conflict("changed my mind")
            }
        }
        #expect(pair.kept.eligibility?.generation == before)
        #expect(try await eligible())
        // Writes to other tables keep the facts.
        try await pair.kept.write { db in
            try db.execute(sql: "DELETE FROM auditEvent")
        }
        #expect(pair.kept.eligibility?.generation == before)
        // A new day is a new reading (checks expire, sessions pass).
        pair.clock.advance(by: 86_400)
        #expect(
            try await pair.kept.candidates(sessionId: sessionId, includeIneligible: true, by: .commandLine)
                == pair.read.candidates(sessionId: sessionId, includeIneligible: true, by: .commandLine))
    }
}

/// The first GP eligible for a session, read from SQLite afresh.
private func firstEligibleGP(_ db: Database, _ sessionId: Int64) throws -> Int64? {
    guard let session = try ClinicalSession.fetchOne(db, id: sessionId),
        let practice = try Practice.fetchOne(db, id: session.practiceId)
    else { return nil }
    let gpIds = try Int64.fetchAll(
        db, sql: "SELECT id FROM gp WHERE status = 'active' AND organisationId = ? ORDER BY id",
        arguments: [practice.organisationId])
    let context = try EligibilityContext.load(db, gpIds: gpIds, sessions: [session], practices: [practice])
    return gpIds.first { context.isEligible(gpId: $0, session: session, practice: practice) }
}

/// The hand-written formats that replaced `String(format:)` on the hot paths, against it.
@Suite struct HandWrittenFormatTests {
    @Test func clockTimesAndDaysReadAsTheFormatterWritesThem() throws {
        for minute in 0..<(24 * 60) {
            #expect(ClockTime.format(minute) == String(format: "%02d:%02d", minute / 60, minute % 60))
        }
        var day = try #require(Day("1900-01-01"))
        for _ in 0..<400 {
            #expect(day.description == String(format: "%04d-%02d-%02d", day.year, day.month, day.day))
            #expect(Day(day.description) == day)
            day = day.adding(days: 397)
        }
    }

    @Test func aCheckTypeAppliesToTheProfessionsItNames() {
        var type = CheckType(
            organisationId: 1, code: "x", name: "X", requiredBeforeWork: true, position: 1, professions: "")
        for (professions, expected) in [
            ("gp", [GP.Profession.gp]), ("gp nurse pharmacist", GP.Profession.allCases),
            ("nurse  pharmacist", [.nurse, .pharmacist]),
            (" pharmacist", [.pharmacist]), ("", []), ("gpx nurses", []),
        ] {
            type.professions = professions
            #expect(GP.Profession.allCases.filter(type.applies) == expected, "\(professions)")
        }
    }
}
