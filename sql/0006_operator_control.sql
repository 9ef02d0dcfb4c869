-- 0006: operator control. A batch can be paused (every worker stops claiming its rows within one claim)
-- and resumed; its rows can be cancelled; every such action is recorded with who, why and when.
-- Never edit an applied migration: add 0007.

-- A pause is durable state on the batch, so it holds across workers, hosts and the next cron run.
-- `pause` inserts the idv.batches row when the batch has none (plain INSERT enqueues make none).
ALTER TABLE idv.batches ADD COLUMN IF NOT EXISTS paused_at timestamptz;
ALTER TABLE idv.batches ADD COLUMN IF NOT EXISTS paused_by text;
ALTER TABLE idv.batches ADD COLUMN IF NOT EXISTS pause_reason text;
COMMENT ON COLUMN idv.batches.paused_at IS
    'When `idv-batch pause` held the batch; NULL when it is not paused. Workers claim no row of a paused batch.';
COMMENT ON COLUMN idv.batches.paused_by IS 'Who paused the batch (--by, else $USER@host).';
COMMENT ON COLUMN idv.batches.pause_reason IS 'Why the batch was paused (--reason).';

-- The audit trail of operator actions on batches.
CREATE TABLE IF NOT EXISTS idv.batch_actions (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id  text NOT NULL,
    action    text NOT NULL,
    actor     text NOT NULL,
    reason    text,
    at        timestamptz NOT NULL DEFAULT now(),
    details   jsonb
);
CREATE INDEX IF NOT EXISTS batch_actions_batch_idx ON idv.batch_actions (batch_id, at DESC);
COMMENT ON TABLE idv.batch_actions IS
    'Every operator action on a batch (pause, resume, cancel, reissue): who (actor), why (reason), when, and '
    'what it did (details: e.g. rows cancelled, rows skipped because a worker held them).';

-- Reissue (`rerun --expired`) gives a row whose token lapsed a fresh session; the sessions it had before
-- are kept here (and in idv.attempts), newest last.
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS previous_sessions jsonb;
COMMENT ON COLUMN idv.verification_requests.previous_sessions IS
    'Sessions this row had before a reissue: [{"session_id", "token_expires_at", "status", "reissued_at"}], '
    'oldest first. Tokens are never kept.';
