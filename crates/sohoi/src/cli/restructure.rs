//! `sohoi restructure …`: each command previews its impact and changes nothing unless
//! `--apply` is given; applied, everything happens in one transaction.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use super::commands::{open, parse_date_arg};
use crate::auth::Access;
use crate::ctx::Ctx;
use crate::i18n::{Args, Lang, translator};
use crate::org::restructure::{self, Impact};

#[derive(Subcommand, Debug)]
pub enum RestructureCommand {
    /// Merge units into one: their branches join the target's (same name) or become new
    /// branches of it, their members are transferred, and they end.
    Merge {
        /// The units merged away.
        sources: Vec<String>,
        /// The unit they merge into.
        #[arg(long)]
        into: String,
        /// Effective date (dd/mm/yyyy or yyyy-mm-dd).
        #[arg(long)]
        date: String,
        #[arg(long)]
        apply: bool,
    },
    /// Split a unit: each `BRANCH=NEWPARENT` moves a branch (with its members) under another unit.
    Split {
        source: String,
        #[arg(long = "move", value_name = "BRANCH=PARENT")]
        moves: Vec<String>,
        #[arg(long)]
        date: String,
        #[arg(long)]
        apply: bool,
    },
    /// Rename a unit from a date (the old name stays in its history).
    Rename {
        unit: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        date: String,
        #[arg(long)]
        apply: bool,
    },
    /// Create a unit under a parent.
    Create {
        #[arg(long)]
        parent: String,
        #[arg(long)]
        name: String,
        /// branch (default), group, agency, commune.
        #[arg(long, default_value = "branch")]
        kind: String,
        /// A code of your choosing (default: the parent's code and the next number).
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        date: String,
        #[arg(long)]
        apply: bool,
    },
    /// End a unit that has no members left.
    Dissolve {
        unit: String,
        #[arg(long)]
        date: String,
        #[arg(long)]
        apply: bool,
    },
    /// Apply a plan file: lines of `old code,new code,effective date` (a province's reform).
    Plan {
        file: PathBuf,
        #[arg(long)]
        apply: bool,
    },
}

pub async fn run(
    db: &str,
    command: RestructureCommand,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let store = open(db).await?;
    let mut ctx = Ctx::write(&store, scope.clone()).await?;
    let started = std::time::Instant::now();
    let (impact, apply) = match command {
        RestructureCommand::Merge {
            sources,
            into,
            date,
            apply,
        } => (
            restructure::merge(
                &mut ctx,
                &sources,
                &into,
                parse_date_arg(Some(&date), lang)?,
            )
            .await?,
            apply,
        ),
        RestructureCommand::Split {
            source,
            moves,
            date,
            apply,
        } => {
            let assignments = moves
                .iter()
                .map(|m| {
                    m.split_once('=')
                        .map(|(b, p)| (b.trim().to_string(), p.trim().to_string()))
                })
                .collect::<Option<Vec<_>>>()
                .with_context(|| t.msg("cli-bad-split"))?;
            (
                restructure::split(
                    &mut ctx,
                    &source,
                    &assignments,
                    parse_date_arg(Some(&date), lang)?,
                )
                .await?,
                apply,
            )
        }
        RestructureCommand::Rename {
            unit,
            name,
            date,
            apply,
        } => (
            restructure::rename(&mut ctx, &unit, &name, parse_date_arg(Some(&date), lang)?).await?,
            apply,
        ),
        RestructureCommand::Create {
            parent,
            name,
            kind,
            code,
            date,
            apply,
        } => {
            let kind = crate::org::UnitKind::parse(&kind).with_context(|| {
                t.msg_with("cli-bad-kind", &Args::new().with("value", kind.clone()))
            })?;
            (
                restructure::create(
                    &mut ctx,
                    &parent,
                    code.as_deref(),
                    &name,
                    kind,
                    parse_date_arg(Some(&date), lang)?,
                )
                .await?,
                apply,
            )
        }
        RestructureCommand::Dissolve { unit, date, apply } => (
            restructure::dissolve(&mut ctx, &unit, parse_date_arg(Some(&date), lang)?).await?,
            apply,
        ),
        RestructureCommand::Plan { file, apply } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
            let plan = restructure::parse_plan(&text)?;
            (restructure::apply_plan(&mut ctx, &plan).await?, apply)
        }
    };
    if apply {
        ctx.finish().await?;
    } else {
        drop(ctx);
    }
    print_impact(&impact, lang);
    let elapsed = format!("{:.2}", started.elapsed().as_secs_f64());
    crate::say!(
        "{}",
        t.msg_with(
            if apply {
                "cli-restructure-applied"
            } else {
                "cli-restructure-preview"
            },
            &Args::new().with("seconds", elapsed)
        )
    );
    Ok(())
}

fn print_impact(impact: &Impact, lang: Lang) {
    let t = translator(lang);
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(", ")
        }
    };
    crate::say!("{}: {}", t.msg("restructure-closed"), list(&impact.closed));
    let created: Vec<String> = impact
        .created
        .iter()
        .map(|(c, n, p)| format!("{c} {n} ({p})"))
        .collect();
    crate::say!("{}: {}", t.msg("restructure-created"), list(&created));
    crate::say!(
        "{}: {}",
        t.msg("restructure-moved"),
        crate::text::number(impact.members_moved as i64)
    );
    let lineage: Vec<String> = impact
        .lineage
        .iter()
        .map(|(a, b)| format!("{a} → {b}"))
        .collect();
    crate::say!("{}: {}", t.msg("restructure-lineage"), list(&lineage));
    for ((code, before), (_, after)) in impact.members_before.iter().zip(&impact.members_after) {
        crate::say!(
            "  {code}: {} → {}",
            crate::text::number(*before),
            crate::text::number(*after)
        );
    }
}
