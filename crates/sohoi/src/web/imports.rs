//! The import page: upload a workbook, see the preview (the header found, the columns
//! mapped, every error and repair) while it is checked, correct the column mapping if
//! needed, then import for real. An import runs in the background with its progress shown
//! and can be cancelled; a cancelled or failed import leaves the database as it was.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::pages::{Right, message_page, render, unavailable, unit_for};
use super::session::{Posted, Signed, with_csrf};
use crate::auth::Access;
use crate::auth::sessions::same_token;
use crate::auth::users::User;
use crate::excel::import::{self, Control, Options, Report};
use crate::i18n::{Args, Lang, Translator, translator};

/// How long a finished import stays available (its report and error workbook).
const KEEP: Duration = Duration::from_secs(3600);

pub enum JobState {
    Running,
    Done {
        report: Report,
        errors: Option<Vec<u8>>,
    },
    Failed(String),
}

pub struct Job {
    owner: i64,
    unit_code: String,
    file_name: String,
    bytes: Vec<u8>,
    mapping: String,
    partial: bool,
    /// Hold rows dated in a locked period (else enter them on the first open day).
    hold_locked: bool,
    dry_run: bool,
    started: Instant,
    control: Control,
    state: Mutex<JobState>,
}

/// Imports under way or recently finished, by id. Held in memory: a restart forgets them,
/// and the database is never left half-written, since each runs in one transaction.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<HashMap<String, Arc<Job>>>>);

impl Jobs {
    fn get(&self, id: &str, user: &User) -> Option<Arc<Job>> {
        let jobs = self.0.lock().ok()?;
        jobs.get(id).filter(|j| j.owner == user.id).cloned()
    }

    /// Keeps a new job, unless its owner already has one running: one import per person at
    /// a time, so that nobody can queue imports that starve everyone's writes. Of her finished
    /// jobs only the newest few are kept (each holds its file).
    fn insert(&self, job: Job) -> Option<String> {
        let id = crate::auth::sessions::random_token()[..16].to_string();
        let mut jobs = self.0.lock().ok()?;
        jobs.retain(|_, j| j.started.elapsed() < KEEP || j.running());
        if jobs.values().any(|j| j.owner == job.owner && j.running()) {
            return None;
        }
        let mut hers: Vec<(String, Instant)> = jobs
            .iter()
            .filter(|(_, j)| j.owner == job.owner)
            .map(|(k, j)| (k.clone(), j.started))
            .collect();
        hers.sort_by_key(|(_, started)| std::cmp::Reverse(*started));
        for (old, _) in hers.into_iter().skip(KEPT_PER_PERSON - 1) {
            jobs.remove(&old);
        }
        jobs.insert(id.clone(), Arc::new(job));
        Some(id)
    }
}

/// Finished jobs kept per person, the new one included.
const KEPT_PER_PERSON: usize = 3;

impl Job {
    fn running(&self) -> bool {
        matches!(
            self.state.lock().map(|s| matches!(*s, JobState::Running)),
            Ok(true)
        )
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct UploadPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    unit_code: String,
    unit_name: String,
    error: Option<String>,
}

async fn upload_page(
    state: &AppState,
    signed: &Signed,
    code: &str,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let unit = match unit_for(state, signed, code, Right::Edit).await {
        Ok(u) => u,
        Err(response) => return response,
    };
    let t = translator(signed.lang);
    let page = UploadPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        unit_code: unit.code,
        unit_name: unit.name,
        error,
    };
    (status, render(&page)).into_response()
}

pub async fn form(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
) -> Response {
    upload_page(&state, &signed, &code, StatusCode::OK, None).await
}

/// Starts a check (the preview) of an uploaded workbook.
pub async fn upload(
    State(state): State<AppState>,
    signed: Signed,
    Path(code): Path<String>,
    mut multipart: Multipart,
) -> Response {
    let (mut csrf, mut file_name, mut bytes, mut partial, mut mapping) = (
        String::new(),
        String::new(),
        Vec::new(),
        false,
        String::new(),
    );
    let mut hold_locked = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                if name == "file" {
                    file_name = field.file_name().unwrap_or("").to_string();
                }
                let Ok(data) = field.bytes().await else {
                    return upload_page(
                        &state,
                        &signed,
                        &code,
                        StatusCode::BAD_REQUEST,
                        Some(t_msg(signed.lang, "web-import-upload-failed")),
                    )
                    .await;
                };
                match name.as_str() {
                    "csrf" => csrf = String::from_utf8_lossy(&data).into_owned(),
                    "file" => bytes = data.to_vec(),
                    "partial" => partial = true,
                    "hold_locked" => hold_locked = true,
                    "mapping" => mapping = String::from_utf8_lossy(&data).into_owned(),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                return upload_page(
                    &state,
                    &signed,
                    &code,
                    StatusCode::BAD_REQUEST,
                    Some(t_msg(signed.lang, "web-import-upload-failed")),
                )
                .await;
            }
        }
    }
    if !same_token(&signed.csrf, &csrf) {
        return message_page(StatusCode::FORBIDDEN, signed.lang, "web-csrf");
    }
    if bytes.is_empty() {
        return upload_page(
            &state,
            &signed,
            &code,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(t_msg(signed.lang, "web-import-no-file")),
        )
        .await;
    }
    // The unit must be one she may edit before anything runs.
    let unit = match unit_for(&state, &signed, &code, Right::Edit).await {
        Ok(u) => u,
        Err(response) => return response,
    };
    let job = Job {
        owner: signed.user.id,
        unit_code: unit.code,
        file_name,
        bytes,
        mapping,
        partial,
        hold_locked,
        dry_run: true,
        started: Instant::now(),
        control: Control::default(),
        state: Mutex::new(JobState::Running),
    };
    start(&state, &signed, job)
}

fn t_msg(lang: Lang, id: &str) -> String {
    translator(lang).msg(id)
}

/// Runs a job in the background; the answer is its page.
fn start(state: &AppState, signed: &Signed, job: Job) -> Response {
    let custom = match import::header::parse_mapping_file(&job.mapping) {
        Ok(pairs) => pairs,
        Err(line) => {
            let message = translator(signed.lang)
                .msg_with("import-bad-mapping", &Args::new().with("line", line));
            return (StatusCode::UNPROCESSABLE_ENTITY, message).into_response();
        }
    };
    let options = Options {
        unit: job.unit_code.clone(),
        dry_run: job.dry_run,
        partial: job.partial,
        hold_locked: job.hold_locked,
        mapping: custom,
        ..Options::default()
    };
    let Some(id) = state.imports.insert(job) else {
        return message_page(
            StatusCode::TOO_MANY_REQUESTS,
            signed.lang,
            "web-import-one-at-a-time",
        );
    };
    let Some(job) = state.imports.get(&id, &signed.user) else {
        return unavailable();
    };
    let (store, access, lang): (crate::store::Store, Access, Lang) =
        (state.store.clone(), signed.access.clone(), signed.lang);
    tokio::spawn(async move {
        let outcome = async {
            let mut ctx = crate::ctx::Ctx::write(&store, access).await?;
            let outcome =
                import::import(&mut ctx, job.bytes.clone(), &options, lang, &job.control).await?;
            if outcome.report.commits() {
                ctx.finish().await?;
            }
            let errors = if outcome.rejected.is_empty() {
                None
            } else {
                Some(outcome.rejected.workbook(lang)?)
            };
            Ok::<_, crate::error::Error>((outcome.report, errors))
        }
        .await;
        let next = match outcome {
            Ok((report, errors)) => JobState::Done { report, errors },
            Err(e) => JobState::Failed(e.render(lang)),
        };
        if let Ok(mut state) = job.state.lock() {
            *state = next;
        }
    });
    Redirect::to(&format!("/imports/{id}")).into_response()
}

#[derive(Template)]
#[template(path = "import_job.html")]
struct JobPage<'a> {
    lang: &'static str,
    t: &'a Translator,
    user: &'a User,
    csrf: &'a str,
    id: String,
    unit_code: String,
    file_name: String,
    dry_run: bool,
    partial: bool,
    mapping: String,
    running: bool,
    rows_read: String,
    failed: Option<String>,
    report: Option<Report>,
    summary: String,
    verdict: String,
    has_errors_file: bool,
    /// The preview found nothing that stops a full import.
    may_commit: bool,
}

pub async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let Some(job) = state.imports.get(&id, &signed.user) else {
        return message_page(StatusCode::NOT_FOUND, signed.lang, "web-not-found");
    };
    let t = translator(signed.lang);
    let (running, failed, report, has_errors_file) =
        match &*job.state.lock().unwrap_or_else(|e| e.into_inner()) {
            JobState::Running => (true, None, None, false),
            JobState::Failed(m) => (false, Some(m.clone()), None, false),
            JobState::Done { report, errors } => {
                (false, None, Some(report.clone()), errors.is_some())
            }
        };
    let (summary, verdict, may_commit) = match &report {
        Some(r) => {
            let (summary, verdict) = r.summary(signed.lang);
            (
                summary,
                verdict,
                r.dry_run && (r.error_row_count == 0 || job.partial),
            )
        }
        None => (String::new(), String::new(), false),
    };
    let page = JobPage {
        lang: signed.lang.code(),
        t,
        user: &signed.user,
        csrf: &signed.csrf,
        id,
        unit_code: job.unit_code.clone(),
        file_name: job.file_name.clone(),
        dry_run: job.dry_run,
        partial: job.partial,
        mapping: job.mapping.clone(),
        running,
        rows_read: crate::text::number(job.control.rows_read.load(Ordering::Relaxed) as i64),
        failed,
        report,
        summary,
        verdict,
        has_errors_file,
        may_commit,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct JobForm {
    csrf: String,
    /// "commit" (import the checked file), "recheck" (check again with this mapping) or "cancel".
    action: String,
    #[serde(default)]
    mapping: String,
    #[serde(default)]
    partial: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { signed, form }: Posted<JobForm>,
) -> Response {
    let Some(job) = state.imports.get(&id, &signed.user) else {
        return message_page(StatusCode::NOT_FOUND, signed.lang, "web-not-found");
    };
    match form.action.as_str() {
        "cancel" => {
            job.control.cancelled.store(true, Ordering::Relaxed);
            Redirect::to(&format!("/imports/{id}")).into_response()
        }
        "commit" | "recheck" => {
            let next = Job {
                owner: job.owner,
                unit_code: job.unit_code.clone(),
                file_name: job.file_name.clone(),
                bytes: job.bytes.clone(),
                mapping: if form.action == "recheck" {
                    form.mapping
                } else {
                    job.mapping.clone()
                },
                partial: if form.action == "recheck" {
                    form.partial.is_some()
                } else {
                    job.partial
                },
                hold_locked: job.hold_locked,
                dry_run: form.action == "recheck",
                started: Instant::now(),
                control: Control::default(),
                state: Mutex::new(JobState::Running),
            };
            start(&state, &signed, next)
        }
        _ => message_page(StatusCode::BAD_REQUEST, signed.lang, "web-error"),
    }
}

/// The rejected rows of a finished import as a workbook.
pub async fn errors(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> Response {
    let Some(job) = state.imports.get(&id, &signed.user) else {
        return message_page(StatusCode::NOT_FOUND, signed.lang, "web-not-found");
    };
    let bytes = match &*job.state.lock().unwrap_or_else(|e| e.into_inner()) {
        JobState::Done {
            errors: Some(bytes),
            ..
        } => bytes.clone(),
        _ => return message_page(StatusCode::NOT_FOUND, signed.lang, "web-not-found"),
    };
    super::exports::workbook(bytes, "loi-nhap-du-lieu")
}

with_csrf!(JobForm);

#[cfg(test)]
mod tests {
    use super::*;

    fn job(owner: i64, state: JobState) -> Job {
        Job {
            owner,
            unit_code: "00004".into(),
            file_name: "ds.xlsx".into(),
            bytes: vec![],
            mapping: String::new(),
            partial: false,
            hold_locked: false,
            dry_run: true,
            started: Instant::now(),
            control: Control::default(),
            state: Mutex::new(state),
        }
    }

    #[test]
    fn one_import_per_person_at_a_time() {
        let jobs = Jobs::default();
        assert!(jobs.insert(job(1, JobState::Running)).is_some());
        assert!(
            jobs.insert(job(1, JobState::Running)).is_none(),
            "her second import waits"
        );
        assert!(
            jobs.insert(job(2, JobState::Running)).is_some(),
            "another officer's does not"
        );
        // Finished jobs: only her newest few are kept.
        for _ in 0..5 {
            assert!(
                jobs.insert(job(3, JobState::Failed(String::new())))
                    .is_some()
            );
        }
        let kept = jobs
            .0
            .lock()
            .map(|j| j.values().filter(|j| j.owner == 3).count())
            .unwrap_or(0);
        assert_eq!(kept, KEPT_PER_PERSON);
    }
}
