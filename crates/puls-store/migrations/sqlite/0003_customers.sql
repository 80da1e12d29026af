-- Customers and their journeys (issue 5): contacts, Segment-style behavioural events, the
-- links between anonymous and known ids, personal invitations, write keys, journeys and
-- segments.
--
-- Change feed: server nodes keep an in-memory index of events, contacts, links and
-- invitations. SQLite has one writer, so the order of `events.seq` is commit order, and a
-- transaction that writes contacts, links or invitations stamps its rows with the table's
-- highest `change_seq` plus one, which is commit order too.

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    external_id TEXT,
    email TEXT,
    phone TEXT,
    name TEXT,
    locale TEXT,
    attributes TEXT NOT NULL,
    consents TEXT NOT NULL,
    -- Set when this contact was merged into another: it then only forwards its ids.
    merged_into TEXT,
    -- Set when the contact was deleted: its data is gone, the row only keeps its id.
    deleted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    change_seq BIGINT NOT NULL
);
CREATE UNIQUE INDEX contacts_external_id ON contacts(workspace_id, external_id);
CREATE UNIQUE INDEX contacts_email ON contacts(workspace_id, email);
CREATE INDEX contacts_feed ON contacts(change_seq);
CREATE INDEX contacts_list ON contacts(workspace_id, id);
CREATE INDEX contacts_merged ON contacts(workspace_id, merged_into) WHERE merged_into IS NOT NULL;

-- An anonymous id (a browser, a device) seen with a known user id; the first link stands.
CREATE TABLE identity_links (
    workspace_id BIGINT NOT NULL,
    anonymous_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    change_seq BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, anonymous_id)
);
CREATE INDEX identity_links_user ON identity_links(workspace_id, user_id);
CREATE INDEX identity_links_feed ON identity_links(change_seq);

-- A personal survey link for a contact: a response given with its token belongs to them.
CREATE TABLE invitations (
    token TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    change_seq BIGINT NOT NULL
);
CREATE INDEX invitations_contact ON invitations(workspace_id, contact_id);
CREATE INDEX invitations_feed ON invitations(change_seq);

-- Every message received through the tracking API, append-only, once per messageId.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id TEXT,
    anonymous_id TEXT,
    timestamp BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    properties TEXT NOT NULL,
    context TEXT NOT NULL,
    extra TEXT NOT NULL
);
CREATE UNIQUE INDEX events_message ON events(workspace_id, message_id);
CREATE INDEX events_user ON events(workspace_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX events_anonymous ON events(workspace_id, anonymous_id) WHERE anonymous_id IS NOT NULL;

-- Write keys of the tracking API. Like Segment's, a write key is not a secret (it ships in
-- web pages and apps and only lets one send events), so it is stored as it is and shown in
-- settings.
CREATE TABLE write_keys (
    key TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX write_keys_workspace ON write_keys(workspace_id);

CREATE TABLE journeys (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE TABLE segments (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

-- A contact's responses are found by the ids they were given with.
CREATE INDEX responses_contact_external ON responses(workspace_id, contact_external_id)
    WHERE contact_external_id IS NOT NULL;
CREATE INDEX responses_contact_email ON responses(workspace_id, contact_email)
    WHERE contact_email IS NOT NULL;
CREATE INDEX responses_invitation_token ON responses(workspace_id, invitation_token)
    WHERE invitation_token IS NOT NULL;
