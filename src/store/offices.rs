//! Offices (ส่วนราชการ) and their hierarchy: department → divisions and
//! groups; provincial offices → district offices → local organisations.

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::audit::{Appender, Change};
use super::{Actor, Store, StoreError};
use crate::thai::{Digits, to_arabic_digits};

/// What kind of office, which decides where it sits in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKind {
    /// กรม
    Department,
    /// กอง / สำนัก
    Division,
    /// กลุ่มงาน / ฝ่าย
    Group,
    /// สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด
    ProvincialOffice,
    /// ที่ทำการท้องถิ่นอำเภอ
    DistrictOffice,
    /// องค์การบริหารส่วนจังหวัด (อบจ.)
    Pao,
    /// เทศบาลนคร
    CityMunicipality,
    /// เทศบาลเมือง
    TownMunicipality,
    /// เทศบาลตำบล
    SubdistrictMunicipality,
    /// องค์การบริหารส่วนตำบล (อบต.)
    Sao,
    /// เมืองพัทยา
    Pattaya,
    /// กรุงเทพมหานคร
    Bangkok,
}

impl OfficeKind {
    pub const ALL: [OfficeKind; 12] = [
        OfficeKind::Department,
        OfficeKind::Division,
        OfficeKind::Group,
        OfficeKind::ProvincialOffice,
        OfficeKind::DistrictOffice,
        OfficeKind::Pao,
        OfficeKind::CityMunicipality,
        OfficeKind::TownMunicipality,
        OfficeKind::SubdistrictMunicipality,
        OfficeKind::Sao,
        OfficeKind::Pattaya,
        OfficeKind::Bangkok,
    ];

    /// The stored key (`sao`, `provincial_office` …).
    pub fn key(self) -> &'static str {
        match self {
            OfficeKind::Department => "department",
            OfficeKind::Division => "division",
            OfficeKind::Group => "group",
            OfficeKind::ProvincialOffice => "provincial_office",
            OfficeKind::DistrictOffice => "district_office",
            OfficeKind::Pao => "pao",
            OfficeKind::CityMunicipality => "city_municipality",
            OfficeKind::TownMunicipality => "town_municipality",
            OfficeKind::SubdistrictMunicipality => "subdistrict_municipality",
            OfficeKind::Sao => "sao",
            OfficeKind::Pattaya => "pattaya",
            OfficeKind::Bangkok => "bangkok",
        }
    }

    /// The short Thai name users read (`อบต.`, `เทศบาลตำบล`).
    pub fn thai(self) -> &'static str {
        match self {
            OfficeKind::Department => "กรม",
            OfficeKind::Division => "กอง",
            OfficeKind::Group => "กลุ่มงาน",
            OfficeKind::ProvincialOffice => "สถจ.",
            OfficeKind::DistrictOffice => "ท้องถิ่นอำเภอ",
            OfficeKind::Pao => "อบจ.",
            OfficeKind::CityMunicipality => "เทศบาลนคร",
            OfficeKind::TownMunicipality => "เทศบาลเมือง",
            OfficeKind::SubdistrictMunicipality => "เทศบาลตำบล",
            OfficeKind::Sao => "อบต.",
            OfficeKind::Pattaya => "เมืองพัทยา",
            OfficeKind::Bangkok => "กรุงเทพมหานคร",
        }
    }

    /// Reads a stored key, a Thai name or abbreviation (`อบต.`,
    /// `องค์การบริหารส่วนตำบล`, `ทต.`).
    pub fn parse(text: &str) -> Option<OfficeKind> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let t = t.trim_end_matches('.');
        let kind = match t {
            "กรม" => OfficeKind::Department,
            "กอง" | "สำนัก" => OfficeKind::Division,
            "กลุ่มงาน" | "ฝ่าย" => OfficeKind::Group,
            "สถจ" | "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด" => {
                OfficeKind::ProvincialOffice
            }
            "ท้องถิ่นอำเภอ" | "อำเภอ" => {
                OfficeKind::DistrictOffice
            }
            "อบจ" | "องค์การบริหารส่วนจังหวัด" => {
                OfficeKind::Pao
            }
            "ทน" | "เทศบาลนคร" => OfficeKind::CityMunicipality,
            "ทม" | "เทศบาลเมือง" => OfficeKind::TownMunicipality,
            "ทต" | "เทศบาลตำบล" => OfficeKind::SubdistrictMunicipality,
            "อบต" | "องค์การบริหารส่วนตำบล" => {
                OfficeKind::Sao
            }
            "เมืองพัทยา" => OfficeKind::Pattaya,
            "กทม" | "กรุงเทพมหานคร" => OfficeKind::Bangkok,
            other => return OfficeKind::ALL.into_iter().find(|k| k.key() == other),
        };
        Some(kind)
    }

    /// A local administrative organisation (อปท.).
    /// Whether a circular goes on from this kind of office to offices
    /// below it (see `routing::recipients`, group `next`).
    pub fn has_offices_below(self) -> bool {
        matches!(
            self,
            OfficeKind::Department
                | OfficeKind::Division
                | OfficeKind::Group
                | OfficeKind::ProvincialOffice
                | OfficeKind::DistrictOffice
        )
    }

    pub fn is_local(self) -> bool {
        matches!(
            self,
            OfficeKind::Pao
                | OfficeKind::CityMunicipality
                | OfficeKind::TownMunicipality
                | OfficeKind::SubdistrictMunicipality
                | OfficeKind::Sao
                | OfficeKind::Pattaya
                | OfficeKind::Bangkok
        )
    }
}

/// Whether an office's series restart on 1 January (the regulation) or on
/// 1 October (a local deviation some offices keep: the fiscal year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearBasis {
    #[default]
    Calendar,
    Fiscal,
}

impl YearBasis {
    fn key(self) -> &'static str {
        match self {
            YearBasis::Calendar => "calendar",
            YearBasis::Fiscal => "fiscal",
        }
    }
}

/// An office as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub id: i64,
    pub parent_id: Option<i64>,
    #[serde(flatten)]
    pub fields: OfficeFields,
}

/// Everything about an office but its place in the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeFields {
    pub kind: OfficeKind,
    pub name: String,
    /// Letter code (รหัสพยัญชนะ): `มท`, `พล`; empty when none.
    #[serde(default)]
    pub agency: String,
    /// Unit number with Arabic digits: `0810.7`; empty when none.
    #[serde(default)]
    pub unit: String,
    /// The DLA's organisation code for local organisations (import key).
    #[serde(default)]
    pub org_code: Option<String>,
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub fax: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub digits: Digits,
    #[serde(default)]
    pub year_basis: YearBasis,
}

impl OfficeFields {
    pub fn new(kind: OfficeKind, name: &str) -> OfficeFields {
        OfficeFields {
            kind,
            name: name.to_string(),
            agency: String::new(),
            unit: String::new(),
            org_code: None,
            province: String::new(),
            district: String::new(),
            address: String::new(),
            phone: String::new(),
            fax: String::new(),
            email: String::new(),
            digits: Digits::Thai,
            year_basis: YearBasis::Calendar,
        }
    }

    pub fn code(mut self, agency: &str, unit: &str) -> OfficeFields {
        self.agency = agency.to_string();
        self.unit = unit.to_string();
        self
    }

    pub fn place(mut self, province: &str, district: &str) -> OfficeFields {
        self.province = province.to_string();
        self.district = district.to_string();
        self
    }

    fn check(&self) -> Result<(), StoreError> {
        if self.name.trim().is_empty() {
            return Err(StoreError::invalid(
                "name",
                "ต้องระบุชื่อส่วนราชการ",
                "an office needs a name",
            ));
        }
        if self.name.chars().count() > crate::model::validate::MAX_LINE {
            return Err(StoreError::invalid("name", "ชื่อยาวเกินไป", "name too long"));
        }
        if self.agency.is_empty() != self.unit.is_empty() {
            return Err(StoreError::invalid(
                "unit",
                "ต้องระบุทั้งรหัสพยัญชนะและเลขประจำส่วนราชการ หรือไม่ระบุทั้งสองอย่าง",
                "give both the letter code and the unit number, or neither",
            ));
        }
        if !self.agency.is_empty() {
            let probe = format!("{} {}/1", self.agency, self.unit);
            if crate::docnum::DocNumber::parse(&probe).is_err() {
                return Err(StoreError::invalid(
                    "unit",
                    "รหัสส่วนราชการไม่ถูกต้อง (ตัวอย่าง: มท 0810.7)",
                    "not a valid office code (for example มท 0810.7)",
                ));
            }
        }
        Ok(())
    }
}

impl Office {
    /// The office code as printed before the number (`มท 0810.7`), if any.
    pub fn code(&self) -> Option<String> {
        (!self.fields.unit.is_empty())
            .then(|| format!("{} {}", self.fields.agency, self.fields.unit))
    }

    /// A label for messages: the code, else the name.
    pub fn label(&self) -> String {
        self.code().unwrap_or_else(|| self.fields.name.clone())
    }
}

const COLUMNS: &str = "id, parent_id, kind, name, agency, unit, org_code, province, district, \
                       address, phone, fax, email, digits, year_basis";

fn from_row(row: &AnyRow) -> Result<Office, StoreError> {
    let kind: String = row.try_get(2)?;
    let digits: String = row.try_get(13)?;
    let basis: String = row.try_get(14)?;
    Ok(Office {
        id: row.try_get(0)?,
        parent_id: row.try_get(1)?,
        fields: OfficeFields {
            kind: OfficeKind::parse(&kind).ok_or(StoreError::Corrupt {
                column: "offices.kind",
                value: kind,
            })?,
            name: row.try_get(3)?,
            agency: row.try_get(4)?,
            unit: row.try_get(5)?,
            org_code: row.try_get(6)?,
            province: row.try_get(7)?,
            district: row.try_get(8)?,
            address: row.try_get(9)?,
            phone: row.try_get(10)?,
            fax: row.try_get(11)?,
            email: row.try_get(12)?,
            digits: match digits.as_str() {
                "arabic" => Digits::Arabic,
                "thai" => Digits::Thai,
                _ => {
                    return Err(StoreError::Corrupt {
                        column: "offices.digits",
                        value: digits,
                    });
                }
            },
            year_basis: match basis.as_str() {
                "fiscal" => YearBasis::Fiscal,
                "calendar" => YearBasis::Calendar,
                _ => {
                    return Err(StoreError::Corrupt {
                        column: "offices.year_basis",
                        value: basis,
                    });
                }
            },
        },
    })
}

/// Serialised form, hashed into audit events.
pub(crate) fn snapshot(office: &Office) -> Vec<u8> {
    serde_json::to_vec(office).expect("offices serialise")
}

/// Inserts one office under `parent` inside a write transaction.
pub(crate) async fn insert_in(
    tx: &mut Transaction<'static, Any>,
    audit: &mut Appender,
    parent: Option<i64>,
    fields: &OfficeFields,
) -> Result<Office, StoreError> {
    fields.check()?;
    let digits = match fields.digits {
        Digits::Thai => "thai",
        Digits::Arabic => "arabic",
    };
    let result = sqlx::query(
        "INSERT INTO offices (parent_id, kind, name, agency, unit, org_code, province, district, \
         address, phone, fax, email, digits, year_basis) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(parent)
    .bind(fields.kind.key())
    .bind(&fields.name)
    .bind(&fields.agency)
    .bind(&fields.unit)
    .bind(&fields.org_code)
    .bind(&fields.province)
    .bind(&fields.district)
    .bind(&fields.address)
    .bind(&fields.phone)
    .bind(&fields.fax)
    .bind(&fields.email)
    .bind(digits)
    .bind(fields.year_basis.key())
    .fetch_one(&mut **tx)
    .await;
    let id: i64 = match result {
        Ok(row) => row.try_get(0)?,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(StoreError::duplicate(
                format!("มีส่วนราชการ “{}” หรือรหัสเดียวกันอยู่แล้ว", fields.name),
                format!(
                    "an office named “{}” or with the same code exists",
                    fields.name
                ),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let office = Office {
        id,
        parent_id: parent,
        fields: fields.clone(),
    };
    audit
        .append(
            tx,
            Change {
                office_id: Some(id),
                action: "office.create",
                object: format!("office:{id}"),
                before: None,
                after: Some(&snapshot(&office)),
            },
        )
        .await?;
    Ok(office)
}

/// Adds one office.
pub async fn insert(
    store: &Store,
    actor: &Actor,
    parent: Option<i64>,
    fields: &OfficeFields,
) -> Result<Office, StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, chrono::Utc::now()).await?;
    let office = insert_in(&mut tx, &mut audit, parent, fields).await?;
    audit.commit(tx).await?;
    Ok(office)
}

pub async fn get(store: &Store, id: i64) -> Result<Office, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM offices WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or_else(|| StoreError::UnknownOffice(format!("#{id}")))?;
    from_row(&row)
}

/// Offices by id, many per query; ids that do not exist are left out.
pub async fn get_many(store: &Store, ids: &[i64]) -> Result<Vec<Office>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT {COLUMNS} FROM offices WHERE id IN {}",
            super::placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(store.reader()).await? {
            out.push(from_row(&row)?);
        }
    }
    Ok(out)
}

/// The offices directly under `id`.
pub async fn children(store: &Store, id: i64) -> Result<Vec<Office>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM offices WHERE parent_id = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    rows.iter().map(from_row).collect()
}

/// An office, read inside a write transaction.
pub(crate) async fn get_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
) -> Result<Office, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM offices WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::UnknownOffice(format!("#{id}")))?;
    from_row(&row)
}

/// The office `id` and the offices above it, nearest first: what
/// `agency::agency` reads to know whose name its letters speak in.
pub(crate) async fn chain_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
) -> Result<Vec<Office>, StoreError> {
    let mut chain = vec![get_in(tx, id).await?];
    // The hierarchy is a handful of levels deep; the bound guards a cycle.
    while let Some(parent) = chain.last().and_then(|o| o.parent_id) {
        if chain.len() > 16 {
            break;
        }
        chain.push(get_in(tx, parent).await?);
    }
    Ok(chain)
}

/// `chain_in` outside a transaction.
pub async fn chain(store: &Store, id: i64) -> Result<Vec<Office>, StoreError> {
    let mut tx = store.reader().begin().await?;
    chain_in(&mut tx, id).await
}

/// Finds an office by its code (`มท 0810.7`, `มท ๐๘๑๐.๗`), `#id`, DLA
/// organisation code, or exact name.
pub async fn find(store: &Store, query: &str) -> Result<Office, StoreError> {
    let q = query.trim();
    if let Some(id) = q.strip_prefix('#').and_then(|x| x.parse::<i64>().ok()) {
        return get(store, id).await;
    }
    let arabic = to_arabic_digits(q);
    let words: Vec<&str> = arabic.split_whitespace().collect();
    let by = |sql: &str| format!("SELECT {COLUMNS} FROM offices WHERE {sql}");
    if let [agency, unit] = words.as_slice() {
        let row = sqlx::query(&by("agency = $1 AND unit = $2"))
            .bind(*agency)
            .bind(*unit)
            .fetch_optional(store.reader())
            .await?;
        if let Some(row) = row {
            return from_row(&row);
        }
    }
    let rows = sqlx::query(&by("org_code = $1 OR name = $2 ORDER BY id LIMIT 2"))
        .bind(&arabic)
        .bind(q)
        .fetch_all(store.reader())
        .await?;
    match rows.as_slice() {
        [one] => from_row(one),
        [] => Err(StoreError::UnknownOffice(q.to_string())),
        _ => Err(StoreError::rejected(
            format!("มีส่วนราชการชื่อ “{q}” มากกว่าหนึ่งแห่ง ให้ระบุด้วยรหัสหรือ #เลข"),
            format!("more than one office is named “{q}”; give its code or #id"),
        )),
    }
}

/// Every office, or the offices under `under` (the office itself first,
/// then its descendants), in hierarchy order.
/// Every office's name, once each (proofreading compares names with them).
pub async fn names(store: &Store) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT DISTINCT name FROM offices")
        .fetch_all(store.reader())
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
        .collect()
}

pub async fn list(store: &Store, under: Option<i64>) -> Result<Vec<Office>, StoreError> {
    let rows = match under {
        None => {
            sqlx::query(&format!("SELECT {COLUMNS} FROM offices ORDER BY id"))
                .fetch_all(store.reader())
                .await?
        }
        Some(root) => {
            let prefixed: String = COLUMNS
                .split(", ")
                .map(|c| format!("o.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(&format!(
                "WITH RECURSIVE tree(id) AS (SELECT id FROM offices WHERE id = $1 \
                 UNION ALL SELECT o.id FROM offices o JOIN tree t ON o.parent_id = t.id) \
                 SELECT {prefixed} FROM offices o WHERE o.id IN (SELECT id FROM tree) ORDER BY o.id"
            ))
            .bind(root)
            .fetch_all(store.reader())
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// Number of offices of each kind.
pub async fn count_by_kind(store: &Store) -> Result<Vec<(OfficeKind, i64)>, StoreError> {
    let rows = sqlx::query("SELECT kind, COUNT(*) FROM offices GROUP BY kind")
        .fetch_all(store.reader())
        .await?;
    let mut out = Vec::new();
    for row in rows {
        let kind: String = row.try_get(0)?;
        if let Some(k) = OfficeKind::parse(&kind) {
            out.push((k, row.try_get(1)?));
        }
    }
    out.sort_by_key(|(k, _)| OfficeKind::ALL.iter().position(|x| x == k));
    Ok(out)
}

/// Changes an office's settings that do not move it: contact details,
/// digits and year basis.
pub async fn update_settings(
    store: &Store,
    actor: &Actor,
    id: i64,
    digits: Option<Digits>,
    year_basis: Option<YearBasis>,
) -> Result<Office, StoreError> {
    let before = get(store, id).await?;
    let mut after = before.clone();
    if let Some(d) = digits {
        after.fields.digits = d;
    }
    if let Some(b) = year_basis {
        after.fields.year_basis = b;
    }
    let (mut tx, mut audit) = store.begin_audited(actor, chrono::Utc::now()).await?;
    sqlx::query("UPDATE offices SET digits = $1, year_basis = $2 WHERE id = $3")
        .bind(match after.fields.digits {
            Digits::Thai => "thai",
            Digits::Arabic => "arabic",
        })
        .bind(after.fields.year_basis.key())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(id),
                action: "office.update",
                object: format!("office:{id}"),
                before: Some(&snapshot(&before)),
                after: Some(&snapshot(&after)),
            },
        )
        .await?;
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(after)
}

/// Gives an office its letter code (`พล 0618`), so that it can number
/// letters. The code must be free.
pub async fn set_code(
    store: &Store,
    actor: &Actor,
    id: i64,
    code: &str,
) -> Result<Office, StoreError> {
    let bad = || {
        StoreError::invalid(
            "code",
            "รหัสต้องเป็นรหัสพยัญชนะและเลขประจำส่วนราชการ เช่น พล ๐๖๑๘",
            "a code is a letter code and a unit number, such as พล 0618",
        )
    };
    let (agency, unit) = code.trim().split_once(' ').ok_or_else(bad)?;
    let unit = to_arabic_digits(unit.trim());
    let agency = agency.trim();
    let valid = !agency.is_empty()
        && agency.chars().all(|c| ('ก'..='ฮ').contains(&c))
        && unit
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return Err(bad());
    }
    let before = get(store, id).await?;
    let mut after = before.clone();
    after.fields.agency = agency.to_string();
    after.fields.unit = unit.clone();
    let mut tx = store.begin_write().await?;
    let taken = sqlx::query("SELECT id FROM offices WHERE agency = $1 AND unit = $2 AND id <> $3")
        .bind(agency)
        .bind(&unit)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::duplicate(
            format!("รหัส {agency} {unit} เป็นของส่วนราชการอื่นแล้ว"),
            format!("the code {agency} {unit} belongs to another office"),
        ));
    }
    let mut audit = Appender::start(&mut tx, actor, chrono::Utc::now()).await?;
    sqlx::query("UPDATE offices SET agency = $1, unit = $2 WHERE id = $3")
        .bind(agency)
        .bind(&unit)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit
        .append(
            &mut tx,
            Change {
                office_id: Some(id),
                action: "office.update",
                object: format!("office:{id}"),
                before: Some(&snapshot(&before)),
                after: Some(&snapshot(&after)),
            },
        )
        .await?;
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(after)
}

pub use import::{ImportReport, import_rows};
mod import;
pub use import::{ImportRow, count_coded, import_csv, read_csv};

/// An office's signing key as stored (the PKCS #12 file, still encrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeKey {
    pub pkcs12: Vec<u8>,
    pub subject: String,
    pub certificate_sha256: String,
}

/// Installs (or replaces) an office's signing key.
pub async fn set_key(
    store: &Store,
    actor: &Actor,
    office_id: i64,
    key: &OfficeKey,
) -> Result<(), StoreError> {
    let (mut tx, mut audit) = store.begin_audited(actor, chrono::Utc::now()).await?;
    sqlx::query("DELETE FROM office_keys WHERE office_id = $1")
        .bind(office_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO office_keys (office_id, pkcs12, subject, certificate_sha256, installed_at, installed_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(office_id)
    .bind(&key.pkcs12)
    .bind(&key.subject)
    .bind(&key.certificate_sha256)
    .bind(super::stamp(chrono::Utc::now()))
    .bind(&actor.0)
    .execute(&mut *tx)
    .await?;
    audit
        .append(
            &mut tx,
            super::audit::Change {
                office_id: Some(office_id),
                action: "office.signing_key",
                object: format!("office:{office_id}"),
                before: None,
                after: Some(key.certificate_sha256.as_bytes()),
            },
        )
        .await?;
    audit.commit(tx).await
}

/// An office's signing key, if one is installed.
pub async fn key(store: &Store, office_id: i64) -> Result<Option<OfficeKey>, StoreError> {
    let row = sqlx::query(
        "SELECT pkcs12, subject, certificate_sha256 FROM office_keys WHERE office_id = $1",
    )
    .bind(office_id)
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| {
        Ok(OfficeKey {
            pkcs12: r.try_get(0)?,
            subject: r.try_get(1)?,
            certificate_sha256: r.try_get(2)?,
        })
    })
    .transpose()
}
