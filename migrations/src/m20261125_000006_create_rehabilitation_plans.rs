//! The individual rehabilitation plan: one per case, goals per domain, actions owned by
//! an organisation.

use crate::helpers::{enum_str, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date_null, text, text_null};

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
enum RehabilitationPlans {
    Table,
    Id,
    CaseId,
    Status,
    Summary,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    ActivatedAt,
}

#[derive(DeriveIden)]
enum PlanGoals {
    Table,
    Id,
    PlanId,
    CaseId,
    Domain,
    Description,
    Status,
    TargetDate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanActions {
    Table,
    Id,
    GoalId,
    CaseId,
    Description,
    OwnerOrganisationId,
    DueDate,
    Status,
    CompletedAt,
    CompletedBy,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RehabilitationPlans::Table)
                    .col(id(RehabilitationPlans::Id))
                    .col(fk(RehabilitationPlans::CaseId).unique_key())
                    .col(enum_str(RehabilitationPlans::Status))
                    .col(text_null(RehabilitationPlans::Summary))
                    .col(fk(RehabilitationPlans::CreatedBy))
                    .col(ts(RehabilitationPlans::CreatedAt))
                    .col(ts(RehabilitationPlans::UpdatedAt))
                    .col(ts_null(RehabilitationPlans::ActivatedAt))
                    .foreign_key(&mut foreign(
                        RehabilitationPlans::Table,
                        RehabilitationPlans::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        RehabilitationPlans::Table,
                        RehabilitationPlans::CreatedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PlanGoals::Table)
                    .col(id(PlanGoals::Id))
                    .col(fk(PlanGoals::PlanId))
                    .col(fk(PlanGoals::CaseId))
                    .col(enum_str(PlanGoals::Domain))
                    .col(text(PlanGoals::Description))
                    .col(enum_str(PlanGoals::Status))
                    .col(date_null(PlanGoals::TargetDate))
                    .col(ts(PlanGoals::CreatedAt))
                    .col(ts(PlanGoals::UpdatedAt))
                    .foreign_key(&mut foreign(
                        PlanGoals::Table,
                        PlanGoals::PlanId,
                        RehabilitationPlans::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        PlanGoals::Table,
                        PlanGoals::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                PlanGoals::Table,
                "idx_plan_goals_plan",
                &["plan_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                PlanGoals::Table,
                "idx_plan_goals_case",
                &["case_id", "domain"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PlanActions::Table)
                    .col(id(PlanActions::Id))
                    .col(fk(PlanActions::GoalId))
                    .col(fk(PlanActions::CaseId))
                    .col(text(PlanActions::Description))
                    .col(fk(PlanActions::OwnerOrganisationId))
                    .col(sea_orm_migration::schema::date_null(PlanActions::DueDate))
                    .col(enum_str(PlanActions::Status))
                    .col(ts_null(PlanActions::CompletedAt))
                    .col(fk_null(PlanActions::CompletedBy))
                    .col(ts(PlanActions::CreatedAt))
                    .col(ts(PlanActions::UpdatedAt))
                    .foreign_key(&mut foreign(
                        PlanActions::Table,
                        PlanActions::GoalId,
                        PlanGoals::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        PlanActions::Table,
                        PlanActions::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        PlanActions::Table,
                        PlanActions::OwnerOrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        PlanActions::Table,
                        PlanActions::CompletedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols) in [
            ("idx_plan_actions_goal", &["goal_id", "id"][..]),
            (
                "idx_plan_actions_owner",
                &["owner_organisation_id", "status", "id"][..],
            ),
            ("idx_plan_actions_case", &["case_id"][..]),
        ] {
            manager
                .create_index(index(PlanActions::Table, name, cols, false))
                .await?;
        }
        Ok(())
    }
}
