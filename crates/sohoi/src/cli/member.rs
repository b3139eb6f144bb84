//! `sohoi member …` and the demo builder's progress bar.

use anyhow::Context;
use clap::{Args as ClapArgs, Subcommand};

use super::commands::{open, parse_date_arg};
use super::output::table;
use crate::auth::Access;
use crate::ctx::Ctx;
use crate::i18n::{Args, Lang, translator};
use crate::members::codes::label as value_label;
use crate::members::input::RawMember;
use crate::members::service::{self, Ending};
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum MemberCommand {
    /// Record a new member in a unit (a "joined" event).
    Add {
        /// Unit code (a branch, a commune union, a group or an agency union).
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// Show a member's record and ledger.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Correct fields of a member's record (a "corrected" event). Only the fields given change.
    Edit {
        id: i64,
        #[command(flatten)]
        fields: Fields,
        /// Date the correction takes effect (default today).
        #[arg(long)]
        date: Option<String>,
    },
    /// Transfer an active member to another unit (transferred out + transferred in).
    Transfer {
        id: i64,
        /// Destination unit code.
        #[arg(long)]
        to: String,
        /// Effective date (default today).
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// End a membership: left the Union (or, with --died, died).
    Leave {
        id: i64,
        #[arg(long)]
        died: bool,
        #[arg(long)]
        date: Option<String>,
        /// Reason, kept in the ledger.
        #[arg(long)]
        note: Option<String>,
    },
    /// Restore a member who had left.
    Restore {
        id: i64,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Find members by name, ignoring case and diacritics ("thuy" finds Thủy and Thuỷ).
    Search {
        query: String,
        /// Only under this unit.
        #[arg(long)]
        under: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// List the members under a unit, in Vietnamese name order.
    List {
        unit: String,
        #[arg(long, default_value_t = 1)]
        page: i64,
        #[arg(long, default_value_t = 50)]
        per_page: i64,
        #[arg(long)]
        json: bool,
    },
}

/// Record fields; on `edit`, those not given keep their value.
#[derive(ClapArgs, Debug, Default)]
pub struct Fields {
    /// Full name.
    #[arg(long)]
    name: Option<String>,
    /// Date of birth: yyyy, mm/yyyy or dd/mm/yyyy.
    #[arg(long)]
    birth: Option<String>,
    /// female (default) or male (honorary members only).
    #[arg(long)]
    sex: Option<String>,
    /// Honorary member (Charter 2022).
    #[arg(long)]
    honorary: Option<bool>,
    /// National ID (CCCD, 12 digits).
    #[arg(long)]
    national_id: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    address: Option<String>,
    /// Ethnicity: code (01–54) or name ("Kinh", "Tày").
    #[arg(long)]
    ethnicity: Option<String>,
    /// none, buddhism, catholic, protestant, caodai, hoahao, islam, other.
    #[arg(long)]
    religion: Option<String>,
    /// none, primary, lower_secondary, upper_secondary.
    #[arg(long)]
    education: Option<String>,
    /// none, elementary, vocational, college, university, master, doctorate.
    #[arg(long)]
    qualification: Option<String>,
    /// none, elementary, intermediate, advanced.
    #[arg(long)]
    political_theory: Option<String>,
    /// farmer, worker, civil_servant, business, freelance, student, homemaker, retired, other.
    #[arg(long)]
    occupation: Option<String>,
    /// Party member.
    #[arg(long)]
    party_member: Option<bool>,
    /// Comma-separated: intellectual, entrepreneur, influencer, worker, farmer, ethnic_minority, religious.
    #[arg(long)]
    segments: Option<String>,
    /// Member card number.
    #[arg(long)]
    card: Option<String>,
    /// Date joined (default today).
    #[arg(long)]
    joined: Option<String>,
}

impl Fields {
    fn apply(self, raw: &mut RawMember) {
        let set = |target: &mut String, v: Option<String>| {
            if let Some(v) = v {
                *target = v;
            }
        };
        set(&mut raw.full_name, self.name);
        set(&mut raw.birth_date, self.birth);
        set(&mut raw.sex, self.sex);
        set(&mut raw.national_id, self.national_id);
        set(&mut raw.phone, self.phone);
        set(&mut raw.address, self.address);
        set(&mut raw.ethnicity, self.ethnicity);
        set(&mut raw.religion, self.religion);
        set(&mut raw.education, self.education);
        set(&mut raw.qualification, self.qualification);
        set(&mut raw.political_theory, self.political_theory);
        set(&mut raw.occupation, self.occupation);
        set(&mut raw.segments, self.segments);
        set(&mut raw.card_number, self.card);
        set(&mut raw.joined_on, self.joined);
        if let Some(h) = self.honorary {
            raw.honorary = h;
        }
        if let Some(p) = self.party_member {
            raw.party_member = p;
        }
    }
}

fn parse_raw(raw: &RawMember, lang: Lang) -> anyhow::Result<crate::members::MemberInput> {
    raw.parse(crate::clock::today()).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.render(lang)).collect();
        anyhow::anyhow!(lines.join("; "))
    })
}

pub async fn run(
    db: &str,
    command: MemberCommand,
    scope: &Access,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let store = open(db).await?;
    let mut ctx = Ctx::write(&store, scope.clone()).await?;
    match command {
        MemberCommand::Add { unit, fields } => {
            let mut raw = RawMember::default();
            fields.apply(&mut raw);
            let input = parse_raw(&raw, lang)?;
            let added = service::add(&mut ctx, &unit, input).await?;
            ctx.finish().await?;
            crate::say!(
                "{}",
                t.msg_with(
                    "cli-member-added",
                    &Args::new().with("id", added.id.to_string())
                )
            );
            for s in &added.similar {
                crate::say!(
                    "{}",
                    t.msg_with(
                        "warning-similar",
                        &Args::new()
                            .with("name", s.full_name.clone())
                            .with("birth", s.birth.clone())
                            .with("id", s.id.to_string())
                            .with("unit", s.unit_code.clone())
                    )
                );
            }
            return Ok(());
        }
        MemberCommand::Show { id, json } => {
            let view = service::show(&mut ctx, id).await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                print_member(&view, lang);
            }
        }
        MemberCommand::Edit { id, fields, date } => {
            let on = parse_date_arg(date.as_deref(), lang)?;
            let current = service::show(&mut ctx, id).await?.member;
            let mut raw = RawMember::from_member(&current);
            fields.apply(&mut raw);
            let input = parse_raw(&raw, lang)?;
            let changed = service::edit(&mut ctx, id, current.version, input, on).await?;
            crate::say!(
                "{}",
                t.msg(if changed {
                    "cli-member-corrected"
                } else {
                    "cli-member-unchanged"
                })
            );
        }
        MemberCommand::Transfer { id, to, date, note } => {
            let on = parse_date_arg(date.as_deref(), lang)?;
            let current = service::show(&mut ctx, id).await?.member;
            service::transfer(&mut ctx, id, current.version, &to, on, note.as_deref()).await?;
            crate::say!(
                "{}",
                t.msg_with(
                    "cli-member-transferred",
                    &Args::new().with("id", id.to_string()).with("unit", to)
                )
            );
        }
        MemberCommand::Leave {
            id,
            died,
            date,
            note,
        } => {
            let on = parse_date_arg(date.as_deref(), lang)?;
            let current = service::show(&mut ctx, id).await?.member;
            let how = if died { Ending::Died } else { Ending::Left };
            service::end(&mut ctx, id, current.version, how, on, note.as_deref()).await?;
            crate::say!(
                "{}",
                t.msg(if died {
                    "cli-member-died"
                } else {
                    "cli-member-left"
                })
            );
        }
        MemberCommand::Restore { id, date, note } => {
            let on = parse_date_arg(date.as_deref(), lang)?;
            let current = service::show(&mut ctx, id).await?.member;
            match service::restore(&mut ctx, id, current.version, on, note.as_deref()).await? {
                None => crate::say!("{}", t.msg("cli-member-restored")),
                Some(unit) => crate::say!(
                    "{}",
                    t.msg_with("cli-member-restored-into", &Args::new().with("unit", unit))
                ),
            }
        }
        MemberCommand::Search {
            query,
            under,
            limit,
            json,
        } => {
            let found = service::search(&mut ctx, &query, under.as_deref(), limit).await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&found)?);
            } else {
                print_members(&found, lang);
            }
        }
        MemberCommand::List {
            unit,
            page,
            per_page,
            json,
        } => {
            let page = service::list(
                &mut ctx,
                &unit,
                &crate::members::ListFilter::default(),
                page,
                per_page,
            )
            .await?;
            if json {
                crate::say!("{}", serde_json::to_string_pretty(&page)?);
            } else {
                print_members(&page.members, lang);
                crate::say!(
                    "{}",
                    t.msg_with(
                        "cli-page",
                        &Args::new()
                            .num("page", page.page as f64)
                            .num("total", page.total as f64)
                    )
                );
            }
        }
    }
    ctx.finish().await?;
    Ok(())
}

fn print_members(members: &[crate::members::Member], lang: Lang) {
    let t = translator(lang);
    let header = [
        "col-id",
        "col-full-name",
        "col-birth",
        "col-unit",
        "col-status",
    ]
    .map(|h| t.msg(h));
    let rows: Vec<Vec<String>> = members
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.full_name.clone(),
                m.birth.map(|b| b.display()).unwrap_or_default(),
                format!("{} ({})", m.unit_name, m.unit_code),
                t.msg(&format!("status-{}", m.status.as_str())),
            ]
        })
        .collect();
    crate::say_raw!("{}", table(&header, &rows, &[true]));
}

fn print_member(view: &service::MemberView, lang: Lang) {
    let t = translator(lang);
    let m = &view.member;
    let line = |label: &str, value: String| {
        if !value.is_empty() {
            crate::say!("{:<24} {value}", t.msg(label));
        }
    };
    line("field-full_name", m.full_name.clone());
    line("col-id", m.id.to_string());
    line(
        "col-status",
        t.msg(&format!("status-{}", m.status.as_str())),
    );
    line("col-unit", format!("{} ({})", m.unit_name, m.unit_code));
    line(
        "field-birth_date",
        m.birth.map(|b| b.display()).unwrap_or_default(),
    );
    line(
        "field-national_id",
        m.national_id.clone().unwrap_or_default(),
    );
    line("field-phone", m.phone.clone().unwrap_or_default());
    line("field-address", m.address.clone().unwrap_or_default());
    line(
        "field-ethnicity",
        m.ethnicity
            .as_deref()
            .map(|e| value_label(t, "ethnicity", e))
            .unwrap_or_default(),
    );
    line(
        "field-religion",
        m.religion
            .as_deref()
            .map(|v| value_label(t, "religion", v))
            .unwrap_or_default(),
    );
    line(
        "field-education",
        m.education
            .as_deref()
            .map(|v| value_label(t, "education", v))
            .unwrap_or_default(),
    );
    line(
        "field-occupation",
        m.occupation
            .as_deref()
            .map(|v| value_label(t, "occupation", v))
            .unwrap_or_default(),
    );
    line(
        "field-card_number",
        m.card_number.clone().unwrap_or_default(),
    );
    line(
        "field-joined_on",
        m.joined_on.map(crate::clock::vn_date).unwrap_or_default(),
    );
    crate::say!("\n{}", t.msg("member-history"));
    let header = ["col-date", "col-event", "col-unit", "col-recorded-by"].map(|h| t.msg(h));
    let rows: Vec<Vec<String>> = view
        .history
        .iter()
        .map(|e| {
            let unit = match &e.other_unit_code {
                Some(other) => format!("{} ↔ {other}", e.unit_code),
                None => e.unit_code.clone(),
            };
            vec![
                crate::clock::vn_date(e.effective_on),
                t.msg(&format!("event-{}", e.kind.as_str())),
                unit,
                e.recorded_by.clone(),
            ]
        })
        .collect();
    crate::say_raw!("{}", table(&header, &rows, &[]));
}

/// Builds the demo with a progress bar, unless the database already holds it.
pub async fn build_demo(
    store: &Store,
    options: crate::demo::DemoOptions,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = translator(lang);
    let mut tx = store.read().await?;
    let existing = crate::org::store::get_meta(&mut tx, "demo").await?;
    tx.commit().await?;
    if let Some(existing) = existing {
        crate::say!(
            "{}",
            t.msg_with("cli-demo-present", &Args::new().with("what", existing))
        );
        return print_accounts(store, lang).await;
    }
    let bar = indicatif::ProgressBar::new(options.members);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, {eta})",
        )
        .context("progress template")?,
    );
    let started = std::time::Instant::now();
    let report = crate::demo::build(store, &options, |done, _| bar.set_position(done)).await?;
    bar.finish_and_clear();
    // Report rounds of the demo's first province (Hà Nội in the national demo).
    let province = options
        .provinces
        .first()
        .cloned()
        .unwrap_or_else(|| "01".into());
    let rounds = crate::demo::rounds::seed(store, &province, options.seed).await?;
    crate::say!(
        "{}",
        t.msg_with(
            "cli-demo-rounds",
            &Args::new()
                .with(
                    "rounds",
                    rounds
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
                .with("province", province)
        )
    );
    crate::say!(
        "{}",
        t.msg_with(
            "cli-demo-built",
            &Args::new()
                .num("communes", report.communes as f64)
                .num("branches", report.branches as f64)
                .num("members", report.members as f64)
                .num("events", report.events as f64)
                .with("seconds", format!("{:.1}", started.elapsed().as_secs_f64()))
        )
    );
    print_accounts(store, lang).await
}

async fn print_accounts(store: &Store, lang: Lang) -> anyhow::Result<()> {
    let t = translator(lang);
    let accounts = crate::demo::accounts::ensure(store).await?;
    crate::say!(
        "{}",
        t.msg_with(
            "cli-demo-accounts",
            &Args::new().with("password", crate::demo::accounts::DEMO_PASSWORD)
        )
    );
    for (username, unit, role) in accounts {
        crate::say!("  {username:<10} {unit:<10} {}", role.as_str());
    }
    Ok(())
}
