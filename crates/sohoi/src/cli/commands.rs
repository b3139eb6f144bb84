use anyhow::Context;

use super::output::table;
use super::{Cli, Command, ReportCommand};
use crate::auth::Access;
use crate::ctx::Ctx;
use crate::i18n::{Args, Lang, translator};
use crate::members::codes::label as value_label;
use crate::reports::Period;
use crate::store::{self, Store};
use crate::text::{number, percent};

/// Tiers named on the command line; `--sensitive` stands for the three tiers of a member's
/// record (never personnel records or support cases).
fn parse_tiers(
    names: &[String],
    sensitive: bool,
    lang: Lang,
) -> anyhow::Result<Vec<crate::auth::Tier>> {
    let t = translator(lang);
    let mut tiers: Vec<crate::auth::Tier> = if sensitive {
        crate::auth::Tier::MEMBER.to_vec()
    } else {
        vec![]
    };
    for name in names {
        tiers.push(crate::auth::Tier::parse(name).with_context(|| {
            t.msg_with("cli-bad-tier", &Args::new().with("value", name.clone()))
        })?);
    }
    tiers.sort();
    tiers.dedup();
    Ok(tiers)
}

/// The actor named in the ledger and the audit log for work done on the command line.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub async fn open(url: &str) -> anyhow::Result<Store> {
    let store = store::connect(url, 8).await?;
    store::migrate(&store).await?;
    Ok(store)
}

pub fn parse_date_arg(s: Option<&str>, lang: Lang) -> anyhow::Result<time::Date> {
    match s {
        None => Ok(crate::clock::today()),
        Some(s) => crate::clock::parse_date(s).with_context(|| {
            translator(lang).msg_with("cli-bad-date", &Args::new().with("value", s))
        }),
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let lang = Lang::parse(&cli.lang).unwrap_or_default();
    let t = translator(lang);
    let scope = Access::system(cli_actor());
    match cli.command {
        Command::Init => {
            let store = open(&cli.db).await?;
            let mut ctx = Ctx::write(&store, scope.clone()).await?;
            let report = crate::org::reference::init(&mut ctx.tx).await?;
            ctx.finish().await?;
            crate::say!(
                "{}",
                t.msg_with(
                    "cli-init-done",
                    &Args::new()
                        .num("created", report.created as f64)
                        .num("existing", report.existing as f64)
                )
            );
        }
        Command::Units {
            under,
            depth,
            as_of,
            json,
        } => {
            let at = parse_date_arg(as_of.as_deref(), lang)?;
            let store = open(&cli.db).await?;
            let mut ctx = Ctx::read(&store, scope.clone()).await?;
            let units = crate::org::tree::list(&mut ctx, under.as_deref(), depth, at).await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&units)?);
            } else {
                let header = ["col-code", "col-kind", "col-name", "col-parent"].map(|h| t.msg(h));
                let rows: Vec<Vec<String>> = units
                    .iter()
                    .map(|u| {
                        let indent = "  ".repeat(u.depth.max(0) as usize);
                        vec![
                            u.code.clone(),
                            t.msg(&format!("kind-{}", u.kind.as_str())),
                            format!("{indent}{}", u.name),
                            u.parent_code.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                crate::say_raw!("{}", table(&header, &rows, &[]));
                crate::say!(
                    "{}",
                    t.msg_with(
                        "cli-units-count",
                        &Args::new().num("count", units.len() as f64)
                    )
                );
            }
        }
        Command::Demo {
            members,
            seed,
            provinces,
            no_serve,
            addr,
        } => {
            let store = open(&cli.db).await?;
            super::member::build_demo(
                &store,
                crate::demo::DemoOptions {
                    members,
                    seed,
                    provinces,
                },
                lang,
            )
            .await?;
            if !no_serve {
                crate::web::serve(store, &addr, lang).await?;
            }
        }
        Command::Serve { addr } => {
            let store = open(&cli.db).await?;
            crate::web::serve(store, &addr, lang).await?;
        }
        Command::Member(command) => super::member::run(&cli.db, *command, &scope, lang).await?,
        Command::Import(command) => {
            if !super::excel::import(&cli.db, command, &scope, lang).await? {
                anyhow::bail!(t.msg("cli-import-failed"));
            }
        }
        Command::Export(command) => super::excel::export(&cli.db, command, &scope, lang).await?,
        Command::Restructure(command) => {
            super::restructure::run(&cli.db, command, &scope, lang).await?
        }
        Command::Reference(command) => super::reference::run(&cli.db, command, lang).await?,
        Command::Form(command) => super::rounds::form(&cli.db, command, &scope, lang).await?,
        Command::Round { as_user, command } => {
            super::rounds::round(&cli.db, command, as_user.as_deref(), &scope, lang).await?
        }
        Command::Inbox {
            unit,
            as_user,
            json,
        } => {
            super::rounds::inbox_command(&cli.db, &unit, json, as_user.as_deref(), &scope, lang)
                .await?
        }
        Command::Stats { unit, as_of, json } => {
            let at = parse_date_arg(as_of.as_deref(), lang)?;
            let store = open(&cli.db).await?;
            let mut ctx = Ctx::read(&store, scope.clone()).await?;
            let summary = crate::reports::summary::summary(&mut ctx, &unit, at).await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                crate::say!(
                    "{} ({}) — {}",
                    summary.unit.name,
                    summary.unit.code,
                    crate::clock::vn_date(at)
                );
                crate::say!("{}: {}", t.msg("col-members"), number(summary.members));
                crate::say!(
                    "{}: {}",
                    t.msg("col-new-this-year"),
                    number(summary.new_this_year)
                );
                if summary.coverage_rate.is_some() {
                    crate::say!(
                        "{}: {}",
                        t.msg("col-coverage"),
                        percent(summary.coverage_rate)
                    );
                }
                for (dim, values) in &summary.breakdowns {
                    crate::say!("\n{}", t.msg(&format!("dim-{dim}")));
                    let mut values: Vec<_> = values.iter().collect();
                    values.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                    for (value, n) in values {
                        crate::say!("  {:<28} {:>12}", value_label(t, dim, value), number(*n));
                    }
                }
            }
            ctx.finish().await?;
        }
        Command::Report(ReportCommand::Movements {
            unit,
            period,
            structure,
            json,
        }) => {
            let period = Period::parse(&period).with_context(|| {
                t.msg_with("period-unknown", &Args::new().with("value", period.clone()))
            })?;
            let structure =
                crate::reports::movements::Structure::parse(&structure).with_context(|| {
                    t.msg_with(
                        "structure-unknown",
                        &Args::new().with("value", structure.clone()),
                    )
                })?;
            let store = open(&cli.db).await?;
            let mut ctx = Ctx::read(&store, scope.clone()).await?;
            let report =
                crate::reports::movements::movements_in(&mut ctx, &unit, period, structure).await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                crate::say!(
                    "{} — {} ({} – {})",
                    t.msg("report-movements-title"),
                    report.unit.name,
                    crate::clock::vn_date(period.from),
                    crate::clock::vn_date(period.to)
                );
                let header = crate::reports::movements::COLUMNS.map(|h| t.msg(h));
                let rows: Vec<Vec<String>> = report
                    .text_rows(
                        &t.msg("col-total"),
                        &t.msg(crate::reports::movements::REMAINDER),
                    )
                    .into_iter()
                    .map(|(_, cells)| cells)
                    .collect();
                let right = [false, false, true, true, true, true, true, true, true, true];
                crate::say_raw!("{}", table(&header, &rows, &right));
            }
            ctx.finish().await?;
        }
        Command::User(super::UserCommand::Add {
            username,
            name,
            unit,
            role,
            tiers,
            sensitive,
        }) => {
            let role = crate::auth::Role::parse(&role).with_context(|| {
                t.msg_with("cli-bad-role", &Args::new().with("value", role.clone()))
            })?;
            let tiers = parse_tiers(&tiers, sensitive, lang)?;
            let password = match std::env::var("SOHOI_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    rpassword::prompt_password(t.msg("cli-password-prompt")).context("password")?
                }
            };
            let store = open(&cli.db).await?;
            let account = crate::auth::users::NewAccount {
                username: &username,
                display_name: &name,
                unit_code: &unit,
                role,
                tiers: &tiers,
            };
            let password = crate::auth::password::Password::new(password);
            crate::write_ctx!(store, scope, ctx => crate::auth::users::create(ctx, &account, &password).await)?;
            crate::say!(
                "{}",
                t.msg_with("account-created", &Args::new().with("username", username))
            );
        }
        Command::User(super::UserCommand::Grant {
            username,
            unit,
            role,
            authorities,
            tiers,
            sensitive,
            unit_only,
        }) => {
            let mut set = std::collections::BTreeSet::new();
            if let Some(role) = role {
                let role = crate::auth::Role::parse(&role).with_context(|| {
                    t.msg_with("cli-bad-role", &Args::new().with("value", role.clone()))
                })?;
                set.extend(role.authorities());
            }
            for a in &authorities {
                set.insert(crate::auth::Authority::parse(a).with_context(|| {
                    t.msg_with("cli-bad-authority", &Args::new().with("value", a.clone()))
                })?);
            }
            let request = crate::auth::users::GrantRequest {
                unit_code: &unit,
                reach: if unit_only {
                    crate::auth::Reach::Unit
                } else {
                    crate::auth::Reach::Subtree
                },
                authorities: set,
                tiers: parse_tiers(&tiers, sensitive, lang)?.into_iter().collect(),
            };
            let store = open(&cli.db).await?;
            crate::write_ctx!(store, scope, ctx => crate::auth::users::grant(ctx, &username, &request).await)?;
            crate::say!(
                "{}",
                t.msg_with("cli-user-granted", &Args::new().with("username", username))
            );
        }
        Command::User(super::UserCommand::Revoke { username, unit }) => {
            let store = open(&cli.db).await?;
            let n = crate::write_ctx!(store, scope, ctx => crate::auth::users::revoke(ctx, &username, &unit).await)?;
            crate::say!(
                "{}",
                t.msg_with(
                    "cli-user-revoked",
                    &Args::new()
                        .with("username", username)
                        .num("count", n as f64)
                )
            );
        }
        Command::User(super::UserCommand::Grants { username }) => {
            let store = open(&cli.db).await?;
            let mut tx = store.read().await?;
            let user = crate::auth::users::by_username(&mut tx, &username).await?;
            let grants = crate::auth::users::grants_of(&mut tx, &user).await?;
            let header = ["col-code", "col-name", "web-role", "web-tiers"].map(|h| t.msg(h));
            let rows: Vec<Vec<String>> = grants
                .iter()
                .map(|g| {
                    let what = match g.role {
                        Some(role) => t.msg(&format!("role-{}", role.as_str())),
                        None => g
                            .authorities
                            .iter()
                            .map(|a| t.msg(&format!("authority-{}", a.as_str())))
                            .collect::<Vec<_>>()
                            .join(", "),
                    };
                    let tiers = g
                        .tiers
                        .iter()
                        .map(|x| t.msg(&format!("tier-{}", x.as_str())))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let unit = if g.reach == crate::auth::Reach::Unit {
                        format!("{} ({})", g.unit_name, t.msg("cli-unit-only"))
                    } else {
                        g.unit_name.clone()
                    };
                    vec![g.unit_code.clone(), unit, what, tiers]
                })
                .collect();
            crate::say_raw!("{}", table(&header, &rows, &[]));
        }
        Command::User(super::UserCommand::Token {
            username,
            name,
            expires,
        }) => {
            let expires = match expires.as_deref() {
                Some(d) => parse_date_arg(Some(d), lang)?,
                None => {
                    crate::clock::today() + time::Duration::days(crate::auth::tokens::DEFAULT_DAYS)
                }
            };
            let store = open(&cli.db).await?;
            let mut tx = store.begin().await?;
            let user = crate::auth::users::by_username(&mut tx, &username).await?;
            let (_, token) =
                crate::auth::tokens::create_until(&mut tx, &user, &name, expires).await?;
            tx.commit().await?;
            crate::say_raw!("{token}");
        }
        Command::User(super::UserCommand::Disable { username }) => {
            let store = open(&cli.db).await?;
            crate::write_ctx!(store, scope, ctx => crate::auth::users::disable(ctx, &username).await)?;
            crate::say!(
                "{}",
                t.msg_with("account-disabled", &Args::new().with("username", username))
            );
        }
        Command::User(super::UserCommand::Enable { username }) => {
            let store = open(&cli.db).await?;
            crate::write_ctx!(store, scope, ctx => crate::auth::users::enable(ctx, &username).await)?;
            crate::say!(
                "{}",
                t.msg_with("account-enabled", &Args::new().with("username", username))
            );
        }
        Command::User(super::UserCommand::ResetPassword { username }) => {
            let password = match std::env::var("SOHOI_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    rpassword::prompt_password(t.msg("cli-password-prompt")).context("password")?
                }
            };
            let password = crate::auth::password::Password::new(password);
            let store = open(&cli.db).await?;
            crate::write_ctx!(store, scope, ctx => crate::auth::users::reset_password(ctx, &username, &password).await)?;
            crate::say!(
                "{}",
                t.msg_with(
                    "account-password-reset",
                    &Args::new().with("username", username)
                )
            );
        }
        Command::User(super::UserCommand::RevokeTokens { username }) => {
            let store = open(&cli.db).await?;
            let n = crate::write_ctx!(store, scope, ctx => crate::auth::users::revoke_tokens(ctx, &username).await)?;
            crate::say!(
                "{}",
                t.msg_with(
                    "account-tokens-revoked",
                    &Args::new()
                        .with("username", username)
                        .num("count", n as f64)
                )
            );
        }
        Command::Population { unit, year, women } => {
            let store = open(&cli.db).await?;
            let mut ctx = Ctx::write(&store, scope.clone()).await?;
            let unit = crate::org::tree::find(&mut ctx, &unit, crate::clock::today()).await?;
            crate::stats::set_population(&mut ctx.tx, unit.id, year, women).await?;
            ctx.finish().await?;
        }
        Command::Bench {
            iterations,
            baseline_runs,
            import_rows,
            import_only,
            rounds,
            work_dir,
            import_db,
        } => {
            if rounds {
                let store = open(&cli.db).await?;
                crate::bench::rounds::run(&store, iterations).await?;
            } else if !import_only {
                let store = open(&cli.db).await?;
                crate::bench::run(&store, iterations, baseline_runs).await?;
            }
            if import_rows > 0 {
                crate::bench::import::run(import_rows, &work_dir, import_db.as_deref()).await?;
            }
        }
        Command::Backup { to } => {
            let store = open(&cli.db).await?;
            crate::store::backup(&store, &cli.db, &to)
                .await
                .map_err(|e| {
                    anyhow::anyhow!(t.msg_with("cli-backup-failed", &Args::new().with("reason", e)))
                })?;
            crate::say!(
                "{}",
                t.msg_with(
                    "cli-written",
                    &Args::new().with("path", to.display().to_string())
                )
            );
        }
        Command::Check { json } => {
            let store = open(&cli.db).await?;
            let mut ctx = Ctx::read(&store, scope.clone()).await?;
            let diffs = crate::stats::check::check(&mut ctx.tx).await?;
            ctx.finish().await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&diffs)?);
            }
            if diffs.is_empty() {
                if !json {
                    crate::say!("{}", t.msg("cli-check-clean"));
                }
                return Ok(());
            }
            if !json {
                for d in &diffs {
                    crate::say!(
                        "{}",
                        t.msg_with(
                            "cli-check-difference",
                            &Args::new()
                                .with("unit", d.unit_id.to_string())
                                .with(
                                    "month",
                                    d.month.map_or_else(
                                        || t.msg("check-total"),
                                        |m| format!("{:04}-{:02}", m / 100, m % 100)
                                    )
                                )
                                .with("cell", format!("{}/{}={}", d.measure, d.dim, d.value))
                                .num("stored", d.stored as f64)
                                .num("recomputed", d.recomputed as f64)
                        )
                    );
                }
            }
            anyhow::bail!(t.msg_with(
                "cli-check-failed",
                &Args::new().num("count", diffs.len() as f64)
            ));
        }
    }
    Ok(())
}
