//! A synthetic national hierarchy of real size for tests and benchmarks:
//! 76 provinces, 878 districts and 7,852 local organisations in the real
//! mix (lessons.md, 5 June 2020). Names say they are synthetic (`ทดสอบ`).

use super::offices::{ImportRow, OfficeKind};
use crate::codes::PROVINCES;

pub const DISTRICTS: usize = 878;

/// (kind, how many): 7,852 in all.
pub const MIX: [(OfficeKind, usize); 7] = [
    (OfficeKind::Pao, 76),
    (OfficeKind::CityMunicipality, 30),
    (OfficeKind::TownMunicipality, 190),
    (OfficeKind::SubdistrictMunicipality, 2_242),
    (OfficeKind::Sao, 5_312),
    (OfficeKind::Pattaya, 1),
    (OfficeKind::Bangkok, 1),
];

/// Rows in the `orgs import` shape. Each province gets one อบจ.; the other
/// organisations are dealt round the 878 districts.
pub fn national() -> Vec<ImportRow> {
    let provinces: Vec<_> = PROVINCES.iter().filter(|p| p.code != "กท").collect();
    let mut districts: Vec<(usize, String)> = Vec::with_capacity(DISTRICTS);
    for i in 0..DISTRICTS {
        let p = i % provinces.len();
        districts.push((p, format!("ทดสอบ{}", i + 1)));
    }
    let mut rows = Vec::new();
    let mut n = 0usize;
    let mut push = |kind: OfficeKind, name: String, province: usize, district: String| {
        n += 1;
        rows.push(ImportRow {
            line: n + 1,
            org_code: format!("9{n:06}"),
            name,
            kind,
            district,
            province: provinces[province].name.to_string(),
            agency: provinces[province].code.to_string(),
            unit: format!("9{n:04}"),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
        });
    };
    let mut next_district = 0usize;
    for (kind, count) in MIX {
        for i in 0..count {
            match kind {
                OfficeKind::Pao => push(
                    kind,
                    format!("องค์การบริหารส่วนจังหวัด{}", provinces[i].name),
                    i,
                    String::new(),
                ),
                OfficeKind::Bangkok => push(kind, "กรุงเทพมหานคร".into(), 0, String::new()),
                OfficeKind::Pattaya => {
                    let chonburi = provinces.iter().position(|p| p.code == "ชบ").unwrap_or(0);
                    let district = districts
                        .iter()
                        .find(|d| d.0 == chonburi)
                        .map(|d| d.1.clone());
                    push(
                        kind,
                        "เมืองพัทยา".into(),
                        chonburi,
                        district.unwrap_or_default(),
                    )
                }
                _ => {
                    let (p, d) = districts[next_district % DISTRICTS].clone();
                    next_district += 1;
                    push(kind, format!("{}ทดสอบ{}", kind_name(kind), i + 1), p, d)
                }
            }
        }
    }
    rows
}

fn kind_name(kind: OfficeKind) -> &'static str {
    match kind {
        OfficeKind::CityMunicipality => "เทศบาลนคร",
        OfficeKind::TownMunicipality => "เทศบาลเมือง",
        OfficeKind::SubdistrictMunicipality => "เทศบาลตำบล",
        _ => "องค์การบริหารส่วนตำบล",
    }
}

/// The same rows as CSV (`saraban orgs generate`).
pub fn national_csv() -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, r: [&str; 7]| {
        out.write_record(r)
            .expect("writing CSV to memory cannot fail");
    };
    write(
        &mut out,
        [
            "org_code", "name", "type", "district", "province", "agency", "unit",
        ],
    );
    for r in national() {
        write(
            &mut out,
            [
                &r.org_code,
                &r.name,
                r.kind.thai(),
                &r.district,
                &r.province,
                &r.agency,
                &r.unit,
            ],
        );
    }
    String::from_utf8(out.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}
