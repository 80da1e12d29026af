//! The journey map and a touchpoint's page.

use serde::Serialize;

use super::{Period, SelectOption, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct JourneyPage {
    pub title: String,
    /// The journey's name and key, and the keys of every journey of the workspace.
    pub journey: String,
    pub key: String,
    pub journeys: Vec<SelectOption>,
    pub stages: Vec<MapStage>,
    pub error: Option<String>,
    pub filters: Period,
    /// The saved segments (key, name).
    pub segments: Vec<SelectOption>,
    /// The period and segment as a query string, for links that keep them.
    pub query: String,
    pub min_n: u64,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for JourneyPage {
    const TEMPLATE: &'static str = "app/journey.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct MapStage {
    pub key: String,
    pub name: String,
    /// A side stage (a service loop), and of those who entered it, who came back to the
    /// main path.
    pub side: bool,
    pub reached: u64,
    /// Of `reached`: identified contacts, and anonymous visitors (main path only).
    pub people: Option<u64>,
    pub visitors: Option<u64>,
    pub returned: Option<u64>,
    /// With `returned`: within how many days of entering the side stage.
    pub return_days: Option<i64>,
    pub touchpoints: Vec<MapTouchpoint>,
}

/// A touchpoint on the map, with its numbers.
#[derive(Debug, Clone, Serialize)]
pub struct MapTouchpoint {
    pub key: String,
    pub name: String,
    pub channel: String,
    pub moment_of_truth: bool,
    pub events: u64,
    pub subjects: u64,
    pub reached: u64,
    /// Of `reached`: identified customers and anonymous visitors.
    pub people: u64,
    pub visitors: u64,
    /// Who did not reach the next stage, in percent.
    pub drop_off: Estimate,
    /// Its metrics, present only with responses.
    pub nps: Option<Estimate>,
    pub csat: Option<Estimate>,
    pub ces: Option<Estimate>,
    pub detractors: Option<ShareView>,
    /// `good`, `watch`, `poor` or `unknown`: its colour; and its word.
    pub health: &'static str,
    pub health_name: Text,
    /// Why, in words ("NPS −6, 36 points below the target of 30"; "no feedback of its
    /// own").
    pub reason: String,
}

/// A value (a metric, a rate) with its interval, out of `n`.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: u64,
    pub small: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShareView {
    pub value: Option<f64>,
    pub n: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TouchpointPage {
    pub title: String,
    pub journey: String,
    pub key: String,
    pub stage: String,
    pub tp: MapTouchpoint,
    /// Its NPS, CSAT and CES, in that order.
    pub feedback: Vec<Feedback>,
    /// The survey touchpoints read here.
    pub surveys: Vec<String>,
    /// NPS by week as SVG, and as a table.
    pub chart: String,
    pub points: Vec<ChartPoint>,
    pub verbatims: Vec<Verbatim>,
    /// What customers write about here.
    pub text: super::overview::TextCard,
    pub query: String,
    pub min_n: u64,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for TouchpointPage {
    const TEMPLATE: &'static str = "app/touchpoint.html";
}

/// One metric of a touchpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Feedback {
    /// `nps`, `csat` or `ces`: how its value is written.
    pub metric: &'static str,
    pub name: Text,
    pub value: Option<Estimate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChartPoint {
    /// The week, written in the page's language.
    pub label: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A recent open answer.
#[derive(Debug, Clone, Serialize)]
pub struct Verbatim {
    pub id: String,
    pub date: String,
    pub text: String,
    /// Its scores, named: "nps 9, csat 4".
    pub score: Option<String>,
}
