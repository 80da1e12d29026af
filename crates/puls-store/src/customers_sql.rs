//! The SQL of [`CustomerStore`], written once for both backends.
//!
//! What differs between them comes from `db.rs`: [`stamp`] (the feed stamp of a write), the
//! feed readers ([`SqlStore::feed_rows`], [`SqlStore::customer_feed_head`]), the SQL
//! expression of an event's feed marker and the workspace column of a scan by `seq`.

use std::collections::HashSet;
use std::sync::LazyLock;

use async_trait::async_trait;
use puls_core::{ContactId, SurveyId, WorkspaceId};

use crate::customers::*;
use crate::db::{Conn, FeedRead, RowExt, SqlStore, on, stamp};
use crate::error::StoreError;
use crate::json::JsonText;
use crate::model::{ResponseRecord, Workspace, WriteOutcome};
use crate::sql::{SELECT_RESPONSE, random_token, response_from_row, storable, workspace_from_row};

/// Rows per multi-row `INSERT` of events: 11 parameters each.
pub(crate) const EVENT_ROWS: usize = 500;

/// The longest chain of merges followed when resolving a contact (merges re-point the
/// contacts merged into the secondary, so chains stay one step long; this is a guard).
pub(crate) const MAX_MERGE_HOPS: usize = 8;

/// `SELECT` of every `contacts` column `contact_from_row` reads.
pub(crate) const SELECT_CONTACT: &str = "SELECT id, workspace_id, external_id, email, phone, name, locale, \
     attributes, consents, merged_into, deleted_at, created_at, updated_at FROM contacts ";

/// The columns of an event after `seq` and its marker, as `event_from_row` reads them.
const EVENT_COLUMNS: &str = "message_id, type, name, user_id, anonymous_id, timestamp, \
     received_at, properties, context, extra FROM events ";

static CONTACT_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_CONTACT}WHERE workspace_id = $1 AND id = $2"));
static CONTACT_BY_EXTERNAL_ID: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_CONTACT}WHERE workspace_id = $1 AND external_id = $2"));
static CONTACT_BY_EMAIL: LazyLock<String> =
    LazyLock::new(|| format!("{SELECT_CONTACT}WHERE workspace_id = $1 AND email = $2"));
/// A contact and the contacts merged into it.
static CONTACT_AND_MERGED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{SELECT_CONTACT}WHERE workspace_id = $1 AND id = $2 UNION ALL \
         {SELECT_CONTACT}WHERE workspace_id = $1 AND merged_into = $2"
    )
});
static LIVE_CONTACTS_WITH_PHONE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{SELECT_CONTACT}WHERE workspace_id = $1 AND phone = $2 AND merged_into IS NULL \
         AND deleted_at IS NULL ORDER BY id LIMIT $3"
    )
});
static LIVE_CONTACTS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{SELECT_CONTACT}WHERE workspace_id = $1 AND id > $2 AND merged_into IS NULL \
         AND deleted_at IS NULL ORDER BY id LIMIT $3"
    )
});

pub(crate) fn contact_from_row(row: &impl RowExt) -> Result<ContactRecord, StoreError> {
    Ok(ContactRecord {
        id: row.parsed("id", ContactId::parse)?,
        workspace_id: row.workspace("workspace_id")?,
        fields: ContactFields {
            external_id: row.opt_text("external_id")?,
            email: row.opt_text("email")?,
            phone: row.opt_text("phone")?,
            name: row.opt_text("name")?,
            locale: row.opt_text("locale")?,
            attributes: row.object("attributes")?,
            consents: row.object("consents")?,
        },
        merged_into: row.opt_parsed("merged_into", ContactId::parse)?,
        deleted_at: row.opt_int("deleted_at")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

pub(crate) fn event_from_row(row: &impl RowExt) -> Result<EventRecord, StoreError> {
    Ok(EventRecord {
        seq: row.int("seq")?,
        marker: row.int("marker")?,
        event: Event {
            message_id: row.text("message_id")?,
            kind: row.text("type")?,
            name: row.text("name")?,
            user_id: row.opt_text("user_id")?,
            anonymous_id: row.opt_text("anonymous_id")?,
            timestamp: row.int("timestamp")?,
            received_at: row.int("received_at")?,
            properties: row.object("properties")?,
            context: row.object("context")?,
            extra: row.object("extra")?,
        },
    })
}

fn feed_event_from_row(row: &impl RowExt) -> Result<FeedEvent, StoreError> {
    Ok(FeedEvent {
        seq: row.int("seq")?,
        marker: row.int("marker")?,
        kind: row.text("type")?,
        name: row.text("name")?,
        user_id: row.opt_text("user_id")?,
        anonymous_id: row.opt_text("anonymous_id")?,
        timestamp: row.int("timestamp")?,
        properties: row.object("properties")?,
    })
}

fn invitation_from_row(row: &impl RowExt) -> Result<InvitationRecord, StoreError> {
    Ok(InvitationRecord {
        token: row.text("token")?,
        survey_id: row.parsed("survey_id", SurveyId::parse)?,
        contact_id: row.parsed("contact_id", ContactId::parse)?,
        created_at: row.int("created_at")?,
    })
}

fn definition_from_row(row: &impl RowExt) -> Result<DefinitionRecord, StoreError> {
    Ok(DefinitionRecord {
        workspace_id: row.workspace("workspace_id")?,
        key: row.text("key")?,
        definition: row.json("definition")?,
        created_at: row.int("created_at")?,
        updated_at: row.int("updated_at")?,
    })
}

fn write_key_from_row(row: &impl RowExt) -> Result<WriteKeyInfo, StoreError> {
    Ok(WriteKeyInfo {
        key: row.text("key")?,
        workspace_id: row.workspace("workspace_id")?,
        name: row.text("name")?,
        created_at: row.int("created_at")?,
        revoked_at: row.opt_int("revoked_at")?,
    })
}

fn lookup_storable(l: &ContactLookup) -> bool {
    [&l.external_id, &l.email]
        .into_iter()
        .flatten()
        .all(|k| storable(k))
}

/// A contact row by one column's value (`id`, `external_id` or `email`).
async fn contact_by(
    conn: Conn<'_>,
    workspace_id: WorkspaceId,
    column: &str,
    value: &str,
) -> Result<Option<ContactRecord>, StoreError> {
    let sql = match column {
        "id" => &CONTACT_BY_ID,
        "external_id" => &CONTACT_BY_EXTERNAL_ID,
        _ => &CONTACT_BY_EMAIL,
    };
    on!(conn, |c| {
        let row = sqlx::query(sql.as_str())
            .bind(workspace_id.get())
            .bind(value)
            .fetch_optional(c)
            .await?;
        row.as_ref().map(contact_from_row).transpose()
    })
}

/// Follows merges from `c` to the live contact; `None` for a deleted one.
async fn follow(
    mut conn: Conn<'_>,
    workspace_id: WorkspaceId,
    mut c: ContactRecord,
) -> Result<Option<ContactRecord>, StoreError> {
    for _ in 0..MAX_MERGE_HOPS {
        if c.deleted_at.is_some() {
            return Ok(None);
        }
        let Some(next) = c.merged_into.clone() else {
            return Ok(Some(c));
        };
        match contact_by(conn.as_conn(), workspace_id, "id", next.as_str()).await? {
            Some(n) => c = n,
            None => return Ok(None),
        }
    }
    Err(anyhow::anyhow!("contact {} forwards through too many merges", c.id).into())
}

/// The live contact a lookup finds: by id; else by external id; else by email,
/// but only a contact without an external id of its own when the lookup has one
/// (an email does not make two users one).
pub(crate) async fn resolve(
    mut conn: Conn<'_>,
    workspace_id: WorkspaceId,
    l: &ContactLookup,
) -> Result<Option<ContactRecord>, StoreError> {
    if !lookup_storable(l) {
        return Ok(None);
    }
    if let Some(id) = &l.id {
        return match contact_by(conn.as_conn(), workspace_id, "id", id.as_str()).await? {
            Some(c) => follow(conn, workspace_id, c).await,
            None => Ok(None),
        };
    }
    if let Some(ext) = &l.external_id
        && let Some(c) = contact_by(conn.as_conn(), workspace_id, "external_id", ext).await?
    {
        return follow(conn, workspace_id, c).await;
    }
    if let Some(email) = &l.email
        && let Some(c) = contact_by(conn.as_conn(), workspace_id, "email", email).await?
    {
        let c = follow(conn, workspace_id, c).await?;
        if l.external_id.is_some() && c.as_ref().is_some_and(|c| c.fields.external_id.is_some()) {
            return Ok(None);
        }
        return Ok(c);
    }
    Ok(None)
}

/// Another contact holding `value` in `column`, if any.
async fn holder(
    conn: Conn<'_>,
    workspace_id: WorkspaceId,
    column: &'static str,
    value: &str,
    me: Option<&ContactId>,
) -> Result<Option<ContactId>, StoreError> {
    let found = contact_by(conn, workspace_id, column, value).await?;
    Ok(found.map(|c| c.id).filter(|id| Some(id) != me))
}

/// Applies one upsert in the caller's transaction.
pub(crate) async fn upsert_one(
    mut conn: Conn<'_>,
    workspace_id: WorkspaceId,
    op: &ContactUpsert,
    stamp: i64,
    now: i64,
) -> Result<ContactOutcome, StoreError> {
    let existing = resolve(conn.as_conn(), workspace_id, &op.lookup).await?;
    let before = match &existing {
        Some(c) => c.fields.clone(),
        None if op.create && lookup_storable(&op.lookup) => ContactFields::default(),
        None => return Ok(ContactOutcome::NotFound),
    };
    let mut fields = before.clone();
    if let Err(m) = (op.change.0)(&mut fields) {
        return Ok(ContactOutcome::Invalid(m));
    }
    // The ids it was looked up by are its ids, unless the change set others.
    if fields.external_id.is_none() && before.external_id.is_none() {
        fields.external_id.clone_from(&op.lookup.external_id);
    }
    if fields.email.is_none() && before.email.is_none() {
        fields.email.clone_from(&op.lookup.email);
    }
    let (attributes, consents) = (
        JsonText::object(&fields.attributes),
        JsonText::object(&fields.consents),
    );
    let fields_ok = [
        &fields.external_id,
        &fields.email,
        &fields.phone,
        &fields.name,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .chain([attributes.as_str(), consents.as_str()])
    .all(storable);
    if !fields_ok {
        return Ok(ContactOutcome::Invalid(
            "a value holds a NUL character".into(),
        ));
    }
    let me = existing.as_ref().map(|c| &c.id);
    if let Some(ext) = &fields.external_id
        && Some(ext) != before.external_id.as_ref()
        && let Some(other) = holder(conn.as_conn(), workspace_id, "external_id", ext, me).await?
    {
        return Ok(ContactOutcome::Conflict {
            field: "external_id",
            other,
        });
    }
    if let Some(email) = fields.email.clone()
        && Some(&email) != before.email.as_ref()
        && let Some(other) = holder(conn.as_conn(), workspace_id, "email", &email, me).await?
    {
        if op.message_id.is_none() {
            return Ok(ContactOutcome::Conflict {
                field: "email",
                other,
            });
        }
        // An identify's traits cannot take another contact's email; the rest of
        // the call still applies.
        fields.email = before.email.clone();
    }
    let Some(existing) = existing else {
        let id = ContactId::parse(&ulid::Ulid::new().to_string())
            .map_err(|e| anyhow::anyhow!("a new contact id: {e}"))?;
        on!(conn, |c| {
            sqlx::query(
                "INSERT INTO contacts (id, workspace_id, external_id, email, phone, name, \
                 locale, attributes, consents, created_at, updated_at, change_seq) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
            )
            .bind(id.as_str())
            .bind(workspace_id.get())
            .bind(&fields.external_id)
            .bind(&fields.email)
            .bind(&fields.phone)
            .bind(&fields.name)
            .bind(&fields.locale)
            .bind(attributes.as_str())
            .bind(consents.as_str())
            .bind(now)
            .bind(stamp)
            .execute(c)
            .await?;
        });
        return Ok(ContactOutcome::Created(ContactRecord {
            id,
            workspace_id,
            fields,
            merged_into: None,
            deleted_at: None,
            created_at: now,
            updated_at: now,
        }));
    };
    if fields == before {
        return Ok(ContactOutcome::Unchanged(existing));
    }
    write_fields(conn, &existing.id, &fields, stamp, now).await?;
    Ok(ContactOutcome::Updated(ContactRecord {
        fields,
        updated_at: now,
        ..existing
    }))
}

async fn write_fields(
    conn: Conn<'_>,
    id: &ContactId,
    f: &ContactFields,
    stamp: i64,
    now: i64,
) -> Result<(), StoreError> {
    on!(conn, |c| {
        sqlx::query(
            "UPDATE contacts SET external_id = $1, email = $2, phone = $3, name = $4, \
             locale = $5, attributes = $6, consents = $7, updated_at = $8, \
             change_seq = $9 WHERE id = $10",
        )
        .bind(&f.external_id)
        .bind(&f.email)
        .bind(&f.phone)
        .bind(&f.name)
        .bind(&f.locale)
        .bind(JsonText::object(&f.attributes).as_str())
        .bind(JsonText::object(&f.consents).as_str())
        .bind(now)
        .bind(stamp)
        .bind(id.as_str())
        .execute(c)
        .await?;
    });
    Ok(())
}

/// Stores one tracking request's messages, links and identify changes in the
/// caller's transaction; returns (stored, repeated).
pub(crate) async fn apply_track(
    mut conn: Conn<'_>,
    batch: &TrackBatch,
    now: i64,
) -> Result<WriteOutcome, StoreError> {
    let ws = batch.workspace_id;
    let mut new_ids: HashSet<String> = HashSet::new();
    for chunk in batch.events.chunks(EVENT_ROWS) {
        on!(conn.as_conn(), |c| {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO events (workspace_id, message_id, type, name, user_id, \
                 anonymous_id, timestamp, received_at, properties, context, extra) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(ws.get())
                    .push_bind(e.message_id.as_str())
                    .push_bind(e.kind.as_str())
                    .push_bind(e.name.as_str())
                    .push_bind(e.user_id.as_deref())
                    .push_bind(e.anonymous_id.as_deref())
                    .push_bind(e.timestamp)
                    .push_bind(e.received_at)
                    .push_bind(e.properties.as_str())
                    .push_bind(e.context.as_str())
                    .push_bind(e.extra.as_str());
            });
            q.push(" ON CONFLICT DO NOTHING RETURNING message_id");
            for row in q.build().fetch_all(c).await? {
                new_ids.insert(row.text("message_id")?);
            }
        });
    }
    if !batch.links.is_empty() {
        let stamp = stamp(conn.as_conn(), "identity_links").await?;
        for chunk in batch.links.chunks(EVENT_ROWS) {
            on!(conn.as_conn(), |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO identity_links (workspace_id, anonymous_id, user_id, \
                     created_at, change_seq) ",
                );
                q.push_values(chunk, |mut b, (anon, user)| {
                    b.push_bind(ws.get())
                        .push_bind(anon.as_str())
                        .push_bind(user.as_str())
                        .push_bind(now)
                        .push_bind(stamp);
                });
                q.push(" ON CONFLICT DO NOTHING");
                q.build().execute(c).await?;
            });
        }
    }
    let fresh: Vec<&ContactUpsert> = batch
        .contacts
        .iter()
        .filter(|c| c.message_id.as_ref().is_none_or(|m| new_ids.contains(m)))
        .collect();
    if !fresh.is_empty() {
        let stamp = stamp(conn.as_conn(), "contacts").await?;
        for op in fresh {
            let outcome = upsert_one(conn.as_conn(), ws, op, stamp, now).await?;
            let problem = match &outcome {
                ContactOutcome::Invalid(m) => Some(m.clone()),
                ContactOutcome::Conflict { field, .. } => Some(format!("{field} is taken")),
                _ => None,
            };
            if let Some(m) = problem {
                tracing::warn!(
                    workspace_id = ws.get(),
                    "identify left its contact unchanged: {m}"
                );
            }
        }
    }
    if !batch.triggers.is_empty() {
        crate::triggers_sql::apply_trigger_writes(
            conn.as_conn(),
            ws,
            &batch.triggers,
            Some(&new_ids),
            now,
        )
        .await?;
    }
    Ok(WriteOutcome::Tracked {
        stored: new_ids.len(),
        repeated: batch.events.len() - new_ids.len(),
    })
}

/// The statements of one definition table: upsert, get, list, delete, and its name.
macro_rules! definition_sql {
    ($table:literal) => {
        [
            concat!(
                "INSERT INTO ",
                $table,
                " (workspace_id, key, definition, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (workspace_id, key) \
                 DO UPDATE SET definition = excluded.definition, updated_at = \
                 excluded.updated_at RETURNING workspace_id, key, definition, created_at, \
                 updated_at"
            ),
            concat!(
                "SELECT workspace_id, key, definition, created_at, updated_at FROM ",
                $table,
                " WHERE workspace_id = $1 AND key = $2"
            ),
            concat!(
                "SELECT workspace_id, key, definition, created_at, updated_at FROM ",
                $table,
                " WHERE workspace_id = $1 ORDER BY key"
            ),
            concat!(
                "DELETE FROM ",
                $table,
                " WHERE workspace_id = $1 AND key = $2"
            ),
            $table,
        ]
    };
}

/// The statements of a definition table: upsert, get, list, delete, and its name.
fn definitions_table(kind: DefinitionKind) -> [&'static str; 5] {
    match kind {
        DefinitionKind::Journey => definition_sql!("journeys"),
        DefinitionKind::Segment => definition_sql!("segments"),
        DefinitionKind::AlertRule => definition_sql!("alert_rules"),
        DefinitionKind::Setting => definition_sql!("workspace_settings"),
        DefinitionKind::TextAspect => definition_sql!("text_aspects"),
    }
}

/// The ids a contact is known by: its own and those of contacts merged into it.
async fn known_ids(
    mut conn: Conn<'_>,
    workspace_id: WorkspaceId,
    contact_id: &ContactId,
) -> Result<Option<(Vec<ContactId>, Vec<String>, Vec<String>)>, StoreError> {
    let Some(c) = contact_by(conn.as_conn(), workspace_id, "id", contact_id.as_str()).await? else {
        return Ok(None);
    };
    if c.merged_into.is_some() || c.deleted_at.is_some() {
        return Ok(None);
    }
    let contacts = on!(conn, |c| {
        let rows = sqlx::query(CONTACT_AND_MERGED.as_str())
            .bind(workspace_id.get())
            .bind(contact_id.as_str())
            .fetch_all(c)
            .await?;
        rows.iter()
            .map(contact_from_row)
            .collect::<Result<Vec<_>, _>>()?
    });
    let mut ids = Vec::new();
    let (mut externals, mut emails) = (Vec::new(), Vec::new());
    for c in contacts {
        ids.push(c.id);
        externals.extend(c.fields.external_id);
        emails.extend(c.fields.email);
    }
    Ok(Some((ids, externals, emails)))
}

/// `(v1, v2, ...)`: bound values for an `IN`.
fn push_list<DB: sqlx::Database>(
    q: &mut sqlx::QueryBuilder<DB>,
    values: impl IntoIterator<Item = String>,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    q.push(")");
}

/// `select` (columns `FROM responses `) of the responses a person gave: by a personal link
/// of theirs, their external ids or their emails; one index search per way, merged by
/// `UNION` (which drops a response found twice).
fn person_responses<DB: sqlx::Database>(
    select: &str,
    workspace_id: WorkspaceId,
    ids: &[ContactId],
    externals: &[String],
    emails: &[String],
) -> sqlx::QueryBuilder<DB>
where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    <DB as sqlx::Database>::Arguments: Default,
{
    let ws = workspace_id.get();
    let mut q = sqlx::QueryBuilder::new(select);
    q.push("WHERE workspace_id = ")
        .push_bind(ws)
        .push(" AND invitation_token IN (SELECT token FROM invitations WHERE workspace_id = ");
    q.push_bind(ws).push(" AND contact_id IN ");
    push_list(&mut q, ids.iter().map(|id| id.as_str().to_string()));
    q.push(")");
    for (column, values) in [
        ("contact_external_id", externals),
        ("contact_email", emails),
    ] {
        if values.is_empty() {
            continue;
        }
        q.push(" UNION ").push(select).push("WHERE workspace_id = ");
        q.push_bind(ws).push(" AND ").push(column).push(" IN ");
        push_list(&mut q, values.iter().cloned());
    }
    q
}

#[async_trait]
impl CustomerStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn create_write_key(
        &self,
        workspace_id: WorkspaceId,
        name: &str,
    ) -> Result<WriteKeyInfo, StoreError> {
        let info = WriteKeyInfo {
            key: format!("wk_{}", random_token(32)),
            workspace_id,
            name: name.to_string(),
            created_at: crate::now_ms(),
            revoked_at: None,
        };
        on!(self.write(), |pool| {
            sqlx::query(
                "INSERT INTO write_keys (key, workspace_id, name, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&info.key)
            .bind(workspace_id.get())
            .bind(&info.name)
            .bind(info.created_at)
            .execute(pool)
            .await?;
        });
        Ok(info)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_write_keys(
        &self,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<WriteKeyInfo>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(
                "SELECT key, workspace_id, name, created_at, revoked_at FROM write_keys \
                 WHERE workspace_id = $1 ORDER BY created_at, key",
            )
            .bind(workspace_id.get())
            .fetch_all(pool)
            .await?;
            rows.iter().map(write_key_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn revoke_write_key(
        &self,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<bool, StoreError> {
        self.revoke(
            "UPDATE write_keys SET revoked_at = $1 \
             WHERE key = $2 AND workspace_id = $3 AND revoked_at IS NULL",
            workspace_id,
            key,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn workspace_by_write_key(&self, key: &str) -> Result<Option<Workspace>, StoreError> {
        if !storable(key) {
            return Ok(None);
        }
        on!(self.read(), |pool| {
            let row = sqlx::query(
                "SELECT w.id, w.slug, w.name, w.created_at FROM write_keys k \
                 JOIN workspaces w ON w.id = k.workspace_id \
                 WHERE k.key = $1 AND k.revoked_at IS NULL",
            )
            .bind(key)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(workspace_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn upsert_contacts(
        &self,
        workspace_id: WorkspaceId,
        ops: &[ContactUpsert],
    ) -> Result<Vec<ContactOutcome>, StoreError> {
        let mut tx = self.write().begin().await?;
        let stamp = stamp(tx.as_conn(), "contacts").await?;
        let now = crate::now_ms();
        let mut out = Vec::with_capacity(ops.len());
        for op in ops {
            out.push(upsert_one(tx.as_conn(), workspace_id, op, stamp, now).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn get_contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
    ) -> Result<Option<ContactRecord>, StoreError> {
        let mut conn = self.read().acquire().await?;
        contact_by(conn.as_conn(), workspace_id, "id", id.as_str()).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn find_contact(
        &self,
        workspace_id: WorkspaceId,
        lookup: &ContactLookup,
    ) -> Result<Option<ContactRecord>, StoreError> {
        let mut conn = self.read().acquire().await?;
        resolve(conn.as_conn(), workspace_id, lookup).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn contacts_with_phone(
        &self,
        workspace_id: WorkspaceId,
        phone: &str,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, StoreError> {
        if !storable(phone) {
            return Ok(Vec::new());
        }
        on!(self.read(), |pool| {
            let rows = sqlx::query(LIVE_CONTACTS_WITH_PHONE.as_str())
                .bind(workspace_id.get())
                .bind(phone)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter().map(contact_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_contacts(
        &self,
        workspace_id: WorkspaceId,
        after_id: Option<&ContactId>,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, StoreError> {
        let after = after_id.map_or("", ContactId::as_str);
        on!(self.read(), |pool| {
            let rows = sqlx::query(LIVE_CONTACTS.as_str())
                .bind(workspace_id.get())
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter().map(contact_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn merge_contacts(
        &self,
        workspace_id: WorkspaceId,
        primary: &ContactId,
        secondary: &ContactId,
        merge: &MergeFn,
    ) -> Result<MergeOutcome, StoreError> {
        let mut tx = self.write().begin().await?;
        let live = |c: Option<ContactRecord>| {
            c.filter(|c| c.merged_into.is_none() && c.deleted_at.is_none())
        };
        let a = live(contact_by(tx.as_conn(), workspace_id, "id", primary.as_str()).await?);
        let b = live(contact_by(tx.as_conn(), workspace_id, "id", secondary.as_str()).await?);
        let (Some(a), Some(b)) = (a, b) else {
            return Ok(MergeOutcome::NotFound);
        };
        if a.id == b.id {
            return Ok(MergeOutcome::Same);
        }
        let mut fields = a.fields.clone();
        if let Err(m) = merge(&mut fields, &b.fields) {
            return Ok(MergeOutcome::Invalid(m));
        }
        // The secondary keeps its ids so that they forward to the primary; the
        // primary cannot take them over.
        if fields.external_id != a.fields.external_id && fields.external_id == b.fields.external_id
        {
            fields.external_id = a.fields.external_id.clone();
        }
        if fields.email != a.fields.email && fields.email == b.fields.email {
            fields.email = a.fields.email.clone();
        }
        let stamp = stamp(tx.as_conn(), "contacts").await?;
        let now = crate::now_ms();
        write_fields(tx.as_conn(), &a.id, &fields, stamp, now).await?;
        on!(tx.as_conn(), |c| {
            for sql in [
                "UPDATE contacts SET merged_into = $1, updated_at = $2, change_seq = $3 \
                 WHERE workspace_id = $4 AND merged_into = $5",
                "UPDATE contacts SET merged_into = $1, updated_at = $2, change_seq = $3 \
                 WHERE workspace_id = $4 AND id = $5",
            ] {
                sqlx::query(sql)
                    .bind(a.id.as_str())
                    .bind(now)
                    .bind(stamp)
                    .bind(workspace_id.get())
                    .bind(b.id.as_str())
                    .execute(&mut *c)
                    .await?;
            }
        });
        tx.commit().await?;
        Ok(MergeOutcome::Merged(ContactRecord {
            fields,
            updated_at: now,
            ..a
        }))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn erase_contact(
        &self,
        workspace_id: WorkspaceId,
        id: &ContactId,
    ) -> Result<Option<ErasureReceipt>, StoreError> {
        let mut tx = self.write().begin().await?;
        let Some((ids, externals, emails)) = known_ids(tx.as_conn(), workspace_id, id).await?
        else {
            return Ok(None);
        };
        let stamp = stamp(tx.as_conn(), "contacts").await?;
        let now = crate::now_ms();
        let ws = workspace_id.get();
        let id_texts = || ids.iter().map(|i| i.as_str().to_string());
        let receipt = on!(tx.as_conn(), |c| {
            // The responses: by personal link, external id or email, like the timeline.
            let mut q = person_responses(
                "SELECT id, survey_id FROM responses ",
                workspace_id,
                &ids,
                &externals,
                &emails,
            );
            let rows = q.build().fetch_all(&mut *c).await?;
            let mut responses = 0;
            // Their cases go too: the ones about them, and the ones opened for the
            // responses that go (history, replies and marks with them).
            let mut case_query =
                sqlx::QueryBuilder::new("SELECT id FROM cases WHERE workspace_id = ");
            case_query.push_bind(ws).push(" AND (contact_key IN ");
            push_list(
                &mut case_query,
                externals
                    .iter()
                    .map(|e| format!("external:{e}"))
                    .chain(emails.iter().map(|e| format!("email:{e}")))
                    .chain(std::iter::once(String::new())),
            );
            case_query.push(" OR response_id IN ");
            push_list(
                &mut case_query,
                rows.iter()
                    .filter_map(|r| r.text("id").ok())
                    .chain(std::iter::once(String::new())),
            );
            case_query.push(")");
            let case_ids: Vec<String> = case_query
                .build()
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|r| r.text("id"))
                .collect::<Result<_, _>>()?;
            for cid in &case_ids {
                for sql in [
                    "DELETE FROM case_events WHERE case_id = $1",
                    "DELETE FROM case_marks WHERE case_id = $1",
                    "DELETE FROM cases WHERE id = $1",
                ] {
                    sqlx::query(sql).bind(cid).execute(&mut *c).await?;
                }
            }
            for row in &rows {
                let (rid, survey) = (row.text("id")?, row.text("survey_id")?);
                // Alerts about the response still waiting for a digest go with it.
                for sql in [
                    "DELETE FROM digest_items WHERE workspace_id = $1 AND response_id = $2",
                    "DELETE FROM responses WHERE workspace_id = $1 AND id = $2",
                ] {
                    sqlx::query(sql)
                        .bind(ws)
                        .bind(&rid)
                        .execute(&mut *c)
                        .await?;
                }
                // The change feed tells every node's index to drop it.
                sqlx::query(
                    "INSERT INTO response_changes (workspace_id, survey_id, response_id, kind) \
                     VALUES ($1, $2, $3, 'response')",
                )
                .bind(ws)
                .bind(&survey)
                .bind(&rid)
                .execute(&mut *c)
                .await?;
                responses += 1;
            }
            // Events: sent with their user ids, or anonymously from a browser or device
            // tied to one of them; then those ties.
            let (mut events, mut identities) = (0, 0);
            if !externals.is_empty() {
                let mut q = sqlx::QueryBuilder::new("DELETE FROM events WHERE workspace_id = ");
                q.push_bind(ws).push(" AND (user_id IN (");
                let mut list = q.separated(", ");
                for v in &externals {
                    list.push_bind(v.clone());
                }
                q.push(
                    ") OR (user_id IS NULL AND anonymous_id IN (SELECT anonymous_id FROM \
                        identity_links WHERE workspace_id = ",
                );
                q.push_bind(ws).push(" AND user_id IN (");
                let mut list = q.separated(", ");
                for v in &externals {
                    list.push_bind(v.clone());
                }
                q.push("))))");
                events = q.build().execute(&mut *c).await?.rows_affected();
                let mut q =
                    sqlx::QueryBuilder::new("DELETE FROM identity_links WHERE workspace_id = ");
                q.push_bind(ws).push(" AND user_id IN ");
                push_list(&mut q, externals.iter().cloned());
                // Trigger occurrences of theirs (before the ties they are found by go).
                let mut t = sqlx::QueryBuilder::new(
                    "DELETE FROM trigger_occurrences WHERE workspace_id = ",
                );
                t.push_bind(ws).push(" AND (user_id IN ");
                push_list(&mut t, externals.iter().cloned());
                t.push(
                    " OR anonymous_id IN (SELECT anonymous_id FROM identity_links \
                     WHERE workspace_id = ",
                );
                t.push_bind(ws).push(" AND user_id IN ");
                push_list(&mut t, externals.iter().cloned());
                t.push("))");
                t.build().execute(&mut *c).await?;
                identities = q.build().execute(&mut *c).await?.rows_affected();
            }
            // Their messages: what was sent keeps its counts, without the address or the
            // link; jobs still waiting are cancelled, and no job keeps the address.
            for cid in id_texts() {
                sqlx::query(
                    "UPDATE outbox SET payload = '{}', state = CASE WHEN state = 'pending' \
                     THEN 'failed' ELSE state END, last_error = CASE WHEN state = 'pending' \
                     THEN 'the person was erased' ELSE last_error END \
                     WHERE id >= $1 AND id < $2",
                )
                .bind(format!("inv:{cid}:"))
                .bind(format!("inv:{cid};"))
                .execute(&mut *c)
                .await?;
            }
            let mut q =
                sqlx::QueryBuilder::new("DELETE FROM trigger_occurrences WHERE workspace_id = ");
            q.push_bind(ws).push(" AND contact_id IN ");
            push_list(&mut q, id_texts());
            q.build().execute(&mut *c).await?;
            let mut q =
                sqlx::QueryBuilder::new("DELETE FROM contact_touches WHERE workspace_id = ");
            q.push_bind(ws).push(" AND contact_id IN ");
            push_list(&mut q, id_texts());
            q.build().execute(&mut *c).await?;
            let mut q = sqlx::QueryBuilder::new(
                "UPDATE deliveries SET token = NULL, address = NULL, next_reminder_at = NULL \
                 WHERE workspace_id = ",
            );
            q.push_bind(ws).push(" AND contact_id IN ");
            push_list(&mut q, id_texts());
            q.build().execute(&mut *c).await?;
            let mut q = sqlx::QueryBuilder::new("DELETE FROM invitations WHERE workspace_id = ");
            q.push_bind(ws).push(" AND contact_id IN ");
            push_list(&mut q, id_texts());
            let invitations = q.build().execute(&mut *c).await?.rows_affected();
            // The contact and its merged duplicates keep only their ids.
            let contacts = sqlx::query(
                "UPDATE contacts SET external_id = NULL, email = NULL, phone = NULL, \
                 name = NULL, locale = NULL, attributes = '{}', consents = '{}', \
                 deleted_at = $1, updated_at = $1, change_seq = $2 \
                 WHERE workspace_id = $3 AND (id = $4 OR merged_into = $4)",
            )
            .bind(now)
            .bind(stamp)
            .bind(ws)
            .bind(id.as_str())
            .execute(&mut *c)
            .await?
            .rows_affected();
            let receipt = ErasureReceipt {
                contacts,
                responses,
                cases: case_ids.len() as u64,
                events,
                identities,
                invitations,
                erased_at: now,
            };
            let text = serde_json::to_string(&receipt)
                .map_err(|e| StoreError::from(anyhow::anyhow!(e)))?;
            sqlx::query(
                "INSERT INTO erasures (workspace_id, contact_id, erased_at, receipt) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(ws)
            .bind(id.as_str())
            .bind(now)
            .bind(text)
            .execute(&mut *c)
            .await?;
            receipt
        });
        tx.commit().await?;
        Ok(Some(receipt))
    }

    async fn erasure_count(&self, workspace_id: WorkspaceId) -> Result<i64, StoreError> {
        on!(self.read(), |pool| {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM erasures WHERE workspace_id = $1")
                .bind(workspace_id.get())
                .fetch_one(pool)
                .await?;
            row.int("n")
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn create_invitation(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        survey_id: &SurveyId,
    ) -> Result<Option<InvitationRecord>, StoreError> {
        // Immediate on SQLite: the contact is read and the invitation then written, and
        // another process's commit in between would fail the upgrade to a write.
        let mut tx = self.begin_batch().await?;
        let contact =
            match contact_by(tx.as_conn(), workspace_id, "id", contact_id.as_str()).await? {
                Some(c) => follow(tx.as_conn(), workspace_id, c).await?,
                None => None,
            };
        let survey = on!(tx.as_conn(), |c| {
            sqlx::query("SELECT 1 FROM surveys WHERE id = $1 AND workspace_id = $2")
                .bind(survey_id.as_str())
                .bind(workspace_id.get())
                .fetch_optional(c)
                .await?
                .is_some()
        });
        let (Some(contact), true) = (contact, survey) else {
            return Ok(None);
        };
        let stamp = stamp(tx.as_conn(), "invitations").await?;
        let inv = InvitationRecord {
            token: random_token(32),
            survey_id: survey_id.clone(),
            contact_id: contact.id,
            created_at: crate::now_ms(),
        };
        on!(tx.as_conn(), |c| {
            sqlx::query(
                "INSERT INTO invitations (token, workspace_id, survey_id, contact_id, \
                 created_at, change_seq) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&inv.token)
            .bind(workspace_id.get())
            .bind(inv.survey_id.as_str())
            .bind(inv.contact_id.as_str())
            .bind(inv.created_at)
            .bind(stamp)
            .execute(c)
            .await?;
        });
        tx.commit().await?;
        Ok(Some(inv))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn invitation_contact(
        &self,
        workspace_id: WorkspaceId,
        token: &str,
    ) -> Result<Option<ContactRecord>, StoreError> {
        let mut conn = self.read().acquire().await?;
        let id: Option<String> = on!(conn.as_conn(), |c| {
            sqlx::query_scalar(
                "SELECT contact_id FROM invitations WHERE token = $1 AND workspace_id = $2",
            )
            .bind(token)
            .bind(workspace_id.get())
            .fetch_optional(c)
            .await?
        });
        let Some(id) = id else {
            return Ok(None);
        };
        match contact_by(conn.as_conn(), workspace_id, "id", &id).await? {
            Some(c) => follow(conn.as_conn(), workspace_id, c).await,
            None => Ok(None),
        }
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn contact_responses(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        limit: i64,
    ) -> Result<Vec<ResponseRecord>, StoreError> {
        let mut conn = self.read().acquire().await?;
        let Some((ids, externals, emails)) =
            known_ids(conn.as_conn(), workspace_id, contact_id).await?
        else {
            return Ok(Vec::new());
        };
        // One index search per way a response names its contact, merged (UNION
        // drops a response found twice) newest first.
        on!(conn.as_conn(), |c| {
            let mut q = person_responses(SELECT_RESPONSE, workspace_id, &ids, &externals, &emails);
            q.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(c).await?;
            rows.iter().map(response_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn contact_events(
        &self,
        workspace_id: WorkspaceId,
        contact_id: &ContactId,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let mut conn = self.read().acquire().await?;
        let Some((_, externals, _)) = known_ids(conn.as_conn(), workspace_id, contact_id).await?
        else {
            return Ok(Vec::new());
        };
        if externals.is_empty() {
            return Ok(Vec::new());
        }
        // Two index searches (by user id; by the anonymous ids tied to them, for
        // events without a user id), merged newest first.
        let before = before_seq.unwrap_or(i64::MAX);
        let marker = self.event_marker();
        on!(conn.as_conn(), |c| {
            let mut q = sqlx::QueryBuilder::new("SELECT seq, ");
            q.push(marker)
                .push(" AS marker, ")
                .push(EVENT_COLUMNS)
                .push("WHERE workspace_id = ");
            q.push_bind(workspace_id.get())
                .push(" AND seq < ")
                .push_bind(before);
            q.push(" AND user_id IN (");
            let mut list = q.separated(", ");
            for v in &externals {
                list.push_bind(v.clone());
            }
            q.push(") UNION ALL SELECT seq, ")
                .push(marker)
                .push(" AS marker, ")
                .push(EVENT_COLUMNS)
                .push("WHERE workspace_id = ");
            q.push_bind(workspace_id.get())
                .push(" AND seq < ")
                .push_bind(before);
            q.push(
                " AND user_id IS NULL AND anonymous_id IN (SELECT anonymous_id FROM \
                 identity_links WHERE workspace_id = ",
            );
            q.push_bind(workspace_id.get()).push(" AND user_id IN (");
            let mut list = q.separated(", ");
            for v in &externals {
                list.push_bind(v.clone());
            }
            q.push(")) ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(c).await?;
            rows.iter().map(event_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_events(
        &self,
        workspace_id: WorkspaceId,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let keys = [
            &filter.kind,
            &filter.name,
            &filter.user_id,
            &filter.anonymous_id,
        ];
        if keys.into_iter().flatten().any(|k| !storable(k)) {
            return Ok(Vec::new());
        }
        // Without an id to look up, the newest events come from a scan of `seq`
        // (`scan_workspace` keeps SQLite off the workspace index, which would
        // sort the whole workspace for every page).
        let by_id = filter.user_id.is_some() || filter.anonymous_id.is_some();
        let workspace = if by_id {
            "workspace_id"
        } else {
            self.scan_workspace()
        };
        let marker = self.event_marker();
        on!(self.read(), |pool| {
            let mut q = sqlx::QueryBuilder::new("SELECT seq, ");
            q.push(marker)
                .push(" AS marker, ")
                .push(EVENT_COLUMNS)
                .push("WHERE ");
            q.push(workspace).push(" = ").push_bind(workspace_id.get());
            for (column, value) in [
                (" AND type = ", &filter.kind),
                (" AND name = ", &filter.name),
                (" AND user_id = ", &filter.user_id),
                (" AND anonymous_id = ", &filter.anonymous_id),
            ] {
                if let Some(v) = value {
                    q.push(column).push_bind(v.clone());
                }
            }
            if let Some(v) = filter.since {
                q.push(" AND timestamp >= ").push_bind(v);
            }
            if let Some(v) = filter.until {
                q.push(" AND timestamp < ").push_bind(v);
            }
            if let Some(v) = filter.before_seq {
                q.push(" AND seq < ").push_bind(v);
            }
            q.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(pool).await?;
            rows.iter().map(event_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn put_definition(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
        key: &str,
        definition: &JsonText,
        now: i64,
    ) -> Result<DefinitionRecord, StoreError> {
        on!(self.write(), |pool| {
            let row = sqlx::query(definitions_table(kind)[0])
                .bind(workspace_id.get())
                .bind(key)
                .bind(definition.as_str())
                .bind(now)
                .fetch_one(pool)
                .await?;
            definition_from_row(&row)
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn get_definition(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<Option<DefinitionRecord>, StoreError> {
        if !storable(key) {
            return Ok(None);
        }
        on!(self.read(), |pool| {
            let row = sqlx::query(definitions_table(kind)[1])
                .bind(workspace_id.get())
                .bind(key)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(definition_from_row).transpose()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn list_definitions(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
    ) -> Result<Vec<DefinitionRecord>, StoreError> {
        on!(self.read(), |pool| {
            let rows = sqlx::query(definitions_table(kind)[2])
                .bind(workspace_id.get())
                .fetch_all(pool)
                .await?;
            rows.iter().map(definition_from_row).collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn delete_definition(
        &self,
        kind: DefinitionKind,
        workspace_id: WorkspaceId,
        key: &str,
    ) -> Result<bool, StoreError> {
        if !storable(key) {
            return Ok(false);
        }
        let deleted = on!(self.write(), |pool| {
            sqlx::query(definitions_table(kind)[3])
                .bind(workspace_id.get())
                .bind(key)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn customer_head(
        &self,
        _workspace_id: WorkspaceId,
    ) -> Result<CustomerCursor, StoreError> {
        self.customer_feed_head().await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn feed_events(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<FeedEvent>, StoreError> {
        let rows = self
            .feed_rows(&FeedRead {
                select: &[
                    "SELECT seq, ",
                    self.event_marker(),
                    " AS marker, type, name, user_id, anonymous_id, timestamp, properties \
                     FROM events ",
                ],
                marker: "seq",
                order: "seq",
                workspace_id,
                since: since.events,
                head: head.events,
                after: &after_seq.to_string(),
                limit,
            })
            .await?;
        on!(rows, |rows| rows.iter().map(feed_event_from_row).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn feed_contacts(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after_id: Option<&ContactId>,
        limit: i64,
    ) -> Result<Vec<ContactRecord>, StoreError> {
        let rows = self
            .feed_rows(&FeedRead {
                select: &[SELECT_CONTACT],
                marker: "change_seq",
                order: "id",
                workspace_id,
                since: since.contacts,
                head: head.contacts,
                after: after_id.map_or("", ContactId::as_str),
                limit,
            })
            .await?;
        on!(rows, |rows| rows.iter().map(contact_from_row).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn feed_links(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = self
            .feed_rows(&FeedRead {
                select: &["SELECT anonymous_id, user_id FROM identity_links "],
                marker: "change_seq",
                order: "anonymous_id",
                workspace_id,
                since: since.links,
                head: head.links,
                after,
                limit,
            })
            .await?;
        on!(rows, |rows| rows
            .iter()
            .map(|r| Ok((r.text("anonymous_id")?, r.text("user_id")?)))
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(workspace = %workspace_id))]
    async fn feed_invitations(
        &self,
        workspace_id: WorkspaceId,
        since: &CustomerCursor,
        head: &CustomerCursor,
        after: &str,
        limit: i64,
    ) -> Result<Vec<InvitationRecord>, StoreError> {
        let rows = self
            .feed_rows(&FeedRead {
                select: &["SELECT token, survey_id, contact_id, created_at FROM invitations "],
                marker: "change_seq",
                order: "token",
                workspace_id,
                since: since.invitations,
                head: head.invitations,
                after,
                limit,
            })
            .await?;
        on!(rows, |rows| rows.iter().map(invitation_from_row).collect())
    }
}
