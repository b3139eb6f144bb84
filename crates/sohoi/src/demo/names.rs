//! Distributions for synthetic members, close to Vietnam's: family names in their published
//! frequencies (with the northern and southern spellings of Hoàng/Huỳnh and Vũ/Võ), the
//! common middle and given names of women, and Vietnam-like shares of ethnicity, religion,
//! education and occupation.

use rand::Rng;

/// Picks from `(item, weight)` pairs.
pub fn weighted<'a, T: ?Sized, R: Rng>(rng: &mut R, items: &'a [(&'a T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    items[items.len() - 1].0
}

/// Per thousand (sources: published surname surveys; Nguyễn ≈ 38%).
const FAMILY_NORTH: [(&str, u32); 22] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Hoàng", 51),
    ("Phan", 45),
    ("Vũ", 39),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 8),
    ("Trịnh", 6),
    ("Đào", 6),
    ("Mai", 5),
    ("Cao", 4),
    ("Hà", 4),
    ("Lương", 4),
    ("Tạ", 3),
];
const FAMILY_SOUTH: [(&str, u32); 22] = [
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Huỳnh", 51),
    ("Phan", 45),
    ("Võ", 39),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 8),
    ("Lâm", 6),
    ("Đào", 6),
    ("Mai", 5),
    ("Cao", 4),
    ("Tô", 4),
    ("Lương", 4),
    ("Châu", 3),
];

const MIDDLE: [(&str, u32); 16] = [
    ("Thị", 520),
    ("Ngọc", 60),
    ("Thu", 45),
    ("Thanh", 45),
    ("Kim", 40),
    ("Thúy", 25),
    ("Minh", 25),
    ("Hồng", 30),
    ("Mai", 20),
    ("Phương", 20),
    ("Bích", 20),
    ("Diệu", 10),
    ("Hoài", 10),
    ("Khánh", 10),
    ("Quỳnh", 15),
    ("Xuân", 20),
];

/// Both tone placements occur in real records (Thủy/Thuỷ, Hòa/Hoà); search must find both.
const GIVEN: [(&str, u32); 40] = [
    ("Lan", 40),
    ("Hương", 45),
    ("Thủy", 30),
    ("Thuỷ", 12),
    ("Hà", 35),
    ("Linh", 35),
    ("Trang", 35),
    ("Hoa", 30),
    ("Hằng", 30),
    ("Mai", 25),
    ("Ngọc", 20),
    ("Nga", 25),
    ("Hạnh", 25),
    ("Dung", 25),
    ("Huyền", 30),
    ("Thảo", 30),
    ("Anh", 25),
    ("Phương", 25),
    ("Nhung", 20),
    ("Hiền", 25),
    ("Loan", 15),
    ("Yến", 20),
    ("Vân", 20),
    ("Oanh", 12),
    ("Tâm", 15),
    ("Liên", 15),
    ("Hồng", 20),
    ("Quyên", 12),
    ("Nhi", 15),
    ("Thư", 15),
    ("Vy", 12),
    ("Giang", 15),
    ("Duyên", 15),
    ("Xuân", 12),
    ("Ánh", 12),
    ("Tuyết", 12),
    ("Trinh", 12),
    ("Hòa", 10),
    ("Hoà", 5),
    ("Nhàn", 10),
];

/// Provinces south of the Hải Vân pass spell Huỳnh and Võ.
pub fn is_south(province_code: &str) -> bool {
    province_code.parse::<u32>().is_ok_and(|c| c >= 48)
}

pub fn full_name<R: Rng>(rng: &mut R, south: bool) -> String {
    let family = weighted(rng, if south { &FAMILY_SOUTH } else { &FAMILY_NORTH });
    let middle = weighted(rng, &MIDDLE);
    let given = weighted(rng, &GIVEN);
    // One in eight women carries two middle names ("Nguyễn Thị Thu Hà").
    if rng.random_ratio(1, 8) {
        let second = weighted(rng, &MIDDLE[1..]);
        if second != middle {
            return format!("{family} {middle} {second} {given}");
        }
    }
    format!("{family} {middle} {given}")
}

/// Ethnic composition: most provinces follow the national mix (Kinh ≈ 85%); the mountain
/// provinces of the north, the Central Highlands and the Mekong delta have their own.
pub fn ethnicity_mix(province_code: &str) -> &'static [(&'static str, u32)] {
    match province_code {
        "04" | "20" => &[("02", 40), ("07", 30), ("01", 15), ("08", 8), ("09", 7)],
        "08" | "15" | "19" => &[
            ("01", 45),
            ("02", 20),
            ("09", 12),
            ("08", 10),
            ("07", 8),
            ("03", 5),
        ],
        "11" | "12" | "14" => &[
            ("03", 50),
            ("08", 25),
            ("01", 15),
            ("29", 4),
            ("35", 3),
            ("09", 3),
        ],
        "52" | "66" => &[
            ("01", 62),
            ("10", 15),
            ("12", 12),
            ("13", 6),
            ("20", 3),
            ("07", 2),
        ],
        "68" => &[
            ("01", 78),
            ("16", 8),
            ("20", 5),
            ("28", 4),
            ("17", 3),
            ("07", 2),
        ],
        "91" | "92" | "86" | "96" => &[("01", 88), ("05", 9), ("04", 2), ("17", 1)],
        "79" | "75" => &[("01", 92), ("04", 6), ("05", 1), ("17", 1)],
        _ => &[("01", 96), ("06", 2), ("04", 1), ("02", 1)],
    }
}

pub const RELIGION: [(&str, u32); 7] = [
    ("none", 855),
    ("catholic", 61),
    ("buddhism", 48),
    ("protestant", 10),
    ("hoahao", 10),
    ("caodai", 7),
    ("other", 9),
];

/// Education by birth cohort: older women had less schooling.
pub fn education_mix(birth_year: i32) -> &'static [(&'static str, u32)] {
    if birth_year < 1960 {
        &[
            ("none", 12),
            ("primary", 38),
            ("lower_secondary", 32),
            ("upper_secondary", 18),
        ]
    } else if birth_year < 1985 {
        &[
            ("none", 3),
            ("primary", 17),
            ("lower_secondary", 40),
            ("upper_secondary", 40),
        ]
    } else {
        &[
            ("none", 1),
            ("primary", 5),
            ("lower_secondary", 24),
            ("upper_secondary", 70),
        ]
    }
}

pub const QUALIFICATION: [(&str, u32); 7] = [
    ("none", 700),
    ("elementary", 50),
    ("vocational", 80),
    ("college", 50),
    ("university", 105),
    ("master", 12),
    ("doctorate", 3),
];

pub fn occupation_mix(urban: bool, age: i32) -> &'static [(&'static str, u32)] {
    match (urban, age) {
        (_, a) if a >= 62 => &[
            ("retired", 55),
            ("homemaker", 20),
            ("farmer", 15),
            ("business", 10),
        ],
        (_, a) if a <= 22 => &[
            ("student", 60),
            ("worker", 20),
            ("freelance", 10),
            ("other", 10),
        ],
        (true, _) => &[
            ("worker", 25),
            ("business", 22),
            ("civil_servant", 15),
            ("freelance", 18),
            ("homemaker", 10),
            ("farmer", 3),
            ("other", 7),
        ],
        (false, _) => &[
            ("farmer", 50),
            ("worker", 20),
            ("business", 8),
            ("freelance", 8),
            ("civil_servant", 5),
            ("homemaker", 6),
            ("other", 3),
        ],
    }
}

/// What the branches of a commune are named after: street groups in wards; villages in
/// communes ("thôn" and "xóm" in the north, "bản" in the northern mountains, "ấp" in the
/// south).
pub fn branch_style<R: Rng>(rng: &mut R, urban: bool, province_code: &str) -> &'static str {
    if urban {
        return if rng.random_ratio(2, 3) {
            "Tổ dân phố số"
        } else {
            "Khu phố"
        };
    }
    match province_code {
        "04" | "08" | "11" | "12" | "14" | "15" | "19" | "20" => {
            if rng.random_ratio(1, 2) {
                "Bản"
            } else {
                "Thôn"
            }
        }
        c if is_south(c) && c.parse::<u32>().is_ok_and(|c| c >= 70) => "Ấp",
        _ => {
            if rng.random_ratio(2, 3) {
                "Thôn"
            } else {
                "Xóm"
            }
        }
    }
}
