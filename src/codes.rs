//! Letter codes (รหัสพยัญชนะ) of provinces and ministries, both ways.
//!
//! From the saraban regulation's appendix 1 (as revised in 2539) and real
//! letter numbers; see `docs/codes.md` for the sources and for the codes we
//! could not confirm. Note the clash: `สร` is Surin today and was the Office
//! of the Prime Minister's code before `นร`.

use serde::Serialize;

/// One province: its two-letter code and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Province {
    pub code: &'static str,
    pub name: &'static str,
}

/// The 77 province codes: Bangkok (`กท`) and the 76 provinces.
pub const PROVINCES: [Province; 77] = {
    const fn p(code: &'static str, name: &'static str) -> Province {
        Province { code, name }
    }
    [
        p("กท", "กรุงเทพมหานคร"),
        p("กบ", "กระบี่"),
        p("กจ", "กาญจนบุรี"),
        p("กส", "กาฬสินธุ์"),
        p("กพ", "กำแพงเพชร"),
        p("ขก", "ขอนแก่น"),
        p("จบ", "จันทบุรี"),
        p("ฉช", "ฉะเชิงเทรา"),
        p("ชบ", "ชลบุรี"),
        p("ชน", "ชัยนาท"),
        p("ชย", "ชัยภูมิ"),
        p("ชพ", "ชุมพร"),
        p("ชร", "เชียงราย"),
        p("ชม", "เชียงใหม่"),
        p("ตง", "ตรัง"),
        p("ตร", "ตราด"),
        p("ตก", "ตาก"),
        p("นย", "นครนายก"),
        p("นฐ", "นครปฐม"),
        p("นพ", "นครพนม"),
        p("นม", "นครราชสีมา"),
        p("นศ", "นครศรีธรรมราช"),
        p("นว", "นครสวรรค์"),
        p("นบ", "นนทบุรี"),
        p("นธ", "นราธิวาส"),
        p("นน", "น่าน"),
        p("บก", "บึงกาฬ"),
        p("บร", "บุรีรัมย์"),
        p("ปท", "ปทุมธานี"),
        p("ปข", "ประจวบคีรีขันธ์"),
        p("ปจ", "ปราจีนบุรี"),
        p("ปน", "ปัตตานี"),
        p("อย", "พระนครศรีอยุธยา"),
        p("พย", "พะเยา"),
        p("พง", "พังงา"),
        p("พท", "พัทลุง"),
        p("พจ", "พิจิตร"),
        p("พล", "พิษณุโลก"),
        p("พบ", "เพชรบุรี"),
        p("พช", "เพชรบูรณ์"),
        p("พร", "แพร่"),
        p("ภก", "ภูเก็ต"),
        p("มค", "มหาสารคาม"),
        p("มห", "มุกดาหาร"),
        p("มส", "แม่ฮ่องสอน"),
        p("ยส", "ยโสธร"),
        p("ยล", "ยะลา"),
        p("รอ", "ร้อยเอ็ด"),
        p("รน", "ระนอง"),
        p("รย", "ระยอง"),
        p("รบ", "ราชบุรี"),
        p("ลบ", "ลพบุรี"),
        p("ลป", "ลำปาง"),
        p("ลพ", "ลำพูน"),
        p("ลย", "เลย"),
        p("ศก", "ศรีสะเกษ"),
        p("สน", "สกลนคร"),
        p("สข", "สงขลา"),
        p("สต", "สตูล"),
        p("สป", "สมุทรปราการ"),
        p("สส", "สมุทรสงคราม"),
        p("สค", "สมุทรสาคร"),
        p("สก", "สระแก้ว"),
        p("สบ", "สระบุรี"),
        p("สห", "สิงห์บุรี"),
        p("สท", "สุโขทัย"),
        p("สพ", "สุพรรณบุรี"),
        p("สฎ", "สุราษฎร์ธานี"),
        p("สร", "สุรินทร์"),
        p("นค", "หนองคาย"),
        p("นภ", "หนองบัวลำภู"),
        p("อท", "อ่างทอง"),
        p("อจ", "อำนาจเจริญ"),
        p("อด", "อุดรธานี"),
        p("อต", "อุตรดิตถ์"),
        p("อน", "อุทัยธานี"),
        p("อบ", "อุบลราชธานี"),
    ]
};

/// The code of Bangkok, which is a province code but a local organisation.
pub const BANGKOK: &str = "กท";

/// One ministry-level body and its letter code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ministry {
    pub code: &'static str,
    pub name: &'static str,
    /// Seen in a source we could check; the rest are widely used but
    /// unconfirmed here (regulation notes §2.4).
    pub confirmed: bool,
    /// No longer issued (the code survives in old letters).
    pub historical: bool,
}

pub const MINISTRIES: [Ministry; 22] = {
    const fn m(code: &'static str, name: &'static str, confirmed: bool) -> Ministry {
        Ministry {
            code,
            name,
            confirmed,
            historical: false,
        }
    }
    [
        m("นร", "สำนักนายกรัฐมนตรี", true),
        m("กห", "กระทรวงกลาโหม", true),
        m("กค", "กระทรวงการคลัง", true),
        m("กต", "กระทรวงการต่างประเทศ", true),
        m("กก", "กระทรวงการท่องเที่ยวและกีฬา", true),
        m("พม", "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์", true),
        m("กษ", "กระทรวงเกษตรและสหกรณ์", true),
        m("คค", "กระทรวงคมนาคม", true),
        m("ทส", "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม", true),
        m("พน", "กระทรวงพลังงาน", true),
        m("พณ", "กระทรวงพาณิชย์", true),
        m("มท", "กระทรวงมหาดไทย", true),
        m("อว", "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม", true),
        m("ดศ", "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม", false),
        m("ยธ", "กระทรวงยุติธรรม", false),
        m("รง", "กระทรวงแรงงาน", false),
        m("วธ", "กระทรวงวัฒนธรรม", false),
        m("ศธ", "กระทรวงศึกษาธิการ", false),
        m("สธ", "กระทรวงสาธารณสุข", false),
        m("อก", "กระทรวงอุตสาหกรรม", false),
        Ministry {
            code: "ทก",
            name: "กระทรวงเทคโนโลยีสารสนเทศและการสื่อสาร",
            confirmed: true,
            historical: true,
        },
        Ministry {
            code: "วท",
            name: "กระทรวงวิทยาศาสตร์และเทคโนโลยี",
            confirmed: false,
            historical: true,
        },
    ]
};

/// The province with this code (`พล` → พิษณุโลก).
pub fn province_by_code(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code.trim())
}

/// The province with this name; `จังหวัด` in front and `จ.` are accepted.
pub fn province_by_name(name: &str) -> Option<&'static Province> {
    let name = name.trim();
    let name = name
        .strip_prefix("จังหวัด")
        .or_else(|| name.strip_prefix("จ."))
        .unwrap_or(name)
        .trim();
    let name = if name == "กทม." || name == "กรุงเทพฯ" {
        "กรุงเทพมหานคร"
    } else {
        name
    };
    PROVINCES.iter().find(|p| p.name == name)
}

/// The ministry with this code (`มท` → กระทรวงมหาดไทย).
pub fn ministry_by_code(code: &str) -> Option<&'static Ministry> {
    MINISTRIES.iter().find(|m| m.code == code.trim())
}

/// The ministry with this name (with or without `กระทรวง`).
pub fn ministry_by_name(name: &str) -> Option<&'static Ministry> {
    let name = name.trim();
    MINISTRIES
        .iter()
        .find(|m| m.name == name || m.name.strip_prefix("กระทรวง") == Some(name))
}

/// What a letter code stands for: a province, a ministry, or (for `สร`) both,
/// the province first.
pub fn describe_code(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = province_by_code(code) {
        out.push(format!("จังหวัด{}", p.name).replace("จังหวัดกรุงเทพมหานคร", "กรุงเทพมหานคร"));
    }
    if let Some(m) = ministry_by_code(code) {
        out.push(m.name.to_string());
    }
    if code.trim() == "สร" {
        out.push("สำนักนายกรัฐมนตรี (รหัสเดิม ก่อนใช้ นร)".to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = PROVINCES.iter().map(|p| p.code).collect();
        let names: HashSet<_> = PROVINCES.iter().map(|p| p.name).collect();
        assert_eq!(codes.len(), 77);
        assert_eq!(names.len(), 77);
        let ministry_codes: HashSet<_> = MINISTRIES.iter().map(|m| m.code).collect();
        assert_eq!(ministry_codes.len(), MINISTRIES.len());
        // Province and ministry codes must not collide (สร is the old OPM
        // code, kept out of MINISTRIES on purpose).
        assert!(codes.is_disjoint(&ministry_codes));
        for p in &PROVINCES {
            assert_eq!(p.code.chars().count(), 2, "{}", p.code);
        }
    }

    #[test]
    fn look_ups_both_ways() {
        assert_eq!(province_by_code("พล").unwrap().name, "พิษณุโลก");
        assert_eq!(province_by_name("จังหวัดพิษณุโลก").unwrap().code, "พล");
        assert_eq!(province_by_name("กทม.").unwrap().code, "กท");
        assert_eq!(province_by_code("อย").unwrap().name, "พระนครศรีอยุธยา");
        assert_eq!(ministry_by_code("มท").unwrap().name, "กระทรวงมหาดไทย");
        assert_eq!(ministry_by_name("มหาดไทย").unwrap().code, "มท");
        assert!(province_by_code("กฬ").is_none(), "a known wrong variant");
        assert_eq!(describe_code("สร").len(), 2);
    }
}
