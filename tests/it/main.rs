//! Integration tests, in one binary so the suite links the crate once.

mod cli;
mod dates;
mod docnum;
mod fuzz;
mod money;
mod render;
mod seeds;
mod support;
