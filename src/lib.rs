//! saraban: Thai government correspondence (หนังสือราชการ).
//!
//! The crate is layered; see `ARCHITECTURE.md`. The pure layer (`thai`,
//! `docnum`, `codes`) does no I/O and imports nothing above it.

pub mod app;
pub mod codes;
pub mod docnum;
pub mod intake;
pub mod lint;
pub mod mailer;
pub mod model;
pub mod parse;
pub mod render;
pub mod sign;
pub mod store;
pub mod thai;
pub mod web;
