//! The overview: NPS, CSAT and CES cards with their intervals, change and weekly trend, and
//! NPS by touchpoint and channel.

use serde::Serialize;

use super::{Period, Select, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct OverviewPage {
    pub title: String,
    pub filters: Period,
    pub selects: Vec<Select>,
    pub cards: Vec<Card>,
    pub breakdown: Vec<BreakdownRow>,
    pub min_n: u64,
    /// A filter the analytics refused, as their message.
    pub error: Option<String>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for OverviewPage {
    const TEMPLATE: &'static str = "app/overview.html";
}

/// One metric's card.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    /// `nps`, `csat` or `ces`: how the value is written, and the card's element ids.
    pub metric: &'static str,
    pub name: Text,
    pub long_name: Text,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: u64,
    pub small: bool,
    pub decimals: u32,
    pub change: Option<Change>,
    /// The weekly trend as SVG (drawn by [`crate::chart::trend`], labels escaped).
    pub chart: String,
    /// The same trend as a table.
    pub points: Vec<TrendRow>,
}

/// The change against the previous period.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub difference: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub p: Option<f64>,
    pub verdict: Text,
    /// `better`, `worse` or `neutral`: its colour.
    pub class: &'static str,
}

/// One week of a trend (empty weeks included, so a line breaks where data stops).
#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    /// The week's first day, `YYYY-MM-DD`.
    pub label: String,
    /// For a week cut by the period: "partial: first – last day", in words.
    pub partial: Option<String>,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub n: u64,
    pub small: bool,
}

/// NPS of one touchpoint and channel.
#[derive(Debug, Clone, Serialize)]
pub struct BreakdownRow {
    pub touchpoint: String,
    pub channel: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub detractors: Option<f64>,
    pub n: u64,
    pub small: bool,
}
