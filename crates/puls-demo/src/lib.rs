//! Deterministic demo data for Puls: the surveys of a Polish and Czech e-shop and a year of
//! responses to them, telling a story a person can see on a dashboard.
//!
//! Pure: no I/O, no clock, no global randomness. The same seed, count and "now" always give
//! the same data, so screenshots, benchmarks and tests are reproducible.
//!
//! ```
//! use puls_core::Survey;
//!
//! let surveys: Vec<Survey> = puls_demo::surveys()
//!     .iter()
//!     .map(|s| Survey::parse(&s.definition).expect("demo surveys are valid"))
//!     .collect();
//! let now_ms = 1_767_225_600_000; // 2026-01-01T00:00:00Z
//! let responses = puls_demo::Generator::new(42, 1000, now_ms, &surveys);
//! assert_eq!(responses.len(), 1000);
//! for r in responses.take(3) {
//!     assert_eq!(r.meta.touchpoint, surveys[r.survey].touchpoint);
//! }
//! ```
//!
//! # The story in the data
//!
//! - **Checkout** is good and steady (NPS around +45); mobile shoppers are a little less happy.
//! - **Information** (product pages) is decent, around +10; so is the **loyalty** survey.
//! - **Delivery** is mediocre (around 0) and worse in the November/December peak. One
//!   **bad month**, the calendar month four months before "now", a courier partner fails:
//!   delivery NPS falls to around -50, "not arrived yet" and "late delivery" answers and
//!   comments multiply, more people answer the delivery survey, and support gets more
//!   "where is my order" contacts.
//! - **Returns** are poor (around -25), with a rush of returns after Christmas.
//! - **Support** improves steadily over the year, from about -35 to about +35.
//! - Volume grows over the year, peaks around Black Friday and in December, dips on Sundays
//!   and over Christmas; responses come in the day and evening (Central European time), chat
//!   support surveys only in office hours.
//! - Respondents are about 55% Polish, 30% Czech and 15% English speaking; about 8% leave
//!   after a few questions. Comments, in the respondent's language, match their scores.
//! - About a third as many customers (`cust-000001`...) as responses; responses by email or
//!   in the app usually carry one. Attributes: `device`, `region`, `order_value` with
//!   `currency`, and `store` for responses given in a store.
//!
//! # Contacts and behaviour
//!
//! [`Behaviour`] adds the shop's contacts and a year of their behavioural events
//! (Segment-style `track`, `page`, `screen` and `identify` messages) in the vocabulary of
//! `examples/ecommerce-journey.json`, deterministic for the seed, in exact numbers:
//!
//! - One contact per customer of the responses, the same person (name with diacritics,
//!   email, language), and more when asked. Attributes `region`, `country`, `device`,
//!   `signup`, `vip`, `lifetime_orders` (the orders in the events and before the year);
//!   the `email_marketing` consent.
//! - The funnel narrows: many more people view products (`platform` web, app or social)
//!   than put them in the cart, fewer order (PLN, CZK or EUR by language; `repeat` from a
//!   customer's second order), nearly every order is delivered (`carrier`, `delivery_days`,
//!   `late`); some lead to a support chat or ticket, a few to a review, a return or a
//!   complaint. Searches and home-page views are noise around the journey.
//! - Anonymous visitors (about 30% of the events) only browse. Most customers who sign up
//!   during the year looked around anonymously first; they then identify, and their later
//!   events carry both ids.
//! - **A late delivery loses a customer.** Deliveries come late about 7% of the time, and a
//!   quarter of them in the bad month, when half of the failing courier's (DPD) are late.
//!   A customer whose delivery response says the order came late or has not come (or gives
//!   delivery a poor score) had a late delivery just before it; every response of a known
//!   customer is anchored in their events this way (an order before a checkout response, a
//!   chat before a support response, ...). After a late delivery customers come back less
//!   than half as often and rarely order; their responses are the unhappy ones. With seed
//!   5, 40,000 responses and 500,000 events: after a late first delivery 49% order again
//!   (0.8 orders each), after an on-time one 78% (1.75); customers with a late delivery rate
//!   delivery 3.4 of 5 and answer NPS questions 6.8 on average, the others 4.2 and 7.9.
//!   (Those who order again mostly do so in their later responses, which the events must
//!   show: a checkout or delivery response always follows an order.)
//!
//! It streams: 2 million contacts and 50 million events take the responses' summaries and
//! one person's events in memory, at over a million events a second on one core.
//!
//! # More touchpoints
//!
//! Each response carries its survey's touchpoint, so the demo has six. For benchmarks at
//! scale, [`Generator::with_touchpoints`] spreads the responses over up to 26 finer ones
//! (checkout on the web, in the app or through a marketplace; delivery by courier partner;
//! support by chat, phone or email; returns online or in one of nine stores such as
//! `store-krakow`; ...). With 20 of them every channel occurs, from social media to the API.

mod behaviour;
mod calendar;
mod generator;
mod people;
mod phrases;
mod random;
mod story;
mod surveys;
mod timeline;
mod touchpoints;

pub use behaviour::{Behaviour, DemoContact, DemoEvent, EVENTS_PER_CONTACT, People, Person};
pub use generator::{DemoResponse, Generator, TouchpointCountError};
pub use surveys::{DemoSurvey, surveys};
