//! PNG previews of documents, rendered once per content and kept in a
//! bounded in-memory cache: the same letter is shown on the inbox, the
//! delivery page and the document page, and a numbered letter never
//! changes. Page 1 of a document with annexes is rendered from its main
//! part alone (annexes start on new pages, so page 1 is the same).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::model::Document;
use crate::render::SignatureImage;

/// At most this many bytes of PNG are kept.
const BUDGET: usize = 64 * 1024 * 1024;

type Key = [u8; 32];

#[derive(Default)]
struct Inner {
    map: HashMap<Key, Arc<Vec<u8>>>,
    order: VecDeque<Key>,
    bytes: usize,
}

/// Rendered previews by (content, signature images, page, resolution).
#[derive(Default, Clone)]
pub struct PreviewCache(Arc<Mutex<Inner>>);

impl PreviewCache {
    pub fn key(doc: &Document, signatures: &[SignatureImage], page: usize, dpi: f32) -> Key {
        let mut h = Sha256::new();
        h.update(serde_json::to_vec(doc).expect("documents serialise"));
        for s in signatures {
            h.update(Sha256::digest(s.name.as_bytes()));
            h.update(Sha256::digest(&s.bytes));
        }
        h.update(page.to_le_bytes());
        h.update(dpi.to_le_bytes());
        h.finalize().into()
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Vec<u8>>> {
        self.0.lock().expect("cache lock").map.get(key).cloned()
    }

    pub fn put(&self, key: Key, png: Arc<Vec<u8>>) {
        let mut inner = self.0.lock().expect("cache lock");
        if png.len() > BUDGET || inner.map.contains_key(&key) {
            return;
        }
        inner.bytes += png.len();
        inner.map.insert(key, png);
        inner.order.push_back(key);
        while inner.bytes > BUDGET {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(v) = inner.map.remove(&old) {
                inner.bytes -= v.len();
            }
        }
    }
}

/// What to lay out for page `page`: page 1 needs only the main part.
pub fn for_page(doc: Document, page: usize) -> Document {
    if page <= 1 && !doc.annexes.is_empty() {
        Document {
            annexes: Vec::new(),
            ..doc
        }
    } else {
        doc
    }
}
