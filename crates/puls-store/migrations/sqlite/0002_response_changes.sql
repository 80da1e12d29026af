-- A commit-ordered log of changed responses, which server nodes read to keep their
-- in-memory analytics index current. SQLite has one writer at a time, so the sequence
-- order is the commit order.
CREATE TABLE response_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    -- NULL for a change to a whole survey (it was deleted with its responses).
    response_id TEXT,
    kind TEXT NOT NULL
);
CREATE INDEX response_changes_workspace ON response_changes(workspace_id, seq);
