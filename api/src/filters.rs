//! Small SQL building blocks shared by list filters.

use sea_orm::ColumnTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr};

use crate::error::{ApiError, ApiResult};

/// Longest search text accepted.
pub const MAX_SEARCH_LEN: usize = 100;

/// Case-insensitive "contains" on a text column, with LIKE wildcards in the needle escaped.
pub fn contains_ci<C: ColumnTrait>(col: C, needle: &str) -> SimpleExpr {
    let escaped = needle
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

/// A validated search text (trimmed, bounded); empty means no search.
pub fn search_text(field: &str, value: Option<&str>) -> ApiResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > MAX_SEARCH_LEN => Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_SEARCH_LEN} characters"),
        )),
        Some(v) => Ok(Some(v.to_owned())),
    }
}
