//! The domain as plain data: the kinds of document and their parts, with
//! validation. No I/O. These structs are what `saraban render` reads from
//! JSON, what the registry stores, and what the templates are fed (through
//! `render::view`).

pub mod common;
pub mod document;
pub mod kinds;
pub mod reply_form;
pub mod validate;

pub use common::*;
pub use document::*;
pub use kinds::*;
pub use validate::{FieldError, Validate};
