//! The report-round pages: the round list, the inbox, a unit's report (its entry form one
//! section at a time on a phone, saving as she goes; the level above's decisions), the review
//! screen and the completeness board.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::exports::{attachment, workbook};
use super::pages::{error_page, render, unavailable};
use super::session::{Posted, Signed, with_csrf};
use crate::auth::Authority;
use crate::auth::users::User;
use crate::ctx::Ctx;
use crate::i18n::{Translator, translator};
use crate::rounds::{self, board, inbox, response, review, sheet};

fn date(d: time::Date) -> String {
    crate::clock::vn_date(d)
}

#[derive(Template)]
#[template(path = "rounds.html")]
struct ListPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    /// (round id, unit code, form, period, unit, opener, due, closes)
    rows: Vec<[String; 8]>,
}

/// The rounds the user's units take part in.
pub async fn list(State(state): State<AppState>, signed: Signed) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let listed = match rounds::list(&mut ctx, None).await {
        Ok(l) => l,
        Err(e) => return error_page(&e, signed.lang),
    };
    let rows = listed
        .into_iter()
        .map(|l| {
            [
                l.round.id.to_string(),
                l.unit_code.clone(),
                l.round.form_name.clone(),
                l.round.period.clone(),
                format!("{} ({})", l.unit_name, l.unit_code),
                l.round.opener_name.clone(),
                date(l.round.due),
                l.round.closes.map(date).unwrap_or_default(),
            ]
        })
        .collect();
    render(&ListPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        rows,
    })
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    inboxes: Vec<InboxView>,
}

struct InboxView {
    answer_title: String,
    review_title: String,
    unit_code: String,
    unit_name: String,
    to_answer: Vec<ItemView>,
    to_review: Vec<ItemView>,
}

struct ItemView {
    href: String,
    title: String,
    unit: String,
    status: String,
    due: String,
    /// overdue, locked or empty: how the due date reads.
    mark: String,
}

fn inbox_view(t: &Translator, i: inbox::Inbox) -> InboxView {
    let item = |item: &inbox::Item| ItemView {
        href: format!(
            "/rounds/{}/units/{}",
            item.round.id, item.response.unit_code
        ),
        title: format!("{} — {}", item.round.form_name, item.round.period),
        unit: format!("{} ({})", item.response.unit_name, item.response.unit_code),
        status: item.response.status_text(t),
        due: date(item.response.due),
        mark: if item.locked {
            t.msg("round-locked")
        } else if item.overdue {
            t.msg("round-overdue")
        } else {
            String::new()
        },
    };
    let count =
        |key: &str, n: usize| t.msg_with(key, &crate::i18n::Args::new().num("count", n as f64));
    InboxView {
        answer_title: count("inbox-to-answer", i.to_answer.len()),
        review_title: count("inbox-to-review", i.to_review.len()),
        to_answer: i.to_answer.iter().map(item).collect(),
        to_review: i.to_review.iter().map(item).collect(),
        unit_code: i.unit_code,
        unit_name: i.unit_name,
    }
}

/// The inbox of every unit where the user holds a grant (a branch head has one).
pub async fn my_inbox(State(state): State<AppState>, signed: Signed) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let mut inboxes = Vec::new();
    let units: Vec<i64> = signed
        .access
        .grants()
        .map(|gs| gs.iter().map(|g| g.unit_id).take(10).collect())
        .unwrap_or_default();
    for id in units {
        let Ok(Some(unit)) = crate::org::store::by_id(&mut ctx.tx, id, ctx.today).await else {
            continue;
        };
        // A grant that does not show members (a case worker's) has no inbox of reports.
        if let Ok(i) = inbox::inbox(&mut ctx, &unit.code).await {
            inboxes.push(inbox_view(t, i));
        }
    }
    render(&InboxPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        inboxes,
    })
}

/// One unit's inbox.
pub async fn unit_inbox(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    match inbox::inbox(&mut ctx, &code).await {
        Ok(i) => render(&InboxPage {
            lang: signed.lang.code(),
            t,
            user: &signed.user,
            csrf: &signed.csrf,
            inboxes: vec![inbox_view(t, i)],
        }),
        Err(e) => error_page(&e, signed.lang),
    }
}

#[derive(Template)]
#[template(path = "round_sheet.html")]
struct SheetPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    s: sheet::Sheet,
    status: String,
    /// The section shown: an index into the sections, `sections.len()` for the narrative,
    /// or none for all of them.
    section: Option<usize>,
    section_titles: Vec<String>,
    /// She may enter and submit here.
    may_submit: bool,
    /// She may return, approve, reopen, waive or open a late window here.
    may_decide: bool,
    /// She may set earlier deadlines for the units below (a unit above the targets).
    may_set_deadlines: bool,
    /// What she typed, kept when it was refused.
    typed: HashMap<String, String>,
    error: Option<String>,
    notice: Option<String>,
    due: String,
    closes: String,
    cutoff: String,
    late_until: String,
    changed_note: Option<String>,
}

impl SheetPage<'_> {
    /// The value an input shows: what was typed (refused), else what is stored.
    fn input_value(&self, code: &str, stored: Option<&str>) -> String {
        self.typed
            .get(code)
            .cloned()
            .or_else(|| stored.map(str::to_string))
            .unwrap_or_default()
    }

    fn shows(&self, index: &usize) -> bool {
        self.section.is_none_or(|s| s == *index)
    }

    fn shows_narrative(&self) -> bool {
        self.shows(&self.s.sections.len())
    }

    fn is_current(&self, index: &usize) -> bool {
        self.section == Some(*index)
    }

    /// The section shown, numbered from 1 (the form posts it back).
    fn section_number(&self) -> Option<usize> {
        self.section.map(|s| s + 1)
    }

    /// A history entry's row by its name (or a narrative heading), never a bare code.
    fn indicator_name(&self, key: &str) -> String {
        self.s
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .find(|r| r.code == key)
            .map(|r| r.name.clone())
            .or_else(|| {
                self.s
                    .narrative
                    .iter()
                    .find(|n| n.key == key)
                    .map(|n| n.title.clone())
            })
            .unwrap_or_else(|| key.to_string())
    }

    /// "2026-12-01T10:52:46.5+07:00" as "01/12/2026 10:52".
    fn when(&self, at: &str) -> String {
        match (
            at.get(0..10).and_then(crate::clock::parse_date),
            at.get(11..16),
        ) {
            (Some(d), Some(time)) => format!("{} {time}", date(d)),
            _ => at.to_string(),
        }
    }

    fn event_label(&self, kind: &str) -> String {
        self.t
            .msg(&format!("round-event-{}", kind.replace('_', "-")))
    }

    fn next_section(&self) -> Option<usize> {
        self.section
            .map(|s| s + 1)
            .filter(|n| *n <= self.s.sections.len())
    }
}

#[derive(Deserialize, Default)]
pub struct SheetQuery {
    /// A section's number from 1, "narrative", or "all".
    section: Option<String>,
    /// The notice to show after a redirect: saved, submitted, decided.
    done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn sheet_page(
    state: &AppState,
    signed: &Signed,
    round: i64,
    code: &str,
    section: Option<String>,
    typed: HashMap<String, String>,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let s = match sheet::show(&mut ctx, round, code, signed.lang).await {
        Ok(s) => s,
        Err(e) => return error_page(&e, signed.lang),
    };
    let today = ctx.today;
    let unit = s.response.unit_id;
    let may_submit = ctx
        .access
        .may(&mut ctx.tx, Authority::SubmitReports, unit, today)
        .await
        .unwrap_or(false);
    let may_decide = ctx
        .access
        .may(&mut ctx.tx, Authority::ApproveReports, unit, today)
        .await
        .unwrap_or(false);
    let may_set_deadlines = !s.response.is_target.0
        && ctx
            .access
            .may(&mut ctx.tx, Authority::IssueDirectives, unit, today)
            .await
            .unwrap_or(false);
    if ctx.finish().await.is_err() {
        return unavailable();
    }
    let count = s.sections.len();
    let section = match section.as_deref() {
        Some("all") => None,
        Some("narrative") => Some(count),
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=count + 1).contains(n))
            .map(|n| n - 1)
            .or(Some(0)),
        // One section at a time for whoever enters; the whole report for readers.
        None if s.editable && may_submit => Some(0),
        None => None,
    };
    let mut section_titles: Vec<String> = s.sections.iter().map(|x| x.title.clone()).collect();
    if !s.narrative.is_empty() {
        section_titles.push(t.msg("web-round-narrative"));
    }
    let error_status = error.is_some();
    let page = SheetPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        status: s.response.status_text(t),
        due: date(s.response.due),
        closes: s.response.closes.map(date).unwrap_or_default(),
        cutoff: date(s.round.cutoff),
        late_until: s.response.late_until.map(date).unwrap_or_default(),
        changed_note: (s.response.changed_after_approval > 0).then(|| {
            t.msg_with(
                "round-changed-after-approval",
                &crate::i18n::Args::new().num("count", s.response.changed_after_approval as f64),
            )
        }),
        s,
        section,
        section_titles,
        may_submit,
        may_decide,
        may_set_deadlines,
        typed,
        error,
        notice,
    };
    if error_status {
        (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
    } else {
        render(&page)
    }
}

pub async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
    Query(q): Query<SheetQuery>,
) -> Response {
    let t = translator(signed.lang);
    let notice = q
        .done
        .as_deref()
        .filter(|d| ["saved", "submitted", "decided"].contains(d))
        .map(|d| t.msg(&format!("web-round-done-{d}")));
    sheet_page(
        &state,
        &signed,
        round,
        &code,
        q.section,
        HashMap::new(),
        None,
        notice,
    )
    .await
}

/// What the report page posts: the values of one section (`v:CODE` fields), or a decision.
#[derive(Deserialize)]
pub struct SheetForm {
    csrf: String,
    /// save, save_next, submit, return, approve, reopen, waive, late.
    action: String,
    /// The section the values came from (its number from 1).
    #[serde(default)]
    section: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    until: String,
    /// For `deadlines`: the due and closing dates of the units below.
    #[serde(default)]
    due: String,
    #[serde(default)]
    close: String,
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

with_csrf!(SheetForm);

pub async fn act(
    State(state): State<AppState>,
    Path((round, code)): Path<(i64, String)>,
    Posted { signed, form }: Posted<SheetForm>,
) -> Response {
    let entries: Vec<(String, String)> = form
        .fields
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("v:").map(|k| (k.to_string(), v.clone())))
        .take(1_000)
        .collect();
    let until = crate::clock::parse_date(&form.until);
    let due = crate::clock::parse_date(&form.due);
    let close = crate::clock::parse_date(&form.close);
    let action = form.action.as_str();
    let result = crate::write_ctx!(state.store, signed.access, ctx => {
        match action {
            "save" | "save_next" => response::enter(ctx, round, &code, &entries).await.map(|_| ()),
            "submit" => {
                response::enter(ctx, round, &code, &entries).await?;
                response::submit(ctx, round, &code).await.map(|_| ())
            }
            "return" => response::send_back(ctx, round, &code, &form.reason).await,
            "approve" => response::approve(ctx, round, &code).await,
            "reopen" => response::reopen(ctx, round, &code, &form.reason).await.map(|_| ()),
            "waive" => response::waive(ctx, round, &code, &form.reason).await,
            "deadlines" => match due {
                Some(d) if form.close.trim().is_empty() || close.is_some() => {
                    response::set_deadlines(ctx, round, &code, d, close).await.map(|_| ())
                }
                _ => Err(crate::error::Error::invalid("due", "invalid-date")),
            },
            "late" => match until {
                Some(u) => response::grant_late(ctx, round, &code, u, &form.reason).await,
                None => Err(crate::error::Error::invalid("until", "invalid-date")),
            },
            _ => Err(crate::error::Error::invalid("action", "invalid-code")),
        }
    });
    let here = format!("/rounds/{round}/units/{code}");
    match result {
        Ok(()) => {
            let (done, section) = match action {
                "save" => ("saved", form.section.clone()),
                "save_next" => (
                    "saved",
                    form.section
                        .parse::<usize>()
                        .map(|n| (n + 1).to_string())
                        .unwrap_or_default(),
                ),
                "submit" => ("submitted", "all".into()),
                _ => ("decided", "all".into()),
            };
            Redirect::to(&format!("{here}?section={section}&done={done}")).into_response()
        }
        Err(e @ (crate::error::Error::NotFound { .. } | crate::error::Error::Forbidden)) => {
            error_page(&e, signed.lang)
        }
        Err(e) if e.is_contention() => error_page(&e, signed.lang),
        Err(e) => {
            let typed = entries.into_iter().collect();
            let section = Some(form.section.clone()).filter(|s| !s.is_empty());
            sheet_page(
                &state,
                &signed,
                round,
                &code,
                section,
                typed,
                Some(e.render(signed.lang)),
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "round_review.html")]
struct ReviewPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    r: review::Review,
    statuses: Vec<String>,
    may_decide: bool,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    /// "1": count submitted reports too.
    all: Option<String>,
}

pub async fn review_page(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
    Query(q): Query<ReviewQuery>,
) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let all = q.all.as_deref() == Some("1");
    let r = match review::review(&mut ctx, round, &code, all, signed.lang).await {
        Ok(r) => r,
        Err(e) => return error_page(&e, signed.lang),
    };
    // Approving acts strictly below her grant: whether she may decide on the children.
    let today = ctx.today;
    let may_decide = match r.children.first() {
        Some(c) => ctx
            .access
            .may(&mut ctx.tx, Authority::ApproveReports, c.unit_id, today)
            .await
            .unwrap_or(false),
        None => false,
    };
    if ctx.finish().await.is_err() {
        return unavailable();
    }
    render(&ReviewPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        statuses: r.children.iter().map(|c| c.status_text(t)).collect(),
        r,
        may_decide,
    })
}

#[derive(Template)]
#[template(path = "round_status.html")]
struct StatusPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    b: board::Board,
    statuses: Vec<String>,
}

pub async fn status_page(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
) -> Response {
    let t = translator(signed.lang);
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    match board::board(&mut ctx, round, &code).await {
        Ok(b) => render(&StatusPage {
            lang: signed.lang.code(),
            t,
            user: &signed.user,
            csrf: &signed.csrf,
            statuses: b
                .children
                .iter()
                .map(|c| c.response.status_text(t))
                .collect(),
            b,
        }),
        Err(e) => error_page(&e, signed.lang),
    }
}

/// Every unit still missing under a unit, as a workbook to send round.
pub async fn overdue(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
) -> Response {
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let b = match board::board_listing(&mut ctx, round, &code, board::MISSING_EXPORTED).await {
        Ok(b) => b,
        Err(e) => return error_page(&e, signed.lang),
    };
    match rounds::export::overdue_workbook(&b, signed.lang) {
        Ok(bytes) => workbook(
            bytes,
            &format!("chua-nop-dot-{round}-{}", code.to_lowercase()),
        ),
        Err(e) => error_page(&e, signed.lang),
    }
}

/// The unit's entry workbook, to fill in offline.
pub async fn template(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
) -> Response {
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    match crate::rounds::workbook::template(&mut ctx, round, &code, signed.lang).await {
        Ok(bytes) => workbook(
            bytes,
            &format!("bao-cao-dot-{round}-{}", code.to_lowercase()),
        ),
        Err(e) => error_page(&e, signed.lang),
    }
}

/// The largest entry workbook taken (the reader's own limit refuses larger ones too).
pub const UPLOAD_LIMIT: usize = 10 << 20;

/// A filled entry workbook: every row checked, all entered or nothing, each problem named by
/// its row on the report page.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let t = translator(signed.lang);
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                // The token comes first in the form: nothing of the file is read without it.
                if name == "file" && !crate::auth::sessions::same_token(&signed.csrf, &csrf) {
                    return super::pages::message_page(
                        StatusCode::FORBIDDEN,
                        signed.lang,
                        "web-csrf",
                    );
                }
                let Ok(data) = field.bytes().await else {
                    return super::pages::message_page(
                        StatusCode::BAD_REQUEST,
                        signed.lang,
                        "web-import-upload-failed",
                    );
                };
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&data).into_owned(),
                    "file" => bytes = data.to_vec(),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                return super::pages::message_page(
                    StatusCode::BAD_REQUEST,
                    signed.lang,
                    "web-import-upload-failed",
                );
            }
        }
    }
    if !crate::auth::sessions::same_token(&signed.csrf, &csrf) {
        return super::pages::message_page(StatusCode::FORBIDDEN, signed.lang, "web-csrf");
    }
    if bytes.is_empty() {
        let message = t.msg("web-import-no-file");
        return sheet_page(
            &state,
            &signed,
            round,
            &code,
            None,
            HashMap::new(),
            Some(message),
            None,
        )
        .await;
    }
    let lang = signed.lang;
    let result = crate::write_ctx!(state.store, signed.access, ctx => {
        let filled = crate::rounds::workbook::enter_file(ctx, round, &code, &bytes, lang).await?;
        if filled.problems.is_empty() {
            Ok(filled.changed)
        } else {
            Err(crate::error::Error::Conflict {
                message: "round-file-refused",
                args: crate::i18n::Args::new().with(
                    "problems",
                    filled.problems.iter().map(|p| format!("{}: {}", p.sheet, p.message)).collect::<Vec<_>>().join(" · "),
                ),
            })
        }
    });
    match result {
        Ok(_) => Redirect::to(&format!(
            "/rounds/{round}/units/{code}?section=all&done=saved"
        ))
        .into_response(),
        Err(e @ (crate::error::Error::NotFound { .. } | crate::error::Error::Forbidden)) => {
            error_page(&e, signed.lang)
        }
        Err(e) => {
            sheet_page(
                &state,
                &signed,
                round,
                &code,
                Some("all".into()),
                HashMap::new(),
                Some(e.render(signed.lang)),
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DownloadQuery {
    /// pdf, docx or xlsx.
    format: Option<String>,
    /// The name under the signature.
    signer: Option<String>,
}

/// The unit's report to file: PDF or DOCX in the Decree 30/2020 layout, or a workbook.
pub async fn download(
    State(state): State<AppState>,
    signed: Signed,
    Path((round, code)): Path<(i64, String)>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let format = q.format.unwrap_or_else(|| "pdf".into());
    let (content_type, extension) = match format.as_str() {
        "pdf" => ("application/pdf", "pdf"),
        "docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "xlsx" => (super::exports::XLSX, "xlsx"),
        _ => return super::pages::message_page(StatusCode::BAD_REQUEST, signed.lang, "web-error"),
    };
    let signer = crate::text::cut(q.signer.as_deref().unwrap_or("").trim(), 100).into_owned();
    let Ok(mut ctx) = Ctx::read(&state.store, signed.access.clone()).await else {
        return unavailable();
    };
    let lang = signed.lang;
    let made: crate::error::Result<Vec<u8>> = async {
        let number = crate::rounds::document::number(&mut ctx, round, &code).await?;
        if extension == "xlsx" {
            let s = sheet::show(&mut ctx, round, &code, lang).await?;
            return crate::rounds::export::report_workbook(&s, lang);
        }
        let today = ctx.today;
        let doc = crate::rounds::document::document(
            &mut ctx, round, &code, &number, &signer, today, lang,
        )
        .await?;
        if extension == "pdf" {
            crate::documents::pdf(&doc)
        } else {
            crate::documents::docx(&doc)
        }
    }
    .await;
    match made {
        Ok(bytes) => {
            if ctx.finish().await.is_err() {
                return unavailable();
            }
            attachment(
                bytes,
                content_type,
                &format!("bao-cao-dot-{round}-{}.{extension}", code.to_lowercase()),
            )
        }
        Err(e) => error_page(&e, signed.lang),
    }
}
