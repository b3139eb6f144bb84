//! The import figure of issue 5, side by side in one run: a member workbook of N rows is
//! built (deterministically), streamed by the calamine crate alone (the floor), read by
//! pandas.read_excel (where Python has pandas), and imported by sohoi — validated and
//! committed into a fresh database of the national tree (a SQLite file in the work
//! directory, or the empty database given) — with the peak memory of the import itself.

use std::path::Path;
use std::time::{Duration, Instant};

use calamine::Reader;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::auth::Access;
use crate::ctx::Ctx;
use crate::excel::import::{self, Control, Options};
use crate::members::domain::{NationalId, Sex};

const BRANCHES: u32 = 20;
const COMMUNE: &str = "00004";

/// Writes a ward's member list as officers keep it: title block, header under it, IDs and
/// phones stored as numbers, birth dates as text, as dates and as bare years.
fn write_workbook(path: &Path, rows: usize) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.write_string(0, 0, "HỘI LHPN PHƯỜNG BA ĐÌNH")?;
    sheet.write_string(1, 2, "DANH SÁCH HỘI VIÊN")?;
    sheet.write_string(2, 2, "(Tính đến ngày 30/6/2025)")?;
    let header = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Số CCCD",
        "SĐT",
        "Dân tộc",
        "Trình độ học vấn",
        "Ngày vào Hội",
        "Chi hội",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(4, c as u16, *h)?;
    }
    let mut serials = std::collections::HashMap::new();
    for i in 0..rows {
        let r = 5 + i as u32;
        let year: i32 = rng.random_range(1950..2005);
        let (month, day) = (rng.random_range(1..=12u8), rng.random_range(1..=28u8));
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string(r, 1, crate::demo::names::full_name(&mut rng, false))?;
        match i % 3 {
            0 => sheet.write_string(r, 2, format!("{day:02}/{month:02}/{year}"))?,
            1 => sheet.write_datetime_with_format(
                r,
                2,
                ExcelDateTime::from_ymd(year as u16, month, day)?,
                &date,
            )?,
            _ => sheet.write_number(r, 2, f64::from(year))?,
        };
        let serial = serials.entry(year).or_insert(0u32);
        *serial += 1;
        let nid = NationalId::compose(1, Sex::Female, year, *serial);
        sheet.write_number(r, 3, nid.parse::<f64>().unwrap_or(0.0))?;
        sheet.write_number(
            r,
            4,
            f64::from(rng.random_range(900_000_000u32..999_999_999)),
        )?;
        sheet.write_string(
            r,
            5,
            if rng.random_ratio(9, 10) {
                "Kinh"
            } else {
                "Tày"
            },
        )?;
        sheet.write_string(r, 6, ["12/12", "9/12", "THCS", "THPT"][i % 4])?;
        let joined = rng.random_range((year + 19).max(2000)..=2025);
        sheet.write_string(
            r,
            7,
            format!(
                "{:02}/{:02}/{joined}",
                rng.random_range(1..=28),
                rng.random_range(1..=11)
            ),
        )?;
        sheet.write_string(r, 8, format!("Tổ dân phố số {}", 1 + (i as u32 % BRANCHES)))?;
    }
    book.save(path)?;
    Ok(())
}

/// Streams every cell of the first sheet with calamine, as a program that only reads would.
fn calamine_stream(path: &Path) -> anyhow::Result<usize> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path)?;
    let name = book.sheet_names().first().cloned().unwrap_or_default();
    let mut reader = book.worksheet_cells_reader(&name)?;
    let mut cells = 0;
    while let Some(cell) = reader.next_cell()? {
        if !matches!(cell.get_value(), calamine::DataRef::Empty) {
            cells += 1;
        }
    }
    Ok(cells)
}

fn peak_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|kb| kb / 1024)
}

fn pandas(path: &Path) -> Option<Duration> {
    let script = "import sys, time, pandas\nt = time.perf_counter()\npandas.read_excel(sys.argv[1], header=4)\nprint(time.perf_counter() - t)";
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(path)
        .output()
        .ok()?;
    let seconds: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    out.status
        .success()
        .then(|| Duration::from_secs_f64(seconds))
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// `database`: an empty database to import into; by default a new SQLite file in `dir`.
pub async fn run(rows: usize, dir: &Path, database: Option<&str>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let file = dir.join(format!("members-{rows}.xlsx"));
    if !file.exists() {
        crate::say!("building {} …", file.display());
        write_workbook(&file, rows)?;
    }
    let size = std::fs::metadata(&file)?.len();

    let mut calamine = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        calamine_stream(&file)?;
        calamine.push(start.elapsed());
    }
    calamine.sort();

    // A fresh database of the national tree, the commune given its branches.
    let url = match database {
        Some(url) => url.to_string(),
        None => {
            let db = dir.join("import-bench.db");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            format!("sqlite://{}", db.display())
        }
    };
    let store = crate::store::connect(&url, 4).await?;
    let engine = store.engine().name();
    crate::store::migrate(&store).await?;
    let mut ctx = Ctx::write(&store, Access::system("bench")).await?;
    crate::org::reference::init(&mut ctx.tx).await?;
    let commune = crate::org::store::by_code(&mut ctx.tx, COMMUNE, crate::clock::BEGINNING)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no commune"))?;
    for k in 1..=BRANCHES {
        let code = format!("{COMMUNE}-{k:02}");
        let name = format!("Chi hội Tổ dân phố số {k}");
        let unit = crate::org::store::NewUnit {
            id: None,
            code: &code,
            kind: crate::org::UnitKind::Branch,
            name: &name,
            admin_type: None,
            parent: Some(commune.id),
            province: None,
            valid_from: crate::clock::BEGINNING,
        };
        crate::org::store::insert(&mut ctx.tx, &unit).await?;
    }
    ctx.finish().await?;

    // The import alone: its peak memory counted from here.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let start = Instant::now();
    let options = Options {
        unit: COMMUNE.into(),
        ..Options::default()
    };
    let bytes = import::read::read_file(&file, &options.limits)?;
    let mut ctx = Ctx::write(&store, Access::system("bench")).await?;
    let outcome = import::import(
        &mut ctx,
        bytes,
        &options,
        crate::i18n::Lang::Vi,
        &Control::default(),
    )
    .await?;
    anyhow::ensure!(
        outcome.report.commits() && outcome.report.added == rows as u64,
        "the benchmark file imports whole: {:?}",
        outcome.report.errors.first()
    );
    ctx.finish().await?;
    let ours = start.elapsed();
    let peak = peak_mb();
    store.close().await;
    let pandas = pandas(&file);

    let floor = calamine[1];
    crate::say!("\n{rows} member rows, {:.1} MB .xlsx\n", size as f64 / 1e6);
    crate::say!("| what | seconds | × calamine |");
    crate::say!("|---|---:|---:|");
    crate::say!(
        "| calamine streaming every cell (median of 3) | {} | 1.00 |",
        secs(floor)
    );
    crate::say!(
        "| sohoi import: read, validate, commit to {engine} (peak memory {} MB) | {} | {:.2} |",
        peak.map_or("?".into(), |p| p.to_string()),
        secs(ours),
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    match pandas {
        Some(p) => crate::say!(
            "| pandas.read_excel (read only) | {} | {:.2} |",
            secs(p),
            p.as_secs_f64() / floor.as_secs_f64()
        ),
        None => crate::say!(
            "| pandas.read_excel | not run (python3 with pandas and openpyxl not found) | |"
        ),
    }
    Ok(())
}
