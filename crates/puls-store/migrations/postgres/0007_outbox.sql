-- One outbox for everything Puls sends (issue 14): webhooks now, e-mail and others later.
-- A job is a message to one target with a stable id (the receiver deduplicates on it);
-- any node claims due jobs by leasing them (lease_until), so a node that dies mid-delivery
-- only delays its jobs until the lease runs out. Every attempt is kept.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    url TEXT NOT NULL,
    -- A JSON list of event types.
    event_types TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL,
    -- After a rotation, the old secret keeps signing beside the new one until then.
    previous_secret TEXT,
    previous_until BIGINT,
    -- Failed attempts in a row; a success resets it.
    failures BIGINT NOT NULL DEFAULT 0,
    disabled_at BIGINT,
    disabled_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_workspace ON webhooks(workspace_id, created_at);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    -- `webhook` (later `email`, `slack`...), and the target's id.
    channel TEXT NOT NULL,
    target_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- `pending`, `delivered` or `failed` (given up, or its target refused for good).
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    leased_by TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX outbox_due ON outbox(state, next_at);
CREATE INDEX outbox_workspace ON outbox(workspace_id, created_at);

CREATE TABLE outbox_attempts (
    job_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- The receiver's HTTP status, when it answered.
    status BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    node TEXT NOT NULL,
    PRIMARY KEY (job_id, n)
);

-- Where a workspace's dispatcher has read a change feed to (e.g. completed responses into
-- webhook jobs), leased like jobs so one node reads it at a time.
CREATE TABLE outbox_feeds (
    workspace_id BIGINT NOT NULL,
    feed TEXT NOT NULL,
    cursor BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    leased_by TEXT,
    PRIMARY KEY (workspace_id, feed)
);
