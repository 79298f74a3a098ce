//! Integration tests, in one binary so the suite links the crate once.

mod audit;
mod browser;
mod cli;
mod dates;
mod db;
mod docnum;
mod fuzz;
mod imports;
mod intake;
mod login;
mod money;
mod ocr;
mod official;
mod pages_right;
mod parse;
mod registers;
mod render;
mod routing;
mod secrets;
mod seeds;
mod sign;
mod store;
mod support;
mod web;
