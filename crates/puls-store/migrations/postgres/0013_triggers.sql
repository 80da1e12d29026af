-- Triggers: rules that invite a contact some time after a behavioural event (or an API
-- call) unless a later event makes it moot; each occurrence kept once per trigger and key
-- (the person and the occurrence's value), with what became of it. A distribution made by
-- a trigger names it (and stays out of the list of distributions sent by hand).
CREATE TABLE triggers (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    -- active, paused
    status TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX triggers_workspace ON triggers(workspace_id, created_at);

CREATE TABLE trigger_occurrences (
    trigger_id TEXT NOT NULL,
    occurrence TEXT NOT NULL,
    workspace_id BIGINT NOT NULL,
    user_id TEXT,
    anonymous_id TEXT,
    contact_id TEXT,
    message_id TEXT,
    occurred_at BIGINT NOT NULL,
    due_at BIGINT,
    -- pending, firing, fired, cancelled, skipped; tombstone: cancelled before it began
    state TEXT NOT NULL,
    reason TEXT,
    distribution_id TEXT,
    lease_until BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (trigger_id, occurrence)
);
CREATE INDEX trigger_occurrences_due ON trigger_occurrences(due_at)
    WHERE state IN ('pending', 'firing');
CREATE INDEX trigger_occurrences_person ON trigger_occurrences(workspace_id, user_id);
CREATE INDEX trigger_occurrences_contact ON trigger_occurrences(workspace_id, contact_id);

ALTER TABLE distributions ADD COLUMN trigger_id TEXT;
CREATE INDEX distributions_trigger ON distributions(trigger_id) WHERE trigger_id IS NOT NULL;

-- Replies by SMS find the last message sent to their number.
CREATE INDEX deliveries_address ON deliveries(channel, address) WHERE address IS NOT NULL;

-- A sampled distribution's plan (how many of each group it invites, and why), as JSON.
ALTER TABLE distributions ADD COLUMN sample_plan TEXT;

-- A survey's priority when it was asked (0 low, 1 normal, 2 high): earlier surveys of
-- lower priority do not count against a later one.
ALTER TABLE contact_touches ADD COLUMN priority BIGINT NOT NULL DEFAULT 1;

-- Responses begun on each kiosk device per hour: the limit against ballot stuffing.
CREATE TABLE kiosk_counts (
    survey_id TEXT NOT NULL,
    device TEXT NOT NULL,
    hour BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (survey_id, device, hour)
);
