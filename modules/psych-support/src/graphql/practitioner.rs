//! Practitioners and the providers they work for.

use async_graphql::{Context, ID, InputObject, Object, Result};
use hamkor_api::graphql::context::loaders;
use hamkor_api::ids;
use hamkor_api::loaders::one;
use hamkor_api::module::ModuleGuard;
use hamkor_api::organisation::graphql::Organisation;
use hamkor_api::user::graphql::User;

use super::psych_visible;
use crate::ID as MODULE;
use crate::entity::{Specialism, TagKind};
use crate::service::practitioners::PractitionerView;
use crate::service::providers::Provider;

/// A psychologist of a provider organisation.
#[derive(Clone)]
pub struct Practitioner(pub PractitionerView);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl Practitioner {
    async fn id(&self) -> ID {
        ids::encode("Practitioner", self.0.model.id)
    }
    /// The practitioner's user account.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(one(&loaders(ctx)?.users, self.0.model.user_id).await?.map(User))
    }
    async fn specialisms(&self) -> Vec<Specialism> {
        self.0
            .tags
            .iter()
            .filter(|t| t.tag_kind == TagKind::Specialism)
            .filter_map(|t| serde_json::from_value(serde_json::Value::String(t.code.clone())).ok())
            .collect()
    }
    /// Languages the practitioner works in (ISO 639 codes).
    async fn languages(&self) -> Vec<&str> {
        self.0
            .tags
            .iter()
            .filter(|t| t.tag_kind == TagKind::Language)
            .map(|t| t.code.as_str())
            .collect()
    }
    /// Whether new referrals and sessions may be given to them.
    async fn active(&self) -> bool {
        self.0.model.active
    }
}

/// An organisation that delivers psychological support, with what its active
/// practitioners offer (their names stay with the organisation).
pub struct PsychProvider(pub Provider);

#[Object(visible = "super::psych_visible", guard = "ModuleGuard::new(MODULE)")]
impl PsychProvider {
    async fn organisation(&self) -> Organisation {
        Organisation(self.0.organisation.clone())
    }
    /// Active practitioners.
    async fn practitioner_count(&self) -> i32 {
        i32::try_from(self.0.offer.practitioners).unwrap_or(i32::MAX)
    }
    async fn specialisms(&self) -> Vec<Specialism> {
        self.0
            .offer
            .specialisms
            .iter()
            .filter_map(|c| serde_json::from_value(serde_json::Value::String(c.clone())).ok())
            .collect()
    }
    async fn languages(&self) -> Vec<&str> {
        self.0.offer.languages.iter().map(String::as_str).collect()
    }
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PractitionerFilterInput {
    pub specialism: Option<Specialism>,
    /// A language code (`uz`, `ru`, `kaa`).
    pub language: Option<String>,
    pub active: Option<bool>,
}

#[derive(InputObject, Default)]
#[graphql(visible = "psych_visible")]
pub struct PsychProviderFilterInput {
    /// Only providers with an active practitioner of this specialism.
    pub specialism: Option<Specialism>,
    /// Only providers with an active practitioner who works in this language.
    pub language: Option<String>,
}

#[derive(InputObject)]
#[graphql(visible = "psych_visible")]
pub struct SavePractitionerInput {
    /// A PARTNER_STAFF user of the caller's organisation.
    pub user_id: ID,
    pub specialisms: Vec<Specialism>,
    /// Language codes (`uz`, `ru`, `kaa`).
    pub languages: Vec<String>,
    #[graphql(default = true)]
    pub active: bool,
}
