-- 0004: claims stay cheap however many finished rows the table holds.
-- Never edit an applied migration: add 0005.

-- A claim takes the lowest ids among runnable rows. For all batches (and for several), the planner
-- otherwise walks the primary key in id order, filtering out every finished row on the way: about a second
-- per claim with 5 million finished rows before the pending ones. This index holds pending rows only.
-- (Built in the migration's transaction: on a large table it blocks writes for the seconds the build takes.)
CREATE INDEX IF NOT EXISTS verification_requests_pending_id_idx
    ON idv.verification_requests (id) WHERE status = 'pending';
