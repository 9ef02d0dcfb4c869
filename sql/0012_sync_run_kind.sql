-- 0012: `idv-batch sync` is recorded in idv.runs as kind `sync`. Until now it was kind `run` with
-- details {"sync": true}, so a sync looked like a run that created no sessions (a rate of 0 sessions/s
-- in `status`). The old sync rows are relabelled; their details keep {"sync": true}, so nothing that
-- read them that way stops working. Never edit an applied migration: add 0013.

ALTER TABLE idv.runs DROP CONSTRAINT IF EXISTS runs_kind_check;
ALTER TABLE idv.runs ADD CONSTRAINT runs_kind_check CHECK (kind IN ('run', 'rerun', 'expire', 'sync'));

UPDATE idv.runs SET kind = 'sync' WHERE kind = 'run' AND details @> '{"sync": true}'::jsonb;

COMMENT ON TABLE idv.runs IS 'One row per idv-batch run/rerun/expire/sync invocation; batch_ids NULL means all batches.';
