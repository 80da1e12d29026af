//! The digests side of the contract: an alert kept for a digest is kept once, is due from
//! its hour, and goes out in exactly one digest even when two nodes write digests at once.

use std::sync::Arc;

use puls_store::{DigestItem, JobFilter, NewJob, Store, WorkspaceId};

fn item(id: &str, workspace_id: WorkspaceId, due_at: i64) -> DigestItem {
    DigestItem {
        id: id.into(),
        workspace_id,
        recipient: "szefowa@sklep.pl".into(),
        locale: "pl".into(),
        due_at,
        response_id: Some(format!("resp-{id}")),
        data: r#"{"template": "alert_fired", "vars": {}}"#.into(),
        created_at: due_at - 1_000,
    }
}

fn digest_job(id: &str, workspace_id: WorkspaceId, now: i64) -> NewJob {
    NewJob {
        id: id.into(),
        workspace_id,
        channel: "email".into(),
        target_id: "smtp".into(),
        event_type: "alert_digest".into(),
        payload: "{}".into(),
        next_at: now,
    }
}

both_backends!(an_alert_goes_out_in_exactly_one_digest);
async fn an_alert_goes_out_in_exactly_one_digest(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("sklep", "Sklep").await.unwrap().id;
    let now = 1_800_000_000_000;
    let items = [
        item("a", ws, now),
        item("b", ws, now),
        item("later", ws, now + 10),
    ];
    assert_eq!(store.add_digest_items(&items).await.unwrap(), 3);
    assert_eq!(
        store.add_digest_items(&items).await.unwrap(),
        0,
        "kept once"
    );
    assert!(
        store
            .due_digest_items(now - 1, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let due = store.due_digest_items(now, 100).await.unwrap();
    let ids: Vec<String> = due.iter().map(|i| i.id.clone()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(due[0], items[0]);

    // Two nodes write the digest at once: one wins, the other writes nothing.
    let (first, second) = (
        digest_job("digest-1", ws, now),
        digest_job("digest-2", ws, now),
    );
    let (one, two) = tokio::join!(
        store.send_digest(&first, &ids),
        store.send_digest(&second, &ids),
    );
    let (one, two) = (one.unwrap(), two.unwrap());
    assert!(one ^ two, "exactly one digest: {one} {two}");
    // A node that finds one of its alerts taken writes nothing, even with others free.
    let again = vec!["a".to_string(), "later".to_string()];
    assert!(
        !store
            .send_digest(&digest_job("digest-3", ws, now), &again)
            .await
            .unwrap()
    );
    let jobs = store
        .jobs(
            ws,
            &JobFilter {
                limit: 10,
                ..JobFilter::default()
            },
        )
        .await
        .unwrap();
    let written: Vec<&str> = jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(written[0] == "digest-1" || written[0] == "digest-2");
    let left = store.due_digest_items(now + 10, 100).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, "later");
}
