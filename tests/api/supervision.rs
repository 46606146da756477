//! Tests: supervision.
