//! Service functions over the tree: look units up and list them, within the caller's scope.

use time::Date;

use super::model::{Unit, UnitCode};
use super::store;
use crate::auth::scope::{Roots, Scope};
use crate::error::{Error, Result};
use crate::store::Tx;

/// The unit with `code`, if the caller may see it at `at`.
pub async fn find(tx: &mut Tx, scope: &Scope, code: &str, at: Date) -> Result<Unit> {
    let code = UnitCode::parse(code).map_err(|c| Error::not_found("unit", c))?;
    let unit = store::by_code(tx, code.as_str(), at).await?.ok_or_else(|| Error::not_found("unit", code.as_str()))?;
    scope.ensure_view(tx, unit.id, at, &unit.code).await?;
    Ok(unit)
}

/// The units under `under` (or under the caller's roots) at `at`, down to `depth` levels.
/// Without `under`, the roots themselves come first.
pub async fn list(tx: &mut Tx, scope: &Scope, under: Option<&str>, depth: i32, at: Date) -> Result<Vec<Unit>> {
    if let Some(code) = under {
        let unit = find(tx, scope, code, at).await?;
        return Ok(store::descendants(tx, unit.id, at, depth).await?);
    }
    let roots = match scope.view_roots() {
        Roots::All => store::roots(tx, at).await?,
        Roots::Units(ids) => {
            let mut units = Vec::with_capacity(ids.len());
            for &id in ids {
                units.extend(store::by_id(tx, id, at).await?);
            }
            units
        }
    };
    let mut out = Vec::new();
    for root in roots {
        let id = root.id;
        out.push(root);
        if depth > 0 {
            out.extend(store::descendants(tx, id, at, depth).await?);
        }
    }
    Ok(out)
}

/// Children of a unit at `at` (one level down).
pub async fn children(tx: &mut Tx, scope: &Scope, unit: &Unit, at: Date) -> Result<Vec<Unit>> {
    scope.ensure_view(tx, unit.id, at, &unit.code).await?;
    Ok(store::descendants(tx, unit.id, at, 1).await?)
}

/// The chain from the root down to `unit` at `at` (for breadcrumbs and the province key).
pub async fn path(tx: &mut Tx, unit: &Unit, at: Date) -> Result<Vec<Unit>> {
    Ok(store::ancestors(tx, unit.id, at).await?)
}

/// Units whose name contains `query` ignoring case and diacritics, within the caller's scope.
pub async fn search(tx: &mut Tx, scope: &Scope, query: &str, at: Date, limit: i64) -> Result<Vec<Unit>> {
    let folded = crate::text::fold(query);
    let roots = match scope.view_roots() {
        Roots::All => None,
        Roots::Units(ids) => Some(ids.as_slice()),
    };
    Ok(store::search(tx, &folded, roots, at, limit).await?)
}
