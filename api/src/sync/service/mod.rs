//! Offline sync services: devices, pull, push (with the three-way merge), conflicts.

mod answer;
mod apply;
pub mod conflicts;
mod delta;
pub mod devices;
mod dispatch;
mod merge;
pub mod pull;
pub mod push;
mod scope;

pub use conflicts::{get_conflict, list_conflicts, resolve};
pub use devices::{get_device, list_devices, register_device, revoke_device};
pub use pull::{PullPage, SyncRecord, pull};
pub use push::{ChangeOutcome, PushChange, push};
pub use scope::{KINDS, visible_ids};
