use serde::Serialize;
use time::Date;

/// The level of a unit in the Union's tree.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Trung ương Hội.
    Central,
    /// Hội LHPN tỉnh/thành phố.
    Province,
    /// Hội LHPN xã/phường/đặc khu (the grassroots union).
    Commune,
    /// Chi hội.
    Branch,
    /// Tổ phụ nữ.
    Group,
    /// Hội phụ nữ cơ quan, doanh nghiệp.
    Agency,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        Self::Central,
        Self::Province,
        Self::Commune,
        Self::Branch,
        Self::Group,
        Self::Agency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Central => "central",
            Self::Province => "province",
            Self::Commune => "commune",
            Self::Branch => "branch",
            Self::Group => "group",
            Self::Agency => "agency",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A unit's code: the official administrative code where one exists (provinces 2 digits,
/// communes 5), otherwise one sohoi gives (branches: the commune code, a dash, a number).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(s.to_ascii_uppercase()))
        } else {
            Err(s.to_string())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnitCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unit as of some date, with its place in the tree.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Unit {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub kind: UnitKind,
    pub name: String,
    pub admin_type: Option<String>,
    pub parent_code: Option<String>,
    /// Depth below the unit a listing started from (0 for the unit itself).
    pub depth: i32,
    #[serde(with = "iso_date")]
    pub valid_from: Date,
    #[serde(with = "iso_date")]
    pub valid_to: Date,
}

/// Dates in JSON as `YYYY-MM-DD`.
pub mod iso_date {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            d.year(),
            d.month() as u8,
            d.day()
        ))
    }

    pub mod option {
        use serde::Serializer;
        use time::Date;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }
    }
}
