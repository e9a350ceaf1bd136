//! `witi`: the witi.me WhatsApp connection API from a terminal. See `witi --help`.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = witi_cli::args::Cli::parse();
    let json = cli.json;
    // The core's runtime: the same one every binding uses.
    match witi::runtime::block_on(witi_cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let text = failure.render(json);
            if !text.is_empty() {
                eprintln!("{text}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
