//! The standalone `witi-sim` server, for test suites in other languages.
//! Prints exactly one line to stdout, `witi-sim listening on http://HOST:PORT/`, then logs to
//! stderr only.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;
use witi_sim::{SimConfig, Simulator};

/// A stateful simulator of the witi.me WhatsApp API (connection, messages, contacts, groups).
#[derive(Parser, Debug)]
#[command(name = "witi-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one; the first stdout line tells which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// QR code lifetime in seconds (fractions allowed).
    #[arg(long, value_name = "SECS", default_value_t = 20.0)]
    qr_ttl: f64,
    /// Scan every QR code automatically this many seconds after it is generated.
    #[arg(long, value_name = "SECS")]
    auto_scan_after: Option<f64>,
    /// Time spent in status 4 (Starting) before 10 (WhatsAppAuthenticated).
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    starting_delay_ms: u64,
    /// Batching window of bulk PostBacks.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    bulk_window_ms: u64,
    /// Exit when standard input reaches end of file (so a dying parent never leaves us running).
    #[arg(long)]
    exit_on_stdin_eof: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("witi-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let mut config = SimConfig {
        addr: SocketAddr::new(args.host, args.port),
        ..SimConfig::default()
    };
    let patch = witi_sim::InstanceConfig {
        qr_ttl_ms: Some(witi_sim::millis_from_secs(args.qr_ttl, "--qr-ttl")?.max(1)),
        auto_scan_after_ms: Some(
            args.auto_scan_after
                .map(|s| witi_sim::millis_from_secs(s, "--auto-scan-after"))
                .transpose()?,
        ),
        starting_delay_ms: Some(args.starting_delay_ms),
        bulk_window_ms: Some(args.bulk_window_ms),
        ..Default::default()
    };
    config.defaults.apply(&patch).map_err(|e| e.to_string())?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let sim = Simulator::start(config)
            .await
            .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "witi-sim listening on {}", sim.url())
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write to stdout: {e}"))?;
        }
        wait_for_stop(args.exit_on_stdin_eof).await;
        tracing::info!("shutting down");
        sim.shutdown().await;
        Ok(())
    })
}

/// Returns on SIGINT, SIGTERM, or stdin's end of file when asked to watch it.
async fn wait_for_stop(watch_stdin: bool) {
    let stdin_eof = async {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        // A plain thread: reading stdin blocks, and this one must not hold up shutdown.
        let spawned = std::thread::Builder::new()
            .name("stdin-watch".into())
            .spawn(move || {
                let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
                let _ = tx.send(());
            });
        if spawned.is_err() {
            return std::future::pending::<()>().await;
        }
        let _ = rx.await;
        tracing::info!("stdin closed");
    };
    tokio::select! {
        _ = stdin_eof => {}
        _ = terminate() => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn terminate() {
    let _ = tokio::signal::ctrl_c().await;
}
