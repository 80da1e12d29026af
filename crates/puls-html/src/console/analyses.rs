//! The analyses: a journey's funnel, key drivers with their priority matrix, Kano.

use serde::Serialize;

use super::{Period, SelectOption, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct AnalysesPage {
    pub title: String,
    /// Every journey (key, name) and the chosen one's key.
    pub journeys: Vec<SelectOption>,
    pub journey: Option<String>,
    /// The chosen journey's stages, and which the funnel runs through.
    pub stages: Vec<StageChoice>,
    pub surveys: Vec<SurveyChoice>,
    pub drivers_survey: Option<String>,
    pub kano_survey: Option<String>,
    pub funnel: Option<Funnel>,
    pub drivers: Option<Drivers>,
    pub kano: Option<Kano>,
    /// Filters the analytics refused, as their messages.
    pub errors: Vec<String>,
    pub filters: Period,
    /// The saved segments (key, name).
    pub segments: Vec<SelectOption>,
    /// The aspect read in open answers that key drivers and Kano are limited to
    /// (`delivery`, `delivery:neg`; empty: all), and the choices.
    pub aspect: String,
    pub aspects: Vec<SelectOption>,
    pub min_n: u64,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for AnalysesPage {
    const TEMPLATE: &'static str = "app/analyses.html";
}

/// A stage the funnel may run through.
#[derive(Debug, Clone, Serialize)]
pub struct StageChoice {
    pub key: String,
    pub name: String,
    /// A side stage (off the main path).
    pub side: bool,
    pub chosen: bool,
}

/// A survey of the menus, and which analyses it allows.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyChoice {
    pub id: String,
    pub title: String,
    pub drivable: bool,
    pub kano: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub journey: String,
    pub window_days: i64,
    pub rows: Vec<FunnelRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunnelRow {
    pub name: String,
    pub entered: u64,
    pub converted: u64,
    pub rate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Of the funnel's entries, in percent.
    pub overall: Option<f64>,
    pub drop_off: u64,
    pub median_days: Option<f64>,
    pub p90_days: Option<f64>,
    pub small: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Drivers {
    pub outcome: String,
    pub n: usize,
    pub r2: f64,
    pub small: bool,
    pub drivers: Vec<DriverRow>,
    /// The priority matrix as SVG ([`crate::chart::priority_matrix`], labels escaped).
    pub matrix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriverRow {
    /// The question (or matrix row) key, for a tooltip, and its text in the page's language.
    pub key: String,
    pub label: String,
    /// Its share of R², in percent, with its bootstrap interval.
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub performance: Option<f64>,
    pub quadrant: Option<Text>,
    /// Why it was left out, in words.
    pub excluded: Option<Text>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kano {
    pub features: Vec<KanoFeature>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KanoFeature {
    pub feature: String,
    pub n: u64,
    pub small: bool,
    pub dominant: Option<Text>,
    pub strength: Option<f64>,
    pub better: Option<f64>,
    pub worse: Option<f64>,
    pub shares: Option<KanoShares>,
}

/// The shares of each category, in percent.
#[derive(Debug, Clone, Serialize)]
pub struct KanoShares {
    pub attractive: f64,
    pub one_dimensional: f64,
    pub must_be: f64,
    pub indifferent: f64,
    pub reverse: f64,
    pub questionable: f64,
}
