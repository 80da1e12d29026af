//! HTTP routes, one module per endpoint group.

pub mod analytics;
pub mod cases;
pub mod contacts;
pub mod contacts_import;
pub mod distributions;
pub mod events;
pub mod health;
pub mod journeys;
pub mod pages;
pub mod responses;
pub mod segments;
pub mod surveys;
pub mod tracking;
pub mod webhooks;
