//! The Relay `Node` interface over every object with a global id. It lives in the
//! assembly because an async-graphql interface is a closed enum: it must name every
//! member, core and module types alike.

use async_graphql::{Context, ID, Interface, Object, Result};
use hamkor_api::alert::graphql::{Alert, fetch_alert};
use hamkor_api::audit::graphql::{AuditEvent, fetch_audit_event};
use hamkor_api::case::graphql::{Case, CaseCondition, fetch_case, fetch_condition};
use hamkor_api::consent::graphql::{Consent, fetch_consent};
use hamkor_api::error::ApiError;
use hamkor_api::events::graphql::{DomainEvent, fetch_event};
use hamkor_api::graphql::context::principal;
use hamkor_api::ids;
use hamkor_api::mahalla::graphql::{
    CaseConference, MahallaMember, MahallaTask, PreventionProgramme, fetch_conference, fetch_member,
    fetch_programme, fetch_task,
};
use hamkor_api::organisation::graphql::{Organisation, fetch_organisation};
use hamkor_api::person::graphql::{Person, fetch_person};
use hamkor_api::plan::graphql::{
    PlanAction, PlanGoal, RehabilitationPlan, fetch_action, fetch_goal, fetch_plan,
};
use hamkor_api::referral::graphql::{Referral, fetch_referral};
use hamkor_api::risk::graphql::{RiskAssessment, fetch_assessment};
use hamkor_api::supervision::graphql::{
    Appointment, CaseNote, Violation, fetch_appointment, fetch_note, fetch_violation,
};
use hamkor_api::sync::graphql::{SyncConflict, SyncDevice, fetch_conflict, fetch_device};
use hamkor_api::territory::graphql::{
    District, Mahalla, Region, fetch_district, fetch_mahalla, fetch_region,
};
use hamkor_api::user::graphql::{User, fetch_user};
use hamkor_api::webhook::graphql::{WebhookDelivery, WebhookEndpoint, fetch_delivery, fetch_endpoint};

/// An object with a global id that `node(id)` refetches.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global, opaque identifier."))]
pub enum Node {
    Region(Region),
    District(District),
    Mahalla(Mahalla),
    Organisation(Organisation),
    User(User),
    Person(Person),
    Case(Case),
    CaseCondition(CaseCondition),
    Appointment(Appointment),
    Violation(Violation),
    CaseNote(CaseNote),
    RehabilitationPlan(RehabilitationPlan),
    PlanGoal(PlanGoal),
    PlanAction(PlanAction),
    AuditEvent(AuditEvent),
    Referral(Referral),
    Consent(Consent),
    DomainEvent(DomainEvent),
    MahallaMember(MahallaMember),
    PreventionProgramme(PreventionProgramme),
    MahallaTask(MahallaTask),
    CaseConference(CaseConference),
    RiskAssessment(RiskAssessment),
    Alert(Alert),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    SyncDevice(SyncDevice),
    SyncConflict(SyncConflict),
}

/// Most ids `nodes` accepts at once.
pub const MAX_NODES: usize = 100;

async fn resolve(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
    let Some((type_name, n)) = ids::decode(id) else {
        return Ok(None);
    };
    // Each fetch applies the same access rules as the type's own query: an object the
    // caller may not see resolves to null, exactly like one that does not exist.
    Ok(match type_name.as_str() {
        "Region" => fetch_region(ctx, n).await?.map(Node::Region),
        "District" => fetch_district(ctx, n).await?.map(Node::District),
        "Mahalla" => fetch_mahalla(ctx, n).await?.map(Node::Mahalla),
        "Organisation" => fetch_organisation(ctx, n).await?.map(Node::Organisation),
        "User" => fetch_user(ctx, n).await?.map(Node::User),
        "Person" => fetch_person(ctx, n).await?.map(Node::Person),
        "Case" => fetch_case(ctx, n).await?.map(Node::Case),
        "CaseCondition" => fetch_condition(ctx, n).await?.map(Node::CaseCondition),
        "Appointment" => fetch_appointment(ctx, n).await?.map(Node::Appointment),
        "Violation" => fetch_violation(ctx, n).await?.map(Node::Violation),
        "CaseNote" => fetch_note(ctx, n).await?.map(Node::CaseNote),
        "RehabilitationPlan" => fetch_plan(ctx, n).await?.map(Node::RehabilitationPlan),
        "PlanGoal" => fetch_goal(ctx, n).await?.map(Node::PlanGoal),
        "PlanAction" => fetch_action(ctx, n).await?.map(Node::PlanAction),
        "AuditEvent" => fetch_audit_event(ctx, n).await?.map(Node::AuditEvent),
        "Referral" => fetch_referral(ctx, n).await?.map(Node::Referral),
        "Consent" => fetch_consent(ctx, n).await?.map(Node::Consent),
        "DomainEvent" => fetch_event(ctx, n).await?.map(Node::DomainEvent),
        "MahallaMember" => fetch_member(ctx, n).await?.map(Node::MahallaMember),
        "PreventionProgramme" => fetch_programme(ctx, n).await?.map(Node::PreventionProgramme),
        "MahallaTask" => fetch_task(ctx, n).await?.map(Node::MahallaTask),
        "CaseConference" => fetch_conference(ctx, n).await?.map(Node::CaseConference),
        "RiskAssessment" => fetch_assessment(ctx, n).await?.map(Node::RiskAssessment),
        "Alert" => fetch_alert(ctx, n).await?.map(Node::Alert),
        "WebhookEndpoint" => fetch_endpoint(ctx, n).await?.map(Node::WebhookEndpoint),
        "WebhookDelivery" => fetch_delivery(ctx, n).await?.map(Node::WebhookDelivery),
        "SyncDevice" => fetch_device(ctx, n).await?.map(Node::SyncDevice),
        "SyncConflict" => fetch_conflict(ctx, n).await?.map(Node::SyncConflict),
        _ => None,
    })
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Refetch any object by its global id; null when it does not exist or the caller
    /// may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        principal(ctx)?;
        resolve(ctx, &id).await
    }

    /// Refetch several objects (at most 100), in the order of `ids`.
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        principal(ctx)?;
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input("ids", format!("at most {MAX_NODES} ids")).into());
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(resolve(ctx, id).await?);
        }
        Ok(out)
    }
}
