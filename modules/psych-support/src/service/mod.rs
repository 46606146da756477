//! The module's rules and SQL, below the GraphQL layer: plain functions of the database
//! and the caller. Every change is validated, authorised (`crate::access`), audited and
//! emits its domain event (`record`) in one transaction.

pub mod closing;
pub mod notes;
pub mod plans;
pub mod practitioners;
pub mod providers;
pub mod record;
pub mod screenings;
pub mod session_search;
pub mod sessions;
pub mod support;
pub mod support_search;

use hamkor_api::pagination::Paged;

/// `paged` with its rows replaced by `rows` (the same rows, as views).
fn with_rows<M, N>(paged: Paged<M>, rows: Vec<N>) -> Paged<N> {
    Paged {
        rows,
        has_next: paged.has_next,
        page: paged.page,
        total: paged.total,
    }
}
