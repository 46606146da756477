//! Hamkor assembly: the core and the compiled-in modules merged into one schema.
//!
//! Everything with behaviour lives in `hamkor-api` (the core) and in the module crates;
//! this crate only decides what is compiled in and how the roots are merged.

// The schema's resolver futures nest deeply; optimised builds need more than the default
// query depth to lay them out.
#![recursion_limit = "256"]

pub mod bench;
pub mod cli;
#[cfg(feature = "electronic_monitoring")]
pub mod em_sim;
pub mod federation;
pub mod modules;
pub mod node;
pub mod sync_bench;

use std::future::Future;
use std::pin::Pin;

use async_graphql::{MergedObject, MergedSubscription, ObjectType, Schema, SchemaBuilder, SubscriptionType};
use hamkor_api::config::Settings;
use hamkor_api::graphql::{CoreMutation, CoreQuery, CoreSubscription, configure};
use hamkor_api::state::AppState;

/// The query root.
#[derive(MergedObject, Default)]
pub struct Query(CoreQuery, node::NodeQuery, modules::ModuleNamespaceQuery);

/// The query root of the federated subgraph: Hamkor's, with the entity resolvers. A
/// schema type of its own, because async-graphql serves `_service` and `_entities` in
/// any schema that has an entity resolver.
#[derive(MergedObject, Default)]
pub struct FederatedQuery(Query, federation::EntityQuery);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct Mutation(CoreMutation, modules::ModuleNamespaceMutation);

/// The subscription root.
#[derive(MergedSubscription, Default)]
pub struct Subscription(CoreSubscription);

/// The assembled schema.
pub type HamkorSchema = Schema<Query, Mutation, Subscription>;

/// The assembled schema as an Apollo Federation v2 subgraph (`federation = true`).
pub type FederatedSchema = Schema<FederatedQuery, Mutation, Subscription>;

/// A schema builder over any roots that include Hamkor's (tests add a probe module's
/// namespaces this way), with the configured limits and the application state.
pub fn schema_builder<Q, M, S>(
    query: Q,
    mutation: M,
    subscription: S,
    settings: &Settings,
) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    configure(Schema::build(query, mutation, subscription), settings)
}

/// The schema served by a running application.
pub fn build_schema(state: &AppState) -> HamkorSchema {
    schema_builder(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
        &state.settings,
    )
    .data(state.clone())
    .finish()
}

/// The schema served with `federation = true`.
pub fn build_federated_schema(state: &AppState) -> FederatedSchema {
    schema_builder(
        FederatedQuery::default(),
        Mutation::default(),
        Subscription::default(),
        &state.settings,
    )
    .enable_federation()
    .data(state.clone())
    .finish()
}

/// The SDL of Hamkor as an Apollo Federation v2 subgraph (what `_service { sdl }`
/// answers with `federation = true`), for composition with other subgraphs.
pub fn subgraph_sdl() -> String {
    schema_builder(
        FederatedQuery::default(),
        Mutation::default(),
        Subscription::default(),
        &Settings::default(),
    )
    .enable_federation()
    .finish()
    .sdl_with_options(async_graphql::SDLExportOptions::new().federation())
}

/// The published schema (SDL), as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
        &Settings::default(),
    )
    .finish()
    .sdl()
}

/// Run the command line to completion on a multi-threaded runtime.
///
/// Not generic and not `async`: the runtime, the server and every resolver future are
/// compiled here, once, rather than again in each binary that hands a future to
/// `#[tokio::main]` (which made each binary's own crate the slowest step of a release
/// build).
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(Box::pin(cli::run(cli)))
}

/// Execute one request against the served schema, as a boxed future: callers outside
/// this crate (the benchmarks) compile none of the schema's resolver code again.
pub fn execute(
    schema: &HamkorSchema,
    request: async_graphql::Request,
) -> Pin<Box<dyn Future<Output = async_graphql::Response> + Send + '_>> {
    Box::pin(schema.execute(request))
}
