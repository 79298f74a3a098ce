//! Cleaning laid-out pages before export: the break marks inserted by
//! [`super::breaks`] did their work during line breaking; here their glyphs
//! are removed so that copying text out of the PDF gives exactly the input.
//! Text laid out as "zh" (`main.typ`, to keep Typst's LSTM line segmenter
//! off text whose breaks are already marked) is labelled Thai again here,
//! so the PDF's language tags say what the text is.

use typst::foundations::Content;
use typst::introspection::Tag;
use typst::layout::{Em, Frame, FrameItem};
use typst::math::EquationElem;
use typst::model::FigureElem;
use typst::text::{Lang, Locale, TextItem};
use typst::visualize::ImageElem;
use typst_layout::PagedDocument;

use super::breaks::{WORD_JOINER, ZERO_WIDTH_SPACE};

fn is_mark(c: char) -> bool {
    c == WORD_JOINER || c == ZERO_WIDTH_SPACE
}

/// A copy of `doc` without break-mark glyphs; positions are unchanged.
pub fn strip_break_marks(doc: &PagedDocument) -> PagedDocument {
    let mut pages: typst::ecow::EcoVec<typst_layout::Page> = doc.pages().iter().cloned().collect();
    for page in pages.make_mut() {
        strip_frame(&mut page.frame);
    }
    let mut info = typst::model::Document::info(doc).clone();
    if let typst::foundations::Smart::Custom(locale) = &mut info.locale {
        thai_again(&mut locale.lang);
    }
    PagedDocument::new(pages, info)
}

fn strip_frame(frame: &mut Frame) {
    frame.retain(|item| {
        match item {
            FrameItem::Group(group) => strip_frame(&mut group.frame),
            FrameItem::Text(text) => {
                thai_again(&mut text.lang);
                return strip_text(text);
            }
            FrameItem::Tag(Tag::Start(element, _)) => thai_element(element),
            _ => {}
        }
        true
    });
}

/// Thai for what `main.typ` laid out as Chinese (see the file's comment).
fn thai_again(lang: &mut Lang) {
    if *lang == Lang::CHINESE {
        *lang = Lang::THAI;
    }
}

fn thai_locale(locale: &mut Option<Locale>) {
    if let Some(l) = locale {
        thai_again(&mut l.lang);
    }
}

/// The language the PDF's tags give an image, a figure or an equation.
fn thai_element(element: &mut Content) {
    if let Some(image) = element.to_packed_mut::<ImageElem>() {
        thai_locale(&mut image.locale);
    } else if let Some(figure) = element.to_packed_mut::<FigureElem>() {
        thai_locale(&mut figure.locale);
    } else if let Some(equation) = element.to_packed_mut::<EquationElem>() {
        thai_locale(&mut equation.locale);
    }
}

/// Removes mark glyphs from one run; `false` when nothing visible is left.
fn strip_text(item: &mut TextItem) -> bool {
    if !item.text.chars().any(is_mark) {
        return true;
    }
    // Old byte offset → new byte offset, for every char boundary.
    let old = item.text.clone();
    let mut new_text = String::with_capacity(old.len());
    let mut map = vec![0u16; old.len() + 1];
    for (i, c) in old.char_indices() {
        map[i] = new_text.len() as u16;
        if !is_mark(c) {
            new_text.push(c);
        }
    }
    map[old.len()] = new_text.len() as u16;

    let mut glyphs = Vec::with_capacity(item.glyphs.len());
    // Width of dropped glyphs not yet given to a kept one.
    let mut carry = Em::zero();
    for mut glyph in item.glyphs.drain(..) {
        let slice = &old[glyph.range()];
        if !slice.is_empty() && slice.chars().all(is_mark) {
            // Keep the layout: the next glyph moves by the dropped advance.
            match glyphs.last_mut() {
                Some(prev) => {
                    let prev: &mut typst::text::Glyph = prev;
                    prev.x_advance += glyph.x_advance;
                }
                None => carry += glyph.x_advance,
            }
            continue;
        }
        glyph.range = map[glyph.range.start as usize]..map[glyph.range.end as usize];
        // A run that began with a mark: shift every glyph after it.
        glyph.x_offset += carry;
        glyphs.push(glyph);
    }
    item.glyphs = glyphs;
    item.text = new_text.into();
    !item.glyphs.is_empty()
}
