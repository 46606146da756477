//! The seven's roster.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::NaiveDate;

use crate::access::mahalla::right_in;
use crate::db::now;
use crate::graphql::context::{loaders, page, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::mahalla::entity::{SubRole, member};
use crate::mahalla::roster::{self as service, NewMember, holds_on};
use crate::pagination::Conn;
use crate::territory::graphql::Mahalla;
use crate::user::graphql::User;

/// A member of a mahalla's "seven": who holds which seat, and when.
pub struct MahallaMember(pub member::Model);

#[Object]
impl MahallaMember {
    pub async fn id(&self) -> ID {
        ids::encode("MahallaMember", self.0.id)
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(one(&loaders(ctx)?.mahallas, self.0.mahalla_id)
            .await?
            .map(Mahalla))
    }
    async fn sub_role(&self) -> SubRole {
        self.0.sub_role
    }
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    /// Contact number.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// The member's login, if they have one.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.user_id else {
            return Ok(None);
        };
        Ok(one(&loaders(ctx)?.users, id).await?.map(User))
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    /// Last day of the term; absent while it runs.
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
    async fn end_reason(&self) -> Option<&str> {
        self.0.end_reason.as_deref()
    }
    /// Holds the seat today.
    async fn current(&self) -> bool {
        holds_on(&self.0, now().date_naive())
    }
}

/// Fetch a member for `node(id)`.
pub async fn fetch_member(ctx: &Context<'_>, id: i64) -> Result<Option<MahallaMember>> {
    let p = principal(ctx)?;
    let Some(row) = one(&super::mahalla_loaders(ctx)?.members, id).await? else {
        return Ok(None);
    };
    let Some(m) = one(&loaders(ctx)?.mahallas, row.mahalla_id).await? else {
        return Ok(None);
    };
    Ok(right_in(p, &m).map(|_| MahallaMember(row)))
}

#[derive(Default)]
pub struct RosterQuery;

#[Object]
impl RosterQuery {
    /// The seven of a mahalla: the current holders (default), or every term ever held.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity")]
    async fn mahalla_members(
        &self,
        ctx: &Context<'_>,
        mahalla_id: ID,
        #[graphql(desc = "Only members holding a seat today (default true).")] current_only: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<MahallaMember>> {
        let p = principal(ctx)?;
        let mahalla = ids::decode_as(&mahalla_id, "Mahalla", "mahallaId")?;
        let page = page(ctx, first, after)?;
        let rows = service::list(&state(ctx)?.db, p, mahalla, current_only.unwrap_or(true), page).await?;
        Ok(rows.into_connection(|m| m.id, MahallaMember))
    }
}

/// A member to appoint to a seat of the seven.
#[derive(InputObject)]
pub struct AppointMahallaMemberInput {
    pub mahalla_id: ID,
    pub sub_role: SubRole,
    pub full_name: String,
    pub phone: Option<String>,
    /// The member's login (a MAHALLA_MEMBER, or the PREVENTION_INSPECTOR for that seat)
    /// working in this mahalla.
    pub user_id: Option<ID>,
    pub starts_on: NaiveDate,
    /// End the current holder's term the day before `startsOn` in the same step
    /// (default false: a held seat is a CONFLICT).
    pub replace_current: Option<bool>,
}

#[derive(InputObject)]
pub struct EndMahallaMembershipInput {
    pub id: ID,
    /// Last day of the term.
    pub ends_on: NaiveDate,
    pub reason: Option<String>,
}

/// Changes to a member's name or contact; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateMahallaMemberInput {
    pub id: ID,
    pub full_name: Option<String>,
    /// Null removes the number.
    pub phone: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct RosterMutation;

#[Object]
impl RosterMutation {
    /// Appoint a member to a seat of a mahalla's seven (the mahalla committee's
    /// administrator). One active holder per seat.
    async fn appoint_mahalla_member(
        &self,
        ctx: &Context<'_>,
        input: AppointMahallaMemberInput,
    ) -> Result<MahallaMember> {
        let p = principal(ctx)?;
        let new = NewMember {
            mahalla_id: ids::decode_as(&input.mahalla_id, "Mahalla", "input.mahallaId")?,
            sub_role: input.sub_role,
            full_name: input.full_name,
            phone: input.phone,
            user_id: ids::decode_opt(input.user_id.as_ref(), "User", "input.userId")?,
            starts_on: input.starts_on,
            replace_current: input.replace_current.unwrap_or(false),
        };
        Ok(MahallaMember(service::appoint(&state(ctx)?.db, p, new).await?))
    }

    /// End a member's term.
    async fn end_mahalla_membership(
        &self,
        ctx: &Context<'_>,
        input: EndMahallaMembershipInput,
    ) -> Result<MahallaMember> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "MahallaMember", "input.id")?;
        let row = service::end_term(&state(ctx)?.db, p, id, input.ends_on, input.reason.as_deref()).await?;
        Ok(MahallaMember(row))
    }

    /// Correct a member's name or contact.
    async fn update_mahalla_member(
        &self,
        ctx: &Context<'_>,
        input: UpdateMahallaMemberInput,
    ) -> Result<MahallaMember> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&input.id, "MahallaMember", "input.id")?;
        let phone = match &input.phone {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v.as_str())),
        };
        let row = service::update_contact(&state(ctx)?.db, p, id, input.full_name.as_deref(), phone).await?;
        Ok(MahallaMember(row))
    }
}
