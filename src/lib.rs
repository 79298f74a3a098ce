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

/// mimalloc, not glibc's malloc, for every program built on the library
/// (the command, its benches and tests alike): Typst allocates and frees
/// many small objects per layout, and under glibc a page image was
/// megabytes fresh from the kernel each time (docs/benchmarks.md, issue
/// 23, session 15). The crate is an application; no one else links it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
