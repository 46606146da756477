//! The provider's practitioners: a profile for a PARTNER_STAFF user of the organisation,
//! with their specialisms and languages. Organisation admins manage every profile; a
//! practitioner may keep their own.

use std::collections::{BTreeSet, HashMap};

use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service::{self as events, NewEvent};
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use hamkor_api::user::entity::{Role, user, user_role};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use serde_json::json;

use super::with_rows;
use crate::access::is_member_of;
use crate::entity::{Specialism, TagKind, practitioner, practitioner_tag};

/// Most languages on one profile.
pub const MAX_LANGUAGES: usize = 10;

/// A practitioner profile to save.
#[derive(Debug, Clone)]
pub struct Profile {
    pub user_id: i64,
    pub specialisms: Vec<Specialism>,
    pub languages: Vec<String>,
    pub active: bool,
}

/// Filters of the practitioner list.
#[derive(Debug, Clone, Default)]
pub struct PractitionerFilter {
    pub specialism: Option<Specialism>,
    pub language: Option<String>,
    pub active: Option<bool>,
}

/// A language code: two or three lower-case letters (ISO 639: `uz`, `ru`, `kaa`).
pub fn language_code(field: &str, raw: &str) -> ApiResult<String> {
    let code = raw.trim().to_ascii_lowercase();
    if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err(ApiError::bad_input(
            field,
            "a language code such as uz, ru or kaa",
        ))
    }
}

/// The code a specialism is tagged with.
pub(super) fn tag_code(s: Specialism) -> String {
    match serde_json::to_value(s) {
        Ok(serde_json::Value::String(code)) => code,
        _ => format!("{s:?}"),
    }
}

/// Create or replace the profile of a user of the caller's organisation.
pub async fn save(db: &DatabaseConnection, p: &Principal, profile: Profile) -> ApiResult<PractitionerView> {
    let languages: BTreeSet<String> = profile
        .languages
        .iter()
        .enumerate()
        .map(|(i, l)| language_code(&format!("input.languages[{i}]"), l))
        .collect::<ApiResult<_>>()?;
    if languages.len() > MAX_LANGUAGES {
        return Err(ApiError::bad_input(
            "input.languages",
            format!("at most {MAX_LANGUAGES} languages"),
        ));
    }
    let specialisms: BTreeSet<String> = profile.specialisms.iter().map(|s| tag_code(*s)).collect();
    let is_self = profile.user_id == p.user_id && p.has_role(Role::PartnerStaff);
    if !is_self && !p.has_role(Role::OrgAdmin) {
        return Err(ApiError::Forbidden(
            "an organisation admin, or the practitioner, keeps the profile".into(),
        ));
    }
    let txn = write_txn(db).await?;
    let u = user::Entity::find_by_id(profile.user_id)
        .filter(user::Column::OrganisationId.eq(p.organisation_id))
        .one(&txn)
        .await?
        .ok_or(ApiError::NotFound("User"))?;
    let staff = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(u.id))
        .filter(user_role::Column::Role.eq(Role::PartnerStaff))
        .one(&txn)
        .await?
        .is_some();
    if !staff {
        return Err(ApiError::bad_input(
            "input.userId",
            "a practitioner is a PARTNER_STAFF user",
        ));
    }
    let at = now();
    let existing = practitioner::Entity::find()
        .filter(practitioner::Column::UserId.eq(u.id))
        .one(&txn)
        .await?;
    let row = match existing {
        Some(m) => {
            let mut row: practitioner::ActiveModel = m.into();
            row.active = Set(profile.active);
            row.updated_at = Set(at);
            row.update(&txn).await?
        }
        None => {
            practitioner::ActiveModel {
                user_id: Set(u.id),
                organisation_id: Set(u.organisation_id),
                active: Set(profile.active),
                created_at: Set(at),
                updated_at: Set(at),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    practitioner_tag::Entity::delete_many()
        .filter(practitioner_tag::Column::PractitionerId.eq(row.id))
        .exec(&txn)
        .await?;
    let tags = specialisms
        .into_iter()
        .map(|c| (TagKind::Specialism, c))
        .chain(languages.into_iter().map(|c| (TagKind::Language, c)))
        .map(|(kind, code)| practitioner_tag::ActiveModel {
            practitioner_id: Set(row.id),
            organisation_id: Set(row.organisation_id),
            tag_kind: Set(kind),
            code: Set(code),
            ..Default::default()
        })
        .collect::<Vec<_>>();
    if !tags.is_empty() {
        practitioner_tag::Entity::insert_many(tags)
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        p,
        Entry::new("psych_support.practitioner.save")
            .target("Practitioner", row.id)
            .detail(json!({"userId": row.user_id, "active": row.active})),
    )
    .await?;
    events::emit(
        &txn,
        Some(p),
        NewEvent::new("psych_support.practitioner_saved", "Practitioner", row.id)
            .organisation(row.organisation_id)
            .payload(json!({"practitionerId": row.id, "userId": row.user_id, "active": row.active})),
    )
    .await?;
    txn.commit().await?;
    view(db, row).await
}

/// The practitioners of the caller's organisation (its staff and admins).
pub async fn list(
    db: &DatabaseConnection,
    p: &Principal,
    f: PractitionerFilter,
    page: Page,
) -> ApiResult<Paged<PractitionerView>> {
    if !is_member_of(p, p.organisation_id) {
        return Err(ApiError::forbidden());
    }
    let mut cond = Condition::all().add(practitioner::Column::OrganisationId.eq(p.organisation_id));
    let tagged = |kind: TagKind, code: String| {
        practitioner::Column::Id.in_subquery(
            Query::select()
                .column(practitioner_tag::Column::PractitionerId)
                .from(practitioner_tag::Entity)
                .and_where(practitioner_tag::Column::OrganisationId.eq(p.organisation_id))
                .and_where(practitioner_tag::Column::TagKind.eq(kind))
                .and_where(practitioner_tag::Column::Code.eq(code))
                .to_owned(),
        )
    };
    if let Some(s) = f.specialism {
        cond = cond.add(tagged(TagKind::Specialism, tag_code(s)));
    }
    if let Some(l) = f.language {
        cond = cond.add(tagged(TagKind::Language, language_code("filter.language", &l)?));
    }
    if let Some(active) = f.active {
        cond = cond.add(practitioner::Column::Active.eq(active));
    }
    let paged = paginate(
        db,
        practitioner::Entity::find().filter(cond),
        practitioner::Column::Id,
        page,
        Order::Ascending,
    )
    .await?;
    let rows = views(db, paged.rows.clone()).await?;
    Ok(with_rows(paged, rows))
}

/// The tags of many practitioners, in one query.
pub async fn tags_of<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> ApiResult<HashMap<i64, Vec<practitioner_tag::Model>>> {
    let mut out: HashMap<i64, Vec<practitioner_tag::Model>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = practitioner_tag::Entity::find()
        .filter(practitioner_tag::Column::PractitionerId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    for r in rows {
        out.entry(r.practitioner_id).or_default().push(r);
    }
    Ok(out)
}

/// An active practitioner of organisation `organisation_id` (`field` names the input).
pub async fn active_of<C: ConnectionTrait>(
    db: &C,
    id: i64,
    organisation_id: i64,
    field: &str,
) -> ApiResult<practitioner::Model> {
    practitioner::Entity::find_by_id(id)
        .filter(practitioner::Column::OrganisationId.eq(organisation_id))
        .filter(practitioner::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input(field, "no active practitioner of the provider"))
}

/// The caller's own active practitioner profile, if any.
pub async fn own<C: ConnectionTrait>(db: &C, p: &Principal) -> ApiResult<Option<practitioner::Model>> {
    Ok(practitioner::Entity::find()
        .filter(practitioner::Column::UserId.eq(p.user_id))
        .filter(practitioner::Column::Active.eq(true))
        .one(db)
        .await?)
}

/// A practitioner with their tags (specialisms and languages).
#[derive(Clone)]
pub struct PractitionerView {
    pub model: practitioner::Model,
    pub tags: Vec<practitioner_tag::Model>,
}

/// Practitioners with their tags (one query).
pub async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<practitioner::Model>,
) -> ApiResult<Vec<PractitionerView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut tags = tags_of(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|model| PractitionerView {
            tags: tags.remove(&model.id).unwrap_or_default(),
            model,
        })
        .collect())
}

async fn view<C: ConnectionTrait>(db: &C, row: practitioner::Model) -> ApiResult<PractitionerView> {
    views(db, vec![row])
        .await?
        .pop()
        .ok_or(ApiError::NotFound("Practitioner"))
}

/// Practitioners by id, with their tags (two queries).
pub async fn views_by_id<C: ConnectionTrait>(
    db: &C,
    ids: Vec<i64>,
) -> ApiResult<HashMap<i64, PractitionerView>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = practitioner::Entity::find()
        .filter(practitioner::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(views(db, rows)
        .await?
        .into_iter()
        .map(|p| (p.model.id, p))
        .collect())
}
