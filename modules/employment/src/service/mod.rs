//! The employment module's rules, below the GraphQL layer.

pub mod applications;
pub mod outcomes;
pub mod profiles;
pub mod vacancies;

pub use hamkor_api::access::{PARTNER_ROLES, require_partner_staff};
