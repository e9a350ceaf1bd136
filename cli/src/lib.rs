//! The `witi` command, as a library so that its tests can reach the pieces. `main.rs` parses
//! the command line and routes; each subcommand family lives in its own module.

pub mod api;
pub mod args;
pub mod connect;
pub mod demo;
pub mod fail;
pub mod listen;
pub mod messages;
pub mod qr;
pub mod show;
pub mod sim;
pub mod terminal;

use clap::CommandFactory as _;

use args::{Cli, Command};
use fail::Failure;

/// Runs a parsed command line to its end.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let json = cli.json;
    let invert = cli.invert();
    match cli.command {
        Command::Connect {
            wait,
            save_svg,
            user_agent,
            no_restore,
        } => {
            let restore = !no_restore;
            connect::command(
                &cli.server,
                wait,
                save_svg,
                user_agent,
                restore,
                json,
                invert,
            )
            .await
        }
        Command::Listen { host, port, token } => listen::run(host, port, token, json).await,
        Command::Sim {
            host,
            port,
            auto_scan_after,
            qr_ttl,
        } => sim::run(host, port, qr_ttl, auto_scan_after).await,
        Command::Demo { scan_after } => demo::run(scan_after, invert).await,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "witi", &mut std::io::stdout());
            Ok(())
        }
        ref api_call => api::run(api_call, &cli.server, json, invert).await,
    }
}
