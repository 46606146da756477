//! Supervision records on the first active demo case: a home visit, a missed report, a
//! coming appointment, a curfew breach, and a note at each visibility.

use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

use super::agencies::Staff;
use super::err;
use crate::supervision::entity::{
    AppointmentKind, AppointmentOutcome, NoteVisibility, ViolationKind, ViolationSeverity,
};
use crate::supervision::service as supervision;

/// Record the demo's supervision of `first_case`.
pub(super) async fn record(db: &DatabaseConnection, staff: &Staff, first_case: i64) -> anyhow::Result<()> {
    let now_ts = Utc::now();
    supervision::record_check_in(
        db,
        &staff.inspector,
        first_case,
        supervision::CheckIn {
            kind: AppointmentKind::HomeVisit,
            at: now_ts - Duration::days(9),
            outcome: AppointmentOutcome::Attended,
            location: Some("Uyda".to_owned()),
            note: Some("Tartib buzilishi yo'q".to_owned()),
        },
    )
    .await
    .map_err(err)?;
    supervision::record_check_in(
        db,
        &staff.officer,
        first_case,
        supervision::CheckIn {
            kind: AppointmentKind::OfficeReport,
            at: now_ts - Duration::days(5),
            outcome: AppointmentOutcome::Missed,
            location: Some("Probatsiya xizmati".to_owned()),
            note: None,
        },
    )
    .await
    .map_err(err)?;
    supervision::schedule_appointment(
        db,
        &staff.officer,
        first_case,
        AppointmentKind::OfficeReport,
        now_ts + Duration::days(3),
        Some("Probatsiya xizmati, 12-xona"),
    )
    .await
    .map_err(err)?;
    supervision::record_violation(
        db,
        &staff.inspector,
        first_case,
        supervision::NewViolation {
            kind: ViolationKind::CurfewBreach,
            severity: ViolationSeverity::Minor,
            occurred_at: now_ts - Duration::days(4),
            description: "Soat 23:15 da uyda bo'lmagan, 23:40 da qaytgan".to_owned(),
        },
    )
    .await
    .map_err(err)?;
    supervision::add_note(
        db,
        &staff.officer,
        first_case,
        NoteVisibility::Probation,
        "Sud qaroriga ko'ra nazorat kuchaytirilishi ko'rib chiqilsin.",
    )
    .await
    .map_err(err)?;
    supervision::add_note(
        db,
        &staff.inspector,
        first_case,
        NoteVisibility::Agencies,
        "Qo'shnilar bilan suhbat o'tkazildi.",
    )
    .await
    .map_err(err)?;
    supervision::add_note(
        db,
        &staff.chair,
        first_case,
        NoteVisibility::Mahalla,
        "Oilasi bilan uchrashildi, ishga joylashishda yordam kerak.",
    )
    .await
    .map_err(err)?;

    Ok(())
}
