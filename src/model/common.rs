//! Parts shared by several kinds of document: urgency, secrecy, the issuing
//! office, the signer, references, enclosures and contact lines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// ชั้นความเร็ว, with the DGA exchange codes (002–004; 001 is ordinary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// ด่วน
    Urgent,
    /// ด่วนมาก
    VeryUrgent,
    /// ด่วนที่สุด
    MostUrgent,
}

impl Urgency {
    pub fn thai(self) -> &'static str {
        match self {
            Urgency::Urgent => "ด่วน",
            Urgency::VeryUrgent => "ด่วนมาก",
            Urgency::MostUrgent => "ด่วนที่สุด",
        }
    }

    pub fn dga_code(self) -> &'static str {
        match self {
            Urgency::Urgent => "002",
            Urgency::VeryUrgent => "003",
            Urgency::MostUrgent => "004",
        }
    }

    /// The urgency word at the start of `text` (longest first).
    pub fn from_thai_prefix(text: &str) -> Option<(Urgency, usize)> {
        [Urgency::MostUrgent, Urgency::VeryUrgent, Urgency::Urgent]
            .into_iter()
            .find(|u| text.starts_with(u.thai()))
            .map(|u| (u, u.thai().len()))
    }
}

/// ชั้นความลับ (ระเบียบว่าด้วยการรักษาความลับของทางราชการ ๒๕๔๔), DGA codes 002–004.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    /// ลับ
    Confidential,
    /// ลับมาก
    Secret,
    /// ลับที่สุด — never sent through e-saraban.
    TopSecret,
}

impl Secrecy {
    pub fn thai(self) -> &'static str {
        match self {
            Secrecy::Confidential => "ลับ",
            Secrecy::Secret => "ลับมาก",
            Secrecy::TopSecret => "ลับที่สุด",
        }
    }

    pub fn dga_code(self) -> &'static str {
        match self {
            Secrecy::Confidential => "002",
            Secrecy::Secret => "003",
            Secrecy::TopSecret => "004",
        }
    }
}

/// The issuing office as printed at the top right of a letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// ส่วนราชการเจ้าของหนังสือ: `กรมส่งเสริมการปกครองท้องถิ่น`.
    pub name: String,
    /// Address lines: `ถนนนครราชสีมา กทม. 10300`.
    #[serde(default)]
    pub address: Vec<String>,
}

/// Who signs, as printed under the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// The full name with title, printed in parentheses: `นายศิริพันธ์ ศรีกิ่งพลี`.
    pub name: String,
    /// Position lines: `["รองอธิบดี ปฏิบัติราชการแทน", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"]`.
    #[serde(default)]
    pub position: Vec<String>,
}

impl Signer {
    /// The name as signers are matched to users by: see [`name_key`].
    pub fn key(&self) -> String {
        name_key(&self.name)
    }
}

/// A person's name as saraban compares names (a document's signer with a
/// user's display name): trimmed, every run of blanks one space. Nothing
/// else is folded: titles (นาย, นาง …) and spelling must match.
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// อ้างถึง: an earlier letter, by its parts or as free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The issuer as named after `หนังสือ`: `จังหวัดพิษณุโลก`.
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub urgency: Option<Urgency>,
    /// The number as printed or typed (any digits).
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Free text used instead of the parts (`หนังสือที่ประชุม …`).
    #[serde(default)]
    pub text: Option<String>,
}

/// สิ่งที่ส่งมาด้วย: one enclosure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enclosure {
    pub text: String,
    /// `จำนวน 1 ฉบับ`.
    #[serde(default)]
    pub quantity: Option<String>,
}

/// The bottom-left block: the owning unit and how to reach it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// ส่วนราชการเจ้าของเรื่อง, one line per level.
    #[serde(default)]
    pub owner_unit: Vec<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub fax: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    /// ผู้ประสานงาน.
    #[serde(default)]
    pub coordinator: Option<String>,
}

/// How a letter addresses its recipient (ภาคผนวก ๒).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Salutation {
    /// เรียน … ขอแสดงความนับถือ
    Rian,
    /// กราบเรียน … ขอแสดงความนับถืออย่างยิ่ง
    KrapRian,
    /// นมัสการ … ขอนมัสการด้วยความเคารพ
    Namatsakan,
}

/// The 14 office-holders addressed กราบเรียน.
const KRAP_RIAN: [&str; 14] = [
    "ประธานองคมนตรี",
    "นายกรัฐมนตรี",
    "ประธานรัฐสภา",
    "ประธานสภาผู้แทนราษฎร",
    "ประธานวุฒิสภา",
    "ประธานศาลฎีกา",
    "รัฐบุรุษ",
    "ประธานศาลรัฐธรรมนูญ",
    "ประธานศาลปกครองสูงสุด",
    "ประธานกรรมการการเลือกตั้ง",
    "ประธานกรรมการสิทธิมนุษยชนแห่งชาติ",
    "ประธานกรรมการป้องกันและปราบปรามการทุจริตแห่งชาติ",
    "ประธานกรรมการตรวจเงินแผ่นดิน",
    "ผู้ตรวจการแผ่นดิน",
];

impl Salutation {
    /// The salutation the regulation prescribes for this recipient.
    pub fn for_recipient(to: &str) -> Salutation {
        let to = to.trim();
        let monk = ["พระ", "สมเด็จพระ", "เจ้าอาวาส"]
            .iter()
            .any(|p| to.starts_with(p));
        if monk && !to.starts_with("พระราช") {
            Salutation::Namatsakan
        } else if KRAP_RIAN.iter().any(|k| to.starts_with(k)) {
            Salutation::KrapRian
        } else {
            Salutation::Rian
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Salutation::Rian => "เรียน",
            Salutation::KrapRian => "กราบเรียน",
            Salutation::Namatsakan => "นมัสการ",
        }
    }

    /// The closing that goes with the salutation.
    pub fn closing(self) -> &'static str {
        match self {
            Salutation::Rian => "ขอแสดงความนับถือ",
            Salutation::KrapRian => "ขอแสดงความนับถืออย่างยิ่ง",
            Salutation::Namatsakan => "ขอนมัสการด้วยความเคารพ",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salutation_follows_the_recipient() {
        assert_eq!(
            Salutation::for_recipient("ผู้ว่าราชการจังหวัด ทุกจังหวัด"),
            Salutation::Rian
        );
        assert_eq!(
            Salutation::for_recipient("นายกรัฐมนตรี"),
            Salutation::KrapRian
        );
        assert_eq!(
            Salutation::for_recipient("เจ้าอาวาสวัดสุทัศนเทพวราราม"),
            Salutation::Namatsakan
        );
        assert_eq!(Salutation::KrapRian.closing(), "ขอแสดงความนับถืออย่างยิ่ง");
    }

    #[test]
    fn urgency_words() {
        assert_eq!(
            Urgency::from_thai_prefix("ด่วนที่สุด ที่"),
            Some((Urgency::MostUrgent, "ด่วนที่สุด".len()))
        );
        assert_eq!(
            Urgency::from_thai_prefix("ด่วน"),
            Some((Urgency::Urgent, "ด่วน".len()))
        );
    }
}
