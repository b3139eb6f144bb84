//! The classifications a member record holds, by code. Labels live in the translation
//! files (`ethnicity-01 = Kinh`, `education-upper_secondary = …`).

/// The 54 ethnic groups by their official codes (General Statistics Office, 01 = Kinh).
pub const ETHNICITIES: [(&str, &str); 54] = [
    ("01", "Kinh"),
    ("02", "Tày"),
    ("03", "Thái"),
    ("04", "Hoa"),
    ("05", "Khơ-me"),
    ("06", "Mường"),
    ("07", "Nùng"),
    ("08", "Mông"),
    ("09", "Dao"),
    ("10", "Gia-rai"),
    ("11", "Ngái"),
    ("12", "Ê-đê"),
    ("13", "Ba-na"),
    ("14", "Xơ-đăng"),
    ("15", "Sán Chay"),
    ("16", "Cơ-ho"),
    ("17", "Chăm"),
    ("18", "Sán Dìu"),
    ("19", "Hrê"),
    ("20", "Mnông"),
    ("21", "Ra-glai"),
    ("22", "Xtiêng"),
    ("23", "Bru-Vân Kiều"),
    ("24", "Thổ"),
    ("25", "Giáy"),
    ("26", "Cơ-tu"),
    ("27", "Gié-Triêng"),
    ("28", "Mạ"),
    ("29", "Khơ-mú"),
    ("30", "Co"),
    ("31", "Tà-ôi"),
    ("32", "Chơ-ro"),
    ("33", "Kháng"),
    ("34", "Xinh-mun"),
    ("35", "Hà Nhì"),
    ("36", "Chu-ru"),
    ("37", "Lào"),
    ("38", "La Chí"),
    ("39", "La Ha"),
    ("40", "Phù Lá"),
    ("41", "La Hủ"),
    ("42", "Lự"),
    ("43", "Lô Lô"),
    ("44", "Chứt"),
    ("45", "Mảng"),
    ("46", "Pà Thẻn"),
    ("47", "Cờ Lao"),
    ("48", "Cống"),
    ("49", "Bố Y"),
    ("50", "Si La"),
    ("51", "Pu Péo"),
    ("52", "Brâu"),
    ("53", "Ơ-đu"),
    ("54", "Rơ-măm"),
];

/// The Kinh majority; every other code is an ethnic minority.
pub const KINH: &str = "01";

pub const RELIGIONS: [&str; 8] = [
    "none",
    "buddhism",
    "catholic",
    "protestant",
    "caodai",
    "hoahao",
    "islam",
    "other",
];

/// General education completed.
pub const EDUCATION: [&str; 4] = ["none", "primary", "lower_secondary", "upper_secondary"];

/// Professional qualification.
pub const QUALIFICATIONS: [&str; 7] = [
    "none",
    "elementary",
    "vocational",
    "college",
    "university",
    "master",
    "doctorate",
];

pub const POLITICAL_THEORY: [&str; 4] = ["none", "elementary", "intermediate", "advanced"];

pub const OCCUPATIONS: [&str; 9] = [
    "farmer",
    "worker",
    "civil_servant",
    "business",
    "freelance",
    "student",
    "homemaker",
    "retired",
    "other",
];

pub const SEGMENTS: [&str; 7] = [
    "intellectual",
    "entrepreneur",
    "influencer",
    "worker",
    "farmer",
    "ethnic_minority",
    "religious",
];

pub fn ethnicity_name(code: &str) -> Option<&'static str> {
    ETHNICITIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// Finds an ethnicity by code or by name, ignoring case and diacritics ("Kinh", "01", "tay").
pub fn ethnicity_code(input: &str) -> Option<&'static str> {
    let input = input.trim();
    if let Some((code, _)) = ETHNICITIES
        .iter()
        .find(|(c, _)| *c == input || c.trim_start_matches('0') == input)
    {
        return Some(code);
    }
    let folded = crate::text::fold(input).replace(['-', ' '], "");
    ETHNICITIES
        .iter()
        .find(|(_, n)| crate::text::fold(n).replace(['-', ' '], "") == folded)
        .map(|(c, _)| *c)
}

/// A code from `list`, or `None` when the value is not one of them.
pub fn known(list: &[&'static str], value: &str) -> Option<&'static str> {
    list.iter().copied().find(|c| *c == value.trim())
}

/// The label of a breakdown value ("01" → Kinh, "upper_secondary" → THPT).
pub fn label(t: &crate::i18n::Translator, dim: &str, value: &str) -> String {
    if dim == "ethnicity" {
        return ethnicity_name(value)
            .map_or_else(|| t.msg(&format!("value-{value}")), str::to_string);
    }
    let id = format!("{dim}-{value}");
    if t.has(&id) {
        t.msg(&id)
    } else if t.has(&format!("value-{value}")) {
        t.msg(&format!("value-{value}"))
    } else {
        value.to_string()
    }
}
