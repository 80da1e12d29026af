-- Daily digests (issue 14): the alert e-mails of rules with "digest": true wait here, one
-- row per alert and recipient, until the recipient's digest is due. The digest that takes
-- them stamps `job_id` in the same transaction as it writes its outbox job, and only rows
-- not stamped yet, so each alert goes out in exactly one digest whichever node sends it.
-- `response_id` lets erasing a person remove their alerts still waiting.
CREATE TABLE digest_items (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    locale TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    response_id TEXT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    job_id TEXT
);

CREATE INDEX digest_items_due ON digest_items(due_at) WHERE job_id IS NULL;
CREATE INDEX digest_items_response ON digest_items(workspace_id, response_id);
