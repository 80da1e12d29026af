-- Puls schema, SQLite flavour. Timestamps are Unix milliseconds (BIGINT).
CREATE TABLE workspaces (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys(workspace_id);

CREATE TABLE surveys (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    current_version BIGINT NOT NULL,
    title TEXT NOT NULL,
    touchpoint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX surveys_workspace ON surveys(workspace_id, created_at);

CREATE TABLE survey_versions (
    survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (survey_id, version)
);

CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    survey_version BIGINT NOT NULL,
    completed BOOLEAN NOT NULL,
    channel TEXT NOT NULL,
    touchpoint TEXT NOT NULL,
    locale TEXT NOT NULL,
    contact_external_id TEXT,
    contact_email TEXT,
    invitation_token TEXT,
    idempotency_key TEXT,
    resume_token TEXT,
    attributes TEXT NOT NULL,
    answers TEXT NOT NULL,
    revision BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE UNIQUE INDEX responses_idempotency ON responses(survey_id, idempotency_key);
CREATE UNIQUE INDEX responses_invitation ON responses(survey_id, invitation_token);
CREATE INDEX responses_workspace ON responses(workspace_id, id);
CREATE INDEX responses_survey ON responses(survey_id, id);
