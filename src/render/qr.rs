//! QR codes as SVG, for the templates to place with `image(...)`.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code for `url`, medium error correction, with a quiet zone.
pub fn qr_svg(url: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn makes_svg() {
        let svg = super::qr_svg("https://forms.gle/LTEDjgjBPZnCjSVK8").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    }
}
