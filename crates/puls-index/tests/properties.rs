//! Invariants over random facts.

mod common;

use common::*;
use proptest::prelude::*;
use puls_core::Channel;
use puls_core::stats::Distribution;
use puls_index::*;

fn fact_strategy() -> impl Strategy<Value = (u8, i64, u8, u8, i64)> {
    // (id, minutes after a start, touchpoint, channel, score)
    (0u8..40, 0i64..200_000, 0u8..4, 0u8..9, 0i64..=10)
}

fn make((id, min, t, c, s): (u8, i64, u8, u8, i64)) -> Fact {
    let mut f = nps_fact(
        &format!("r{id}"),
        "2025-01-01T00:00:00Z",
        &format!("t{t}"),
        s,
    );
    f.created_at_ms += min * 60_000;
    with_channel(f, Channel::ALL[c as usize])
}

proptest! {
    #[test]
    fn an_ungrouped_query_equals_the_distribution_of_the_live_facts(
        facts in prop::collection::vec(fact_strategy(), 0..200),
        removed in prop::collection::vec(0u8..40, 0..10),
        compact in any::<bool>(),
    ) {
        let mut index = FactIndex::new();
        let mut last = std::collections::BTreeMap::new();
        for f in facts {
            last.insert(f.0, f.4);
            index.upsert(make(f)).unwrap();
        }
        for r in removed {
            index.remove(&format!("r{r}"));
            last.remove(&r);
        }
        if compact {
            index.compact();
            prop_assert_eq!(index.rows(), last.len());
        }
        let mut expected = Distribution::nps();
        for s in last.values() {
            expected.add(*s, 1).unwrap();
        }
        let got = index.query(&Query { question: key("nps"), filters: vec![], group_by: vec![] }).unwrap();
        prop_assert_eq!(index.len(), last.len());
        if last.is_empty() {
            prop_assert!(got.is_empty());
        } else {
            prop_assert_eq!(got.len(), 1);
            prop_assert_eq!(&got[0].1, &expected);
        }
    }

    #[test]
    fn upserting_the_same_fact_twice_changes_no_answer(
        facts in prop::collection::vec(fact_strategy(), 1..100),
        again in 0usize..100,
    ) {
        let mut index = FactIndex::new();
        for f in &facts {
            index.upsert(make(*f)).unwrap();
        }
        let q = Query {
            question: key("nps"),
            filters: vec![],
            group_by: vec![GroupBy::Touchpoint, GroupBy::Channel,
                GroupBy::Time(TimeBuckets::new(TimeUnit::Week, "Europe/Warsaw").unwrap())],
        };
        let before = index.query(&q).unwrap();
        let len = index.len();
        // Re-upsert the newest version of some id: nothing may change.
        let f = facts[again % facts.len()];
        let newest = *facts.iter().rev().find(|g| g.0 == f.0).unwrap();
        index.upsert(make(newest)).unwrap();
        prop_assert_eq!(index.len(), len);
        prop_assert_eq!(index.query(&q).unwrap(), before);
    }
}
