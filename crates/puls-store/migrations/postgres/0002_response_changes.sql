-- A log of changed responses, which server nodes read to keep their in-memory analytics
-- index current. Sequence values are taken before commit, so their order is not the
-- commit order: readers use the writing transaction's id (txid) and re-read from the
-- oldest transaction still running at their last read (see PgStore::changes_since).
CREATE TABLE response_changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    -- NULL for a change to a whole survey (it was deleted with its responses).
    response_id TEXT,
    kind TEXT NOT NULL
);
CREATE INDEX response_changes_workspace ON response_changes(workspace_id, txid);
