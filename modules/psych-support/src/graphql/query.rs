//! `Query.psychSupport`: each field decodes its arguments, calls one service function
//! with the caller, and wraps the result.

use async_graphql::{Context, ID, Object, Result};
use hamkor_api::graphql::context::{page, principal, state};
use hamkor_api::ids;
use hamkor_api::module::ModuleGuard;
use hamkor_api::pagination::Conn;

use super::clinical::{ConfidentialNote, ScreeningHistory};
use super::practitioner::{Practitioner, PractitionerFilterInput, PsychProvider, PsychProviderFilterInput};
use super::psych_visible;
use super::session::{PsychSession, PsychSessionFilterInput};
use super::support::{PsychSupportFilterInput, PsychSupportRecord};
use crate::ID as MODULE;
use crate::entity::Instrument;
use crate::service::practitioners::{self, PractitionerFilter};
use crate::service::session_search::{self, SessionFilter};
use crate::service::support_search::{self, SupportFilter};
use crate::service::{notes, providers, screenings};

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

pub struct PsychSupportQuery;

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
        let paged = providers::list(db, f.specialism, f.language.as_deref(), page).await?;
        Ok(paged.into_connection(|n| n.organisation.id, PsychProvider))
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
        Ok(paged.into_connection(|n| n.model.id, Practitioner))
    }

    /// The support record of a referral (its provider and the agencies supervising the
    /// case; null for anyone else).
    async fn support(&self, ctx: &Context<'_>, referral_id: ID) -> Result<Option<PsychSupportRecord>> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&referral_id, "Referral", "referralId")?;
        Ok(support_search::get(db, p, id).await?.map(PsychSupportRecord))
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
        let paged = support_search::list(db, p, f, page).await?;
        Ok(paged.into_connection(|n| n.model.id, PsychSupportRecord))
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
        let paged = session_search::list(db, p, f, page).await?;
        Ok(paged.into_connection(|n| n.model.id, PsychSession))
    }

    /// One session the caller may see.
    async fn session(&self, ctx: &Context<'_>, id: ID) -> Result<Option<PsychSession>> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&id, "PsychSession", "id")?;
        Ok(session_search::get(db, p, id).await?.map(PsychSession))
    }

    /// The session the caller's organisation keeps under its own reference.
    async fn session_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<PsychSession>> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        Ok(session_search::by_external_id(db, p, &external_id)
            .await?
            .map(PsychSession))
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
