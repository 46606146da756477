//! The `education` namespace on Query and Mutation, and the module's GraphQL types.
//! Every type carries the module's `visible` function and guard: hidden from, and
//! refused to, callers whose organisation has the module switched off.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hamkor_api::access::{CaseAccess, cases_with_access, of_cases};
use hamkor_api::case::entity::case;
use hamkor_api::case::graphql::{Case, case_of};
use hamkor_api::case::service as cases;
use hamkor_api::consent::entity::DataScope;
use hamkor_api::db::now;
use hamkor_api::error::{ApiError, ApiResult};
use hamkor_api::external_id::{self, reload};
use hamkor_api::graphql::context::{loaders, page, principal, state};
use hamkor_api::ids;
use hamkor_api::loaders::{children, one};
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::pagination::{Conn, Order, Paged, paginate};
use hamkor_api::referral::graphql::{Referral, fetch_referral};
use hamkor_api::referral::subject::partner_referral;
use hamkor_api::territory::graphql::{District, Mahalla, Region};
use hamkor_api::territory::resolve::place_of;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::entity::{
    AttendancePeriod, AttendanceStatus, CompletionResult, DropOutReason, EducationLevel, EnrolmentStatus,
    ProgrammeKind, RejectionReason, attendance, enrolment, intake, programme, transition,
};
use crate::fit::{Applicant, FitIssue, assess, hours};
use crate::loaders::education_loaders;
use crate::service::attendance::AttendanceEntry;
use crate::service::enrolment::{Decision, DecisionDetails, applicant_for};
use crate::service::programmes::{IntakeFilter, ProgrammeFilter, ProgrammeSpec};
use crate::service::{PARTNER_ROLES, attendance as attendance_service, enrolment as enrolments, programmes};
use crate::{EducationReferral, ID as MODULE};

const MAX_PAGE: u64 = 100;

// ---------------------------------------------------------------- types

/// A day classes are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(visible = "crate::education_visible")]
pub enum ClassDay {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

const CLASS_DAYS: [ClassDay; 7] = [
    ClassDay::Monday,
    ClassDay::Tuesday,
    ClassDay::Wednesday,
    ClassDay::Thursday,
    ClassDay::Friday,
    ClassDay::Saturday,
    ClassDay::Sunday,
];

fn day_mask(days: &[ClassDay]) -> i32 {
    days.iter()
        .map(|d| 1 << CLASS_DAYS.iter().position(|x| x == d).unwrap_or_default())
        .fold(0, |a, b| a | b)
}

fn days_of(mask: i32) -> Vec<ClassDay> {
    CLASS_DAYS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, d)| *d)
        .collect()
}

/// A programme a provider offers: a course, a class, a school-completion track.
pub struct EducationProgramme(pub programme::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationProgramme {
    async fn id(&self) -> ID {
        ids::encode("EducationProgramme", self.0.id)
    }
    /// The organisation that offers it.
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// The provider's own reference (`setProgrammeExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn kind(&self) -> ProgrammeKind {
        self.0.kind
    }
    /// The subject or trade taught.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Language of teaching (ISO 639 code).
    async fn language(&self) -> &str {
        &self.0.language
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Taught remotely (no place to attend).
    async fn remote(&self) -> bool {
        self.0.remote
    }
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        Ok(match self.0.region_id {
            Some(id) => one(&loaders(ctx)?.regions, id).await?.map(Region),
            None => None,
        })
    }
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        Ok(match self.0.district_id {
            Some(id) => one(&loaders(ctx)?.districts, id).await?.map(District),
            None => None,
        })
    }
    async fn mahalla(&self, ctx: &Context<'_>) -> Result<Option<Mahalla>> {
        Ok(match self.0.mahalla_id {
            Some(id) => one(&loaders(ctx)?.mahallas, id).await?.map(Mahalla),
            None => None,
        })
    }
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Days classes are held (empty when self-paced).
    async fn class_days(&self) -> Vec<ClassDay> {
        days_of(self.0.days)
    }
    /// Daily class hours (null when self-paced).
    async fn start_time(&self) -> Option<NaiveTime> {
        hours(&self.0).map(|h| h.0)
    }
    async fn end_time(&self) -> Option<NaiveTime> {
        hours(&self.0).map(|h| h.1)
    }
    async fn duration_weeks(&self) -> i32 {
        self.0.duration_weeks
    }
    async fn min_age(&self) -> Option<i32> {
        self.0.min_age
    }
    async fn max_age(&self) -> Option<i32> {
        self.0.max_age
    }
    /// Lowest completed level of education admitted.
    async fn min_education(&self) -> Option<EducationLevel> {
        self.0.min_education
    }
    /// Cost to the person, in so'm (0: free).
    async fn cost_uzs(&self) -> i32 {
        i32::try_from(self.0.cost_uzs).unwrap_or(i32::MAX)
    }
    /// The certificate awarded on passing, if any.
    async fn certificate(&self) -> Option<&str> {
        self.0.certificate.as_deref()
    }
    /// Open to new applications.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Its intakes, soonest first (by default only those not yet started).
    async fn intakes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = true)] upcoming_only: bool,
    ) -> Result<Conn<EducationIntake>> {
        let st = state(ctx)?;
        let page = page(ctx, first, after)?;
        let mut q = intake::Entity::find().filter(intake::Column::ProgrammeId.eq(self.0.id));
        if upcoming_only {
            q = q.filter(intake::Column::StartsOn.gte(now().date_naive()));
        }
        Ok(paginate(&st.db, q, intake::Column::Id, page, Order::Ascending)
            .await?
            .into_connection(|i| i.id, EducationIntake))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One start of a programme, with its seats.
pub struct EducationIntake(pub intake::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationIntake {
    async fn id(&self) -> ID {
        ids::encode("EducationIntake", self.0.id)
    }
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<EducationProgramme>> {
        Ok(one(&education_loaders(ctx)?.programmes, self.0.programme_id)
            .await?
            .map(EducationProgramme))
    }
    async fn starts_on(&self) -> NaiveDate {
        self.0.starts_on
    }
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
    async fn seats(&self) -> i32 {
        self.0.seats
    }
    async fn seats_taken(&self) -> i32 {
        self.0.seats_taken
    }
    async fn seats_left(&self) -> i32 {
        (self.0.seats - self.0.seats_taken).max(0)
    }
}

/// An intake, and whether it fits the person it was searched for.
pub struct ProgrammeMatch {
    intake: intake::Model,
    issues: Vec<FitIssue>,
}

#[Object(
    name = "EducationProgrammeMatch",
    visible = "crate::education_visible",
    guard = "ModuleGuard::new(MODULE)"
)]
impl ProgrammeMatch {
    async fn intake(&self) -> EducationIntake {
        EducationIntake(self.intake.clone())
    }
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<EducationProgramme>> {
        Ok(one(&education_loaders(ctx)?.programmes, self.intake.programme_id)
            .await?
            .map(EducationProgramme))
    }
    /// No issue at all: eligible, within the sentence's conditions, a seat free.
    async fn fits(&self) -> bool {
        self.issues.is_empty()
    }
    /// Every reason it does not fit, each with a sentence to show.
    async fn issues(&self) -> &[FitIssue] {
        &self.issues
    }
}

/// A referred person's place on a programme: from application to completion.
pub struct EducationEnrolment(pub enrolment::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationEnrolment {
    async fn id(&self) -> ID {
        ids::encode("EducationEnrolment", self.0.id)
    }
    /// The referral it answers.
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<Referral>> {
        fetch_referral(ctx, self.0.referral_id).await
    }
    /// The case, for callers who may see it.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<Case>> {
        case_of(ctx, self.0.case_id).await
    }
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<EducationProgramme>> {
        Ok(one(&education_loaders(ctx)?.programmes, self.0.programme_id)
            .await?
            .map(EducationProgramme))
    }
    async fn intake(&self, ctx: &Context<'_>) -> Result<Option<EducationIntake>> {
        Ok(one(&education_loaders(ctx)?.intakes, self.0.intake_id)
            .await?
            .map(EducationIntake))
    }
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(one(&loaders(ctx)?.organisations, self.0.organisation_id)
            .await?
            .map(Organisation))
    }
    /// The provider's own reference (`setEnrolmentExternalId`).
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }
    async fn status(&self) -> EnrolmentStatus {
        self.0.status
    }
    /// The reason of a rejection or drop-out (a `RejectionReason` or `DropOutReason` name).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The education the referral recorded for the person.
    async fn prior_education(&self) -> Option<EducationLevel> {
        self.0.prior_education
    }
    /// The current run of absences (excused ones aside).
    async fn consecutive_absences(&self) -> i32 {
        self.0.consecutive_absences
    }
    /// The absence alert was raised and attendance has not resumed since.
    async fn absence_alert_open(&self) -> bool {
        self.0.absence_alert_open
    }
    /// Share of classes (or weeks) attended, late included, excused ones aside; null
    /// before any is recorded.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        Ok(education_loaders(ctx)?
            .rates
            .load_one(self.0.id)
            .await
            .map_err(hamkor_api::loaders::loader_error)?)
    }
    /// Attendance entries, newest first.
    async fn attendance(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<EducationAttendance>> {
        let page = page(ctx, first, after)?;
        Ok(education_loaders(ctx)?
            .attendance
            .connection(self.0.id, 0, page, |a| a.id, EducationAttendance)
            .await?)
    }
    /// Every status change, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<EducationEnrolmentTransition>> {
        Ok(children(&education_loaders(ctx)?.transitions, self.0.id)
            .await?
            .into_iter()
            .map(EducationEnrolmentTransition)
            .collect())
    }
    async fn result(&self) -> Option<CompletionResult> {
        self.0.result
    }
    async fn certificate_number(&self) -> Option<&str> {
        self.0.certificate_number.as_deref()
    }
    async fn certificate_date(&self) -> Option<NaiveDate> {
        self.0.certificate_date
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}

/// One status change of an enrolment.
pub struct EducationEnrolmentTransition(pub transition::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationEnrolmentTransition {
    async fn from_status(&self) -> Option<EnrolmentStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> EnrolmentStatus {
        self.0.to_status
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

/// Attendance at one class or over one week.
pub struct EducationAttendance(pub attendance::Model);

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationAttendance {
    async fn id(&self) -> ID {
        ids::encode("EducationAttendance", self.0.id)
    }
    async fn on(&self) -> NaiveDate {
        self.0.on_date
    }
    async fn period(&self) -> AttendancePeriod {
        self.0.period
    }
    async fn status(&self) -> AttendanceStatus {
        self.0.status
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

// ---------------------------------------------------------------- inputs

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationProgrammeInput {
    pub title: String,
    pub kind: ProgrammeKind,
    pub subject: String,
    /// ISO 639 code of the teaching language (uz, ru, kaa).
    pub language: String,
    pub description: Option<String>,
    /// Where classes take place: a District or Mahalla id. Omit for a remote programme.
    pub territory_id: Option<ID>,
    pub address: Option<String>,
    /// Class days; empty (with no hours) for a self-paced programme.
    #[graphql(default)]
    pub class_days: Vec<ClassDay>,
    /// Daily class hours, ending on the same day.
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub duration_weeks: i32,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub min_education: Option<EducationLevel>,
    /// Cost to the person in so'm (default 0: free).
    #[graphql(default)]
    pub cost_uzs: i32,
    /// The certificate awarded on passing, if any.
    pub certificate: Option<String>,
}

impl EducationProgrammeInput {
    async fn spec(self, ctx: &Context<'_>) -> ApiResult<ProgrammeSpec> {
        let place = match &self.territory_id {
            Some(id) => Some(place_of(&state(ctx)?.db, id, "input.territoryId").await?),
            None => None,
        };
        let hours = match (self.start_time, self.end_time) {
            (Some(s), Some(e)) => Some((s, e)),
            (None, None) => None,
            _ => {
                return Err(ApiError::bad_input(
                    "input.endTime",
                    "give both the start and the end time, or neither",
                ));
            }
        };
        Ok(ProgrammeSpec {
            title: self.title,
            kind: self.kind,
            subject: self.subject,
            language: self.language,
            description: self.description,
            place,
            address: self.address,
            days: day_mask(&self.class_days),
            hours,
            duration_weeks: self.duration_weeks,
            min_age: self.min_age,
            max_age: self.max_age,
            min_education: self.min_education,
            cost_uzs: i64::from(self.cost_uzs),
            certificate: self.certificate,
        })
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationProgrammeFilter {
    pub kind: Option<ProgrammeKind>,
    pub language: Option<String>,
    /// Programmes of this provider.
    pub provider_id: Option<ID>,
    /// Programmes held in this Region, District or Mahalla (remote ones too, unless
    /// `excludeRemote`).
    pub territory_id: Option<ID>,
    #[graphql(default)]
    pub exclude_remote: bool,
    /// Closed programmes too.
    #[graphql(default)]
    pub include_inactive: bool,
}

impl EducationProgrammeFilter {
    async fn resolve(self, ctx: &Context<'_>) -> ApiResult<ProgrammeFilter> {
        Ok(ProgrammeFilter {
            kind: self.kind,
            language: self.language,
            provider_id: ids::decode_opt(self.provider_id.as_ref(), "Organisation", "filter.providerId")?,
            place: match &self.territory_id {
                Some(id) => Some(place_of(&state(ctx)?.db, id, "filter.territoryId").await?),
                None => None,
            },
            exclude_remote: self.exclude_remote,
            include_inactive: self.include_inactive,
        })
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationIntakeFilter {
    pub kind: Option<ProgrammeKind>,
    pub language: Option<String>,
    pub provider_id: Option<ID>,
    /// Held in this Region, District or Mahalla (remote ones too unless `excludeRemote`).
    pub territory_id: Option<ID>,
    #[graphql(default)]
    pub exclude_remote: bool,
    /// Starting on or after this day (default: today; an earlier day lists intakes
    /// already running).
    pub starts_from: Option<NaiveDate>,
    pub starts_until: Option<NaiveDate>,
    /// Only intakes with a free seat.
    #[graphql(default)]
    pub with_seats_only: bool,
}

impl EducationIntakeFilter {
    async fn resolve(self, ctx: &Context<'_>) -> ApiResult<IntakeFilter> {
        let programme = EducationProgrammeFilter {
            kind: self.kind,
            language: self.language,
            provider_id: self.provider_id,
            territory_id: self.territory_id,
            exclude_remote: self.exclude_remote,
            include_inactive: false,
        }
        .resolve(ctx)
        .await?;
        Ok(IntakeFilter {
            programme,
            starts_from: self.starts_from,
            starts_until: self.starts_until,
            with_seats_only: self.with_seats_only,
        })
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "crate::education_visible")]
pub struct EducationEnrolmentFilter {
    pub case_id: Option<ID>,
    pub referral_id: Option<ID>,
    pub programme_id: Option<ID>,
    pub intake_id: Option<ID>,
    #[graphql(default)]
    pub statuses: Vec<EnrolmentStatus>,
    /// Only enrolments with an open absence alert.
    pub absence_alert_open: Option<bool>,
}

// ---------------------------------------------------------------- queries

/// `Query.education`.
#[derive(Default)]
pub struct EducationQueryRoot;

#[Object]
impl EducationQueryRoot {
    /// The education module: programmes, intakes, enrolments (organisations that
    /// enabled it only).
    #[graphql(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn education(&self) -> EducationQuery {
        EducationQuery
    }
}

pub struct EducationQuery;

const PROGRAMME: external_id::Kind = external_id::Kind {
    table: "education_programmes",
    type_name: "EducationProgramme",
    action: "education.programme.set_external_id",
};

const ENROLMENT: external_id::Kind = external_id::Kind {
    table: "education_enrolments",
    type_name: "EducationEnrolment",
    action: "education.enrolment.set_external_id",
};

/// The enrolments `p` may see: those of the referrals their organisation works (as
/// provider staff), and those of the cases they supervise.
fn visible_enrolments(p: &hamkor_api::auth::principal::Principal) -> Condition {
    let mut any = Condition::any().add(of_cases(
        enrolment::Column::CaseId,
        cases_with_access(p, CaseAccess::Supervise),
    ));
    if p.has_any_role(PARTNER_ROLES) {
        any = any.add(enrolment::Column::OrganisationId.eq(p.organisation_id));
    }
    any
}

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationQuery {
    /// The catalogue of programmes, oldest first.
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationProgrammeFilter>,
    ) -> Result<Conn<EducationProgramme>> {
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        Ok(programmes::list(&state(ctx)?.db, &f, page)
            .await?
            .into_connection(|p| p.id, EducationProgramme))
    }

    async fn programme(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EducationProgramme>> {
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        Ok(one(&education_loaders(ctx)?.programmes, id)
            .await?
            .map(EducationProgramme))
    }

    /// The programme the caller's organisation provides under its own reference.
    async fn programme_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<EducationProgramme>> {
        let found = external_id::find(
            &state(ctx)?.db,
            principal(ctx)?,
            programme::Entity::find(),
            programme::Column::OrganisationId,
            programme::Column::ExternalId,
            &external_id,
        )
        .await?;
        Ok(found.map(EducationProgramme))
    }

    /// Upcoming intakes of open programmes, soonest first.
    async fn intakes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationIntakeFilter>,
    ) -> Result<Conn<EducationIntake>> {
        let page = hamkor_api::pagination::Page::new(first, after.as_deref(), MAX_PAGE)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        Ok(programmes::intakes(&state(ctx)?.db, &f, None, page)
            .await?
            .into_connection(|i| i.id, EducationIntake))
    }

    /// Upcoming intakes for a case, soonest first, each saying whether it fits the
    /// person (age, prior education, the curfew against the class hours, the areas
    /// against the place, a free seat) and why not. `fitsOnly` lists only those that
    /// fit. For the agencies supervising the case, and for a provider working an
    /// education referral of it that may see the sentence's conditions.
    #[allow(clippy::too_many_arguments)] // the field's arguments
    async fn programme_matches(
        &self,
        ctx: &Context<'_>,
        case_id: ID,
        #[graphql(desc = "The person's completed education (default: the one their referral records).")]
        prior_education: Option<EducationLevel>,
        filter: Option<EducationIntakeFilter>,
        #[graphql(default)] fits_only: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<ProgrammeMatch>> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let page = hamkor_api::pagination::Page::new(first, after.as_deref(), MAX_PAGE)?;
        let case_id = ids::decode_as(&case_id, "Case", "caseId")?;
        let (c, referral) = match cases::get_for(&st.db, p, case_id, CaseAccess::Supervise).await {
            Ok((c, _)) => (c, None),
            Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => {
                match partner_referral(
                    &st.db,
                    p,
                    case_id,
                    Some(MODULE),
                    Some(DataScope::SentenceConditions),
                )
                .await?
                {
                    Some(r) => {
                        let c = case::Entity::find_by_id(case_id)
                            .one(&st.db)
                            .await?
                            .ok_or(ApiError::NotFound("Case"))?;
                        (c, Some(r))
                    }
                    None => return Err(ApiError::NotFound("Case").into()),
                }
            }
            Err(e) => return Err(e.into()),
        };
        let education = prior_education.or_else(|| {
            referral
                .as_ref()
                .and_then(|r| EducationReferral::from_json(&r.payload).prior_education())
        });
        let today = now().date_naive();
        let who: Applicant = applicant_for(&st.db, &c, education, today).await?;
        let mut f = filter.unwrap_or_default().resolve(ctx).await?;
        if fits_only {
            f.with_seats_only = true;
        }
        let paged = programmes::intakes(&st.db, &f, fits_only.then_some(&who), page).await?;
        let l = education_loaders(ctx)?;
        let mut rows = Vec::with_capacity(paged.rows.len());
        for i in paged.rows {
            let Some(prog) = one(&l.programmes, i.programme_id).await? else {
                continue;
            };
            let issues = assess(&who, &prog, &i, today);
            rows.push(ProgrammeMatch { intake: i, issues });
        }
        Ok(Paged {
            rows,
            has_next: paged.has_next,
            page: paged.page,
            total: paged.total,
        }
        .into_connection(|m| m.intake.id, |m| m))
    }

    /// Enrolments the caller may see (their organisation's as a provider, and those of
    /// the cases they supervise), newest first.
    async fn enrolments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationEnrolmentFilter>,
    ) -> Result<Conn<EducationEnrolment>> {
        let p = principal(ctx)?;
        let page = page(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let mut q = enrolment::Entity::find().filter(visible_enrolments(p));
        if let Some(id) = ids::decode_opt(f.case_id.as_ref(), "Case", "filter.caseId")? {
            q = q.filter(enrolment::Column::CaseId.eq(id));
        }
        if let Some(id) = ids::decode_opt(f.referral_id.as_ref(), "Referral", "filter.referralId")? {
            q = q.filter(enrolment::Column::ReferralId.eq(id));
        }
        if let Some(id) = ids::decode_opt(
            f.programme_id.as_ref(),
            "EducationProgramme",
            "filter.programmeId",
        )? {
            q = q.filter(enrolment::Column::ProgrammeId.eq(id));
        }
        if let Some(id) = ids::decode_opt(f.intake_id.as_ref(), "EducationIntake", "filter.intakeId")? {
            q = q.filter(enrolment::Column::IntakeId.eq(id));
        }
        if !f.statuses.is_empty() {
            q = q.filter(enrolment::Column::Status.is_in(f.statuses));
        }
        if let Some(open) = f.absence_alert_open {
            q = q.filter(enrolment::Column::AbsenceAlertOpen.eq(open));
        }
        Ok(
            paginate(&state(ctx)?.db, q, enrolment::Column::Id, page, Order::Descending)
                .await?
                .into_connection(|e| e.id, EducationEnrolment),
        )
    }

    async fn enrolment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<EducationEnrolment>> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationEnrolment", "id")?;
        Ok(enrolment::Entity::find_by_id(id)
            .filter(visible_enrolments(p))
            .one(&state(ctx)?.db)
            .await
            .map_err(ApiError::from)?
            .map(EducationEnrolment))
    }

    /// The enrolment the caller's organisation keeps under its own reference.
    async fn enrolment_by_external_id(
        &self,
        ctx: &Context<'_>,
        external_id: String,
    ) -> Result<Option<EducationEnrolment>> {
        let p = principal(ctx)?;
        let found = external_id::find(
            &state(ctx)?.db,
            p,
            enrolment::Entity::find().filter(visible_enrolments(p)),
            enrolment::Column::OrganisationId,
            enrolment::Column::ExternalId,
            &external_id,
        )
        .await?;
        Ok(found.map(EducationEnrolment))
    }

    /// The catalogue as an Open Referral HSDS 3.0 page of services (`contents`), each
    /// with its organisation, location, schedules (one per upcoming intake), languages
    /// and cost; `next_cursor` (with `last_page: false`) fetches the next page.
    async fn directory(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<EducationProgrammeFilter>,
    ) -> Result<Json<serde_json::Value>> {
        let st = state(ctx)?;
        let page = hamkor_api::pagination::Page::new(first, after.as_deref(), MAX_PAGE)?;
        let f = filter.unwrap_or_default().resolve(ctx).await?;
        let paged = programmes::list(&st.db, &f, page).await?;
        let contents = crate::directory::services(ctx, &st.db, &paged.rows).await?;
        let next = paged
            .has_next
            .then(|| {
                paged
                    .rows
                    .last()
                    .map(|r| hamkor_api::pagination::encode_cursor(r.id))
            })
            .flatten();
        Ok(Json(serde_json::json!({
            "size": contents.len(),
            "first_page": page.after.is_none(),
            "last_page": !paged.has_next,
            "empty": contents.is_empty(),
            "next_cursor": next,
            "contents": contents,
        })))
    }
}

// ---------------------------------------------------------------- mutations

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct AddEducationIntakeInput {
    pub programme_id: ID,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub seats: i32,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct ApplyForEnrolmentInput {
    /// An education referral addressed to the caller's organisation.
    pub referral_id: ID,
    /// An intake of one of the organisation's programmes.
    pub intake_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct EnrolmentStepInput {
    pub enrolment_id: ID,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct RejectEnrolmentInput {
    pub enrolment_id: ID,
    pub reason: RejectionReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct DropOutInput {
    pub enrolment_id: ID,
    pub reason: DropOutReason,
    /// Required when the reason is OTHER.
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct CompleteEnrolmentInput {
    pub enrolment_id: ID,
    pub result: CompletionResult,
    /// Required on passing a programme that awards a certificate.
    pub certificate_number: Option<String>,
    /// Default: today.
    pub certificate_date: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct AttendanceEntryInput {
    pub on: NaiveDate,
    #[graphql(default_with = "AttendancePeriod::Class")]
    pub period: AttendancePeriod,
    pub status: AttendanceStatus,
    pub note: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "crate::education_visible")]
pub struct RecordAttendanceInput {
    pub enrolment_id: ID,
    /// Up to 31 entries; a day and period already recorded is corrected.
    pub entries: Vec<AttendanceEntryInput>,
}

/// `Mutation.education`.
#[derive(Default)]
pub struct EducationMutationRoot;

#[Object]
impl EducationMutationRoot {
    /// The education module's changes (organisations that enabled it only).
    #[graphql(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
    async fn education(&self) -> EducationMutation {
        EducationMutation
    }
}

pub struct EducationMutation;

fn enrolment_id(id: &ID) -> ApiResult<i64> {
    ids::decode_as(id, "EducationEnrolment", "input.enrolmentId")
}

async fn step(
    ctx: &Context<'_>,
    id: &ID,
    decision: Decision,
    details: DecisionDetails,
) -> Result<EducationEnrolment> {
    let p = principal(ctx)?;
    let row = enrolments::decide(&state(ctx)?.db, p, enrolment_id(id)?, decision, details).await?;
    Ok(EducationEnrolment(row))
}

#[Object(visible = "crate::education_visible", guard = "ModuleGuard::new(MODULE)")]
impl EducationMutation {
    /// Publish a programme of the caller's organisation (provider staff).
    async fn create_programme(
        &self,
        ctx: &Context<'_>,
        input: EducationProgrammeInput,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let spec = input.spec(ctx).await?;
        Ok(EducationProgramme(
            programmes::create(&state(ctx)?.db, p, spec).await?,
        ))
    }

    /// Replace a programme's description (its provider's staff).
    async fn update_programme(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: EducationProgrammeInput,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        let spec = input.spec(ctx).await?;
        Ok(EducationProgramme(
            programmes::update(&state(ctx)?.db, p, id, spec).await?,
        ))
    }

    /// Open or close a programme to new applications.
    async fn set_programme_active(
        &self,
        ctx: &Context<'_>,
        id: ID,
        active: bool,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        Ok(EducationProgramme(
            programmes::set_active(&state(ctx)?.db, p, id, active).await?,
        ))
    }

    /// Open an intake of a programme (one already running may be registered up to a
    /// year after its start).
    async fn add_intake(&self, ctx: &Context<'_>, input: AddEducationIntakeInput) -> Result<EducationIntake> {
        let p = principal(ctx)?;
        let programme_id = ids::decode_as(&input.programme_id, "EducationProgramme", "input.programmeId")?;
        Ok(EducationIntake(
            programmes::add_intake(
                &state(ctx)?.db,
                p,
                programme_id,
                input.starts_on,
                input.ends_on,
                input.seats,
            )
            .await?,
        ))
    }

    /// Change an intake's seats (never below those taken).
    async fn set_intake_seats(&self, ctx: &Context<'_>, id: ID, seats: i32) -> Result<EducationIntake> {
        let p = principal(ctx)?;
        let id = ids::decode_as(&id, "EducationIntake", "id")?;
        Ok(EducationIntake(
            programmes::set_seats(&state(ctx)?.db, p, id, seats).await?,
        ))
    }

    /// Apply for an intake on behalf of a referred person (provider staff): accepts a
    /// SENT referral; refused when the person is not eligible or the programme breaks
    /// the sentence's conditions.
    async fn apply_for_enrolment(
        &self,
        ctx: &Context<'_>,
        input: ApplyForEnrolmentInput,
    ) -> Result<EducationEnrolment> {
        let p = principal(ctx)?;
        let referral_id = ids::decode_as(&input.referral_id, "Referral", "input.referralId")?;
        let intake_id = ids::decode_as(&input.intake_id, "EducationIntake", "input.intakeId")?;
        let row =
            enrolments::apply(&state(ctx)?.db, p, referral_id, intake_id, input.note.as_deref()).await?;
        Ok(EducationEnrolment(row))
    }

    /// Admit an applicant (or a waitlisted person) into a seat: CONFLICT when no seat is
    /// left (two enrolments can never take the same last seat).
    async fn enrol(&self, ctx: &Context<'_>, input: EnrolmentStepInput) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::Enrol,
            DecisionDetails {
                note: input.note,
                ..Default::default()
            },
        )
        .await
    }

    /// Put an applicant on the waiting list.
    async fn waitlist_enrolment(
        &self,
        ctx: &Context<'_>,
        input: EnrolmentStepInput,
    ) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::Waitlist,
            DecisionDetails {
                note: input.note,
                ..Default::default()
            },
        )
        .await
    }

    /// Reject an application (the referral stays open for another intake).
    async fn reject_enrolment(
        &self,
        ctx: &Context<'_>,
        input: RejectEnrolmentInput,
    ) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::Reject(input.reason),
            DecisionDetails {
                note: input.note,
                ..Default::default()
            },
        )
        .await
    }

    /// The person started classes: the referral moves IN_PROGRESS.
    async fn start_attending(
        &self,
        ctx: &Context<'_>,
        input: EnrolmentStepInput,
    ) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::StartAttending,
            DecisionDetails {
                note: input.note,
                ..Default::default()
            },
        )
        .await
    }

    /// Record attendance (ATTENDING only); may raise or close the absence alert.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<EducationEnrolment> {
        let p = principal(ctx)?;
        let st = state(ctx)?;
        let entries = input
            .entries
            .into_iter()
            .map(|e| AttendanceEntry {
                on: e.on,
                period: e.period,
                status: e.status,
                note: e.note,
            })
            .collect();
        let row = attendance_service::record(
            &st.db,
            &st.modules,
            p,
            enrolment_id(&input.enrolment_id)?,
            entries,
        )
        .await?;
        Ok(EducationEnrolment(row))
    }

    /// Finish with a result (and the certificate on passing, when the programme awards
    /// one): completes the referral and writes the result onto the plan goal it serves.
    async fn complete_enrolment(
        &self,
        ctx: &Context<'_>,
        input: CompleteEnrolmentInput,
    ) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::Complete { result: input.result },
            DecisionDetails {
                note: input.note,
                certificate_number: input.certificate_number,
                certificate_date: input.certificate_date,
            },
        )
        .await
    }

    /// Set (or clear, with null or "") the provider's own reference of a programme: its
    /// staff. Unique among the provider's programmes (CONFLICT otherwise).
    async fn set_programme_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<EducationProgramme> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&id, "EducationProgramme", "id")?;
        external_id::set(db, p, PROGRAMME, id, external_id.as_deref(), Condition::all()).await?;
        Ok(EducationProgramme(
            reload(db, programme::Entity::find_by_id(id), "EducationProgramme").await?,
        ))
    }

    /// Set (or clear) the provider's own reference of an enrolment: its staff. Unique
    /// among the provider's enrolments.
    async fn set_enrolment_external_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
        external_id: Option<String>,
    ) -> Result<EducationEnrolment> {
        let p = principal(ctx)?;
        let db = &state(ctx)?.db;
        let id = ids::decode_as(&id, "EducationEnrolment", "id")?;
        external_id::set(
            db,
            p,
            ENROLMENT,
            id,
            external_id.as_deref(),
            visible_enrolments(p),
        )
        .await?;
        Ok(EducationEnrolment(
            reload(db, enrolment::Entity::find_by_id(id), "EducationEnrolment").await?,
        ))
    }

    /// The person stopped taking part: frees the seat and withdraws the referral.
    async fn drop_out(&self, ctx: &Context<'_>, input: DropOutInput) -> Result<EducationEnrolment> {
        step(
            ctx,
            &input.enrolment_id,
            Decision::DropOut(input.reason),
            DecisionDetails {
                note: input.note,
                ..Default::default()
            },
        )
        .await
    }
}
