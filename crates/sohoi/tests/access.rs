//! Access as grants: each grant stands alone, tiers hold only where granted, authorities act
//! where they should (approving strictly below, submitting at one's own unit), a chair gives
//! only what she holds, and rights follow a merged unit to its successor.

mod helpers;

use helpers::{TestDb, input, raw};
use sohoi::auth::users::{self, GrantRequest, NewAccount};
use sohoi::auth::{Access, Authority, Grant, Reach, Role, Tier};
use sohoi::ctx::Ctx;
use sohoi::error::Error;
use sohoi::members::service;
use sohoi::org::restructure;
use time::macros::date;

fn system() -> Access {
    Access::system("test")
}

async fn unit_id(ctx: &mut Ctx, code: &str) -> i64 {
    sohoi::org::store::by_code(&mut ctx.tx, code, ctx.today)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("{code}"))
        .id
}

/// A member with a national ID, ethnicity, religion and the segments derived from them.
fn tay_member(name: &str, nid: &str) -> sohoi::members::MemberInput {
    let mut r = raw(name, "12/05/1980");
    r.national_id = nid.into();
    r.ethnicity = "Tày".into();
    r.religion = "buddhism".into();
    r.segments = "ethnic_minority,religious,farmer".into();
    input(&r)
}

#[tokio::test]
async fn a_user_with_two_grants_reads_sensitive_fields_only_where_her_grant_says() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let here = service::add(
        ctx.acting(&system()),
        "00004",
        tay_member("Hoàng Thị Hoa", "001180011111"),
    )
    .await
    .expect("add");
    let there = service::add(
        ctx.acting(&system()),
        "00008",
        tay_member("Nông Thị Lan", "001180022222"),
    )
    .await
    .expect("add");
    let ba_dinh = unit_id(&mut ctx, "00004").await;
    let ngoc_ha = unit_id(&mut ctx, "00008").await;
    // A viewer at both wards, with the member tiers at Ba Đình only.
    let both = Access::of_grants(
        "user:hai",
        vec![
            Grant::new(ba_dinh, Role::Viewer.authorities(), Tier::MEMBER),
            Grant::new(ngoc_ha, Role::Viewer.authorities(), []),
        ],
    );
    let today = ctx.today;
    let seen = service::show(ctx.acting(&both), here.id)
        .await
        .expect("Ba Đình member")
        .member;
    assert_eq!(seen.national_id.as_deref(), Some("001180011111"));
    assert_eq!(seen.ethnicity.as_deref(), Some("02"));
    assert!(seen.segments.contains(&"ethnic_minority".to_string()));
    let hidden = service::show(ctx.acting(&both), there.id)
        .await
        .expect("Ngọc Hà member")
        .member;
    assert_eq!(
        (
            hidden.national_id,
            hidden.ethnicity,
            hidden.religion,
            hidden.party_member
        ),
        (None, None, None, None)
    );
    // The segments derived from ethnicity and religion are hidden with them; the others stay.
    assert_eq!(hidden.segments, vec!["farmer".to_string()]);
    // Her search across both wards redacts each member by her own ward's grant.
    let found = service::search(ctx.acting(&both), "thi", None, 50)
        .await
        .expect("search");
    let nid = |id: i64| {
        found
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.national_id.clone())
    };
    assert_eq!(
        (nid(here.id).as_deref(), nid(there.id)),
        (Some("001180011111"), None)
    );
    // Breakdowns by ethnicity: at Ba Đình, not at Ngọc Hà; filtering by a derived segment
    // there is refused.
    let at_ba_dinh = sohoi::reports::summary::summary(ctx.acting(&both), "00004", today)
        .await
        .expect("summary");
    assert!(at_ba_dinh.breakdowns.contains_key("ethnicity"));
    let at_ngoc_ha = sohoi::reports::summary::summary(ctx.acting(&both), "00008", today)
        .await
        .expect("summary");
    assert!(
        !at_ngoc_ha.breakdowns.contains_key("ethnicity")
            && !at_ngoc_ha.breakdowns.contains_key("religion")
    );
    assert!(!at_ngoc_ha.breakdowns["segment"].contains_key("ethnic_minority"));
    let filter = service::filter(None, Some("ethnic_minority"), None, ctx.today).expect("filter");
    let err = service::list(ctx.acting(&both), "00008", &filter, 1, 50)
        .await
        .expect_err("derived segment");
    assert!(matches!(err, Error::Forbidden), "{err:?}");
    // Hà Nội above them is not hers at all.
    let err = sohoi::reports::summary::summary(ctx.acting(&both), "01", today)
        .await
        .expect_err("province");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    // What she cannot read she cannot set: a correction keeps Ngọc Hà's sensitive fields.
    let mut edit = tay_member("Nông Thị Lan", "");
    edit.ethnicity = Some("Kinh".into());
    edit.segments = vec!["farmer".into()];
    let stored = service::current(ctx.acting(&system()), there.id)
        .await
        .expect("stored");
    let officer = Access::of_grants(
        "user:sua",
        vec![Grant::new(ngoc_ha, Role::Officer.authorities(), [])],
    );
    service::edit(ctx.acting(&officer), there.id, stored.version, edit, today)
        .await
        .expect("edit");
    let after = service::current(ctx.acting(&system()), there.id)
        .await
        .expect("after");
    assert_eq!(after.ethnicity.as_deref(), Some("02"));
    assert_eq!(after.national_id.as_deref(), Some("001180022222"));
    assert!(
        after.segments.contains(&"ethnic_minority".to_string())
            && after.segments.contains(&"religious".to_string())
    );
}

#[tokio::test]
async fn approving_acts_strictly_below_the_grant_and_submitting_at_it() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let hanoi = unit_id(&mut ctx, "01").await;
    let ba_dinh = unit_id(&mut ctx, "00004").await;
    let chair = Access::of_grants(
        "user:tinh",
        vec![Grant::new(hanoi, Role::Chair.authorities(), [])],
    );
    let today = ctx.today;
    assert!(
        !chair
            .may(&mut ctx.tx, Authority::ApproveReports, hanoi, today)
            .await
            .expect("may"),
        "not her own report"
    );
    assert!(
        chair
            .may(&mut ctx.tx, Authority::ApproveReports, ba_dinh, today)
            .await
            .expect("may")
    );
    assert!(
        chair
            .may(&mut ctx.tx, Authority::SubmitReports, hanoi, today)
            .await
            .expect("may")
    );
    assert!(
        !chair
            .may(&mut ctx.tx, Authority::SubmitReports, ba_dinh, today)
            .await
            .expect("may"),
        "not a ward's report"
    );
    // "Forbidden" where she sees the unit, "not found" where she does not.
    let err = ctx
        .acting(&chair)
        .require(Authority::ApproveReports, hanoi, "01")
        .await
        .expect_err("own");
    assert!(matches!(err, Error::Forbidden));
    let hcm = unit_id(&mut ctx, "79").await;
    let err = ctx
        .acting(&chair)
        .require(Authority::ApproveReports, hcm, "79")
        .await
        .expect_err("elsewhere");
    assert!(matches!(err, Error::NotFound { .. }));
}

#[tokio::test]
async fn a_chair_gives_only_what_she_holds_and_case_work_needs_its_own_authority() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let chair = NewAccount {
        username: "chutich",
        display_name: "Chủ tịch",
        unit_code: "00004",
        role: Role::Chair,
        tiers: &[Tier::Identity],
    };
    users::create(
        ctx.acting(&system()),
        &chair,
        &sohoi::auth::password::Password::new("mat-khau-chu-tich"),
    )
    .await
    .expect("chair");
    let viewer = NewAccount {
        username: "xem",
        display_name: "Xem",
        unit_code: "00004",
        role: Role::Viewer,
        tiers: &[],
    };
    users::create(
        ctx.acting(&system()),
        &viewer,
        &sohoi::auth::password::Password::new("mat-khau-xem-xem"),
    )
    .await
    .expect("viewer");
    let user = users::by_username(&mut ctx.tx, "chutich")
        .await
        .expect("user");
    let access = users::access_for(&mut ctx.tx, &user).await.expect("access");
    ctx.acting(&access);
    // What she holds, she gives, at or under her ward.
    users::grant(
        &mut ctx,
        "xem",
        &GrantRequest::role("00004", Role::Viewer, &[Tier::Identity]),
    )
    .await
    .expect("identity");
    for (request, what) in [
        (
            GrantRequest::role("00004", Role::Viewer, &[Tier::Party]),
            "a tier she lacks",
        ),
        (
            GrantRequest::role("00004", Role::Admin, &[]),
            "administrators",
        ),
        (
            GrantRequest::role("00004", Role::CaseWorker, &[Tier::SupportCases]),
            "the support-case tier",
        ),
    ] {
        let err = users::grant(&mut ctx, "xem", &request)
            .await
            .expect_err(what);
        assert!(matches!(err, Error::Forbidden), "{what}: {err:?}");
    }
    let err = users::grant(
        &mut ctx,
        "xem",
        &GrantRequest::role("00008", Role::Viewer, &[]),
    )
    .await
    .expect_err("another ward");
    assert!(matches!(err, Error::NotFound { .. }));
    // The local administrator names the first holder of "manage case workers" on the command
    // line; she then gives the support-case tier for her ward alone.
    let manager = GrantRequest {
        unit_code: "00004",
        reach: Reach::Subtree,
        authorities: [
            Authority::ManageCaseWorkers,
            Authority::ManageAccounts,
            Authority::HandleCases,
        ]
        .into(),
        tiers: Default::default(),
    };
    users::grant(ctx.acting(&system()), "chutich", &manager)
        .await
        .expect("manager");
    let access = users::access_for(&mut ctx.tx, &user).await.expect("access");
    let case_work = GrantRequest {
        reach: Reach::Unit,
        ..GrantRequest::role("00004", Role::CaseWorker, &[Tier::SupportCases])
    };
    users::grant(ctx.acting(&access), "xem", &case_work)
        .await
        .expect("case worker");
    let xem = users::by_username(&mut ctx.tx, "xem").await.expect("xem");
    let grants = users::grants_of(&mut ctx.tx, &xem).await.expect("grants");
    let case = grants
        .iter()
        .find(|g| g.role == Some(Role::CaseWorker))
        .expect("case grant");
    assert_eq!(
        (case.reach, case.tiers.iter().copied().collect::<Vec<_>>()),
        (Reach::Unit, vec![Tier::SupportCases])
    );
    // Her ward alone: the tier does not reach the ward's branches.
    let branch = helpers::branches(&mut ctx.tx, "00004", &["Chi hội số 1"])
        .await
        .remove(0);
    let branch_id = unit_id(&mut ctx, &branch).await;
    let ba_dinh = unit_id(&mut ctx, "00004").await;
    let xem_access = users::access_for(&mut ctx.tx, &xem).await.expect("access");
    let today = ctx.today;
    assert!(
        xem_access
            .tiers_at(&mut ctx.tx, ba_dinh, today)
            .await
            .expect("tiers")
            .has(Tier::SupportCases)
    );
    assert!(
        !xem_access
            .tiers_at(&mut ctx.tx, branch_id, today)
            .await
            .expect("tiers")
            .has(Tier::SupportCases)
    );
    // Revoked, the grants are gone and the audit log says who did it.
    users::revoke(ctx.acting(&access), "xem", "00004")
        .await
        .expect("revoke");
    assert!(
        users::grants_of(&mut ctx.tx, &xem)
            .await
            .expect("grants")
            .is_empty()
    );
    let log = sohoi::auth::audit::list(ctx.acting(&system()), None, 50)
        .await
        .expect("log");
    assert!(log.iter().any(|e| e.action == "user.revoke"
        && e.actor == "user:chutich"
        && e.subject.as_deref() == Some("xem")));
    assert_eq!(log.iter().filter(|e| e.action == "user.grant").count(), 3);
}

#[tokio::test]
async fn rights_and_history_follow_a_merged_unit_to_its_successor() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    let before = date!(2025 - 03 - 01);
    let mut r = raw("Đinh Thị Lụa", "1970");
    r.joined_on = "01/01/2020".into();
    let stayed = service::add(ctx.acting(&system()), "00004", input(&r))
        .await
        .expect("add");
    let mut r = raw("Vũ Thị Mơ", "1971");
    r.joined_on = "01/01/2020".into();
    let left = service::add(ctx.acting(&system()), "00004", input(&r))
        .await
        .expect("add");
    service::end(
        ctx.acting(&system()),
        left.id,
        1,
        service::Ending::Left,
        before,
        None,
    )
    .await
    .expect("left");
    let chair = NewAccount {
        username: "badinh",
        display_name: "Chủ tịch Ba Đình",
        unit_code: "00004",
        role: Role::Chair,
        tiers: &[],
    };
    users::create(
        ctx.acting(&system()),
        &chair,
        &sohoi::auth::password::Password::new("mat-khau-ba-dinh"),
    )
    .await
    .expect("chair");
    restructure::merge(
        ctx.acting(&system()),
        &["00004".into()],
        "00008",
        date!(2025 - 07 - 01),
    )
    .await
    .expect("merge");
    ctx.finish().await.expect("commit");

    let mut ctx = db.ctx().await;
    // Her grant at the merged ward now acts at the ward it went into.
    let user = users::by_username(&mut ctx.tx, "badinh")
        .await
        .expect("user");
    let access = users::access_for(&mut ctx.tx, &user).await.expect("access");
    let shown = service::show(ctx.acting(&access), stayed.id)
        .await
        .expect("the member who moved");
    assert_eq!(shown.member.unit_code, "00008");
    // The member who left before the merge stays in the old ward's history, and whoever holds
    // the successor still sees her.
    let ngoc_ha = unit_id(&mut ctx, "00008").await;
    let successor_chair = Access::of_grants(
        "user:ngocha",
        vec![Grant::new(ngoc_ha, Role::Chair.authorities(), [])],
    );
    let gone = service::show(ctx.acting(&successor_chair), left.id)
        .await
        .expect("a leaver of the merged ward");
    assert_eq!(gone.member.unit_code, "00004");
    // So do the old ward's audit entries and accounts.
    let log = sohoi::auth::audit::list(ctx.acting(&successor_chair), None, 100)
        .await
        .expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "member.left" && e.unit_code.as_deref() == Some("00004")),
        "{log:?}"
    );
    let accounts = users::accounts(ctx.acting(&successor_chair))
        .await
        .expect("accounts");
    assert!(accounts.iter().any(|a| a.username == "badinh"));
}

#[tokio::test]
async fn a_service_runs_at_a_fixed_date_in_the_past() {
    let db = TestDb::new().await;
    // On 1 March 2024 a join dated May 2024 is in the future, whatever today is.
    let mut ctx = Ctx::write(&db.store, system())
        .await
        .expect("begin")
        .on(date!(2024 - 03 - 01));
    let mut r = raw("Lò Thị Sen", "1990");
    r.joined_on = "01/05/2024".into();
    let err = service::add(&mut ctx, "00004", input(&r))
        .await
        .expect_err("future");
    assert!(
        err.render(sohoi::i18n::Lang::Vi)
            .contains("không được ở tương lai"),
        "{err:?}"
    );
    r.joined_on = "01/02/2024".into();
    service::add(&mut ctx, "00004", input(&r))
        .await
        .expect("a past join is fine");
}

/// Lists and searches that carry sensitive fields are reads of them: one audit entry per
/// request, with the count, filed even from a read snapshot; a list without them files none.
#[tokio::test]
async fn bulk_reads_of_sensitive_fields_are_audited_with_their_count() {
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    service::add(
        ctx.acting(&system()),
        "00004",
        tay_member("Hoàng Thị Hoa", "001180011111"),
    )
    .await
    .expect("add");
    service::add(
        ctx.acting(&system()),
        "00004",
        tay_member("Lò Thị Mai", "001180033333"),
    )
    .await
    .expect("add");
    service::add(
        ctx.acting(&system()),
        "00008",
        tay_member("Nông Thị Lan", "001180022222"),
    )
    .await
    .expect("add");
    let ba_dinh = unit_id(&mut ctx, "00004").await;
    let ngoc_ha = unit_id(&mut ctx, "00008").await;
    ctx.finish().await.expect("commit");
    let both = Access::of_grants(
        "user:hai",
        vec![
            Grant::new(ba_dinh, Role::Viewer.authorities(), Tier::MEMBER),
            Grant::new(ngoc_ha, Role::Viewer.authorities(), []),
        ],
    );
    let mut read = Ctx::read(&db.store, both).await.expect("snapshot");
    let filter = service::filter(None, None, None, read.today).expect("filter");
    service::list(&mut read, "00004", &filter, 1, 50)
        .await
        .expect("Ba Đình");
    service::list(&mut read, "00008", &filter, 1, 50)
        .await
        .expect("Ngọc Hà");
    service::search(&mut read, "thi", None, 50)
        .await
        .expect("search");
    read.finish().await.expect("end");
    let mut ctx = db.ctx().await;
    let log = sohoi::auth::audit::list(&mut ctx, None, 100)
        .await
        .expect("log");
    let reads: Vec<(Option<&str>, Option<&str>)> = log
        .iter()
        .filter(|e| e.action == "member.list_sensitive" && e.actor == "user:hai")
        .map(|e| (e.subject.as_deref(), e.detail.as_deref()))
        .collect();
    // Newest first: the national search (two of its three records readable), then Ba Đình's
    // list; Ngọc Hà's list carried nothing sensitive and filed nothing.
    assert_eq!(
        reads,
        vec![
            (None, Some("records=2")),
            (Some("00004"), Some("records=2"))
        ]
    );
}

/// The account lifecycle: a chair disables an account in her ward (sign-in, sessions and
/// tokens stop; the history stays), enables it again, resets its password and revokes its
/// tokens; an account above her is not hers to touch; a token past its last day stops.
#[tokio::test]
async fn a_chair_disables_enables_resets_and_revokes_an_account_of_her_ward() {
    use sohoi::auth::password::Password;
    let db = TestDb::new().await;
    let mut ctx = db.ctx().await;
    for (username, unit, role) in [
        ("chutich", "00004", Role::Chair),
        ("xem", "00004", Role::Viewer),
        ("tinh", "01", Role::Chair),
    ] {
        let account = NewAccount {
            username,
            display_name: "Cán bộ",
            unit_code: unit,
            role,
            tiers: &[],
        };
        users::create(
            ctx.acting(&system()),
            &account,
            &Password::new("mat-khau-ban-dau"),
        )
        .await
        .expect("account");
    }
    let xem = users::by_username(&mut ctx.tx, "xem").await.expect("xem");
    let (_, token) = sohoi::auth::tokens::create(&mut ctx.tx, &xem, "báo cáo")
        .await
        .expect("token");
    let (_, old) =
        sohoi::auth::tokens::create_until(&mut ctx.tx, &xem, "cũ", date!(2020 - 01 - 01))
            .await
            .expect("token");
    sohoi::auth::sessions::open(&mut ctx.tx, &xem)
        .await
        .expect("session");
    ctx.finish().await.expect("commit");
    let works = |token: String| {
        let store = db.store.clone();
        async move {
            let mut tx = store.read().await.expect("read");
            sohoi::auth::tokens::find(&mut tx, &token)
                .await
                .expect("find")
                .is_some()
        }
    };
    assert!(works(token.clone()).await);
    assert!(!works(old).await, "a token past its last day stops");
    let signs_in = |password: &'static str| {
        let store = db.store.clone();
        async move {
            users::sign_in(&store, "xem", Password::new(password), "test")
                .await
                .is_ok()
        }
    };
    assert!(signs_in("mat-khau-ban-dau").await);

    let mut ctx = db.ctx().await;
    let chair = users::by_username(&mut ctx.tx, "chutich")
        .await
        .expect("chair");
    let chair = users::access_for(&mut ctx.tx, &chair)
        .await
        .expect("access");
    users::disable(ctx.acting(&chair), "xem")
        .await
        .expect("disable");
    let err = users::disable(ctx.acting(&chair), "tinh")
        .await
        .expect_err("the province chair is not hers");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    ctx.finish().await.expect("commit");
    assert!(!signs_in("mat-khau-ban-dau").await, "disabled: no sign-in");
    assert!(!works(token.clone()).await, "disabled: no token");

    let mut ctx = db.ctx().await;
    users::enable(ctx.acting(&chair), "xem")
        .await
        .expect("enable");
    users::reset_password(
        ctx.acting(&chair),
        "xem",
        &Password::new("mat-khau-moi-dat"),
    )
    .await
    .expect("reset");
    ctx.finish().await.expect("commit");
    assert!(works(token.clone()).await, "enabled: her token works again");
    assert!(!signs_in("mat-khau-ban-dau").await && signs_in("mat-khau-moi-dat").await);

    let mut ctx = db.ctx().await;
    // Both her tokens, the expired one too.
    assert_eq!(
        users::revoke_tokens(ctx.acting(&chair), "xem")
            .await
            .expect("revoke"),
        2
    );
    ctx.finish().await.expect("commit");
    assert!(!works(token).await);
    let mut ctx = db.ctx().await;
    let log = sohoi::auth::audit::list(&mut ctx, None, 100)
        .await
        .expect("log");
    for action in [
        "user.disable",
        "user.enable",
        "user.reset_password",
        "user.revoke_tokens",
    ] {
        assert!(
            log.iter().any(|e| e.action == action
                && e.actor == "user:chutich"
                && e.subject.as_deref() == Some("xem")),
            "{action}"
        );
    }
}
