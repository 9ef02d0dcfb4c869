-- 0013: personal data has a lifetime. `idv-batch purge` removes a finished row's personal data once the
-- retention policy says so, `idv-batch erase` removes one person's at once, `hold` / `release` keep a batch
-- out of purge (legal hold). What is not personal stays: batch, external_ref, states, error classes, times,
-- session ids and the attempt ledger, so every count still adds up.
-- Never edit an applied migration: add 0014.

-- Beside status (which keeps its values) --------------------------------------------------------------
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS personal_data_purged_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.personal_data_purged_at IS
    'When purge or erase removed the row''s personal inputs (session_spec, ibv_instructions, the letter file and '
    'its path); NULL while the row still holds them. A purged failed row cannot be rerun.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS remote_delete_requested_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.remote_delete_requested_at IS
    'When purge (yoti_sessions period passed) or erase asked for the row''s session to be deleted at Yoti; the '
    'delete step then deletes it once its checks are finished (remote_delete_status, remote_deleted_at).';

-- Rows that still hold personal data: what purge, status and the overdue gauge look at. Rows leave it as
-- they are purged, so it follows the retention window, not the whole history.
CREATE INDEX IF NOT EXISTS verification_requests_personal_data_idx
    ON idv.verification_requests (batch_id, id) WHERE personal_data_purged_at IS NULL;

-- Rows whose session purge or erase wants deleted at Yoti and that is not deleted yet.
CREATE INDEX IF NOT EXISTS verification_requests_purge_session_idx
    ON idv.verification_requests (id)
    WHERE remote_delete_requested_at IS NOT NULL AND session_id IS NOT NULL AND remote_deleted_at IS NULL;

-- Notifications of one session (purge and erase clear the payloads of a row's sessions).
CREATE INDEX IF NOT EXISTS notifications_session_idx ON idv.notifications (session_id);

-- Legal hold: durable state on the batch, like a pause; recorded in idv.batch_actions (hold, release) -----
ALTER TABLE idv.batches ADD COLUMN IF NOT EXISTS held_at timestamptz;
ALTER TABLE idv.batches ADD COLUMN IF NOT EXISTS held_by text;
ALTER TABLE idv.batches ADD COLUMN IF NOT EXISTS hold_reason text;
COMMENT ON COLUMN idv.batches.held_at IS
    'When `idv-batch hold` put the batch under legal hold; NULL when not held. Purge skips a held batch; erase '
    'needs --override-hold.';
COMMENT ON COLUMN idv.batches.held_by IS 'Who put the batch on hold (--by, else $USER@host).';
COMMENT ON COLUMN idv.batches.hold_reason IS 'Why the batch is held (--reason, required).';

-- Erasure receipts: who, why, when, what was removed where. No personal values: row ids, batches, the
-- firm's external refs (its own pseudonymous keys, kept on the rows anyway), counts and session ids.
CREATE TABLE IF NOT EXISTS idv.erasures (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    erased_at      timestamptz NOT NULL DEFAULT now(),
    actor          text NOT NULL,
    reason         text,
    batch_id       text,
    external_refs  text[] NOT NULL,
    override_hold  boolean NOT NULL DEFAULT false,
    rows_erased    integer NOT NULL,
    details        jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS erasures_refs_idx ON idv.erasures USING gin (external_refs);
COMMENT ON TABLE idv.erasures IS
    'One receipt per `idv-batch erase`: who (actor), why (reason), when, which refs (batch_id NULL: every '
    'batch) and what was removed where (details: per row its id, batch, the columns cleared, the letter file '
    'deleted or already missing, notifications cleared, and each Yoti session with the delete outcome).';

-- Runs of purge and erase are recorded like the others (sync is listed for its runs too).
ALTER TABLE idv.runs DROP CONSTRAINT IF EXISTS runs_kind_check;
ALTER TABLE idv.runs ADD CONSTRAINT runs_kind_check
    CHECK (kind IN ('run', 'rerun', 'expire', 'sync', 'purge', 'erase'));

-- A new row starts with nothing purged (0011's rule, extended to the two new columns).
CREATE OR REPLACE FUNCTION idv.check_new_request() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'pending' AND NEW.attempts = 0 AND NEW.next_attempt_at = now()
       AND NEW.last_error IS NULL AND NEW.last_http_status IS NULL AND NEW.error_class IS NULL
       AND NEW.session_id IS NULL AND NEW.client_session_token IS NULL
       AND NEW.token_expires_at IS NULL AND NEW.resources_expire_at IS NULL
       AND NEW.lease_token IS NULL AND NEW.lease_owner IS NULL AND NEW.lease_expires_at IS NULL
       AND NEW.lease_worker IS NULL AND NEW.lease_operation IS NULL AND NOT NEW.possible_duplicate
       AND NEW.remote_deleted_at IS NULL AND NEW.remote_delete_status IS NULL AND NEW.previous_sessions IS NULL
       AND NEW.instructions_status IS NULL AND NEW.instructions_next_at IS NULL AND NEW.instructions_attempts = 0
       AND NEW.instructions_error IS NULL AND NEW.ibv_requirements IS NULL
       AND NEW.letter_path IS NULL AND NEW.letter_bytes IS NULL AND NEW.letter_sha256 IS NULL
       AND NEW.letter_saved_at IS NULL
       AND NEW.remote_state IS NULL AND NEW.result_checked_at IS NULL AND NEW.result_completed_at IS NULL
       AND NEW.result_outcome IS NULL AND NEW.result_recommendation IS NULL AND NEW.result_priority IS NULL
       AND NEW.result_next_at IS NULL AND NEW.result_attempts = 0 AND NEW.result_error IS NULL
       AND NEW.personal_data_purged_at IS NULL AND NEW.remote_delete_requested_at IS NULL
    THEN
        RETURN NEW;
    END IF;
    IF idv.inserted_by_owner(TG_RELID) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a new verification request must start pending, with no column idv-batch maintains set'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Insert only batch_id, external_ref, config_name, session_spec and ibv_instructions; '
                     'idv-batch fills in the rest.';
END;
$$;
