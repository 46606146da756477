//! The mahalla at work: the roster of the "seven", the mahalla's prevention programme,
//! tasks the supervising agencies give members of the seven on a case, and joint case
//! conferences whose decisions become owned tasks and plan actions.

pub mod conference;
pub mod entity;
pub mod graphql;
pub mod programme;
pub mod roster;
pub mod tasks;
