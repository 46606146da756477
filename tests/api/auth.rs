//! Tests: auth.
