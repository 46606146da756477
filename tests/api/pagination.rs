//! Tests: pagination.
