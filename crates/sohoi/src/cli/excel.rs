//! `sohoi import members` and `sohoi export …`: the Excel workbooks on the command line.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::Context;
use clap::Subcommand;

use super::commands::open;
use crate::auth::Access;
use crate::ctx::Ctx;
use crate::excel::import::{self, Control, Options, Report};
use crate::i18n::{Args, Lang, translator};

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import a member list (.xlsx, .xls, .ods) as officers keep it: the header row is found
    /// under the title block and columns are matched by their Vietnamese names. All or
    /// nothing unless --partial; rejected rows go to an error workbook.
    Members {
        /// The workbook.
        file: PathBuf,
        /// The unit members go to (rows naming a branch go to that branch of its commune).
        #[arg(long)]
        unit: String,
        /// Only this sheet (by default every sheet with a recognisable header).
        #[arg(long)]
        sheet: Option<String>,
        /// Check and report only; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Commit the valid rows even if some rows are wrong.
        #[arg(long)]
        partial: bool,
        /// New members dated in an approved (locked) report period are held back for the
        /// level above; by default they are entered on the first open day after it.
        #[arg(long)]
        hold_locked: bool,
        /// Your own column names: a file of `header,field` lines (fields: full_name,
        /// birth_date, sex, national_id, phone, address, ethnicity, religion, education,
        /// qualification, political_theory, occupation, card_number, joined_on, party_member, branch).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Where the error workbook goes (default: next to FILE, named FILE-loi.xlsx).
        #[arg(long)]
        errors: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The members under a unit (active by default) as a workbook.
    Members {
        unit: String,
        #[arg(long)]
        out: PathBuf,
        /// active, left, died or all.
        #[arg(long)]
        status: Option<String>,
    },
    /// The movement report of a unit for a period as a workbook.
    Report {
        unit: String,
        #[arg(long)]
        period: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// The blank member list to fill in and import.
    Template {
        #[arg(long)]
        out: PathBuf,
    },
}

fn error_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("import");
    file.with_file_name(format!("{stem}-loi.xlsx"))
}

pub async fn import(
    db: &str,
    command: ImportCommand,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<bool> {
    let ImportCommand::Members {
        file,
        unit,
        sheet,
        dry_run,
        partial,
        hold_locked,
        mapping,
        errors,
        json,
    } = command;
    let t = translator(lang);
    let custom = match mapping {
        Some(path) => {
            let text =
                std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
            import::header::parse_mapping_file(&text).map_err(|line| {
                anyhow::anyhow!(t.msg_with("import-bad-mapping", &Args::new().with("line", line)))
            })?
        }
        None => vec![],
    };
    let options = Options {
        unit,
        sheet,
        dry_run,
        partial,
        mapping: custom,
        hold_locked,
        limits: Default::default(),
    };
    let bytes = import::read::read_file(&file, &options.limits)?;
    let store = open(db).await?;
    let control = Control::default();

    // Progress: rows read, redrawn a few times a second; Ctrl-C cancels and rolls back.
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .context("progress template")?,
    );
    let ticker = {
        let (bar, control, label) = (bar.clone(), control.clone(), t.msg("cli-import-rows"));
        tokio::spawn(async move {
            loop {
                bar.set_message(format!(
                    "{label}: {}",
                    crate::text::number(control.rows_read.load(Ordering::Relaxed) as i64)
                ));
                bar.tick();
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        })
    };
    let cancel = {
        let control = control.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                control.cancelled.store(true, Ordering::Relaxed);
            }
        })
    };
    let mut ctx = Ctx::write(&store, scope.clone()).await?;
    let outcome = import::import(&mut ctx, bytes, &options, lang, &control).await;
    ticker.abort();
    cancel.abort();
    bar.finish_and_clear();
    let outcome = outcome?;
    let report = &outcome.report;
    if report.commits() {
        ctx.finish().await?;
    } else {
        drop(ctx);
    }
    if !outcome.rejected.is_empty() {
        let path = errors.unwrap_or_else(|| error_path(&file));
        std::fs::write(&path, outcome.rejected.workbook(lang)?)
            .with_context(|| path.display().to_string())?;
        if !json {
            crate::say!(
                "{}",
                t.msg_with(
                    "cli-import-error-file",
                    &Args::new().with("path", path.display().to_string())
                )
            );
        }
    }
    if json {
        crate::say!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print_report(report, lang);
    }
    Ok(report.error_row_count == 0 || report.commits())
}

fn print_report(report: &Report, lang: Lang) {
    let t = translator(lang);
    for sheet in &report.sheets {
        match sheet.header_row {
            Some(row) => {
                let columns: Vec<String> = sheet
                    .columns
                    .iter()
                    .map(|(h, f)| format!("{h} → {}", t.msg(&crate::excel::columns::header_id(f))))
                    .collect();
                crate::say!(
                    "{}",
                    t.msg_with(
                        "cli-import-sheet",
                        &Args::new()
                            .with("sheet", sheet.name.clone())
                            .num("row", row as f64)
                    )
                );
                crate::say!("  {}", columns.join(" · "));
            }
            None => crate::say!(
                "{}",
                t.msg_with(
                    "cli-import-sheet-skipped",
                    &Args::new().with("sheet", sheet.name.clone())
                )
            ),
        }
    }
    const SHOWN: usize = 20;
    for e in report.errors.iter().take(SHOWN) {
        crate::say!(
            "  ✗ {} {}:{} [{}] \"{}\": {}",
            t.msg("field-sheet"),
            e.sheet,
            e.row,
            e.column,
            e.value,
            e.reason
        );
    }
    if report.error_row_count as usize > SHOWN {
        crate::say!(
            "  … {}",
            t.msg_with(
                "cli-import-more",
                &Args::new().num("count", (report.error_row_count as usize - SHOWN) as f64)
            )
        );
    }
    for r in report.repairs.iter().take(SHOWN) {
        crate::say!(
            "  ✎ {} {}:{} [{}] \"{}\" → \"{}\": {}",
            t.msg("field-sheet"),
            r.sheet,
            r.row,
            r.column,
            r.from,
            r.to,
            r.reason
        );
    }
    if report.repair_count as usize > SHOWN {
        crate::say!(
            "  … {}",
            t.msg_with(
                "cli-import-more",
                &Args::new().num("count", (report.repair_count as usize - SHOWN) as f64)
            )
        );
    }
    let (summary, verdict) = report.summary(lang);
    crate::say!("{summary}");
    crate::say!("{verdict}");
}

pub async fn export(
    db: &str,
    command: ExportCommand,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let (bytes, out) = match command {
        ExportCommand::Template { out } => (crate::excel::template_workbook(lang)?, out),
        ExportCommand::Members { unit, out, status } => {
            let store = open(db).await?;
            let mut ctx = Ctx::write(&store, scope.clone()).await?;
            let filter = crate::members::service::filter(
                status.as_deref(),
                None,
                None,
                crate::clock::today(),
            )?;
            let bytes = crate::excel::members_workbook(&mut ctx, &unit, "", &filter, lang).await?;
            ctx.finish().await?;
            (bytes, out)
        }
        ExportCommand::Report { unit, period, out } => {
            let period = crate::reports::Period::parse(&period).with_context(|| {
                t.msg_with("period-unknown", &Args::new().with("value", period.clone()))
            })?;
            let store = open(db).await?;
            let mut ctx = Ctx::read(&store, scope.clone()).await?;
            let report = crate::reports::movements::movements(&mut ctx, &unit, period).await?;
            (crate::excel::report_workbook(&report, lang)?, out)
        }
    };
    std::fs::write(&out, bytes).with_context(|| out.display().to_string())?;
    crate::say!(
        "{}",
        t.msg_with(
            "cli-written",
            &Args::new().with("path", out.display().to_string())
        )
    );
    Ok(())
}
