import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
import Testing

/// `sql/roles/least-privilege.sql`: each role can do its whole job through `idv-batch`, and nothing more.
@Suite("least-privilege roles")
struct LeastPrivilegeRoleTests {
    /// Applies the script (twice: it must be idempotent) and creates one login role per group.
    static func createRoles(on pool: PostgresPool, suffix: String) async throws -> [String: String] {
        try await LeastPrivilegeScript.apply(on: pool, times: 2)
        var logins: [String: String] = [:]
        for group in ["idv_worker", "idv_enqueuer", "idv_operator"] {
            let login = "\(group)_\(suffix)"
            // Role names cannot be parameters; this one is built from a fixed word and a UUID fragment.
            _ = try await pool.execute("CREATE ROLE \(login) LOGIN IN ROLE \(group)")
            logins[group] = login
        }
        return logins
    }

    static func dropRoles(_ logins: [String: String], on pool: PostgresPool) async {
        for login in logins.values {
            _ = try? await pool.execute("DROP OWNED BY \(login)")
            _ = try? await pool.execute("DROP ROLE IF EXISTS \(login)")
        }
    }

    /// The same database as `configuration`, connecting as `user` (libpq takes the last `user=`).
    static func url(_ configuration: PostgresConfiguration, user: String) -> String {
        configuration.unredactedConnectionString + " user=\(user)"
    }

    @Test("worker, enqueuer and operator each do their job as their own login; forbidden writes fail with 42501")
    func rolesDoTheirJobAndNoMore() async throws {
        try await RunnerHarness.with { harness in
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let logins = try await Self.createRoles(on: harness.pool, suffix: String(suffix))
            do {
                try await Self.exercise(harness, logins: logins)
                await Self.dropRoles(logins, on: harness.pool)
            } catch {
                await Self.dropRoles(logins, on: harness.pool)
                throw error
            }
        }
    }

    private static func exercise(_ harness: RunnerHarness, logins: [String: String]) async throws {
        let batch = RunnerHarness.batchID("lp")
        let worker = url(harness.postgres, user: logins["idv_worker"]!)
        let enqueuer = url(harness.postgres, user: logins["idv_enqueuer"]!)
        let operatorURL = url(harness.postgres, user: logins["idv_operator"]!)
        let yoti = [
            "YOTI_CLIENT_SDK_ID": RunnerHarness.sdkID, "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
            "YOTI_IDV_API_URL": harness.sandbox.idvBaseURL,
        ]
        func idvBatch(_ arguments: [String], as url: String) async throws -> ChildProcess.Termination {
            try await IDVBatchProcess.run(arguments, environment: yoti.merging(["DATABASE_URL": url]) { $1 })
        }

        // The operator pushes a configuration; the enqueuer loads rows, one naming a configuration not pushed yet.
        let configFile = SharedPaths.repositoryRoot.appendingPathComponent("jobs/configs/standard-doc-liveness.json")
            .path
        let pushed = try await idvBatch(["configs", "push", configFile, "--name", "std"], as: operatorURL)
        #expect(pushed.status == 0, "\(pushed.output)")
        let lines =
            (1...6).map { #"{"external_ref": "p-\#($0)", "config_name": "std"}"# } + [
                #"{"external_ref": "late", "config_name": "later"}"#
            ]
        let file = try MigratedDatabase.temporaryFile(lines.joined(separator: "\n") + "\n", suffix: ".jsonl")
        let enqueued = try await idvBatch(["enqueue", "--batch", batch, file], as: enqueuer)
        // The row naming an unknown configuration is rejected by enqueue; an upstream INSERT gets it in anyway.
        #expect(enqueued.status == 1 && enqueued.output.contains("6 inserted"), "\(enqueued.output)")
        let upstream = try await PostgresConnection.connect(try PostgresConfiguration(enqueuer))
        _ = try await upstream.execute(
            "INSERT INTO idv.verification_requests (batch_id, external_ref, config_name) VALUES ($1, 'late', 'later')",
            [.text(batch)])
        await expectDenied(
            upstream, "UPDATE idv.verification_requests SET status = 'cancelled' WHERE batch_id = $1", [.text(batch)])
        // Only the input columns may be inserted: a row born `expired` with a chosen session would have
        // `expire --delete-remote` delete someone else's session; one born `created` would be fetched by sync.
        for (column, value) in Self.workerOwnedInserts {
            await expectDenied(
                upstream,
                "INSERT INTO idv.verification_requests (batch_id, external_ref, \(column)) VALUES ($1, 'evil', \(value))",
                [.text(batch)])
        }
        await expectDenied(
            upstream, "INSERT INTO idv.batches (batch_id, paused_at) VALUES ($1 || '-paused', now())", [.text(batch)])
        await upstream.close()

        // The worker runs the batch, reruns the failure once the operator has pushed the configuration,
        // sweeps with remote deletes, and reads the status.
        let run = try await idvBatch(["run", "--batch", batch, "--log-level", "warning"], as: worker)
        #expect(run.status == 1, "one row fails (unknown configuration): \(run.output)")
        let late = try await idvBatch(["configs", "push", configFile, "--name", "later"], as: operatorURL)
        #expect(late.status == 0, "\(late.output)")
        let rerun = try await idvBatch(["rerun", batch, "--log-level", "warning"], as: worker)
        #expect(rerun.status == 0, "\(rerun.output)")
        let expire = try await idvBatch(
            ["expire", "--batch", batch, "--as-of", "2099-01-01T00:00:00Z", "--delete-remote"], as: worker)
        #expect(expire.status == 0 && expire.output.contains("expired now: 7 rows"), "\(expire.output)")
        let status = try await idvBatch(["status", batch, "--json"], as: worker)
        #expect(status.status == 0, "\(status.output)")
        #expect(try await harness.statusCounts(batch: batch) == ["expired": 7])
        #expect(harness.sandbox.stats().sessionsDeleted == 7)

        // What the worker may not do.
        let connection = try await PostgresConnection.connect(try PostgresConfiguration(worker))
        await expectDenied(
            connection, "INSERT INTO idv.verification_requests (batch_id, external_ref) VALUES ($1, 'x')",
            [.text(batch)])
        await expectDenied(
            connection, "UPDATE idv.verification_requests SET session_spec = '{}' WHERE batch_id = $1", [.text(batch)])
        await expectDenied(
            connection, "UPDATE idv.verification_requests SET external_ref = 'y' WHERE batch_id = $1", [.text(batch)])
        await expectDenied(connection, "DELETE FROM idv.verification_requests WHERE batch_id = $1", [.text(batch)])
        await expectDenied(connection, "DELETE FROM idv.attempts WHERE batch_id = $1", [.text(batch)])
        await expectDenied(connection, "INSERT INTO idv.session_configs (name, spec) VALUES ('x', '{}')", [])
        await expectDenied(connection, "DROP TABLE idv.attempts", [])
        await connection.close()
    }

    /// Columns idv-batch maintains, each with a value an attacker would like to set on a new row.
    static let workerOwnedInserts: [(column: String, value: String)] = [
        ("status", "'expired'"), ("status", "'created'"), ("session_id", "'someone-elses-session'"),
        ("lease_owner", "'w'"), ("client_session_token", "'t'"), ("next_attempt_at", "now() + interval '1 year'"),
        ("attempts", "3"), ("remote_state", "'COMPLETED'"), ("letter_path", "'/etc/passwd'"),
        ("instructions_status", "'emailed'"), ("result_priority", "0"),
    ]

    @Test("a role given INSERT on the whole table still cannot insert a row that is not pending (42501); the owner can")
    func newRowsStartPendingWhoeverInserts() async throws {
        try await MigratedDatabase.with { database in
            // Role names cannot be parameters; this one is a fixed word and a UUID fragment.
            let login = "idv_wide_\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await database.pool.execute("CREATE ROLE \(login) LOGIN")
            _ = try await database.pool.execute("GRANT USAGE ON SCHEMA idv TO \(login)")
            _ = try await database.pool.execute(
                "GRANT SELECT, INSERT ON idv.verification_requests, idv.notifications TO \(login)")
            let wide = try await PostgresConnection.connect(
                try PostgresConfiguration(Self.url(database.configuration, user: login)))
            do {
                for (column, value) in Self.workerOwnedInserts {
                    await Self.expectDenied(
                        wide,
                        "INSERT INTO idv.verification_requests (batch_id, external_ref, \(column)) VALUES ('w', 'x', \(value))",
                        [])
                }
                await Self.expectDenied(
                    wide,
                    "INSERT INTO idv.notifications (session_id, topic, body, processed_at) VALUES ('s', 't', '{}', now())",
                    [])
                // A clean row goes in.
                _ = try await wide.execute(
                    "INSERT INTO idv.verification_requests (batch_id, external_ref, config_name) VALUES ('w', 'ok', 'c')"
                )
                _ = try await wide.execute(
                    "INSERT INTO idv.notifications (session_id, topic, body) VALUES ('s', 't', '{}')")
                await wide.close()
            } catch {
                await wide.close()
                throw error
            }
            // The table's owner (who runs migrate) may seed rows in any state, as tests and benchmarks do.
            _ = try await database.pool.execute(
                "INSERT INTO idv.verification_requests (batch_id, external_ref, status, session_id) "
                    + "VALUES ('w', 'seeded', 'created', 's-1')")
            #expect(
                try await database.count("SELECT 1 FROM idv.verification_requests WHERE batch_id = 'w'") == 2)
            _ = try? await database.pool.execute("DROP OWNED BY \(login)")
            _ = try? await database.pool.execute("DROP ROLE IF EXISTS \(login)")
        }
    }

    private static func expectDenied(_ connection: PostgresConnection, _ sql: String, _ parameters: [PostgresValue])
        async
    {
        do {
            _ = try await connection.execute(sql, parameters)
            Issue.record("allowed, but should be denied: \(sql)")
        } catch let error as PostgresError {
            // 42501 insufficient_privilege; DROP of another role's table is 42501 too.
            #expect(error.sqlState == "42501", "\(sql): \(error)")
        } catch {
            Issue.record("\(sql): \(error)")
        }
    }
}
