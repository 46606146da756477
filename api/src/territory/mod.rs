//! Territory: Region (viloyat) → District (tuman/shahar) → Mahalla, with SOATO codes.

pub mod entity;
pub mod graphql;
pub mod resolve;
pub mod service;
