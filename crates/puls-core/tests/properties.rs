//! Property tests: definitions round-trip through parse and print, and validating answers or
//! metadata never panics, whatever the input, and accepts only what it prints back the same.

mod common;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use common::{every_type_survey, logic_survey};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use puls_core::response::is_email;
use puls_core::response::limits as meta_limits;
use puls_core::{
    Answers, Channel, Completion, FieldErrors, QuestionKind, ResponseMetaInput, Survey, Value,
};

// Arbitrary trees.

/// Field names and words of the definition and answer formats, so that random trees and
/// mutations hit the parsers' interesting paths and not only "unknown field".
const WORDS: &[&str] = &[
    "id",
    "type",
    "text",
    "help",
    "required",
    "options",
    "rows",
    "min",
    "max",
    "min_label",
    "max_label",
    "other",
    "min_choices",
    "max_choices",
    "max_length",
    "multiline",
    "functional",
    "dysfunctional",
    "fields",
    "consent",
    "show_if",
    "end_if",
    "question",
    "op",
    "value",
    "values",
    "all",
    "any",
    "not",
    "locales",
    "default_locale",
    "title",
    "intro",
    "thank_you",
    "touchpoint",
    "channel",
    "questions",
    "randomize",
    "selected",
    "email",
    "phone",
    "pl",
    "cs",
    "en",
    "de",
    "nps",
    "csat",
    "ces",
    "rating",
    "single_choice",
    "multiple_choice",
    "open_text",
    "matrix",
    "ranking",
    "kano",
    "contact",
    "eq",
    "lt",
    "gte",
    "in",
    "answered",
    "like",
    "dislike",
    "web",
    "checkout",
    "pro",
    "speed",
    "delivery",
    "price",
];

fn word() -> impl Strategy<Value = String> {
    select(WORDS).prop_map(str::to_string)
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => word(), 1 => any::<String>()]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(1e300),
        Just(9.0e15),
        Just(4.5),
        (-3i64..15).prop_map(|i| i as f64),
        any::<f64>(),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![Just(i64::MIN), Just(i64::MAX), -3i64..15, any::<i64>()].prop_map(Value::Int),
        float().prop_map(Value::Float),
        any::<String>().prop_map(Value::Str),
        word().prop_map(Value::Str),
    ]
}

/// Any tree: huge and odd numbers, unicode strings, nested lists and maps.
fn arbitrary_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            prop::collection::btree_map(key(), inner, 0..6).prop_map(Value::Map),
        ]
    })
}

// Valid definitions.

const LOCALES: [&str; 4] = ["pl", "cs", "en", "de"];

/// Text content: anything that is not blank and has no NUL (definitions reject it, as no
/// database text column can hold it).
fn seed() -> impl Strategy<Value = String> {
    "[^\\s\\x00][^\\x00\\n]{0,12}"
}

fn stem() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,10}"
}

/// A condition before it is tied to questions: indices pick the question, the operator (among
/// those that fit the question) and the options when the survey is built.
#[derive(Debug, Clone)]
enum CondPlan {
    All(Vec<CondPlan>),
    Any(Vec<CondPlan>),
    Not(Box<CondPlan>),
    Leaf {
        question: Index,
        op: Index,
        value: i64,
        options: Vec<Index>,
    },
}

fn cond_plan() -> impl Strategy<Value = CondPlan> {
    let leaf = (
        any::<Index>(),
        any::<Index>(),
        -15i64..15,
        prop::collection::vec(any::<Index>(), 1..4),
    )
        .prop_map(|(question, op, value, options)| CondPlan::Leaf {
            question,
            op,
            value,
            options,
        });
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(CondPlan::All),
            prop::collection::vec(inner.clone(), 1..4).prop_map(CondPlan::Any),
            inner.prop_map(|c| CondPlan::Not(Box::new(c))),
        ]
    })
}

#[derive(Debug, Clone)]
enum KindPlan {
    Nps,
    Csat,
    Ces,
    Rating {
        min: i64,
        span: i64,
        min_label: Option<String>,
        max_label: Option<String>,
    },
    Single {
        options: usize,
        randomize: Option<bool>,
    },
    Multiple {
        options: usize,
        randomize: Option<bool>,
        other: Option<String>,
        min: Option<Index>,
        max: Option<Index>,
    },
    OpenText {
        max_length: Option<usize>,
        multiline: Option<bool>,
    },
    Matrix {
        rows: usize,
        min: i64,
        span: i64,
    },
    Ranking {
        options: usize,
        randomize: Option<bool>,
    },
    Kano {
        functional: String,
        dysfunctional: String,
    },
    Contact {
        fields: Vec<&'static str>,
        consent: String,
    },
}

fn kind_plan() -> impl Strategy<Value = KindPlan> {
    let flag = || proptest::option::of(any::<bool>());
    prop_oneof![
        Just(KindPlan::Nps),
        Just(KindPlan::Csat),
        Just(KindPlan::Ces),
        (
            -1000i64..=900,
            1i64..=100,
            proptest::option::of(seed()),
            proptest::option::of(seed())
        )
            .prop_map(|(min, span, min_label, max_label)| KindPlan::Rating {
                min,
                span,
                min_label,
                max_label,
            }),
        (1usize..=6, flag())
            .prop_map(|(options, randomize)| KindPlan::Single { options, randomize }),
        (
            1usize..=6,
            flag(),
            proptest::option::of(seed()),
            proptest::option::of(any::<Index>()),
            proptest::option::of(any::<Index>()),
        )
            .prop_map(|(options, randomize, other, min, max)| KindPlan::Multiple {
                options,
                randomize,
                other,
                min,
                max,
            }),
        (proptest::option::of(1usize..=10_000), flag()).prop_map(|(max_length, multiline)| {
            KindPlan::OpenText {
                max_length,
                multiline,
            }
        }),
        (1usize..=5, -1000i64..=900, 1i64..=100).prop_map(|(rows, min, span)| KindPlan::Matrix {
            rows,
            min,
            span
        }),
        (2usize..=6, flag())
            .prop_map(|(options, randomize)| KindPlan::Ranking { options, randomize }),
        (seed(), seed()).prop_map(|(functional, dysfunctional)| KindPlan::Kano {
            functional,
            dysfunctional
        }),
        (
            select(vec![
                vec!["email"],
                vec!["phone"],
                vec!["email", "phone"],
                vec!["phone", "email"],
            ]),
            seed()
        )
            .prop_map(|(fields, consent)| KindPlan::Contact { fields, consent }),
    ]
}

#[derive(Debug, Clone)]
struct QuestionPlan {
    stem: String,
    kind: KindPlan,
    text: String,
    help: Option<String>,
    /// `None` leaves `required` out; `Some(None)` writes it as null.
    required: Option<Option<bool>>,
    show_if: Option<CondPlan>,
    end_if: Option<CondPlan>,
    option_stems: Vec<String>,
}

fn question_plan() -> impl Strategy<Value = QuestionPlan> {
    (
        stem(),
        kind_plan(),
        seed(),
        proptest::option::of(seed()),
        proptest::option::of(proptest::option::of(any::<bool>())),
        proptest::option::weighted(0.4, cond_plan()),
        proptest::option::weighted(0.2, cond_plan()),
        prop::collection::vec(stem(), 6),
    )
        .prop_map(
            |(stem, kind, text, help, required, show_if, end_if, option_stems)| QuestionPlan {
                stem,
                kind,
                text,
                help,
                required,
                show_if,
                end_if,
                option_stems,
            },
        )
}

#[derive(Debug, Clone)]
struct SurveyPlan {
    locales: Vec<&'static str>,
    default_locale: Option<Index>,
    /// Spell the declared locales in upper case (the parser normalises them).
    upper_locales: bool,
    /// Give texts as plain strings when there is a single locale.
    plain_texts: bool,
    /// Write integers as whole floats, as a JSON parser may.
    float_ints: bool,
    title: String,
    intro: Option<String>,
    thank_you: Option<String>,
    touchpoint: String,
    channel: Option<Channel>,
    questions: Vec<QuestionPlan>,
}

fn survey_plan() -> impl Strategy<Value = SurveyPlan> {
    (
        subsequence(LOCALES.to_vec(), 1..=4).prop_shuffle(),
        proptest::option::of(any::<Index>()),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        seed(),
        proptest::option::of(seed()),
        proptest::option::of(seed()),
        "[a-z][a-z0-9_-]{0,20}",
        proptest::option::of(select(Channel::ALL.to_vec())),
        prop::collection::vec(question_plan(), 1..8),
    )
        .prop_map(
            |(
                locales,
                default_locale,
                upper_locales,
                plain_texts,
                float_ints,
                title,
                intro,
                thank_you,
                touchpoint,
                channel,
                questions,
            )| SurveyPlan {
                locales,
                default_locale,
                upper_locales,
                plain_texts,
                float_ints,
                title,
                intro,
                thank_you,
                touchpoint,
                channel,
                questions,
            },
        )
}

/// What a condition may need to know about an earlier question.
struct Target {
    id: String,
    score: bool,
    /// The options of a single or multiple choice question (`in` conditions).
    options: Option<Vec<String>>,
}

impl SurveyPlan {
    fn int(&self, i: i64) -> Value {
        if self.float_ints {
            Value::Float(i as f64)
        } else {
            Value::Int(i)
        }
    }

    fn text(&self, seed: &str) -> Value {
        if self.plain_texts && self.locales.len() == 1 {
            return Value::str(seed);
        }
        Value::map(
            self.locales
                .iter()
                .map(|l| (l.to_string(), Value::str(format!("{seed} ({l})")))),
        )
    }

    fn choices(&self, ids: &[String]) -> Value {
        Value::List(
            ids.iter()
                .map(|id| {
                    Value::map([
                        ("id", Value::str(id)),
                        ("text", self.text(&format!("{id} ✓"))),
                    ])
                })
                .collect(),
        )
    }

    fn condition(&self, plan: &CondPlan, targets: &[Target]) -> Value {
        let list =
            |cs: &[CondPlan]| Value::List(cs.iter().map(|c| self.condition(c, targets)).collect());
        match plan {
            CondPlan::All(cs) => Value::map([("all", list(cs))]),
            CondPlan::Any(cs) => Value::map([("any", list(cs))]),
            CondPlan::Not(c) => Value::map([("not", self.condition(c, targets))]),
            CondPlan::Leaf {
                question,
                op,
                value,
                options,
            } => {
                let target = &targets[question.index(targets.len())];
                let mut ops = vec!["answered", "not_answered"];
                if target.score {
                    ops.extend(["eq", "ne", "lt", "lte", "gt", "gte"]);
                }
                if target.options.is_some() {
                    ops.push("in");
                }
                let op = ops[op.index(ops.len())];
                let mut m = vec![("question", Value::str(&target.id)), ("op", Value::str(op))];
                match (op, &target.options) {
                    ("answered" | "not_answered", _) => {}
                    ("in", Some(ids)) => m.push((
                        "values",
                        Value::List(
                            options
                                .iter()
                                .map(|i| Value::str(&ids[i.index(ids.len())]))
                                .collect(),
                        ),
                    )),
                    _ => m.push(("value", self.int(*value))),
                }
                Value::map(m)
            }
        }
    }

    /// The definition, and the ids of its questions in order.
    fn build(&self) -> (Value, Vec<String>) {
        let locales = self
            .locales
            .iter()
            .map(|l| {
                Value::str(if self.upper_locales {
                    l.to_uppercase()
                } else {
                    l.to_string()
                })
            })
            .collect();
        let mut top = vec![
            ("title", self.text(&self.title)),
            ("locales", Value::List(locales)),
            ("touchpoint", Value::str(&self.touchpoint)),
        ];
        if let Some(i) = self.default_locale {
            top.push((
                "default_locale",
                Value::str(self.locales[i.index(self.locales.len())]),
            ));
        }
        if let Some(c) = self.channel {
            top.push(("channel", Value::str(c.as_str())));
        }
        if let Some(t) = &self.intro {
            top.push(("intro", self.text(t)));
        }
        if let Some(t) = &self.thank_you {
            top.push(("thank_you", self.text(t)));
        }

        let mut targets: Vec<Target> = Vec::new();
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            let id = format!("{}_{i}", q.stem);
            let option_ids: Vec<String> = q
                .option_stems
                .iter()
                .enumerate()
                .map(|(j, s)| format!("{s}_{j}"))
                .collect();
            let mut m = vec![
                ("id", Value::str(&id)),
                ("type", Value::str(type_name(&q.kind))),
                ("text", self.text(&q.text)),
            ];
            if let Some(h) = &q.help {
                m.push(("help", self.text(h)));
            }
            if let Some(r) = q.required {
                m.push(("required", r.map_or(Value::Null, Value::Bool)));
            }
            let flag = |m: &mut Vec<_>, key, b: &Option<bool>| {
                if let Some(b) = b {
                    m.push((key, Value::Bool(*b)));
                }
            };
            let mut options = None;
            match &q.kind {
                KindPlan::Nps | KindPlan::Csat | KindPlan::Ces => {}
                KindPlan::Rating {
                    min,
                    span,
                    min_label,
                    max_label,
                } => {
                    m.push(("min", self.int(*min)));
                    m.push(("max", self.int(min + span)));
                    if let Some(l) = min_label {
                        m.push(("min_label", self.text(l)));
                    }
                    if let Some(l) = max_label {
                        m.push(("max_label", self.text(l)));
                    }
                }
                KindPlan::Single {
                    options: n,
                    randomize,
                } => {
                    m.push(("options", self.choices(&option_ids[..*n])));
                    flag(&mut m, "randomize", randomize);
                    options = Some(option_ids[..*n].to_vec());
                }
                KindPlan::Multiple {
                    options: n,
                    randomize,
                    other,
                    min,
                    max,
                } => {
                    m.push(("options", self.choices(&option_ids[..*n])));
                    flag(&mut m, "randomize", randomize);
                    if let Some(o) = other {
                        m.push(("other", self.text(o)));
                    }
                    let min = min.map(|i| i.index(n + 1));
                    if let Some(min) = min {
                        m.push(("min_choices", self.int(min as i64)));
                    }
                    if let Some(max) = max {
                        let lo = min.unwrap_or(0).max(1);
                        let max = lo + max.index(n + 2 - lo);
                        m.push(("max_choices", self.int(max as i64)));
                    }
                    options = Some(option_ids[..*n].to_vec());
                }
                KindPlan::OpenText {
                    max_length,
                    multiline,
                } => {
                    if let Some(n) = max_length {
                        m.push(("max_length", self.int(*n as i64)));
                    }
                    flag(&mut m, "multiline", multiline);
                }
                KindPlan::Matrix { rows, min, span } => {
                    m.push(("rows", self.choices(&option_ids[..*rows])));
                    m.push(("min", self.int(*min)));
                    m.push(("max", self.int(min + span)));
                }
                KindPlan::Ranking {
                    options: n,
                    randomize,
                } => {
                    m.push(("options", self.choices(&option_ids[..*n])));
                    flag(&mut m, "randomize", randomize);
                }
                KindPlan::Kano {
                    functional,
                    dysfunctional,
                } => {
                    m.push(("functional", self.text(functional)));
                    m.push(("dysfunctional", self.text(dysfunctional)));
                }
                KindPlan::Contact { fields, consent } => {
                    m.push((
                        "fields",
                        Value::List(fields.iter().map(|f| Value::str(*f)).collect()),
                    ));
                    m.push(("consent", self.text(consent)));
                }
            }
            // A show_if reads earlier questions; an end_if may also read its own question.
            if let Some(c) = &q.show_if
                && !targets.is_empty()
            {
                m.push(("show_if", self.condition(c, &targets)));
            }
            targets.push(Target {
                id: id.clone(),
                score: matches!(
                    q.kind,
                    KindPlan::Nps | KindPlan::Csat | KindPlan::Ces | KindPlan::Rating { .. }
                ),
                options,
            });
            if let Some(c) = &q.end_if {
                m.push(("end_if", self.condition(c, &targets)));
            }
            questions.push(Value::map(m));
        }
        top.push(("questions", Value::List(questions)));
        let ids = targets.into_iter().map(|t| t.id).collect();
        (Value::map(top), ids)
    }
}

fn type_name(kind: &KindPlan) -> &'static str {
    match kind {
        KindPlan::Nps => "nps",
        KindPlan::Csat => "csat",
        KindPlan::Ces => "ces",
        KindPlan::Rating { .. } => "rating",
        KindPlan::Single { .. } => "single_choice",
        KindPlan::Multiple { .. } => "multiple_choice",
        KindPlan::OpenText { .. } => "open_text",
        KindPlan::Matrix { .. } => "matrix",
        KindPlan::Ranking { .. } => "ranking",
        KindPlan::Kano { .. } => "kano",
        KindPlan::Contact { .. } => "contact",
    }
}

/// A random valid definition, with the ids of its questions in order.
fn valid_definition() -> impl Strategy<Value = (Value, Vec<String>)> {
    survey_plan().prop_map(|p| p.build())
}

// Mutated definitions.

/// One change at one node of a tree.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    /// Removes an entry of a map or list.
    Remove(Index),
    /// Adds an entry to a map or list.
    Insert(String, Value),
    /// Repeats an element of a list (duplicate ids, duplicate locales...).
    Repeat(Index),
    Reverse,
    Shift(i64),
    ToFloat,
    Uppercase,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => arbitrary_value().prop_map(Mutation::Replace),
        1 => Just(Mutation::Replace(Value::Null)),
        2 => any::<Index>().prop_map(Mutation::Remove),
        2 => (key(), arbitrary_value()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        1 => any::<Index>().prop_map(Mutation::Repeat),
        1 => Just(Mutation::Reverse),
        1 => prop_oneof![-3i64..=3, Just(1000), Just(i64::MIN), Just(i64::MAX)]
            .prop_map(Mutation::Shift),
        1 => Just(Mutation::ToFloat),
        1 => Just(Mutation::Uppercase),
    ]
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::List(items) => items.iter().map(count_nodes).sum(),
        Value::Map(m) => m.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`th node in pre-order.
fn nth_node<'a>(v: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(v);
    }
    *n -= 1;
    match v {
        Value::List(items) => items.iter_mut().find_map(|item| nth_node(item, n)),
        Value::Map(m) => m.values_mut().find_map(|item| nth_node(item, n)),
        _ => None,
    }
}

fn mutate(tree: &mut Value, at: Index, m: Mutation) {
    let mut n = at.index(count_nodes(tree));
    let node = nth_node(tree, &mut n).expect("index within the tree");
    match (m, node) {
        (Mutation::Replace(v), node) => *node = v,
        (Mutation::Remove(i), Value::List(items)) if !items.is_empty() => {
            items.remove(i.index(items.len()));
        }
        (Mutation::Remove(i), Value::Map(map)) if !map.is_empty() => {
            let k = map.keys().nth(i.index(map.len())).cloned().unwrap();
            map.remove(&k);
        }
        (Mutation::Insert(_, v), Value::List(items)) => items.push(v),
        (Mutation::Insert(k, v), Value::Map(map)) => {
            map.insert(k, v);
        }
        (Mutation::Repeat(i), Value::List(items)) if !items.is_empty() => {
            let item = items[i.index(items.len())].clone();
            items.push(item);
        }
        (Mutation::Reverse, Value::List(items)) => items.reverse(),
        (Mutation::Shift(d), Value::Int(i)) => *i = i.saturating_add(d),
        (Mutation::Shift(d), Value::Float(f)) => *f += d as f64,
        (Mutation::Uppercase, Value::Str(s)) => *s = s.to_uppercase(),
        (Mutation::ToFloat, node) => {
            if let Value::Int(i) = *node {
                *node = Value::Float(i as f64);
            }
        }
        _ => {}
    }
}

/// Definitions a few random changes away from valid ones: some still valid, most not.
fn mutated_definition() -> impl Strategy<Value = Value> {
    (
        valid_definition(),
        prop::collection::vec((any::<Index>(), mutation()), 1..4),
    )
        .prop_map(|((mut tree, _), mutations)| {
            for (at, m) in mutations {
                mutate(&mut tree, at, m);
            }
            tree
        })
}

/// Checks what holds for any input: the parser does not panic, reports at least one problem
/// when it rejects, and what it accepts prints and parses back unchanged.
fn check_parse(def: &Value) -> Result<bool, TestCaseError> {
    match Survey::parse(def) {
        Ok(s) => {
            let printed = s.to_value();
            let again = Survey::parse(&printed);
            prop_assert_eq!(again.as_ref(), Ok(&s));
            prop_assert_eq!(&again.unwrap().to_value(), &printed);
            Ok(true)
        }
        Err(FieldErrors(list)) => {
            prop_assert!(!list.is_empty());
            Ok(false)
        }
    }
}

// Answers and metadata.

static EVERY_TYPE: LazyLock<Survey> = LazyLock::new(every_type_survey);
static LOGIC: LazyLock<Survey> = LazyLock::new(logic_survey);

const KANO: &[&str] = &["like", "expect", "neutral", "tolerate", "dislike", "love"];
const EMAILS: &[&str] = &[
    "jan@example.cz",
    " Ewa.Nowak@Example.PL ",
    "not-an-email",
    "a@b",
    "",
    "ü@ü.de",
];
const PHONES: &[&str] = &["+420 601 123 456", "(22) 555-0100", "call me", "123", ""];

/// An answer that fits the question most of the time and is slightly off otherwise.
fn plausible_answer(kind: &QuestionKind) -> BoxedStrategy<Value> {
    let ids = |options: &[puls_core::survey::Choice], extra: &str| {
        let mut ids: Vec<String> = options.iter().map(|c| c.id.to_string()).collect();
        ids.push(extra.to_string());
        ids
    };
    match kind {
        QuestionKind::Nps | QuestionKind::Csat | QuestionKind::Ces | QuestionKind::Rating(_) => {
            let (min, max) = kind.score_range().unwrap();
            prop_oneof![
                6 => (min..=max).prop_map(Value::Int),
                1 => (min - 1..=max + 1).prop_map(|i| Value::Float(i as f64)),
                1 => prop_oneof![Just(min - 1), Just(max + 1)].prop_map(Value::Int),
            ]
            .boxed()
        }
        QuestionKind::SingleChoice { options, .. } => {
            let all = ids(options, "nope");
            let n = options.len();
            prop_oneof![
                6 => select(all[..n].to_vec()).prop_map(Value::Str),
                1 => select(all).prop_map(Value::Str),
            ]
            .boxed()
        }
        QuestionKind::MultipleChoice { options, .. } => {
            let n = options.len();
            let all = ids(options, "nope");
            let list = prop_oneof![
                6 => subsequence(all[..n].to_vec(), 0..=n).prop_shuffle(),
                1 => prop::collection::vec(select(all), 0..=n + 1),
            ]
            .prop_map(|ids| Value::List(ids.into_iter().map(Value::Str).collect()));
            prop_oneof![
                2 => list.clone(),
                1 => (list, proptest::option::of(".{0,8}")).prop_map(|(selected, other)| {
                    let mut m = vec![("selected", selected)];
                    if let Some(o) = other {
                        m.push(("other", Value::Str(o)));
                    }
                    Value::map(m)
                }),
            ]
            .boxed()
        }
        QuestionKind::OpenText { .. } => ".{0,24}".prop_map(Value::Str).boxed(),
        QuestionKind::Matrix { rows, scale } => {
            let all = ids(rows, "kitchen");
            let n = rows.len();
            let score = prop_oneof![
                6 => (scale.min..=scale.max).prop_map(Value::Int),
                1 => Just(Value::Null),
                1 => Just(Value::Int(scale.max + 1)),
            ];
            prop_oneof![
                6 => prop::collection::btree_map(select(all[..n].to_vec()), score.clone(), 1..=n),
                1 => prop::collection::btree_map(select(all), score, 0..=n + 1),
            ]
            .prop_map(Value::Map)
            .boxed()
        }
        QuestionKind::Ranking { options, .. } => {
            let n = options.len();
            let all = ids(options, "nope");
            prop_oneof![
                6 => Just(all[..n].to_vec()).prop_shuffle(),
                1 => prop::collection::vec(select(all), 0..=n + 1),
            ]
            .prop_map(|ids| Value::List(ids.into_iter().map(Value::Str).collect()))
            .boxed()
        }
        QuestionKind::Kano { .. } => {
            let side = || {
                prop_oneof![
                    8 => select(KANO).prop_map(Value::str),
                    1 => Just(Value::Null),
                ]
            };
            (side(), side())
                .prop_map(|(f, d)| Value::map([("functional", f), ("dysfunctional", d)]))
                .boxed()
        }
        QuestionKind::Contact { .. } => (
            proptest::option::of(select(EMAILS)),
            proptest::option::weighted(0.3, select(PHONES)),
            prop_oneof![4 => Just(Value::Bool(true)), 1 => leaf()],
        )
            .prop_map(|(email, phone, consent)| {
                let mut m = vec![("consent", consent)];
                if let Some(e) = email {
                    m.push(("email", Value::str(e)));
                }
                if let Some(p) = phone {
                    m.push(("phone", Value::str(p)));
                }
                Value::map(m)
            })
            .boxed(),
    }
}

/// Answers to a survey: each question is skipped, null, plausibly answered or answered with
/// any tree; sometimes with answers to questions the survey does not have.
fn answers_for(survey: &Survey) -> BoxedStrategy<BTreeMap<String, Value>> {
    let per_question: Vec<_> = survey
        .questions
        .iter()
        .map(|q| {
            let id = q.id.to_string();
            prop_oneof![
                8 => Just(None),
                1 => Just(Some(Value::Null)),
                6 => plausible_answer(&q.kind).prop_map(Some),
                1 => arbitrary_value().prop_map(Some),
            ]
            .prop_map(move |v| v.map(|v| (id.clone(), v)))
        })
        .collect();
    (
        per_question,
        proptest::option::weighted(0.15, (key(), arbitrary_value())),
    )
        .prop_map(|(given, extra)| {
            let mut m: BTreeMap<String, Value> = given.into_iter().flatten().collect();
            m.extend(extra);
            m
        })
        .boxed()
}

fn completion() -> impl Strategy<Value = Completion> {
    prop_oneof![Just(Completion::Partial), Just(Completion::Complete)]
}

/// A survey of the two fixed ones: every question type, or skip logic and an early end.
fn fixed_survey() -> impl Strategy<Value = &'static Survey> {
    prop_oneof![Just(&*EVERY_TYPE), Just(&*LOGIC)]
}

fn survey_and_answers() -> impl Strategy<Value = (&'static Survey, BTreeMap<String, Value>)> {
    fixed_survey().prop_flat_map(|s| (Just(s), answers_for(s)))
}

/// Checks what holds for any answers: no panic, at least one problem when rejected, and
/// accepted answers only for questions shown, printing back to the same answers.
fn check_answers(
    s: &Survey,
    input: &BTreeMap<String, Value>,
    completion: Completion,
) -> Result<bool, TestCaseError> {
    match s.validate_answers(input, completion, "answers") {
        Ok(answers) => {
            let visible = s.visibility(&answers).visible;
            for q in answers.keys() {
                prop_assert!(visible.contains(&s.position(q).unwrap()), "{q} is hidden");
            }
            let printed: BTreeMap<String, Value> = answers
                .iter()
                .map(|(q, a)| (q.to_string(), a.to_value()))
                .collect();
            let again: Result<Answers, _> = s.validate_answers(&printed, completion, "answers");
            prop_assert_eq!(again, Ok(answers));
            Ok(true)
        }
        Err(FieldErrors(list)) => {
            prop_assert!(!list.is_empty());
            prop_assert!(list.iter().all(|e| e.path.starts_with("answers.")));
            Ok(false)
        }
    }
}

/// A metadata field: absent, a plausible value, or any tree.
fn meta_field(plausible: &'static [&'static str]) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        3 => select(plausible).prop_map(|s| Some(Value::str(s))),
        1 => arbitrary_value().prop_map(Some),
    ]
}

fn meta_contact() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        3 => (
            proptest::option::of(select(EMAILS)),
            proptest::option::of(prop_oneof![".{0,8}", Just(" ".repeat(300))]),
        )
            .prop_map(|(email, id)| {
                let mut m = Vec::new();
                if let Some(e) = email {
                    m.push(("email", Value::str(e)));
                }
                if let Some(id) = id {
                    m.push(("external_id", Value::Str(id)));
                }
                Some(Value::map(m))
            }),
        1 => arbitrary_value().prop_map(Some),
    ]
}

/// An attribute value: mostly one that is kept, sometimes anything.
fn attribute_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => word().prop_map(Value::Str),
        1 => any::<i64>().prop_map(Value::Int),
        1 => float().prop_map(Value::Float),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => leaf(),
    ]
}

fn meta_attributes() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        3 => prop::collection::btree_map(key(), attribute_value(), 0..8)
            .prop_map(|m| Some(Value::Map(m))),
        1 => prop::collection::btree_map("[a-z]{0,3}[0-9]{1,3}", attribute_value(), 45..60)
            .prop_map(|m| Some(Value::Map(m))),
        1 => arbitrary_value().prop_map(Some),
    ]
}

#[derive(Debug, Clone)]
struct MetaFields {
    channel: Option<Value>,
    touchpoint: Option<Value>,
    locale: Option<Value>,
    contact: Option<Value>,
    invitation_token: Option<Value>,
    attributes: Option<Value>,
}

fn meta_fields() -> impl Strategy<Value = MetaFields> {
    (
        meta_field(&["web", "email", "in_app", "fax", "Web"]),
        meta_field(&["checkout", "delivery", "Check Out", ""]),
        meta_field(&["pl", "cs", "EN", "de", "pt-BR", "english"]),
        meta_contact(),
        meta_field(&["tok-1", "  ", " tok-2 "]),
        meta_attributes(),
    )
        .prop_map(
            |(channel, touchpoint, locale, contact, invitation_token, attributes)| MetaFields {
                channel,
                touchpoint,
                locale,
                contact,
                invitation_token,
                attributes,
            },
        )
}

/// Checks what holds for any metadata: no panic, and what is accepted keeps to the limits.
fn check_meta(s: &Survey, f: &MetaFields) -> Result<bool, TestCaseError> {
    let input = ResponseMetaInput {
        channel: f.channel.as_ref(),
        touchpoint: f.touchpoint.as_ref(),
        locale: f.locale.as_ref(),
        contact: f.contact.as_ref(),
        invitation_token: f.invitation_token.as_ref(),
        attributes: f.attributes.as_ref(),
    };
    match s.validate_meta(&input) {
        Ok(m) => {
            prop_assert!(s.locales.contains(&m.locale));
            prop_assert!(m.attributes.len() <= meta_limits::MAX_ATTRIBUTES);
            for (k, v) in &m.attributes {
                prop_assert!(!k.is_empty() && k.chars().count() <= meta_limits::MAX_ATTRIBUTE_KEY);
                prop_assert!(v.chars().count() <= meta_limits::MAX_ATTRIBUTE_VALUE);
            }
            if let Some(e) = &m.contact_email {
                prop_assert!(is_email(e), "{e:?}");
                prop_assert_eq!(e, &e.to_lowercase());
            }
            for id in [&m.contact_external_id, &m.invitation_token]
                .into_iter()
                .flatten()
            {
                prop_assert!(!id.is_empty() && id.trim() == id);
                prop_assert!(id.chars().count() <= meta_limits::MAX_IDENTITY);
            }
            Ok(true)
        }
        Err(FieldErrors(list)) => {
            prop_assert!(!list.is_empty());
            Ok(false)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_generated_definition_parses_and_round_trips((def, ids) in valid_definition()) {
        let s = match Survey::parse(&def) {
            Ok(s) => s,
            Err(e) => return Err(TestCaseError::fail(format!("{e:#?}\n{def:#?}"))),
        };
        let parsed_ids: Vec<_> = s.questions.iter().map(|q| q.id.to_string()).collect();
        prop_assert_eq!(parsed_ids, ids);
        check_parse(&def)?;
    }

    #[test]
    fn any_definition_the_parser_accepts_round_trips(def in mutated_definition()) {
        check_parse(&def)?;
    }

    #[test]
    fn the_parser_survives_arbitrary_trees(
        def in prop::collection::btree_map(key(), arbitrary_value(), 0..10)
    ) {
        check_parse(&Value::Map(def))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn validating_answers_never_panics_and_accepted_answers_round_trip(
        (s, input) in survey_and_answers(),
        completion in completion(),
    ) {
        check_answers(s, &input, completion)?;
    }

    #[test]
    fn validating_arbitrary_answer_trees_never_panics(
        s in fixed_survey(),
        input in prop::collection::btree_map(key(), arbitrary_value(), 0..6),
        completion in completion(),
    ) {
        check_answers(s, &input, completion)?;
    }

    #[test]
    fn validating_metadata_never_panics_and_keeps_to_the_limits(
        s in fixed_survey(),
        fields in meta_fields(),
    ) {
        check_meta(s, &fields)?;
    }
}

// The properties above say little if the generators never reach the accepting paths (or
// never the rejecting ones); these tests make sure both are taken often.

/// The share of `n` generated inputs for which `check` returned true (accepted).
fn accepted_share<S: Strategy>(
    strategy: S,
    n: usize,
    check: impl Fn(&S::Value) -> Result<bool, TestCaseError>,
) -> f64 {
    let mut runner = TestRunner::deterministic();
    let accepted = (0..n)
        .filter(|_| {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            check(&value).unwrap()
        })
        .count();
    accepted as f64 / n as f64
}

#[test]
fn mutated_definitions_are_sometimes_accepted_and_sometimes_rejected() {
    let share = accepted_share(mutated_definition(), 200, check_parse);
    assert!((0.05..0.95).contains(&share), "{share}");
}

#[test]
fn generated_answers_are_sometimes_accepted_and_sometimes_rejected() {
    let share = accepted_share(survey_and_answers(), 300, |(s, input)| {
        check_answers(s, input, Completion::Partial)
    });
    assert!((0.05..0.95).contains(&share), "{share}");
}

#[test]
fn generated_metadata_is_sometimes_accepted_and_sometimes_rejected() {
    let share = accepted_share(meta_fields(), 300, |f| check_meta(&EVERY_TYPE, f));
    assert!((0.05..0.95).contains(&share), "{share}");
}
