//! Black-box tests of the respondent pages and the form field contract.

mod form;
mod helpers;
mod render;
