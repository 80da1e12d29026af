//! The names people read instead of keys: a workspace's touchpoints, segments, journeys and
//! text-analysis aspects in the page's language, from its definitions (a built-in aspect
//! by the app's texts). A key without a name
//! stays as it is (it is then the only word there is).

use std::collections::{BTreeMap, HashMap};

use puls_app::AppError;
use puls_app::text_aspects::WorkspaceAspects;
use puls_core::{Value, WorkspaceId};
use puls_html::Lang;
use puls_html::console::SelectOption;
use puls_store::DefinitionKind;

use crate::state::AppState;

/// An aspect's name in `lang`: the workspace's own name for it, else the app's text
/// (`delivery` → "Dostawa"), else its key.
pub(crate) fn aspect_name(aspects: &WorkspaceAspects, key: &str, lang: Lang) -> String {
    aspects
        .label(key, lang.code())
        .unwrap_or_else(|| lang.aspect(key))
        .to_string()
}

/// Names by key, in one language.
#[derive(Debug, Default)]
pub struct Names {
    /// A journey touchpoint's own name by its key.
    touchpoints: HashMap<String, String>,
    /// The journey touchpoints that take a response touchpoint's surveys: (stage, name).
    takers: HashMap<String, Vec<(String, String)>>,
    segments: BTreeMap<String, String>,
    journeys: Vec<(String, String)>,
    /// The aspects, built-in then own, each with its name.
    aspects: Vec<(String, String)>,
}

/// A definition's `name`: one text, or texts by language (the page's, else English, else
/// any).
fn name_in(def: &Value, lang: &str) -> Option<String> {
    let Value::Map(fields) = def else {
        return None;
    };
    match fields.get("name")? {
        Value::Str(s) => Some(s.clone()),
        Value::Map(m) => m
            .get(lang)
            .or_else(|| m.get("en"))
            .or_else(|| m.values().next())
            .and_then(|v| v.as_str())
            .map(str::to_string),
        _ => None,
    }
}

impl Names {
    /// The workspace's names in `lang`.
    pub async fn load(st: &AppState, ws: WorkspaceId, lang: Lang) -> Result<Names, AppError> {
        let code = lang.code();
        let mut names = Names::of_aspects(st, ws, lang).await?;
        for d in st.app.definitions(ws, DefinitionKind::Segment).await? {
            let name = name_in(&d.definition, code).unwrap_or_else(|| d.key.clone());
            names.segments.insert(d.key, name);
        }
        for d in st.app.definitions(ws, DefinitionKind::Journey).await? {
            let Ok(journey) = st.app.analytics().journey(ws, &d.key).await else {
                names.journeys.push((d.key.clone(), d.key));
                continue;
            };
            names
                .journeys
                .push((d.key.clone(), journey.name.get(code).to_string()));
            for stage in &journey.stages {
                let stage_name = stage.name.get(code).to_string();
                for tp in &stage.touchpoints {
                    let name = tp.name.get(code).to_string();
                    names
                        .touchpoints
                        .entry(tp.key.to_string())
                        .or_insert_with(|| name.clone());
                    for s in &tp.surveys {
                        names
                            .takers
                            .entry(s.as_str().to_string())
                            .or_default()
                            .push((stage_name.clone(), name.clone()));
                    }
                }
            }
        }
        Ok(names)
    }

    /// Only the workspace's aspect names in `lang` (for a page that names nothing else).
    pub async fn of_aspects(st: &AppState, ws: WorkspaceId, lang: Lang) -> Result<Names, AppError> {
        let aspects = st.app.text_aspects(ws).await?;
        Ok(Names {
            aspects: aspects
                .names()
                .map(|a| (a.to_string(), aspect_name(&aspects, a, lang)))
                .collect(),
            ..Names::default()
        })
    }

    /// A response touchpoint's name: the journey touchpoint of that key; else the one
    /// touchpoint that takes its surveys; else the stage whose touchpoints all do; else the
    /// key.
    pub fn touchpoint(&self, key: &str) -> String {
        if let Some(n) = self.touchpoints.get(key) {
            return n.clone();
        }
        match self.takers.get(key).map(Vec::as_slice) {
            Some([(_, one)]) => one.clone(),
            Some([(stage, _), rest @ ..]) if rest.iter().all(|(s, _)| s == stage) => stage.clone(),
            _ => key.to_string(),
        }
    }

    /// The segments as a filter's choices (key, name), by name.
    pub fn segment_options(&self) -> Vec<SelectOption> {
        let mut v: Vec<SelectOption> = self
            .segments
            .iter()
            .map(|(k, n)| super::overview::option(k, n))
            .collect();
        v.sort_by(|a, b| a.text.cmp(&b.text));
        v
    }

    /// An aspect's name (`delivery` → "Dostawa", `parking` → the workspace's name for it);
    /// an aspect the workspace no longer has keeps its key.
    pub fn aspect(&self, key: &str) -> String {
        self.aspects
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| key.to_string(), |(_, n)| n.clone())
    }

    /// The aspects as a filter's choices (key, name), built-in first.
    pub fn aspect_options(&self) -> Vec<SelectOption> {
        self.aspects
            .iter()
            .map(|(k, n)| super::overview::option(k, n))
            .collect()
    }

    /// The journeys as choices (key, name).
    pub fn journey_options(&self) -> Vec<SelectOption> {
        self.journeys
            .iter()
            .map(|(k, n)| super::overview::option(k, n))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_touchpoint_reads_as_its_own_name_its_one_taker_or_its_stage() {
        let mut n = Names::default();
        n.touchpoints
            .insert("delivery".into(), "Dostawa kurierem".into());
        n.takers
            .insert("delivery".into(), vec![("Dostawa".into(), "Inna".into())]);
        n.takers.insert(
            "checkout".into(),
            vec![
                ("Zakup".into(), "Kasa www".into()),
                ("Zakup".into(), "Kasa w aplikacji".into()),
            ],
        );
        n.takers.insert(
            "returns".into(),
            vec![("Zwroty".into(), "Reklamacja".into())],
        );
        n.takers.insert(
            "mixed".into(),
            vec![("A".into(), "x".into()), ("B".into(), "y".into())],
        );
        assert_eq!(n.touchpoint("delivery"), "Dostawa kurierem");
        assert_eq!(n.touchpoint("checkout"), "Zakup");
        assert_eq!(n.touchpoint("returns"), "Reklamacja");
        assert_eq!(n.touchpoint("mixed"), "mixed");
        assert_eq!(n.touchpoint("unknown"), "unknown");
    }

    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn a_name_is_read_in_the_language_else_english_else_any() {
        let s = |t: &str| Value::Str(t.into());
        let d = map(&[(
            "name",
            map(&[("pl", s("Krytycy")), ("en", s("Detractors"))]),
        )]);
        assert_eq!(name_in(&d, "pl").as_deref(), Some("Krytycy"));
        assert_eq!(name_in(&d, "cs").as_deref(), Some("Detractors"));
        assert_eq!(
            name_in(&map(&[("name", s("VIP"))]), "cs").as_deref(),
            Some("VIP")
        );
        assert_eq!(name_in(&map(&[]), "cs"), None);
    }
}
