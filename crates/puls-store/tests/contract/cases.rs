//! The cases side of the contract: new cases are stored once each, with their first event
//! and their jobs, however often the same batch is written.

use std::sync::Arc;

use puls_core::alert::Priority;
use puls_core::case::CaseStatus;
use puls_store::{CaseEvent, CaseInsert, CaseRecord, JobFilter, NewJob, Store, WorkspaceId};

fn case(id: &str, workspace_id: WorkspaceId, now: i64) -> CaseRecord {
    CaseRecord {
        id: id.into(),
        workspace_id,
        title: "Courier detractors".into(),
        status: CaseStatus::New,
        priority: Priority::High,
        owner_id: None,
        team: Some("couriers".into()),
        rule_key: Some("courier-detractors".into()),
        response_id: None,
        survey_id: None,
        touchpoint: None,
        contact_key: Some(format!("external:{id}")),
        contact_email: None,
        locale: "pl".into(),
        root_cause: None,
        pauses: Vec::new(),
        first_response_due: Some(now + 3_600_000),
        resolution_due: None,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        resurvey_token: None,
        resurvey_job: None,
        recovery_response_id: None,
        recovered_at: None,
        revision: 1,
        created_at: now,
        updated_at: now,
    }
}

fn created(now: i64) -> CaseEvent {
    CaseEvent {
        n: 1,
        at: now,
        kind: "created".into(),
        actor: "rule:courier-detractors".into(),
        data: "{}".into(),
    }
}

/// A `case.created` job for a case; `round` tells apart jobs made by different passes.
fn job(case_id: &str, round: u32, workspace_id: WorkspaceId, now: i64) -> NewJob {
    NewJob {
        id: format!("msg_{case_id}_{round}"),
        workspace_id,
        channel: "webhook".into(),
        target_id: "wh_1".into(),
        event_type: "case.created".into(),
        payload: "{}".into(),
        next_at: now,
    }
}

async fn job_ids(store: &dyn Store, workspace_id: WorkspaceId) -> Vec<String> {
    let filter = JobFilter {
        limit: 100,
        ..JobFilter::default()
    };
    let mut ids: Vec<String> = store
        .jobs(workspace_id, &filter)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    ids.sort();
    ids
}

both_backends!(a_batch_of_new_cases_is_stored_once_with_its_events_and_jobs);
async fn a_batch_of_new_cases_is_stored_once_with_its_events_and_jobs(store: Arc<dyn Store>) {
    let ws = store.ensure_workspace("acme", "Acme").await.unwrap().id;
    let now = 1_700_000_000_000;
    let (a, b, mut c) = (
        case("case_a", ws, now),
        case("case_b", ws, now + 1),
        case("case_c", ws, now + 2),
    );
    c.team = Some("returns".into());
    c.owner_id = Some("usr_01j0000000000000000000000a".into());
    let first = created(now);
    let round =
        |r: u32| [&a, &b, &c].map(|x| vec![job(&x.id, r, ws, now), job(&x.id, r + 10, ws, now)]);
    // Given out of id order: the answers follow the order given.
    let jobs = round(1);
    let batch = [
        CaseInsert {
            case: &b,
            first: &first,
            jobs: &jobs[1],
        },
        CaseInsert {
            case: &a,
            first: &first,
            jobs: &jobs[0],
        },
    ];
    assert_eq!(store.insert_cases(&batch).await.unwrap(), [true, true]);
    assert_eq!(store.insert_cases(&[]).await.unwrap(), Vec::<bool>::new());
    let stored = job_ids(store.as_ref(), ws).await;
    assert_eq!(
        stored,
        [
            "msg_case_a_1",
            "msg_case_a_11",
            "msg_case_b_1",
            "msg_case_b_11"
        ]
    );

    // The same cases again, with jobs of other ids (another pass makes the same ids, but
    // the cases' being there must be what stops them), and one new case.
    let jobs = round(2);
    let batch = [
        CaseInsert {
            case: &a,
            first: &first,
            jobs: &jobs[0],
        },
        CaseInsert {
            case: &c,
            first: &first,
            jobs: &jobs[2],
        },
        CaseInsert {
            case: &b,
            first: &first,
            jobs: &jobs[1],
        },
    ];
    assert_eq!(
        store.insert_cases(&batch).await.unwrap(),
        [false, true, false]
    );
    assert_eq!(
        job_ids(store.as_ref(), ws).await,
        [
            "msg_case_a_1",
            "msg_case_a_11",
            "msg_case_b_1",
            "msg_case_b_11",
            "msg_case_c_12",
            "msg_case_c_2"
        ]
    );
    // Exactly as a batch of one.
    assert!(!store.insert_case(&a, &first, &jobs[0]).await.unwrap());
    assert_eq!(job_ids(store.as_ref(), ws).await.len(), 6);

    for x in [&a, &b, &c] {
        assert_eq!(store.case(ws, &x.id).await.unwrap().as_ref(), Some(x));
        assert_eq!(
            store.case_events(&x.id).await.unwrap(),
            std::slice::from_ref(&first)
        );
    }
    let listed = store
        .cases(
            ws,
            &puls_store::CaseFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    // By teams (any of them) and by owner, newest first.
    let ids = |teams: &[&str], owner: Option<&str>| {
        let filter = puls_store::CaseFilter {
            teams: teams.iter().map(|t| t.to_string()).collect(),
            owner: owner.map(str::to_string),
            limit: 10,
            ..Default::default()
        };
        let store = store.clone();
        async move {
            let listed = store.cases(ws, &filter).await.unwrap();
            listed.into_iter().map(|c| c.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(&["couriers"], None).await, ["case_b", "case_a"]);
    assert_eq!(
        ids(&["returns", "couriers"], None).await,
        ["case_c", "case_b", "case_a"]
    );
    assert_eq!(ids(&["nobody"], None).await, Vec::<String>::new());
    // A batch naming one new case twice writes it (and its event and jobs) once.
    let d = case("case_d", ws, now + 3);
    let twice = [
        CaseInsert {
            case: &d,
            first: &first,
            jobs: &jobs[0][..1],
        },
        CaseInsert {
            case: &d,
            first: &first,
            jobs: &jobs[1][..1],
        },
    ];
    assert_eq!(store.insert_cases(&twice).await.unwrap(), [true, false]);
    assert_eq!(
        store.case_events("case_d").await.unwrap(),
        std::slice::from_ref(&first)
    );
    assert_eq!(job_ids(store.as_ref(), ws).await.len(), 7);
    assert_eq!(
        ids(&[], Some("usr_01j0000000000000000000000a")).await,
        ["case_c"]
    );
}
