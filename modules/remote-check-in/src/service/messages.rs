//! The outbox of messages to the person: written in the transaction of what caused
//! them, delivered after the commit through the installed notifier, the outcome (sent,
//! failed, attempts, last error) kept on the row as the delivery log.

use hamkor_api::db::now;
use hamkor_api::error::ApiResult;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter,
};

use crate::entity::{MessagePurpose, MessageStatus, enrolment, message};
use crate::notifier::Notifier;

/// Queue a message to the enrolment's phone (inside the caller's transaction).
pub async fn queue<C: ConnectionTrait>(
    db: &C,
    e: &enrolment::Model,
    purpose: MessagePurpose,
    body: String,
) -> ApiResult<message::Model> {
    Ok(message::ActiveModel {
        enrolment_id: Set(e.id),
        phone: Set(e.phone.clone()),
        language: Set(e.language),
        purpose: Set(purpose),
        body: Set(body),
        adapter: Set(String::new()),
        status: Set(MessageStatus::Queued),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(now()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Deliver queued messages (after their commit) and log the outcome on each.
pub async fn deliver(db: &DatabaseConnection, n: &dyn Notifier, ids: &[i64]) -> ApiResult<()> {
    for id in ids {
        let Some(m) = message::Entity::find_by_id(*id)
            .filter(message::Column::Status.eq(MessageStatus::Queued))
            .one(db)
            .await?
        else {
            continue;
        };
        let d = n.send(&m.phone, &m.body).await;
        let (status, error, sent_at) = match &d.result {
            Ok(()) => (MessageStatus::Sent, None, Some(now())),
            Err(e) => {
                tracing::warn!(message = m.id, error = %e, "a remote check-in message was not delivered");
                (MessageStatus::Failed, Some(e.clone()), None)
            }
        };
        message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value(status))
            .col_expr(message::Column::Adapter, Expr::value(n.name()))
            .col_expr(message::Column::Attempts, Expr::value(d.attempts))
            .col_expr(message::Column::LastError, Expr::value(error))
            .col_expr(message::Column::SentAt, Expr::value(sent_at))
            .filter(message::Column::Id.eq(m.id))
            .exec(db)
            .await?;
    }
    Ok(())
}
