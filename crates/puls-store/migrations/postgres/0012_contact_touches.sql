-- Every survey a contact was asked, on any channel, by what asked it (a distribution's
-- delivery, a trigger, the widget): what the contact-frequency policy counts. One row per
-- source, so a retried send is counted once.
CREATE TABLE contact_touches (
    workspace_id BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    source TEXT NOT NULL,
    at BIGINT NOT NULL,
    channel TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, contact_id, source)
);
CREATE INDEX contact_touches_at ON contact_touches(workspace_id, contact_id, at);
