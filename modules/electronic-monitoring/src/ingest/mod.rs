//! Two doors, one pipeline: the HTTPS door ([`https`]) and the MQTT subscriber
//! ([`mqtt`]) hand raw messages to [`pipeline::ingest`], which parses, deduplicates,
//! quarantines, stores and judges them.

pub mod https;
pub mod message;
pub mod mqtt;
pub mod pipeline;

/// The most bytes of an unreadable message kept in a dead letter.
pub const MAX_DEAD_LETTER_BYTES: usize = 16 * 1024;

/// The most events in one message (an hour of buffered fixes at one a second fits).
pub const MAX_EVENTS_PER_MESSAGE: usize = 5_000;
