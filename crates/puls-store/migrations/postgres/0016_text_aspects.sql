-- A workspace's own aspects of text analysis (issue 16): a new aspect (name, labels in
-- pl/cs/en, keywords per language) or keywords added to a built-in one, one row per
-- aspect name, stored as a definition (canonical JSON) like alert rules and settings.
CREATE TABLE text_aspects (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
