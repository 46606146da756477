//! Employers: registered and kept by a partner organisation (an employment centre, an
//! NGO), and listed for everyone who uses the module.

use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::territory::resolve::Place;
use hamkor_api::validate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect,
};
use serde_json::json;

use super::{PARTNER_ROLES, require_partner_staff};
use crate::entity::{Openness, employer, enum_name, vacancy};

/// An employer as the registering organisation describes it.
#[derive(Debug, Clone)]
pub struct EmployerSpec {
    pub name: String,
    pub contact_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub place: Place,
    pub openness: Openness,
    pub linked_organisation_id: Option<i64>,
}

fn check_employer(s: EmployerSpec) -> ApiResult<EmployerSpec> {
    let name = validate::required("input.name", &s.name, validate::SHORT_TEXT)?;
    let contact_name = validate::optional(
        "input.contactName",
        s.contact_name.as_deref(),
        validate::SHORT_TEXT,
    )?;
    let phone = validate::phone("input.phone", s.phone.as_deref())?;
    let email = validate::optional("input.email", s.email.as_deref(), validate::SHORT_TEXT)?;
    if email
        .as_deref()
        .is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace))
    {
        return Err(ApiError::bad_input("input.email", "not an e-mail address"));
    }
    if s.place.district_id.is_none() {
        return Err(ApiError::bad_input(
            "input.territoryId",
            "name the employer's district or mahalla",
        ));
    }
    Ok(EmployerSpec {
        name,
        contact_name,
        phone,
        email,
        ..s
    })
}

async fn employer_event(
    txn: &DatabaseTransaction,
    p: &Principal,
    row: &employer::Model,
    action: &'static str,
) -> ApiResult<()> {
    audit::record(
        txn,
        p,
        Entry::new(action)
            .target("Employer", row.id)
            .detail(json!({"openness": enum_name(row.openness)})),
    )
    .await?;
    events::emit(
        txn,
        Some(p),
        NewEvent::new("employment.employer_changed", "Employer", row.id)
            .organisation(row.organisation_id)
            .payload(json!({"employerId": row.id, "openness": enum_name(row.openness)})),
    )
    .await?;
    Ok(())
}

/// Register an employer (partner staff).
pub async fn create_employer(
    db: &DatabaseConnection,
    p: &Principal,
    spec: EmployerSpec,
) -> ApiResult<employer::Model> {
    if !p.has_any_role(PARTNER_ROLES) {
        return Err(ApiError::Forbidden(
            "only a partner's staff register employers".into(),
        ));
    }
    let s = check_employer(spec)?;
    let txn = write_txn(db).await?;
    let at = now();
    let row = employer::ActiveModel {
        organisation_id: Set(p.organisation_id),
        linked_organisation_id: Set(s.linked_organisation_id),
        name: Set(s.name),
        contact_name: Set(s.contact_name),
        phone: Set(s.phone),
        email: Set(s.email),
        region_id: Set(s.place.region_id.unwrap_or_default()),
        district_id: Set(s.place.district_id.unwrap_or_default()),
        openness: Set(s.openness),
        created_by: Set(p.user_id),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    employer_event(&txn, p, &row, "employment.employer.create").await?;
    txn.commit().await?;
    Ok(row)
}

/// Change an employer (its registering organisation's staff); a change of openness
/// reaches its vacancies at once.
pub async fn update_employer(
    db: &DatabaseConnection,
    p: &Principal,
    id: i64,
    spec: EmployerSpec,
) -> ApiResult<employer::Model> {
    let s = check_employer(spec)?;
    let txn = write_txn(db).await?;
    let current = employer::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("Employer"))?;
    require_partner_staff(p, current.organisation_id)?;
    let mut row: employer::ActiveModel = current.into();
    row.name = Set(s.name);
    row.contact_name = Set(s.contact_name);
    row.phone = Set(s.phone);
    row.email = Set(s.email);
    row.region_id = Set(s.place.region_id.unwrap_or_default());
    row.district_id = Set(s.place.district_id.unwrap_or_default());
    row.openness = Set(s.openness);
    row.linked_organisation_id = Set(s.linked_organisation_id);
    row.updated_at = Set(now());
    let row = row.update(&txn).await?;
    vacancy::Entity::update_many()
        .col_expr(vacancy::Column::Openness, Expr::value(row.openness))
        .filter(vacancy::Column::EmployerId.eq(row.id))
        .exec(&txn)
        .await?;
    employer_event(&txn, p, &row, "employment.employer.update").await?;
    txn.commit().await?;
    Ok(row)
}

/// Employers, oldest first (anyone whose organisation uses the module): those in
/// `place`'s district (or region, for a region) and of `openness`, when given.
pub async fn list(
    db: &DatabaseConnection,
    place: Option<Place>,
    openness: Option<Openness>,
    page: Page,
) -> ApiResult<Paged<employer::Model>> {
    let mut q = employer::Entity::find();
    if let Some(place) = place {
        if let Some(d) = place.district_id {
            q = q.filter(employer::Column::DistrictId.eq(d));
        } else if let Some(r) = place.region_id {
            q = q.filter(employer::Column::RegionId.eq(r));
        }
    }
    if let Some(o) = openness {
        q = q.filter(employer::Column::Openness.eq(o));
    }
    paginate(db, q, employer::Column::Id, page, Order::Ascending).await
}
