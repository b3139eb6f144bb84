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
            let name = p.strip_prefix(&root).expect("under src").to_string_lossy().replace('\\', "/");
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// Files (outside `allowed`) whose text contains `needle`.
fn offenders(needle: &str, allowed: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(name, text)| !allowed.iter().any(|a| name.starts_with(a)) && text.contains(needle))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn the_ledger_has_one_door() {
    // Rows enter member_events only through the store functions of the members module…
    assert_eq!(offenders("insert into member_events", &["members/store.rs"]), Vec::<String>::new());
    // …which only the ledger door calls, with the statistics of each event and the audit entry.
    for call in ["store::append(", "store::bulk_append(", "stats::record(", "Batch::default()"] {
        assert_eq!(offenders(call, &["members/ledger.rs", "stats/"]), Vec::<String>::new(), "{call}");
    }
}

#[test]
fn nothing_rewrites_the_ledger_or_the_audit_log() {
    for statement in ["update member_events", "delete from member_events", "update audit_log", "delete from audit_log"] {
        assert_eq!(offenders(statement, &[]), Vec::<String>::new(), "{statement}");
    }
}

#[test]
fn every_service_takes_the_request_context() {
    // The old pair (a transaction and a scope) is gone from every signature.
    assert_eq!(offenders("scope: &Scope", &[]), Vec::<String>::new());
    assert_eq!(offenders("auth::Scope", &[]), Vec::<String>::new());
    // The public functions of the service modules take `ctx: &mut Ctx` first.
    for module in ["members/service.rs", "org/tree.rs", "org/restructure.rs", "reports/summary.rs", "reports/movements.rs"] {
        let (_, text) = sources().into_iter().find(|(name, _)| name == module).expect("module");
        for line in text.lines().filter(|l| l.starts_with("pub async fn ")) {
            assert!(line.contains("(ctx: &mut Ctx"), "{module}: {line}");
        }
    }
}
