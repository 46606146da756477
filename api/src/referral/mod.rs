//! Referrals of a case to partner organisations, generic over the modules' referral kinds.

pub mod entity;
pub mod graphql;
pub mod lifecycle;
pub mod service;

/// Kept at this path for the module crates that import from it: what a partner reaches
/// is the rule of `crate::access::partner`.
pub mod subject {
    pub use crate::access::partner::partner_referral;
}
