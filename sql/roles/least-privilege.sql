-- Least-privilege roles for idv-batch. Not a migration (idv-batch migrate ignores this folder).
--
-- Run it as the owner of the idv schema (the role that runs `idv-batch migrate`), after every
-- migrate that adds tables; it is idempotent:
--
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/roles/least-privilege.sql
--
-- It creates three group roles (NOLOGIN) and grants them exactly what each job needs:
--
--   idv_worker    `run`, `rerun`, `expire`, `status`, `configs list`: claims rows and writes results
--                 back, keeps the ledger, runs and rate limits. Cannot insert or delete requests, cannot
--                 change what a row asks for (batch_id, external_ref, config_name, session_spec), cannot
--                 change session configurations, cannot change the schema.
--   idv_enqueuer  `enqueue` and upstream systems: inserts requests (the input columns only: batch_id,
--                 external_ref, config_name, session_spec, ibv_instructions; a new row is always pending)
--                 and batches (batch_id, note), reads back outcomes (including the client session token,
--                 which the applicant needs).
--   idv_operator  both of the above, plus `configs push` (writes idv.session_configs).
--   idv_retention `purge`, `hold`, `release`, `erase` (migration 0013): everything idv_worker may, plus
--                 clearing a row's personal inputs (session_spec, ibv_instructions) and marking it purged,
--                 clearing processed notification payloads, holding batches and writing erasure receipts.
--                 Given to idv_operator.
--   idv_receiver  `notifications serve`: stores Yoti's notifications in idv.notifications (insert
--                 session_id, topic, check_id, task_id, resource_id and body, and on a replay count it:
--                 received_count, last_received_at). Nothing else, not even reading the requests; it
--                 cannot mark notifications processed (that is sync's).
--
-- Inserts are granted column by column: a column left out of a grant cannot be set by the role at all
-- (42501). Migration 0011 adds the same rule for any role: a new request starts pending with every column
-- idv-batch maintains empty, a new notification unprocessed. Earlier versions of this script granted
-- INSERT on whole tables; running this one revokes those grants first.
--
-- Then give each program its own login role in the group it needs, e.g.:
--
--     CREATE ROLE idv_batch LOGIN IN ROLE idv_worker;        -- the nightly worker
--     CREATE ROLE crm_export LOGIN IN ROLE idv_enqueuer;     -- the upstream system
--     ALTER ROLE idv_batch PASSWORD '…';                     -- or a client certificate, or peer auth
--
-- and point the worker at it: DATABASE_URL=postgres://idv_batch@db.internal/idv (password in
-- ~/.pgpass or PGPASSWORD, never on the command line). None of these roles can run `migrate`.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'idv_worker') THEN
        CREATE ROLE idv_worker NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'idv_enqueuer') THEN
        CREATE ROLE idv_enqueuer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'idv_operator') THEN
        CREATE ROLE idv_operator NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'idv_retention') THEN
        CREATE ROLE idv_retention NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'idv_receiver') THEN
        CREATE ROLE idv_receiver NOLOGIN;
    END IF;
END
$$;

COMMENT ON ROLE idv_worker IS 'idv-batch run/rerun/expire/status: processes requests, cannot add, delete or rewrite them.';
COMMENT ON ROLE idv_enqueuer IS 'idv-batch enqueue and upstream systems: adds requests and reads their outcome.';
COMMENT ON ROLE idv_operator IS 'idv_worker + idv_enqueuer + configs push.';

GRANT USAGE ON SCHEMA idv TO idv_worker, idv_enqueuer;

-- The worker ---------------------------------------------------------------------------------------
-- Reads requests and updates only the columns the runner, rerun and the expiry sweep maintain.
GRANT SELECT ON idv.verification_requests TO idv_worker;
GRANT UPDATE (
    status, attempts, next_attempt_at, last_error, last_http_status, error_class,
    session_id, client_session_token, token_expires_at, resources_expire_at,
    lease_owner, lease_token, lease_expires_at, lease_worker, lease_operation, possible_duplicate,
    remote_deleted_at, remote_delete_status, updated_at, previous_sessions,
    instructions_status, instructions_next_at, instructions_attempts, instructions_error, ibv_requirements,
    letter_path, letter_bytes, letter_sha256, letter_saved_at,
    remote_state, result_checked_at, result_completed_at, result_outcome, result_recommendation,
    result_priority, result_next_at, result_attempts, result_error
) ON idv.verification_requests TO idv_worker;
-- Leases take fencing values from this sequence.
GRANT USAGE, SELECT ON SEQUENCE idv.lease_fence TO idv_worker;
-- The attempt ledger: appended and completed, never deleted.
GRANT SELECT, INSERT, UPDATE ON idv.attempts TO idv_worker;
-- Runs and reruns: recorded and completed.
GRANT SELECT, INSERT, UPDATE ON idv.runs, idv.reruns TO idv_worker;
-- Worker registration (liveness is an advisory lock on the worker's own connection).
GRANT SELECT, INSERT ON idv.workers TO idv_worker;
GRANT SELECT ON idv.live_workers TO idv_worker;
-- The shared rate limit and 429 pauses.
GRANT SELECT, INSERT, UPDATE ON idv.rate_limits TO idv_worker;
-- Sync (0009) reads the notifications inbox and marks notifications processed; status counts them.
GRANT SELECT, UPDATE (processed_at) ON idv.notifications TO idv_worker;
-- Reads configurations and batch notes; reads which migrations are applied.
GRANT SELECT ON idv.session_configs, idv.batches, idv.schema_migrations TO idv_worker;

-- The enqueuer -------------------------------------------------------------------------------------
-- Only the input columns: status, session ids, leases and results are idv-batch's. (REVOKE first: a
-- table-wide INSERT granted by an earlier version of this script would otherwise still allow every column.)
REVOKE INSERT ON idv.verification_requests, idv.batches FROM idv_enqueuer;
GRANT SELECT ON idv.verification_requests TO idv_enqueuer;
GRANT INSERT (batch_id, external_ref, config_name, session_spec, ibv_instructions)
    ON idv.verification_requests TO idv_enqueuer;
GRANT SELECT ON idv.batches TO idv_enqueuer;
GRANT INSERT (batch_id, note) ON idv.batches TO idv_enqueuer;
GRANT SELECT ON idv.session_configs TO idv_enqueuer;

-- The operator -------------------------------------------------------------------------------------
GRANT idv_worker, idv_enqueuer TO idv_operator;
GRANT INSERT, UPDATE ON idv.session_configs TO idv_operator;
-- The audit trail (0006): workers read it (status) and record reissues; operators pause, resume and cancel.
GRANT SELECT, INSERT ON idv.batch_actions TO idv_worker;
GRANT INSERT, UPDATE (paused_at, paused_by, pause_reason) ON idv.batches TO idv_operator;

-- Retention (0013) --------------------------------------------------------------------------------
-- purge and erase remove personal data: the worker's rights (deleting sessions at Yoti goes through the
-- delete step), plus clearing the input columns and the notification payloads, holds and erasure receipts.
COMMENT ON ROLE idv_retention IS 'idv-batch purge/hold/release/erase: idv_worker + removing personal data.';
GRANT idv_worker TO idv_retention;
GRANT UPDATE (session_spec, ibv_instructions, personal_data_purged_at, remote_delete_requested_at)
    ON idv.verification_requests TO idv_retention;
GRANT UPDATE (body) ON idv.notifications TO idv_retention;
GRANT INSERT (batch_id, held_at, held_by, hold_reason), UPDATE (held_at, held_by, hold_reason)
    ON idv.batches TO idv_retention;
GRANT INSERT ON idv.batch_actions TO idv_retention;
GRANT SELECT, INSERT ON idv.erasures TO idv_retention;
GRANT SELECT ON idv.erasures TO idv_worker;
GRANT idv_retention TO idv_operator;

-- The notifications receiver (0008) ----------------------------------------------------------------
-- `notifications serve` runs on a host reachable from the internet (behind a proxy): it gets only the
-- inbox. INSERT ... ON CONFLICT DO UPDATE needs SELECT (the conflict check and RETURNING) and UPDATE of
-- the two columns a replay moves. The identity column needs no sequence grant (identity sequences are
-- used without a privilege check).
COMMENT ON ROLE idv_receiver IS 'idv-batch notifications serve: stores notifications in idv.notifications, nothing else.';
GRANT USAGE ON SCHEMA idv TO idv_receiver;
REVOKE INSERT ON idv.notifications FROM idv_receiver;
GRANT SELECT ON idv.notifications TO idv_receiver;
GRANT INSERT (session_id, topic, check_id, task_id, resource_id, body) ON idv.notifications TO idv_receiver;
GRANT UPDATE (received_count, last_received_at) ON idv.notifications TO idv_receiver;
