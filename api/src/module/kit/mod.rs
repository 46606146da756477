//! The module kit: what every module crate needs and writes the same way, written
//! once here.
//!
//! - [`string_enum!`](crate::string_enum): an enumeration stored as its name and exposed
//!   to GraphQL;
//! - [`migration`]: shorthands for a module's tables, columns, foreign keys and indexes,
//!   and the migration that gives records an external id;
//! - [`external_id`]: setting and finding a module record by its owner's own reference;
//! - [`referral`]: the preamble of every piece of work done under one of a module's
//!   referrals (load and lock it, check who the caller is and where it stands);
//! - [`weekdays`]: days of the week kept as a bit mask, and
//!   [`weekday_enum!`](crate::weekday_enum) for their GraphQL enum.
//!
//! `modules/README.md` shows a module put together with it.

pub mod enums;
pub mod external_id;
pub mod migration;
pub mod referral;
pub mod weekdays;

pub use crate::{string_enum, weekday_enum};
