//! Employment outcomes per organisation or district.

use async_graphql::{Context, Enum, Object, Result};
use hamkor_api::graphql::context::loaders;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::territory::graphql::District;

use crate::ID as MODULE;
use crate::service::outcomes::{GroupBy, Outcome};

/// Employment outcomes of one organisation or district over a period.
pub struct EmploymentOutcome {
    pub row: Outcome,
    pub group: GroupBy,
}

#[Object(visible = "crate::employment_visible", guard = "ModuleGuard::new(MODULE)")]
impl EmploymentOutcome {
    /// The organisation working the referrals (when grouped by organisation).
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        if self.group != GroupBy::Organisation {
            return Ok(None);
        }
        Ok(one(&loaders(ctx)?.organisations, self.row.key)
            .await?
            .map(Organisation))
    }
    /// The district of the cases (when grouped by district).
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        if self.group != GroupBy::District {
            return Ok(None);
        }
        Ok(one(&loaders(ctx)?.districts, self.row.key).await?.map(District))
    }
    /// People referred in the period.
    async fn referred(&self) -> i32 {
        count(self.row.referred)
    }
    /// Of them, people with at least one application.
    async fn matched(&self) -> i32 {
        count(self.row.matched)
    }
    /// Of them, people hired.
    async fn hired(&self) -> i32 {
        count(self.row.hired)
    }
    /// Of them, people found still employed at the 90-day check.
    async fn employed_at_90_days(&self) -> i32 {
        count(self.row.employed_at_90_days)
    }
}

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
/// How outcome rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "EmploymentOutcomeGrouping", visible = "crate::employment_visible")]
pub enum Grouping {
    Organisation,
    District,
}

impl From<Grouping> for GroupBy {
    fn from(g: Grouping) -> Self {
        match g {
            Grouping::Organisation => GroupBy::Organisation,
            Grouping::District => GroupBy::District,
        }
    }
}
