//! The `saraban` command: wires the library to a command line.
//!
//! Output closed early (`saraban orgs list | head`) ends the command quietly
//! with status 0, as with other Unix tools: Rust ignores SIGPIPE, so a
//! write to a closed pipe fails with `BrokenPipe`, which `println!` turns
//! into a panic and `writeln!` into an error; both are caught here.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Whether a panic is `println!`'s report of a closed stdout.
fn closed_stdout(message: &str) -> bool {
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}

fn main() -> ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload_as_str().is_some_and(closed_stdout) {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err)
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("saraban: {err:#}");
            ExitCode::from(2)
        }
    }
}
