//! The Messages, Contacts and Groups subcommands (`chats`, `contacts`, `send`, `send-file`,
//! `profile`, `check`, `group …`) and `call`, the generic one: one core call each (`check`
//! one per number), the result printed as a table or a summary, or as its JSON with `--json`.
//!
//! The CLI decides only what is about the command line: the MIME type guessed from a file
//! name when none is given, `--body` parsed as JSON, and the exit code 12 of a "no" answer.
//! Everything about the API (recipients, file sizes, retries) is the core's.

use serde::Serialize;
use serde_json::Value;
use witi::{Client, FileMessage};

use crate::api::write_stdout;
use crate::args::{Command, GroupCommand};
use crate::fail::Failure;
use crate::show::messages as show;

/// The MIME type of a file from its name's extension, by `mime_guess`'s table; `file` (a
/// document, the API's word for "any file") when the extension is missing or unknown.
pub fn guess_mime_type(file_name: &str) -> String {
    match std::path::Path::new(file_name).extension() {
        Some(_) => mime_guess::from_path(file_name)
            .first_raw()
            .unwrap_or("file")
            .to_owned(),
        None => "file".to_owned(),
    }
}

/// The last segment of a URL's path (no query, no fragment, not the host): `b.png` for
/// `https://host/a/b.png?x=1`, `""` for `https://host/`.
pub fn url_file_name(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    match rest.find('/') {
        Some(at) => rest[at..].rsplit('/').next().unwrap_or_default(),
        None => "",
    }
}

/// One number's answer in `check --json`.
#[derive(Serialize)]
pub struct Check {
    /// As given on the command line.
    pub number: String,
    /// The JID it was checked as.
    pub jid: String,
    pub on_whatsapp: bool,
}

/// Prints `value` as pretty JSON, or the readable `summary`.
fn emit(
    json: bool,
    value: &impl Serialize,
    summary: impl FnOnce() -> String,
) -> Result<(), Failure> {
    if json {
        let text = serde_json::to_string_pretty(value).map_err(Failure::local)?;
        write_stdout(&format!("{text}\n"))
    } else {
        write_stdout(&summary())
    }
}

/// Runs one of this module's subcommands with `client`.
pub async fn run(client: &Client, command: &Command, json: bool) -> Result<(), Failure> {
    match command {
        Command::Chats => {
            let chats = client.chats().await?;
            emit(json, &chats, || show::chats(&chats))
        }
        Command::Contacts => {
            let contacts = client.contacts().await?;
            emit(json, &contacts, || show::contacts(&contacts))
        }
        Command::Send { to, text } => {
            let sent = client.send_message(to, text).await?;
            emit(json, &sent, || show::sent(&sent))
        }
        Command::SendFile {
            to,
            url,
            file,
            mime_type,
            caption,
            filename,
        } => {
            let (mut message, name) = match (url, file) {
                (Some(url), _) => (FileMessage::url(url, ""), url_file_name(url).to_owned()),
                (None, Some(path)) => (
                    FileMessage::path(path, ""),
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                ),
                (None, None) => return Err(Failure::local("send-file needs --url or --file")),
            };
            message.mime_type = mime_type.clone().unwrap_or_else(|| guess_mime_type(&name));
            message.caption = caption.clone();
            message.filename = filename.clone();
            let sent = client.send_file(to, &message).await?;
            emit(json, &sent, || {
                let how = match mime_type {
                    Some(_) => "",
                    None if message.mime_type == "file" => " (no known extension: a document)",
                    None => " (guessed from the extension)",
                };
                let mut text = show::sent(&sent);
                text.push_str(&format!("{:<14}{}{how}\n", "mime type", message.mime_type));
                text
            })
        }
        Command::Profile { number, query } => {
            let profile = if *query {
                client.query_profile(number).await?
            } else {
                client.get_profile(number).await?
            };
            emit(json, &profile, || {
                profile.as_ref().map(show::contact).unwrap_or_default()
            })?;
            match profile {
                Some(_) => Ok(()),
                None if *query => Err(Failure::No(
                    "no profile: the number is not on WhatsApp, or the phone is not paired".into(),
                )),
                None => Err(Failure::No(
                    "no profile: the number is not in the phone's contacts, or the phone is \
                     not paired (--query asks about any number)"
                        .into(),
                )),
            }
        }
        Command::Check { numbers } => check(client, numbers, json).await,
        Command::Group { command } => {
            let group = match command {
                GroupCommand::Create { name, participants } => {
                    client.group_create(name, participants).await?
                }
                GroupCommand::Add {
                    group,
                    participants,
                } => client.group_add(group, participants).await?,
            };
            emit(json, &group, || show::group(&group))
        }
        Command::Call {
            command,
            body,
            read_only,
        } => {
            let body = body
                .as_deref()
                .map(serde_json::from_str::<Value>)
                .transpose()
                .map_err(|e| Failure::Invalid(format!("--body is not JSON: {e}")))?;
            let answer = client.call(command, body.as_ref(), !read_only).await?;
            // The answer is JSON either way; serde escapes any control character in it.
            emit(true, &answer, String::new)
        }
        other => Err(Failure::local(format!("not an API command: {other:?}"))),
    }
}

/// `check`: every number checked for form first (a typo fails before any request), then
/// asked about one after the other; exit code 12 when some are not on WhatsApp.
async fn check(client: &Client, numbers: &[String], json: bool) -> Result<(), Failure> {
    let jids = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| {
            witi::recipient::to_jid(n).map_err(|e| {
                let why = e.to_string();
                let why = why.strip_prefix("invalid argument: ").unwrap_or(&why);
                Failure::Invalid(format!("number {} ({n:?}): {why}", i + 1))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut answers = Vec::with_capacity(numbers.len());
    for (number, jid) in numbers.iter().zip(jids) {
        let on_whatsapp = client.is_on_whatsapp(&jid).await?;
        answers.push(Check {
            number: number.clone(),
            jid,
            on_whatsapp,
        });
    }
    emit(json, &answers, || show::checks(&answers))?;
    let not = answers.iter().filter(|a| !a.on_whatsapp).count();
    if not == 0 {
        Ok(())
    } else {
        Err(Failure::No(format!(
            "{not} of {} not on WhatsApp (or the phone is not paired)",
            answers.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::{guess_mime_type, url_file_name};

    #[test]
    fn the_mime_type_comes_from_the_extension_else_file() {
        assert_eq!(guess_mime_type("Report.PDF"), "application/pdf");
        assert_eq!(guess_mime_type("photo.jpeg"), "image/jpeg");
        assert_eq!(guess_mime_type("README"), "file");
        assert_eq!(guess_mime_type(""), "file");
        assert_eq!(guess_mime_type("data.witi-unknown"), "file");
    }

    #[test]
    fn a_urls_file_name_is_the_last_segment_of_its_path() {
        assert_eq!(
            url_file_name("https://example.com/a/b.png?size=2#top"),
            "b.png"
        );
        assert_eq!(url_file_name("https://example.com/a/b.png#x.pdf"), "b.png");
        // The host is not a file name (`.com` would be a Windows program).
        assert_eq!(url_file_name("https://example.com"), "");
        assert_eq!(url_file_name("https://example.com/"), "");
        assert_eq!(url_file_name("https://example.com?f=a.pdf"), "");
        assert_eq!(url_file_name("https://example.com/dir/"), "");
    }
}
