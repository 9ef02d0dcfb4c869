-- 0003: what the operating commands (enqueue, rerun, expire, status, configs) need beyond 0001/0002.
-- Never edit an applied migration: add 0004.

-- The expiry sweep's --delete-remote: expired rows whose session still exists at Yoti, in id order.
-- Partial, so it holds only the sessions still to delete, not every finished row.
CREATE INDEX IF NOT EXISTS verification_requests_remote_delete_idx
    ON idv.verification_requests (id)
    WHERE status = 'expired' AND session_id IS NOT NULL AND remote_deleted_at IS NULL;

-- `status` and `rerun` look up a batch's reruns.
CREATE INDEX IF NOT EXISTS reruns_batch_idx ON idv.reruns (batch_id, id);

-- `status` lists the runs that touched a batch (batch_ids contains it).
CREATE INDEX IF NOT EXISTS runs_batch_ids_idx ON idv.runs USING gin (batch_ids);

COMMENT ON COLUMN idv.verification_requests.remote_delete_status IS
    'expire --delete-remote: deleted, not_found (already gone at Yoti; counts as deleted), conflict (409: checks '
    'unfinished, retried by a later sweep), transient (5xx/429/network, retried), failed (other 4xx, not retried).';
COMMENT ON COLUMN idv.session_configs.is_private IS
    'Sent to Yoti Sign as is_private when the configuration is pushed with `configs push --remote`.';
COMMENT ON COLUMN idv.reruns.filters IS
    '{"error_classes": [...], "http_statuses": [...]}: the failed rows re-queued matched both lists (an empty list matches all).';
