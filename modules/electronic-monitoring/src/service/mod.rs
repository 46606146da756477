//! The module's rules and SQL: plain async functions of the database and the caller.

pub mod equipment;
pub mod incidents;
pub mod judging;
pub mod partitions;
pub mod reading;
pub mod retention;
pub mod silence;
