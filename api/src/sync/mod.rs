//! Offline field sync for the inspectors' and the seven's phones: registered devices,
//! pulls in pages (changed records within the caller's sight, tombstones for what left
//! it), pushes of changes made offline (merged field by field against the base the
//! phone started from), and conflicts a person settles. The protocol is described in
//! DEVELOPERS.md ("Offline field sync").

pub mod entity;
pub mod graphql;
pub mod kind;
pub mod records;
pub mod service;
pub mod source;
pub mod version;
