//! The `sohoi` binary as a person uses it: help, listings, and errors that are one clear
//! line with a non-zero exit, never a panic.

mod helpers;

use std::process::{Command, Output};

use helpers::TestDb;

fn sohoi(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sohoi"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("SOHOI_LANG", "vi")
        .output()
        .expect("run sohoi")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A failure a person can read: non-zero exit, one line, no panic or backtrace.
fn assert_clear_failure(o: &Output, expect: &str) {
    let err = stderr(o);
    assert!(!o.status.success(), "should fail: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(err.contains(expect), "{err:?} should mention {expect:?}");
}

#[tokio::test]
async fn units_under_hanoi_lists_126() {
    let db = TestDb::new().await;
    let out = sohoi(
        &db.url,
        &["units", "--under", "01", "--depth", "1", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let units: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(units.len(), 126);
    let text = stdout(&sohoi(&db.url, &["units", "--under", "01", "--depth", "1"]));
    assert!(text.contains("Phường Ba Đình"));
    assert!(text.trim_end().ends_with("126 đơn vị"), "{text}");
}

#[test]
fn every_command_has_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_sohoi"))
        .arg("--help")
        .output()
        .expect("run");
    let text = stdout(&out);
    let commands = [
        "init",
        "units",
        "demo",
        "serve",
        "member",
        "stats",
        "report",
        "population",
        "check",
    ];
    for c in commands {
        assert!(text.contains(c), "--help mentions {c}");
        let sub = Command::new(env!("CARGO_BIN_EXE_sohoi"))
            .args([c, "--help"])
            .output()
            .expect("run");
        assert!(sub.status.success() && !sub.stdout.is_empty(), "{c} --help");
    }
    for c in [
        "add", "show", "edit", "transfer", "leave", "restore", "search", "list",
    ] {
        let sub = Command::new(env!("CARGO_BIN_EXE_sohoi"))
            .args(["member", c, "--help"])
            .output()
            .expect("run");
        assert!(
            sub.status.success() && !sub.stdout.is_empty(),
            "member {c} --help"
        );
    }
}

#[tokio::test]
async fn an_unknown_unit_is_one_clear_line() {
    let db = TestDb::new().await;
    assert_clear_failure(
        &sohoi(&db.url, &["units", "--under", "99999"]),
        "Không tìm thấy đơn vị 99999",
    );
    assert_clear_failure(
        &sohoi(
            &db.url,
            &["report", "movements", "01", "--period", "2025-Q7"],
        ),
        "2025-Q7",
    );
}

#[test]
fn an_unreachable_database_is_one_clear_line() {
    assert_clear_failure(
        &sohoi("postgres://postgres@127.0.0.1:1/nothing", &["units"]),
        "127.0.0.1:1",
    );
}

#[test]
fn an_unwritable_path_is_one_clear_line() {
    assert_clear_failure(
        &sohoi("/proc/sohoi/none.db", &["init"]),
        "/proc/sohoi/none.db",
    );
}

#[tokio::test]
async fn a_database_from_a_newer_sohoi_is_refused() {
    let db = TestDb::new().await;
    assert!(sohoi(&db.url, &["units"]).status.success());
    let mut ctx = db.ctx().await;
    sohoi::on_engine!(&mut ctx.tx, c => sqlx::query(
        "insert into _sqlx_migrations (version, description, success, checksum, execution_time) values (99990101000000, 'future', true, $1, 0)")
        .bind(vec![0u8; 48]).execute(&mut **c).await.map(|_| ())).expect("insert");
    ctx.finish().await.expect("commit");
    assert_clear_failure(&sohoi(&db.url, &["units"]), "99990101000000");
}

#[tokio::test]
async fn a_backup_restores_to_the_same_statistics() {
    let db = TestDb::new().await;
    let out = sohoi(
        &db.url,
        &[
            "demo",
            "--province",
            "12",
            "--members",
            "2000",
            "--seed",
            "5",
            "--no-serve",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("backup");
    let out = sohoi(&db.url, &["backup", "--to", file.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A second backup never overwrites the first.
    assert_clear_failure(
        &sohoi(&db.url, &["backup", "--to", file.to_str().expect("utf-8")]),
        "Không sao lưu được",
    );
    let restored = if helpers::engine() == "postgres" {
        let url = helpers::empty_pg_database().await;
        let out = Command::new("pg_restore")
            .arg("--no-owner")
            .arg("-d")
            .arg(&url)
            .arg(&file)
            .output()
            .expect("pg_restore");
        assert!(out.status.success(), "{}", stderr(&out));
        url
    } else {
        file.display().to_string()
    };
    let stats = |url: &str| stdout(&sohoi(url, &["stats", "12", "--json"]));
    assert_eq!(stats(&restored), stats(&db.url));
    let check = sohoi(&restored, &["check"]);
    assert!(check.status.success(), "{}", stdout(&check));
}

#[tokio::test]
async fn the_demo_is_the_same_for_the_same_seed_and_checks_clean() {
    let (a, b) = (TestDb::new().await, TestDb::new().await);
    for db in [&a, &b] {
        let out = sohoi(
            &db.url,
            &[
                "demo",
                "--province",
                "12",
                "--members",
                "3000",
                "--seed",
                "7",
                "--no-serve",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let check = sohoi(&db.url, &["check"]);
        assert!(check.status.success(), "{}", stdout(&check));
    }
    let stats = |db: &TestDb| stdout(&sohoi(&db.url, &["stats", "12", "--json"]));
    assert_eq!(stats(&a), stats(&b));
    let summary: serde_json::Value = serde_json::from_str(&stats(&a)).expect("json");
    assert!(
        summary["members"]
            .as_i64()
            .is_some_and(|n| n > 2500 && n <= 3000),
        "{summary}"
    );
    // Lai Châu's members are mostly of the Thái and Mông groups, as in life.
    assert!(
        summary["breakdowns"]["ethnicity"]["03"].as_i64()
            > summary["breakdowns"]["ethnicity"]["01"].as_i64()
    );
    let found = stdout(&sohoi(&a.url, &["member", "search", "thuy", "--json"]));
    let found: Vec<serde_json::Value> = serde_json::from_str(&found).expect("json");
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|m| sohoi::text::fold(m["full_name"].as_str().unwrap_or("")).contains("thuy"))
    );
    // Nothing in the demo happens after today (the statistics rely on it).
    let mut tx = a.store.read().await.expect("read");
    let today = sohoi::clock::today();
    let future: i64 = match &mut tx {
        sohoi::store::Tx::Sqlite(c) => {
            sqlx::query_scalar("select count(*) from member_events where effective_on > $1")
                .bind(today)
                .fetch_one(&mut **c)
                .await
        }
        sohoi::store::Tx::Postgres(c) => {
            sqlx::query_scalar("select count(*) from member_events where effective_on > $1")
                .bind(today)
                .fetch_one(&mut **c)
                .await
        }
    }
    .expect("count");
    assert_eq!(future, 0);
}

/// The report-round story of the command line, as the README gives it: a form loaded, a
/// round opened by the province chair, a commune's officer entering and submitting, the
/// chair returning, approving and reopening, a late window and a waiver, the board and the
/// inbox — each step checked by what it prints.
#[tokio::test]
async fn the_report_round_story_runs_as_written() {
    let db = TestDb::new().await;
    let today = sohoi::clock::today();
    let due = today + time::Duration::days(20);
    let close = today + time::Duration::days(30);
    let (due, close) = (due.to_string(), close.to_string());
    let form = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/forms/bc-hpn.toml");
    let ok = |args: &[&str]| {
        let out = sohoi(&db.url, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    assert!(ok(&["form", "load", form]).contains("BC-HPN, phiên bản 1"));
    assert!(ok(&["form", "load", form]).contains("không đổi"));
    assert!(ok(&["form", "list"]).contains("BC-HPN"));
    for (user, unit, role) in [("tinh", "01", "chair"), ("coso", "00004", "officer")] {
        let out = Command::new(env!("CARGO_BIN_EXE_sohoi"))
            .args([
                "--db",
                &db.url,
                "user",
                "add",
                "--username",
                user,
                "--name",
                "Cán bộ",
                "--unit",
                unit,
                "--role",
                role,
            ])
            .env("SOHOI_PASSWORD", "mat-khau-thu-nghiem")
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let period = format!("{}", today.year());
    let opened = ok(&[
        "round", "open", "--form", "BC-HPN", "--period", &period, "--under", "01", "--to",
        "commune", "--due", &due, "--close", &close, "--as", "tinh",
    ]);
    assert!(opened.contains("126 đơn vị phải nộp"), "{opened}");
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&["round", "list", "--under", "01", "--json"])).expect("json");
    let round = list[0]["round"]["id"].as_i64().expect("id").to_string();
    let r = round.as_str();
    assert!(
        ok(&[
            "round",
            "enter",
            r,
            "--unit",
            "00004",
            "--set",
            "clubs=5",
            "--set",
            "fees_collected=1.200.000",
            "--as",
            "coso"
        ])
        .contains("Đã lưu 2 giá trị")
    );
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&["round", "show", r, "--unit", "00004", "--json"]))
            .expect("json");
    assert_eq!(shown["response"]["status"], "draft");
    let clubs = shown["sections"][1]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["code"] == "clubs")
        .expect("clubs")
        .clone();
    assert_eq!(clubs["value"], "5");
    // A commune's officer does not approve, and a computed figure is not typed.
    let refused = sohoi(
        &db.url,
        &["round", "approve", r, "--unit", "00004", "--as", "coso"],
    );
    assert_clear_failure(&refused, "không có quyền");
    let refused = sohoi(
        &db.url,
        &[
            "round",
            "enter",
            r,
            "--unit",
            "00004",
            "--set",
            "members=3",
            "--as",
            "coso",
        ],
    );
    assert_clear_failure(&refused, "tính tự động");
    assert!(ok(&["round", "submit", r, "--unit", "00004", "--as", "coso"]).contains("Đã gửi"));
    let refused = sohoi(
        &db.url,
        &[
            "round", "return", r, "--unit", "00004", "--reason", "", "--as", "tinh",
        ],
    );
    assert_clear_failure(&refused, "Lý do");
    assert!(
        ok(&[
            "round",
            "return",
            r,
            "--unit",
            "00004",
            "--reason",
            "Thiếu số liệu vốn vay",
            "--as",
            "tinh"
        ])
        .contains("trả lại")
    );
    ok(&["round", "submit", r, "--unit", "00004", "--as", "coso"]);
    assert!(ok(&["round", "approve", r, "--unit", "00004", "--as", "tinh"]).contains("Đã duyệt"));
    assert!(
        ok(&[
            "round",
            "reopen",
            r,
            "--unit",
            "00004",
            "--reason",
            "Sửa số câu lạc bộ",
            "--as",
            "tinh"
        ])
        .contains("mở lại")
    );
    assert!(
        ok(&[
            "round",
            "grant-late",
            r,
            "--unit",
            "00008",
            "--until",
            &close,
            "--reason",
            "Cán bộ ốm"
        ])
        .contains("nhập bổ sung")
    );
    assert!(
        ok(&[
            "round",
            "waive",
            r,
            "--unit",
            "00008",
            "--reason",
            "Đang sáp nhập",
            "--as",
            "tinh"
        ])
        .contains("miễn nộp")
    );
    let board: serde_json::Value =
        serde_json::from_str(&ok(&["round", "status", r, "--under", "01", "--json"]))
            .expect("json");
    assert_eq!(board["progress"]["expected"], 126);
    assert_eq!(board["progress"]["waived"], 1);
    assert_eq!(board["progress"]["returned"], 1);
    let text = ok(&["round", "status", r, "--under", "01"]);
    assert!(
        text.contains("Phường Ba Đình (00004)") && text.contains("Bị trả lại"),
        "{text}"
    );
    let inbox: serde_json::Value =
        serde_json::from_str(&ok(&["inbox", "00004", "--json"])).expect("json");
    assert_eq!(inbox["to_answer"][0]["response"]["status"], "returned");
    let workbook =
        std::env::temp_dir().join(format!("sohoi-cli-round-{}.xlsx", std::process::id()));
    let path = workbook.display().to_string();
    ok(&[
        "round", "template", r, "--unit", "00004", "--out", &path, "--as", "coso",
    ]);
    assert!(std::fs::metadata(&workbook).expect("written").len() > 1_000);
    let _ = std::fs::remove_file(&workbook);
}

/// A demo whose communes hold a handful of members (the README's national default spreads
/// 50,000 over 3,321 communes) still files its sample reports: their figures keep the form's
/// rules, such as core members never more than members.
#[tokio::test]
async fn a_small_demo_files_its_sample_reports() {
    let db = TestDb::new().await;
    let out = sohoi(
        &db.url,
        &["demo", "--province", "01", "--members", "300", "--no-serve"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Đợt báo cáo mẫu: 1, 2"),
        "{}",
        stdout(&out)
    );
    let board = stdout(&sohoi(
        &db.url,
        &["round", "status", "1", "--under", "01", "--json"],
    ));
    let board: serde_json::Value = serde_json::from_str(&board).expect("json");
    assert!(board["progress"]["approved"].as_i64().expect("approved") > 0);
}
