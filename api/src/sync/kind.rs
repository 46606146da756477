//! The kind of a synced record: one of the core's ([`SyncKind`]), or one a module
//! declares ([`crate::sync::source::SyncSource`], keyed `<module id>.<name>`). Stored as
//! text in the sync tables: a core kind by its enumeration name (`APPOINTMENT`), a
//! module's by its key (`<module id>.<name>`) — the two never collide.

use sea_orm::ActiveEnum;

use crate::enums::enum_name;
use crate::module::Registry;
use crate::sync::entity::SyncKind;

/// A kind of record a device keeps.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Core(SyncKind),
    /// A module's kind, by its key.
    Module(String),
}

impl RecordKind {
    /// As stored in the sync tables.
    pub fn stored(&self) -> String {
        match self {
            Self::Core(k) => enum_name(*k),
            Self::Module(key) => key.clone(),
        }
    }

    /// From its stored form.
    pub fn from_stored(s: &str) -> Self {
        match SyncKind::try_from_value(&s.to_owned()).ok() {
            Some(k) if k != SyncKind::Module => Self::Core(k),
            _ => Self::Module(s.to_owned()),
        }
    }

    /// The kind as the API names it (`MODULE` for a module's, with [`Self::module_kind`]).
    pub fn kind(&self) -> SyncKind {
        match self {
            Self::Core(k) => *k,
            Self::Module(_) => SyncKind::Module,
        }
    }

    /// A module's key (`<module id>.<name>`).
    pub fn module_kind(&self) -> Option<&str> {
        match self {
            Self::Core(_) => None,
            Self::Module(key) => Some(key),
        }
    }

    /// The global type name of the kind's ids (a module kind no longer compiled in is
    /// named by its key).
    pub fn type_name(&self, registry: &Registry) -> String {
        match self {
            Self::Core(k) => core_type_name(*k).to_owned(),
            Self::Module(key) => registry
                .sync_source(key)
                .map_or_else(|| key.clone(), |(_, s)| s.type_name().to_owned()),
        }
    }
}

/// The global type name of each core kind's ids.
pub fn core_type_name(kind: SyncKind) -> &'static str {
    match kind {
        SyncKind::Case => "Case",
        SyncKind::Appointment => "Appointment",
        SyncKind::CaseNote => "CaseNote",
        SyncKind::MahallaTask => "MahallaTask",
        SyncKind::ProgrammeActivity => "ProgrammeActivity",
        SyncKind::Module => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_and_module_kinds_read_back_from_their_stored_form() {
        for k in [
            RecordKind::Core(SyncKind::Appointment),
            RecordKind::Module("probe.visit".into()),
        ] {
            assert_eq!(RecordKind::from_stored(&k.stored()), k);
        }
        assert_eq!(
            RecordKind::from_stored("MODULE"),
            RecordKind::Module("MODULE".into())
        );
    }
}
