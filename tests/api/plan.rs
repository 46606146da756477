//! Tests: plan.
