//! A referral may name the rehabilitation-plan goal it serves, so that what the partner
//! achieves (a completed course, a job kept, a closed support plan) lands on that goal.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Plain SQL: both backends accept a nullable column with a reference added to an
        // existing table (sea-query cannot express the foreign key for SQLite's ALTER).
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE referrals ADD COLUMN plan_goal_id BIGINT NULL REFERENCES plan_goals (id)",
        )
        .await?;
        db.execute_unprepared("CREATE INDEX idx_referrals_plan_goal ON referrals (plan_goal_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX idx_referrals_plan_goal")
            .await?;
        db.execute_unprepared("ALTER TABLE referrals DROP COLUMN plan_goal_id")
            .await?;
        Ok(())
    }
}
