//! Screenings (PHQ-9, GAD-7): scored on the server, kept per person by the provider. An
//! answer above 0 to PHQ-9 item 9 raises an urgent safety flag for the probation officer
//! and the provider at once; a total of 10 or more suggests a plan review.

use chrono::{DateTime, Utc};
use hamkor_api::audit::service::{self as audit, Entry};
use hamkor_api::auth::principal::Principal;
use hamkor_api::db::{now, write_txn};
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::events::service as events;
use hamkor_api::pagination::{Order, Page, Paged, paginate};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use super::notes::referral_for_clinical_read;
use super::record::{Audience, record_change};
use super::support::work_in_progress;
use crate::entity::{Instrument, screening, support};
use crate::scoring::{ScreeningTrend, score, trend};

/// Record a screening of the person of a referral under way.
pub async fn record(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    instrument: Instrument,
    items: &[i32],
    administered_at: Option<DateTime<Utc>>,
) -> ApiResult<screening::Model> {
    let scored = score(instrument, items, "input.items")?;
    let at = now();
    let administered_at = administered_at.unwrap_or(at);
    if administered_at > at {
        return Err(ApiError::bad_input(
            "input.administeredAt",
            "must not be in the future",
        ));
    }
    let txn = write_txn(db).await?;
    let (_, s) = work_in_progress(&txn, p, referral_id).await?;
    let row = screening::ActiveModel {
        support_id: Set(s.id),
        person_id: Set(s.person_id),
        case_id: Set(s.case_id),
        organisation_id: Set(s.organisation_id),
        instrument: Set(instrument),
        items: Set(json!(scored.items)),
        total: Set(scored.total),
        band: Set(scored.band),
        safety_flag: Set(scored.safety_flag),
        plan_review_suggested: Set(scored.plan_review_suggested),
        administered_at: Set(administered_at),
        recorded_by: Set(p.user_id),
        created_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let s = if scored.safety_flag || scored.plan_review_suggested {
        let mut sup: support::ActiveModel = s.clone().into();
        if scored.safety_flag {
            sup.urgent_flag_at = Set(Some(at));
        }
        if scored.plan_review_suggested {
            sup.plan_review_suggested = Set(true);
        }
        sup.updated_at = Set(at);
        sup.update(&txn).await?
    } else {
        s
    };
    // The result stays with the provider; the agencies hear of a flag, not of a score.
    record_change(
        &txn,
        p,
        &s,
        (
            "psych_support.screening.record",
            events::event_type("psych_support.screening_recorded"),
        ),
        ("PsychScreening", row.id),
        Audience::Provider,
        json!({"screeningId": row.id, "instrument": instrument}),
    )
    .await?;
    if scored.safety_flag {
        record_change(
            &txn,
            p,
            &s,
            (
                "psych_support.safety_flag.raise",
                events::event_type("psych_support.safety_flag_raised"),
            ),
            ("PsychScreening", row.id),
            Audience::ProviderAndCase,
            json!({"screeningId": row.id, "flag": "SELF_HARM_RISK", "urgency": "URGENT"}),
        )
        .await?;
    }
    if scored.plan_review_suggested {
        record_change(
            &txn,
            p,
            &s,
            (
                "psych_support.plan_review.suggest",
                events::event_type("psych_support.plan_review_suggested"),
            ),
            ("PsychScreening", row.id),
            Audience::ProviderAndCase,
            json!({"screeningId": row.id}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// A person's screenings of one instrument by the caller's organisation, newest first,
/// with the trend of the latest two.
pub struct History {
    pub trend: ScreeningTrend,
    pub latest: Option<screening::Model>,
    pub page: Paged<screening::Model>,
}

/// The screening history of the person of a referral (practitioners of its provider;
/// audited as a read of sensitive data).
pub async fn history(
    db: &DatabaseConnection,
    p: &Principal,
    referral_id: i64,
    instrument: Instrument,
    page: Page,
) -> ApiResult<History> {
    let r = referral_for_clinical_read(db, p, referral_id).await?;
    let of_person = || {
        screening::Entity::find()
            .filter(screening::Column::OrganisationId.eq(p.organisation_id))
            .filter(screening::Column::PersonId.eq(r.person_id))
            .filter(screening::Column::Instrument.eq(instrument))
    };
    let recent = of_person()
        .order_by_desc(screening::Column::Id)
        .limit(2)
        .all(db)
        .await?;
    let totals: Vec<i32> = recent.iter().map(|s| s.total).collect();
    let page = paginate(db, of_person(), screening::Column::Id, page, Order::Descending).await?;
    let txn = write_txn(db).await?;
    audit::record(
        &txn,
        p,
        Entry::new("psych_support.screening.read")
            .target("Referral", r.id)
            .case(r.case_id)
            .detail(json!({"instrument": instrument, "count": page.rows.len()})),
    )
    .await?;
    txn.commit().await?;
    Ok(History {
        trend: trend(instrument, &totals),
        latest: recent.into_iter().next(),
        page,
    })
}
