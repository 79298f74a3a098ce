//! Re-setting only what changes from one recipient to the next.
//!
//! A personalised letter differs from the first recipient's in its fields
//! (`recipient-field` in `templates/typst/lib.typ`): the number, the
//! addressee, a reply form's link and QR code, each laid out in a box that
//! fills the rest of its line. When nothing but fields changed, each
//! changed field is set alone at its box's width (`field.typ`); if every
//! box keeps its size, the new pages are the earlier ones with those boxes'
//! contents swapped, because the flow around a box of the same size cannot
//! move. Anything else (a box that gains a line, a change outside the
//! fields, other options) is not spliced and the caller lays the whole
//! document out.

use serde_json::Value;
use typst::layout::{Frame, FrameItem, Size};
use typst_layout::PagedDocument;

/// The label prefix `recipient-field` gives a field's box:
/// `saraban-field {style} {path}`.
const FIELD_LABEL: &str = "saraban-field ";
/// The label `field.typ` gives each box it sets.
const SET_LABEL: &str = "saraban-field";

/// Where a field's box sits in a laid-out document.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The field's place in the recipient overlay: "0/to", "1/codes/0/url".
    pub path: String,
    /// How `field-body` sets it: "text", "url" or "qr".
    pub style: String,
    page: usize,
    /// Item indices from the page's frame down to the box's group.
    at: Vec<usize>,
    pub size: Size,
}

/// The field boxes of a laid-out document, in page order.
pub fn slots(doc: &PagedDocument) -> Vec<Slot> {
    let mut out = Vec::new();
    for (page, p) in doc.pages().iter().enumerate() {
        walk(&p.frame, &mut Vec::new(), &mut |at, label, frame| {
            let (style, path) = label.strip_prefix(FIELD_LABEL)?.split_once(' ')?;
            out.push(Slot {
                path: path.to_string(),
                style: style.to_string(),
                page,
                at: at.to_vec(),
                size: frame.size(),
            });
            Some(())
        });
    }
    out
}

/// The frames `field.typ` set, in order.
pub fn set_fields(doc: &PagedDocument) -> Vec<Frame> {
    let mut out = Vec::new();
    for p in doc.pages() {
        walk(&p.frame, &mut Vec::new(), &mut |_, label, frame| {
            (label == SET_LABEL).then(|| out.push(frame.clone()))
        });
    }
    out
}

/// Calls `found` for each labelled group; descends into the others (and
/// into labelled groups `found` did not take).
fn walk(
    frame: &Frame,
    at: &mut Vec<usize>,
    found: &mut impl FnMut(&[usize], &str, &Frame) -> Option<()>,
) {
    for (i, (_, item)) in frame.items().enumerate() {
        let FrameItem::Group(group) = item else {
            continue;
        };
        at.push(i);
        let taken = group
            .label
            .and_then(|label| found(at, label.resolve().as_str(), &group.frame));
        if taken.is_none() {
            walk(&group.frame, at, found);
        }
        at.pop();
    }
}

/// The leaves of `new` that differ from `old`, as (path, text); `None`
/// when anything but a text leaf changed (keys, lengths, kinds of value).
pub fn changed_fields(old: &Value, new: &Value) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    diff(old, new, &mut Vec::new(), &mut out).then_some(out)
}

fn diff(old: &Value, new: &Value, path: &mut Vec<String>, out: &mut Vec<(String, String)>) -> bool {
    match (old, new) {
        _ if old == new => true,
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter().all(|(k, va)| {
                    b.get(k).is_some_and(|vb| {
                        path.push(k.clone());
                        let same = diff(va, vb, path, out);
                        path.pop();
                        same
                    })
                })
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).enumerate().all(|(i, (va, vb))| {
                    path.push(i.to_string());
                    let same = diff(va, vb, path, out);
                    path.pop();
                    same
                })
        }
        (Value::String(_), Value::String(text)) => {
            out.push((path.join("/"), text.clone()));
            true
        }
        _ => false,
    }
}

/// The earlier pages with each slot's box holding its new frame.
pub fn apply(doc: &PagedDocument, swaps: &[(&Slot, Frame)]) -> PagedDocument {
    let mut pages: Vec<typst_layout::Page> = doc.pages().to_vec();
    for (slot, frame) in swaps {
        replace(&mut pages[slot.page].frame, &slot.at, frame);
    }
    PagedDocument::new(
        pages.into_iter().collect(),
        typst::model::Document::info(doc).clone(),
    )
}

fn replace(frame: &mut Frame, at: &[usize], new: &Frame) {
    let Some((&target, rest)) = at.split_first() else {
        return;
    };
    let mut i = 0;
    frame.retain(|item| {
        if i == target
            && let FrameItem::Group(group) = item
        {
            if rest.is_empty() {
                group.frame = new.clone();
            } else {
                replace(&mut group.frame, rest, new);
            }
        }
        i += 1;
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_text_leaves_may_change() {
        let old = json!({"0": {"number": "ก 1", "to": "นาย ก"}, "1": {"codes": [{"url": "a"}]}});
        let new = json!({"0": {"number": "ก 2", "to": "นาย ก"}, "1": {"codes": [{"url": "b"}]}});
        assert_eq!(
            changed_fields(&old, &new),
            Some(vec![
                ("0/number".to_string(), "ก 2".to_string()),
                ("1/codes/0/url".to_string(), "b".to_string()),
            ])
        );
        assert_eq!(changed_fields(&old, &old), Some(vec![]));
        let more = json!({"0": {"number": "ก 1", "to": "นาย ก", "cc": "x"}, "1": {"codes": [{"url": "a"}]}});
        assert_eq!(changed_fields(&old, &more), None);
        let fewer = json!({"0": {"number": "ก 1", "to": "นาย ก"}, "1": {"codes": []}});
        assert_eq!(changed_fields(&old, &fewer), None);
        let kind = json!({"0": {"number": 2, "to": "นาย ก"}, "1": {"codes": [{"url": "a"}]}});
        assert_eq!(changed_fields(&old, &kind), None);
    }
}
