//! A person's highest completed level of education, shared by the modules that match
//! people with programmes and jobs.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// Highest level of education completed, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(32))",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum EducationLevel {
    /// No formal schooling.
    None,
    /// Primary school (4 years).
    Primary,
    /// Basic secondary (9 years).
    BasicSecondary,
    /// Complete general secondary (11 years).
    Secondary,
    /// Secondary specialised or vocational (college, technikum).
    VocationalSecondary,
    Higher,
}

impl EducationLevel {
    /// Every level, lowest first.
    pub const ALL: [Self; 6] = [
        Self::None,
        Self::Primary,
        Self::BasicSecondary,
        Self::Secondary,
        Self::VocationalSecondary,
        Self::Higher,
    ];

    pub fn rank(self) -> usize {
        Self::ALL.iter().position(|l| *l == self).unwrap_or_default()
    }

    /// The GraphQL name (`BASIC_SECONDARY`).
    pub fn name(self) -> String {
        crate::enums::enum_name(self)
    }

    /// The level named `name` (`SECONDARY`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The levels at or below this one.
    pub fn at_most(self) -> Vec<Self> {
        Self::ALL[..=self.rank()].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::EducationLevel::{self, *};

    #[test]
    fn levels_are_ordered_and_named() {
        assert!(Primary.rank() < Secondary.rank());
        assert_eq!(BasicSecondary.at_most(), vec![None, Primary, BasicSecondary]);
        assert_eq!(EducationLevel::from_name("HIGHER"), Some(Higher));
        assert_eq!(EducationLevel::from_name("PHD"), Option::None);
    }
}
