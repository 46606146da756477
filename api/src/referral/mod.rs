//! Referrals of a case to partner organisations, generic over the modules' referral kinds.

pub mod entity;
pub mod graphql;
pub mod lifecycle;
pub mod mutation;
pub mod service;
pub mod subject;
