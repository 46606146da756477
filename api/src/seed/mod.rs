//! Reference data and demo data.

pub mod demo;
pub mod national;
pub mod risk_process;
pub mod territories;
