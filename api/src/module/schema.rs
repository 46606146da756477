//! The migration shorthands under the names the first modules' migrations used; they
//! live in [`super::kit::migration`] now.

pub use super::kit::migration::{AddExternalIds, add_external_id, foreign_key, index};
