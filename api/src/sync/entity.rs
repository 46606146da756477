//! Tables of offline sync: devices, what each device was sent, pushed changes, conflicts.

crate::string_enum! {
    /// A kind of record a field device keeps.
    SyncKind {
        /// A case the caller may see (its basic facts; read-only on the phone).
        Case,
        /// An appointment or check-in.
        Appointment,
        /// A case note readable at the caller's level.
        CaseNote,
        /// A task for a member of the seven.
        MahallaTask,
        /// An activity of a mahalla's prevention programme (read-only on the phone).
        ProgrammeActivity,
        /// A kind a module declares (`moduleKind` names it, `<module id>.<name>`),
        /// synced only where the caller's organisation has the module enabled.
        Module,
    }

    /// What came of one pushed change.
    SyncChangeStatus {
        /// Every field applied.
        Applied,
        /// The fields only the phone changed were applied; the others are conflicts.
        Conflict,
        /// Nothing applied: see the error (INVALID_TRANSITION, NOT_FOUND, …).
        Rejected,
    }

    /// How a conflict was settled.
    SyncResolution {
        /// The server's value stands.
        KeepServer,
        /// The phone's value is applied.
        TakePhone,
        /// A value given by the person resolving.
        Value,
    }
}

pub mod device {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sync_devices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub organisation_id: i64,
        /// The app's own identifier of the installation.
        pub device_key: String,
        pub model: String,
        pub app_version: String,
        pub registered_at: DateTimeUtc,
        pub last_seen_at: Option<DateTimeUtc>,
        pub revoked_at: Option<DateTimeUtc>,
        pub revoked_by: Option<i64>,
        /// The number of the last page sent.
        pub pull_seq: i64,
        /// The last page the device confirmed (by asking for the next one).
        pub acked_seq: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod shadow {
    use sea_orm::entity::prelude::*;

    /// One record a device was sent: its version, the page it went in, and whether what
    /// went was its tombstone.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sync_shadow")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub device_id: i64,
        /// The record's kind, stored as `RecordKind::stored`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_id: i64,
        pub version: i64,
        pub sent_seq: i64,
        pub gone: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod change {
    use super::SyncChangeStatus;
    use sea_orm::entity::prelude::*;

    /// A pushed change and the answer given (a replay is answered from here).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sync_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub device_id: i64,
        pub client_change_id: String,
        /// Stored as `RecordKind::stored`.
        pub kind: String,
        /// The phone's id of a record it created.
        pub client_id: Option<String>,
        pub record_id: Option<i64>,
        pub status: SyncChangeStatus,
        pub result: Json,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod conflict {
    use super::SyncResolution;
    use sea_orm::entity::prelude::*;

    /// A field both the phone and someone else changed to different values.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sync_conflicts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub device_id: i64,
        /// Whose change it was.
        pub user_id: i64,
        pub case_id: i64,
        pub change_id: i64,
        /// Stored as `RecordKind::stored`.
        pub kind: String,
        pub record_id: i64,
        pub field: String,
        pub base_value: Option<Json>,
        pub phone_value: Option<Json>,
        pub server_value: Option<Json>,
        pub created_at: DateTimeUtc,
        pub resolved_at: Option<DateTimeUtc>,
        pub resolved_by: Option<i64>,
        pub resolution: Option<SyncResolution>,
        pub resolved_value: Option<Json>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
