//! Live domain events: `caseEvents` and `referralEvents`, filtered per event by the same
//! audience rule as `events` ([`crate::access::events`]).

use std::sync::Arc;

use async_graphql::{Context, ID, Result, Subscription};
use futures::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;

use super::entity::Model;
use super::graphql::{DomainEvent, audiences, case_reader_receives, is_referral_event_for};
use crate::access::events::Audiences;
use crate::auth::principal::Principal;
use crate::error::ApiError;
use crate::graphql::context::{principal, state};
use crate::ids;
use crate::user::entity::Role;

/// The next committed event, or `None` when the feed lagged (the subscriber resumes
/// with `events(after:)`) or closed.
async fn next_event(rx: &mut broadcast::Receiver<Arc<Model>>) -> Option<Arc<Model>> {
    rx.recv().await.ok()
}

/// Whether `p`, as a reader of the event's case, receives it.
async fn receives_as_case_reader(
    db: &DatabaseConnection,
    p: &Principal,
    auds: &Audiences,
    e: &Model,
) -> bool {
    let Some(id) = e.case_id else {
        return false;
    };
    match crate::case::service::get(db, p, id).await {
        Ok((_, access)) => case_reader_receives(db, auds, e, access).await,
        Err(_) => false,
    }
}

/// Live events. Each stream carries the events committed after it started; catch up on
/// missed ones with `events(after:)`.
#[derive(Default)]
pub struct EventSubscription;

#[Subscription]
impl EventSubscription {
    /// Events of one case, as they are committed, that the caller's access to the case
    /// receives (the same events as `events(filter: {caseId})`). The partner of an
    /// accepted referral sees the case's referral events addressed to it. Access is
    /// checked again for every event: the stream ends when the caller loses access to the
    /// case (the event that ended a partner's access is still delivered).
    async fn case_events(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
    ) -> Result<impl Stream<Item = DomainEvent> + use<>> {
        let p = principal(ctx)?.clone();
        let st = state(ctx)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let db = st.db.clone();
        let auds = Arc::new(audiences(&st.modules));
        let as_partner = match crate::case::service::get(&db, &p, case_id).await {
            Ok(_) => false,
            Err(ApiError::NotFound(_)) => {
                if crate::access::partner_reaches_case(&db, &p, case_id).await? {
                    true
                } else {
                    return Err(ApiError::NotFound("Case").into());
                }
            }
            Err(e) => return Err(e.into()),
        };
        let rx = st.feed.subscribe();
        Ok(futures::stream::unfold((rx, false), move |(mut rx, ended)| {
            let (db, p, auds) = (db.clone(), p.clone(), auds.clone());
            async move {
                if ended {
                    return None;
                }
                loop {
                    let e = next_event(&mut rx).await?;
                    if e.case_id != Some(case_id) {
                        continue;
                    }
                    if as_partner {
                        if !is_referral_event_for(&p, &e, &auds) {
                            continue;
                        }
                        let still = crate::access::partner_reaches_case(&db, &p, case_id)
                            .await
                            .unwrap_or(false);
                        return Some((DomainEvent(e), (rx, !still)));
                    }
                    match crate::case::service::get(&db, &p, case_id).await {
                        Ok((_, access)) => {
                            if case_reader_receives(&db, &auds, &e, access).await
                                || is_referral_event_for(&p, &e, &auds)
                            {
                                return Some((DomainEvent(e), (rx, false)));
                            }
                        }
                        Err(_) => return None,
                    }
                }
            }
        }))
    }

    /// Referral events, as they are committed: those addressed to the caller's
    /// organisation (its partner staff and admins), and those of cases the caller
    /// supervises (probation officers, prevention inspectors): the same events as
    /// `events` returns.
    async fn referral_events(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = DomainEvent> + use<>> {
        let p = principal(ctx)?.clone();
        let st = state(ctx)?;
        let db = st.db.clone();
        let auds = Arc::new(audiences(&st.modules));
        let rx = st.feed.subscribe();
        let supervisor = p.has_any_role(&[Role::ProbationOfficer, Role::PreventionInspector]);
        Ok(futures::stream::unfold(rx, move |mut rx| {
            let (db, p, auds) = (db.clone(), p.clone(), auds.clone());
            async move {
                loop {
                    let e = next_event(&mut rx).await?;
                    if e.aggregate_type != "Referral" {
                        continue;
                    }
                    if is_referral_event_for(&p, &e, &auds)
                        || (supervisor && receives_as_case_reader(&db, &p, &auds, &e).await)
                    {
                        return Some((DomainEvent(e), rx));
                    }
                }
            }
        }))
    }
}
