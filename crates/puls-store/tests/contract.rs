//! The `Store` contract: what every backend must do, run against SQLite and PostgreSQL,
//! each test on a database of its own.

// In a folder of its own, so Cargo does not take it for a test binary.
#[macro_use]
#[path = "contract/helpers.rs"]
mod helpers;

use std::collections::BTreeSet;
use std::sync::Arc;

use puls_store::{
    Change, ChangeKind, Changes, NewSurvey, ResponseFilter, ResponseId, ResponseUpdate, Store,
    SurveyStatus, SurveyUpdate, WorkspaceId, WriteOp, WriteOutcome,
};

use helpers::{json, response, rid, sid, value};

#[path = "contract/cases.rs"]
mod cases;
#[path = "contract/customers.rs"]
mod customers;
#[path = "contract/digests.rs"]
mod digests;
#[path = "contract/users.rs"]
mod users;

/// Creates a survey `id` in a workspace at time `now`.
async fn survey(store: &dyn Store, workspace_id: WorkspaceId, id: &str, now: i64) {
    store
        .create_survey(NewSurvey {
            id: &sid(id),
            workspace_id,
            status: SurveyStatus::Published,
            title: "Checkout",
            touchpoint: "checkout",
            definition: &json(r#"{"v":1}"#),
            now,
        })
        .await
        .expect("creating a survey");
}

both_backends!(a_workspace_is_created_once_per_slug);
async fn a_workspace_is_created_once_per_slug(store: Arc<dyn Store>) {
    assert!(["sqlite", "postgres"].contains(&store.backend()));
    assert!(store.writer_tasks() >= 1);
    store.ping().await.expect("ping");
    store
        .migrate()
        .await
        .expect("migrating again changes nothing");

    let acme = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("creating");
    assert_eq!((acme.slug.as_str(), acme.name.as_str()), ("acme", "Acme"));
    let again = store
        .ensure_workspace("acme", "Another name")
        .await
        .expect("ensuring");
    assert_eq!(again, acme, "an existing workspace is returned unchanged");
    assert_eq!(
        store.workspace_by_slug("acme").await.expect("reading"),
        Some(acme.clone())
    );
    assert_eq!(
        store.workspace_by_slug("nope").await.expect("reading"),
        None
    );
    let globex = store
        .ensure_workspace("globex", "Globex")
        .await
        .expect("creating");
    assert_ne!(globex.id, acme.id);
    assert_eq!(
        store.list_workspaces().await.expect("listing"),
        vec![acme.clone(), globex.clone()]
    );
}

both_backends!(an_api_key_authenticates_its_workspace_until_revoked);
async fn an_api_key_authenticates_its_workspace_until_revoked(store: Arc<dyn Store>) {
    let acme = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace");
    let globex = store
        .ensure_workspace("globex", "Globex")
        .await
        .expect("workspace");
    let (info, token) = store.create_api_key(acme.id, "ci").await.expect("a key");
    assert!(token.starts_with(&format!("puls_{}_", info.id)), "{token}");
    assert_eq!(
        (info.workspace_id, info.name.as_str(), info.revoked_at),
        (acme.id, "ci", None)
    );

    assert_eq!(
        store.authenticate(&token).await.expect("auth"),
        Some(acme.clone())
    );
    let (kept, last) = token.split_at(token.len() - 1);
    let wrong = format!("{kept}{}", if last == "a" { "b" } else { "a" });
    for bad in [
        wrong.as_str(),
        "",
        "nope",
        "puls__",
        "puls_x_y",
        &format!("puls_{}_", info.id),
    ] {
        assert_eq!(
            store.authenticate(bad).await.expect("auth"),
            None,
            "{bad:?}"
        );
    }

    assert_eq!(
        store.list_api_keys(acme.id).await.expect("keys"),
        vec![info.clone()]
    );
    assert_eq!(store.list_api_keys(globex.id).await.expect("keys"), vec![]);

    assert!(
        !store
            .revoke_api_key(globex.id, &info.id)
            .await
            .expect("revoke"),
        "not globex's key"
    );
    assert_eq!(
        store.authenticate(&token).await.expect("auth"),
        Some(acme.clone())
    );
    assert!(
        store
            .revoke_api_key(acme.id, &info.id)
            .await
            .expect("revoke")
    );
    assert_eq!(store.authenticate(&token).await.expect("auth"), None);
    assert!(
        !store
            .revoke_api_key(acme.id, &info.id)
            .await
            .expect("revoke"),
        "revoked once"
    );
    let listed = store.list_api_keys(acme.id).await.expect("keys");
    assert!(listed[0].revoked_at.is_some());
}

both_backends!(surveys_are_versioned_and_belong_to_their_workspace);
async fn surveys_are_versioned_and_belong_to_their_workspace(store: Arc<dyn Store>) {
    let acme = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    let globex = store
        .ensure_workspace("globex", "Globex")
        .await
        .expect("workspace")
        .id;
    let created = store
        .create_survey(NewSurvey {
            id: &sid("s1"),
            workspace_id: acme,
            status: SurveyStatus::Draft,
            title: "Checkout",
            touchpoint: "checkout",
            definition: &json(r#"{"v":1}"#),
            now: 1_000,
        })
        .await
        .expect("creating");
    assert_eq!((created.version, created.status), (1, SurveyStatus::Draft));
    assert_eq!(
        store.get_survey(acme, &sid("s1")).await.expect("get"),
        Some(created.clone())
    );
    assert_eq!(
        store.get_survey(globex, &sid("s1")).await.expect("get"),
        None
    );
    assert_eq!(
        store.get_survey_public(&sid("s1")).await.expect("get"),
        Some(created.clone())
    );
    assert_eq!(
        store.get_survey_public(&sid("nope")).await.expect("get"),
        None
    );

    let update = SurveyUpdate {
        title: "Checkout v2",
        touchpoint: "payment",
        definition: &json(r#"{"v":2}"#),
        now: 2_000,
    };
    assert_eq!(
        store
            .update_survey(globex, &sid("s1"), update.clone())
            .await
            .expect("update"),
        None
    );
    let v2 = store
        .update_survey(acme, &sid("s1"), update)
        .await
        .expect("update")
        .expect("found");
    assert_eq!(v2.version, 2);
    assert_eq!(
        (v2.title.as_str(), v2.touchpoint.as_str()),
        ("Checkout v2", "payment")
    );
    assert_eq!(v2.definition, value(r#"{"v":2}"#));
    assert_eq!((v2.created_at, v2.updated_at), (1_000, 2_000));
    assert_eq!(
        store
            .survey_definition(&sid("s1"), 1)
            .await
            .expect("v1")
            .expect("found"),
        value(r#"{"v":1}"#)
    );
    assert_eq!(
        store
            .survey_definition(&sid("s1"), 2)
            .await
            .expect("v2")
            .expect("found"),
        value(r#"{"v":2}"#)
    );
    assert_eq!(
        store.survey_definition(&sid("s1"), 3).await.expect("v3"),
        None
    );

    assert_eq!(
        store
            .set_survey_status(globex, &sid("s1"), SurveyStatus::Published, 3_000)
            .await
            .expect("status"),
        None
    );
    let published = store
        .set_survey_status(acme, &sid("s1"), SurveyStatus::Published, 3_000)
        .await
        .expect("status")
        .expect("found");
    assert_eq!(
        (published.status, published.version, published.updated_at),
        (SurveyStatus::Published, 2, 3_000)
    );

    survey(&*store, acme, "s2", 4_000).await;
    let listed: Vec<String> = store
        .list_surveys(acme)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(listed, ["s2", "s1"], "newest first");
    assert_eq!(store.list_surveys(globex).await.expect("list"), vec![]);
    assert_eq!(
        store.current_survey_versions(acme).await.expect("versions"),
        vec![(sid("s2"), 1), (sid("s1"), 2)],
        "the current version of each, in the order of list_surveys"
    );
    assert_eq!(
        store
            .current_survey_versions(globex)
            .await
            .expect("versions"),
        vec![]
    );
    assert!(
        !store
            .delete_survey(globex, &sid("s1"))
            .await
            .expect("delete"),
        "not globex's survey"
    );
    assert!(
        store
            .get_survey(acme, &sid("s1"))
            .await
            .expect("get")
            .is_some()
    );
}

both_backends!(a_write_batch_reports_an_outcome_per_write_in_order);
async fn a_write_batch_reports_an_outcome_per_write_in_order(store: Arc<dyn Store>) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    let other_ws = store
        .ensure_workspace("globex", "Globex")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 1_000).await;
    survey(&*store, ws, "s2", 1_000).await;

    let mut first = response(ws, "s1", 10_000);
    first.idempotency_key = Some("key-1".into());
    first.invitation_token = Some("inv-1".into());
    let mut retry = response(ws, "s1", 10_001);
    retry.idempotency_key = Some("key-1".into());
    let mut reused_invitation = response(ws, "s1", 10_002);
    reused_invitation.invitation_token = Some("inv-1".into());
    let mut partial = response(ws, "s1", 10_003);
    partial.completed = false;
    partial.resume_token = Some("resume-me".into());
    let outcomes = store
        .write_batch(&[
            WriteOp::Insert(first.clone()),
            WriteOp::Insert(retry),
            WriteOp::Insert(reused_invitation),
            WriteOp::Insert(partial.clone()),
        ])
        .await
        .expect("a batch");
    assert_eq!(outcomes.len(), 4);
    assert_eq!(outcomes[0], WriteOutcome::Inserted);
    match &outcomes[1] {
        WriteOutcome::Replayed(r) => {
            assert_eq!(r.id, first.id, "the response stored under the key");
            assert_eq!((r.created_at, r.revision, r.completed), (10_000, 1, true));
            assert_eq!(r.invitation_token.as_deref(), Some("inv-1"));
        }
        other => panic!("expected a replay, got {other:?}"),
    }
    assert_eq!(outcomes[2], WriteOutcome::InvitationUsed);
    assert_eq!(outcomes[3], WriteOutcome::Inserted);

    // Across batches too; keys and invitations are per survey.
    let mut again = response(ws, "s1", 11_000);
    again.idempotency_key = Some("key-1".into());
    let mut elsewhere = response(ws, "s2", 11_001);
    elsewhere.idempotency_key = Some("key-1".into());
    elsewhere.invitation_token = Some("inv-1".into());
    let outcomes = store
        .write_batch(&[WriteOp::Insert(again), WriteOp::Insert(elsewhere)])
        .await
        .expect("a batch");
    assert!(
        matches!(&outcomes[0], WriteOutcome::Replayed(r) if r.id == first.id),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[1], WriteOutcome::Inserted);

    // Updates are guarded by the revision read, and a completed response never changes.
    let update = |revision: i64, completed: bool, answers: &str, now: i64| {
        WriteOp::Update(ResponseUpdate {
            id: partial.id.clone(),
            workspace_id: partial.workspace_id,
            survey_id: partial.survey_id.clone(),
            expected_revision: revision,
            completed,
            answers: json(answers),
            now,
        })
    };
    let outcomes = store
        .write_batch(&[
            update(1, false, r#"{"nps":3}"#, 20_000),
            update(1, false, r#"{"nps":4}"#, 20_001),
            WriteOp::Insert(response(ws, "s2", 20_002)),
            WriteOp::Update(ResponseUpdate {
                id: rid("01J00000000000000000000000"),
                workspace_id: ws,
                survey_id: sid("s1"),
                expected_revision: 1,
                completed: true,
                answers: json("{}"),
                now: 20_003,
            }),
            update(2, true, r#"{"nps":5}"#, 20_004),
            update(3, false, r#"{"nps":6}"#, 20_005),
        ])
        .await
        .expect("a batch");
    assert_eq!(
        outcomes,
        vec![
            WriteOutcome::Updated(2),
            WriteOutcome::RevisionConflict,
            WriteOutcome::Inserted,
            WriteOutcome::NotFound,
            WriteOutcome::Updated(3),
            WriteOutcome::RevisionConflict,
        ]
    );

    let stored = store
        .get_response(ws, &partial.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        puls_store::Value::Map(stored.answers.clone()),
        value(r#"{"nps":5}"#)
    );
    assert_eq!((stored.revision, stored.completed), (3, true));
    assert_eq!(
        (stored.created_at, stored.updated_at, stored.completed_at),
        (10_003, 20_004, Some(20_004))
    );
    assert_eq!(stored.resume_token.as_deref(), Some("resume-me"));
    assert_eq!(
        store
            .get_response(other_ws, &partial.id)
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        store.get_response_public(&partial.id).await.expect("get"),
        Some(stored)
    );

    let first_stored = store
        .get_response(ws, &first.id)
        .await
        .expect("get")
        .expect("found");
    assert_eq!(first_stored.completed_at, Some(10_000));
    assert_eq!(first_stored.survey_version, 1);
    assert_eq!(
        puls_store::json::JsonText::object(&first_stored.answers),
        first.answers
    );
    let all = store
        .list_responses(ws, &ResponseFilter::default(), 100)
        .await
        .expect("list");
    assert_eq!(
        all.len(),
        4,
        "first, partial, elsewhere and one plain insert"
    );
}

both_backends!(responses_are_listed_newest_first_with_filters_and_a_cursor);
async fn responses_are_listed_newest_first_with_filters_and_a_cursor(store: Arc<dyn Store>) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    let other_ws = store
        .ensure_workspace("globex", "Globex")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 0).await;
    survey(&*store, ws, "s2", 0).await;
    survey(&*store, other_ws, "theirs", 0).await;

    // Twelve responses, one a second, varied in survey, touchpoint, channel and status.
    let mut ops = Vec::new();
    let mut ids = Vec::new();
    for i in 0..12_i64 {
        let mut r = response(
            ws,
            if i % 3 == 0 { "s2" } else { "s1" },
            100_000 + i * 1_000,
        );
        r.touchpoint = if i % 2 == 0 { "checkout" } else { "delivery" }.into();
        r.channel = if i % 4 == 0 { "sms" } else { "web" }.into();
        r.completed = i % 5 != 0;
        ids.push(r.id.clone());
        ops.push(WriteOp::Insert(r));
    }
    ops.push(WriteOp::Insert(response(other_ws, "theirs", 100_500)));
    store.write_batch(&ops).await.expect("seeding");

    let list = |filter: ResponseFilter, limit: i64| {
        let store = store.clone();
        async move {
            store
                .list_responses(ws, &filter, limit)
                .await
                .expect("list")
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<ResponseId>>()
        }
    };
    // The expected ids, newest first, of the responses numbered by `keep`.
    let want = |keep: &dyn Fn(i64) -> bool| -> Vec<ResponseId> {
        (0..12)
            .rev()
            .filter(|&i| keep(i))
            .map(|i| ids[i as usize].clone())
            .collect()
    };

    assert_eq!(list(ResponseFilter::default(), 100).await, want(&|_| true));
    let f =
        |survey: Option<&str>, touchpoint: Option<&str>, channel: Option<&str>| ResponseFilter {
            survey_id: survey.map(String::from),
            touchpoint: touchpoint.map(String::from),
            channel: channel.map(String::from),
            ..Default::default()
        };
    assert_eq!(
        list(f(Some("s2"), None, None), 100).await,
        want(&|i| i % 3 == 0)
    );
    assert_eq!(
        list(f(Some("theirs"), None, None), 100).await,
        Vec::<ResponseId>::new()
    );
    assert_eq!(
        list(f(None, Some("delivery"), None), 100).await,
        want(&|i| i % 2 == 1)
    );
    assert_eq!(
        list(f(None, None, Some("sms")), 100).await,
        want(&|i| i % 4 == 0)
    );
    assert_eq!(
        list(f(Some("s1"), Some("checkout"), Some("web")), 100).await,
        want(&|i| i % 3 != 0 && i % 2 == 0 && i % 4 != 0)
    );
    let status = |completed: bool| ResponseFilter {
        completed: Some(completed),
        ..Default::default()
    };
    assert_eq!(list(status(false), 100).await, want(&|i| i % 5 == 0));
    assert_eq!(list(status(true), 100).await, want(&|i| i % 5 != 0));
    let window = ResponseFilter {
        since: Some(103_000),
        until: Some(107_000),
        ..Default::default()
    };
    assert_eq!(
        list(window, 100).await,
        want(&|i| (3..7).contains(&i)),
        "since inclusive, until exclusive"
    );

    // Paging by cursor visits every response once, newest first.
    let mut paged = Vec::new();
    let mut filter = ResponseFilter::default();
    loop {
        let page = list(filter.clone(), 5).await;
        if page.is_empty() {
            break;
        }
        filter.before_id = page.last().cloned();
        paged.extend(page);
    }
    assert_eq!(paged, want(&|_| true));
    assert_eq!(paged.iter().collect::<BTreeSet<_>>().len(), 12);
}

both_backends!(deleting_a_survey_removes_its_versions_and_responses);
async fn deleting_a_survey_removes_its_versions_and_responses(store: Arc<dyn Store>) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 1_000).await;
    survey(&*store, ws, "s2", 1_000).await;
    store
        .update_survey(
            ws,
            &sid("s1"),
            SurveyUpdate {
                title: "v2",
                touchpoint: "checkout",
                definition: &json("{}"),
                now: 2_000,
            },
        )
        .await
        .expect("update");
    let gone = response(ws, "s1", 10_000);
    let mut gone_partial = response(ws, "s1", 10_001);
    gone_partial.completed = false;
    let kept = response(ws, "s2", 10_002);
    store
        .write_batch(&[
            WriteOp::Insert(gone.clone()),
            WriteOp::Insert(gone_partial.clone()),
            WriteOp::Insert(kept.clone()),
        ])
        .await
        .expect("seeding");

    assert!(store.delete_survey(ws, &sid("s1")).await.expect("delete"));
    assert_eq!(store.get_survey(ws, &sid("s1")).await.expect("get"), None);
    assert_eq!(
        store.survey_definition(&sid("s1"), 1).await.expect("v1"),
        None
    );
    assert_eq!(
        store.survey_definition(&sid("s1"), 2).await.expect("v2"),
        None
    );
    assert_eq!(store.get_response(ws, &gone.id).await.expect("get"), None);
    assert_eq!(
        store
            .get_response_public(&gone_partial.id)
            .await
            .expect("get"),
        None
    );
    let left: Vec<ResponseId> = store
        .list_responses(ws, &ResponseFilter::default(), 100)
        .await
        .expect("list")
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(left, vec![kept.id]);
    assert!(
        !store.delete_survey(ws, &sid("s1")).await.expect("delete"),
        "gone already"
    );

    // Nothing of it lingers: the id can be used again from version 1.
    survey(&*store, ws, "s1", 3_000).await;
    assert_eq!(
        store.survey_definition(&sid("s1"), 2).await.expect("v2"),
        None
    );
    assert_eq!(
        store
            .get_survey(ws, &sid("s1"))
            .await
            .expect("get")
            .map(|s| s.version),
        Some(1)
    );
}

both_backends!(the_writer_takes_responses_only_for_the_current_version_of_a_published_survey);
async fn the_writer_takes_responses_only_for_the_current_version_of_a_published_survey(
    store: Arc<dyn Store>,
) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 1_000).await;
    let mut keyed = response(ws, "s1", 2_000);
    keyed.idempotency_key = Some("k".into());
    let mut partial = response(ws, "s1", 2_001);
    partial.completed = false;
    let outcomes = store
        .write_batch(&[
            WriteOp::Insert(keyed.clone()),
            WriteOp::Insert(partial.clone()),
        ])
        .await
        .expect("a batch");
    assert_eq!(outcomes, [WriteOutcome::Inserted, WriteOutcome::Inserted]);

    // A new version: a response validated against version 1 is refused, one for 2 taken.
    store
        .update_survey(
            ws,
            &sid("s1"),
            SurveyUpdate {
                title: "Checkout",
                touchpoint: "checkout",
                definition: &json(r#"{"v":2}"#),
                now: 3_000,
            },
        )
        .await
        .expect("update")
        .expect("the survey");
    let stale = response(ws, "s1", 3_001);
    let mut current = response(ws, "s1", 3_002);
    current.survey_version = 2;
    let unknown = response(ws, "nope", 3_003);
    let outcomes = store
        .write_batch(&[
            WriteOp::Insert(stale),
            WriteOp::Insert(current),
            WriteOp::Insert(unknown),
        ])
        .await
        .expect("a batch");
    assert_eq!(
        outcomes,
        [
            WriteOutcome::SurveyNotAccepting,
            WriteOutcome::Inserted,
            WriteOutcome::SurveyNotAccepting
        ]
    );

    // Closed: no new responses, no more answers to partial ones; a retry of a stored
    // submission still gets its response back.
    store
        .set_survey_status(ws, &sid("s1"), SurveyStatus::Closed, 4_000)
        .await
        .expect("close")
        .expect("the survey");
    let mut late = response(ws, "s1", 4_001);
    late.survey_version = 2;
    let mut retry = response(ws, "s1", 4_002);
    retry.idempotency_key = Some("k".into());
    let outcomes = store
        .write_batch(&[
            WriteOp::Insert(late),
            WriteOp::Insert(retry),
            WriteOp::Update(ResponseUpdate {
                id: partial.id.clone(),
                workspace_id: ws,
                survey_id: sid("s1"),
                expected_revision: 1,
                completed: true,
                answers: json("{}"),
                now: 4_003,
            }),
        ])
        .await
        .expect("a batch");
    assert_eq!(outcomes[0], WriteOutcome::SurveyNotAccepting);
    assert!(
        matches!(&outcomes[1], WriteOutcome::Replayed(r) if r.id == keyed.id),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[2], WriteOutcome::SurveyNotAccepting);
    let stored = store
        .list_responses(ws, &ResponseFilter::default(), 100)
        .await
        .expect("list");
    assert_eq!(stored.len(), 3, "only the accepted responses are stored");
}

both_backends!(a_large_batch_of_plain_responses_is_stored_whole);
async fn a_large_batch_of_plain_responses_is_stored_whole(store: Arc<dyn Store>) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 1_000).await;
    // More rows than one multi-row INSERT takes, with a keyed one in the middle.
    let mut ops: Vec<WriteOp> = (0..1_203)
        .map(|i| WriteOp::Insert(response(ws, "s1", 10_000 + i)))
        .collect();
    let mut keyed = response(ws, "s1", 5_000);
    keyed.idempotency_key = Some("middle".into());
    ops.insert(600, WriteOp::Insert(keyed));
    let outcomes = store.write_batch(&ops).await.expect("a batch");
    assert_eq!(outcomes.len(), 1_204);
    assert!(
        outcomes.iter().all(|o| *o == WriteOutcome::Inserted),
        "{outcomes:?}"
    );
    let mut filter = ResponseFilter::default();
    let mut seen = BTreeSet::new();
    loop {
        let page = store.list_responses(ws, &filter, 500).await.expect("list");
        let Some(last) = page.last() else { break };
        filter.before_id = Some(last.id.clone());
        seen.extend(page.into_iter().map(|r| r.id));
    }
    assert_eq!(seen.len(), 1_204);
}

both_backends!(a_write_retried_after_its_commit_is_reported_inserted_and_stored_once);
async fn a_write_retried_after_its_commit_is_reported_inserted_and_stored_once(
    store: Arc<dyn Store>,
) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 1_000).await;
    let plain = response(ws, "s1", 2_000);
    let mut keyed = response(ws, "s1", 2_001);
    keyed.idempotency_key = Some("k".into());
    let batch = [WriteOp::Insert(plain.clone()), WriteOp::Insert(keyed)];
    store.write_batch(&batch).await.expect("first commit");
    // The same batch again, as the writer retries when a commit's answer is lost.
    let again = store.write_batch(&batch).await.expect("the retry");
    assert_eq!(again[0], WriteOutcome::Inserted);
    assert!(matches!(&again[1], WriteOutcome::Replayed(_)), "{again:?}");
    // And one by one, as the writer's fallback does.
    let single = store
        .write_batch(std::slice::from_ref(&batch[0]))
        .await
        .expect("a single retry");
    assert_eq!(single, [WriteOutcome::Inserted]);
    let stored = store
        .list_responses(ws, &ResponseFilter::default(), 100)
        .await
        .expect("list");
    assert_eq!(stored.len(), 2);
}

both_backends!(the_change_feed_lists_every_stored_updated_and_deleted_response_once_read);
async fn the_change_feed_lists_every_stored_updated_and_deleted_response_once_read(
    store: Arc<dyn Store>,
) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    let other = store
        .ensure_workspace("globex", "Globex")
        .await
        .expect("workspace")
        .id;
    survey(&*store, ws, "s1", 1_000).await;
    survey(&*store, other, "s2", 1_000).await;
    let start = store.change_head().await.expect("head");

    let mut partial = response(ws, "s1", 2_000);
    partial.completed = false;
    let plain = response(ws, "s1", 2_001);
    let theirs = response(other, "s2", 2_002);
    store
        .write_batch(&[
            WriteOp::Insert(partial.clone()),
            WriteOp::Insert(plain.clone()),
            WriteOp::Insert(theirs),
        ])
        .await
        .expect("a batch");
    store
        .write_batch(&[WriteOp::Update(ResponseUpdate {
            id: partial.id.clone(),
            workspace_id: ws,
            survey_id: sid("s1"),
            expected_revision: 1,
            completed: true,
            answers: json(r#"{"nps":3}"#),
            now: 3_000,
        })])
        .await
        .expect("an update");

    let feed = store.changes_since(ws, start).await.expect("changes");
    let ids: Vec<&ChangeKind> = feed.changes.iter().map(|c| &c.kind).collect();
    // Every changed response of this workspace; the other workspace's are not here.
    // SQLite lists each write in commit order; PostgreSQL lists each changed response (a
    // response written twice may come once) and may repeat changes from before the cursor.
    let want = [
        ChangeKind::Response(partial.id.clone()),
        ChangeKind::Response(plain.id.clone()),
        ChangeKind::Response(partial.id.clone()),
    ];
    match store.backend() {
        "sqlite" => assert_eq!(ids, want.iter().collect::<Vec<_>>()),
        _ => {
            let mut distinct: Vec<&ChangeKind> = ids.clone();
            distinct.sort_by_key(|k| format!("{k:?}"));
            distinct.dedup();
            let mut expected = vec![&want[0], &want[1]];
            expected.sort_by_key(|k| format!("{k:?}"));
            assert_eq!(distinct, expected, "{ids:?}");
        }
    }
    let reloaded = store
        .responses_by_ids(
            ws,
            &[
                partial.id.clone(),
                plain.id.clone(),
                rid("01J00000000000000000000000"),
            ],
        )
        .await
        .expect("reload");
    assert_eq!(reloaded.len(), 2);
    assert!(reloaded.iter().any(|r| r.id == partial.id && r.completed));

    // Read again from the new cursor: nothing new is reported as new.
    let again = store.changes_since(ws, feed.cursor).await.expect("changes");
    assert!(
        again.changes.iter().all(|c| feed.changes.contains(c)),
        "{again:?}"
    );

    // A deleted survey is one change for the whole survey.
    store.delete_survey(ws, &sid("s1")).await.expect("delete");
    let after = store.changes_since(ws, feed.cursor).await.expect("changes");
    assert_eq!(
        after.changes.last(),
        Some(&Change {
            survey_id: sid("s1"),
            kind: ChangeKind::SurveyDeleted
        })
    );
    assert!(
        store
            .responses_by_ids(ws, std::slice::from_ref(&plain.id))
            .await
            .expect("reload")
            .is_empty()
    );
}

/// A workspace with a survey `s1` and two responses to it, stored.
async fn two_responses(store: &dyn Store) -> (WorkspaceId, ResponseId, ResponseId) {
    let ws = store
        .ensure_workspace("acme", "Acme")
        .await
        .expect("workspace")
        .id;
    survey(store, ws, "s1", 1_000).await;
    let (first, second) = (response(ws, "s1", 2_000), response(ws, "s1", 2_001));
    let ids = (first.id.clone(), second.id.clone());
    store
        .write_batch(&[WriteOp::Insert(first), WriteOp::Insert(second)])
        .await
        .expect("two responses");
    (ws, ids.0, ids.1)
}

/// PostgreSQL only: sequence numbers are taken before commit, so a slow transaction can
/// commit a change with a lower number after a reader has moved past a higher one. The
/// feed must still deliver it.
#[tokio::test]
async fn postgres_a_slow_transaction_committing_after_a_later_one_is_not_missed() {
    use sqlx::Connection;
    let Some((db, store)) = helpers::open(helpers::Backend::Postgres).await else {
        return;
    };
    let (ws, slow_id, fast_id) = two_responses(&*store).await;
    // An update marks a response changed by the updating transaction.
    let change =
        |id: &ResponseId| format!("UPDATE responses SET revision = revision + 1 WHERE id = '{id}'");
    let mut slow = sqlx::PgConnection::connect(db.url())
        .await
        .expect("connect");
    let mut fast = sqlx::PgConnection::connect(db.url())
        .await
        .expect("connect");
    let start = store.change_head().await.expect("head");

    let mut slow_tx = slow.begin().await.expect("begin");
    sqlx::raw_sql(sqlx::AssertSqlSafe(change(&slow_id)))
        .execute(&mut *slow_tx)
        .await
        .expect("slow change");
    sqlx::raw_sql(sqlx::AssertSqlSafe(change(&fast_id)))
        .execute(&mut fast)
        .await
        .expect("fast change");

    let first = store.changes_since(ws, start).await.expect("changes");
    let seen = |c: &Changes, id: &ResponseId| {
        c.changes
            .iter()
            .any(|ch| ch.kind == ChangeKind::Response(id.clone()))
    };
    // "slow" may be listed here too, for its insert: a transaction of another test on this
    // cluster can hold the snapshot's xmin back, and the feed repeats rather than skips.
    // What matters is that its update, committed after this read, is not lost.
    assert!(seen(&first, &fast_id), "{first:?}");

    slow_tx.commit().await.expect("commit");
    let second = store
        .changes_since(ws, first.cursor)
        .await
        .expect("changes");
    assert!(
        seen(&second, &slow_id),
        "the slow change was skipped: {second:?}"
    );
    drop(db);
}

/// A stored value that cannot be read back (edited by hand, say) fails the read, loudly
/// and counted, on both backends; it is never read as empty.
#[tokio::test]
async fn a_corrupt_stored_value_fails_its_read_and_is_counted() {
    for backend in [helpers::Backend::Sqlite, helpers::Backend::Postgres] {
        let Some((db, store)) = helpers::open(backend).await else {
            continue;
        };
        let (ws, good, bad) = two_responses(&*store).await;
        let spoil = format!(
            "UPDATE responses SET answers = '{{\"nps\": 9' WHERE id = '{}'",
            bad
        );
        let spoil = sqlx::AssertSqlSafe(spoil);
        match backend {
            helpers::Backend::Sqlite => {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(db.url())
                    .await
                    .expect("connect");
                sqlx::raw_sql(spoil).execute(&mut c).await.expect("spoil");
            }
            helpers::Backend::Postgres => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(db.url())
                    .await
                    .expect("connect");
                sqlx::raw_sql(spoil).execute(&mut c).await.expect("spoil");
            }
        }

        let before = puls_store::corrupt_rows();
        let read = store.get_response(ws, &bad).await;
        assert!(
            matches!(&read, Err(puls_store::StoreError::Corrupt { column, .. }) if column == "answers"),
            "{:?}: {read:?}",
            store.backend()
        );
        assert!(puls_store::corrupt_rows() > before, "counted");
        assert!(
            store
                .list_responses(ws, &ResponseFilter::default(), 10)
                .await
                .is_err(),
            "a list holding it fails too, rather than leaving it out"
        );
        let fine = store.get_response(ws, &good).await.expect("read");
        assert!(fine.is_some(), "the other response reads as before");
        drop(db);
    }
}
