//! `saraban orgs import`: a national list of local organisations from CSV,
//! loaded idempotently (keyed by the DLA organisation code).
//!
//! Columns, matched by header name (English or Thai, any order):
//! `org_code` (รหัส), `name` (ชื่อ), `type` (ประเภท: อบจ. / เทศบาลนคร /
//! เทศบาลเมือง / เทศบาลตำบล / อบต. / เมืองพัทยา / กรุงเทพมหานคร),
//! `district` (อำเภอ), `province` (จังหวัด); optional `agency`, `unit`,
//! `address`, `phone`, `email`. This is the DLA open-data layout.

use std::collections::HashMap;
use std::io::Read;

use sqlx::Row;

use super::{Office, OfficeFields, OfficeKind, insert_in, snapshot};
use crate::store::audit::Change;
use crate::store::{Actor, Store, StoreError};

/// One organisation as read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// Line in the file (1 = header).
    pub line: usize,
    pub org_code: String,
    pub name: String,
    pub kind: OfficeKind,
    pub district: String,
    pub province: String,
    pub agency: String,
    pub unit: String,
    pub address: String,
    pub phone: String,
    pub email: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub districts_created: usize,
}

const FIELDS: [(&str, &[&str]); 10] = [
    (
        "org_code",
        &["org_code", "code", "รหัส", "รหัสอปท", "รหัสองค์กร"],
    ),
    ("name", &["name", "ชื่อ", "ชื่ออปท", "ชื่อองค์กร"]),
    ("type", &["type", "kind", "ประเภท", "ประเภทอปท"]),
    ("district", &["district", "amphoe", "อำเภอ"]),
    ("province", &["province", "changwat", "จังหวัด"]),
    ("agency", &["agency", "รหัสพยัญชนะ"]),
    ("unit", &["unit", "เลขประจำส่วนราชการ"]),
    ("address", &["address", "ที่อยู่"]),
    ("phone", &["phone", "โทรศัพท์", "โทร"]),
    ("email", &["email", "อีเมล"]),
];

fn header_key(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '_' && *c != '\u{feff}')
        .collect::<String>()
        .to_lowercase()
}

fn bad(line: usize, th: &str, en: &str) -> StoreError {
    StoreError::rejected(format!("บรรทัดที่ {line}: {th}"), format!("line {line}: {en}"))
}

/// `จังหวัดพิษณุโลก` → `พิษณุโลก`; `อำเภอเนินมะปราง` → `เนินมะปราง`.
fn plain_place(text: &str) -> String {
    let t = text.trim();
    for prefix in ["จังหวัด", "จ.", "กิ่งอำเภอ", "อำเภอ", "อ.", "เขต"]
    {
        if let Some(rest) = t.strip_prefix(prefix) {
            return rest.trim().to_string();
        }
    }
    t.to_string()
}

/// Reads and checks every row; the first bad one is an error naming its line.
pub fn read_csv(reader: impl Read) -> Result<Vec<ImportRow>, StoreError> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv
        .headers()
        .map_err(|e| bad(1, "อ่านหัวตารางไม่ได้", &e.to_string()))?
        .clone();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let key = header_key(h);
        for (field, names) in FIELDS {
            if names.iter().any(|n| header_key(n) == key) {
                index.entry(field).or_insert(i);
            }
        }
    }
    for required in ["org_code", "name", "type", "province"] {
        if !index.contains_key(required) {
            return Err(bad(
                1,
                &format!("ไม่มีคอลัมน์ {required}"),
                &format!("no `{required}` column (need org_code, name, type, district, province)"),
            ));
        }
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, record) in csv.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| bad(line, "อ่านบรรทัดไม่ได้", &e.to_string()))?;
        let get = |f: &str| {
            index
                .get(f)
                .and_then(|&i| record.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        if record.iter().all(|x| x.trim().is_empty()) {
            continue;
        }
        let org_code = crate::thai::to_arabic_digits(&get("org_code"));
        if org_code.is_empty() {
            return Err(bad(line, "ไม่มีรหัสองค์กร", "no organisation code"));
        }
        if let Some(first) = seen.insert(org_code.clone(), line) {
            return Err(StoreError::duplicate(
                format!("รหัส {org_code} ซ้ำที่บรรทัด {first} และ {line}"),
                format!("code {org_code} appears on lines {first} and {line}"),
            ));
        }
        let type_text = get("type");
        let kind = OfficeKind::parse(&type_text)
            .filter(|k| k.is_local())
            .ok_or_else(|| {
                bad(
                    line,
                    &format!("ไม่รู้จักประเภท “{type_text}”"),
                    &format!("unknown type “{type_text}” (อบจ., เทศบาลนคร, เทศบาลเมือง, เทศบาลตำบล, อบต., เมืองพัทยา, กรุงเทพมหานคร)"),
                )
            })?;
        let name = get("name");
        if name.is_empty() {
            return Err(bad(line, "ไม่มีชื่อ", "no name"));
        }
        let province = plain_place(&get("province"));
        if province.is_empty() {
            return Err(bad(line, "ไม่มีจังหวัด", "no province"));
        }
        rows.push(ImportRow {
            line,
            org_code,
            name,
            kind,
            district: plain_place(&get("district")),
            province,
            agency: get("agency"),
            unit: crate::thai::to_arabic_digits(&get("unit")),
            address: get("address"),
            phone: get("phone"),
            email: get("email"),
        });
    }
    Ok(rows)
}

/// Reads a CSV file and imports it.
pub async fn import_csv(
    store: &Store,
    actor: &Actor,
    reader: impl Read,
) -> Result<ImportReport, StoreError> {
    let rows = read_csv(reader)?;
    import_rows(store, actor, &rows).await
}

/// Imports rows in one transaction: new codes are inserted, changed ones
/// updated, the rest left alone. Missing district offices are created.
pub async fn import_rows(
    store: &Store,
    actor: &Actor,
    rows: &[ImportRow],
) -> Result<ImportReport, StoreError> {
    let all = super::list(store, None).await?;
    let mut provinces: HashMap<String, i64> = HashMap::new();
    let mut districts: HashMap<(String, String), i64> = HashMap::new();
    let mut by_code: HashMap<String, Office> = HashMap::new();
    // Offices entered by hand (or the demo) without a DLA code, by parent
    // and name: the import adopts them instead of adding a twin.
    let mut uncoded: HashMap<(Option<i64>, String), Office> = HashMap::new();
    let mut root: Option<i64> = None;
    for o in all {
        match o.fields.kind {
            OfficeKind::ProvincialOffice => {
                provinces.insert(o.fields.province.clone(), o.id);
            }
            OfficeKind::DistrictOffice => {
                districts.insert((o.fields.province.clone(), o.fields.district.clone()), o.id);
            }
            OfficeKind::Department if o.parent_id.is_none() => {
                root.get_or_insert(o.id);
            }
            _ => {}
        }
        match &o.fields.org_code {
            Some(code) => {
                by_code.insert(code.clone(), o);
            }
            None if o.fields.kind.is_local() => {
                uncoded.insert((o.parent_id, o.fields.name.clone()), o);
            }
            None => {}
        }
    }
    let mut report = ImportReport::default();
    let (mut tx, mut audit) = store.begin_audited(actor, chrono::Utc::now()).await?;
    for row in rows {
        let province_office = if row.kind == OfficeKind::Bangkok {
            root
        } else {
            provinces.get(&row.province).copied()
        };
        let Some(province_office) = province_office else {
            return Err(bad(
                row.line,
                &format!("ไม่พบสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{}", row.province),
                &format!("no provincial office for province “{}”", row.province),
            ));
        };
        let parent = if row.kind == OfficeKind::Pao
            || row.kind == OfficeKind::Bangkok
            || row.district.is_empty()
        {
            province_office
        } else {
            let key = (row.province.clone(), row.district.clone());
            match districts.get(&key) {
                Some(&id) => id,
                None => {
                    let fields = OfficeFields::new(
                        OfficeKind::DistrictOffice,
                        &format!("อำเภอ{}", row.district),
                    )
                    .place(&row.province, &row.district);
                    let office =
                        insert_in(&mut tx, &mut audit, Some(province_office), &fields).await?;
                    districts.insert(key, office.id);
                    report.districts_created += 1;
                    office.id
                }
            }
        };
        let mut fields = OfficeFields::new(row.kind, &row.name).place(&row.province, &row.district);
        fields.org_code = Some(row.org_code.clone());
        fields.agency = row.agency.clone();
        fields.unit = row.unit.clone();
        fields.address = row.address.clone();
        fields.phone = row.phone.clone();
        fields.email = row.email.clone();
        let existing = match by_code.get(&row.org_code) {
            Some(o) => Some(o.clone()),
            None => uncoded.remove(&(Some(parent), row.name.clone())),
        };
        match existing.as_ref() {
            None => {
                insert_in(&mut tx, &mut audit, Some(parent), &fields)
                    .await
                    .map_err(|e| match e {
                        StoreError::Duplicate { th, en } => StoreError::duplicate(
                            format!("บรรทัดที่ {}: {th}", row.line),
                            format!("line {}: {en}", row.line),
                        ),
                        other => other,
                    })?;
                report.inserted += 1;
            }
            Some(existing) => {
                // Keep settings the file does not carry.
                fields.digits = existing.fields.digits;
                fields.year_basis = existing.fields.year_basis;
                fields.fax = existing.fields.fax.clone();
                let after = Office {
                    id: existing.id,
                    parent_id: Some(parent),
                    fields,
                };
                if &after == existing {
                    report.unchanged += 1;
                    continue;
                }
                sqlx::query(
                    "UPDATE offices SET parent_id = $1, kind = $2, name = $3, agency = $4, unit = $5, \
                     province = $6, district = $7, address = $8, phone = $9, email = $10, org_code = $11 \
                     WHERE id = $12",
                )
                .bind(parent)
                .bind(after.fields.kind.key())
                .bind(&after.fields.name)
                .bind(&after.fields.agency)
                .bind(&after.fields.unit)
                .bind(&after.fields.province)
                .bind(&after.fields.district)
                .bind(&after.fields.address)
                .bind(&after.fields.phone)
                .bind(&after.fields.email)
                .bind(&after.fields.org_code)
                .bind(existing.id)
                .execute(&mut *tx)
                .await?;
                audit
                    .append(
                        &mut tx,
                        Change {
                            office_id: Some(existing.id),
                            action: "office.update",
                            object: format!("office:{}", existing.id),
                            before: Some(&snapshot(existing)),
                            after: Some(&snapshot(&after)),
                        },
                    )
                    .await?;
                report.updated += 1;
            }
        }
    }
    audit.commit(tx).await?;
    store.auth_changed();
    Ok(report)
}

/// Offices in the store with a DLA code: used by tests and `orgs list`.
pub async fn count_coded(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) FROM offices WHERE org_code IS NOT NULL")
        .fetch_one(store.reader())
        .await?;
    Ok(row.try_get(0)?)
}
