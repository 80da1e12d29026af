//! Black-box tests of the Puls server over real HTTP, each run on SQLite and on PostgreSQL.
//!
//! One test binary (zero2prod style): `helpers` starts a server on a free port over a fresh
//! database; the other modules test one feature each through the public HTTP interface.

#[macro_use]
mod helpers;
mod customer_helpers;
mod fixtures;

mod auth;
mod cases;
mod console;
mod contacts;
mod contacts_import;
mod distributions;
mod erasure;
mod export;
mod frequency;
mod isolation;
mod journeys;
mod kiosk;
mod manual_entry;
mod metric_alerts;
mod metrics;
mod metrics_endpoint;
mod nodes;
mod notifications;
mod openapi;
mod opens;
mod pages;
mod pagination;
mod partial;
mod ratelimit;
mod responses;
mod sampling;
mod segments;
mod sms;
mod surveys;
mod text;
mod tracking;
mod triggers;
mod validation;
mod webhooks;
mod widget;
