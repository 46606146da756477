//! The employment module's rules and SQL, below the GraphQL layer: plain functions of
//! the database and the caller.

pub mod application_search;
pub mod applications;
pub mod candidates;
pub mod employers;
pub mod matches;
pub mod outcomes;
pub mod profiles;
pub mod retention;
pub mod vacancies;
pub mod vacancy_search;

use hamkor_api::auth::principal::Principal;
use hamkor_api::error::ApiResult;
use hamkor_api::module::Registry;
use hamkor_api::module::service::config_for;
use sea_orm::ConnectionTrait;

pub use hamkor_api::access::{PARTNER_ROLES, require_partner_staff};

use crate::matching::Weights;
use crate::{EmploymentConfig, ID};

/// The matching weights of the caller's organisation (its configuration of the module).
pub async fn weights<C: ConnectionTrait>(db: &C, registry: &Registry, p: &Principal) -> ApiResult<Weights> {
    let config = config_for(db, registry, p.organisation_id, ID).await?;
    Ok(EmploymentConfig::from_json(config.as_ref()).weights)
}
