-- 0009: results (issue 14). `idv-batch sync` fetches GET /sessions/{id} for rows holding a session and
-- records, beside `status` (which keeps its meaning), Yoti's session state and a compact outcome: per
-- check its type, state and recommendation (value, reason). No media, no personal data: the rest of the
-- result stays at Yoti. Every column is nullable or defaulted, so plain INSERTs keep working.
-- Never edit an applied migration: add 0010.

-- What Yoti says ----------------------------------------------------------------------------------------
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS remote_state text;
COMMENT ON COLUMN idv.verification_requests.remote_state IS
    'Yoti''s session state at the last sync: ONGOING, COMPLETED, EXPIRED (as Yoti spells them; an open '
    'vocabulary, no CHECK) or NOT_FOUND (GET answered 404: the session was deleted). NULL: never synced. '
    'COMPLETED, EXPIRED and NOT_FOUND are final: sync never fetches such a row again.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_checked_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.result_checked_at IS
    'When the last successful GET /sessions/{id} was claimed (just before the call): a notification received '
    'after it is still waiting. NULL: never synced.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_completed_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.result_completed_at IS
    'When sync first saw the session COMPLETED (Yoti''s result carries no completion time). NULL: not completed.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_outcome jsonb;
COMMENT ON COLUMN idv.verification_requests.result_outcome IS
    'The compact outcome: {"checks": [{"type", "state", "recommendation", "reason"}]} in Yoti''s order '
    '(recommendation and reason NULL while a check is pending). Nothing else of the result is stored: no '
    'media, no document fields, no personal data.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_recommendation text;
COMMENT ON COLUMN idv.verification_requests.result_recommendation IS
    'The overall recommendation of a COMPLETED session, for counting: REJECT if any check rejects, else '
    'NOT_AVAILABLE if any check''s recommendation is not available (or missing), else APPROVE (all approve). '
    'NULL while not completed or when the session has no checks.';

-- The sync step's own scheduling (the engine's due column, attempts and error, like instructions_* in 0007)
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_priority smallint;
COMMENT ON COLUMN idv.verification_requests.result_priority IS
    'Set by sync for the rows it is about to fetch: 0 named by a waiting notification (fetched first), 1 not '
    'checked for --stale-after (or never); NULL: not wanted (cleared when the fetch succeeds or fails for good).';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_next_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.result_next_at IS
    'When the row is next due for its result fetch (retries are scheduled here); NULL: due now.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_attempts integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN idv.verification_requests.result_attempts IS
    'Counted attempts of the current result fetch (reset to 0 when it succeeds or sync wants the row again).';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS result_error text;
COMMENT ON COLUMN idv.verification_requests.result_error IS
    'Why the last result fetch failed or will be retried (no secrets); NULL after a success.';

-- Rows waiting for a result fetch, notified first.
CREATE INDEX IF NOT EXISTS verification_requests_result_due_idx
    ON idv.verification_requests (result_priority, id)
    WHERE result_priority IS NOT NULL;

-- Rows holding a session that may still change at Yoti (what sync looks at for staleness).
CREATE INDEX IF NOT EXISTS verification_requests_result_open_idx
    ON idv.verification_requests (batch_id, result_checked_at)
    WHERE session_id IS NOT NULL AND remote_state IS DISTINCT FROM 'COMPLETED'
      AND remote_state IS DISTINCT FROM 'EXPIRED' AND remote_state IS DISTINCT FROM 'NOT_FOUND';
