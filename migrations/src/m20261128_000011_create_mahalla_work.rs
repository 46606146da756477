//! The mahalla at work: the roster of the "seven", prevention programmes with their
//! activities, tasks for the seven on a case, and joint case conferences.
//!
//! One function per table, by area: `roster.rs`, `programmes.rs`, `conferences.rs`,
//! `tasks.rs`; the tables are created in the order their foreign keys need.

mod conferences;
mod programmes;
mod roster;
mod tasks;

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
}

#[derive(DeriveIden)]
enum Mahallas {
    Table,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
}

#[derive(DeriveIden)]
enum PlanActions {
    Table,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        roster::create_members(manager).await?;
        programmes::create_programmes(manager).await?;
        programmes::create_activities(manager).await?;
        programmes::create_activity_cases(manager).await?;
        conferences::create_conferences(manager).await?;
        conferences::create_conference_cases(manager).await?;
        conferences::create_participants(manager).await?;
        conferences::create_minutes(manager).await?;
        tasks::create_tasks(manager).await?;
        conferences::create_decisions(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "conference_decisions",
            "mahalla_tasks",
            "conference_minutes",
            "conference_participants",
            "conference_cases",
            "case_conferences",
            "programme_activity_cases",
            "programme_activities",
            "prevention_programmes",
            "mahalla_members",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
