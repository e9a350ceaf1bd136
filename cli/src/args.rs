//! The command line, as clap reads it. Every subcommand of the API maps to one call of the
//! core; the options that reach the server (key, base URL, timeout, retries) are global.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

/// The exit codes, one per error code of the SDK, so a script can branch on what went wrong.
pub const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   an error outside the API (a file could not be written, the simulator could not start)
  2   bad usage (unknown option, missing value)
  3   api               the server answered and said no (its text is printed)
  4   auth              the server rejected the key (HTTP 401/403)
  5   rate_limited      HTTP 429 (the wait it asked for is printed when it sent one)
  6   http_status       any other non-2xx answer
  7   timeout           no full answer within --timeout (or connect's --wait)
  8   connection        the request could not be sent or the connection broke (listen:
                        the port could not be bound)
  9   decode            the answer is not the JSON the command answers with
  10  invalid_argument  the input is wrong (empty key, bad URL, bad number, a --body that
                        is not JSON, ...), nothing was sent
  11  postback          a PostBack body could not be decoded
  12  no                not an error: the answer is no (`profile` found no profile, `check`
                        found a number not on WhatsApp); the answers are printed

The key is read from --api-key or WITI_API_KEY (prefer the variable: a command line is
visible to other users of the machine). It is never printed.";

/// witi: the witi.me WhatsApp connection API from a terminal.
#[derive(Parser, Debug)]
#[command(name = "witi", version, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print JSON instead of a readable summary (errors too, on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Draw QR codes without colours for light text on a dark background (the light modules
    /// are drawn in the text colour). Without --invert or --no-invert, QR codes are drawn
    /// black on white in ANSI colours, or saved to a file when colours are off.
    #[arg(long, global = true, overrides_with = "no_invert")]
    pub invert: bool,
    /// Draw QR codes without colours for dark text on a light background.
    #[arg(long, global = true, overrides_with = "invert")]
    pub no_invert: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// How to reach the API. `Debug` is written by hand: it must not print the key.
#[derive(Args, Clone)]
pub struct ServerArgs {
    /// The instance's API key.
    #[arg(long, global = true, env = "WITI_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The API's base URL (default: api.witi.me over HTTPS).
    #[arg(long, global = true, env = "WITI_BASE_URL")]
    pub base_url: Option<String>,
    /// Seconds to wait for each answer.
    #[arg(long, global = true, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Retries of a failed call (only when it is safe to repeat).
    #[arg(long, global = true, value_name = "N", default_value_t = 2)]
    pub max_retries: u32,
    /// At most N connections to the API at once (further calls wait within --timeout).
    #[arg(long, global = true, value_name = "N", default_value_t = witi::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// A proxy for every request (http://, https://, socks5://, socks5h://). Without it,
    /// HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY decide; loopback is always direct.
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
}

impl Cli {
    /// The explicit choice of `--invert` / `--no-invert` (the last given wins), if any.
    pub fn invert(&self) -> Option<bool> {
        match (self.invert, self.no_invert) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

impl std::fmt::Debug for ServerArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerArgs")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("max_connections", &self.max_connections)
            .field("proxy", &self.proxy.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Pair a phone: restore a saved session, or show a QR in the terminal (a fresh one when it
    /// expires) until it is scanned.
    Connect {
        /// Give up after this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 300.0)]
        wait: f64,
        /// Also write each QR image (SVG) to this file.
        #[arg(long, value_name = "FILE")]
        save_svg: Option<PathBuf>,
        /// The browser user agent the session presents to WhatsApp.
        #[arg(long)]
        user_agent: Option<String>,
        /// Do not try restore_session first (in status 11, or 0 with a saved session): go
        /// straight to a QR code.
        #[arg(long)]
        no_restore: bool,
    },
    /// Generate a QR code and show it (one call; `connect` runs the whole pairing).
    Qrcode {
        /// The browser user agent the session presents to WhatsApp.
        #[arg(long)]
        user_agent: Option<String>,
        /// Write the QR image (SVG) to this file.
        #[arg(long, value_name = "FILE")]
        save_svg: Option<PathBuf>,
    },
    /// Show the connection status.
    Status,
    /// Disconnect the phone (the session can be restored).
    Disconnect,
    /// Close the session.
    CloseSession,
    /// Save the session.
    SaveSession,
    /// Restore the saved session.
    RestoreSession,
    /// Clear the instance (forget the session).
    Clear,
    /// Change the instance's configuration (only the options given).
    SetConfig {
        /// The URL that receives PostBacks (webhook events).
        #[arg(long)]
        webhook: Option<String>,
        /// The browser user agent the session presents to WhatsApp.
        #[arg(long)]
        user_agent: Option<String>,
        /// The API version (1.1 allows bulk PostBacks).
        #[arg(long)]
        api_version: Option<String>,
        /// Whether PostBacks may come in bulk (true/false).
        #[arg(long, value_name = "BOOL")]
        bulk: Option<bool>,
    },
    /// List the phone's chats (people and groups).
    Chats,
    /// List the phone's contacts.
    Contacts,
    /// Send a text message.
    Send {
        /// The recipient: a JID (…@s.whatsapp.net, a group's …@g.us) or an international
        /// number (+55 11 98765-4321).
        to: String,
        /// The text. WhatsApp formatting works: *bold*, _italic_, ~strike~.
        text: String,
    },
    /// Send a file: by URL (the gateway downloads it) or a local file (sent inline).
    #[command(group(ArgGroup::new("source").required(true).args(["url", "file"])))]
    SendFile {
        /// The recipient: a JID or an international number.
        to: String,
        /// The file's http(s) URL, which the gateway downloads.
        #[arg(long)]
        url: Option<String>,
        /// A local file, sent inline (at most 64 MiB).
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
        /// The MIME type (image/jpeg, application/pdf), or `file` for a document. Without it,
        /// the CLI guesses it from the name's extension (of PATH, or of the URL's path), and
        /// sends `file` when the extension is unknown.
        #[arg(long, value_name = "TYPE")]
        mime_type: Option<String>,
        /// The text shown under the file.
        #[arg(long)]
        caption: Option<String>,
        /// The name the recipient sees (with --url only: the inline form has no such field).
        #[arg(long)]
        filename: Option<String>,
    },
    /// Show the profile of a number in the phone's contacts (exit code 12 when there is none).
    Profile {
        /// A JID or an international number.
        number: String,
        /// Ask WhatsApp about any number (query_profile), not only the phone's contacts
        /// (get_profile).
        #[arg(long)]
        query: bool,
    },
    /// Check whether numbers are on WhatsApp: exit code 0 when all are, 12 when some are not.
    Check {
        /// JIDs or international numbers; all are checked for form before any request.
        #[arg(required = true, value_name = "NUMBER")]
        numbers: Vec<String>,
    },
    /// Create WhatsApp groups and add people to them.
    Group {
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// Call any command of the API (mark_read, send_contact, group_remove, …) and print its
    /// JSON answer: a GET without --body, a POST with it.
    Call {
        /// The command: `mark_read` or `mark_read.aspx`.
        command: String,
        /// The request's JSON body.
        #[arg(long, value_name = "JSON")]
        body: Option<String>,
        /// The command only reads: a timeout, 429 or 5xx may then be retried. Without it the
        /// call is never repeated once it may have reached the server.
        #[arg(long)]
        read_only: bool,
    },
    /// Receive PostBacks: run a webhook receiver and print each event.
    Listen {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Require `token=T` in each request's query (put it in the webhook URL).
        #[arg(long, value_name = "T")]
        token: Option<String>,
    },
    /// Run the simulator of the API on this machine and print its URL.
    Sim {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Scan every QR automatically this many seconds after it is generated.
        #[arg(long, value_name = "SECS")]
        auto_scan_after: Option<f64>,
        /// QR code lifetime in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 20.0)]
        qr_ttl: f64,
    },
    /// Walk the whole lifecycle on an embedded simulator, printing each step and PostBack.
    Demo {
        /// Seconds before the simulated phone scans the QR.
        #[arg(long, value_name = "SECS", default_value_t = 2.0)]
        scan_after: f64,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// Create a group (the paired phone is its owner).
    Create {
        /// The group's name.
        name: String,
        /// Its members: JIDs or international numbers.
        #[arg(required = true, value_name = "PARTICIPANT")]
        participants: Vec<String>,
    },
    /// Add people to a group.
    Add {
        /// The group's JID (…@g.us).
        group: String,
        /// JIDs or international numbers.
        #[arg(required = true, value_name = "PARTICIPANT")]
        participants: Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    #[test]
    fn the_last_of_invert_and_no_invert_wins() {
        let invert = |args: &[&str]| {
            let mut line = vec!["witi"];
            line.extend_from_slice(args);
            line.push("qrcode");
            super::Cli::parse_from(line).invert()
        };
        assert_eq!(invert(&[]), None);
        assert_eq!(invert(&["--invert"]), Some(true));
        assert_eq!(invert(&["--no-invert"]), Some(false));
        assert_eq!(invert(&["--invert", "--no-invert"]), Some(false));
        assert_eq!(invert(&["--no-invert", "--invert"]), Some(true));
    }

    /// The command line that reaches each call of the core's table (`witi::for_each_call!`):
    /// a call added to the core fails this test until the CLI has a command for it.
    #[test]
    fn every_call_of_the_core_has_a_command() {
        let number = "+55 11 98765-4321";
        let commands: &[(&str, &[&str])] = &[
            ("generate_qrcode", &["qrcode"]),
            ("status", &["status"]),
            ("disconnect", &["disconnect"]),
            ("close_session", &["close-session"]),
            ("save_session", &["save-session"]),
            ("restore_session", &["restore-session"]),
            ("clear", &["clear"]),
            ("set_config", &["set-config", "--bulk", "true"]),
            ("chats", &["chats"]),
            ("contacts", &["contacts"]),
            ("send_message", &["send", number, "hi"]),
            ("send_file", &["send-file", number, "--file", "a.pdf"]),
            ("get_profile", &["profile", number]),
            ("query_profile", &["profile", "--query", number]),
            ("is_on_whatsapp", &["check", number]),
            ("group_create", &["group", "create", "Team", number]),
            ("group_add", &["group", "add", "1-2@g.us", number]),
            ("call", &["call", "mark_read", "--body", "{}"]),
        ];
        for name in witi::calls::NAMES {
            let (_, args) = commands
                .iter()
                .find(|(call, _)| call == name)
                .unwrap_or_else(|| panic!("the core's call {name} has no command in the CLI"));
            let line = std::iter::once(&"witi").chain(args.iter());
            if let Err(e) = super::Cli::try_parse_from(line) {
                panic!("{name}: {args:?} does not parse: {e}");
            }
        }
    }

    #[test]
    fn debug_never_prints_the_key() {
        let cli = super::Cli::parse_from([
            "witi",
            "--api-key",
            "S3CRET-KEY",
            "--proxy",
            "http://u:PR0XY-PASS@p:1",
            "status",
        ]);
        let text = format!("{cli:?}");
        assert!(
            !text.contains("S3CRET-KEY")
                && !text.contains("PR0XY-PASS")
                && text.contains("<redacted>"),
            "{text}"
        );
    }
}
