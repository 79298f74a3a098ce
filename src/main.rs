//! The `saraban` command: wires the library to a command line.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("saraban: {err:#}");
            ExitCode::from(2)
        }
    }
}
