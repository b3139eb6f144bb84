//! Documents rendered and read back by other programs: the PDF with pypdf, the DOCX with
//! python-docx (through `scripts/read-document.py`), as a reader or Word would see them.
//! The check fails, never skips, when Python or those modules are missing.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use sohoi::documents::{self, Block, Document, Signer, Table};
use time::macros::date;

const NUMBER: &str = "Số: 12/BC-HPN";
const TITLE: &str = "Kết quả công tác Hội 6 tháng đầu năm 2026";
const SIGNER: &str = "Nguyễn Thị Thu Hằng";
const ROW_LABEL: &str = "Tổ dân phố số 37";

const NARRATIVE: [&str; 6] = [
    "Sáu tháng đầu năm 2026, trong bối cảnh thành phố tiếp tục vận hành mô hình chính quyền địa \
     phương hai cấp, Ban Thường vụ Hội Liên hiệp Phụ nữ phường đã bám sát Nghị quyết Đại hội đại \
     biểu phụ nữ các cấp, chương trình công tác năm của Hội cấp trên và nhiệm vụ chính trị của \
     địa phương để triển khai đồng bộ các nhiệm vụ trọng tâm. Công tác tuyên truyền, giáo dục \
     được đổi mới theo hướng gắn với chuyển đổi số, nội dung thiết thực, hình thức phù hợp với \
     từng nhóm đối tượng hội viên, phụ nữ.",
    "Các cấp Hội đã tổ chức 126 buổi sinh hoạt chuyên đề với hơn 8.400 lượt hội viên tham dự, \
     tập trung vào việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh, phổ biến \
     Luật Bình đẳng giới, Luật Phòng, chống bạo lực gia đình và các quy định mới về bảo hiểm xã \
     hội tự nguyện. Trang thông tin điện tử và nhóm Zalo của các chi hội được duy trì thường \
     xuyên, đăng tải trên 300 tin, bài về gương phụ nữ tiêu biểu trong lao động, sản xuất, kinh \
     doanh và xây dựng gia đình hạnh phúc.",
    "Công tác hỗ trợ phụ nữ phát triển kinh tế tiếp tục được quan tâm. Hội đã phối hợp với Ngân \
     hàng Chính sách xã hội giải ngân vốn vay ưu đãi cho 214 hộ hội viên với tổng dư nợ ủy thác \
     đạt 18,6 tỷ đồng, tỷ lệ nợ quá hạn dưới 0,2%. Các tổ phụ nữ tiết kiệm, tổ hợp tác do phụ nữ \
     làm chủ được củng cố, mở rộng; nhiều mô hình sinh kế mới như bán hàng trực tuyến, chế biến \
     nông sản sạch, dịch vụ chăm sóc người cao tuổi đã mang lại thu nhập ổn định cho chị em.",
    "Trong công tác an sinh xã hội, các chi hội đã vận động xây dựng và sửa chữa 6 \"Mái ấm tình \
     thương\", trao 185 suất quà cho phụ nữ và trẻ em có hoàn cảnh khó khăn, nhận đỡ đầu 42 trẻ \
     em mồ côi theo Chương trình \"Mẹ đỡ đầu\". Hội phối hợp với Trạm Y tế phường tổ chức khám \
     sàng lọc ung thư vú, ung thư cổ tử cung miễn phí cho 520 phụ nữ; duy trì hoạt động của các \
     địa chỉ tin cậy tại cộng đồng, kịp thời hỗ trợ các trường hợp bị bạo lực gia đình.",
    "Công tác xây dựng tổ chức Hội được chú trọng. Toàn phường kết nạp mới 312 hội viên, nâng \
     tổng số hội viên lên 9.870 người, đạt tỷ lệ tập hợp 87,4% phụ nữ từ 18 tuổi trở lên. Việc \
     cập nhật dữ liệu hội viên trên Sổ Hội điện tử được thực hiện thường xuyên, bảo đảm chính \
     xác, kịp thời; 100% chi hội trưởng được tập huấn kỹ năng sử dụng phần mềm quản lý hội viên \
     và nghiệp vụ công tác Hội.",
    "Bên cạnh những kết quả đạt được, công tác Hội vẫn còn một số hạn chế: hình thức sinh hoạt \
     ở một số chi hội chưa đa dạng, chưa thu hút được hội viên trẻ; việc nắm bắt tâm tư, nguyện \
     vọng của phụ nữ lao động tự do, phụ nữ di cư có nơi còn chậm; nguồn lực hỗ trợ phụ nữ khởi \
     nghiệp còn hạn chế. Nguyên nhân chủ yếu là đội ngũ cán bộ Hội cơ sở thường xuyên biến \
     động, kiêm nhiệm nhiều việc, kinh phí hoạt động còn khó khăn.",
];

/// A ward's half-year report: a narrative of several pages around a table of `rows` branches
/// in ten columns, signed by the chair, as the union's reports are.
fn report(rows: usize) -> Document {
    let mut blocks = vec![Block::Heading("I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ".into())];
    for (i, text) in NARRATIVE[..5].iter().cycle().take(10).enumerate() {
        if i == 5 {
            blocks.push(Block::Heading(
                "II. TÌNH HÌNH HỘI VIÊN THEO CHI HỘI (tính đến ngày 15/6/2026)".into(),
            ));
            blocks.push(Block::Table(branches(rows)));
        }
        blocks.push(Block::Paragraph(text.to_string()));
    }
    blocks.push(Block::Heading(
        "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN".into(),
    ));
    blocks.push(Block::Paragraph(NARRATIVE[5].into()));
    blocks.push(Block::Heading(
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM".into(),
    ));
    for text in NARRATIVE.iter().rev().take(4) {
        blocks.push(Block::Paragraph(text.to_string()));
    }
    Document {
        superior: Some("Hội LHPN thành phố Hà Nội".into()),
        issuer: "Ban Thường vụ Hội LHPN phường Ba Đình".into(),
        number: NUMBER.into(),
        place: "Hà Nội".into(),
        date: date!(2026 - 06 - 15),
        kind: "Báo cáo".into(),
        title: TITLE.into(),
        blocks,
        signer: Signer {
            capacity: Some("TM. Ban Thường vụ".into()),
            title: "Chủ tịch".into(),
            name: SIGNER.into(),
        },
        recipients: vec![
            "Ban Thường vụ Hội LHPN thành phố;".into(),
            "Thường trực Đảng ủy phường;".into(),
            "UBND phường Ba Đình;".into(),
            "Các chi hội phụ nữ;".into(),
            "Lưu: VT.".into(),
        ],
    }
}

fn branches(rows: usize) -> Table {
    let header = [
        "STT",
        "Chi hội",
        "Tổng số hội viên",
        "Kết nạp mới",
        "Hội viên là đảng viên",
        "Dân tộc thiểu số",
        "Có đạo",
        "Hộ nghèo được giúp đỡ",
        "Tổ tiết kiệm",
        "Tỷ lệ tập hợp (%)",
    ];
    // Figures that vary like real ones, the same on every run.
    let mut seed: u64 = 2026;
    let mut next = |below: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % below
    };
    let rows = (1..=rows)
        .map(|n| {
            let members = 120 + next(180);
            let mut row = vec![n.to_string(), format!("Tổ dân phố số {n}")];
            row.push(sohoi::text::number(members as i64));
            for _ in 0..6 {
                row.push(next(members / 8 + 1).to_string());
            }
            row.push(format!("{},{}", 75 + next(24), next(10)));
            row
        })
        .collect();
    Table {
        header: header.map(String::from).to_vec(),
        rows,
        numeric: vec![true, false, true, true, true, true, true, true, true, true],
        widths: vec![0.7, 2.2, 1.0, 0.9, 1.0, 1.0, 0.8, 1.0, 0.9, 1.0],
    }
}

/// What `scripts/read-document.py` reads from a file.
struct Read {
    pages: Vec<(f64, f64)>,
    /// All text, white space collapsed (PDF extraction spaces words of justified lines freely).
    text: String,
    fonts: Vec<(String, bool)>,
}

fn read(path: &Path) -> Read {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/read-document.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
        .expect("python3 runs (install Python 3, then `pip install pypdf python-docx`)");
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON out");
    let pages = json["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| {
            let size = |key: &str| p[key].as_f64().expect("a page size");
            (size("width"), size("height"))
        })
        .collect();
    let text = json["text"].as_str().expect("text");
    let fonts = json["fonts"]
        .as_array()
        .expect("fonts")
        .iter()
        .map(|f| {
            let name = f["name"].as_str().expect("a font name").to_string();
            (name, f["embedded"].as_bool().expect("embedded"))
        })
        .collect();
    Read {
        pages,
        text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        fonts,
    }
}

/// Writes a rendered file where the reader can open it; with SOHOI_DOCUMENTS_OUT set, into
/// that folder, to be looked at.
fn save(name: &str, bytes: &[u8], dir: &tempfile::TempDir) -> std::path::PathBuf {
    let dir = std::env::var_os("SOHOI_DOCUMENTS_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the file");
    path
}

fn assert_contains_all(what: &str, text: &str) {
    for expected in [
        NUMBER,
        TITLE,
        ROW_LABEL,
        SIGNER,
        "Độc lập - Tự do - Hạnh phúc",
    ] {
        assert!(
            text.contains(expected),
            "the {what} lacks {expected:?}; it reads:\n{text}"
        );
    }
}

fn is_a4((width, height): (f64, f64)) -> bool {
    width.round() == 595.0 && height.round() == 842.0
}

#[test]
fn pdf_is_a4_with_embedded_fonts_and_extractable_vietnamese() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let doc = report(60);
    let bytes = documents::pdf(&doc).expect("the PDF renders");
    let read = read(&save("report.pdf", &bytes, &dir));

    assert!(read.pages.len() >= 4, "{} pages", read.pages.len());
    for (i, page) in read.pages.iter().enumerate() {
        assert!(is_a4(*page), "page {} is {page:?}, not A4", i + 1);
    }
    assert!(!read.fonts.is_empty());
    for (name, embedded) in &read.fonts {
        assert!(embedded, "{name} is not embedded");
        assert!(name.contains("+LiberationSerif"), "{name} is not a subset");
    }
    assert_contains_all("PDF", &read.text);
    assert!(read.text.contains("ngày 15 tháng 6 năm 2026"));
    // Every row of the table, though it runs over pages, and its header on each of them.
    for n in 1..=60 {
        assert!(
            read.text.contains(&format!("Tổ dân phố số {n} ")),
            "row {n}"
        );
    }
    assert!(read.text.matches("Tỷ lệ tập hợp (%)").count() >= 2);
    // The subsets keep the file small: four faces and five pages in well under 200 kB.
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
}

#[test]
fn docx_is_a4_in_times_new_roman_with_the_same_text() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let doc = report(60);
    let bytes = documents::docx(&doc).expect("the DOCX renders");
    let read = read(&save("report.docx", &bytes, &dir));

    assert_eq!(read.pages.len(), 1, "one section");
    assert!(is_a4(read.pages[0]), "{:?} is not A4", read.pages[0]);
    assert_eq!(read.fonts, [("Times New Roman".to_string(), false)]);
    assert_contains_all("DOCX", &read.text);
    assert!(read.text.contains("ngày 15 tháng 6 năm 2026"));
    for n in 1..=60 {
        assert!(
            read.text.contains(&format!("Tổ dân phố số {n} ")),
            "row {n}"
        );
    }
}

/// A province-sized report (forty rows of ten columns and pages of text) renders fast: the
/// time is printed (`--nocapture`); the bound is loose for unoptimised test builds.
#[test]
fn a_province_report_renders_quickly() {
    let doc = report(40);
    let started = Instant::now();
    let pdf = documents::pdf(&doc).expect("the PDF renders");
    let pdf_time = started.elapsed();
    let started = Instant::now();
    let docx = documents::docx(&doc).expect("the DOCX renders");
    let docx_time = started.elapsed();
    println!(
        "PDF {} bytes in {pdf_time:?}, DOCX {} bytes in {docx_time:?}",
        pdf.len(),
        docx.len()
    );
    assert!(pdf_time.as_secs_f64() < 5.0, "{pdf_time:?}");
}
