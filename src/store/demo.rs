//! The built-in demo hierarchy: the DLA and the units the seed letters
//! name, all 76 provincial offices, and the Phitsanulok offices of seed 003.
//!
//! Only what can be checked is here: names and letter codes from the seeds
//! (มท 0810.7, พล 0023.3), province codes from `codes`, Phitsanulok's nine
//! districts, and the local organisations the seeds name. Provincial offices
//! other than Phitsanulok number as `<province> 0023` (the สถจ. code seen in
//! sample letters, `docs/codes.md`); district offices have no code until an
//! office sets one, because the rule for them is not confirmed.

use super::audit::Appender;
use super::offices::{OfficeFields, OfficeKind, insert_in};
use super::{Actor, Store, StoreError};
use crate::codes::PROVINCES;

/// Phitsanulok's nine districts.
pub const PHITSANULOK_DISTRICTS: [&str; 9] = [
    "เมืองพิษณุโลก",
    "นครไทย",
    "ชาติตระการ",
    "บางระกำ",
    "บางกระทุ่ม",
    "พรหมพิราม",
    "วัดโบสถ์",
    "วังทอง",
    "เนินมะปราง",
];

pub const DLA: &str = "กรมส่งเสริมการปกครองท้องถิ่น";

/// What `load` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// The database already held offices; nothing was added.
    AlreadyPresent,
    Offices(usize),
}

/// Loads the demo hierarchy into an empty database, in one transaction.
pub async fn load(store: &Store, actor: &Actor) -> Result<Loaded, StoreError> {
    let mut tx = store.begin_write().await?;
    let present: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM offices")
            .fetch_one(&mut *tx)
            .await?,
        0,
    )?;
    if present > 0 {
        return Ok(Loaded::AlreadyPresent);
    }
    let mut audit = Appender::start(&mut tx, actor, chrono::Utc::now()).await?;
    let mut n = 0usize;
    macro_rules! add {
        ($parent:expr, $fields:expr) => {{
            n += 1;
            insert_in(&mut tx, &mut audit, $parent, &$fields).await?.id
        }};
    }
    let mut dla_fields = OfficeFields::new(OfficeKind::Department, DLA).code("มท", "0810");
    dla_fields.address = "ถนนนครราชสีมา เขตดุสิต กทม. 10300".into();
    let dla = add!(None, dla_fields);
    let mut division = OfficeFields::new(OfficeKind::Division, "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น")
        .code("มท", "0810.7");
    division.address = "ถนนนครราชสีมา กทม. 10300".into();
    let division = add!(Some(dla), division);
    add!(
        Some(division),
        OfficeFields::new(OfficeKind::Group, "กลุ่มงานส่งเสริมการบริหารกิจการบ้านเมืองที่ดีท้องถิ่น")
    );
    let mut phitsanulok = None;
    for p in PROVINCES.iter().filter(|p| p.code != "กท") {
        let mut fields = OfficeFields::new(
            OfficeKind::ProvincialOffice,
            &format!("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{}", p.name),
        )
        .code(p.code, "0023")
        .place(p.name, "");
        if p.code == "พล" {
            fields.address = "ศาลากลางจังหวัดพิษณุโลก ถนนวังจันทร์ พล 65000".into();
        }
        let id = add!(Some(dla), fields);
        if p.code == "พล" {
            phitsanulok = Some(id);
        }
    }
    let province = phitsanulok.expect("Phitsanulok is among the provinces");
    let mut group = OfficeFields::new(OfficeKind::Group, "กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น")
        .code("พล", "0023.3")
        .place("พิษณุโลก", "");
    group.address = "ศาลากลางจังหวัดพิษณุโลก ถนนวังจันทร์ พล 65000".into();
    add!(Some(province), group);
    add!(
        Some(province),
        OfficeFields::new(OfficeKind::Pao, "องค์การบริหารส่วนจังหวัดพิษณุโลก").place("พิษณุโลก", "")
    );
    for (i, district) in PHITSANULOK_DISTRICTS.iter().copied().enumerate() {
        // Placeholder codes so that the district offices can number the
        // letters they forward; see docs/codes.md (unconfirmed).
        let id = add!(
            Some(province),
            OfficeFields::new(OfficeKind::DistrictOffice, &format!("อำเภอ{district}"))
                .code("พล", &format!("0618.{}", i + 1))
                .place("พิษณุโลก", district)
        );
        match district {
            "เมืองพิษณุโลก" => {
                add!(
                    Some(id),
                    OfficeFields::new(OfficeKind::CityMunicipality, "เทศบาลนครพิษณุโลก")
                        .place("พิษณุโลก", district)
                );
            }
            "เนินมะปราง" => {
                for sao in ["องค์การบริหารส่วนตำบลวังยาง", "องค์การบริหารส่วนตำบลชมพู"]
                {
                    add!(
                        Some(id),
                        OfficeFields::new(OfficeKind::Sao, sao).place("พิษณุโลก", district)
                    );
                }
            }
            _ => {}
        }
    }
    audit.finish(&mut tx).await?;
    tx.commit().await?;
    Ok(Loaded::Offices(n))
}
