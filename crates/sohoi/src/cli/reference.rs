//! `sohoi reference correct`: brings a database built from the draft code list to the
//! official list. A preview unless `--apply` is given; applied, in one transaction.

use clap::Subcommand;

use super::commands::{cli_actor, open, parse_date_arg};
use crate::i18n::{Args, Lang, translator};
use crate::org::correction::{self, Correction, Skipped};

#[derive(Subcommand, Debug)]
pub enum ReferenceCommand {
    /// Correct unit codes and names built from the draft list to the official list of
    /// Decision 19/2025/QĐ-TTg; members, history, accounts and reports are kept.
    Correct {
        /// Make the correction (without it, only a preview).
        #[arg(long)]
        apply: bool,
        /// The date of the decision behind the later changes of kind (Đồng Nai a
        /// centrally-run city, some communes wards): they become dated renames. Without it
        /// they are listed and left for a later run.
        #[arg(long)]
        changes_on: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(db: &str, command: ReferenceCommand, lang: Lang) -> anyhow::Result<()> {
    let ReferenceCommand::Correct {
        apply,
        changes_on,
        json,
    } = command;
    let t = translator(lang);
    let changes_on = changes_on
        .as_deref()
        .map(|d| parse_date_arg(Some(d), lang))
        .transpose()?;
    let store = open(db).await?;
    let mut tx = store.begin().await?;
    let plan = correction::plan(&mut tx).await?;
    if json && !apply {
        crate::say!("{}", serde_json::to_string_pretty(&plan)?);
        return Ok(());
    }
    if plan.is_empty() {
        crate::say!("{}", t.msg("reference-nothing-to-correct"));
        return Ok(());
    }
    if !json {
        print_plan(&plan, changes_on.is_some(), lang);
    }
    if !apply {
        crate::say!("{}", t.msg("reference-preview"));
        return Ok(());
    }
    let applied = correction::apply(&mut tx, &plan, &cli_actor(), changes_on).await?;
    tx.commit().await?;
    if json {
        crate::say!("{}", serde_json::to_string_pretty(&applied)?);
        return Ok(());
    }
    crate::say!(
        "{}",
        t.msg_with(
            "reference-applied",
            &Args::new()
                .num("codes", applied.codes as f64)
                .num("branches", applied.branches as f64)
                .num("spellings", applied.spellings as f64)
                .num("kinds", applied.kind_changes as f64)
        )
    );
    if applied.kind_changes_pending > 0 {
        crate::say!(
            "{}",
            t.msg_with(
                "reference-kinds-pending",
                &Args::new().num("count", applied.kind_changes_pending as f64)
            )
        );
    }
    Ok(())
}

fn print_plan(plan: &Correction, dated: bool, lang: Lang) {
    let t = translator(lang);
    crate::say!(
        "{}",
        t.msg_with(
            "reference-codes",
            &Args::new()
                .num("count", plan.codes.len() as f64)
                .num("branches", plan.branch_count() as f64)
        )
    );
    for change in &plan.codes {
        crate::say!(
            "  {} → {}  {} ({})",
            change.from,
            change.to,
            change.name,
            branch_note(change.branches.len(), lang)
        );
    }
    crate::say!(
        "{}",
        t.msg_with(
            "reference-spellings",
            &Args::new().num("count", plan.spellings.len() as f64)
        )
    );
    for spelling in &plan.spellings {
        crate::say!("  {}  {} → {}", spelling.code, spelling.from, spelling.to);
    }
    crate::say!(
        "{}",
        t.msg_with(
            "reference-kinds",
            &Args::new().num("count", plan.kind_changes.len() as f64)
        )
    );
    for change in &plan.kind_changes {
        crate::say!(
            "  {}  {} → {} ({} → {})",
            change.code,
            change.from_name,
            change.to_name,
            change.from_kind.as_deref().unwrap_or("—"),
            change.to_kind
        );
    }
    if !plan.kind_changes.is_empty() && !dated {
        crate::say!("{}", t.msg("reference-kinds-need-date"));
    }
    if !plan.skipped.is_empty() {
        crate::say!(
            "{}",
            t.msg_with(
                "reference-skipped",
                &Args::new().num("count", plan.skipped.len() as f64)
            )
        );
        for skipped in &plan.skipped {
            let line = match skipped {
                Skipped::NameDiffers {
                    code,
                    expected,
                    found,
                } => t.msg_with(
                    "reference-skip-name",
                    &Args::new()
                        .with("code", code.clone())
                        .with("expected", expected.clone())
                        .with("found", found.clone()),
                ),
                Skipped::CodeTaken { from, to, holder } => t.msg_with(
                    "reference-skip-taken",
                    &Args::new()
                        .with("from", from.clone())
                        .with("to", to.clone())
                        .with("holder", holder.clone()),
                ),
                Skipped::Missing { code, name } => t.msg_with(
                    "reference-skip-missing",
                    &Args::new()
                        .with("code", code.clone())
                        .with("name", name.clone()),
                ),
            };
            crate::say!("  {line}");
        }
    }
}

fn branch_note(n: usize, lang: Lang) -> String {
    translator(lang).msg_with(
        "reference-branches-follow",
        &Args::new().num("count", n as f64),
    )
}
