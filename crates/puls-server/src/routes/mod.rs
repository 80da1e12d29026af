//! HTTP routes, one module per endpoint group.

pub mod analytics;
pub mod contacts_import;
pub mod health;
pub mod pages;
pub mod responses;
pub mod surveys;
