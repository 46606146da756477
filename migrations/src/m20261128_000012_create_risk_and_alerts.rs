//! Risk assessments, early-warning alerts with their per-organisation rule settings, the
//! cursor of the core's own outbox consumer, and the indexes the analytics need.

use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, boolean, date, integer, integer_null, json_binary_null, string_len, text, text_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
}
#[derive(DeriveIden)]
enum Users {
    Table,
}
#[derive(DeriveIden)]
enum Organisations {
    Table,
}
#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RiskAssessments {
    Table,
    Id,
    CaseId,
    InstrumentVersion,
    AgeAtFirstOffence,
    PriorConvictions,
    OffenceType,
    NeedEmployment,
    NeedEducation,
    NeedHousing,
    NeedFamilySupport,
    NeedPeers,
    NeedSubstanceUse,
    NeedAttitudes,
    NeedMentalHealth,
    StaticScore,
    DynamicScore,
    Total,
    ComputedLevel,
    Level,
    OverrideReason,
    OverriddenBy,
    OverriddenAt,
    ReassessmentDue,
    PreviousId,
    Superseded,
    AssessedBy,
    AssessedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    CaseId,
    OrganisationId,
    Rule,
    DedupKey,
    Severity,
    Status,
    Reason,
    ActingRole,
    AssigneeId,
    SubjectId,
    Suggestion,
    SourceEventId,
    RaisedAt,
    AcknowledgedAt,
    AcknowledgedBy,
    AcknowledgeNote,
    ResolvedAt,
    ResolvedBy,
    ResolutionNote,
}

#[derive(DeriveIden)]
enum AlertRuleSettings {
    Table,
    OrganisationId,
    Rule,
    Enabled,
    Threshold,
    WindowDays,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EventConsumers {
    Table,
    Name,
    Position,
}

/// The name of the early-warning consumer's cursor row.
const EARLY_WARNING: &str = "early_warning";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_risk_assessments(manager).await?;
        create_alerts(manager).await?;
        create_settings_and_cursor(manager).await?;
        // Analytics: figures of a period per territory join cases to their records by
        // case and time; these let both databases answer from the index alone.
        manager
            .create_index(index(
                Alias::new("appointments"),
                "idx_appointments_case_scheduled_outcome",
                &["case_id", "scheduled_at", "outcome"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                Alias::new("violations"),
                "idx_violations_case_occurred",
                &["case_id", "occurred_at"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("violations", "idx_violations_case_occurred"),
            ("appointments", "idx_appointments_case_scheduled_outcome"),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        for table in [
            "event_consumers",
            "alert_rule_settings",
            "alerts",
            "risk_assessments",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_risk_assessments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use RiskAssessments as R;
    let mut t = Table::create();
    t.table(R::Table)
        .col(id(R::Id))
        .col(fk(R::CaseId))
        .col(string_len(R::InstrumentVersion, 32))
        .col(integer(R::AgeAtFirstOffence))
        .col(integer(R::PriorConvictions))
        .col(enum_str(R::OffenceType));
    for need in [
        R::NeedEmployment,
        R::NeedEducation,
        R::NeedHousing,
        R::NeedFamilySupport,
        R::NeedPeers,
        R::NeedSubstanceUse,
        R::NeedAttitudes,
        R::NeedMentalHealth,
    ] {
        t.col(integer(need));
    }
    t.col(integer(R::StaticScore))
        .col(integer(R::DynamicScore))
        .col(integer(R::Total))
        .col(enum_str(R::ComputedLevel))
        .col(enum_str(R::Level))
        .col(text_null(R::OverrideReason))
        .col(fk_null(R::OverriddenBy))
        .col(ts_null(R::OverriddenAt))
        .col(date(R::ReassessmentDue))
        .col(fk_null(R::PreviousId))
        .col(boolean(R::Superseded))
        .col(fk(R::AssessedBy))
        .col(ts(R::AssessedAt))
        .foreign_key(&mut foreign(
            R::Table,
            R::CaseId,
            Cases::Table,
            ForeignKeyAction::Cascade,
        ))
        .foreign_key(&mut foreign(
            R::Table,
            R::OverriddenBy,
            Users::Table,
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut foreign(
            R::Table,
            R::PreviousId,
            R::Table,
            ForeignKeyAction::SetNull,
        ))
        .foreign_key(&mut foreign(
            R::Table,
            R::AssessedBy,
            Users::Table,
            ForeignKeyAction::Restrict,
        ));
    manager.create_table(t.take()).await?;
    for (name, cols) in [
        ("idx_risk_assessments_case", &["case_id", "id"][..]),
        (
            "idx_risk_assessments_due",
            &["superseded", "reassessment_due"][..],
        ),
    ] {
        manager.create_index(index(R::Table, name, cols, false)).await?;
    }
    Ok(())
}

async fn create_alerts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use Alerts as A;
    manager
        .create_table(
            Table::create()
                .table(A::Table)
                .col(id(A::Id))
                .col(fk(A::CaseId))
                .col(fk(A::OrganisationId))
                .col(string_len(A::Rule, 64))
                .col(string_len(A::DedupKey, 200))
                .col(enum_str(A::Severity))
                .col(enum_str(A::Status))
                .col(text(A::Reason))
                .col(enum_str(A::ActingRole))
                .col(fk_null(A::AssigneeId))
                .col(big_integer(A::SubjectId).null())
                .col(json_binary_null(A::Suggestion))
                .col(big_integer(A::SourceEventId).null())
                .col(ts(A::RaisedAt))
                .col(ts_null(A::AcknowledgedAt))
                .col(fk_null(A::AcknowledgedBy))
                .col(text_null(A::AcknowledgeNote))
                .col(ts_null(A::ResolvedAt))
                .col(fk_null(A::ResolvedBy))
                .col(text_null(A::ResolutionNote))
                .foreign_key(&mut foreign(
                    A::Table,
                    A::CaseId,
                    Cases::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    A::Table,
                    A::OrganisationId,
                    Organisations::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    A::Table,
                    A::AssigneeId,
                    Users::Table,
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut foreign(
                    A::Table,
                    A::AcknowledgedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign(
                    A::Table,
                    A::ResolvedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    for (name, cols, unique) in [
        ("idx_alerts_dedup", &["dedup_key"][..], true),
        ("idx_alerts_case", &["case_id", "id"][..], false),
        ("idx_alerts_case_raised", &["case_id", "raised_at"][..], false),
        ("idx_alerts_status", &["status", "id"][..], false),
        ("idx_alerts_rule_subject", &["rule", "subject_id"][..], false),
    ] {
        manager.create_index(index(A::Table, name, cols, unique)).await?;
    }
    Ok(())
}

async fn create_settings_and_cursor(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    use AlertRuleSettings as S;
    manager
        .create_table(
            Table::create()
                .table(S::Table)
                .col(fk(S::OrganisationId))
                .col(string_len(S::Rule, 64))
                .col(boolean(S::Enabled))
                .col(integer_null(S::Threshold))
                .col(integer_null(S::WindowDays))
                .col(fk(S::UpdatedBy))
                .col(ts(S::UpdatedAt))
                .primary_key(Index::create().col(S::OrganisationId).col(S::Rule))
                .foreign_key(&mut foreign(
                    S::Table,
                    S::OrganisationId,
                    Organisations::Table,
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign(
                    S::Table,
                    S::UpdatedBy,
                    Users::Table,
                    ForeignKeyAction::Restrict,
                ))
                .take(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(EventConsumers::Table)
                .col(string_len(EventConsumers::Name, 64).primary_key())
                .col(big_integer(EventConsumers::Position))
                .take(),
        )
        .await?;
    // The consumer starts after the events already committed: an upgrade must not raise
    // alerts for the whole of the platform's history.
    let start = Query::select()
        .expr(Expr::val(EARLY_WARNING))
        .expr(Expr::col(DomainEvents::Id).max().if_null(0i64))
        .from(DomainEvents::Table)
        .to_owned();
    let insert = Query::insert()
        .into_table(EventConsumers::Table)
        .columns([EventConsumers::Name, EventConsumers::Position])
        .select_from(start)
        .map_err(|e| DbErr::Migration(e.to_string()))?
        .to_owned();
    manager.exec_stmt(insert).await?;
    Ok(())
}
