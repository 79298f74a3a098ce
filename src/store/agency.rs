//! Whose name a letter speaks in. An external letter is issued by a ส่วนราชการ
//! — กรมส่งเสริมการปกครองท้องถิ่น, จังหวัดพิษณุโลก, อำเภอเนินมะปราง, an อบต. —
//! with that agency's letterhead; the division or group that drafted it is
//! the owner unit at the foot (seed 000: กองพัฒนาฯ under กรมส่งเสริมฯ; seed
//! 003: กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น under จังหวัดพิษณุโลก). The hierarchy
//! knows which office is which: divisions and groups speak for the office
//! above them.

use super::StoreError;
use super::offices::{self, Office, OfficeKind};
use crate::model::Issuer;

/// The agency an office's letters speak for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// How a letter names it: `กรมส่งเสริมการปกครองท้องถิ่น`, `จังหวัดพิษณุโลก`.
    pub name: String,
    /// The letterhead: `ศาลากลางจังหวัดพิษณุโลก` over its address.
    pub letterhead: Issuer,
    /// The owner units at the foot, the larger first.
    pub units: Vec<String>,
    /// The kind of office it speaks as (a province, a district, a กรม …).
    pub kind: OfficeKind,
}

/// The agency of `chain[0]`, given the office and its ancestors (nearest
/// first).
pub fn agency(chain: &[Office]) -> Agency {
    let Some(office) = chain.first() else {
        return Agency {
            name: String::new(),
            letterhead: Issuer {
                name: String::new(),
                address: Vec::new(),
            },
            units: Vec::new(),
            kind: OfficeKind::Group,
        };
    };
    // Divisions and groups speak for the first office above them that is
    // not one; they are the owner units, outermost first.
    let speaker = chain
        .iter()
        .position(|o| !matches!(o.fields.kind, OfficeKind::Division | OfficeKind::Group))
        .map(|i| &chain[i]);
    let mut units: Vec<String> = chain
        .iter()
        .take_while(|o| matches!(o.fields.kind, OfficeKind::Division | OfficeKind::Group))
        .map(|o| o.fields.name.clone())
        .collect();
    units.reverse();
    let Some(speaker) = speaker else {
        // A group with nothing above it speaks for itself.
        return Agency {
            name: office.fields.name.clone(),
            letterhead: letterhead(office, &office.fields.name),
            units,
            kind: office.fields.kind,
        };
    };
    if units.is_empty() || speaker.fields.kind != OfficeKind::Department {
        // A provincial or district office signs its own name as the unit.
        units.insert(0, speaker.fields.name.clone());
    }
    let name = spoken_name(speaker);
    // A unit's own address, when it has one, is where the letter comes from.
    let address_of = if office.fields.address.trim().is_empty() {
        speaker
    } else {
        office
    };
    Agency {
        letterhead: letterhead(address_of, &place_name(speaker, &name)),
        name,
        units,
        kind: speaker.fields.kind,
    }
}

/// The agency of `office`, reading the offices above it only when it is a
/// division or group (a provincial or district office, or a local
/// organisation, speaks for itself: no query, so bulk relays stay cheap).
pub(crate) async fn of_office_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    office: &Office,
) -> Result<Agency, StoreError> {
    if matches!(office.fields.kind, OfficeKind::Division | OfficeKind::Group) {
        Ok(agency(&offices::chain_in(tx, office.id).await?))
    } else {
        Ok(agency(std::slice::from_ref(office)))
    }
}

/// How letters name an office that speaks for itself.
pub fn spoken_name(office: &Office) -> String {
    let f = &office.fields;
    match f.kind {
        OfficeKind::ProvincialOffice if !f.province.is_empty() => format!("จังหวัด{}", f.province),
        OfficeKind::DistrictOffice if !f.district.is_empty() => format!("อำเภอ{}", f.district),
        _ => f.name.clone(),
    }
}

/// The place a letter is written from, as the letterhead prints it.
fn place_name(office: &Office, name: &str) -> String {
    match office.fields.kind {
        OfficeKind::ProvincialOffice => format!("ศาลากลาง{name}"),
        OfficeKind::DistrictOffice => format!("ที่ว่าการ{name}"),
        OfficeKind::Pao | OfficeKind::Sao => format!("ที่ทำการ{name}"),
        OfficeKind::CityMunicipality
        | OfficeKind::TownMunicipality
        | OfficeKind::SubdistrictMunicipality
        | OfficeKind::Pattaya => format!("สำนักงาน{name}"),
        OfficeKind::Bangkok => "ศาลาว่าการกรุงเทพมหานคร".into(),
        _ => name.to_string(),
    }
}

/// `place` over `office`'s address, with the place's own name taken off
/// the address when the address starts with it (`ศาลากลางจังหวัดพิษณุโลก
/// ถนนวังจันทร์ …`).
fn letterhead(office: &Office, place: &str) -> Issuer {
    let address = office.fields.address.trim();
    let rest = address.strip_prefix(place).unwrap_or(address).trim();
    Issuer {
        name: place.to_string(),
        address: (!rest.is_empty())
            .then(|| rest.to_string())
            .into_iter()
            .collect(),
    }
}

/// The agency a letter from outside the hierarchy speaks for, read from the
/// name on its letterhead: `ศาลากลางจังหวัดพิษณุโลก` → `จังหวัดพิษณุโลก`,
/// `ที่ว่าการอำเภอเนินมะปราง` → `อำเภอเนินมะปราง`.
pub fn agency_of_letterhead(name: &str) -> String {
    let name = name.trim();
    for (place, keep) in [
        ("ศาลากลาง", ""),
        ("ที่ว่าการ", ""),
        ("ที่ทำการ", ""),
        ("สำนักงานเทศบาล", "เทศบาล"),
        ("ศาลาว่าการกรุงเทพมหานคร", "กรุงเทพมหานคร"),
    ] {
        if let Some(rest) = name.strip_prefix(place)
            && (!rest.is_empty() || !keep.is_empty())
        {
            return format!("{keep}{rest}");
        }
    }
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::offices::OfficeFields;

    fn office(id: i64, parent: Option<i64>, kind: OfficeKind, name: &str) -> Office {
        Office {
            id,
            parent_id: parent,
            fields: OfficeFields::new(kind, name),
        }
    }

    #[test]
    fn a_division_speaks_for_its_department() {
        let mut dla = office(1, None, OfficeKind::Department, "กรมส่งเสริมการปกครองท้องถิ่น");
        dla.fields.address = "ถนนนครราชสีมา เขตดุสิต กทม. 10300".into();
        let division = office(
            2,
            Some(1),
            OfficeKind::Division,
            "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น",
        );
        let group = office(
            3,
            Some(2),
            OfficeKind::Group,
            "กลุ่มงานส่งเสริมการบริหารกิจการบ้านเมืองที่ดีท้องถิ่น",
        );
        let a = agency(&[group, division, dla]);
        assert_eq!(a.name, "กรมส่งเสริมการปกครองท้องถิ่น");
        assert_eq!(a.letterhead.name, "กรมส่งเสริมการปกครองท้องถิ่น");
        assert_eq!(a.letterhead.address, vec!["ถนนนครราชสีมา เขตดุสิต กทม. 10300"]);
        // Seed 000's foot: the division, then the group.
        assert_eq!(
            a.units,
            vec![
                "กองพัฒนาและส่งเสริมการบริหารงานท้องถิ่น",
                "กลุ่มงานส่งเสริมการบริหารกิจการบ้านเมืองที่ดีท้องถิ่น"
            ]
        );
    }

    #[test]
    fn a_provincial_group_speaks_for_the_province_from_its_hall() {
        let mut province = office(
            1,
            None,
            OfficeKind::ProvincialOffice,
            "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดพิษณุโลก",
        );
        province.fields.province = "พิษณุโลก".into();
        province.fields.address = "ศาลากลางจังหวัดพิษณุโลก ถนนวังจันทร์ พล 65000".into();
        let group = office(2, Some(1), OfficeKind::Group, "กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น");
        let a = agency(&[group, province.clone()]);
        assert_eq!(a.name, "จังหวัดพิษณุโลก");
        assert_eq!(a.letterhead.name, "ศาลากลางจังหวัดพิษณุโลก");
        assert_eq!(a.letterhead.address, vec!["ถนนวังจันทร์ พล 65000"]);
        assert_eq!(
            a.units,
            vec![
                "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดพิษณุโลก",
                "กลุ่มงานส่งเสริมและพัฒนาท้องถิ่น"
            ]
        );
        let own = agency(&[province]);
        assert_eq!(own.name, "จังหวัดพิษณุโลก");
        assert_eq!(own.units, vec!["สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดพิษณุโลก"]);
    }

    #[test]
    fn districts_and_local_organisations_speak_for_themselves() {
        let mut district = office(1, None, OfficeKind::DistrictOffice, "อำเภอเนินมะปราง");
        district.fields.district = "เนินมะปราง".into();
        let a = agency(std::slice::from_ref(&district));
        assert_eq!(a.name, "อำเภอเนินมะปราง");
        assert_eq!(a.letterhead.name, "ที่ว่าการอำเภอเนินมะปราง");
        let sao = office(2, Some(1), OfficeKind::Sao, "องค์การบริหารส่วนตำบลวังยาง");
        let a = agency(&[sao, district]);
        assert_eq!(a.name, "องค์การบริหารส่วนตำบลวังยาง");
        assert_eq!(a.letterhead.name, "ที่ทำการองค์การบริหารส่วนตำบลวังยาง");
    }

    #[test]
    fn letterheads_from_outside_name_their_agency() {
        for (head, name) in [
            ("ศาลากลางจังหวัดพิษณุโลก", "จังหวัดพิษณุโลก"),
            ("ที่ว่าการอำเภอเนินมะปราง", "อำเภอเนินมะปราง"),
            ("ที่ทำการองค์การบริหารส่วนตำบลวังยาง", "องค์การบริหารส่วนตำบลวังยาง"),
            ("สำนักงานเทศบาลนครพิษณุโลก", "เทศบาลนครพิษณุโลก"),
            ("กรมส่งเสริมการปกครองท้องถิ่น", "กรมส่งเสริมการปกครองท้องถิ่น"),
        ] {
            assert_eq!(agency_of_letterhead(head), name);
        }
    }
}
