//! Reference data and demo data.

pub mod demo;
pub mod national;
pub mod territories;
