-- Closing the loop (issue 14): alert rules and workspace settings as definitions, and
-- cases with their history. A case's SLA due times are kept for the queue's "overdue"
-- filter and recomputed when its clock pauses or resumes; `revision` makes concurrent
-- changes from several nodes safe (a change applies only to the revision it read).
CREATE TABLE alert_rules (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE TABLE workspace_settings (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- new, in_progress, waiting, resolved, closed
    status TEXT NOT NULL,
    -- low, normal, high, urgent
    priority TEXT NOT NULL,
    owner_id TEXT,
    team TEXT,
    -- The rule that opened it (none: opened by hand).
    rule_key TEXT,
    response_id TEXT,
    survey_id TEXT,
    touchpoint TEXT,
    -- Who it is about: `external:ID` or `email:ADDRESS`, to find their open case.
    contact_key TEXT,
    -- Where replies go, and in which language.
    contact_email TEXT,
    locale TEXT NOT NULL,
    root_cause TEXT,
    -- A JSON list of [from, to or null]: while waiting for the customer the clock stops.
    pauses TEXT NOT NULL,
    first_response_due BIGINT,
    resolution_due BIGINT,
    first_response_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    -- After resolving, the customer may be asked again: the personal link's token, the
    -- e-mail's outbox job, and the answer when it comes (recovery).
    resurvey_token TEXT,
    resurvey_job TEXT,
    recovery_response_id TEXT,
    recovered_at BIGINT,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_queue ON cases(workspace_id, created_at);
CREATE INDEX cases_contact ON cases(workspace_id, contact_key, created_at);
CREATE INDEX cases_open ON cases(status, resolution_due);
CREATE INDEX cases_resurvey ON cases(workspace_id, resurvey_token);

-- Every change, note, reply and reassignment of a case, in order.
CREATE TABLE case_events (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    n BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- A user id, `api`, `rule:KEY` or `system`.
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (case_id, n)
);

-- Things that happen once per case (an escalation at its threshold, a response linked),
-- whichever node gets there first.
CREATE TABLE case_marks (
    case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    mark TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, mark)
);

-- A webhook's message format: `standard` (Standard Webhooks, signed) or `slack` (a
-- Slack-compatible incoming webhook: text and blocks, unsigned).
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'standard';
