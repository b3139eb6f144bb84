//! `sohoi bench`: measures, side by side in one run on the database at hand, each figure the
//! issues name beside its naive baseline, and prints a Markdown table of medians with their
//! spread and the machine it ran on. Build the database first with `sohoi demo`.

pub mod import;
mod machine;
pub mod rounds;

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::auth::Access;
use crate::ctx::Ctx;
use crate::members::service;
use crate::on_engine;
use crate::reports::Period;
use crate::store::Store;

/// One measured figure.
pub struct Row {
    pub what: &'static str,
    pub target: &'static str,
    pub samples: Vec<Duration>,
}

impl Row {
    fn quantile(&self, q: f64) -> Duration {
        let mut s = self.samples.clone();
        s.sort();
        s.get(((s.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or_default()
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

/// Runs `f` `n` times and keeps each duration.
pub(crate) async fn measure<F, Fut>(n: usize, mut f: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        f(i).await?;
        samples.push(start.elapsed());
    }
    Ok(samples)
}

/// Prints a row as soon as it is measured, so that a long run shows its figures as it goes.
pub(crate) fn report(rows: &mut Vec<Row>, row: Row) {
    crate::say!("{}", line(&row));
    rows.push(row);
}

fn line(r: &Row) -> String {
    format!(
        "| {} | {} | {} | {} | {}–{} | {} |",
        r.what,
        r.target,
        ms(r.quantile(0.5)),
        ms(r.quantile(0.99)),
        ms(r.quantile(0.0)),
        ms(r.quantile(1.0)),
        r.samples.len()
    )
}

/// Measures each figure `iterations` times and each scanning baseline `baseline_runs` times,
/// printing the table as it goes; returns it whole.
pub async fn run(store: &Store, iterations: usize, baseline_runs: usize) -> anyhow::Result<String> {
    let system = Access::system("bench");
    let scope = &system;
    let today = crate::clock::today();
    let mut ctx = Ctx::read(store, scope.clone()).await?;
    let members = crate::members::store::count(&mut ctx.tx).await?;
    let tw = crate::org::tree::find(&mut ctx, "TW", today).await?;
    ctx.finish().await?;
    let mut rows = Vec::new();
    let n = iterations;
    let slow = baseline_runs.max(1);
    crate::say!("{}", header(store, members));

    report(
        &mut rows,
        Row {
            what: "national total (maintained cells)",
            target: "≤ 10 ms",
            samples: measure(n, |_| async {
                let mut ctx = Ctx::read(store, scope.clone()).await?;
                crate::stats::stock_at(&mut ctx.tx, &[tw.id], "all", today).await?;
                Ok(())
            })
            .await?,
        },
    );
    report(
        &mut rows,
        Row {
            what: "national dashboard: total, new this year, 9 breakdowns",
            target: "",
            samples: measure(n, |_| async {
                let mut ctx = Ctx::read(store, scope.clone()).await?;
                crate::reports::summary::summary(&mut ctx, "TW", today).await?;
                Ok(())
            })
            .await?,
        },
    );
    report(
        &mut rows,
        Row {
            what: "baseline: GROUP BY over the members table",
            target: "",
            samples: measure(slow, |_| async {
                let mut ctx = Ctx::read(store, scope.clone()).await?;
                let sql = "select province_id, count(*) from members where status = 'active' group by province_id";
                let _: Vec<(i64, i64)> = on_engine!(&mut ctx.tx, c => sqlx::query_as(sql).fetch_all(&mut **c).await)?;
                Ok(())
            })
            .await?,
        },
    );

    let year =
        Period::parse(&(today.year() - 1).to_string()).ok_or_else(|| anyhow::anyhow!("period"))?;
    report(
        &mut rows,
        Row {
            what: "Hà Nội movement report by commune, one year",
            target: "≤ 50 ms",
            samples: measure(n, |_| async {
                let mut ctx = Ctx::read(store, scope.clone()).await?;
                crate::reports::movements::movements(&mut ctx, "01", year).await?;
                Ok(())
            })
            .await?,
        },
    );
    report(
        &mut rows,
        Row {
            what: "baseline: the same report from the ledger",
            target: "",
            samples: measure(slow, |_| async {
                let mut ctx = Ctx::read(store, scope.clone()).await?;
                let sql = "select c.ancestor_id, e.kind, count(*) from member_events e \
                 join unit_closure c on c.descendant_id = e.unit_id and c.depth <= 2 \
                 join units p on p.id = c.ancestor_id and p.kind = 'commune' \
                 where e.province_id = (select id from units where code = '01') and e.effective_on <= $1 \
                 group by c.ancestor_id, e.kind";
                let _: Vec<(i64, String, i64)> = on_engine!(&mut ctx.tx, c => sqlx::query_as(sql).bind(year.to).fetch_all(&mut **c).await)?;
                Ok(())
            })
            .await?,
        },
    );

    let queries = [
        "thuy",
        "nguyen thi lan",
        "tran huong",
        "le thi thu ha",
        "hoa",
        "pham ngoc",
        "dang thi hanh",
        "vo thi mai",
    ];
    report(
        &mut rows,
        Row {
            what: "name search (diacritic-insensitive index), 50 results",
            target: "p99 ≤ 10 ms",
            samples: measure(n, |i| {
                let q = queries[i % queries.len()];
                async move {
                    let mut ctx = Ctx::read(store, scope.clone()).await?;
                    service::search(&mut ctx, q, None, 50).await?;
                    Ok(())
                }
            })
            .await?,
        },
    );
    report(
        &mut rows,
        Row {
            what: "baseline: LIKE over the names",
            target: "",
            samples: measure(slow, |i| {
                let q = format!("%{}%", queries[i % queries.len()]);
                async move {
                    let mut ctx = Ctx::read(store, scope.clone()).await?;
                    let sql = "select id from members where name_fold like $1 order by sort_key limit 50";
                    let _: Vec<i64> = on_engine!(&mut ctx.tx, c => sqlx::query_scalar(sql).bind(q).fetch_all(&mut **c).await)?;
                    Ok(())
                }
            })
            .await?,
        },
    );

    // Recording: new members joining random branches of Hà Nội, committed one by one.
    let mut ctx = Ctx::read(store, scope.clone()).await?;
    let branches: Vec<String> = on_engine!(&mut ctx.tx, c => sqlx::query_scalar(
        "select u.code from units u join unit_closure c on c.descendant_id = u.id \
         where c.ancestor_id = (select id from units where code = '01') and u.kind = 'branch' order by u.code limit 500")
        .fetch_all(&mut **c).await)?;
    ctx.finish().await?;
    if !branches.is_empty() {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let picks: Vec<(usize, i32)> = (0..n)
            .map(|_| {
                (
                    rng.random_range(0..branches.len()),
                    rng.random_range(1950..2000),
                )
            })
            .collect();
        report(
            &mut rows,
            Row {
                what: "record one event (a member joins) with its statistics, committed",
                target: "≤ 2 ms",
                samples: measure(n, |i| {
                    let (b, year) = picks[i];
                    let code = branches[b].clone();
                    async move {
                        let raw = crate::members::input::RawMember {
                            full_name: "Nguyễn Thị Thử Nghiệm".into(),
                            birth_date: year.to_string(),
                            ethnicity: "01".into(),
                            education: "upper_secondary".into(),
                            occupation: "worker".into(),
                            ..Default::default()
                        };
                        let input = raw
                            .parse(crate::clock::today())
                            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                        let mut ctx = Ctx::write(store, scope.clone()).await?;
                        service::add(&mut ctx, &code, input).await?;
                        ctx.finish().await?;
                        Ok(())
                    }
                })
                .await?,
            },
        );
    }

    let mut out = header(store, members);
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    Ok(out)
}

fn header(store: &Store, members: i64) -> String {
    format!(
        "Database: {} engine, {} members. {}\n\n| what | target | median ms | p99 ms | min–max ms | runs |\n|---|---|---:|---:|---:|---:|",
        store.engine().name(),
        members,
        machine::describe()
    )
}
