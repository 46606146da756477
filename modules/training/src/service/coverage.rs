//! Coverage: for each requirement, each person who must hold it is compliant (a
//! certificate valid for more than 60 days), due (it expires within 60 days), expired,
//! or never trained; counted in the database per region, district and mahalla.
//!
//! One grouped statement per requirement (an organisation states a handful): its
//! holders (the organisation's users with the role, placed by their territory or
//! else their organisation's; or the live mahalla members in the seat within the
//! organisation's territory), each joined with their certificates of the course.

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};
use hamkor_api::error::ApiResult;
use hamkor_api::territory::resolve::Place;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement};

use crate::entity::requirement;

/// How far ahead a certificate counts as due.
pub const DUE_DAYS: u64 = 60;
/// Most requirements one coverage answer counts.
pub const MAX_REQUIREMENTS: u64 = 200;

/// The counts of one territory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub compliant: i64,
    pub due: i64,
    pub expired: i64,
    pub never: i64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.compliant += o.compliant;
        self.due += o.due;
        self.expired += o.expired;
        self.never += o.never;
    }

    pub fn total(&self) -> i64 {
        self.compliant + self.due + self.expired + self.never
    }
}

/// The place of a group of holders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    pub region_id: Option<i64>,
    pub district_id: Option<i64>,
    pub mahalla_id: Option<i64>,
}

/// Counts per place (holders without a mahalla under `mahalla_id: None`).
pub type Coverage = BTreeMap<Unit, Counts>;

fn lit(d: NaiveDate) -> String {
    format!("'{}'", d.format("%Y-%m-%d"))
}

/// The holders of a requirement: `user_id, region_id, district_id, mahalla_id`. Every
/// value spliced in is a number, a date or a stored enumeration name.
fn holders(r: &requirement::Model, today: NaiveDate) -> Option<String> {
    let org = r.organisation_id;
    let clean = |s: &str| s.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    if let Some(role) = r.role.as_deref().filter(|s| clean(s)) {
        return Some(format!(
            "SELECT u.id AS user_id,
                CASE WHEN ut.id IS NULL THEN o.region_id ELSE ut.region_id END AS region_id,
                CASE WHEN ut.id IS NULL THEN o.district_id ELSE COALESCE(ut.district_id, mh.district_id) END AS district_id,
                CASE WHEN ut.id IS NULL THEN o.mahalla_id ELSE ut.mahalla_id END AS mahalla_id
             FROM users u
             JOIN user_roles ur ON ur.user_id = u.id AND ur.role = '{role}'
             JOIN organisations o ON o.id = u.organisation_id
             LEFT JOIN user_territories ut ON ut.user_id = u.id
             LEFT JOIN mahallas mh ON mh.id = ut.mahalla_id
             WHERE u.organisation_id = {org} AND u.active = TRUE"
        ));
    }
    let seat = r.seat.as_deref().filter(|s| clean(s))?;
    Some(format!(
        "SELECT m.user_id AS user_id, m.region_id AS region_id, m.district_id AS district_id, m.mahalla_id AS mahalla_id
         FROM mahalla_members m
         JOIN organisations o ON o.id = {org}
         WHERE m.user_id IS NOT NULL AND m.sub_role = '{seat}'
           AND (m.ends_on IS NULL OR m.ends_on >= {today})
           AND (o.region_id IS NULL OR m.region_id = o.region_id)
           AND (o.district_id IS NULL OR m.district_id = o.district_id)
           AND (o.mahalla_id IS NULL OR m.mahalla_id = o.mahalla_id)",
        today = lit(today)
    ))
}

/// `c` (a certificate row) is still valid after day `d` for requirement `r`.
fn valid_after(r: &requirement::Model, d: NaiveDate) -> String {
    let mut cond = format!("(c.expires_on IS NULL OR c.expires_on > {})", lit(d));
    if let Some(m) = r.renew_months
        && let Some(since) = d.checked_sub_months(Months::new(m.unsigned_abs()))
    {
        cond.push_str(&format!(" AND c.issued_on > {}", lit(since)));
    }
    cond
}

fn place_filter(place: Option<&Place>) -> String {
    let Some(p) = place else {
        return "1 = 1".to_owned();
    };
    match (p.mahalla_id, p.district_id, p.region_id) {
        (Some(m), _, _) => format!("s.mahalla_id = {m}"),
        (None, Some(d), _) => format!("s.district_id = {d}"),
        (None, None, Some(r)) => format!("s.region_id = {r}"),
        _ => "1 = 1".to_owned(),
    }
}

/// Count the holders of `r` in `place` (everywhere when None) as of `today`.
async fn one<C: ConnectionTrait>(
    db: &C,
    r: &requirement::Model,
    place: Option<&Place>,
    today: NaiveDate,
    out: &mut Coverage,
) -> ApiResult<()> {
    let Some(holders) = holders(r, today) else {
        return Ok(());
    };
    let later = today + Days::new(DUE_DAYS);
    let yesterday = today - Days::new(1);
    let sql = format!(
        "SELECT s.region_id AS region_id, s.district_id AS district_id, s.mahalla_id AS mahalla_id,
            SUM(CASE WHEN s.ok_later = 1 THEN 1 ELSE 0 END) AS compliant,
            SUM(CASE WHEN s.ok_later = 0 AND s.ok_now = 1 THEN 1 ELSE 0 END) AS due,
            SUM(CASE WHEN s.ok_now = 0 AND s.n > 0 THEN 1 ELSE 0 END) AS expired,
            SUM(CASE WHEN s.n = 0 THEN 1 ELSE 0 END) AS never
         FROM (
            SELECT h.user_id, h.region_id, h.district_id, h.mahalla_id,
                MAX(CASE WHEN c.id IS NOT NULL AND {ok_later} THEN 1 ELSE 0 END) AS ok_later,
                MAX(CASE WHEN c.id IS NOT NULL AND {ok_now} THEN 1 ELSE 0 END) AS ok_now,
                COUNT(c.id) AS n
            FROM ({holders}) h
            LEFT JOIN training_certificates c ON c.user_id = h.user_id AND c.course_id = {course}
            GROUP BY h.user_id, h.region_id, h.district_id, h.mahalla_id
         ) s
         WHERE {place}
         GROUP BY s.region_id, s.district_id, s.mahalla_id",
        ok_later = valid_after(r, later),
        ok_now = valid_after(r, yesterday),
        course = r.course_id,
        place = place_filter(place),
    );
    let backend = db.get_database_backend();
    for row in db.query_all_raw(Statement::from_string(backend, sql)).await? {
        let unit = Unit {
            region_id: row.try_get("", "region_id")?,
            district_id: row.try_get("", "district_id")?,
            mahalla_id: row.try_get("", "mahalla_id")?,
        };
        let n = |col: &str| -> ApiResult<i64> { Ok(row.try_get::<Option<i64>>("", col)?.unwrap_or(0)) };
        let counts = Counts {
            compliant: n("compliant")?,
            due: n("due")?,
            expired: n("expired")?,
            never: n("never")?,
        };
        out.entry(unit).or_default().add(&counts);
    }
    Ok(())
}

/// Coverage of the active requirements of `organisation_id` (every organisation's when
/// None) in `place`, as of `today`.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    organisation_id: Option<i64>,
    place: Option<&Place>,
    today: NaiveDate,
) -> ApiResult<Coverage> {
    let mut q = requirement::Entity::find().filter(requirement::Column::Active.eq(true));
    if let Some(o) = organisation_id {
        q = q.filter(requirement::Column::OrganisationId.eq(o));
    }
    let reqs = q
        .order_by_asc(requirement::Column::Id)
        .limit(MAX_REQUIREMENTS)
        .all(db)
        .await?;
    let mut out = Coverage::new();
    for r in &reqs {
        one(db, r, place, today, &mut out).await?;
    }
    Ok(out)
}

/// A coverage answer: per district and per mahalla (with names), and the total.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub districts: Vec<(i64, String, Counts)>,
    pub mahallas: Vec<(i64, String, Counts)>,
    pub total: Counts,
}

/// Coverage of the caller's organisation's requirements in `place` (its admin; the
/// platform admin any organisation's, or all of them), as of today.
pub async fn report<C: ConnectionTrait>(
    db: &C,
    p: &hamkor_api::auth::principal::Principal,
    place: Option<&Place>,
    organisation_id: Option<i64>,
) -> ApiResult<Report> {
    use hamkor_api::analytics::service::{AnalyticsLevel, names};
    use hamkor_api::error::ApiError;
    let org = if p.is_platform_admin() {
        organisation_id
    } else if crate::access::admin_of(p, p.organisation_id)
        && organisation_id.is_none_or(|o| o == p.organisation_id)
    {
        Some(p.organisation_id)
    } else {
        return Err(ApiError::Forbidden(
            "only an organisation's admin reads its training coverage".into(),
        ));
    };
    let cov = count(db, org, place, hamkor_api::db::now().date_naive()).await?;
    let mut districts: BTreeMap<i64, Counts> = BTreeMap::new();
    let mut mahallas: BTreeMap<i64, Counts> = BTreeMap::new();
    let mut total = Counts::default();
    for (u, c) in &cov {
        total.add(c);
        if let Some(d) = u.district_id {
            districts.entry(d).or_default().add(c);
        }
        if let Some(m) = u.mahalla_id {
            mahallas.entry(m).or_default().add(c);
        }
    }
    let dn = names(db, AnalyticsLevel::District, districts.keys().copied().collect()).await?;
    let mn = names(db, AnalyticsLevel::Mahalla, mahallas.keys().copied().collect()).await?;
    let named = |m: BTreeMap<i64, Counts>, n: &BTreeMap<i64, String>| {
        m.into_iter()
            .map(|(id, c)| (id, n.get(&id).cloned().unwrap_or_default(), c))
            .collect()
    };
    Ok(Report {
        districts: named(districts, &dn),
        mahallas: named(mahallas, &mn),
        total,
    })
}
