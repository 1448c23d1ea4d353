import Foundation
import GRDB
import Testing

@testable import SGPSupport

/// The clearing solver on instances small enough to reason about by hand.
@Suite struct ClearingSolverTests {
    static func session(_ id: Int64, _ start: String, _ end: String, date: String = "2026-12-09") -> ClearingInstance.Session {
        ClearingInstance.Session(id: id, date: date, start: start, end: end)
    }

    static func gp(_ id: Int64, max: Int = 5, booked: [ClearingInstance.Interval] = [], step: Double = 0) -> ClearingInstance.GP {
        ClearingInstance.GP(id: id, maxSessions: max, booked: booked, penalties: (0..<max).map { step * Double($0) })
    }

    static func pair(_ gpId: Int64, _ sessionId: Int64, _ score: Double = 100) -> ClearingInstance.Pair {
        ClearingInstance.Pair(gpId: gpId, sessionId: sessionId, score: score)
    }

    @Test func aSessionStraddlingMorningAndAfternoonGoesToTheGPWhoCanOnlyDoThat() throws {
        // GP 1 could do all three but not the straddler with either neighbour; GP 2 only the straddler.
        // Taking the best-scored pair first (GP 1 on the straddler) would fill two; the week fills three.
        let instance = ClearingInstance(
            sessions: [Self.session(1, "08:30", "12:30"), Self.session(2, "12:00", "14:00"), Self.session(3, "13:30", "17:30")],
            gps: [Self.gp(1), Self.gp(2)],
            pairs: [Self.pair(1, 1), Self.pair(1, 2, 150), Self.pair(1, 3), Self.pair(2, 2, 110)])
        let solution = try ClearingSolver.solve(instance)
        #expect(solution.filled == 3)
        #expect(solution.objective == 310)
        #expect(
            Set(solution.assignments) == [
                .init(sessionId: 1, gpId: 1), .init(sessionId: 2, gpId: 2), .init(sessionId: 3, gpId: 1),
            ])
        #expect(solution.optimal)
    }

    @Test func theFairnessPenaltySpreadsWorkBetweenEqualGPs() throws {
        let sessions = [Self.session(1, "09:00", "12:00"), Self.session(2, "14:00", "17:00")]
        let pairs = [Self.pair(1, 1), Self.pair(1, 2), Self.pair(2, 1, 98), Self.pair(2, 2, 98)]
        // Without a penalty GP 1's higher scores win both sessions ...
        let unfair = try ClearingSolver.solve(ClearingInstance(sessions: sessions, gps: [Self.gp(1), Self.gp(2)], pairs: pairs))
        #expect(unfair.assignments.allSatisfy { $0.gpId == 1 })
        // ... with a second session worth 3 less, one each is better (100 + 98 > 100 + 100 − 3).
        let fair = try ClearingSolver.solve(
            ClearingInstance(sessions: sessions, gps: [Self.gp(1, step: 3), Self.gp(2, step: 3)], pairs: pairs))
        #expect(Set(fair.assignments.map(\.gpId)) == [1, 2])
        #expect(fair.objective == 198)
    }

    @Test func capsBookingsAndOverlapsAreHardLimits() throws {
        let instance = ClearingInstance(
            sessions: [
                Self.session(1, "09:00", "12:00"), Self.session(2, "11:00", "13:00"), Self.session(3, "14:00", "17:00"),
                Self.session(4, "18:30", "21:00"),
            ],
            gps: [Self.gp(1, max: 2, booked: [.init(date: "2026-12-09", start: "16:00", end: "18:00")])],
            pairs: (1...4).map { Self.pair(1, $0) })
        let solution = try ClearingSolver.solve(instance)
        // Session 3 clashes with the booking; 1 and 2 overlap; the cap stops a third.
        #expect(solution.filled == 2)
        #expect(!solution.assignments.contains { $0.sessionId == 3 })
        #expect(solution.assignments.contains { $0.sessionId == 4 })
    }

    @Test func pinsAreKeptAndExclusionsNeverProposed() throws {
        let instance = ClearingInstance(
            sessions: [Self.session(1, "09:00", "12:00"), Self.session(2, "14:00", "17:00")],
            gps: [Self.gp(1), Self.gp(2)],
            pairs: [Self.pair(1, 1, 150), Self.pair(2, 1, 100), Self.pair(1, 2, 100), Self.pair(2, 2, 150)])
        let best = try ClearingSolver.solve(instance)
        #expect(Set(best.assignments) == [.init(sessionId: 1, gpId: 1), .init(sessionId: 2, gpId: 2)])
        // GP 2 pinned to session 1 still scores best on session 2 (no fairness penalty here).
        let swapped = try ClearingSolver.solve(instance, pinned: [.init(sessionId: 1, gpId: 2)])
        #expect(Set(swapped.assignments) == [.init(sessionId: 1, gpId: 2), .init(sessionId: 2, gpId: 2)])
        #expect(swapped.objective == 250)
        let removed = try ClearingSolver.solve(instance, excluded: [.init(sessionId: 2, gpId: 2)])
        #expect(!removed.assignments.contains(.init(sessionId: 2, gpId: 2)))
        #expect(removed.filled == 2)
    }

    @Test func aBrokenInstanceSaysWhatToFix() throws {
        let instance = ClearingInstance(
            sessions: [Self.session(1, "12:00", "09:00"), Self.session(2, "09:00", "12:00")],
            gps: [ClearingInstance.GP(id: 1, maxSessions: 2, booked: [], penalties: [5, 1])],
            pairs: [Self.pair(1, 2), Self.pair(9, 2)])
        #expect {
            try ClearingSolver.solve(instance)
        } throws: { error in
            guard case DomainError.validationFailed(let errors) = error else { return false }
            return errors["sessions"]?.contains("12:00–09:00") == true && errors["gps"]?.contains("must not decrease") == true
                && errors["pairs"]?.contains("GP 9") == true
        }
    }
}

/// Clearing runs over the register and the clearing-house.
@Suite struct ClearingRunTests {
    /// Two neighbouring organisations sharing GPs, with a week of open sessions next week.
    static func syntheticDatabase() async throws -> (AppDatabase, IsoWeek) {
        let database = try makeTestDatabase()
        let week = IsoWeek(containing: database.clock.today.adding(days: 7))
        _ = try await database.generateSyntheticData(
            SyntheticDataSpec(practices: 300, gps: 260, sessions: 300, seed: 5, week: week))
        return (database, week)
    }

    @Test func everyProposalKeepsTheClearingHousesOwnRules() async throws {
        let (database, week) = try await Self.syntheticDatabase()
        let run = try await database.startClearingRun(organisationId: 1, week: week.description, by: .commandLine)
        #expect(run.run.filled == run.proposals.count)
        #expect(run.run.sessionCount == run.proposals.count + run.unfilled.count)
        #expect(run.proposals.count > 100)
        #expect(run.run.optimal)
        var byGP: [Int64: [ClinicalSession]] = [:]
        for proposed in run.proposals {
            #expect(proposed.practice.organisationId == 1)
            let candidates = try await database.candidates(
                sessionId: proposed.session.id!, includeIneligible: false, by: .commandLine)
            #expect(candidates.contains { $0.gpId == proposed.proposal.gpId }, "GP \(proposed.proposal.gpId) may take it")
            #expect(!proposed.proposal.reasons.isEmpty)
            byGP[proposed.proposal.gpId, default: []].append(proposed.session)
        }
        for (gpId, sessions) in byGP {
            let gp = try #require(try await database.gp(id: gpId))
            #expect(sessions.count <= gp.maxSessionsPerWeek ?? .max, "GP \(gpId) within their weekly limit")
            for (index, first) in sessions.enumerated() {
                for second in sessions[(index + 1)...] where first.date == second.date {
                    #expect(!first.overlaps(startMinute: second.startMinute, endMinute: second.endMinute), "GP \(gpId) overlaps")
                }
            }
        }
        for left in run.unfilled where left.unfilled.reason == .noOneEligible {
            let candidates = try await database.candidates(
                sessionId: left.session.id!, includeIneligible: false, by: .commandLine)
            #expect(candidates.isEmpty, "nobody could take session \(left.session.id!)")
        }
    }

    @Test func theWholeWeekFillsAtLeastAsManyAsOneAtATime() async throws {
        let (database, week) = try await Self.syntheticDatabase()
        let instance = try await database.clearingInstance(organisationId: 1, week: week, by: .commandLine)
        // One at a time: each session in date order to its best-scored GP who is still free.
        let sessions = Dictionary(uniqueKeysWithValues: instance.sessions.map { ($0.id, $0) })
        var taken: [Int64: [ClearingInstance.Session]] = [:]
        var room = Dictionary(uniqueKeysWithValues: instance.gps.map { ($0.id, $0.maxSessions) })
        var greedy = 0
        for session in instance.sessions {
            let best = instance.pairs.filter { $0.sessionId == session.id }.sorted { $0.score > $1.score }.first { pair in
                room[pair.gpId, default: 0] > 0
                    && !(taken[pair.gpId] ?? []).contains {
                        $0.date == session.date && $0.start < session.end && session.start < $0.end
                    }
            }
            if let best {
                greedy += 1
                room[best.gpId]! -= 1
                taken[best.gpId, default: []].append(sessions[session.id]!)
            }
        }
        let solution = try ClearingSolver.solve(instance)
        #expect(solution.filled >= greedy)
        #expect(solution.filled > 0)
    }

    @Test func removingAndSwappingSolveAgainAroundTheChange() async throws {
        let (database, week) = try await Self.syntheticDatabase()
        let run = try await database.startClearingRun(organisationId: 1, week: week.description, by: .commandLine)
        let first = try #require(run.proposals.first)
        let runId = run.run.id!
        let removed = try await database.removeClearingProposal(runId: runId, sessionId: first.session.id, by: .commandLine)
        #expect(!removed.proposals.contains { $0.session.id == first.session.id && $0.proposal.gpId == first.proposal.gpId })
        #expect(removed.run.exclusions == [ClearingAssignment(sessionId: first.session.id!, gpId: first.proposal.gpId)])

        let candidates = try await database.candidates(sessionId: first.session.id!, includeIneligible: true, by: .commandLine)
        let other = try #require(candidates.first { $0.eligible && $0.gpId != first.proposal.gpId })
        let swapped = try await database.swapClearingProposal(
            runId: runId, sessionId: first.session.id, gpId: other.gpId, by: .commandLine)
        let pinned = try #require(swapped.proposals.first { $0.session.id == first.session.id })
        #expect(pinned.proposal.gpId == other.gpId)
        #expect(pinned.proposal.pinned)

        // A GP who cannot take the session is refused with the clearing-house's reason.
        let ineligible = try #require(candidates.first { !$0.eligible })
        let errors = await validationErrors {
            _ = try await database.swapClearingProposal(
                runId: runId, sessionId: first.session.id, gpId: ineligible.gpId, by: .commandLine)
        }
        #expect(errors?["gpId"]?.contains(ineligible.ineligibleBecause.first ?? "?") == true)
    }

    @Test func sendingMakesOffersAndNothingIsBookedUntilTheGPAccepts() async throws {
        let fixture = try await ClearingFixture()
        let database = fixture.database
        let (first, firstPrincipal) = try await fixture.readyGP("7100001")
        let (second, _) = try await fixture.readyGP("7100002")
        let morning = try await fixture.post(date: "2026-12-16", start: "08:30", end: "12:30")
        let straddler = try await fixture.post(date: "2026-12-16", start: "12:00", end: "14:00")
        let afternoon = try await fixture.post(date: "2026-12-16", start: "13:30", end: "17:30")
        let run = try await database.startClearingRun(
            organisationId: fixture.register.organisationId, week: "2026-W51", by: fixture.register.liaison)
        #expect(run.run.filled == 3)
        let proposed = Dictionary(uniqueKeysWithValues: run.proposals.map { ($0.session.id!, $0.proposal.gpId) })
        // Both GPs fit everywhere: one takes the morning and afternoon, the other the straddler.
        #expect(proposed[morning.id!] == proposed[afternoon.id!])
        #expect(proposed[straddler.id!] != proposed[morning.id!])
        #expect(Set(proposed.values) == [first.id!, second.id!])

        let sent = try await database.sendClearingRun(id: run.run.id!, by: fixture.register.liaison, links: testLinks)
        #expect(sent.value.offered == 3)
        let toGPs = sent.notifications.filter { $0.subject.hasPrefix("Session offered") }
        #expect(toGPs.count == 3)
        #expect(
            toGPs.allSatisfy { $0.text.contains("\(testLinks.baseURL)/sessions/") }, "each offer links to where it is accepted")
        // The practice is told which of its sessions went to whom, once.
        let toPractice = sent.notifications.filter { $0.subject == "Offers sent for your sessions" }
        #expect(toPractice.map(\.to) == ["pm@example.org"])
        #expect(toPractice.first.map { $0.text.components(separatedBy: "offered to ").count - 1 } == 3)
        let booked = try await Int.fetch(database, "SELECT COUNT(*) FROM booking")
        #expect(booked == 0)
        let offers = try await database.offers(gpId: first.id!)
        #expect(offers.count == proposed.values.filter { $0 == first.id! }.count)
        let accepted = try await database.acceptOffer(id: offers[0].0.id!, by: firstPrincipal, links: testLinks)
        #expect(accepted.value.gpId == first.id!)
        await #expect(throws: DomainError.self) {
            _ = try await database.sendClearingRun(id: run.run.id!, by: fixture.register.liaison, links: testLinks)
        }
        await #expect(throws: DomainError.self) {
            _ = try await database.removeClearingProposal(
                runId: run.run.id!, sessionId: morning.id, by: fixture.register.liaison)
        }
    }

    @Test func swappingAGPIntoAnOverlappingSessionReplacesTheirEarlierPin() async throws {
        let fixture = try await ClearingFixture()
        let liaison = fixture.register.liaison
        let (first, _) = try await fixture.readyGP("7100011")
        _ = try await fixture.readyGP("7100012")
        let morning = try await fixture.post(date: "2026-12-16", start: "08:30", end: "12:30")
        let straddler = try await fixture.post(date: "2026-12-16", start: "12:00", end: "14:00")
        let run = try await fixture.database.startClearingRun(
            organisationId: fixture.register.organisationId, week: "2026-W51", by: liaison)
        let runId = run.run.id!
        _ = try await fixture.database.swapClearingProposal(runId: runId, sessionId: straddler.id, gpId: first.id, by: liaison)
        let swapped = try await fixture.database.swapClearingProposal(
            runId: runId, sessionId: morning.id, gpId: first.id, by: liaison)
        #expect(swapped.run.pins == [ClearingAssignment(sessionId: morning.id!, gpId: first.id!)])
        let bySession = Dictionary(uniqueKeysWithValues: swapped.proposals.map { ($0.session.id!, $0.proposal.gpId) })
        #expect(bySession[morning.id!] == first.id!)
        #expect(bySession[straddler.id!] != first.id!)
    }

    @Test func anUnfilledSessionListsTheGPsWhoFailOnlyOneRuleAndWhich() async throws {
        let fixture = try await ClearingFixture()
        let liaison = fixture.register.liaison
        let mondaysOnly = AvailabilityInput(weekly: [.init(weekday: "monday", dayParts: ["morning", "afternoon"])], dates: [])
        // Fits in every way but is free only on Mondays: one rule.
        let (nearly, nearlyPrincipal) = try await fixture.readyGP("7100031", name: "Dr Nearly")
        _ = try await fixture.database.setAvailability(gpId: nearly.id!, mondaysOnly, by: nearlyPrincipal)
        // Free every weekday but away on the morning itself: one rule, from a dated entry.
        let (away, awayPrincipal) = try await fixture.readyGP("7100032", name: "Dr Away")
        let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"].map {
            AvailabilityInput.WeeklyEntry(weekday: $0, dayParts: ["morning", "afternoon"])
        }
        _ = try await fixture.database.setAvailability(
            gpId: away.id!,
            AvailabilityInput(
                weekly: weekdays, dates: [.init(date: "2026-12-16", dayParts: ["morning"], available: false)]),
            by: awayPrincipal)
        // Free only on Mondays and without the skill: two rules, so not a near miss.
        let (twice, twicePrincipal) = try await fixture.readyGP("7100033", name: "Dr Twice") { $0.skills = [] }
        _ = try await fixture.database.setAvailability(gpId: twice.id!, mondaysOnly, by: twicePrincipal)
        let session = try await fixture.post(date: "2026-12-16", start: "09:00", end: "12:00", skills: ["minor-surgery"])

        let run = try await fixture.database.startClearingRun(
            organisationId: fixture.register.organisationId, week: "2026-W51", by: liaison)
        let left = try #require(run.unfilled.first { $0.session.id == session.id })
        #expect(left.unfilled.reason == .noOneEligible)
        #expect(
            left.unfilled.nearMisses == [
                ClearingRun.NearMiss(
                    gpId: away.id!, gpName: "Dr Away", rule: .availability,
                    reason: "Not available on the morning of Wed 16 Dec 2026"),
                ClearingRun.NearMiss(
                    gpId: nearly.id!, gpName: "Dr Nearly", rule: .availability, reason: "Not available on Wednesday mornings"),
            ])
        #expect(!left.unfilled.nearMisses.contains { $0.gpId == twice.id }, "two rules are not a near miss")
        #expect(left.unfilled.nearMisses.allSatisfy { $0.gpCanFix }, "availability is the GP's to change")
        #expect(left.nearMisses.allSatisfy { $0.may.contains(.seeEntry) }, "the liaison officer may open their entries")
        // Kept with the run.
        let again = try await fixture.database.clearingRun(id: run.run.id!, by: liaison)
        #expect(again.unfilled.first { $0.session.id == session.id }?.unfilled.nearMisses == left.unfilled.nearMisses)
        // A GP's subject-access download holds the runs that name them as a near miss, with their own
        // reason and nobody else's.
        let download = try await fixture.database.personalDataExport(gpId: nearly.id!, by: nearlyPrincipal)
        let document = try #require(try JSONSerialization.jsonObject(with: download) as? [String: Any])
        let runs = try #require((document["tables"] as? [String: Any])?["clearingRun"] as? [[String: Any]])
        let mentions = try #require(runs.first?["nearMisses"] as? [[String: Any]])
        #expect(mentions.map { $0["reason"] as? String } == ["Not available on Wednesday mornings"], "only their own reason")
    }

    @Test func aProposalSaysWhatItsScoreWasMadeOf() async throws {
        let fixture = try await ClearingFixture()
        _ = try await fixture.readyGP("7100041")
        _ = try await fixture.post(date: "2026-12-16", start: "08:30", end: "12:30")
        _ = try await fixture.post(date: "2026-12-16", start: "13:30", end: "17:30")
        let run = try await fixture.database.startClearingRun(
            organisationId: fixture.register.organisationId, week: "2026-W51", by: fixture.register.liaison)
        #expect(run.proposals.count == 2)
        for proposed in run.proposals {
            #expect(
                proposed.proposal.reasons.map(\.text) == [
                    "No other sessions booked this month", "From this organisation",
                    "Also proposed for 1 other session this week, so it counts a little less (work is spread)",
                ])
            #expect(proposed.proposal.reasons.compactMap(\.points) == [20, 5, -AppDatabase.clearingFairnessStep])
            #expect(proposed.proposal.score == 125)
        }
    }

    @Test func runsSavedBeforeNearMissesAndPointsStillRead() throws {
        let reasons = try JSONDecoder().decode([ScoreReason].self, from: Data(#"["From this organisation"]"#.utf8))
        #expect(reasons == [ScoreReason(text: "From this organisation", points: nil)])
        let unfilled = try JSONDecoder().decode(
            [ClearingRun.Unfilled].self, from: Data(#"[{"sessionId": 1, "reason": "no-one-eligible", "why": "No GP"}]"#.utf8))
        #expect(unfilled.first?.nearMisses == [])
    }

    @Test func onlyTheOrganisationsLiaisonOfficerRunsIt() async throws {
        let fixture = try await ClearingFixture()
        let (_, gpPrincipal) = try await fixture.readyGP("7100003")
        for principal in [fixture.manager, gpPrincipal] {
            await #expect(throws: DomainError.forbidden("Only the organisation's liaison officer runs its clearing")) {
                _ = try await fixture.database.startClearingRun(
                    organisationId: fixture.register.organisationId, week: "2026-W51", by: principal)
            }
        }
        let errors = await validationErrors {
            _ = try await fixture.database.startClearingRun(
                organisationId: fixture.register.organisationId, week: "next week", by: fixture.register.liaison)
        }
        #expect(errors?["week"] == "Give the week as YYYY-Www, like 2026-W50")
    }
}

extension Int {
    static func fetch(_ database: AppDatabase, _ sql: String) async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }
}
