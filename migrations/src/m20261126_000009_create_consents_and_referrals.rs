//! Consents a person gives for sharing their data, and referrals of a case to partner
//! organisations, with every transition recorded.

use crate::helpers::{enum_str, enum_str_null, fk, fk_null, foreign, id, index, ts, ts_null};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{json_binary, string_len, string_len_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
}
#[derive(DeriveIden)]
enum Organisations {
    Table,
}
#[derive(DeriveIden)]
enum Persons {
    Table,
}
#[derive(DeriveIden)]
enum Cases {
    Table,
}

#[derive(DeriveIden)]
enum Consents {
    Table,
    Id,
    PersonId,
    OrganisationId,
    OrganisationKind,
    Purpose,
    DataScope,
    GivenAt,
    ExpiresAt,
    Evidence,
    RecordedBy,
    RecordedByOrganisationId,
    WithdrawnAt,
    WithdrawnBy,
    WithdrawalReason,
    WithdrawalNote,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    CaseId,
    PersonId,
    ModuleId,
    Kind,
    FromOrganisationId,
    ToOrganisationId,
    Status,
    Summary,
    Payload,
    ExternalId,
    ConsentId,
    LegalBasis,
    LegalBasisNote,
    SentAt,
    FirstResponseDueAt,
    RespondedAt,
    ClosedAt,
    DeclineReason,
    CancelReason,
    WithdrawalReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReferralTransitions {
    Table,
    Id,
    ReferralId,
    FromStatus,
    ToStatus,
    Reason,
    Note,
    ActorUserId,
    ActorOrganisationId,
    At,
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
                    .table(Consents::Table)
                    .col(id(Consents::Id))
                    .col(fk(Consents::PersonId))
                    .col(fk_null(Consents::OrganisationId))
                    .col(enum_str_null(Consents::OrganisationKind))
                    .col(string_len(Consents::Purpose, 64))
                    .col(json_binary(Consents::DataScope))
                    .col(ts(Consents::GivenAt))
                    .col(ts_null(Consents::ExpiresAt))
                    .col(text(Consents::Evidence))
                    .col(fk(Consents::RecordedBy))
                    .col(fk(Consents::RecordedByOrganisationId))
                    .col(ts_null(Consents::WithdrawnAt))
                    .col(fk_null(Consents::WithdrawnBy))
                    .col(enum_str_null(Consents::WithdrawalReason))
                    .col(text_null(Consents::WithdrawalNote))
                    .col(ts(Consents::CreatedAt))
                    .foreign_key(&mut foreign(
                        Consents::Table,
                        Consents::PersonId,
                        Persons::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        Consents::Table,
                        Consents::OrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Consents::Table,
                        Consents::RecordedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Consents::Table,
                        Consents::RecordedByOrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Consents::Table,
                        Consents::WithdrawnBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                Consents::Table,
                "idx_consents_person",
                &["person_id", "id"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(id(Referrals::Id))
                    .col(fk(Referrals::CaseId))
                    .col(fk(Referrals::PersonId))
                    .col(string_len(Referrals::ModuleId, 64))
                    .col(string_len(Referrals::Kind, 64))
                    .col(fk(Referrals::FromOrganisationId))
                    .col(fk(Referrals::ToOrganisationId))
                    .col(enum_str(Referrals::Status))
                    .col(text(Referrals::Summary))
                    .col(json_binary(Referrals::Payload))
                    .col(string_len_null(Referrals::ExternalId, 128))
                    .col(fk_null(Referrals::ConsentId))
                    .col(enum_str_null(Referrals::LegalBasis))
                    .col(text_null(Referrals::LegalBasisNote))
                    .col(ts_null(Referrals::SentAt))
                    .col(ts_null(Referrals::FirstResponseDueAt))
                    .col(ts_null(Referrals::RespondedAt))
                    .col(ts_null(Referrals::ClosedAt))
                    .col(enum_str_null(Referrals::DeclineReason))
                    .col(enum_str_null(Referrals::CancelReason))
                    .col(enum_str_null(Referrals::WithdrawalReason))
                    .col(fk(Referrals::CreatedBy))
                    .col(ts(Referrals::CreatedAt))
                    .col(ts(Referrals::UpdatedAt))
                    .foreign_key(&mut foreign(
                        Referrals::Table,
                        Referrals::CaseId,
                        Cases::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        Referrals::Table,
                        Referrals::PersonId,
                        Persons::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut foreign(
                        Referrals::Table,
                        Referrals::FromOrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Referrals::Table,
                        Referrals::ToOrganisationId,
                        Organisations::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Referrals::Table,
                        Referrals::ConsentId,
                        Consents::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut foreign(
                        Referrals::Table,
                        Referrals::CreatedBy,
                        Users::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "idx_referrals_to",
                &["to_organisation_id", "status", "id"][..],
                false,
            ),
            (
                "idx_referrals_from",
                &["from_organisation_id", "status", "id"][..],
                false,
            ),
            ("idx_referrals_case", &["case_id", "id"][..], false),
            ("idx_referrals_consent", &["consent_id"][..], false),
            (
                "idx_referrals_due",
                &["status", "first_response_due_at"][..],
                false,
            ),
            (
                "idx_referrals_external",
                &["to_organisation_id", "external_id"][..],
                true,
            ),
        ] {
            manager
                .create_index(index(Referrals::Table, name, cols, unique))
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ReferralTransitions::Table)
                    .col(id(ReferralTransitions::Id))
                    .col(fk(ReferralTransitions::ReferralId))
                    .col(enum_str_null(ReferralTransitions::FromStatus))
                    .col(enum_str(ReferralTransitions::ToStatus))
                    .col(enum_str_null(ReferralTransitions::Reason))
                    .col(text_null(ReferralTransitions::Note))
                    .col(fk_null(ReferralTransitions::ActorUserId))
                    .col(fk_null(ReferralTransitions::ActorOrganisationId))
                    .col(ts(ReferralTransitions::At))
                    .foreign_key(&mut foreign(
                        ReferralTransitions::Table,
                        ReferralTransitions::ReferralId,
                        Referrals::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                ReferralTransitions::Table,
                "idx_referral_transitions_referral",
                &["referral_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }
}
