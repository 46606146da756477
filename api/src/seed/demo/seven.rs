//! Registon's seven and its prevention programme.

use chrono::{Duration, NaiveDate};

use super::err;
use crate::auth::principal::Principal;
use crate::mahalla::entity::{ActivityKind, SubRole};
use crate::mahalla::{programme, roster};

/// Seat Registon's seven (the chair and the inspector with their logins) and draw up
/// its prevention programme for the year, so that tasks and conferences can be tried.
pub(super) async fn seat_the_seven(
    db: &sea_orm::DatabaseConnection,
    admin: &Principal,
    mahalla_id: i64,
    chair: i64,
    inspector: i64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let starts_on = today - Duration::days(400);
    let seats = [
        (SubRole::Chair, "Habiba Tursunova", Some(chair)),
        (SubRole::PreventionInspector, "Jamshid Karimov", Some(inspector)),
        (SubRole::WomensActivist, "Zulfiya Rasulova", None),
        (SubRole::YouthLeader, "Otabek Mirzayev", None),
        (SubRole::ReligiousAffairs, "Abdulla Qosimov", None),
        (SubRole::EldersCouncil, "Ismoil Xoliqov", None),
        (SubRole::EducationRep, "Feruza Olimova", None),
    ];
    let mut youth = None;
    for (sub_role, name, user_id) in seats {
        let m = roster::appoint(
            db,
            admin,
            roster::NewMember {
                mahalla_id,
                sub_role,
                full_name: name.to_owned(),
                phone: None,
                user_id,
                starts_on,
                replace_current: false,
            },
        )
        .await
        .map_err(err)?;
        if sub_role == SubRole::YouthLeader {
            youth = Some(m.id);
        }
    }
    let prog = programme::create(
        db,
        admin,
        programme::NewProgramme {
            mahalla_id,
            title: "Registon MFY huquqbuzarliklar profilaktikasi dasturi".to_owned(),
            period_start: today - Duration::days(30),
            period_end: today + Duration::days(335),
            objectives: "Takroriy huquqbuzarliklarning oldini olish; bandlik va oilaviy qo'llab-quvvatlash"
                .to_owned(),
        },
    )
    .await
    .map_err(err)?;
    for (kind, title, offset) in [
        (ActivityKind::LegalEducation, "Huquqiy targ'ibot suhbati", 14),
        (ActivityKind::SportsYouth, "Yoshlar mini-futbol turniri", 30),
        (ActivityKind::JobFair, "Mahalla bandlik yarmarkasi", 60),
    ] {
        programme::add_activity(
            db,
            admin,
            programme::NewActivity {
                programme_id: prog.id,
                kind,
                title: title.to_owned(),
                planned_on: today + Duration::days(offset),
                place: Some("Registon MFY binosi".to_owned()),
                responsible_member_id: youth,
                case_ids: Vec::new(),
            },
        )
        .await
        .map_err(err)?;
    }
    Ok(())
}
