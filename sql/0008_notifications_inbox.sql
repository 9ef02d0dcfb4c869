-- 0008: the notifications inbox (issue 14). `idv-batch notifications serve` stores each notification
-- Yoti posts here, once; `idv-batch sync` fetches the results of notified sessions first and marks
-- the notifications processed. A notification carries no result (only which session, which topic and
-- sometimes which check, task or resource), so nothing here is personal data or a secret.
-- Never edit an applied migration: add 0009.

CREATE TABLE IF NOT EXISTS idv.notifications (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id        text NOT NULL CHECK (length(session_id) BETWEEN 1 AND 256),
    topic             text NOT NULL CHECK (length(topic) BETWEEN 1 AND 64),
    check_id          text CHECK (length(check_id) <= 256),
    task_id           text CHECK (length(task_id) <= 256),
    resource_id       text CHECK (length(resource_id) <= 256),
    -- The body as received (already bounded by the receiver); kept for support questions.
    body              jsonb NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    -- A replay of the same notification is not stored again: it counts here and moves last_received_at.
    last_received_at  timestamptz NOT NULL DEFAULT now(),
    received_count    integer NOT NULL DEFAULT 1,
    -- Set by sync once the session's result was fetched after last_received_at; NULL: waiting.
    processed_at      timestamptz
);
COMMENT ON TABLE idv.notifications IS
    'Notifications Yoti posted to `idv-batch notifications serve`, stored once per (session_id, topic, check_id, '
    'task_id, resource_id). Waiting (processed_at IS NULL or older than last_received_at) ones tell sync which '
    'sessions to fetch first.';

-- What identifies a notification: the same identity again is a replay (Yoti retries until it gets a 2xx).
CREATE UNIQUE INDEX IF NOT EXISTS notifications_identity_idx ON idv.notifications
    (session_id, topic, coalesce(check_id, ''), coalesce(task_id, ''), coalesce(resource_id, ''));

-- Notifications waiting for a sync.
CREATE INDEX IF NOT EXISTS notifications_waiting_idx ON idv.notifications (session_id)
    WHERE processed_at IS NULL;
