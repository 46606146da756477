//! Tests: territory.
