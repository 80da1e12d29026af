//! Segment membership on hand-made contacts, events and scores.

use puls_core::Value;
use puls_core::audience::SegmentDef;
use puls_core::contact::{Contact, ContactPatch};
use puls_core::tracking::MessageType;
use puls_journey::{ContactRow, CustomerIndex, EventRow, Feedback, SegmentContext};

const DAY: i64 = 86_400_000;
const NOW: i64 = 400 * DAY;

fn contact(index: &mut CustomerIndex, id: &str, patch: Value) {
    let mut c = Contact::default();
    c.apply(&ContactPatch::parse(&patch).expect("a valid patch"), 10)
        .expect("fits");
    index.apply_contact(ContactRow {
        id,
        contact: &c,
        merged_into: None,
        deleted: false,
        created_at_ms: 5 * DAY,
    });
}

fn order(index: &mut CustomerIndex, user: &str, day: i64) {
    index.push_event(EventRow {
        kind: MessageType::Track,
        name: "Order Completed",
        user_id: Some(user),
        anonymous_id: None,
        timestamp_ms: day * DAY,
        properties: &[],
    });
}

fn members(index: &CustomerIndex, rule: Value, feedback: &[Feedback]) -> Vec<String> {
    let def = SegmentDef::parse(&Value::map([
        ("key", Value::str("s")),
        ("name", Value::str("S")),
        ("rule", rule),
    ]))
    .expect("a valid segment");
    let get = |_: puls_core::audience::FeedbackMetric, _: Option<&puls_core::Touchpoint>| {
        feedback.to_vec()
    };
    let set = index
        .segment_members(
            &def.rule,
            &SegmentContext {
                now_ms: NOW,
                feedback: &get,
            },
        )
        .expect("members");
    let mut ids: Vec<String> = set
        .iter()
        .map(|c| index.contact_id(c as u32).to_string())
        .collect();
    ids.sort();
    ids
}

fn rule(pairs: Vec<(&str, Value)>) -> Value {
    Value::map(pairs)
}

fn shop() -> CustomerIndex {
    let mut index = CustomerIndex::new();
    contact(
        &mut index,
        "ann",
        Value::map([
            ("external_id", Value::str("u-ann")),
            ("locale", Value::str("pl")),
            (
                "attributes",
                Value::map([("plan", Value::str("pro")), ("orders", Value::Int(5))]),
            ),
            (
                "consents",
                Value::map([("email_marketing", Value::Bool(true))]),
            ),
        ]),
    );
    contact(
        &mut index,
        "bob",
        Value::map([
            ("external_id", Value::str("u-bob")),
            ("locale", Value::str("cs")),
            (
                "attributes",
                Value::map([("plan", Value::str("free")), ("orders", Value::str("1"))]),
            ),
            (
                "consents",
                Value::map([("email_marketing", Value::Bool(false))]),
            ),
        ]),
    );
    contact(
        &mut index,
        "cid",
        Value::map([("email", Value::str("cid@example.com"))]),
    );
    // Ann ordered 3 times in the last 90 days and once long ago; Bob once recently.
    for day in [395, 380, 350, 100] {
        order(&mut index, "u-ann", day);
    }
    order(&mut index, "u-bob", 399);
    // Someone who is no contact orders too: never a member.
    order(&mut index, "u-nobody", 399);
    index.prepare();
    index
}

#[test]
fn attributes_fields_and_consents_pick_contacts() {
    let index = shop();
    let eq = |k: &str, key: &str, v: Value| {
        rule(vec![
            (k, Value::str(key)),
            ("op", Value::str("eq")),
            ("value", v),
        ])
    };
    assert_eq!(
        members(&index, eq("attribute", "plan", Value::str("pro")), &[]),
        ["ann"]
    );
    assert_eq!(
        members(
            &index,
            rule(vec![
                ("attribute", Value::str("orders")),
                ("op", Value::str("gte")),
                ("value", Value::Int(1))
            ]),
            &[]
        ),
        ["ann", "bob"],
        "a number stored as text compares as a number"
    );
    assert_eq!(
        members(
            &index,
            rule(vec![
                ("attribute", Value::str("plan")),
                ("op", Value::str("not_exists"))
            ]),
            &[]
        ),
        ["cid"]
    );
    assert_eq!(
        members(&index, eq("contact", "locale", Value::str("cs")), &[]),
        ["bob"]
    );
    assert_eq!(
        members(
            &index,
            rule(vec![("consent", Value::str("email_marketing"))]),
            &[]
        ),
        ["ann"]
    );
    assert_eq!(
        members(
            &index,
            rule(vec![
                ("consent", Value::str("email_marketing")),
                ("granted", Value::Bool(false))
            ]),
            &[]
        ),
        ["bob"]
    );
}

#[test]
fn behaviour_counts_events_within_days() {
    let index = shop();
    let did = |min: i64, days: Option<i64>| {
        let mut r = vec![
            ("event", Value::str("Order Completed")),
            ("min", Value::Int(min)),
        ];
        if let Some(d) = days {
            r.push(("within_days", Value::Int(d)));
        }
        rule(r)
    };
    assert_eq!(members(&index, did(2, Some(90)), &[]), ["ann"]);
    assert_eq!(members(&index, did(1, Some(10)), &[]), ["ann", "bob"]);
    assert_eq!(members(&index, did(4, None), &[]), ["ann"]);
    assert_eq!(
        members(&index, rule(vec![("not", did(1, Some(365)))]), &[]),
        ["cid"],
        "never ordered"
    );
}

#[test]
fn feedback_reads_the_last_any_or_average_score() {
    let index = shop();
    let ann = index.contact_code("ann").unwrap();
    let bob = index.contact_code("bob").unwrap();
    let scores = [
        Feedback {
            contact: ann,
            at_ms: 390 * DAY,
            score: 7.0,
        },
        Feedback {
            contact: ann,
            at_ms: 399 * DAY,
            score: 4.0,
        },
        Feedback {
            contact: bob,
            at_ms: 100 * DAY,
            score: 3.0,
        },
        Feedback {
            contact: bob,
            at_ms: 398 * DAY,
            score: 10.0,
        },
    ];
    let fb = |which: &str, days: Option<i64>| {
        let mut r = vec![
            ("feedback", Value::str("nps")),
            ("which", Value::str(which)),
            ("op", Value::str("lte")),
            ("value", Value::Int(6)),
        ];
        if let Some(d) = days {
            r.push(("within_days", Value::Int(d)));
        }
        rule(r)
    };
    assert_eq!(
        members(&index, fb("last", None), &scores),
        ["ann"],
        "last NPS ≤ 6"
    );
    assert_eq!(members(&index, fb("any", None), &scores), ["ann", "bob"]);
    assert_eq!(members(&index, fb("any", Some(30)), &scores), ["ann"]);
    assert_eq!(
        members(&index, fb("average", None), &scores),
        ["ann"],
        "5.5 for Ann, 6.5 for Bob"
    );
}

#[test]
fn rules_combine() {
    let index = shop();
    let pro = rule(vec![
        ("attribute", Value::str("plan")),
        ("op", Value::str("eq")),
        ("value", Value::str("pro")),
    ]);
    let recent = rule(vec![
        ("event", Value::str("Order Completed")),
        ("within_days", Value::Int(10)),
    ]);
    assert_eq!(
        members(
            &index,
            rule(vec![(
                "all",
                Value::List(vec![pro.clone(), recent.clone()])
            )]),
            &[]
        ),
        ["ann"]
    );
    assert_eq!(
        members(
            &index,
            rule(vec![("any", Value::List(vec![pro.clone(), recent]))]),
            &[]
        ),
        ["ann", "bob"]
    );
    assert_eq!(
        members(&index, rule(vec![("not", pro)]), &[]),
        ["bob", "cid"]
    );
}

#[test]
fn merged_and_deleted_contacts_are_no_members() {
    let mut index = shop();
    let c = Contact::default();
    index.apply_contact(ContactRow {
        id: "bob",
        contact: &c,
        merged_into: Some("ann"),
        deleted: false,
        created_at_ms: 5 * DAY,
    });
    index.apply_contact(ContactRow {
        id: "cid",
        contact: &c,
        merged_into: None,
        deleted: true,
        created_at_ms: 5 * DAY,
    });
    index.prepare();
    let everyone = rule(vec![
        ("contact", Value::str("created_at")),
        ("op", Value::str("exists")),
    ]);
    assert_eq!(members(&index, everyone, &[]), ["ann"]);
}
