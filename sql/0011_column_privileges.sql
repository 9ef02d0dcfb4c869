-- 0011: a new row starts clean, whoever inserts it. The roles of sql/roles/least-privilege.sql may
-- insert only the input columns; these triggers hold the same line for any other role that was given
-- INSERT on the whole table: a new request is `pending` with every column idv-batch maintains at its
-- default, and a new notification is unprocessed and counted once. Without them a row inserted as
-- `expired` with a chosen session_id would have `expire --delete-remote` delete that session at Yoti,
-- and a notification with processed_at in the future would be hidden from sync.
--
-- The owner of the table (the role that runs `idv-batch migrate`, and superusers) is exempt: it can
-- drop the trigger anyway, and tests and benchmarks seed rows in other states through it. The check
-- costs a few comparisons per row; the role is looked up only for a row that fails them.
-- Never edit an applied migration: add 0012.

-- Whether the current role owns (or is a member of the owner of) the table a trigger fires on.
CREATE OR REPLACE FUNCTION idv.inserted_by_owner(relation oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT pg_catalog.pg_has_role(
        current_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relation), 'MEMBER')
$$;

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
COMMENT ON FUNCTION idv.check_new_request() IS
    'Refuses a new verification request that is not pending or sets a column idv-batch maintains, unless the '
    'table owner inserts it (SQLSTATE 42501).';

CREATE TRIGGER verification_requests_new_row BEFORE INSERT ON idv.verification_requests
    FOR EACH ROW EXECUTE FUNCTION idv.check_new_request();

CREATE OR REPLACE FUNCTION idv.check_new_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.processed_at IS NULL AND NEW.received_count = 1
       AND NEW.received_at = now() AND NEW.last_received_at = now()
    THEN
        RETURN NEW;
    END IF;
    IF idv.inserted_by_owner(TG_RELID) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a new notification must start unprocessed, received once, now'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Insert only session_id, topic, check_id, task_id, resource_id and body.';
END;
$$;
COMMENT ON FUNCTION idv.check_new_notification() IS
    'Refuses a new notification that is marked processed, counted or dated, unless the table owner inserts it '
    '(SQLSTATE 42501).';

CREATE TRIGGER notifications_new_row BEFORE INSERT ON idv.notifications
    FOR EACH ROW EXECUTE FUNCTION idv.check_new_notification();
