-- 0010: the expiry sweep's clearing of completed sessions' tokens reads an index, not the table.
-- Never edit an applied migration: add 0011.

-- `idv-batch expire` clears the client session token of rows sync found COMPLETED (the applicant is done).
-- Without an index that step read the whole table on every sweep (200 ms with 1,000,000 finished rows,
-- growing with the history). This one holds only rows whose token is still to be cleared, so it stays
-- tiny; rows leave it as the sweep clears them. (Built in the migration's transaction: on a large table it
-- blocks writes for the seconds the build takes.)
CREATE INDEX IF NOT EXISTS verification_requests_completed_token_idx
    ON idv.verification_requests (id)
    WHERE status = 'created' AND remote_state = 'COMPLETED' AND client_session_token IS NOT NULL;
