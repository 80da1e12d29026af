-- Distributions: a survey sent to an audience on a channel; one delivery per contact (its
-- personal link, its message's state, its reminders); the suppression list (addresses that
-- must not be written to, kept as salted hashes so it outlives the person's erasure), and
-- each workspace's salt for them.
CREATE TABLE distributions (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    -- preparing, ready, cancelled
    status TEXT NOT NULL,
    recipients BIGINT NOT NULL DEFAULT 0,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX distributions_workspace ON distributions(workspace_id, created_at);

CREATE TABLE deliveries (
    distribution_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    workspace_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    -- The personal link's token; none when nothing is sent (and after erasure).
    token TEXT,
    -- Where it goes; none after erasure.
    address TEXT,
    locale TEXT NOT NULL,
    -- queued, sent, failed, bounced, suppressed, skipped
    status TEXT NOT NULL,
    reason TEXT,
    due_at BIGINT,
    sent_at BIGINT,
    reminders_sent BIGINT NOT NULL DEFAULT 0,
    next_reminder_at BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (distribution_id, contact_id)
);
CREATE UNIQUE INDEX deliveries_token ON deliveries(token);
CREATE INDEX deliveries_contact ON deliveries(workspace_id, contact_id);
CREATE INDEX deliveries_reminders ON deliveries(next_reminder_at)
    WHERE next_reminder_at IS NOT NULL;

CREATE TABLE suppressions (
    workspace_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    -- HMAC-SHA-256 of the address's one spelling under the workspace's salt, hex.
    hash TEXT NOT NULL,
    -- unsubscribed, bounced, stop, added
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, channel, hash)
);

CREATE TABLE workspace_salts (
    workspace_id BIGINT PRIMARY KEY,
    salt TEXT NOT NULL
);
