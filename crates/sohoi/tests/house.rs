//! Invariants of ARCHITECTURE.md that a scan of the source proves: what the document says
//! about who may write what, checked on every test run rather than stated.

use std::path::{Path, PathBuf};

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .map(|p| {
            let name = p
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// Files (outside `allowed`) whose text contains `needle`.
fn offenders(needle: &str, allowed: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(name, text)| {
            !allowed.iter().any(|a| name.starts_with(a)) && text.contains(needle)
        })
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn the_ledger_has_one_door() {
    // Rows enter member_events only through the store functions of the members module…
    assert_eq!(
        offenders("insert into member_events", &["members/store.rs"]),
        Vec::<String>::new()
    );
    // …which only the ledger door calls, with the statistics of each event and the audit entry.
    for call in [
        "store::append(",
        "store::bulk_append(",
        "stats::record(",
        "Batch::default()",
    ] {
        assert_eq!(
            offenders(call, &["members/ledger.rs", "stats/"]),
            Vec::<String>::new(),
            "{call}"
        );
    }
}

#[test]
fn nothing_rewrites_the_ledger_or_the_audit_log() {
    for statement in [
        "update member_events",
        "delete from member_events",
        "update audit_log",
        "delete from audit_log",
    ] {
        assert_eq!(
            offenders(statement, &[]),
            Vec::<String>::new(),
            "{statement}"
        );
    }
}

#[test]
fn every_service_takes_the_request_context() {
    // The old pair (a transaction and a scope) is gone from every signature.
    assert_eq!(offenders("scope: &Scope", &[]), Vec::<String>::new());
    assert_eq!(offenders("auth::Scope", &[]), Vec::<String>::new());
    // The public functions of the service modules take `ctx: &mut Ctx` first.
    for module in [
        "members/service.rs",
        "org/tree.rs",
        "org/restructure.rs",
        "reports/summary.rs",
        "reports/movements.rs",
    ] {
        let (_, text) = sources()
            .into_iter()
            .find(|(name, _)| name == module)
            .expect("module");
        for signature in text.split("\npub async fn ").skip(1) {
            let params = signature
                .split_once('(')
                .map_or("", |(_, rest)| rest)
                .trim_start();
            assert!(
                params.starts_with("ctx: &mut Ctx"),
                "{module}: pub async fn {}",
                signature.lines().next().unwrap_or("")
            );
        }
    }
}

/// The tables each domain owns. Other domains reach them through the owner's functions;
/// `units` alone may be read by anyone (a unit's code and name), and the tree's closure only
/// through the fragments of `org::store::sql`.
const OWNERS: [(&str, &[&str]); 4] = [
    (
        "org/",
        &[
            "units",
            "unit_names",
            "unit_links",
            "unit_closure",
            "unit_lineage",
        ],
    ),
    ("members/", &["members", "member_events"]),
    ("stats/", &["stat_cells", "stat_totals", "unit_population"]),
    (
        "auth/",
        &["users", "grants", "sessions", "api_tokens", "audit_log"],
    ),
];

/// The string literals of a Rust source (where SQL lives), joined.
fn literals(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    let mut inside = false;
    while let Some(c) = chars.next() {
        match (inside, c) {
            (true, '\\') => {
                chars.next();
                out.push(' ');
            }
            (true, '"') => {
                inside = false;
                out.push('\n');
            }
            (true, c) => out.push(c),
            (false, '"') => inside = true,
            // A char literal '"' is not the start of a string.
            (false, '\'') if chars.peek() == Some(&'"') => {
                chars.next();
            }
            _ => {}
        }
    }
    out.to_lowercase()
}

#[test]
fn each_domain_writes_sql_on_its_own_tables_only() {
    let mut found = Vec::new();
    let mut baselines = Vec::new();
    for (name, text) in sources() {
        let sql = literals(&text);
        let words: Vec<&str> = sql
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .collect();
        for (owner, tables) in OWNERS {
            if name.starts_with(owner) {
                continue;
            }
            for table in tables.iter().filter(|t| **t != "units") {
                let used = words.windows(2).any(|w| {
                    matches!(w[0], "from" | "join" | "into" | "update" | "table") && w[1] == *table
                });
                match (used, name.starts_with("bench/")) {
                    // The benchmark's naive baselines read the raw tables on purpose.
                    (true, true) => baselines.push(format!("{name} uses {table}")),
                    (true, false) => found.push(format!("{name} uses {table}")),
                    _ => {}
                }
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
    // The scan sees SQL where it is: the baselines' scans of the ledger are found.
    assert!(
        baselines.iter().any(|b| b.ends_with("uses member_events")),
        "{baselines:?}"
    );
}

#[test]
fn every_form_of_a_signed_in_user_is_checked_for_its_csrf_token() {
    // Forms come in through `Posted`, which checks the token before the handler runs. Only
    // sign-in (before there is a session; its token is a cookie) and the multipart upload of
    // an import (checked before its body is read) take a form otherwise.
    let mut plain = Vec::new();
    for (name, text) in sources().into_iter().filter(|(n, _)| n.starts_with("web/")) {
        for line in text.lines().filter(|l| l.contains(": Form<")) {
            if !line.contains("Form<SigninForm>") {
                plain.push(format!("{name}: {}", line.trim()));
            }
        }
    }
    assert_eq!(plain, Vec::<String>::new());
}
