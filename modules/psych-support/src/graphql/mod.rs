//! The `psychSupport` namespaces on Query and Mutation.

mod clinical;
mod mutation;
mod types;

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use hamkor_api::graphql::context::{page, principal, state};
use hamkor_api::ids;
use hamkor_api::module::{ModuleGuard, is_enabled};
use hamkor_api::pagination::{Conn, Paged};

pub use clinical::*;
pub use mutation::{PsychSupportMutation, PsychSupportMutationRoot};
pub use types::*;

use crate::ID as MODULE;
use crate::entity::{Instrument, Specialism};
use crate::practitioners::PractitionerFilter;
use crate::sessions::SessionFilter;
use crate::support::SupportFilter;
use crate::{notes, practitioners, screenings, sessions, support};

/// Whether the caller's organisation has the module enabled (its schema is hidden otherwise).
pub fn psych_visible(ctx: &Context<'_>) -> bool {
    is_enabled(ctx, MODULE)
}

/// `Query.psychSupport`.
#[derive(Default)]
pub struct PsychSupportQueryRoot;

#[Object]
impl PsychSupportQueryRoot {
    /// Psychological support: practitioners, support records, sessions, screenings and
    /// confidential notes.
    #[graphql(visible = "psych_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn psych_support(&self) -> PsychSupportQuery {
        PsychSupportQuery
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PractitionerFilterInput {
    pub specialism: Option<Specialism>,
    /// A language code (`uz`, `ru`, `kaa`).
    pub language: Option<String>,
    pub active: Option<bool>,
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PsychProviderFilterInput {
    /// Only providers with an active practitioner of this specialism.
    pub specialism: Option<Specialism>,
    /// Only providers with an active practitioner who works in this language.
    pub language: Option<String>,
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PsychSupportFilterInput {
    pub practitioner_id: Option<ID>,
    pub case_id: Option<ID>,
    /// Only support still under way (`true`) or ended (`false`).
    pub open: Option<bool>,
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PsychSessionFilterInput {
    pub referral_id: Option<ID>,
    pub practitioner_id: Option<ID>,
    /// Sessions starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Sessions starting before this time.
    pub to: Option<DateTime<Utc>>,
}

pub struct PsychSupportQuery;

fn rewrap<M, N>(paged: Paged<M>, nodes: Vec<N>) -> Paged<N> {
    Paged {
        rows: nodes,
        has_next: paged.has_next,
        page: paged.page,
        total: paged.total,
    }
}

#[Object(visible = "psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PsychSupportQuery {
    /// Organisations that deliver psychological support (enabled, with at least one
    /// active practitioner of the specialism and language asked for): where to refer.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn providers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PsychProviderFilterInput>,
    ) -> Result<Conn<PsychProvider>> {
        principal(ctx)?;
        let page = page(ctx, first, after)?;
        let db = &state(ctx)?.db;
        let f = filter.unwrap_or_default();
        let paged = practitioners::providers(db, f.specialism, f.language.as_deref(), page).await?;
        let ids: Vec<i64> = paged.rows.iter().map(|o| o.id).collect();
        let mut offers = practitioners::offers_of(db, &ids).await?;
        let nodes = paged
            .rows
            .iter()
            .map(|o| PsychProvider {
                offer: offers.remove(&o.id).unwrap_or_default(),
                organisation: o.clone(),
            })
            .collect();
        Ok(rewrap(paged, nodes).into_connection(|n| n.organisation.id, |n| n))
    }

    /// The practitioners of the caller's organisation.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn practitioners(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PractitionerFilterInput>,
    ) -> Result<Conn<Practitioner>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let db = &state(ctx)?.db;
        let f = filter.unwrap_or_default();
        let paged = practitioners::list(
            db,
            p,
            PractitionerFilter {
                specialism: f.specialism,
                language: f.language,
                active: f.active,
            },
            page,
        )
        .await?;
        let nodes = Practitioner::wrap_all(db, paged.rows.clone()).await?;
        Ok(rewrap(paged, nodes).into_connection(|n| n.model.id, |n| n))
    }

    /// The support record of a referral (its provider and the agencies supervising the
    /// case; null for anyone else).
    async fn support(&self, ctx: &Context<'_>, referral_id: ID) -> Result<Option<PsychSupportRecord>> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&referral_id, "Referral", "referralId")?;
        match support::get(db, p, id).await? {
            Some(s) => Ok(Some(PsychSupportRecord::wrap(db, s).await?)),
            None => Ok(None),
        }
    }

    /// Support records the caller may see, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn supports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PsychSupportFilterInput>,
    ) -> Result<Conn<PsychSupportRecord>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let db = &state(ctx)?.db;
        let f = filter.unwrap_or_default();
        let f = SupportFilter {
            practitioner_id: ids::decode_opt(
                f.practitioner_id.as_ref(),
                "Practitioner",
                "filter.practitionerId",
            )?,
            case_id: ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")?,
            open: f.open,
        };
        let paged = support::list(db, p, f, page).await?;
        let nodes = PsychSupportRecord::wrap_all(db, paged.rows.clone()).await?;
        Ok(rewrap(paged, nodes).into_connection(|n| n.model.id, |n| n))
    }

    /// Sessions the caller may see, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn sessions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<PsychSessionFilterInput>,
    ) -> Result<Conn<PsychSession>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let db = &state(ctx)?.db;
        let f = filter.unwrap_or_default();
        let f = SessionFilter {
            referral_id: ids::decode_opt(f.referral_id.as_ref(), "Referral", "filter.referralId")?,
            practitioner_id: ids::decode_opt(
                f.practitioner_id.as_ref(),
                "Practitioner",
                "filter.practitionerId",
            )?,
            from: f.from,
            to: f.to,
        };
        let paged = sessions::list(db, p, f, page).await?;
        let nodes = PsychSession::wrap_all(db, p, paged.rows.clone()).await?;
        Ok(rewrap(paged, nodes).into_connection(|n| n.model.id, |n| n))
    }

    /// One session the caller may see.
    async fn session(&self, ctx: &Context<'_>, id: ID) -> Result<Option<PsychSession>> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&id, "PsychSession", "id")?;
        let Some(s) = sessions::get(db, p, id).await? else {
            return Ok(None);
        };
        Ok(PsychSession::wrap_all(db, p, vec![s]).await?.pop())
    }

    /// The session the caller's organisation keeps under its own reference.
    async fn session_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<PsychSession>> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let Some(s) = sessions::by_external_id(db, p, &external_id).await? else {
            return Ok(None);
        };
        Ok(PsychSession::wrap_all(db, p, vec![s]).await?.pop())
    }

    /// The confidential notes of a referral, newest first: practitioners of its provider
    /// only. Every note returned is recorded in the audit log as read.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn confidential_notes(
        &self,
        ctx: &Context<'_>,
        referral_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ConfidentialNote>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let id = ids::decode_as(&referral_id, "Referral", "referralId")?;
        let paged = notes::read(&state(ctx)?.db, p, id, page).await?;
        Ok(paged.into_connection(|n| n.id, ConfidentialNote))
    }

    /// The screenings of the person of a referral with the caller's organisation, with
    /// the trend: practitioners of its provider only (the read is audited).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn screening_history(
        &self,
        ctx: &Context<'_>,
        referral_id: ID,
        instrument: Instrument,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ScreeningHistory> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let id = ids::decode_as(&referral_id, "Referral", "referralId")?;
        let h = screenings::history(&state(ctx)?.db, p, id, instrument, page).await?;
        Ok(ScreeningHistory {
            instrument,
            trend: h.trend,
            latest: h.latest,
            rows: h.page.rows,
            has_next: h.page.has_next,
            page: h.page.page,
            total: h.page.total,
        })
    }
}
