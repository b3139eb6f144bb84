//! `sohoi bench --rounds`: the report-round figures on the database at hand (the national
//! demo): opening a national round to every commune and, in a second case, to every branch;
//! a commune saving and submitting its form; a province's review screen; the centre's
//! completeness board. Each run opens rounds of its own (for years far ahead), so it can be
//! repeated on the same database.

use std::time::Instant;

use super::{Row, measure, report};
use crate::auth::Access;
use crate::ctx::Ctx;
use crate::org::UnitKind;
use crate::rounds::{board, form, open, response, review};
use crate::store::Store;

/// A period no real round uses, different on each run.
fn spare_period(ctx_rounds: usize) -> String {
    format!("{}", 2200 + ctx_rounds)
}

async fn open_national(
    store: &Store,
    admin: &Access,
    to: UnitKind,
    period: &str,
) -> anyhow::Result<(i64, std::time::Duration)> {
    let started = Instant::now();
    let opened = crate::write_ctx!(store, admin, ctx => open::open(ctx, &open::OpenRequest {
        form: "BC-HPN",
        period,
        under: "TW",
        to,
        cutoff: None,
        due: time::macros::date!(2999 - 06 - 20),
        closes: None,
    }).await)?;
    Ok((opened.round, started.elapsed()))
}

pub async fn run(store: &Store, iterations: usize) -> anyhow::Result<String> {
    let admin = Access::system("bench");
    crate::write_ctx!(store, admin, ctx => form::load(ctx, crate::demo::rounds::FORM).await)?;
    let existing = {
        let mut ctx = Ctx::read(store, admin.clone()).await?;
        let n = crate::rounds::list(&mut ctx, None).await?.len();
        ctx.finish().await?;
        n
    };
    let mut rows = Vec::new();
    crate::say!("| figure | target | median ms | p99 ms | min–max ms | runs |");
    crate::say!("|---|---|---|---|---|---|");

    // Opening: three national rounds to the communes, one to the branches.
    let mut opened = Vec::new();
    for i in 0..3 {
        opened.push(
            open_national(
                store,
                &admin,
                UnitKind::Commune,
                &spare_period(existing + i),
            )
            .await?,
        );
    }
    let round = opened[0].0;
    report(
        &mut rows,
        Row {
            what: "open a national round to every commune (3,321)",
            target: "≤ 2 s",
            samples: opened.iter().map(|o| o.1).collect(),
        },
    );
    let (branch_round, took) =
        open_national(store, &admin, UnitKind::Branch, &spare_period(existing + 3)).await?;
    report(
        &mut rows,
        Row {
            what: "open a national round to every branch",
            target: "",
            samples: vec![took],
        },
    );

    // Hà Nội's communes save and submit; the province approves them all.
    let communes: Vec<String> = {
        let mut ctx = Ctx::read(store, admin.clone()).await?;
        let b = board::board(&mut ctx, round, "01").await?;
        ctx.finish().await?;
        b.children
            .into_iter()
            .map(|c| c.response.unit_code)
            .collect()
    };
    let entries: Vec<(String, String)> = [
        ("core_members", "0"),
        ("clubs", "7"),
        ("funds_raised", "125000000"),
        ("households_5k3s_registered", "210"),
        ("households_5k3s_met", "180"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let saves = measure(communes.len(), |i| {
        let (store, admin, code, entries) = (store, &admin, communes[i].clone(), entries.clone());
        async move {
            crate::write_ctx!(store, admin, ctx => response::enter(ctx, round, &code, &entries).await)?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "a commune saves its form (5 values)",
            target: "≤ 50 ms",
            samples: saves,
        },
    );
    let submits = measure(communes.len(), |i| {
        let (store, admin, code) = (store, &admin, communes[i].clone());
        async move {
            crate::write_ctx!(store, admin, ctx => response::submit(ctx, round, &code).await)?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "a commune submits (computed figures at the cut-off, rules, frozen)",
            target: "≤ 50 ms",
            samples: submits,
        },
    );
    let approvals = measure(communes.len(), |i| {
        let (store, admin, code) = (store, &admin, communes[i].clone());
        async move {
            crate::write_ctx!(store, admin, ctx => response::approve(ctx, round, &code).await)?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "the province approves a commune",
            target: "",
            samples: approvals,
        },
    );
    let reviews = measure(iterations, |_| {
        let (store, admin) = (store, &admin);
        async move {
            let mut ctx = Ctx::read(store, admin.clone()).await?;
            review::review(&mut ctx, round, "01", false, crate::i18n::Lang::Vi).await?;
            ctx.finish().await?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "Hà Nội's review screen (126 communes side by side)",
            target: "≤ 100 ms",
            samples: reviews,
        },
    );
    let pdfs = measure(iterations.min(20), |_| {
        let (store, admin) = (store, &admin);
        async move {
            let mut ctx = Ctx::read(store, admin.clone()).await?;
            let today = ctx.today;
            let number = crate::rounds::document::number(&mut ctx, round, "01").await?;
            let doc = crate::rounds::document::document(
                &mut ctx,
                round,
                "01",
                &number,
                "Nguyễn Thị Lan",
                today,
                crate::i18n::Lang::Vi,
            )
            .await?;
            ctx.finish().await?;
            crate::documents::pdf(&doc)?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "the PDF of Hà Nội's report (51 rows, 126 communes summed)",
            target: "≤ 1 s",
            samples: pdfs,
        },
    );
    let boards = measure(iterations, |_| {
        let (store, admin) = (store, &admin);
        async move {
            let mut ctx = Ctx::read(store, admin.clone()).await?;
            board::board(&mut ctx, round, "TW").await?;
            ctx.finish().await?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "the centre's completeness board (34 provinces, 3,321 communes)",
            target: "≤ 100 ms",
            samples: boards,
        },
    );
    let branch_boards = measure(iterations, |_| {
        let (store, admin) = (store, &admin);
        async move {
            let mut ctx = Ctx::read(store, admin.clone()).await?;
            board::board(&mut ctx, branch_round, "TW").await?;
            ctx.finish().await?;
            Ok(())
        }
    })
    .await?;
    report(
        &mut rows,
        Row {
            what: "the centre's completeness board, round to every branch",
            target: "≤ 100 ms",
            samples: branch_boards,
        },
    );
    Ok(rows.iter().map(super::line).collect::<Vec<_>>().join("\n"))
}
