//! `saraban render DATA.json -o OUT.pdf`: a document to PDF (and PNG pages).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use saraban::model::Document;
use saraban::render::{self, RenderOptions, Renderer};

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The document as JSON; its `kind` is letter, memo, order,
    /// announcement, sealed, schedule, project, form, or document (main +
    /// annexes).
    data: PathBuf,
    /// Where to write the PDF (default: DATA with .pdf).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// PDF/A-2b for archiving.
    #[arg(long)]
    pdfa: bool,
    /// Also write PNG pages into this folder (page-1.png, page-2.png …).
    #[arg(long)]
    png: Option<PathBuf>,
    /// Resolution of the PNG pages (20 to 600).
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u16).range(20..=600))]
    dpi: u16,
    /// A folder of the agency's own fonts (TH SarabunIT๙ …); also SARABAN_FONTS.
    #[arg(long, env = "SARABAN_FONTS")]
    fonts: Option<PathBuf>,
    /// Set the document in this font family (any Thai face in --fonts),
    /// before the usual TH SarabunIT๙ / TH Sarabun New / TH SarabunPSK /
    /// Laksaman.
    #[arg(long)]
    font_family: Option<String>,
    /// An official copy: no dashed placeholder where the emblem is missing.
    #[arg(long)]
    official: bool,
    /// Report Thai line quality: breaks inside words, widest gaps, text
    /// outside the printable area, overlapping text, furniture out of place,
    /// names broken across lines.
    #[arg(long)]
    check: bool,
}

pub fn run(a: RenderArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.data)
        .with_context(|| format!("อ่านไฟล์ไม่ได้ (cannot read) {}", a.data.display()))?;
    let doc =
        Document::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", a.data.display()))?;
    let emblem = match &doc.emblem {
        Some(path) => {
            let base = a.data.parent().unwrap_or(Path::new("."));
            let full = base.join(path);
            Some(std::fs::read(&full).with_context(|| {
                format!(
                    "อ่านไฟล์ตราสัญลักษณ์ไม่ได้ (cannot read the emblem) {}",
                    full.display()
                )
            })?)
        }
        None => None,
    };
    let font_dirs: Vec<&Path> = a.fonts.as_deref().into_iter().collect();
    let mut renderer = Renderer::new(&font_dirs)?;
    for problem in renderer.font_problems() {
        eprintln!("saraban: ใช้แบบอักษรนี้ไม่ได้ (font not used): {problem}");
    }
    if let Some(family) = &a.font_family {
        renderer = renderer.with_family(family)?;
    }
    let opts = RenderOptions {
        pdfa: a.pdfa,
        emblem,
        official: a.official,
        ..RenderOptions::default()
    };
    let prepared = renderer.prepare(&doc)?;
    let laid = renderer.layout(&prepared, None, &opts)?;
    let pdf = render::pdf(&laid, &opts)?;
    let output = a
        .output
        .clone()
        .unwrap_or_else(|| a.data.with_extension("pdf"));
    std::fs::write(&output, &pdf)
        .with_context(|| format!("เขียนไฟล์ไม่ได้ (cannot write) {}", output.display()))?;
    eprintln!("{}: {} หน้า (pages)", output.display(), laid.page_count());
    if !laid.converged {
        eprintln!(
            "saraban: คำต่อเนื่องท้ายหน้ายังไม่คงที่ ตรวจดูท้ายหน้าก่อนพิมพ์ \
             (warning: continuation words had not settled after {} compiles; check the page footers)",
            laid.compiles
        );
    }
    if let Some(dir) = &a.png {
        std::fs::create_dir_all(dir)?;
        for (i, png) in render::png_pages(&laid, f32::from(a.dpi))
            .iter()
            .enumerate()
        {
            let path = dir.join(format!("page-{}.png", i + 1));
            std::fs::write(&path, png)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if a.check {
        let report = render::check::check_with(&laid.doc, &prepared);
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(ExitCode::SUCCESS)
}
