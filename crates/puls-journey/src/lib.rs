//! The customer side of a workspace, in memory: contacts, the ids they send events with,
//! behavioural events, and the funnels and segments computed over them in well under a
//! second at tens of millions of events.
//!
//! Each server node keeps one [`CustomerIndex`] per workspace and feeds it from the store's
//! customer feed ([`CustomerIndex::apply_contact`], [`CustomerIndex::apply_link`],
//! [`CustomerIndex::push_event`], then [`CustomerIndex::prepare`]). Queries take `&self`:
//! [`CustomerIndex::funnel`] (see [`funnel`] for the definition) and
//! [`CustomerIndex::segment_members`].
//!
//! Pure: no I/O, no clock, no async. Events are stored by person and time (see [`events`]),
//! so a funnel reads each person's events in one pass, split over the available cores.

mod cache;
mod contacts;
mod dict;
pub mod events;
pub mod funnel;
mod index;
mod segments;

pub use contacts::ContactRow;
pub use dict::Bitset;
pub use events::MAX_PROPERTY_VALUES;
pub use funnel::{
    Breakdown, DropOffPaths, FunnelGroup, FunnelQuery, FunnelReport, PATH_LEN, StageCount,
    TouchpointStats,
};
pub use index::{CustomerIndex, EventRow};
pub use segments::{Feedback, SegmentContext};

/// What a query cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JourneyError {
    #[error("the property {0:?} has too many distinct values to be indexed; match on another")]
    PropertyNotIndexed(String),
    #[error("a funnel needs at least one stage")]
    NoStages,
    #[error("a funnel takes at most {max} stages, not {0}", max = funnel::MAX_STAGES)]
    TooManyStages(usize),
}
