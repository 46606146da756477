//! `Query.remoteCheckIn`: the person's own view (`me`, their token only) and the
//! officer's enrolments, check-ins, review queue and callbacks.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::graphql::context::{principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::{Conn, Page, encode_cursor};

use super::check_in::{RemoteCheckIn, RemoteCheckInEnrolment};
use super::person::MyCheckIns;
use crate::ID as MODULE;
use crate::service::{enrolment, person_view, review};

/// `Query.remoteCheckIn`.
#[derive(Default)]
pub struct RemoteCheckInQueryRoot;

#[Object]
impl RemoteCheckInQueryRoot {
    /// Remote check-in: the supervised person's app and its review (organisations that
    /// enabled it only).
    #[graphql(
        visible = "crate::remote_check_in_visible",
        guard = "ModuleGuard::new(MODULE)"
    )]
    async fn remote_check_in(&self) -> RemoteCheckInQuery {
        RemoteCheckInQuery
    }
}

pub struct RemoteCheckInQuery;

#[Object(
    visible = "crate::remote_check_in_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl RemoteCheckInQuery {
    /// The supervised person's own view (their app's token only).
    async fn me(&self, ctx: &Context<'_>) -> Result<MyCheckIns> {
        let db = &state(ctx)?.db;
        let view = person_view::mine(db, principal(ctx)?).await?;
        let config = crate::config::of_organisation(db, view.enrolment.organisation_id).await;
        Ok(MyCheckIns::of(view, &config.questions))
    }

    /// The enrolments of a case, newest first (its officer).
    async fn enrolments(&self, ctx: &Context<'_>, case_id: ID) -> Result<Vec<RemoteCheckInEnrolment>> {
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        Ok(enrolment::of_case(&state(ctx)?.db, principal(ctx)?, case_id)
            .await?
            .into_iter()
            .map(RemoteCheckInEnrolment)
            .collect())
    }

    /// The check-ins of a case, newest first (its officer).
    async fn check_ins(&self, ctx: &Context<'_>, case_id: ID) -> Result<Vec<RemoteCheckIn>> {
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        Ok(review::of_case(&state(ctx)?.db, principal(ctx)?, case_id)
            .await?
            .into_iter()
            .map(RemoteCheckIn)
            .collect())
    }

    /// One check-in (its case's officer).
    async fn check_in(&self, ctx: &Context<'_>, id: ID) -> Result<RemoteCheckIn> {
        let id = ids::decode_as(&id, "RemoteCheckIn", "id")?;
        Ok(RemoteCheckIn(
            review::get(&state(ctx)?.db, principal(ctx)?, id).await?,
        ))
    }

    /// Submitted check-ins awaiting review, most urgent first.
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<RemoteCheckIn>> {
        let page = Page::new(first, after.as_deref(), 50)?;
        let (rows, more, total) =
            review::queue(&state(ctx)?.db, principal(ctx)?, page.first, page.after).await?;
        let mut conn = Conn::with_additional_fields(page.after.is_some(), more, total);
        conn.edges.extend(
            rows.into_iter()
                .map(|c| async_graphql::connection::Edge::new(encode_cursor(c.id), RemoteCheckIn(c))),
        );
        Ok(conn)
    }

    /// Callbacks the people asked for, not yet made: the officer's tasks.
    async fn callbacks(&self, ctx: &Context<'_>) -> Result<Vec<RemoteCheckIn>> {
        Ok(review::callbacks(&state(ctx)?.db, principal(ctx)?)
            .await?
            .into_iter()
            .map(RemoteCheckIn)
            .collect())
    }
}
