//! `sohoi form …`, `sohoi round …` and `sohoi inbox`: report rounds on the command line.
//! `--as USER` acts with that account's grants and records her as the actor; without it the
//! command line acts as the local administrator, and the record names the operator
//! (`cli:…`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::commands::{open, parse_date_arg};
use super::output::table;
use crate::auth::Access;
use crate::ctx::Ctx;
use crate::i18n::{Args, Lang, translator};
use crate::rounds::{self, board, form, inbox, open as opening, response, review, sheet};
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum FormCommand {
    /// Load a form definition (TOML); prints its code and version. A changed file makes the
    /// next version; the same file again changes nothing.
    Load { file: PathBuf },
    /// The latest version of every form.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RoundCommand {
    /// Send a form for a period from a unit to every unit of a kind below it.
    Open {
        #[arg(long)]
        form: String,
        /// 2026-H1, 2026, 2026-Q3…
        #[arg(long)]
        period: String,
        /// The opening unit (its code).
        #[arg(long)]
        under: String,
        /// The kind of unit that reports: province, commune, branch, group.
        #[arg(long)]
        to: String,
        /// Submitted by this day: on time.
        #[arg(long)]
        due: String,
        /// After this day entry is locked (late entry then needs a window).
        #[arg(long)]
        close: Option<String>,
        /// Computed figures are taken at this day (default: the period's last day).
        #[arg(long)]
        cutoff: Option<String>,
    },
    /// The rounds a unit takes part in.
    List {
        #[arg(long)]
        under: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A unit's response: values with their source, status, findings, history.
    Show {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        json: bool,
    },
    /// Enter values: --set INDICATOR=VALUE (repeat; an empty value clears it), or a filled
    /// entry workbook (--file; all or nothing, every problem named by its row).
    Enter {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long = "set", value_name = "INDICATOR=VALUE", conflicts_with = "file")]
        set: Vec<String>,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// The unit's report as a document to file: xlsx, or PDF and DOCX in the Decree 30/2020
    /// layout. An approved report takes its number (12/BC-HPN) the first time and keeps it.
    Export {
        round: i64,
        #[arg(long)]
        unit: String,
        /// xlsx, pdf or docx.
        #[arg(long)]
        format: String,
        #[arg(long)]
        out: PathBuf,
        /// The name under the signature (the unit's chair).
        #[arg(long, default_value = "")]
        signer: String,
    },
    /// The unit's entry workbook: computed figures locked, its own rows open, drop-downs.
    Template {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Submit the unit's response to the level above.
    Submit {
        round: i64,
        #[arg(long)]
        unit: String,
    },
    /// Return a submitted response to its unit, with a reason.
    Return {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
    },
    /// Approve a submitted response: it becomes final.
    Approve {
        round: i64,
        #[arg(long)]
        unit: String,
    },
    /// Reopen an approved response, with a reason (the levels above reopen too).
    Reopen {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
    },
    /// Let one unit enter after the closing date, until a day, with a reason.
    GrantLate {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        until: String,
        #[arg(long)]
        reason: String,
    },
    /// Waive a missing child, with a reason shown in the report.
    Waive {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
    },
    /// Set earlier deadlines for the units under a unit (never later than its own).
    Deadlines {
        round: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        due: String,
        #[arg(long)]
        close: Option<String>,
    },
    /// Completeness under a unit: expected, on time, late, missing, returned, approved.
    Status {
        round: i64,
        #[arg(long)]
        under: String,
        #[arg(long)]
        json: bool,
    },
    /// The review screen: each child's figures side by side with the total.
    Review {
        round: i64,
        #[arg(long)]
        unit: String,
        /// Count submitted reports too, not only approved ones.
        #[arg(long)]
        all_submitted: bool,
        #[arg(long)]
        json: bool,
    },
}

/// The access the command acts with: `--as USER`'s grants, or the local administrator's.
async fn acting(store: &Store, as_user: Option<&str>, scope: &Access) -> anyhow::Result<Access> {
    let Some(username) = as_user else {
        return Ok(scope.clone());
    };
    let mut tx = store.read().await?;
    let user = crate::auth::users::by_username(&mut tx, username).await?;
    let access = crate::auth::users::access_for(&mut tx, &user).await?;
    tx.commit().await?;
    Ok(access)
}

pub async fn form(
    db: &str,
    command: FormCommand,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let store = open(db).await?;
    match command {
        FormCommand::Load { file } => {
            let meta = std::fs::metadata(&file).with_context(|| file.display().to_string())?;
            anyhow::ensure!(
                meta.len() as usize <= form::MAX_FILE_BYTES,
                t.msg("invalid-form-file-size")
            );
            let text =
                std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
            let loaded = crate::write_ctx!(store, scope, ctx => form::load(ctx, &text).await)?;
            crate::say!(
                "{}",
                t.msg_with(
                    if loaded.created {
                        "form-loaded"
                    } else {
                        "form-unchanged"
                    },
                    &Args::new()
                        .with("code", loaded.code)
                        .num("version", loaded.version as f64)
                )
            );
        }
        FormCommand::List { json } => {
            let mut ctx = Ctx::read(&store, scope.clone()).await?;
            let forms = form::list(&mut ctx).await?;
            ctx.finish().await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&forms)?);
            } else {
                let header = ["col-code", "col-version", "col-name", "col-rows"].map(|h| t.msg(h));
                let rows: Vec<Vec<String>> = forms
                    .iter()
                    .map(|f| {
                        vec![
                            f.code.clone(),
                            f.version.to_string(),
                            f.name(lang).to_string(),
                            f.definition.indicators.len().to_string(),
                        ]
                    })
                    .collect();
                crate::say_raw!("{}", table(&header, &rows, &[false, true, false, true]));
            }
        }
    }
    Ok(())
}

fn date(d: time::Date) -> String {
    crate::clock::vn_date(d)
}

pub async fn round(
    db: &str,
    command: RoundCommand,
    as_user: Option<&str>,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let store = open(db).await?;
    let access = acting(&store, as_user, scope).await?;
    let said = |key: &str, args: Args| crate::say!("{}", t.msg_with(key, &args));
    match command {
        RoundCommand::Open {
            form,
            period,
            under,
            to,
            due,
            close,
            cutoff,
        } => {
            let to = crate::org::UnitKind::parse(to.trim()).with_context(|| {
                t.msg_with("cli-bad-kind", &Args::new().with("value", to.clone()))
            })?;
            let request = opening::OpenRequest {
                form: &form,
                period: &period,
                under: &under,
                to,
                cutoff: cutoff
                    .as_deref()
                    .map(|c| parse_date_arg(Some(c), lang))
                    .transpose()?,
                due: parse_date_arg(Some(&due), lang)?,
                closes: close
                    .as_deref()
                    .map(|c| parse_date_arg(Some(c), lang))
                    .transpose()?,
            };
            let opened =
                crate::write_ctx!(store, access, ctx => opening::open(ctx, &request).await)?;
            said(
                "round-opened",
                Args::new()
                    .num("round", opened.round as f64)
                    .num("targets", opened.targets as f64)
                    .num("responses", opened.responses as f64),
            );
        }
        RoundCommand::List { under, json } => {
            let mut ctx = Ctx::read(&store, access).await?;
            let list = rounds::list(&mut ctx, under.as_deref()).await?;
            ctx.finish().await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                let header = [
                    "col-round",
                    "col-form",
                    "col-period",
                    "col-opener",
                    "col-to",
                    "col-due",
                    "col-closes",
                ]
                .map(|h| t.msg(h));
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|l| {
                        let r = &l.round;
                        vec![
                            r.id.to_string(),
                            format!("{} v{}", r.form_code, r.form_version),
                            r.period.clone(),
                            format!("{} ({})", r.opener_name, r.opener_code),
                            t.msg(&format!("kind-{}", r.target_kind)),
                            date(r.due),
                            r.closes.map(date).unwrap_or_default(),
                            format!("{} ({})", l.unit_name, l.unit_code),
                        ]
                    })
                    .collect();
                crate::say_raw!("{}", table(&header, &rows, &[true]));
            }
        }
        RoundCommand::Show { round, unit, json } => {
            let mut ctx = Ctx::read(&store, access).await?;
            let s = sheet::show(&mut ctx, round, &unit, lang).await?;
            ctx.finish().await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print_sheet(t, &s);
            }
        }
        RoundCommand::Enter {
            round,
            unit,
            set: _,
            file: Some(file),
        } => {
            let bytes = std::fs::read(&file).with_context(|| file.display().to_string())?;
            let filled = crate::write_ctx!(store, access, ctx => {
                let filled = crate::rounds::workbook::enter_file(ctx, round, &unit, &bytes, lang).await?;
                if filled.problems.is_empty() {
                    Ok(filled)
                } else {
                    // Nothing is entered when a row is wrong: the transaction is not kept.
                    Err(crate::error::Error::Conflict { message: "round-file-problems", args: problems_args(&filled) })
                }
            });
            match filled {
                Ok(f) => said("round-entered", Args::new().num("count", f.changed as f64)),
                Err(crate::error::Error::Conflict {
                    message: "round-file-problems",
                    args,
                }) => {
                    anyhow::bail!(t.msg_with("round-file-problems", &args));
                }
                Err(e) => return Err(e.into()),
            }
        }
        RoundCommand::Export {
            round,
            unit,
            format,
            out,
            signer,
        } => {
            let format = format.trim().to_ascii_lowercase();
            anyhow::ensure!(
                ["xlsx", "pdf", "docx"].contains(&format.as_str()),
                t.msg_with("cli-bad-format", &Args::new().with("value", format.clone()))
            );
            let mut context = Ctx::read(&store, access).await?;
            let (bytes, number) = {
                let ctx = &mut context;
                let number = crate::rounds::document::number(ctx, round, &unit).await?;
                let bytes = if format == "xlsx" {
                    let s = sheet::show(ctx, round, &unit, lang).await?;
                    crate::rounds::export::report_workbook(&s, lang)?
                } else {
                    let today = ctx.today;
                    let doc = crate::rounds::document::document(
                        ctx, round, &unit, &number, &signer, today, lang,
                    )
                    .await?;
                    if format == "pdf" {
                        crate::documents::pdf(&doc)?
                    } else {
                        crate::documents::docx(&doc)?
                    }
                };
                (bytes, number)
            };
            context.finish().await?;
            std::fs::write(&out, bytes).with_context(|| out.display().to_string())?;
            said(
                "round-exported",
                Args::new()
                    .with("path", out.display().to_string())
                    .with("number", number.trim().to_string()),
            );
        }
        RoundCommand::Template { round, unit, out } => {
            let mut ctx = Ctx::read(&store, access).await?;
            let bytes = crate::rounds::workbook::template(&mut ctx, round, &unit, lang).await?;
            ctx.finish().await?;
            std::fs::write(&out, bytes).with_context(|| out.display().to_string())?;
            said(
                "cli-written",
                Args::new().with("path", out.display().to_string()),
            );
        }
        RoundCommand::Enter {
            round,
            unit,
            set,
            file: None,
        } => {
            let entries = set
                .iter()
                .map(|s| {
                    s.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                })
                .collect::<Option<Vec<_>>>()
                .with_context(|| t.msg("cli-bad-set"))?;
            let n = crate::write_ctx!(store, access, ctx => response::enter(ctx, round, &unit, &entries).await)?;
            said("round-entered", Args::new().num("count", n as f64));
        }
        RoundCommand::Submit { round, unit } => {
            let done =
                crate::write_ctx!(store, access, ctx => response::submit(ctx, round, &unit).await)?;
            said(
                if done.late {
                    "round-submitted-late"
                } else {
                    "round-submitted"
                },
                Args::new().with("unit", unit),
            );
            for w in done.warnings {
                crate::say!("  ! {w}");
            }
        }
        RoundCommand::Return {
            round,
            unit,
            reason,
        } => {
            crate::write_ctx!(store, access, ctx => response::send_back(ctx, round, &unit, &reason).await)?;
            said("round-returned", Args::new().with("unit", unit));
        }
        RoundCommand::Approve { round, unit } => {
            crate::write_ctx!(store, access, ctx => response::approve(ctx, round, &unit).await)?;
            said("round-approved", Args::new().with("unit", unit));
        }
        RoundCommand::Reopen {
            round,
            unit,
            reason,
        } => {
            let n = crate::write_ctx!(store, access, ctx => response::reopen(ctx, round, &unit, &reason).await)?;
            said(
                "round-reopened",
                Args::new().with("unit", unit).num("count", n as f64),
            );
        }
        RoundCommand::GrantLate {
            round,
            unit,
            until,
            reason,
        } => {
            let until = parse_date_arg(Some(&until), lang)?;
            crate::write_ctx!(store, access, ctx => response::grant_late(ctx, round, &unit, until, &reason).await)?;
            said(
                "round-late-granted",
                Args::new().with("unit", unit).with("date", date(until)),
            );
        }
        RoundCommand::Waive {
            round,
            unit,
            reason,
        } => {
            crate::write_ctx!(store, access, ctx => response::waive(ctx, round, &unit, &reason).await)?;
            said("round-waived", Args::new().with("unit", unit));
        }
        RoundCommand::Deadlines {
            round,
            unit,
            due,
            close,
        } => {
            let due = parse_date_arg(Some(&due), lang)?;
            let close = close
                .as_deref()
                .map(|c| parse_date_arg(Some(c), lang))
                .transpose()?;
            let n = crate::write_ctx!(store, access, ctx => response::set_deadlines(ctx, round, &unit, due, close).await)?;
            said(
                "round-deadlines-set",
                Args::new().num("count", n as f64).with("date", date(due)),
            );
        }
        RoundCommand::Status { round, under, json } => {
            let mut ctx = Ctx::read(&store, access).await?;
            let b = board::board(&mut ctx, round, &under).await?;
            ctx.finish().await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&b)?);
            } else {
                print_board(t, &b);
            }
        }
        RoundCommand::Review {
            round,
            unit,
            all_submitted,
            json,
        } => {
            let mut ctx = Ctx::read(&store, access).await?;
            let r = review::review(&mut ctx, round, &unit, all_submitted, lang).await?;
            ctx.finish().await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                let mut header = vec![t.msg("col-indicator")];
                header.extend(r.children.iter().map(|c| c.unit_name.clone()));
                header.extend(["col-total", "col-previous", "col-statistics"].map(|h| t.msg(h)));
                let rows: Vec<Vec<String>> = r
                    .rows
                    .iter()
                    .map(|row| match &row.section {
                        Some(title) => vec![title.clone()],
                        None => {
                            let mut cells = vec![row.name.clone()];
                            cells.extend(row.values.iter().cloned());
                            cells.push(row.total.clone());
                            cells.push(row.previous.clone().unwrap_or_default());
                            cells.push(row.statistics.clone().unwrap_or_default());
                            cells
                        }
                    })
                    .collect();
                crate::say_raw!("{}", table(&header, &rows, &[]));
            }
        }
    }
    Ok(())
}

pub async fn inbox_command(
    db: &str,
    unit: &str,
    json: bool,
    as_user: Option<&str>,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let store = open(db).await?;
    let access = acting(&store, as_user, scope).await?;
    let mut ctx = Ctx::read(&store, access).await?;
    let inbox = inbox::inbox(&mut ctx, unit).await?;
    ctx.finish().await?;
    if json {
        crate::say!("{}", serde_json::to_string_pretty(&inbox)?);
        return Ok(());
    }
    crate::say!("{} ({})", inbox.unit_name, inbox.unit_code);
    for (title, items) in [
        ("inbox-to-answer", &inbox.to_answer),
        ("inbox-to-review", &inbox.to_review),
    ] {
        crate::say!(
            "\n{}",
            t.msg_with(title, &Args::new().num("count", items.len() as f64))
        );
        let header = [
            "col-round",
            "col-form",
            "col-period",
            "col-unit",
            "col-status",
            "col-due",
        ]
        .map(|h| t.msg(h));
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|i| {
                let mut due = date(i.response.due);
                if i.locked {
                    due = format!("{due} ({})", t.msg("round-locked"));
                } else if i.overdue {
                    due = format!("{due} ({})", t.msg("round-overdue"));
                }
                vec![
                    i.round.id.to_string(),
                    i.round.form_name.clone(),
                    i.round.period.clone(),
                    format!("{} ({})", i.response.unit_name, i.response.unit_code),
                    i.response.status_text(t),
                    due,
                ]
            })
            .collect();
        if !rows.is_empty() {
            crate::say_raw!("{}", table(&header, &rows, &[true]));
        }
    }
    Ok(())
}

/// The problems of a refused workbook, one per line, for the message that lists them.
fn problems_args(filled: &crate::rounds::workbook::Filled) -> Args {
    let lines: Vec<String> = filled
        .problems
        .iter()
        .map(|p| format!("  {}: {}", p.sheet, p.message))
        .collect();
    Args::new()
        .num("count", filled.problems.len() as f64)
        .with("problems", lines.join("\n"))
}

fn print_sheet(t: &crate::i18n::Translator, s: &sheet::Sheet) {
    let r = &s.response;
    crate::say!(
        "{} — {} v{} — {}",
        s.round.form_name,
        s.form_code,
        s.round.form_version,
        s.round.period
    );
    crate::say!(
        "{}",
        t.msg_with(
            "round-sheet-head",
            &Args::new()
                .with("unit", format!("{} ({})", r.unit_name, r.unit_code))
                .with("status", r.status_text(t))
                .with("due", date(r.due))
                .with("closes", r.closes.map(date).unwrap_or_else(|| "—".into()))
                .with("cutoff", date(s.round.cutoff))
        )
    );
    if let Some(reason) = &r.reason {
        crate::say!(
            "{}",
            t.msg_with("round-reason", &Args::new().with("reason", reason.clone()))
        );
    }
    if r.changed_after_approval > 0 {
        crate::say!(
            "{}",
            t.msg_with(
                "round-changed-after-approval",
                &Args::new().num("count", r.changed_after_approval as f64)
            )
        );
    }
    let header = [
        "col-code",
        "col-indicator",
        "col-value",
        "col-source",
        "col-previous",
    ]
    .map(|h| t.msg(h));
    let mut rows = Vec::new();
    for section in &s.sections {
        rows.push(vec![String::new(), section.title.clone()]);
        for row in &section.rows {
            let source = if row.entered {
                t.msg("round-source-entered")
            } else {
                row.explanation.clone()
            };
            rows.push(vec![
                row.code.clone(),
                row.name.clone(),
                row.display.clone(),
                source,
                row.previous.clone().unwrap_or_default(),
            ]);
        }
    }
    crate::say_raw!("{}", table(&header, &rows, &[false, false, true]));
    for n in s.narrative.iter().filter(|n| !n.text.is_empty()) {
        crate::say!("\n{}\n{}", n.title, n.text);
    }
    for f in &s.findings {
        crate::say!("{} {}", if f.warning { "!" } else { "✗" }, f.message);
    }
    if !s.history.is_empty() {
        crate::say!("\n{}", t.msg("round-history"));
        for e in &s.history {
            let what = match (&e.indicator, &e.new_value) {
                (Some(i), v) => format!(
                    "{i}: {} → {}",
                    e.old_value.clone().unwrap_or_else(|| "—".into()),
                    v.clone().unwrap_or_else(|| "—".into())
                ),
                (None, _) => e.reason.clone().unwrap_or_default(),
            };
            crate::say!(
                "  {} {} {} {}",
                e.at,
                e.actor,
                t.msg(&format!("round-event-{}", e.kind.replace('_', "-"))),
                what
            );
        }
    }
}

fn print_board(t: &crate::i18n::Translator, b: &board::Board) {
    let p = &b.progress;
    crate::say!(
        "{} — {} — {} ({})",
        b.round.form_name,
        b.round.period,
        b.unit.unit_name,
        b.unit.unit_code
    );
    crate::say!(
        "{}",
        t.msg_with(
            "round-board-head",
            &Args::new()
                .num("expected", p.expected as f64)
                .num("on_time", p.on_time as f64)
                .num("late", p.late as f64)
                .num("missing", p.missing() as f64)
                .num("returned", p.returned as f64)
                .num("approved", p.approved as f64)
                .num("waived", p.waived as f64)
        )
    );
    let header = [
        "col-unit",
        "col-status",
        "col-expected",
        "col-on-time",
        "col-late",
        "col-missing",
        "col-returned",
        "col-approved",
    ]
    .map(|h| t.msg(h));
    let rows: Vec<Vec<String>> = b
        .children
        .iter()
        .map(|c| {
            let p = &c.progress;
            vec![
                format!("{} ({})", c.response.unit_name, c.response.unit_code),
                c.response.status_text(t),
                p.expected.to_string(),
                p.on_time.to_string(),
                p.late.to_string(),
                p.missing().to_string(),
                p.returned.to_string(),
                p.approved.to_string(),
            ]
        })
        .collect();
    crate::say_raw!(
        "{}",
        table(
            &header,
            &rows,
            &[false, false, true, true, true, true, true, true]
        )
    );
    if !b.missing.is_empty() {
        let names: Vec<String> = b
            .missing
            .iter()
            .map(|m| format!("{} ({})", m.unit_name, m.unit_code))
            .collect();
        crate::say!(
            "{}",
            t.msg_with(
                "round-missing-names",
                &Args::new().with("units", names.join(", "))
            )
        );
    }
}
