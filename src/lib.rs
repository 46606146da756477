//! Hamkor assembly: the core and the compiled-in modules merged into one schema.
//!
//! Everything with behaviour lives in `hamkor-api` (the core) and in the module crates;
//! this crate only decides what is compiled in and how the roots are merged.

pub mod cli;
pub mod node;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use hamkor_api::config::Settings;
use hamkor_api::graphql::{CoreMutation, CoreQuery, configure};
use hamkor_api::state::AppState;

/// The query root.
#[derive(MergedObject, Default)]
pub struct Query(CoreQuery, node::NodeQuery);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(CoreMutation);

/// The assembled schema.
pub type HamkorSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder(settings: &Settings) -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    configure(
        Schema::build(Query::default(), Mutation::default(), EmptySubscription),
        settings,
    )
}

/// The schema served by a running application.
pub fn build_schema(state: &AppState) -> HamkorSchema {
    builder(&state.settings).data(state.clone()).finish()
}

/// The published schema (SDL), as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder(&Settings::default()).finish().sdl()
}
