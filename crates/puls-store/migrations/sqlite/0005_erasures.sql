-- Erasures of people (issue 13): one row per erased contact, holding only counts (the
-- receipt), never the erased data. Nodes compare the workspace's count with the one they
-- built their customer index at, and rebuild it when someone was erased, so deleted
-- events leave every node's memory too.
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    erased_at BIGINT NOT NULL,
    receipt TEXT NOT NULL
);
CREATE INDEX erasures_workspace ON erasures(workspace_id, id);
