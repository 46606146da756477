//! The `remoteCheckIn` namespace on Query and Mutation, the anonymous
//! `activateRemoteCheckIn` mutation, and the module's GraphQL types. The person's own
//! types (`person.rs`) are separate from the staff's (`check_in.rs`), so a field added
//! to a staff type never shows to the person.

pub mod check_in;
pub mod mutation;
pub mod person;
pub mod query;

pub use mutation::{RemoteCheckInMutation, RemoteCheckInMutationRoot};
pub use query::{RemoteCheckInQuery, RemoteCheckInQueryRoot};
