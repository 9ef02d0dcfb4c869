-- 0005: one engine for every remote step (create a session, delete it, and the steps that follow).
-- Never edit an applied migration: add 0006.

-- The ledger records which operation each attempt was. Attempts before 0005 were all session creations.
ALTER TABLE idv.attempts ADD COLUMN IF NOT EXISTS operation text NOT NULL DEFAULT 'create_session';
COMMENT ON COLUMN idv.attempts.operation IS
    'The remote step this attempt was: create_session (POST /sessions), delete_session (DELETE /sessions/{id}), ...';
COMMENT ON TABLE idv.attempts IS
    'One row per remote call a step made (see operation), including ones whose write-back lost its lease.';
COMMENT ON COLUMN idv.attempts.outcome IS
    'created / deleted (the step succeeded), an error class (transient, rate_limited, permanent, credentials, '
    'unknown_outcome, invalid_spec), not_sent, interrupted or lease_expired.';

-- Every worker process registers here and holds a session-level advisory lock on
-- (idv.worker_lock_namespace(), id) for as long as it lives. PostgreSQL releases that lock the moment the
-- worker's connection ends, so other workers see at once that a killed worker's leases are orphaned.
CREATE TABLE IF NOT EXISTS idv.workers (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    host        text,
    pid         integer,
    operation   text,
    started_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE idv.workers IS
    'Worker processes (run, rerun, expire --delete-remote). A worker is alive while it holds the advisory lock '
    '(classid 1768191586 = ''idvb'', objid = id) on its own connection; see idv.live_workers.';

-- The workers whose presence lock is held right now (in this database).
CREATE OR REPLACE VIEW idv.live_workers AS
    SELECT l.objid::bigint AS worker_id
    FROM pg_catalog.pg_locks l
    WHERE l.locktype = 'advisory'
      AND l.classid = 1768191586
      AND l.objsubid = 2
      AND l.granted
      AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database());
COMMENT ON VIEW idv.live_workers IS 'Ids of idv.workers whose process is connected right now (its advisory lock is held).';

-- A lease now says which step holds the row and which registered worker: the row is in that step's hands
-- until the write-back clears the lease, the lease expires, or the worker is no longer alive.
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS lease_worker integer;
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS lease_operation text;
COMMENT ON COLUMN idv.verification_requests.lease_worker IS
    'Runner: idv.workers.id of the worker holding the claim; its rows are reclaimed as soon as it is gone.';
COMMENT ON COLUMN idv.verification_requests.lease_operation IS
    'Runner: the step holding the claim (create_session, delete_session, ...); NULL when nobody holds the row.';
UPDATE idv.verification_requests SET lease_operation = 'create_session' WHERE status = 'in_progress';

-- Leases of any step: reclaiming (by step and expiry) and renewing.
CREATE INDEX IF NOT EXISTS verification_requests_lease_step_idx
    ON idv.verification_requests (lease_operation, lease_expires_at) WHERE lease_operation IS NOT NULL;
