//! The education module's rules, below the GraphQL layer.

pub mod attendance;
pub mod enrolment;
pub mod programmes;

pub use hamkor_api::access::{PARTNER_ROLES, require_partner_staff};
