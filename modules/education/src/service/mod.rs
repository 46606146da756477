//! The education module's rules and SQL, below the GraphQL layer: plain functions of
//! the database and the caller.

pub mod attendance;
pub mod catalogue;
pub mod decisions;
pub mod directory;
pub mod enrolment;
pub mod enrolment_search;
pub mod intakes;
pub mod matches;
pub mod programmes;

pub use hamkor_api::access::{PARTNER_ROLES, require_partner_staff};
