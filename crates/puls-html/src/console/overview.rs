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
    /// What customers write about.
    pub text: TextCard,
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

/// What customers write about (the text analysis of open answers), for the overview and a
/// touchpoint's page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TextCard {
    /// Text analysis is installed; without it, a line saying so.
    pub installed: bool,
    /// Open answers read this period and the previous one.
    pub analysed: u64,
    pub previous_analysed: u64,
    pub aspects: Vec<AspectLine>,
    /// The seven days up to the period's end, by language.
    pub trend_from: String,
    pub trending: Vec<TrendingLine>,
    /// Some language has a trending topic.
    pub any_trending: bool,
    /// Why the card is not shown for these filters (a filter it does not take).
    pub note: Option<String>,
}

/// One aspect of the period.
#[derive(Debug, Clone, Serialize)]
pub struct AspectLine {
    pub name: String,
    pub n: u64,
    pub share: Option<f64>,
    pub share_low: Option<f64>,
    pub share_high: Option<f64>,
    pub net: Option<f64>,
    pub net_low: Option<f64>,
    pub net_high: Option<f64>,
    pub small: bool,
    /// Against the previous period: its share (percentage points) and net sentiment.
    pub share_change: Change,
    pub net_change: Change,
    /// The inbox filtered to its negative answers.
    pub negative_href: String,
    pub negative: u64,
}

/// The trending topics of one language.
#[derive(Debug, Clone, Serialize)]
pub struct TrendingLine {
    /// The language's name in the reader's words.
    pub language: String,
    pub analysed: u64,
    pub topics: Vec<TopicLine>,
}

/// A topic whose share rose significantly.
#[derive(Debug, Clone, Serialize)]
pub struct TopicLine {
    /// An aspect's name or a word, in words.
    pub name: String,
    pub aspect: bool,
    pub count: u64,
    pub previous: u64,
    pub change: Change,
}
