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
    audit.commit(tx).await?;
    Ok(Loaded::Offices(n))
}

/// The seed letters as saraban's render input, for the demo.
pub const SEED_000: &str = include_str!("../../examples/seed-000.json");
pub const SEED_003: &str = include_str!("../../examples/seed-003.json");

/// The demo letters `stories` stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stories {
    /// มท ๐๘๑๐.๗/ว ๒๑๓๕, sent to every province and forwarded down to
    /// อบต.วังยาง, which acknowledged it.
    pub circular: i64,
    /// พล ๐๐๒๓.๓/๒๑๒๒, sent to อำเภอเนินมะปราง.
    pub seed_003: i64,
}

fn first(
    deliveries: Vec<super::routing::Delivery>,
) -> Result<super::routing::Delivery, StoreError> {
    deliveries.into_iter().next().ok_or_else(|| {
        StoreError::rejected(
            "ตัวอย่างไม่ได้ส่งถึงหน่วยงานที่คาด",
            "the demo story lost a delivery",
        )
    })
}

/// Bangkok wall-clock time.
fn bangkok_at(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    super::bangkok()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid Bangkok time")
        .with_timezone(&chrono::Utc)
}

/// Re-creates the seeds' two stories on the demo hierarchy (`load` first):
/// the DLA numbers seed 000 as มท ๐๘๑๐.๗/ว ๒๑๓๕ and sends it to every
/// provincial office; Phitsanulok receives and forwards it to its districts;
/// อำเภอเนินมะปราง forwards it to อบต.วังยาง, which acknowledges; and
/// กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น numbers seed 003 as พล ๐๐๒๓.๓/๒๑๒๒ and
/// sends it to อำเภอเนินมะปราง.
pub async fn stories(store: &Store, actor: &Actor) -> Result<Stories, StoreError> {
    use super::numbering::{self, Series};
    use super::{documents, offices, routing};
    use crate::model::Document;
    let doc = |json: &str| {
        Document::from_json(json).map_err(|e| StoreError::rejected("ตัวอย่างอ่านไม่ได้", e.to_string()))
    };
    let dla = offices::find(store, "มท 0810.7").await?;
    let at = bangkok_at(2024, 5, 21, 9, 0);
    numbering::continue_from(store, actor, at, &dla, Series::Circular, 2135).await?;
    let draft = documents::create_draft(store, actor, &dla, &doc(SEED_000)?).await?;
    let (circular, _) = documents::number(
        store,
        actor,
        at,
        draft.id,
        Some(Series::Circular),
        "ผู้ว่าราชการจังหวัด ทุกจังหวัด",
        None,
    )
    .await?;
    let provinces = routing::recipients(store, &dla, "provinces").await?;
    routing::dispatch(
        store,
        actor,
        bangkok_at(2024, 5, 21, 9, 30),
        &dla,
        circular.id,
        &provinces,
        None,
    )
    .await?;

    let pl = offices::find(store, "พล 0023").await?;
    let number = crate::docnum::DocNumber::parse("มท 0810.7/ว 2135")
        .map_err(|e| StoreError::rejected("เลขที่ไม่ถูกต้อง", e.to_string()))?;
    let mine = routing::find_for(store, &pl, &number).await?;
    let mine = first(mine)?;
    let got = routing::receive(store, actor, bangkok_at(2024, 5, 21, 14, 5), &pl, mine.id).await?;
    let fwd = routing::forward(
        store,
        actor,
        bangkok_at(2024, 5, 22, 10, 0),
        &pl,
        got.id,
        None,
    )
    .await?;

    let nmp = offices::find(store, "อำเภอเนินมะปราง").await?;
    let wy = offices::find(store, "องค์การบริหารส่วนตำบลวังยาง").await?;
    let mine = first(
        fwd.deliveries
            .into_iter()
            .filter(|d| d.to_office == nmp.id)
            .collect(),
    )?;
    let got = routing::receive(store, actor, bangkok_at(2024, 5, 22, 13, 0), &nmp, mine.id).await?;
    let fwd = routing::forward(
        store,
        actor,
        bangkok_at(2024, 5, 22, 15, 0),
        &nmp,
        got.id,
        Some(std::slice::from_ref(&wy)),
    )
    .await?;
    let mine = first(fwd.deliveries)?;
    let got = routing::receive(store, actor, bangkok_at(2024, 5, 23, 9, 0), &wy, mine.id).await?;
    routing::acknowledge(store, actor, bangkok_at(2024, 5, 23, 9, 10), &wy, got.id).await?;

    let group = offices::find(store, "พล 0023.3").await?;
    let at = bangkok_at(2021, 2, 24, 9, 0);
    numbering::continue_from(store, actor, at, &group, Series::Normal, 2122).await?;
    let draft = documents::create_draft(store, actor, &group, &doc(SEED_003)?).await?;
    let (letter, _) = documents::number(
        store,
        actor,
        at,
        draft.id,
        Some(Series::Normal),
        "นายอำเภอเนินมะปราง",
        None,
    )
    .await?;
    routing::dispatch(
        store,
        actor,
        bangkok_at(2021, 2, 24, 10, 0),
        &group,
        letter.id,
        std::slice::from_ref(&nmp),
        None,
    )
    .await?;
    Ok(Stories {
        circular: circular.id,
        seed_003: letter.id,
    })
}
