-- 0002: state the runner needs beyond the public table: the shared per-batch rate limit, and
-- indexes for the runner's own look-ups. Never edit an applied migration: add 0003.

-- One row per batch that has a request-rate limit or has been told to slow down by Yoti (429).
-- Workers on any host coordinate through it with GCRA: `tat` is the theoretical arrival time of
-- the next request; reserving k requests is one UPDATE that moves it forward by k / rate.
CREATE TABLE IF NOT EXISTS idv.rate_limits (
    batch_id      text PRIMARY KEY,
    rate          double precision CHECK (rate IS NULL OR rate > 0),
    tat           timestamptz NOT NULL DEFAULT now(),
    paused_until  timestamptz,
    penalty_count bigint NOT NULL DEFAULT 0,
    last_penalty_at timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE idv.rate_limits IS
    'Shared request-rate state per batch (GCRA). Written by every runner of the batch; safe to delete a row to reset it.';
COMMENT ON COLUMN idv.rate_limits.rate IS
    'Requests per second allowed for the batch across all workers; NULL = no limit configured (pauses still apply).';
COMMENT ON COLUMN idv.rate_limits.tat IS
    'GCRA theoretical arrival time: the earliest moment the next reserved request may be sent.';
COMMENT ON COLUMN idv.rate_limits.paused_until IS
    'Set when Yoti answered 429: no worker of the batch sends before this moment.';
COMMENT ON COLUMN idv.rate_limits.penalty_count IS
    'How many 429 answers pushed this batch back.';

-- The runner looks up ledger entries of one remote person (duplicate audits after a crash).
CREATE INDEX IF NOT EXISTS attempts_user_tracking_id_idx
    ON idv.attempts (user_tracking_id);
