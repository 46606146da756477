//! Tests: http_spec.
