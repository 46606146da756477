//! A case's conditions (obligations and restrictions set by the court) and its status
//! history.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sea_orm::EntityTrait as _;

use crate::access::case_fields::{CaseField, require_field};
use crate::access::{CaseAccess, case_access};
use crate::case::conditions::{self, ConditionSpec, RawCondition};
use crate::case::entity::{CaseStatus, ConditionKind, condition, status_change};
use crate::case::geofence::Geofence;
use crate::case::service;
use crate::error::ApiError;
use crate::graphql::context::{loaders, principal, state};
use crate::ids;
use crate::loaders::one;
use crate::territory::graphql::{District, Mahalla, Region};
use crate::territory::resolve::place_of;
use crate::user::graphql::{Territory, User};

/// An obligation or restriction of a case.
pub struct CaseCondition(pub condition::Model);

impl CaseCondition {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.0.valid_from.is_none_or(|d| d <= today) && self.0.valid_until.is_none_or(|d| today <= d)
    }
}

#[Object]
impl CaseCondition {
    pub async fn id(&self) -> ID {
        ids::encode("CaseCondition", self.0.id)
    }
    async fn kind(&self) -> ConditionKind {
        self.0.kind
    }
    /// CURFEW: start of the time at home (local time).
    async fn curfew_start(&self) -> Option<NaiveTime> {
        self.0.curfew_start
    }
    /// CURFEW: end of the time at home; earlier than the start when it ends the next day.
    async fn curfew_end(&self) -> Option<NaiveTime> {
        self.0.curfew_end
    }
    /// STAY_WITHIN_AREA / STAY_OUT_OF_AREA: the territory concerned.
    async fn territory(&self, ctx: &Context<'_>) -> Result<Option<Territory>> {
        let l = loaders(ctx)?;
        Ok(match (self.0.mahalla_id, self.0.district_id, self.0.region_id) {
            (Some(id), _, _) => one(&l.mahallas, id)
                .await?
                .map(|m| Territory::Mahalla(Mahalla(m))),
            (None, Some(id), _) => one(&l.districts, id)
                .await?
                .map(|d| Territory::District(District(d))),
            (None, None, Some(id)) => one(&l.regions, id).await?.map(|r| Territory::Region(Region(r))),
            _ => None,
        })
    }
    /// STAY_OUT_OF_AREA: a kind of place to avoid (e.g. "bars").
    async fn place(&self) -> Option<&str> {
        self.0.place.as_deref()
    }
    /// REPORTING: report every this many days.
    async fn report_every_days(&self) -> Option<i32> {
        self.0.report_every_days
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// CURFEW (the home zone), STAY_WITHIN_AREA, STAY_OUT_OF_AREA: the zone on the map, as
    /// GeoJSON (a circle as `{"type": "Circle", "coordinates": [lon, lat], "radiusM": r}`).
    /// Shown to those who supervise the case (officer, inspector), not to mahalla members
    /// or partners: a home zone is an address, an exclusion zone may surround a victim's.
    async fn geofence(&self, ctx: &Context<'_>) -> Result<Option<async_graphql::Json<serde_json::Value>>> {
        let Some(zone) = &self.0.geofence else {
            return Ok(None);
        };
        let p = principal(ctx)?;
        let access = one(&loaders(ctx)?.cases, self.0.case_id)
            .await?
            .and_then(|c| case_access(p, &c));
        require_field(access.unwrap_or(CaseAccess::Community), CaseField::Monitoring)?;
        Ok(Some(async_graphql::Json(zone.clone())))
    }
    async fn valid_from(&self) -> Option<NaiveDate> {
        self.0.valid_from
    }
    async fn valid_until(&self) -> Option<NaiveDate> {
        self.0.valid_until
    }
    /// Whether the condition is in force today.
    async fn active(&self) -> bool {
        self.in_force(crate::db::now().date_naive())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One step of a case's lifecycle.
pub struct CaseStatusChange(pub status_change::Model);

#[Object]
impl CaseStatusChange {
    async fn from_status(&self) -> Option<CaseStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> CaseStatus {
        self.0.to_status
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn changed_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.changed_by).await?.map(User))
    }
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

/// Fetch a condition of a case the caller may see.
pub async fn fetch_condition(ctx: &Context<'_>, id: i64) -> Result<Option<CaseCondition>> {
    let p = principal(ctx)?;
    let Some(row) = condition::Entity::find_by_id(id)
        .one(&state(ctx)?.db)
        .await
        .map_err(ApiError::from)?
    else {
        return Ok(None);
    };
    match service::get(&state(ctx)?.db, p, row.case_id).await {
        Ok(_) => Ok(Some(CaseCondition(row))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A condition set by the court.
#[derive(InputObject)]
pub struct CaseConditionInput {
    pub kind: ConditionKind,
    /// CURFEW: start of the time at home, e.g. "22:00:00".
    pub curfew_start: Option<NaiveTime>,
    /// CURFEW: end of the time at home, e.g. "06:00:00".
    pub curfew_end: Option<NaiveTime>,
    /// STAY_WITHIN_AREA / STAY_OUT_OF_AREA: a Region, District or Mahalla id.
    pub territory_id: Option<ID>,
    /// STAY_OUT_OF_AREA: a kind of place to avoid.
    pub place: Option<String>,
    /// REPORTING: every this many days (1–90).
    pub report_every_days: Option<i32>,
    /// OTHER (required) or any kind (optional).
    pub description: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// CURFEW (the home zone), STAY_WITHIN_AREA (an inclusion area), STAY_OUT_OF_AREA (an
    /// exclusion zone): a zone on the map.
    pub geofence: Option<GeofenceInput>,
}

/// A zone on the map: exactly one of a circle or a polygon.
#[derive(InputObject)]
pub struct GeofenceInput {
    pub circle: Option<CircleInput>,
    /// A GeoJSON `Polygon` (`{"type": "Polygon", "coordinates": [[[lon, lat], …]]}`):
    /// closed rings, no self-intersection, in Uzbekistan, at most 500 positions.
    pub polygon: Option<async_graphql::Json<serde_json::Value>>,
}

/// A circle on the map.
#[derive(InputObject)]
pub struct CircleInput {
    /// Latitude of the centre (WGS 84 degrees).
    pub lat: f64,
    /// Longitude of the centre (WGS 84 degrees).
    pub lon: f64,
    /// Radius in metres (20–50,000).
    pub radius_m: f64,
}

impl GeofenceInput {
    /// The zone, validated; `field` names the input.
    pub fn parse(&self, field: &str) -> Result<Geofence, ApiError> {
        match (&self.circle, &self.polygon) {
            (Some(c), None) => Geofence::circle(&format!("{field}.circle"), c.lat, c.lon, c.radius_m),
            (None, Some(p)) => Geofence::polygon(&format!("{field}.polygon"), &p.0),
            _ => Err(ApiError::bad_input(
                field,
                "give exactly one of circle or polygon",
            )),
        }
    }
}

impl CaseConditionInput {
    pub(super) async fn parse(self, ctx: &Context<'_>, field: &str) -> Result<ConditionSpec> {
        let area = match &self.territory_id {
            Some(id) => Some(place_of(&state(ctx)?.db, id, &format!("{field}.territoryId")).await?),
            None => None,
        };
        let geofence = match &self.geofence {
            Some(g) => Some(g.parse(&format!("{field}.geofence"))?),
            None => None,
        };
        let raw = RawCondition {
            geofence,
            curfew_start: self.curfew_start,
            curfew_end: self.curfew_end,
            area,
            place: self.place,
            report_every_days: self.report_every_days,
            description: self.description,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        };
        Ok(conditions::parse(field, self.kind, raw)?)
    }
}
