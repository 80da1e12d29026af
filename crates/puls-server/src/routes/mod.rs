//! HTTP routes, one module per endpoint group.

pub mod health;
pub mod pages;
pub mod responses;
pub mod surveys;
