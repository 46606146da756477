//! The `webhook_endpoints`, `webhook_deliveries`, `webhook_attempts` and
//! `webhook_dispatch` tables.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "WebhookDeliveryStatus")]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Given up: retried for the whole retry window, or the endpoint answered 410.
    Failed,
}

pub mod endpoint {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_endpoints")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub organisation_id: i64,
        pub url: String,
        pub description: Option<String>,
        /// The webhook event types wanted, a JSON array of strings.
        #[sea_orm(column_type = "JsonBinary")]
        pub event_types: Json,
        /// The current `whsec_…` secret.
        pub secret: String,
        /// The secret before the last rotation, still signing until `previous_secret_until`.
        pub previous_secret: Option<String>,
        pub previous_secret_until: Option<DateTimeUtc>,
        pub active: bool,
        pub disabled_reason: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// The event types wanted.
        pub fn types(&self) -> Vec<String> {
            serde_json::from_value(self.event_types.clone()).unwrap_or_default()
        }

        /// The secrets that sign a message sent at `now`: the current one, and the
        /// previous one during its overlap.
        pub fn signing_secrets(&self, now: DateTimeUtc) -> Vec<&str> {
            let mut out = vec![self.secret.as_str()];
            if let (Some(prev), Some(until)) = (&self.previous_secret, self.previous_secret_until)
                && until > now
            {
                out.push(prev.as_str());
            }
            out
        }
    }
}

pub mod delivery {
    use super::DeliveryStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub endpoint_id: i64,
        pub event_id: i64,
        pub event_type: String,
        pub status: DeliveryStatus,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub retry_until: DateTimeUtc,
        pub claimed_until: Option<DateTimeUtc>,
        pub last_status_code: Option<i32>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub delivered_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// The `webhook-id`: the same for every attempt of this event to this endpoint,
        /// so receivers deduplicate retries and redeliveries.
        pub fn msg_id(&self) -> String {
            format!("msg_{}_{}", self.event_id, self.endpoint_id)
        }
    }
}

pub mod attempt {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_attempts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub delivery_id: i64,
        pub attempted_at: DateTimeUtc,
        pub status_code: Option<i32>,
        pub latency_ms: i64,
        pub succeeded: bool,
        pub error: Option<String>,
        pub response_excerpt: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dispatch {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_dispatch")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub event_cursor: i64,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
