//! Service functions over the tree: look units up and list them, within the caller's access.

use time::Date;

use super::model::{Unit, UnitCode};
use super::store;
use crate::auth::access::Roots;
use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// The unit with `code`, if the caller may see it at `at`.
pub async fn find(ctx: &mut Ctx, code: &str, at: Date) -> Result<Unit> {
    let code = UnitCode::parse(code).map_err(|c| Error::not_found("unit", c))?;
    let unit = store::by_code(&mut ctx.tx, code.as_str(), at)
        .await?
        .ok_or_else(|| Error::not_found("unit", code.as_str()))?;
    ctx.access
        .ensure_view(&mut ctx.tx, unit.id, at, &unit.code)
        .await?;
    Ok(unit)
}

/// The units under `under` (or under the caller's grants) at `at`, down to `depth` levels.
/// Without `under`, the grants' units themselves come first.
pub async fn list(ctx: &mut Ctx, under: Option<&str>, depth: i32, at: Date) -> Result<Vec<Unit>> {
    if let Some(code) = under {
        let unit = find(ctx, code, at).await?;
        return Ok(store::descendants(&mut ctx.tx, unit.id, at, depth).await?);
    }
    let roots = match ctx.access.seen_roots() {
        Roots::All => store::roots(&mut ctx.tx, at).await?,
        Roots::Units { subtrees, units } => {
            let mut roots = Vec::with_capacity(subtrees.len() + units.len());
            for id in subtrees.into_iter().chain(units) {
                roots.extend(store::by_id(&mut ctx.tx, id, at).await?);
            }
            roots
        }
    };
    let mut out = Vec::new();
    for root in roots {
        let id = root.id;
        out.push(root);
        if depth > 0 {
            out.extend(store::descendants(&mut ctx.tx, id, at, depth).await?);
        }
    }
    Ok(out)
}

/// Children of a unit at `at` (one level down).
pub async fn children(ctx: &mut Ctx, unit: &Unit, at: Date) -> Result<Vec<Unit>> {
    ctx.access
        .ensure_view(&mut ctx.tx, unit.id, at, &unit.code)
        .await?;
    Ok(store::descendants(&mut ctx.tx, unit.id, at, 1).await?)
}

/// The chain from the root down to `unit` at `at` (for breadcrumbs and the province key).
pub async fn path(ctx: &mut Ctx, unit: &Unit, at: Date) -> Result<Vec<Unit>> {
    Ok(store::ancestors(&mut ctx.tx, unit.id, at).await?)
}

/// Units whose name contains `query` ignoring case and diacritics, within what the caller
/// sees.
pub async fn search(ctx: &mut Ctx, query: &str, at: Date, limit: i64) -> Result<Vec<Unit>> {
    let folded = crate::text::fold(query);
    let within = ctx.access.seen_roots().sql("u.id", "$2");
    Ok(store::search(&mut ctx.tx, &folded, &within, at, limit).await?)
}
