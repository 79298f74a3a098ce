//! Integration tests, in one binary so the suite links the crate once.

mod browser;
mod cli;
mod dates;
mod db;
mod docnum;
mod fuzz;
mod imports;
mod login;
mod money;
mod parse;
mod registers;
mod render;
mod routing;
mod seeds;
mod store;
mod support;
mod web;
