//! The command line: `sohoi <command>`. Parsing lives here; each command calls service
//! functions with the system scope (whoever can open the database file may read it).

mod commands;
mod excel;
mod member;
mod output;
mod reference;
mod restructure;
mod rounds;

use clap::{Parser, Subcommand};

pub use commands::run;

#[derive(Parser, Debug)]
#[command(name = "sohoi", version, about = "Sổ Hội — the register of the Vietnam Women's Union and similar multi-level organisations", long_about = None)]
pub struct Cli {
    /// Database: a SQLite file path or sqlite:// URL (default sohoi.db in the working
    /// directory), or postgres://user@host/db.
    #[arg(long, global = true, env = "SOHOI_DATABASE_URL", default_value = crate::store::DEFAULT_URL)]
    pub db: String,

    /// Language of messages: vi (default) or en.
    #[arg(long, global = true, env = "SOHOI_LANG", default_value = "vi")]
    pub lang: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the database (or bring its schema up to date) with the central union, the 34
    /// provincial unions and the 3,321 commune-level unions. Running it again changes nothing.
    Init,
    /// List units of the tree.
    Units {
        /// Only units under this unit code (e.g. 01 for Hà Nội).
        #[arg(long)]
        under: Option<String>,
        /// How many levels below to list.
        #[arg(long, default_value_t = 1)]
        depth: i32,
        /// The tree as of this date (YYYY-MM-DD or dd/mm/yyyy); default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Build a realistic demo database (the real tree, branches, synthetic members) and
    /// start the web server on it.
    Demo {
        /// Number of synthetic members.
        #[arg(long, default_value_t = 50_000)]
        members: u64,
        /// Random seed: the same seed gives the same database.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        /// Only this province (by code; repeat for several). Default: the whole country.
        #[arg(long = "province")]
        provinces: Vec<String>,
        /// Build only; do not start the server.
        #[arg(long)]
        no_serve: bool,
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Start the web server (Ctrl-C or SIGTERM stops it gracefully).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Members: add, show, edit, transfer, leave, restore, search, list.
    #[command(subcommand)]
    Member(Box<member::MemberCommand>),
    /// Import a member list from a workbook.
    #[command(subcommand)]
    Import(excel::ImportCommand),
    /// Export a member list, a report or the import template as a workbook.
    #[command(subcommand)]
    Export(excel::ExportCommand),
    /// Restructure the tree: merge, split, rename, create, dissolve, or a whole plan.
    /// Each previews its impact; `--apply` makes it so.
    #[command(subcommand)]
    Restructure(restructure::RestructureCommand),
    /// Reference data: `sohoi reference correct` brings a tree built from the draft code
    /// list to the official codes of Decision 19/2025/QĐ-TTg.
    #[command(subcommand)]
    Reference(reference::ReferenceCommand),
    /// Accounts: `sohoi user add` creates the first administrator.
    #[command(subcommand)]
    User(UserCommand),
    /// Report forms: `sohoi form load FILE` loads a definition (TOML).
    #[command(subcommand)]
    Form(rounds::FormCommand),
    /// Report rounds: open one down the tree, enter, submit, return, approve, reopen.
    Round {
        /// Act with this account's rights, recorded as the actor.
        #[arg(long = "as", global = true)]
        as_user: Option<String>,
        #[command(subcommand)]
        command: rounds::RoundCommand,
    },
    /// What a unit must do: rounds to answer, children's reports to review.
    Inbox {
        /// Unit code.
        unit: String,
        #[arg(long = "as")]
        as_user: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A unit's figures at a date: members, new this year, coverage, breakdowns.
    Stats {
        /// Unit code.
        unit: String,
        /// Date (default today).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reports computed from the maintained statistics.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Record the number of women aged 18+ living in a unit's area for a year (for the
    /// coverage rate).
    Population {
        /// Unit code.
        unit: String,
        /// Year.
        year: i32,
        /// Women aged 18 or more.
        women: i64,
    },
    /// Measure the figures the project promises (totals, reports, search, recording) beside
    /// naive baselines, on the database at hand; prints a Markdown table. Recording adds
    /// test members to Hà Nội's branches: run it on a demo database.
    Bench {
        /// Runs of each measurement.
        #[arg(long, default_value_t = 200)]
        iterations: usize,
        /// Runs of each naive baseline (they scan the register: minutes at national scale).
        #[arg(long, default_value_t = 3)]
        baseline_runs: usize,
        /// Also measure importing a workbook of this many member rows (built in --work-dir)
        /// beside calamine streaming it and pandas reading it.
        #[arg(long, default_value_t = 0)]
        import_rows: usize,
        /// Only the import figure (no query figures on the database at hand).
        #[arg(long)]
        import_only: bool,
        /// Only the report-round figures (opens national rounds on the database at hand: run
        /// it on a demo database).
        #[arg(long)]
        rounds: bool,
        /// Where the import benchmark keeps its workbook and scratch database.
        #[arg(long, default_value = "bench-work")]
        work_dir: std::path::PathBuf,
        /// An empty database for the import benchmark to import into (default: a new SQLite
        /// file in --work-dir); give a PostgreSQL URL to measure the import on PostgreSQL.
        #[arg(long)]
        import_db: Option<String>,
    },
    /// Copy the database to a new file while it is in use, from one consistent snapshot.
    /// SQLite: the copy is itself a database (restore by using it). PostgreSQL: a pg_dump
    /// archive (restore with `pg_restore -d NEW_DATABASE FILE`; pg_dump must be installed).
    Backup {
        /// The file to write (must not exist).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Recompute every maintained statistic from the ledger; exits non-zero naming each
    /// difference.
    Check {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account with a grant at a unit (its whole subtree). The password is read
    /// from SOHOI_PASSWORD, or asked for.
    Add {
        #[arg(long)]
        username: String,
        /// Name shown on pages.
        #[arg(long)]
        name: String,
        /// Unit code where the grant applies (TW for the whole country).
        #[arg(long)]
        unit: String,
        /// viewer, officer (edits members, enters reports), chair (also accounts,
        /// restructuring, approval, rating, directives, cadres), admin (also makes
        /// administrators), case_worker (support cases).
        #[arg(long, default_value = "viewer")]
        role: String,
        /// A sensitivity tier she may read there: identity, ethnicity_religion, party,
        /// personnel, support_cases (repeat for several).
        #[arg(long = "tier")]
        tiers: Vec<String>,
        /// The three tiers of a member's record: identity, ethnicity and religion, Party.
        #[arg(long)]
        sensitive: bool,
    },
    /// Give an account another grant: a role's authorities and single ones, and tiers, at a
    /// unit. Each grant stands alone.
    Grant {
        username: String,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        role: Option<String>,
        /// A single authority (repeat for several), e.g. approve_reports, manage_case_workers.
        #[arg(long = "authority")]
        authorities: Vec<String>,
        #[arg(long = "tier")]
        tiers: Vec<String>,
        #[arg(long)]
        sensitive: bool,
        /// The unit alone, not its subtree (a case worker's commune).
        #[arg(long)]
        unit_only: bool,
    },
    /// Take back an account's grants at a unit.
    Revoke {
        username: String,
        #[arg(long)]
        unit: String,
    },
    /// An account's grants.
    Grants { username: String },
    /// Make an API token for a user's programs; it is printed once and acts with her roles.
    Token {
        #[arg(long)]
        username: String,
        /// What the token is for (shown on the user's tokens page).
        #[arg(long)]
        name: String,
        /// The last day it works (default: a year from today).
        #[arg(long)]
        expires: Option<String>,
    },
    /// Disable an account: no sign-in, sessions ended, tokens stopped; its history stays.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// Set a new password for an account (read from SOHOI_PASSWORD, or asked for); her
    /// sessions end.
    ResetPassword { username: String },
    /// Revoke every API token of an account.
    RevokeTokens { username: String },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Opening, new, transferred in and out, left, died and closing, per child unit.
    Movements {
        /// Unit code.
        unit: String,
        /// 2025, 2025-H1, 2025-Q3, 2025-07 or FROM..TO (dates YYYY-MM-DD or dd/mm/yyyy).
        #[arg(long)]
        period: String,
        /// The tree the rows follow: at-the-time (the end of the period), a date, or today
        /// (restated: merged units' history added into their successors).
        #[arg(long, default_value = "at-the-time")]
        structure: String,
        #[arg(long)]
        json: bool,
    },
}
