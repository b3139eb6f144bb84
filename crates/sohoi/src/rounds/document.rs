//! A unit's report as an administrative document (Decree 30/2020): issuing body and number
//! top left, the national name and motto top right, place and date, title, the narrative and
//! the tables, the signer and the recipients — rendered as PDF or DOCX by `documents`, or as
//! a workbook by `export`. An approved report takes its number from the numbering service the
//! first time it is issued, and keeps it.

use time::Date;

use super::model::{Response, Round};
use super::numbering;
use super::response::{Located, locate};
use super::sheet::{self, Sheet};
use super::store;
use crate::ctx::Ctx;
use crate::documents::{Block, Document, Signer, Table};
use crate::error::Result;
use crate::i18n::{Lang, translator};

/// The type of document a report is (Decree 30/2020, Appendix III).
pub const REPORT_TYPE: &str = "BC";

/// Gives an approved report its number the first time it is approved (a reopened and
/// re-approved report keeps it). Called by `response::approve` in its transaction.
pub async fn assign_number(ctx: &mut Ctx, round: &Round, response: &Response) -> Result<()> {
    if response.document_id.is_some() {
        return Ok(());
    }
    let subject = format!("{} {}", round.form_name, round.period);
    let issued = numbering::issue(ctx, response.unit_id, REPORT_TYPE, ctx.today, &subject).await?;
    store::set_document(&mut ctx.tx, response.id, issued.id).await?;
    Ok(())
}

/// The report's number ("12/BC-HPN"); a report not approved yet carries a blank number, as a
/// draft on paper does ("     /BC-HPN").
pub async fn number(ctx: &mut Ctx, round: i64, unit: &str) -> Result<String> {
    let Located { response, .. } = locate(ctx, round, unit).await?;
    if let Some(id) = response.document_id
        && let Some((symbol, _)) = store::document_symbol(&mut ctx.tx, id).await?
    {
        return Ok(symbol);
    }
    let abbreviation = numbering::abbreviation(ctx, response.unit_id).await?;
    Ok(format!("     /{REPORT_TYPE}-{abbreviation}"))
}

/// The period in words: "6 tháng đầu năm 2026", "năm 2026", "quý III năm 2026".
fn period_words(period: &str, lang: Lang) -> String {
    let t = translator(lang);
    let (year, part) = period.split_once('-').unwrap_or((period, ""));
    let key = match part {
        "" => "doc-period-year",
        "H1" => "doc-period-h1",
        "H2" => "doc-period-h2",
        "Q1" | "Q2" | "Q3" | "Q4" => "doc-period-quarter",
        _ => "doc-period-other",
    };
    t.msg_with(
        key,
        &crate::i18n::Args::new()
            .with("year", year.to_string())
            .with("part", part.trim_start_matches('Q').to_string())
            .with("period", period.to_string()),
    )
}

/// "Thành phố Hà Nội" → "Hà Nội": the place of the date line.
fn place_name(name: &str) -> String {
    ["Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
        .to_string()
}

/// The document of a unit's report. `number` comes from [`number`]; `signer` is the name
/// under the signature (the unit's chair), `on` the date of the date line.
pub async fn document(
    ctx: &mut Ctx,
    round: i64,
    unit: &str,
    number: &str,
    signer: &str,
    on: Date,
    lang: Lang,
) -> Result<Document> {
    let t = translator(lang);
    let s: Sheet = sheet::show(ctx, round, unit, lang).await?;
    let today = ctx.today;
    let unit_row = crate::org::store::by_id(&mut ctx.tx, s.response.unit_id, today).await?;
    let parent = match unit_row.as_ref().and_then(|u| u.parent_code.clone()) {
        Some(code) => crate::org::store::by_code(&mut ctx.tx, &code, today).await?,
        None => None,
    };
    let province = match crate::org::store::province_of(&mut ctx.tx, s.response.unit_id).await? {
        Some(p) => crate::org::store::by_id(&mut ctx.tx, p, today).await?,
        None => None,
    };
    let union_of = |name: &str| {
        t.msg_with(
            "doc-union-of",
            &crate::i18n::Args::new().with("unit", name.to_string()),
        )
        .to_uppercase()
    };
    let mut blocks = Vec::new();
    for n in s.narrative.iter().filter(|n| !n.text.trim().is_empty()) {
        blocks.push(Block::Heading(n.title.clone()));
        blocks.push(Block::Paragraph(n.text.clone()));
    }
    blocks.push(Block::Heading(t.msg("doc-figures")));
    let previous = s.previous_period.clone();
    for section in &s.sections {
        blocks.push(Block::Heading(section.title.clone()));
        let mut header = vec![
            t.msg("doc-col-number"),
            t.msg("col-indicator"),
            t.msg("doc-col-result"),
        ];
        if previous.is_some() {
            header.push(t.msg("col-previous"));
        }
        let rows = section
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![(i + 1).to_string(), r.name.clone(), r.display.clone()];
                if previous.is_some() {
                    row.push(r.previous.clone().unwrap_or_default());
                }
                row
            })
            .collect();
        let (numeric, widths) = if previous.is_some() {
            (vec![true, false, true, true], vec![0.7, 6.0, 1.8, 1.8])
        } else {
            (vec![true, false, true], vec![0.7, 6.5, 2.0])
        };
        blocks.push(Block::Table(Table {
            header,
            rows,
            numeric,
            widths,
        }));
    }
    if !s.response.is_target.0 {
        let waived: Vec<Response> = store::children(&mut ctx.tx, s.round.id, s.response.unit_id)
            .await?
            .into_iter()
            .filter(|c| c.waived.0)
            .collect();
        if !waived.is_empty() {
            blocks.push(Block::Heading(t.msg("doc-waived")));
            for w in waived {
                blocks.push(Block::Paragraph(format!(
                    "{}: {}",
                    w.unit_name,
                    w.reason.unwrap_or_default()
                )));
            }
        }
    }
    if s.response.changed_after_approval > 0 {
        blocks.push(Block::Paragraph(t.msg_with(
            "round-changed-after-approval",
            &crate::i18n::Args::new().num("count", s.response.changed_after_approval as f64),
        )));
    }
    Ok(Document {
        superior: parent.as_ref().map(|p| union_of(&p.name)),
        issuer: t
            .msg_with(
                "doc-standing-committee",
                &crate::i18n::Args::new().with("union", union_of(&s.response.unit_name)),
            )
            .to_uppercase(),
        number: t.msg_with(
            "doc-number",
            &crate::i18n::Args::new().with("number", number.to_string()),
        ),
        place: place_name(
            &province
                .map(|p| p.name)
                .unwrap_or_else(|| s.response.unit_name.clone()),
        ),
        date: on,
        kind: t.msg("doc-kind-report"),
        title: format!(
            "{} {}",
            s.round.form_name,
            period_words(&s.round.period, lang)
        ),
        blocks,
        signer: Signer {
            capacity: Some(t.msg("doc-on-behalf")),
            title: t.msg("doc-chair"),
            name: signer.to_string(),
        },
        recipients: parent
            .map(|p| union_of(&p.name))
            .map(|p| vec![p.clone()])
            .unwrap_or_default()
            .into_iter()
            .chain([t.msg("doc-archive")])
            .collect(),
    })
}
