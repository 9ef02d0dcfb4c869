-- 0007: In-Branch Verification follow-through (issue 13): after a session is created, fetch its
-- configuration, put the instructions, then save the customer letter or ask Yoti to email it.
-- Each is a step of the engine (operations ibv_configuration, ibv_instructions, ibv_letter).
-- Never edit an applied migration: add 0008.

-- Inputs ------------------------------------------------------------------------------------------------
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS ibv_instructions jsonb;
COMMENT ON COLUMN idv.verification_requests.ibv_instructions IS
    'In-Branch instructions for this applicant (personal data): {"contact_profile": {"first_name", "last_name", '
    '"email"}, "documents": [{"type": "ID_DOCUMENT", "document_type": "PASSPORT", "country_code": "GBR"}], '
    '"branch": {"type": "UK_POST_OFFICE", ...}}; merged over the configuration''s ibv_defaults (RFC 7386). '
    'NULL: only the defaults. A plain INSERT may set it; enqueue validates it.';

ALTER TABLE idv.session_configs ADD COLUMN IF NOT EXISTS ibv_defaults jsonb;
COMMENT ON COLUMN idv.session_configs.ibv_defaults IS
    'Defaults for the In-Branch instructions of rows using this configuration (e.g. {"branch": {"type": '
    '"UK_POST_OFFICE"}, "documents": [...]}); each row''s ibv_instructions is merged over them (RFC 7386).';

-- Follow-through state, beside status (which keeps its meaning: the session exists) ---------------------
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS instructions_status text
    CHECK (instructions_status IN ('pending', 'configured', 'sent', 'letter_saved', 'emailed', 'failed', 'not_needed'));
COMMENT ON COLUMN idv.verification_requests.instructions_status IS
    'In-Branch follow-through: NULL until the session is created; then not_needed (not an In-Branch session) or '
    'pending -> configured (requirement ids fetched) -> sent (instructions put) -> letter_saved | emailed; '
    'failed (see instructions_error; the step that failed is the last one recorded in idv.attempts).';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS instructions_next_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.instructions_next_at IS
    'When the row is next due for its follow-through step (retries are scheduled here); NULL: due now.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS instructions_attempts integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN idv.verification_requests.instructions_attempts IS
    'Counted attempts of the current follow-through step (reset to 0 when a step succeeds or the follow-through is rerun).';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS instructions_error text;
COMMENT ON COLUMN idv.verification_requests.instructions_error IS
    'Why the last follow-through attempt failed or will be retried (no secrets, no personal data beyond paths).';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS ibv_requirements jsonb;
COMMENT ON COLUMN idv.verification_requests.ibv_requirements IS
    'The session''s capture requirements from GET /sessions/{id}/configuration: [{"id", "type", '
    '"document_types"?, "country_codes"?}], used to map the applicant''s documents to requirement ids.';

ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS letter_path text;
COMMENT ON COLUMN idv.verification_requests.letter_path IS
    'Where the customer letter (PDF, personal data, mode 0600) was saved; NULL when none was saved.';
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS letter_bytes bigint;
COMMENT ON COLUMN idv.verification_requests.letter_bytes IS
    'Size of the saved letter in bytes; 0 when Yoti answered 204 (no letter).';
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS letter_sha256 text;
COMMENT ON COLUMN idv.verification_requests.letter_sha256 IS 'Lower-case hex SHA-256 of the saved letter.';
ALTER TABLE idv.verification_requests ADD COLUMN IF NOT EXISTS letter_saved_at timestamptz;
COMMENT ON COLUMN idv.verification_requests.letter_saved_at IS
    'When the letter was saved (or the email requested, or a 204 recorded).';

-- Rows waiting for a follow-through step.
CREATE INDEX IF NOT EXISTS verification_requests_instructions_idx
    ON idv.verification_requests (instructions_status, id)
    WHERE instructions_status IN ('pending', 'configured', 'sent');
