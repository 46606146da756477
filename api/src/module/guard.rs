//! Per-request module enablement: what the HTTP layer attaches to each request, the
//! `visible` predicate that hides a disabled module from introspection, and the guard
//! that refuses it (hiding alone is not enforcement).

use std::collections::BTreeSet;

use async_graphql::{Context, Guard};

use crate::error::ApiError;

/// The modules enabled for the caller's organisation (available on the platform and
/// switched on by the organisation), as read at the start of this request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnabledModules(pub BTreeSet<String>);

impl EnabledModules {
    pub fn contains(&self, module: &str) -> bool {
        self.0.contains(module)
    }
}

/// Whether `module` is enabled for the caller of this request. Use it in a module's
/// `visible` functions: `fn employment_visible(ctx: &Context<'_>) -> bool { is_enabled(ctx, "employment") }`.
pub fn is_enabled(ctx: &Context<'_>, module: &str) -> bool {
    ctx.data_opt::<EnabledModules>()
        .is_some_and(|m| m.contains(module))
}

/// Refuses every field of a module's types for callers whose organisation has the module
/// disabled (`MODULE_DISABLED`), and unauthenticated callers (`UNAUTHENTICATED`).
/// Put it on each of the module's object types: `#[Object(guard = "ModuleGuard::new(\"employment\")")]`.
pub struct ModuleGuard {
    module: &'static str,
}

impl ModuleGuard {
    pub const fn new(module: &'static str) -> Self {
        Self { module }
    }
}

impl Guard for ModuleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        if crate::graphql::context::principal_opt(ctx).is_none() {
            return Err(ApiError::unauthenticated().into());
        }
        if is_enabled(ctx, self.module) {
            Ok(())
        } else {
            Err(ApiError::ModuleDisabled(self.module.to_owned()).into())
        }
    }
}
