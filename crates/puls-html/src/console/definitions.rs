//! Segments and journeys as their definitions: a list (with each segment's member count
//! now, each journey's stages) and an editor of one definition, validated like the API.

use serde::Serialize;

use super::{Problem, Shell};
use crate::{Page, Text};

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionsPage {
    pub title: String,
    /// `segments` or `journeys`: the URL segment and which words to use.
    pub kind: &'static str,
    pub rows: Vec<DefinitionRow>,
    /// A new definition as typed (kept when it was refused), and why it was refused.
    pub text: String,
    pub problems: Vec<Problem>,
    pub can_edit: bool,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for DefinitionsPage {
    const TEMPLATE: &'static str = "app/definitions.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionRow {
    pub key: String,
    pub name: String,
    /// A segment's members now, or a journey's stages, in words.
    pub detail: String,
    /// A journey's map.
    pub view: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionPage {
    pub title: String,
    pub kind: &'static str,
    pub key: String,
    /// The definition as JSON, pretty, or as typed when it was refused.
    pub text: String,
    pub problems: Vec<Problem>,
    pub can_edit: bool,
    pub notice: Option<Text>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for DefinitionPage {
    const TEMPLATE: &'static str = "app/definition.html";
}
