//! The pages around the app: first-owner setup, signing in, the user's account, and the
//! page where an invited person joins.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{LangLink, Shell};
use crate::{Page, Text};

/// The problems of a form's fields, by field name.
pub type FieldProblems = BTreeMap<&'static str, Text>;

/// What the setup form was filled with.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SetupValues {
    pub name: String,
    pub email: String,
    pub workspace: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SetupPage {
    pub title: String,
    pub form_token: String,
    /// The one-time setup token.
    pub token: String,
    /// The names of the workspaces the first owner will own; empty: setup creates one.
    pub existing: String,
    pub values: SetupValues,
    pub errors: FieldProblems,
    pub langs: Vec<LangLink>,
}

impl Page for SetupPage {
    const TEMPLATE: &'static str = "app/setup.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInPage {
    pub title: String,
    pub form_token: String,
    /// Where to go after signing in.
    pub next: String,
    pub email: String,
    pub notice: Option<Text>,
    pub failed: Option<Text>,
    pub langs: Vec<LangLink>,
}

impl Page for SignInPage {
    const TEMPLATE: &'static str = "app/sign_in.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountPage {
    pub title: String,
    pub notice: Option<Text>,
    pub errors: FieldProblems,
    pub langs: Vec<LangLink>,
    #[serde(flatten)]
    pub shell: Shell,
}

impl Page for AccountPage {
    const TEMPLATE: &'static str = "app/account.html";
}

#[derive(Debug, Clone, Serialize)]
pub struct InvitationPage {
    pub title: String,
    pub workspace: String,
    pub email: String,
    pub role: Text,
    /// Whether the invited email has an account already (it joins with its password).
    pub exists: bool,
    /// What the name field shows.
    pub name: String,
    pub form_token: String,
    pub token: String,
    pub langs: Vec<LangLink>,
}

impl Page for InvitationPage {
    const TEMPLATE: &'static str = "app/invitation.html";
}
