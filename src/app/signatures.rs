//! Signature images: each user sets, shows and removes their own (nobody
//! else's, administrators included), and a document being rendered finds
//! its signers' images.
//!
//! Which user signs: the document names its signer (`signer.name`); the
//! signer is the one active user of the issuing office whose display name
//! is the same name after trimming and collapsing blanks
//! ([`crate::model::name_key`]). No match, or more than one, means no
//! image. [`App::signature_images`] takes the signer's user id instead
//! when a step knows it (signing inside saraban, issue 19).

use image::ImageReader;
use serde::Serialize;

use super::documents::Download;
use super::error::{AppError, AppResult, Kind};
use super::{Action, App, Caller, UserId};
use crate::model::{Document, name_key};
use crate::render::SignatureImage;
use crate::store::signatures::{self, Signature};

/// The largest signature image taken, in bytes.
pub const MAX_SIGNATURE: usize = 1024 * 1024;
/// The largest width or height taken, in pixels (a signature printed
/// 3.5 cm wide needs about 800 at 600 dpi).
pub const MAX_SIDE: u32 = 4000;

/// A signature image as the profile and the API describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureInfo {
    pub media_type: String,
    pub size: usize,
    pub width: u32,
    pub height: u32,
    pub sha256: String,
    pub updated_at: String,
}

impl SignatureInfo {
    fn of(s: &Signature) -> SignatureInfo {
        let (width, height) = dimensions(&s.bytes).unwrap_or((0, 0));
        SignatureInfo {
            media_type: s.media_type.clone(),
            size: s.bytes.len(),
            width,
            height,
            sha256: s.sha256.clone(),
            updated_at: s.updated_at.clone(),
        }
    }
}

fn bad_image(en: &str) -> AppError {
    AppError::new(
        Kind::Invalid,
        "unsupported_media_type",
        "ภาพลายมือชื่อต้องเป็นไฟล์ PNG (พื้นโปร่งใส) หรือ JPEG ที่เปิดได้",
        format!("the signature image must be a PNG (transparent) or JPEG file that opens: {en}"),
    )
    .on("signature")
}

/// The width and height of a PNG or JPEG, from its header.
fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// Checks an uploaded signature image: PNG or JPEG by its bytes (never by
/// its name or the type the sender claims), at most [`MAX_SIGNATURE`]
/// bytes and [`MAX_SIDE`] pixels a side, and whole (decoded once here, so
/// that a broken file cannot stop the office's letters from rendering).
/// Gives its media type.
pub fn check_image(bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.is_empty() {
        return Err(AppError::invalid(
            "signature",
            "กรุณาเลือกไฟล์ภาพลายมือชื่อ",
            "choose a signature image file",
        ));
    }
    if bytes.len() > MAX_SIGNATURE {
        return Err(AppError::new(
            Kind::TooLarge,
            "too_large",
            "ภาพลายมือชื่อต้องไม่เกิน ๑ เมกะไบต์",
            "the signature image must be at most 1 MB",
        )
        .on("signature"));
    }
    let (media_type, format) = match infer::get(bytes).map(|t| t.mime_type()) {
        Some("image/png") => ("image/png", image::ImageFormat::Png),
        Some("image/jpeg") => ("image/jpeg", image::ImageFormat::Jpeg),
        Some(other) => return Err(bad_image(other)),
        None => return Err(bad_image("unknown")),
    };
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    match reader.decode() {
        Ok(_) => Ok(media_type),
        Err(image::ImageError::Limits(_)) => Err(AppError::invalid(
            "signature",
            "ภาพลายมือชื่อใหญ่เกินไป ด้านกว้างและสูงต้องไม่เกิน ๔๐๐๐ จุด",
            "the signature image is too large: at most 4000 pixels a side",
        )),
        Err(e) => Err(bad_image(&e.to_string())),
    }
}

impl App {
    /// The caller's own signature image, described (none when unset).
    pub async fn my_signature(&self, c: &Caller) -> AppResult<Option<SignatureInfo>> {
        c.may(Action::Read)?;
        let user = c.user_ref().ok_or_else(AppError::forbidden)?;
        Ok(signatures::get(self.store(), user.id)
            .await?
            .as_ref()
            .map(SignatureInfo::of))
    }

    /// The caller's own signature image, as a file to download.
    pub async fn my_signature_image(&self, c: &Caller) -> AppResult<Download> {
        c.may(Action::Read)?;
        let user = c.user_ref().ok_or_else(AppError::forbidden)?;
        let s = signatures::get(self.store(), user.id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let ext = if s.media_type == "image/png" {
            "png"
        } else {
            "jpg"
        };
        Ok(Download {
            name: format!("signature-{}.{ext}", user.username),
            media_type: s.media_type,
            bytes: s.bytes,
        })
    }

    /// Sets (or replaces) the caller's own signature image. Official
    /// copies made before keep the image they were made with.
    pub async fn set_my_signature(&self, c: &Caller, bytes: &[u8]) -> AppResult<SignatureInfo> {
        c.may(Action::Read)?;
        let user = c.user_ref().ok_or_else(AppError::forbidden)?;
        let media_type = check_image(bytes)?;
        let s = signatures::set(self.store(), &c.actor(), user, media_type, bytes).await?;
        Ok(SignatureInfo::of(&s))
    }

    /// Removes the caller's own signature image; false when there was none.
    pub async fn remove_my_signature(&self, c: &Caller) -> AppResult<bool> {
        c.may(Action::Read)?;
        let user = c.user_ref().ok_or_else(AppError::forbidden)?;
        Ok(signatures::remove(self.store(), &c.actor(), user).await?)
    }

    /// The user who signs as `name` for office `office_id`: the one active
    /// user there whose display name is `name` (compared by
    /// [`name_key`]); none when nobody or more than one is.
    pub async fn signer_user(&self, office_id: i64, name: &str) -> AppResult<Option<UserId>> {
        let users = signatures::active_users(self.store(), office_id).await?;
        Ok(match_signer(&users, name))
    }

    /// The signature images to print on `doc`, issued by `office_id`: for
    /// each signer the document names, the image of the user who signs as
    /// that name. `signed_by` names the main part's signer explicitly
    /// (a step that knows who signs), overriding the name rule for it.
    pub async fn signature_images(
        &self,
        office_id: i64,
        doc: &Document,
        signed_by: Option<UserId>,
    ) -> AppResult<Vec<SignatureImage>> {
        let main: Vec<String> = doc.main.signers().iter().map(|s| s.key()).collect();
        let mut names: Vec<String> = std::iter::once(&doc.main)
            .chain(&doc.annexes)
            .flat_map(|p| p.signers())
            .map(|s| s.key())
            .filter(|k| !k.is_empty())
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let users = signatures::active_users(self.store(), office_id).await?;
        let mut wanted: Vec<(String, i64)> = Vec::new();
        for name in names {
            let explicit = signed_by.filter(|_| main.first() == Some(&name));
            if let Some(id) = explicit.or_else(|| match_signer(&users, &name)) {
                wanted.push((name, id.0));
            }
        }
        let ids: Vec<i64> = wanted.iter().map(|(_, id)| *id).collect();
        let found = signatures::of_users(self.store(), &ids).await?;
        Ok(wanted
            .into_iter()
            .filter_map(|(name, id)| {
                found
                    .iter()
                    .find(|s| s.user_id == id)
                    .map(|s| SignatureImage {
                        name,
                        bytes: s.bytes.clone(),
                    })
            })
            .collect())
    }
}

/// The one user among `users` (id, display name) whose name is `name` by
/// [`name_key`].
fn match_signer(users: &[(i64, String)], name: &str) -> Option<UserId> {
    let key = name_key(name);
    if key.is_empty() {
        return None;
    }
    let mut matches = users.iter().filter(|(_, n)| name_key(n) == key);
    match (matches.next(), matches.next()) {
        (Some((id, _)), None) => Some(UserId(*id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signers_match_one_user_by_name_with_blanks_folded() {
        let users = vec![
            (1, "นายศิริพันธ์ ศรีกิ่งพลี".to_string()),
            (2, "นางสาวสมใจ  ใจดี ".to_string()),
            (3, "นายสมชาย ดีมาก".to_string()),
            (4, "นายสมชาย ดีมาก".to_string()),
        ];
        assert_eq!(
            match_signer(&users, "  นายศิริพันธ์\u{a0} ศรีกิ่งพลี"),
            Some(UserId(1))
        );
        assert_eq!(match_signer(&users, "นางสาวสมใจ ใจดี"), Some(UserId(2)));
        // Two users of the same name: nobody's image is printed.
        assert_eq!(match_signer(&users, "นายสมชาย ดีมาก"), None);
        // Titles are part of the name.
        assert_eq!(match_signer(&users, "ศิริพันธ์ ศรีกิ่งพลี"), None);
        assert_eq!(match_signer(&users, "  "), None);
    }

    #[test]
    fn signature_images_are_png_or_jpeg_and_whole() {
        assert_eq!(check_image(b"").unwrap_err().kind, Kind::Invalid);
        let big = vec![0u8; MAX_SIGNATURE + 1];
        assert_eq!(check_image(&big).unwrap_err().kind, Kind::TooLarge);
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(check_image(gif).unwrap_err().code, "unsupported_media_type");
        // A PNG signature with its body cut off.
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00";
        assert_eq!(check_image(png).unwrap_err().code, "unsupported_media_type");
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert!(check_image(svg).is_err());
    }
}
