//! The customer side of the contract: write keys, tracked messages, contacts, invitations,
//! definitions and the customer feed.

use std::collections::BTreeSet;
use std::sync::Arc;

use puls_store::{
    ContactChange, ContactFields, ContactLookup, ContactOutcome, ContactUpsert, CustomerCursor,
    DefinitionKind, MergeOutcome, NewEvent, ResponseId, Store, TrackBatch, Value, WorkspaceId,
    WriteOp, WriteOutcome,
};

use super::helpers::{cid, json, sid, value};

fn event(
    message_id: &str,
    kind: &str,
    name: &str,
    user: Option<&str>,
    anon: Option<&str>,
    ts: i64,
) -> NewEvent {
    NewEvent {
        message_id: message_id.into(),
        kind: kind.into(),
        name: name.into(),
        user_id: user.map(str::to_string),
        anonymous_id: anon.map(str::to_string),
        timestamp: ts,
        received_at: ts + 5,
        properties: json(r#"{"plan":"pro"}"#),
        context: json("{}"),
        extra: json("{}"),
    }
}

/// A change that sets fields from pairs (a stand-in for what the server builds from a
/// patch); `name = "!"` makes it refuse.
fn set(pairs: &[(&str, &str)]) -> ContactChange {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ContactChange(Arc::new(move |f: &mut ContactFields| {
        for (k, v) in &pairs {
            match k.as_str() {
                "external_id" => f.external_id = Some(v.clone()),
                "email" => f.email = Some(v.clone()),
                "name" if v == "!" => return Err("refused".into()),
                "name" => f.name = Some(v.clone()),
                "attributes" => match value(v) {
                    Value::Map(m) => f.attributes = m,
                    other => return Err(format!("not an object: {other:?}")),
                },
                other => return Err(format!("unknown field {other}")),
            }
        }
        Ok(())
    }))
}

fn upsert(lookup: ContactLookup, change: ContactChange) -> ContactUpsert {
    ContactUpsert {
        lookup,
        create: true,
        change,
        message_id: None,
    }
}

fn by_external(id: &str) -> ContactLookup {
    ContactLookup {
        external_id: Some(id.into()),
        ..ContactLookup::default()
    }
}

fn by_email(email: &str) -> ContactLookup {
    ContactLookup {
        email: Some(email.into()),
        ..ContactLookup::default()
    }
}

fn created(o: &ContactOutcome) -> &puls_store::ContactRecord {
    match o {
        ContactOutcome::Created(c) | ContactOutcome::Updated(c) | ContactOutcome::Unchanged(c) => c,
        other => panic!("expected a contact, got {other:?}"),
    }
}

async fn track(store: &dyn Store, batch: TrackBatch) -> (usize, usize) {
    match store
        .write_batch(&[WriteOp::Track(batch)])
        .await
        .expect("tracking")
    {
        outcomes if outcomes.len() == 1 => match &outcomes[0] {
            WriteOutcome::Tracked { stored, repeated } => (*stored, *repeated),
            other => panic!("expected Tracked, got {other:?}"),
        },
        other => panic!("expected one outcome, got {other:?}"),
    }
}

both_backends!(a_write_key_finds_its_workspace_until_revoked);
async fn a_write_key_finds_its_workspace_until_revoked(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    let other = store.ensure_workspace("other", "Other").await.unwrap();
    let key = store.create_write_key(ws.id, "shop").await.unwrap();
    assert!(key.key.starts_with("wk_"));
    assert_eq!(
        store.workspace_by_write_key(&key.key).await.unwrap(),
        Some(ws.clone())
    );
    assert_eq!(store.workspace_by_write_key("wk_nope").await.unwrap(), None);
    assert_eq!(store.workspace_by_write_key("wk_\0").await.unwrap(), None);
    assert!(
        !store.revoke_write_key(other.id, &key.key).await.unwrap(),
        "not another workspace's"
    );
    assert_eq!(
        store.list_write_keys(ws.id).await.unwrap(),
        vec![key.clone()]
    );
    assert!(store.revoke_write_key(ws.id, &key.key).await.unwrap());
    assert_eq!(store.workspace_by_write_key(&key.key).await.unwrap(), None);
}

both_backends!(a_message_is_stored_once_per_message_id_and_workspace);
async fn a_message_is_stored_once_per_message_id_and_workspace(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    let other = store.ensure_workspace("other", "Other").await.unwrap();
    let batch = |ws: WorkspaceId, events: Vec<NewEvent>| TrackBatch {
        workspace_id: ws,
        events,
        links: Vec::new(),
        contacts: Vec::new(),
        triggers: Vec::new(),
    };
    let first = vec![
        event("m1", "track", "Order Completed", Some("u1"), None, 1000),
        event("m2", "page", "Checkout", None, Some("a1"), 2000),
        // The same message twice in one request is stored once.
        event("m2", "page", "Checkout", None, Some("a1"), 2000),
    ];
    assert_eq!(track(&*store, batch(ws.id, first)).await, (2, 1));
    // A retry of the request, and a new message: only the new one is stored.
    let retry = vec![
        event("m1", "track", "Order Completed", Some("u1"), None, 1000),
        event("m3", "identify", "", Some("u1"), None, 3000),
    ];
    assert_eq!(track(&*store, batch(ws.id, retry)).await, (1, 1));
    // Another workspace may use the same message id.
    assert_eq!(
        track(
            &*store,
            batch(
                other.id,
                vec![event("m1", "track", "X", Some("u9"), None, 1)]
            )
        )
        .await,
        (1, 0)
    );
    let listed = store
        .list_events(ws.id, &Default::default(), 10)
        .await
        .unwrap();
    let ids: Vec<&str> = listed.iter().map(|e| e.event.message_id.as_str()).collect();
    assert_eq!(ids, ["m3", "m2", "m1"], "newest first");
    let m1 = &listed[2].event;
    assert_eq!(
        (
            m1.kind.as_str(),
            m1.name.as_str(),
            m1.user_id.as_deref(),
            m1.anonymous_id.as_deref(),
            m1.timestamp,
            m1.received_at,
        ),
        ("track", "Order Completed", Some("u1"), None, 1000, 1005)
    );
    assert_eq!(
        Value::Map(m1.properties.clone()),
        value(r#"{"plan":"pro"}"#)
    );
    assert!(m1.context.is_empty() && m1.extra.is_empty());
    let tracks = store
        .list_events(
            ws.id,
            &puls_store::EventFilter {
                kind: Some("track".into()),
                since: Some(500),
                until: Some(1500),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(tracks.len(), 1);
}

both_backends!(an_identify_changes_its_contact_only_when_its_message_is_new);
async fn an_identify_changes_its_contact_only_when_its_message_is_new(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    let identify = |name: &str| TrackBatch {
        workspace_id: ws.id,
        events: vec![event("id-1", "identify", "", Some("u1"), Some("a1"), 1000)],
        links: vec![("a1".into(), "u1".into())],
        contacts: vec![ContactUpsert {
            lookup: by_external("u1"),
            create: true,
            change: set(&[("name", name)]),
            message_id: Some("id-1".into()),
        }],
        triggers: Vec::new(),
    };
    assert_eq!(track(&*store, identify("Ala")).await, (1, 0));
    let c = store
        .find_contact(ws.id, &by_external("u1"))
        .await
        .unwrap()
        .expect("created");
    assert_eq!(c.fields.name.as_deref(), Some("Ala"));
    assert_eq!(
        c.fields.external_id.as_deref(),
        Some("u1"),
        "the lookup's id is the contact's"
    );
    // The same message again (a client's retry) changes nothing.
    assert_eq!(track(&*store, identify("Ola")).await, (0, 1));
    let again = store
        .find_contact(ws.id, &by_external("u1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.fields.name.as_deref(), Some("Ala"));
    // The first link of an anonymous id stands.
    let relink = TrackBatch {
        workspace_id: ws.id,
        events: vec![event("t-1", "track", "X", Some("u2"), Some("a1"), 2000)],
        links: vec![("a1".into(), "u2".into()), ("a2".into(), "u2".into())],
        contacts: Vec::new(),
        triggers: Vec::new(),
    };
    track(&*store, relink).await;
    let head = store.customer_head(ws.id).await.unwrap();
    let links: BTreeSet<(String, String)> = store
        .feed_links(ws.id, &CustomerCursor::default(), &head, "", 100)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let expected: BTreeSet<(String, String)> = [("a1", "u1"), ("a2", "u2")]
        .iter()
        .map(|(a, u)| (a.to_string(), u.to_string()))
        .collect();
    assert_eq!(links, expected);
}

both_backends!(contacts_are_created_found_updated_and_kept_unique);
async fn contacts_are_created_found_updated_and_kept_unique(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    let out = store
        .upsert_contacts(
            ws.id,
            &[
                upsert(
                    by_external("c-1"),
                    set(&[("email", "ala@example.com"), ("name", "Ala")]),
                ),
                upsert(by_email("ola@example.com"), set(&[("name", "Ola")])),
                upsert(by_external("c-3"), set(&[("name", "!")])),
            ],
        )
        .await
        .unwrap();
    let ala = created(&out[0]).clone();
    assert!(matches!(out[0], ContactOutcome::Created(_)));
    assert_eq!(
        created(&out[1]).fields.email.as_deref(),
        Some("ola@example.com")
    );
    assert_eq!(out[2], ContactOutcome::Invalid("refused".into()));
    assert_eq!(
        store
            .find_contact(ws.id, &by_external("c-3"))
            .await
            .unwrap(),
        None
    );

    // Found by either id; unchanged when nothing changes.
    assert_eq!(
        store
            .find_contact(ws.id, &by_email("ala@example.com"))
            .await
            .unwrap(),
        Some(ala.clone())
    );
    let same = store
        .upsert_contacts(
            ws.id,
            &[upsert(by_external("c-1"), set(&[("name", "Ala")]))],
        )
        .await
        .unwrap();
    assert!(matches!(same[0], ContactOutcome::Unchanged(_)));

    // Another contact's email is a conflict, and changes nothing.
    let clash = store
        .upsert_contacts(
            ws.id,
            &[upsert(
                by_external("c-1"),
                set(&[("email", "ola@example.com")]),
            )],
        )
        .await
        .unwrap();
    assert!(
        matches!(&clash[0], ContactOutcome::Conflict { field: "email", .. }),
        "{clash:?}"
    );
    // A contact known only by email takes the external id it is next given with it.
    let claim = store
        .upsert_contacts(
            ws.id,
            &[upsert(
                ContactLookup {
                    external_id: Some("c-2".into()),
                    email: Some("ola@example.com".into()),
                    id: None,
                },
                set(&[]),
            )],
        )
        .await
        .unwrap();
    let ola = created(&claim[0]).clone();
    assert!(matches!(claim[0], ContactOutcome::Updated(_)));
    assert_eq!(ola.fields.external_id.as_deref(), Some("c-2"));
    // Not creating: a missing contact is NotFound.
    let missing = store
        .upsert_contacts(
            ws.id,
            &[ContactUpsert {
                create: false,
                ..upsert(by_external("c-404"), set(&[]))
            }],
        )
        .await
        .unwrap();
    assert_eq!(missing[0], ContactOutcome::NotFound);

    let page = store.list_contacts(ws.id, None, 1).await.unwrap();
    let rest = store
        .list_contacts(ws.id, Some(&page[0].id), 10)
        .await
        .unwrap();
    let mut all: Vec<_> = page.iter().chain(&rest).map(|c| c.id.clone()).collect();
    all.sort();
    let mut expected = vec![ala.id.clone(), ola.id.clone()];
    expected.sort();
    assert_eq!(all, expected);
}

both_backends!(a_merged_contact_forwards_its_ids_and_a_deleted_one_keeps_nothing);
async fn a_merged_contact_forwards_its_ids_and_a_deleted_one_keeps_nothing(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    let out = store
        .upsert_contacts(
            ws.id,
            &[
                upsert(by_external("a"), set(&[("email", "a@example.com")])),
                upsert(
                    by_external("b"),
                    set(&[("email", "b@example.com"), ("name", "Bea")]),
                ),
                upsert(by_external("c"), set(&[])),
            ],
        )
        .await
        .unwrap();
    let (a, b, c) = (
        created(&out[0]).clone(),
        created(&out[1]).clone(),
        created(&out[2]).clone(),
    );
    let fill = |mine: &mut ContactFields, theirs: &ContactFields| {
        if mine.name.is_none() {
            mine.name.clone_from(&theirs.name);
        }
        Ok(())
    };
    // c into b, then b into a: c now forwards to a as well.
    assert!(matches!(
        store
            .merge_contacts(ws.id, &b.id, &c.id, &fill)
            .await
            .unwrap(),
        MergeOutcome::Merged(_)
    ));
    let merged = match store
        .merge_contacts(ws.id, &a.id, &b.id, &fill)
        .await
        .unwrap()
    {
        MergeOutcome::Merged(m) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(merged.fields.name.as_deref(), Some("Bea"));
    assert_eq!(
        merged.fields.email.as_deref(),
        Some("a@example.com"),
        "keeps its own email"
    );
    for lookup in [
        by_external("b"),
        by_email("b@example.com"),
        by_external("c"),
    ] {
        assert_eq!(
            store
                .find_contact(ws.id, &lookup)
                .await
                .unwrap()
                .map(|c| c.id),
            Some(a.id.clone()),
            "{lookup:?}"
        );
    }
    assert_eq!(
        store
            .get_contact(ws.id, &c.id)
            .await
            .unwrap()
            .unwrap()
            .merged_into,
        Some(a.id.clone())
    );
    assert_eq!(
        store
            .merge_contacts(ws.id, &a.id, &b.id, &fill)
            .await
            .unwrap(),
        MergeOutcome::NotFound
    );
    assert_eq!(
        store
            .merge_contacts(ws.id, &a.id, &a.id, &fill)
            .await
            .unwrap(),
        MergeOutcome::Same
    );
    assert_eq!(store.list_contacts(ws.id, None, 10).await.unwrap().len(), 1);

    let erased = store
        .erase_contact(ws.id, &a.id)
        .await
        .unwrap()
        .expect("a receipt");
    // The contact and the two merged into it.
    assert_eq!(erased.contacts, 3);
    assert_eq!(store.erase_contact(ws.id, &a.id).await.unwrap(), None);
    assert_eq!(store.erasure_count(ws.id).await.unwrap(), 1);
    let gone = store.get_contact(ws.id, &a.id).await.unwrap().unwrap();
    assert!(gone.deleted_at.is_some());
    assert_eq!((gone.fields.email, gone.fields.name), (None, None));
    assert_eq!(
        store.find_contact(ws.id, &by_external("b")).await.unwrap(),
        None
    );
    // Its ids are free again.
    let again = store
        .upsert_contacts(
            ws.id,
            &[upsert(by_external("a"), set(&[("email", "a@example.com")]))],
        )
        .await
        .unwrap();
    assert!(matches!(again[0], ContactOutcome::Created(_)));
}

both_backends!(a_contacts_responses_and_events_are_found_by_all_its_ids);
async fn a_contacts_responses_and_events_are_found_by_all_its_ids(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    super::survey(&*store, ws.id, "s1", 1).await;
    let out = store
        .upsert_contacts(
            ws.id,
            &[
                upsert(by_external("u1"), set(&[("email", "ala@example.com")])),
                upsert(by_external("u2"), set(&[])),
            ],
        )
        .await
        .unwrap();
    let (ala, old) = (created(&out[0]).clone(), created(&out[1]).clone());
    let keep_mine = |_: &mut ContactFields, _: &ContactFields| Ok(());
    store
        .merge_contacts(ws.id, &ala.id, &old.id, &keep_mine)
        .await
        .unwrap();
    let inv = store
        .create_invitation(ws.id, &ala.id, &sid("s1"))
        .await
        .unwrap()
        .expect("an invitation");
    assert_eq!(
        store
            .create_invitation(ws.id, &ala.id, &sid("nope"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .create_invitation(ws.id, &cid("01J00000000000000000000000"), &sid("s1"))
            .await
            .unwrap(),
        None
    );

    let mut by_ext = super::helpers::response(ws.id, "s1", 10);
    by_ext.contact_external_id = Some("u2".into());
    let mut by_mail = super::helpers::response(ws.id, "s1", 20);
    by_mail.contact_email = Some("ala@example.com".into());
    let mut by_inv = super::helpers::response(ws.id, "s1", 30);
    by_inv.invitation_token = Some(inv.token.clone());
    let stranger = super::helpers::response(ws.id, "s1", 40);
    let ids: Vec<ResponseId> = [&by_ext, &by_mail, &by_inv]
        .iter()
        .map(|r| r.id.clone())
        .collect();
    store
        .write_batch(&[by_ext, by_mail, by_inv, stranger].map(WriteOp::Insert))
        .await
        .unwrap();
    let mut found: Vec<ResponseId> = store
        .contact_responses(ws.id, &ala.id, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    found.sort();
    let mut ids = ids;
    ids.sort();
    assert_eq!(found, ids);

    track(
        &*store,
        TrackBatch {
            workspace_id: ws.id,
            events: vec![
                event("e1", "page", "Home", None, Some("anon"), 1),
                event("e2", "track", "Signed Up", Some("u1"), Some("anon"), 2),
                event("e3", "track", "Order Completed", Some("u2"), None, 3),
                event("e4", "track", "Order Completed", Some("someone"), None, 4),
            ],
            links: vec![("anon".into(), "u1".into())],
            contacts: Vec::new(),
            triggers: Vec::new(),
        },
    )
    .await;
    let events: Vec<String> = store
        .contact_events(ws.id, &ala.id, None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.message_id)
        .collect();
    assert_eq!(events, ["e3", "e2", "e1"]);
    assert!(
        store
            .contact_events(ws.id, &old.id, None, 10)
            .await
            .unwrap()
            .is_empty(),
        "merged"
    );
}

both_backends!(journeys_and_segments_are_stored_by_key);
async fn journeys_and_segments_are_stored_by_key(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    for kind in [DefinitionKind::Journey, DefinitionKind::Segment] {
        let first = store
            .put_definition(kind, ws.id, "eshop", &json(r#"{"v":1}"#), 100)
            .await
            .unwrap();
        assert_eq!((first.created_at, first.updated_at), (100, 100));
        let second = store
            .put_definition(kind, ws.id, "eshop", &json(r#"{"v":2}"#), 200)
            .await
            .unwrap();
        assert_eq!(
            (second.created_at, second.updated_at, &second.definition),
            (100, 200, &value(r#"{"v":2}"#))
        );
        store
            .put_definition(kind, ws.id, "b2b", &json("{}"), 300)
            .await
            .unwrap();
        let keys: Vec<String> = store
            .list_definitions(kind, ws.id)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.key)
            .collect();
        assert_eq!(keys, ["b2b", "eshop"]);
        assert_eq!(
            store.get_definition(kind, ws.id, "eshop").await.unwrap(),
            Some(second)
        );
        assert!(store.delete_definition(kind, ws.id, "eshop").await.unwrap());
        assert!(!store.delete_definition(kind, ws.id, "eshop").await.unwrap());
        assert_eq!(
            store.get_definition(kind, ws.id, "eshop").await.unwrap(),
            None
        );
    }
    // Journeys and segments do not share keys' namespace.
    assert!(
        store
            .get_definition(DefinitionKind::Journey, ws.id, "b2b")
            .await
            .unwrap()
            .is_some()
    );
}

/// Reads every event the feed gives between two cursors, page by page.
async fn feed_all(
    store: &dyn Store,
    ws: WorkspaceId,
    since: &CustomerCursor,
    head: &CustomerCursor,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store.feed_events(ws, since, head, after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        // The events are named after their ids (the feed does not carry message ids).
        out.extend(page.into_iter().map(|e| e.name));
    }
    out
}

both_backends!(the_customer_feed_gives_everything_written_after_a_cursor);
async fn the_customer_feed_gives_everything_written_after_a_cursor(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap();
    let other = store.ensure_workspace("other", "Other").await.unwrap();
    let write = |ws: WorkspaceId, ids: &[&str]| TrackBatch {
        workspace_id: ws,
        events: ids
            .iter()
            .map(|id| event(id, "track", id, Some("u"), None, 1))
            .collect(),
        links: Vec::new(),
        contacts: Vec::new(),
        triggers: Vec::new(),
    };
    track(&*store, write(ws.id, &["e1", "e2", "e3"])).await;
    track(&*store, write(other.id, &["o1"])).await;
    let head = store.customer_head(ws.id).await.unwrap();
    // A first read from the start gives every event of the workspace, in order.
    let start = CustomerCursor::default();
    assert_eq!(
        feed_all(&*store, ws.id, &start, &head).await,
        ["e1", "e2", "e3"]
    );

    track(&*store, write(ws.id, &["e4", "e5"])).await;
    store
        .upsert_contacts(ws.id, &[upsert(by_external("u"), set(&[("name", "U")]))])
        .await
        .unwrap();
    let next = store.customer_head(ws.id).await.unwrap();
    let since_head: BTreeSet<String> = feed_all(&*store, ws.id, &head, &next)
        .await
        .into_iter()
        .collect();
    // Every event written after the cursor is read; on PostgreSQL earlier ones may come
    // again (readers skip the seqs they have), never missing ones.
    for id in ["e4", "e5"] {
        assert!(since_head.contains(id), "{id} missed: {since_head:?}");
    }
    if store.backend() == "sqlite" {
        assert_eq!(since_head.len(), 2, "SQLite reads exactly what is new");
    }
    let contacts = store
        .feed_contacts(ws.id, &head, &next, None, 10)
        .await
        .unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].fields.name.as_deref(), Some("U"));
    assert!(
        store
            .feed_contacts(other.id, &head, &next, None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A contact changed later comes again, as it is now.
    store
        .upsert_contacts(ws.id, &[upsert(by_external("u"), set(&[("name", "V")]))])
        .await
        .unwrap();
    let last = store.customer_head(ws.id).await.unwrap();
    let changed = store
        .feed_contacts(ws.id, &next, &last, None, 10)
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].fields.name.as_deref(), Some("V"));
}
