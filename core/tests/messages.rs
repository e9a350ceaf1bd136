//! The Messages, Contacts and Groups calls against the simulator, for what the corpus cannot
//! say in one scenario: values carried from one call to the next (a group's JID, a contact's
//! number), a file read from a path, and printed results that hide the WebID.

use std::time::Duration;
use witi::{Client, FileMessage, StatusCode};
use witi_sim::Simulator;

async fn paired(sim: &Simulator, key: &str) -> Client {
    let client = Client::builder()
        .api_key(key)
        .base_url(sim.url())
        .build()
        .expect("a client");
    sim.force_status(key, 10, None)
        .expect("the simulator forces status 10");
    let status = client
        .wait_for_status(
            &[StatusCode::Authenticated],
            Duration::from_secs(5),
            Duration::from_millis(20),
        )
        .await
        .expect("authenticated");
    assert_eq!(status.code, StatusCode::Authenticated);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_grows_and_shows_in_chats() {
    let sim = Simulator::start_default().await.expect("the simulator");
    let client = paired(&sim, "groups-SECRET").await;
    let before = client.chats().await.expect("chats").len();
    let group = client
        .group_create("Sales", &["+55 11 98765-4321"])
        .await
        .expect("group_create");
    let jid = group.jid.clone().expect("a group JID");
    assert!(jid.ends_with("@g.us"), "{jid}");
    let info = group.information.as_ref().expect("GroupInformation parsed");
    let members = info.participants.len();
    assert_eq!(info.subject.as_deref(), Some("Sales"));
    assert!(group.information_json.is_some());

    let grown = client
        .group_add(&jid, &["14155550123", "14155550124@s.whatsapp.net"])
        .await
        .expect("group_add");
    assert_eq!(
        grown.information.expect("parsed").participants.len(),
        members + 2
    );
    let chats = client.chats().await.expect("chats");
    assert_eq!(chats.len(), before + 1);
    assert!(chats.iter().any(|c| c.jid.as_deref() == Some(jid.as_str())));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_has_a_profile_and_counts_match_the_status() {
    let sim = Simulator::start_default().await.expect("the simulator");
    let client = paired(&sim, "contacts-SECRET").await;
    let contacts = client.contacts().await.expect("contacts");
    let status = client.status().await.expect("status");
    let stats = status.stats.expect("stats");
    assert_eq!(stats.contacts, Some(contacts.len() as i64));
    assert_eq!(
        stats.chats,
        Some(client.chats().await.expect("chats").len() as i64)
    );

    let jid = contacts[0].jid.clone().expect("a contact JID");
    let profile = client
        .get_profile(&jid)
        .await
        .expect("get_profile")
        .expect("a contact has a profile");
    assert_eq!(profile.jid.as_deref(), Some(jid.as_str()));
    assert!(client.is_on_whatsapp(&jid).await.expect("query_profile"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_by_path_is_sent_inline_and_printed_results_hide_the_web_id() {
    let sim = Simulator::start_default().await.expect("the simulator");
    let key = "files-SECRET";
    let client = paired(&sim, key).await;
    let dir = std::env::temp_dir().join(format!("witi-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join("note.txt");
    std::fs::write(&path, b"hello file").expect("write");
    let sent = client
        .send_file(
            "5511987654321",
            &FileMessage::path(&path, "text/plain").caption("a note"),
        )
        .await
        .expect("send_file by path");
    let log = sim.sent(key).expect("a sent log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].bytes, Some(10));
    assert_eq!(log[0].id, sent.id);

    // The media URL holds the WebID; no printed form shows it.
    let web_id = client
        .status()
        .await
        .expect("status")
        .web_id
        .expect("a WebID");
    assert!(sent.url.as_deref().expect("a media URL").contains(&web_id));
    for shown in [
        format!("{sent:?}"),
        format!("{:?}", client.chats().await.expect("chats")),
        format!("{:?}", client.contacts().await.expect("contacts")),
    ] {
        assert!(!shown.contains(&web_id), "{shown}");
        assert!(!shown.contains(key), "{shown}");
    }

    let missing = client
        .send_file(
            "5511987654321",
            &FileMessage::path(dir.join("absent"), "file"),
        )
        .await
        .expect_err("no such file");
    assert_eq!(missing.code().as_str(), "invalid_argument");
    assert!(!missing.to_string().contains("absent"), "{missing}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert_eq!(
        sim.sent(key).expect("log").len(),
        1,
        "nothing more was sent"
    );
    sim.shutdown().await;
}

/// `call`'s command is printed whole in errors and logs, and joined to the URL: a command that
/// holds the key (pasted in the wrong argument, in any case) is refused before any request,
/// and the error does not quote it. It used to be sent, and the 404 error read
/// `Key-In-Command-SECRET.aspx: the server answered HTTP 404`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_whose_command_holds_the_key_is_refused_without_printing_it() {
    let sim = Simulator::start_default().await.expect("the simulator");
    let key = "Key-In-Command-SECRET";
    let client = Client::builder()
        .api_key(key)
        .base_url(sim.url())
        .build()
        .expect("a client");
    for command in [
        key.to_owned(),
        format!("{key}.aspx"),
        format!("x_{}", key.to_ascii_lowercase()),
    ] {
        let e = client.call(&command, None, false).await.unwrap_err();
        assert_eq!(e.code().as_str(), "invalid_argument", "{e}");
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(
                !shown
                    .to_ascii_lowercase()
                    .contains(&key.to_ascii_lowercase()),
                "{shown}"
            );
        }
    }
    let calls = sim.instance(key).map(|s| s.calls.len()).unwrap_or(0);
    assert_eq!(calls, 0, "no request was made");
    // An ordinary command still goes.
    assert!(client.call("status", None, false).await.is_ok());
    sim.shutdown().await;
}

/// A `call` body deeper than `MAX_BODY_DEPTH` is refused before any request, the same in
/// every language (Python refused past 129 levels, Node past 127, Kotlin's JVM died).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_body_nested_too_deep_is_refused_before_sending() {
    let sim = Simulator::start_default().await.expect("the simulator");
    let key = "deep-body-SECRET";
    let client = Client::builder()
        .api_key(key)
        .base_url(sim.url())
        .build()
        .expect("a client");
    let nested = |levels: usize| {
        let mut v = serde_json::Value::Null;
        for _ in 0..levels {
            v = serde_json::Value::Array(vec![v]);
        }
        v
    };
    let e = client
        .call("deep", Some(&nested(witi::MAX_BODY_DEPTH + 1)), true)
        .await
        .unwrap_err();
    assert_eq!(e.code().as_str(), "invalid_argument", "{e}");
    assert!(e.to_string().contains("nested deeper than 100"), "{e}");
    assert_eq!(sim.instance(key).map(|s| s.calls.len()).unwrap_or(0), 0);
    // At the limit it is sent (the simulator does not know the command: 404).
    let e = client
        .call("deep", Some(&nested(witi::MAX_BODY_DEPTH)), false)
        .await
        .unwrap_err();
    assert_eq!(e.code().as_str(), "http_status", "{e}");
    sim.shutdown().await;
}

/// A server on loopback that answers every request with `body` (HTTP 200, JSON).
async fn canned(body: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/", listener.local_addr().expect("an address"));
    let body = std::sync::Arc::new(body);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_list_larger_than_other_answers_is_read_whole() {
    // 24,000 contacts of ~400 bytes: about 9.6 MB, past the 8 MiB that bounds other answers.
    let contact = format!(
        r#"{{"jid":"5511900000000@s.whatsapp.net","notify":"{}","name":"A contact","Lastupdate":"2024-05-01T10:00:00.1234567Z","biz":false,"status":200,"Count":0,"Mute":false,"Spam":false,"Archive":false,"isGroup":false}}"#,
        "n".repeat(200)
    );
    let items = 24_000;
    let body = format!("[{}]", vec![contact.as_str(); items].join(","));
    assert!(body.len() > 8 * 1024 * 1024, "{} bytes", body.len());
    let url = canned(body).await;
    let client = Client::builder()
        .api_key("big-list-SECRET")
        .base_url(&url)
        .build()
        .expect("a client");
    assert_eq!(client.contacts().await.expect("a large list").len(), items);
    // Other answers keep the 8 MiB bound.
    let e = client
        .call("contacts", None, false)
        .await
        .expect_err("call's answers are bounded at 8 MiB");
    assert_eq!(e.code().as_str(), "decode", "{e}");
    assert!(e.to_string().contains("larger than"), "{e}");
}
