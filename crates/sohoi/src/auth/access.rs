//! What a caller may do where (DESIGN principle 4): a set of grants, each an authority
//! over a unit's subtree (or that unit alone) with the sensitivity tiers it may read there.
//! Every service takes the caller's `Access` (inside its [`crate::ctx::Ctx`]); there is no
//! query of people without one.
//!
//! Each grant stands alone: a tier held at one unit says nothing about another. Rights follow
//! lineage: a grant at a unit that was merged away acts at its successor, and a unit that has
//! ended is seen by whoever sees the units it went into, so that history survives a merge.

use std::collections::{BTreeSet, HashMap, HashSet};

use time::Date;

use crate::error::{Error, Result};
use crate::org;
use crate::store::Tx;

/// Something a person may do at a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    ViewMembers,
    EditMembers,
    Restructure,
    ManageAccounts,
    /// Make administrators.
    Administer,
    SubmitReports,
    ApproveReports,
    RateUnits,
    IssueDirectives,
    ManageCadres,
    HandleCases,
    /// Give the support-case tier to case workers.
    ManageCaseWorkers,
}

/// Where, relative to its grant's unit, an authority acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acts {
    /// At the unit and everything under it (as the grant's reach allows).
    Within,
    /// Strictly below the unit: one approves, returns and rates the level below, never oneself.
    Below,
    /// At the unit itself: one enters and submits one's own unit's report.
    At,
}

impl Authority {
    pub const ALL: [Authority; 12] = [
        Authority::ViewMembers,
        Authority::EditMembers,
        Authority::Restructure,
        Authority::ManageAccounts,
        Authority::Administer,
        Authority::SubmitReports,
        Authority::ApproveReports,
        Authority::RateUnits,
        Authority::IssueDirectives,
        Authority::ManageCadres,
        Authority::HandleCases,
        Authority::ManageCaseWorkers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Authority::ViewMembers => "view_members",
            Authority::EditMembers => "edit_members",
            Authority::Restructure => "restructure",
            Authority::ManageAccounts => "manage_accounts",
            Authority::Administer => "administer",
            Authority::SubmitReports => "submit_reports",
            Authority::ApproveReports => "approve_reports",
            Authority::RateUnits => "rate_units",
            Authority::IssueDirectives => "issue_directives",
            Authority::ManageCadres => "manage_cadres",
            Authority::HandleCases => "handle_cases",
            Authority::ManageCaseWorkers => "manage_case_workers",
        }
    }

    pub fn parse(s: &str) -> Option<Authority> {
        let s = s.trim().replace('-', "_");
        Authority::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn acts(self) -> Acts {
        match self {
            Authority::ApproveReports | Authority::RateUnits => Acts::Below,
            Authority::SubmitReports => Acts::At,
            _ => Acts::Within,
        }
    }
}

/// A class of sensitive personal data (Law 91/2025): who may read it is granted apart.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// National ID (CCCD).
    Identity,
    /// Ethnicity and religion, and what is derived from them (the ethnic-minority and
    /// religious segments, their breakdowns).
    EthnicityReligion,
    /// Party membership.
    Party,
    /// Cadres' personnel records.
    Personnel,
    /// Support cases of vulnerable women.
    SupportCases,
}

impl Tier {
    pub const ALL: [Tier; 5] = [
        Tier::Identity,
        Tier::EthnicityReligion,
        Tier::Party,
        Tier::Personnel,
        Tier::SupportCases,
    ];
    /// What the earlier single "sensitive" grant meant: a member's identity, ethnicity and
    /// religion, and Party membership — never personnel records or support cases.
    pub const MEMBER: [Tier; 3] = [Tier::Identity, Tier::EthnicityReligion, Tier::Party];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Identity => "identity",
            Tier::EthnicityReligion => "ethnicity_religion",
            Tier::Party => "party",
            Tier::Personnel => "personnel",
            Tier::SupportCases => "support_cases",
        }
    }

    pub fn parse(s: &str) -> Option<Tier> {
        let s = s.trim().replace('-', "_");
        Tier::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The tiers a caller holds at one unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tiers(BTreeSet<Tier>);

impl Tiers {
    pub fn all() -> Self {
        Tiers(Tier::ALL.into_iter().collect())
    }

    pub fn has(&self, tier: Tier) -> bool {
        self.0.contains(&tier)
    }

    /// Holds every tier of a member's record (identity, ethnicity and religion, Party).
    pub fn all_member(&self) -> bool {
        Tier::MEMBER.iter().all(|t| self.has(*t))
    }

    fn add(&mut self, tiers: &BTreeSet<Tier>) {
        self.0.extend(tiers.iter().copied());
    }
}

/// How far a grant reaches from its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// The unit and everything under it.
    Subtree,
    /// The unit alone (a case worker's commune, not its branches' cases elsewhere).
    Unit,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Subtree => "subtree",
            Reach::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<Reach> {
        match s.trim() {
            "subtree" => Some(Reach::Subtree),
            "unit" => Some(Reach::Unit),
            _ => None,
        }
    }
}

/// One grant: authorities and tiers at a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub unit_id: i64,
    pub reach: Reach,
    pub authorities: BTreeSet<Authority>,
    pub tiers: BTreeSet<Tier>,
}

impl Grant {
    pub fn new(
        unit_id: i64,
        authorities: impl IntoIterator<Item = Authority>,
        tiers: impl IntoIterator<Item = Tier>,
    ) -> Self {
        Grant {
            unit_id,
            reach: Reach::Subtree,
            authorities: authorities.into_iter().collect(),
            tiers: tiers.into_iter().collect(),
        }
    }

    pub fn unit_only(mut self) -> Self {
        self.reach = Reach::Unit;
        self
    }
}

/// A set of grants, or everything (the command line: whoever holds the database file holds
/// the register).
#[derive(Clone, Debug)]
pub struct Access {
    actor: String,
    /// `None`: everything everywhere.
    grants: Option<Vec<Grant>>,
}

/// Where an authority holds, for filtering a query: everywhere, or these subtrees and units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roots {
    All,
    Units { subtrees: Vec<i64>, units: Vec<i64> },
}

impl Roots {
    pub fn is_empty(&self) -> bool {
        matches!(self, Roots::Units { subtrees, units } if subtrees.is_empty() && units.is_empty())
    }

    /// A SQL condition on `column` (a unit id) at the date bound as `date_param`.
    pub fn sql(&self, column: &str, date_param: &str) -> String {
        match self {
            // The date stays in the statement, so that every form binds the same parameters.
            Roots::All => format!("({date_param} = {date_param})"),
            Roots::Units { subtrees, units } => {
                org::store::sql::under(column, subtrees, units, date_param)
            }
        }
    }
}

impl Access {
    pub fn system(actor: impl Into<String>) -> Self {
        Access {
            actor: actor.into(),
            grants: None,
        }
    }

    pub fn of_grants(actor: impl Into<String>, grants: Vec<Grant>) -> Self {
        Access {
            actor: actor.into(),
            grants: Some(grants),
        }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn is_system(&self) -> bool {
        self.grants.is_none()
    }

    /// The grants, or `None` for everything.
    pub fn grants(&self) -> Option<&[Grant]> {
        self.grants.as_deref()
    }

    /// Whether any grant holds `authority` anywhere (for a menu: which pages to offer).
    pub fn holds_anywhere(&self, authority: Authority) -> bool {
        self.grants
            .as_ref()
            .is_none_or(|gs| gs.iter().any(|g| g.authorities.contains(&authority)))
    }

    /// Whether any grant holds `tier` anywhere.
    pub fn holds_tier_anywhere(&self, tier: Tier) -> bool {
        self.grants
            .as_ref()
            .is_none_or(|gs| gs.iter().any(|g| g.tiers.contains(&tier)))
    }

    /// The grants' units where `authority` holds, for a query's filter.
    pub fn roots(&self, authority: Authority) -> Roots {
        self.roots_of(|g| g.authorities.contains(&authority))
    }

    /// The units of every grant, whatever it holds: what the caller may see exists.
    pub fn seen_roots(&self) -> Roots {
        self.roots_of(|_| true)
    }

    fn roots_of(&self, keep: impl Fn(&Grant) -> bool) -> Roots {
        let Some(grants) = &self.grants else {
            return Roots::All;
        };
        let (mut subtrees, mut units) = (Vec::new(), Vec::new());
        for g in grants.iter().filter(|g| keep(g)) {
            match g.reach {
                Reach::Subtree => subtrees.push(g.unit_id),
                Reach::Unit => units.push(g.unit_id),
            }
        }
        Roots::Units { subtrees, units }
    }

    /// Succeeds when some grant covers `unit` at `at`; otherwise "not found", exactly as for
    /// a unit that does not exist.
    pub async fn ensure_view(&self, tx: &mut Tx, unit: i64, at: Date, code: &str) -> Result<()> {
        let Some(grants) = &self.grants else {
            return Ok(());
        };
        for g in grants {
            if covers(tx, g, unit, at).await? {
                return Ok(());
            }
        }
        Err(Error::not_found("unit", code))
    }

    /// `ctx.require(Authority::ApproveReports, unit)`: "not found" when the caller sees
    /// nothing of `unit`, "forbidden" when she sees it but holds no grant that lets her do
    /// this there.
    pub async fn require(
        &self,
        tx: &mut Tx,
        authority: Authority,
        unit: i64,
        at: Date,
        code: &str,
    ) -> Result<()> {
        self.ensure_view(tx, unit, at, code).await?;
        if self.may(tx, authority, unit, at).await? {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Whether the caller may do `authority` at `unit` (no error either way).
    pub async fn may(
        &self,
        tx: &mut Tx,
        authority: Authority,
        unit: i64,
        at: Date,
    ) -> Result<bool> {
        let Some(grants) = &self.grants else {
            return Ok(true);
        };
        for g in grants.iter().filter(|g| g.authorities.contains(&authority)) {
            let applies = match authority.acts() {
                Acts::Within => covers(tx, g, unit, at).await?,
                Acts::Below => {
                    g.unit_id != unit
                        && g.reach == Reach::Subtree
                        && covers(tx, g, unit, at).await?
                }
                Acts::At => g.unit_id == unit,
            };
            if applies {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether some grant holding `authority` covers `unit`, wherever the authority acts
    /// (for giving it on: a chair gives only what she holds).
    pub async fn holds(
        &self,
        tx: &mut Tx,
        authority: Authority,
        unit: i64,
        at: Date,
    ) -> Result<bool> {
        let Some(grants) = &self.grants else {
            return Ok(true);
        };
        for g in grants.iter().filter(|g| g.authorities.contains(&authority)) {
            if covers(tx, g, unit, at).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The tiers the caller holds at `unit`: those of the grants that cover it.
    pub async fn tiers_at(&self, tx: &mut Tx, unit: i64, at: Date) -> Result<Tiers> {
        let Some(grants) = &self.grants else {
            return Ok(Tiers::all());
        };
        let mut tiers = Tiers::default();
        for g in grants.iter().filter(|g| !g.tiers.is_empty()) {
            if covers(tx, g, unit, at).await? {
                tiers.add(&g.tiers);
            }
        }
        Ok(tiers)
    }

    /// The tiers the caller holds at each of `units` (a page of members): one query per grant
    /// that holds a tier, whatever the number of units.
    pub async fn tiers_for(
        &self,
        tx: &mut Tx,
        units: &[i64],
        at: Date,
    ) -> Result<HashMap<i64, Tiers>> {
        let mut out: HashMap<i64, Tiers> = HashMap::new();
        let Some(grants) = &self.grants else {
            return Ok(units.iter().map(|u| (*u, Tiers::all())).collect());
        };
        let wanted: HashSet<i64> = units.iter().copied().collect();
        for g in grants.iter().filter(|g| !g.tiers.is_empty()) {
            let covered: Vec<i64> = match g.reach {
                Reach::Unit => wanted.iter().copied().filter(|u| *u == g.unit_id).collect(),
                Reach::Subtree => {
                    org::store::within_of(
                        tx,
                        g.unit_id,
                        &wanted.iter().copied().collect::<Vec<_>>(),
                        at,
                    )
                    .await?
                }
            };
            for u in covered {
                out.entry(u).or_default().add(&g.tiers);
            }
        }
        Ok(out)
    }

    /// The tier, at every unit under `unit` (an aggregate over a subtree, such as a
    /// breakdown by ethnicity, needs the tier over the whole of it).
    pub async fn tier_over(&self, tx: &mut Tx, tier: Tier, unit: i64, at: Date) -> Result<bool> {
        let Some(grants) = &self.grants else {
            return Ok(true);
        };
        for g in grants
            .iter()
            .filter(|g| g.tiers.contains(&tier) && g.reach == Reach::Subtree)
        {
            if covers(tx, g, unit, at).await? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Whether grant `g` covers `unit` at `at`. A unit that has ended is covered where the units
/// it went into are (rights follow lineage).
async fn covers(tx: &mut Tx, g: &Grant, unit: i64, at: Date) -> Result<bool> {
    if direct(tx, g, unit, at).await? {
        return Ok(true);
    }
    for successor in org::store::successors(tx, unit).await? {
        if direct(tx, g, successor, at).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn direct(tx: &mut Tx, g: &Grant, unit: i64, at: Date) -> Result<bool> {
    Ok(match g.reach {
        Reach::Unit => g.unit_id == unit,
        Reach::Subtree => org::store::is_within(tx, unit, g.unit_id, at).await?,
    })
}

/// A role: a named bundle of authorities, so that `--role chair` keeps meaning what it meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees her subtree.
    Viewer,
    /// Also edits members and enters her unit's reports.
    Officer,
    /// Also manages accounts, restructures, approves, rates, issues directives, manages cadres.
    Chair,
    /// A chair who may also make administrators.
    Admin,
    /// Handles support cases at her unit (with the support-case tier, given apart).
    CaseWorker,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Officer,
        Role::Chair,
        Role::Admin,
        Role::CaseWorker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Officer => "officer",
            Role::Chair => "chair",
            Role::Admin => "admin",
            Role::CaseWorker => "case_worker",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn authorities(self) -> Vec<Authority> {
        use Authority::*;
        let officer = [ViewMembers, EditMembers, SubmitReports];
        let chair = [
            Restructure,
            ManageAccounts,
            ApproveReports,
            RateUnits,
            IssueDirectives,
            ManageCadres,
        ];
        match self {
            Role::Viewer => vec![ViewMembers],
            Role::Officer => officer.to_vec(),
            Role::Chair => officer.into_iter().chain(chair).collect(),
            Role::Admin => officer
                .into_iter()
                .chain(chair)
                .chain([Administer])
                .collect(),
            Role::CaseWorker => vec![HandleCases],
        }
    }

    /// The role whose bundle `authorities` is, if any (for showing a grant by its name).
    pub fn of(authorities: &BTreeSet<Authority>) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.authorities().into_iter().collect::<BTreeSet<_>>() == *authorities)
    }
}
