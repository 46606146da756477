//! The core's GraphQL roots and schema settings. The root package merges these with the
//! modules' namespaces and the `Node` interface.

pub mod context;
pub mod input_errors;
pub mod limits;
pub mod read_audit;
pub mod self_service;

use async_graphql::{MergedObject, ObjectType, SchemaBuilder, SubscriptionType};

use crate::alert::graphql::{AlertMutation, AlertQuery};
use crate::analytics::graphql::AnalyticsQuery;
use crate::audit::graphql::AuditQuery;
use crate::auth::graphql::{AuthMutation, AuthQuery};
use crate::case::graphql::{CaseMutation, CaseQuery};
use crate::config::Settings;
use crate::consent::graphql::{ConsentMutation, ConsentQuery};
use crate::events::graphql::EventQuery;
use crate::mahalla::graphql::{MahallaMutation, MahallaQuery};
use crate::module::graphql::{ModuleMutation, ModuleQuery};
use crate::organisation::graphql::{OrganisationMutation, OrganisationQuery};
use crate::person::graphql::{PersonMutation, PersonQuery};
use crate::plan::graphql::PlanMutation;
use crate::referral::graphql::{ReferralMutation, ReferralQuery};
use crate::risk::graphql::RiskMutation;
use crate::risk::model_graphql::{RiskModelMutation, RiskModelQuery};
use crate::risk::validation_graphql::RiskValidationQuery;
use crate::supervision::graphql::{SupervisionMutation, SupervisionQuery};
use crate::sync::graphql::{SyncMutationRoot, SyncQueryRoot};
use crate::territory::graphql::{TerritoryMutation, TerritoryQuery};
use crate::user::graphql::{UserMutation, UserQuery};
use crate::webhook::graphql::{WebhookMutation, WebhookQuery};

/// Queries of accounts, organisations, territories and the audit log.
#[derive(MergedObject, Default)]
pub struct AdminQuery(
    AuthQuery,
    TerritoryQuery,
    OrganisationQuery,
    UserQuery,
    AuditQuery,
);

/// Queries of case work.
#[derive(MergedObject, Default)]
pub struct CaseworkQuery(
    PersonQuery,
    CaseQuery,
    SupervisionQuery,
    MahallaQuery,
    OversightQuery,
);

/// Queries of early warnings and analytics.
#[derive(MergedObject, Default)]
pub struct OversightQuery(AlertQuery, AnalyticsQuery, RiskValidationQuery, RiskModelQuery);

/// Queries of work across organisations: modules, referrals, consents, events, webhooks.
#[derive(MergedObject, Default)]
pub struct PartnershipQuery(ModuleQuery, ReferralQuery, ConsentQuery, EventQuery, WebhookQuery);

/// All core queries (merged in groups to stay clear of the macro depth limit).
#[derive(MergedObject, Default)]
pub struct CoreQuery(AdminQuery, CaseworkQuery, PartnershipQuery, SyncQueryRoot);

/// Mutations of accounts, organisations and territories.
#[derive(MergedObject, Default)]
pub struct AdminMutation(
    AuthMutation,
    TerritoryMutation,
    OrganisationMutation,
    UserMutation,
);

/// Mutations of case work.
#[derive(MergedObject, Default)]
pub struct CaseworkMutation(
    PersonMutation,
    CaseMutation,
    SupervisionMutation,
    PlanMutation,
    MahallaMutation,
    OversightMutation,
);

/// Mutations of risk assessment and early warnings.
#[derive(MergedObject, Default)]
pub struct OversightMutation(RiskMutation, AlertMutation, RiskModelMutation);

/// Mutations of work across organisations: modules, referrals, consents, webhooks.
#[derive(MergedObject, Default)]
pub struct PartnershipMutation(ModuleMutation, ReferralMutation, ConsentMutation, WebhookMutation);

/// All core mutations.
#[derive(MergedObject, Default)]
pub struct CoreMutation(
    AdminMutation,
    CaseworkMutation,
    PartnershipMutation,
    SyncMutationRoot,
);

/// The core's subscriptions.
pub use crate::events::subscription::EventSubscription as CoreSubscription;

/// Apply the configured limits (depth, complexity, aliases, introspection) to a schema.
pub fn configure<Q, M, S>(builder: SchemaBuilder<Q, M, S>, settings: &Settings) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    // The depth limit is the limits extension's: async-graphql's own would count
    // introspection too.
    let builder = builder
        .limit_complexity(settings.max_query_complexity)
        .limit_recursive_depth(32)
        .limit_directives(8)
        .extension(limits::Limits {
            max_depth: settings.max_query_depth,
            max_aliases: settings.max_aliases,
            introspection: settings.introspection,
        })
        .extension(read_audit::ReadAudit)
        .extension(crate::monitoring::operations::OperationMetrics)
        .extension(self_service::SelfServiceGate);
    if settings.introspection {
        builder
    } else {
        // Suggestions ("Did you mean …?") would name the fields introspection hides.
        builder.disable_introspection().disable_suggestions()
    }
}

/// Kept where module crates have imported it from; the core's own code, services above
/// all, uses [`crate::enums::enum_name`] and never reaches into the GraphQL layer for it.
pub use crate::enums::enum_name;
