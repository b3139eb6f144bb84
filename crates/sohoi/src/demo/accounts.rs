//! Demo accounts at each level: the centre, a province, a commune and a branch.

use crate::auth::password::Password;
use crate::auth::users::{self, NewAccount};
use crate::auth::{Access, Role, Tier};
use crate::ctx::Ctx;
use crate::on_engine;
use crate::store::Store;

pub const DEMO_PASSWORD: &str = "sohoi-demo";

/// (username, unit code, role) of each demo account that exists or was created.
pub async fn ensure(store: &Store) -> anyhow::Result<Vec<(String, String, Role)>> {
    let mut ctx = Ctx::write(store, Access::system("demo")).await?;
    // The first province, commune and branch of the demo (Hà Nội, Ba Đình and its first
    // branch in the full demo).
    let pick = |kind: &'static str| {
        format!("select code from units where kind = '{kind}' order by code limit 1")
    };
    let mut units = Vec::new();
    for kind in ["province", "commune", "branch"] {
        let code: Option<String> = on_engine!(&mut ctx.tx, c => sqlx::query_scalar(sqlx::AssertSqlSafe(pick(kind))).fetch_optional(&mut **c).await)?;
        units.push(code);
    }
    let wanted = [
        (
            "trunguong",
            "Cán bộ Trung ương",
            Some("TW".to_string()),
            Role::Admin,
            true,
        ),
        ("tinh", "Cán bộ tỉnh", units[0].clone(), Role::Chair, true),
        (
            "coso",
            "Cán bộ cơ sở",
            units[1].clone(),
            Role::Officer,
            false,
        ),
        (
            "chihoi",
            "Chi hội trưởng",
            units[2].clone(),
            Role::Viewer,
            false,
        ),
    ];
    let mut out = Vec::new();
    for (username, name, unit, role, sensitive) in wanted {
        let Some(unit) = unit else { continue };
        if users::by_username(&mut ctx.tx, username).await.is_err() {
            let tiers: &[Tier] = if sensitive { &Tier::MEMBER } else { &[] };
            let account = NewAccount {
                username,
                display_name: name,
                unit_code: &unit,
                role,
                tiers,
            };
            users::create(&mut ctx, &account, &Password::new(DEMO_PASSWORD)).await?;
        }
        out.push((username.to_string(), unit, role));
    }
    ctx.finish().await?;
    Ok(out)
}
