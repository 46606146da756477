//! Queries of cases: the caller's case list with its filter, and one case.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use chrono::NaiveDate;

use super::{Case, fetch_case};
use crate::audit::reads::ReadKind;
use crate::case::entity::{CaseKind, CaseStatus, RiskLevel};
use crate::case::service::{self, CaseFilter};
use crate::error::ApiError;
use crate::graphql::context::{page, principal, state};
use crate::graphql::read_audit::audit_read;
use crate::ids;
use crate::pagination::Conn;
use crate::risk::model::attention;

#[derive(InputObject, Default)]
pub struct CaseFilterInput {
    /// Any of these mahallas.
    pub mahalla_ids: Option<Vec<ID>>,
    pub district_id: Option<ID>,
    pub region_id: Option<ID>,
    /// Any of these statuses.
    pub statuses: Option<Vec<CaseStatus>>,
    pub kinds: Option<Vec<CaseKind>>,
    /// Any of these risk levels.
    pub risk_levels: Option<Vec<RiskLevel>>,
    /// Lead probation officer.
    pub officer_id: Option<ID>,
    pub inspector_id: Option<ID>,
    pub person_id: Option<ID>,
    /// Sentence starts on or after this date.
    pub sentence_start_from: Option<NaiveDate>,
    /// Sentence starts on or before this date.
    pub sentence_start_to: Option<NaiveDate>,
    /// Sentence ends on or after this date.
    pub sentence_end_from: Option<NaiveDate>,
    /// Sentence ends on or before this date.
    pub sentence_end_to: Option<NaiveDate>,
}

/// Longest list accepted in a filter.
const MAX_FILTER_ITEMS: usize = 100;

impl CaseFilterInput {
    pub fn parse(self) -> Result<CaseFilter, ApiError> {
        let mahallas = self.mahalla_ids.unwrap_or_default();
        if mahallas.len() > MAX_FILTER_ITEMS {
            return Err(ApiError::bad_input(
                "filter.mahallaIds",
                format!("at most {MAX_FILTER_ITEMS} mahallas"),
            ));
        }
        Ok(CaseFilter {
            mahalla_ids: ids::decode_list(&mahallas, "Mahalla", "filter.mahallaIds")?,
            district_id: ids::decode_opt(self.district_id.as_ref(), "District", "filter.districtId")?,
            region_id: ids::decode_opt(self.region_id.as_ref(), "Region", "filter.regionId")?,
            statuses: self.statuses.unwrap_or_default(),
            kinds: self.kinds.unwrap_or_default(),
            risk_levels: self.risk_levels.unwrap_or_default(),
            officer_id: ids::decode_opt(self.officer_id.as_ref(), "User", "filter.officerId")?,
            inspector_id: ids::decode_opt(self.inspector_id.as_ref(), "User", "filter.inspectorId")?,
            person_id: ids::decode_opt(self.person_id.as_ref(), "Person", "filter.personId")?,
            sentence_start_from: self.sentence_start_from,
            sentence_start_to: self.sentence_start_to,
            sentence_end_from: self.sentence_end_from,
            sentence_end_to: self.sentence_end_to,
        })
    }
}

/// The order of a case list.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseOrder {
    /// Newest first.
    #[default]
    Newest,
    /// Highest attention score of the approved model first, then the cases without a
    /// score: only the cases whose attention the caller sees (officers, inspectors), at
    /// most 5,000 of them; the page's scores count as read (audited).
    Attention,
}

#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// Cases the caller may see, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CaseFilterInput>,
        #[graphql(default)] order_by: CaseOrder,
    ) -> Result<Conn<Case>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let filter = filter.unwrap_or_default().parse()?;
        let db = &state(ctx)?.db;
        let rows = match order_by {
            CaseOrder::Newest => service::list(db, p, filter, page).await?,
            CaseOrder::Attention => {
                let rows = attention::page_by_attention(
                    db,
                    &state(ctx)?.modules,
                    p,
                    service::condition(p, filter),
                    page,
                )
                .await?;
                for r in &rows.rows {
                    audit_read(ctx, ReadKind::Attention, r.id)?;
                }
                rows
            }
        };
        Ok(Case::connection(p, rows))
    }

    /// One case (audited as a read of its record).
    async fn case(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Case>> {
        fetch_case(ctx, ids::decode_as(&id, "Case", "id")?).await
    }
}
