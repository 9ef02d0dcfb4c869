import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

#if canImport(Glibc)
    import Glibc
#endif

/// The In-Branch follow-through survives a `kill -9` of `idv-batch run` in the middle of it: the next
/// run resumes where each row stood, sends no instructions twice except calls the ledger flags as
/// possible duplicates, and leaves every letter whole.
@Suite("In-Branch follow-through: kill -9 mid-run (process + PostgreSQL + sandbox)", .serialized)
struct InBranchCrashTests {
    @Test(
        "SIGKILL mid-follow-through, run again: every row letter_saved, instructions not repeated unflagged, letters whole"
    )
    func killedMidFollowThrough() async throws {
        // Slow calls, so the kill lands with follow-through calls in flight and rows leased.
        let behaviour = SandboxBehaviour(latency: .milliseconds(120), jitter: .milliseconds(60), seed: 31)
        try await RunnerHarness.with(behaviour: behaviour) { harness in
            let batch = RunnerHarness.batchID("ibv-kill")
            let letters = try InBranchFollowThroughTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            let rows = 160
            var names: [String: String] = [:]
            for index in 1...rows {
                names["applicant-\(index)"] = "Applicant\(index)"
                try await InBranchFollowThroughTests.insert(
                    harness, batch: batch, ref: "applicant-\(index)",
                    instructions: InBranchFollowThroughTests.instructions(first: "Applicant\(index)"))
            }
            let arguments = ["--concurrency", "16", "--letters", letters.path]
            let worker = try harness.startRun(batch: batch, arguments: arguments, name: "ibv-kill")
            // Wait until the follow-through is past its first step with instructions or letters in flight.
            var atKill = (leased: 0, done: 0, saved: 0)
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                atKill = try await Self.progress(harness, batch: batch)
                if atKill.leased > 0 && atKill.done >= rows / 8 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            worker.send(SIGKILL)
            let killed = try await worker.wait()
            #expect(killed.status == 128 + SIGKILL)
            #expect(atKill.leased > 0, "the kill should land with follow-through calls in flight: \(atKill)")
            #expect(atKill.saved < rows, "the kill should land before the follow-through finished: \(atKill)")

            // A fresh run (as the next cron job would be), default 120 s leases: liveness hands the rows back.
            let again = try harness.startRun(batch: batch, arguments: arguments, name: "ibv-resume")
            let resumed = try await again.wait()
            #expect(resumed.status == 0, "second run: \(resumed.status)")

            try await InBranchInvariants.allLettersSaved(harness, batch: batch)
            let repeated = try await InBranchInvariants.instructionsNeverRepeatedUnflagged(harness, batch: batch)
            try await InBranchInvariants.lettersWhole(harness, batch: batch, letters: letters, names: names)
            let ledger = try await InBranchFollowThroughTests.ledger(harness, batch: batch)
            #expect(ledger["ibv_letter/letter_saved", default: 0] >= rows)
            print(
                "In-Branch kill -9: \(atKill.leased) follow-through rows leased, \(atKill.done) past the instructions and "
                    + "\(atKill.saved) letters saved at the kill; \(repeated) sessions got their instructions again (each flagged); ledger \(ledger)"
            )
        }
    }

    @Test(
        "--letters email, SIGKILL mid-email, run again; subscribed rows refused, then saved: one letter each, one route"
    )
    func killedMidEmail() async throws {
        let behaviour = SandboxBehaviour(latency: .milliseconds(120), jitter: .milliseconds(60), seed: 37)
        try await RunnerHarness.with(behaviour: behaviour) { harness in
            let batch = RunnerHarness.batchID("ibv-kill-email")
            let letters = try InBranchFollowThroughTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            let emailed = 120
            let subscribed = 20
            for index in 1...(emailed + subscribed) {
                try await InBranchFollowThroughTests.insert(
                    harness, batch: batch, ref: "applicant-\(index)",
                    spec: index > emailed
                        ? InBranchFollowThroughTests.subscribedSpec(["INSTRUCTIONS_EMAIL_REQUESTED"])
                        : InBranchFollowThroughTests.ibvSpec,
                    instructions: InBranchFollowThroughTests.instructions(email: "applicant-\(index)@example.com"))
            }
            let arguments = ["--concurrency", "16", "--letters", "email"]
            let worker = try harness.startRun(batch: batch, arguments: arguments, name: "ibv-kill-email")
            var atKill = (leased: 0, emailed: 0)
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                let row = try await harness.pool.query(
                    """
                    SELECT count(*) FILTER (WHERE lease_operation = 'ibv_email') AS leased,
                           count(*) FILTER (WHERE instructions_status = 'emailed') AS emailed
                    FROM idv.verification_requests WHERE batch_id = $1
                    """, [.text(batch)])[0]
                atKill = (try row.decode(Int.self, "leased"), try row.decode(Int.self, "emailed"))
                if atKill.leased > 0 && atKill.emailed >= emailed / 8 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            worker.send(SIGKILL)
            #expect(try await worker.wait().status == 128 + SIGKILL)
            #expect(atKill.leased > 0 && atKill.emailed < emailed, "the kill should land mid-email: \(atKill)")

            // The next run finishes the emails; the subscribed rows fail: Yoti would email nobody.
            let again = try harness.startRun(batch: batch, arguments: arguments, name: "ibv-resume-email")
            #expect(try await again.wait().status == 1)
            let states = try await FollowThrough.states(database: harness.pool, batches: [batch])
            #expect(states == ["emailed": emailed, "failed": subscribed])
            // The firm delivers those itself: rerun their follow-through with a letters directory.
            #expect(try await FollowThrough.requeueFailed(database: harness.pool, batches: [batch]) == subscribed)
            let saved = await InBranchFollowThroughTests.followThrough(
                harness, batch: batch, delivery: .save(directory: letters))
            #expect(saved.states == ["emailed": emailed, "letter_saved": subscribed])

            let routes = try await InBranchInvariants.oneLetterByOneRoute(harness, batch: batch, letters: letters)
            #expect(routes.emailed == emailed && routes.saved == subscribed)
            // Yoti's accepted emails are the emailed rows, plus only repeats the ledger flags.
            #expect(harness.sandbox.stats().lettersEmailed == emailed + routes.repeated)
            try await InBranchInvariants.instructionsNeverRepeatedUnflagged(harness, batch: batch)
            print(
                "In-Branch kill -9 mid-email: \(atKill.leased) email requests leased, \(atKill.emailed) emailed at the "
                    + "kill; \(routes.repeated) emails repeated (each flagged); \(routes.saved) letters saved by the firm"
            )
        }
    }

    /// Rows leased by a follow-through step, rows whose instructions were sent (or letter saved), letters saved.
    static func progress(_ harness: RunnerHarness, batch: String) async throws -> (leased: Int, done: Int, saved: Int) {
        let row = try await harness.pool.query(
            """
            SELECT count(*) FILTER (WHERE lease_operation IN ('ibv_instructions', 'ibv_letter')) AS leased,
                   count(*) FILTER (WHERE instructions_status IN ('sent', 'letter_saved')) AS done,
                   count(*) FILTER (WHERE instructions_status = 'letter_saved') AS saved
            FROM idv.verification_requests WHERE batch_id = $1
            """, [.text(batch)])[0]
        return (try row.decode(Int.self, "leased"), try row.decode(Int.self, "done"), try row.decode(Int.self, "saved"))
    }
}
