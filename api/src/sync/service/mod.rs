//! Offline sync services: devices, pull, push (with the three-way merge), conflicts.

mod apply;
pub mod conflicts;
pub mod devices;
mod merge;
pub mod pull;
pub mod push;
mod scope;

pub use conflicts::{list_conflicts, resolve};
pub use devices::{list_devices, register_device, revoke_device};
pub use pull::{PullPage, SyncRecord, pull};
pub use push::{ChangeOutcome, PushChange, push};
pub use scope::{KINDS, visible_ids};
