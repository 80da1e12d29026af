-- Customers and their journeys (issue 5): contacts, Segment-style behavioural events, the
-- links between anonymous and known ids, personal invitations, write keys, journeys and
-- segments.
--
-- Change feed: server nodes keep an in-memory index of events, contacts, links and
-- invitations. Each row carries the id of the transaction that last wrote it
-- (`changed_txid`, by default on insert and by trigger on update); readers take what was
-- written from the oldest transaction running at their last read on, as for responses.

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
    changed_txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- Unused here (SQLite's feed order); kept so both backends run the same statements.
    change_seq BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX contacts_external_id ON contacts(workspace_id, external_id);
CREATE UNIQUE INDEX contacts_email ON contacts(workspace_id, email);
CREATE INDEX contacts_feed ON contacts(workspace_id, changed_txid);
CREATE INDEX contacts_list ON contacts(workspace_id, id);
CREATE INDEX contacts_merged ON contacts(workspace_id, merged_into) WHERE merged_into IS NOT NULL;

-- An anonymous id (a browser, a device) seen with a known user id; the first link stands.
CREATE TABLE identity_links (
    workspace_id BIGINT NOT NULL,
    anonymous_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    changed_txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    change_seq BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, anonymous_id)
);
CREATE INDEX identity_links_user ON identity_links(workspace_id, user_id);
CREATE INDEX identity_links_feed ON identity_links(workspace_id, changed_txid);

-- A personal survey link for a contact: a response given with its token belongs to them.
CREATE TABLE invitations (
    token TEXT PRIMARY KEY,
    workspace_id BIGINT NOT NULL,
    survey_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    changed_txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    change_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX invitations_contact ON invitations(workspace_id, contact_id);
CREATE INDEX invitations_feed ON invitations(workspace_id, changed_txid);

-- Every message received through the tracking API, append-only, once per messageId.
CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    extra TEXT NOT NULL,
    changed_txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX events_feed ON events(workspace_id, changed_txid);
CREATE INDEX events_workspace ON events(workspace_id, seq);
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

CREATE FUNCTION customers_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_txid := pg_current_xact_id();
    RETURN NEW;
END
$$;
CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts
    FOR EACH ROW EXECUTE FUNCTION customers_touch();
