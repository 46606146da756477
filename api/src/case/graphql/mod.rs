//! GraphQL types and operations of cases and their conditions.

mod case;
mod condition;
mod mutation;
mod query;

pub use case::{Case, CaseAccessLevel, case_of, fetch_case};
pub use condition::{CaseCondition, CaseConditionInput, CaseStatusChange, fetch_condition};
pub use mutation::{CaseMutation, CreateCaseInput, UpdateCaseInput};
pub use query::{CaseFilterInput, CaseQuery};
