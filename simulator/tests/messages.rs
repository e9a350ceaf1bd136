//! The Messages and Contacts chapters over real TCP: shapes, the link with status.aspx's
//! stats, refusals while not authenticated, the sent log and the profile rule.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use witi_sim::{InstanceConfig, ProfileOverrides, Simulator};

/// Pairs `key`'s phone at once: status 10.
pub async fn authenticated(sim: &Simulator, key: &str) {
    sim.set_instance_config(
        key,
        InstanceConfig {
            starting_delay_ms: Some(0),
            ..Default::default()
        },
    )
    .expect("config");
    let (_, qr) = post(sim, "generate_qrcode.aspx", key, json!({})).await;
    assert_eq!(qr["status"], 1);
    sim.scan(key, None).expect("scan");
    assert_eq!(sim.instance(key).expect("used").status, 10);
}

fn is_hex32(v: &Value, upper: bool) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 32
            && s.bytes().all(|b| {
                b.is_ascii_digit()
                    || (b'A'..=b'F').contains(&b)
                    || (!upper && (b'a'..=b'f').contains(&b))
            })
    })
}

#[tokio::test]
async fn everything_refused_or_empty_until_authenticated() {
    let sim = sim().await;
    for cmd in ["chats.aspx", "contacts.aspx"] {
        let (c, v) = get(&sim, cmd, "k").await;
        assert_eq!((c, v), (200, json!([])), "{cmd}");
    }
    let english = json!({"success": false, "message": null});
    let portuguese = json!({"sucesso": false, "mensagem": null});
    let to = "5511987654321@s.whatsapp.net";
    let cases = [
        (
            "send_message.aspx",
            json!({"number": to, "message": "hi"}),
            &english,
        ),
        (
            "send_message_file.aspx",
            json!({"number": to, "caption": "", "url": "https://x.test/a.pdf", "type": "file"}),
            &english,
        ),
        ("get_profile.aspx", json!({"number": to}), &portuguese),
        ("query_profile.aspx", json!({"number": to}), &portuguese),
        (
            "group_create.aspx",
            json!({"name": "g", "participants": to}),
            &english,
        ),
        (
            "group_add.aspx",
            json!({"jid": "1-2@g.us", "participants": to}),
            &english,
        ),
        (
            "group_remove.aspx",
            json!({"jid": "1-2@g.us", "participants": to}),
            &english,
        ),
    ];
    for (cmd, body, want) in cases {
        let (c, v) = post(&sim, cmd, "k", body).await;
        assert_eq!((c, &v), (200, want), "{cmd}");
    }
    let (_, status) = get(&sim, "status.aspx", "k").await;
    assert_eq!(status["stats"]["Contacts"], 0);
    assert_eq!(status["stats"]["Chats"], 0);
    assert!(sim.sent("k").unwrap().is_empty(), "nothing was sent");
    let snap = sim.instance("k").unwrap();
    assert_eq!(snap.calls["send_message.aspx"], 1);
    assert_eq!(snap.calls["group_remove.aspx"], 1);
    // Wrong method and malformed bodies as for the connection chapter.
    let r = client()
        .get(url(&sim, "send_message.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    let r = client()
        .post(url(&sim, "send_message.aspx", "k"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(json_of(r).await["status"], 0);
    let (c, _) = post(
        &sim,
        "send_message.aspx",
        "k",
        json!({"number": 5511, "message": "x"}),
    )
    .await;
    assert_eq!(c, 400, "a field of the wrong type");
    sim.shutdown().await;
}

#[tokio::test]
async fn chats_and_contacts_agree_with_status() {
    let sim = sim().await;
    authenticated(&sim, "k").await;
    let (_, status) = get(&sim, "status.aspx", "k").await;
    let web_id = status["WebID"].as_str().unwrap().to_owned();
    let (c, chats) = get(&sim, "chats.aspx", "k").await;
    assert_eq!(c, 200);
    let chats = chats.as_array().unwrap().clone();
    assert_eq!(
        chats.len() as u64,
        status["stats"]["Chats"].as_u64().unwrap()
    );
    assert_eq!(chats.len(), 32);
    let keys_want = sorted(&[
        "jid",
        "name",
        "spam",
        "count",
        "mute",
        "t",
        "archive",
        "modify_tag",
        "picture",
        "Lastupdate",
    ]);
    let groups = chats
        .iter()
        .filter(|c| c["jid"].as_str().unwrap().ends_with("@g.us"))
        .count();
    assert!(
        groups >= 1 && groups < chats.len(),
        "private chats and groups"
    );
    for chat in &chats {
        assert_eq!(keys(chat), keys_want);
        let jid = chat["jid"].as_str().unwrap();
        assert!(jid.ends_with("@s.whatsapp.net") || jid.ends_with("@g.us"));
        assert!(chat["mute"].is_string() && chat["spam"].is_boolean() && chat["t"].is_u64());
        let tag = chat["modify_tag"].as_str().unwrap();
        assert!(!tag.is_empty() && tag.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            chat["picture"],
            format!("{}get_picture.aspx?WID={web_id}&jid={jid}", sim.url())
        );
        assert!(chat["Lastupdate"].as_str().unwrap().len() >= 19);
    }
    assert!(
        chats
            .iter()
            .any(|c| c["Lastupdate"] == "0001-01-01T00:00:00")
    );
    assert!(chats.iter().any(|c| c["mute"] != ""), "some chat is muted");

    let (_, contacts) = get(&sim, "contacts.aspx", "k").await;
    let contacts = contacts.as_array().unwrap().clone();
    assert_eq!(
        contacts.len() as u64,
        status["stats"]["Contacts"].as_u64().unwrap()
    );
    let keys_want = sorted(&[
        "jid",
        "notify",
        "verify",
        "vname",
        "short",
        "name",
        "picture",
        "Lastupdate",
        "LastMessageTime",
        "biz",
        "status",
        "tag",
        "Count",
        "Mute",
        "Spam",
        "Archive",
        "isGroup",
    ]);
    for contact in &contacts {
        assert_eq!(keys(contact), keys_want);
        assert_eq!(contact["status"], 200);
        assert!(contact["Mute"].is_boolean());
        assert!(contact["tag"].is_null() || contact["tag"].is_string());
    }
    let updates: Vec<&str> = contacts
        .iter()
        .map(|c| c["Lastupdate"].as_str().unwrap())
        .collect();
    assert!(
        updates
            .iter()
            .any(|u| u.ends_with('Z') && u.len() == "2021-03-10T14:22:05.1234567Z".len())
    );
    assert!(updates.iter().any(|u| u.ends_with("-03:00")));
    // Stable between calls.
    let (_, again) = get(&sim, "contacts.aspx", "k").await;
    assert_eq!(again.as_array().unwrap(), &contacts);
    // A base URL with a prefix shows in the URLs.
    let r = client()
        .get(format!("{}api/v1/chats.aspx?wid=k", sim.url()))
        .send()
        .await
        .unwrap();
    let v = json_of(r).await;
    assert!(
        v[0]["picture"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}api/v1/get_picture.aspx?", sim.url()))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn send_text_and_files_then_read_the_log() {
    let sim = sim().await;
    authenticated(&sim, "k").await;
    let to = "5511987654321@s.whatsapp.net";
    let (c, v) = post(
        &sim,
        "send_message.aspx",
        "k",
        json!({"number": to, "message": "*oi*\nola"}),
    )
    .await;
    assert_eq!(c, 200);
    assert_eq!(v["success"], true);
    assert_eq!(keys(&v["message"]), sorted(&["Id"]));
    assert!(is_hex32(&v["message"]["Id"], true), "{v}");
    let text_id = v["message"]["Id"].clone();
    // Failures: no JID, bare number, no text.
    for body in [
        json!({"message": "x"}),
        json!({"number": "5511987654321", "message": "x"}),
        json!({"number": to}),
    ] {
        let (_, v) = post(&sim, "send_message.aspx", "k", body).await;
        assert_eq!(v, json!({"success": false, "message": null}));
    }
    let web_id = sim.instance("k").unwrap().web_id;
    // By URL: a document, then an image.
    let (_, v) = post(
        &sim,
        "send_message_file.aspx",
        "k",
        json!({"number": to, "caption": "nota", "url": "https://x.test/n.pdf", "type": "file", "filename": "n.pdf"}),
    )
    .await;
    assert_eq!(v["success"], true, "{v}");
    let m = &v["message"];
    assert_eq!(keys(m), sorted(&["MessageID", "Url", "jpegThumbnail"]));
    assert!(is_hex32(&m["MessageID"], false));
    let id = m["MessageID"].as_str().unwrap();
    assert_eq!(m["Url"], format!("{}static/{web_id}/media/{id}", sim.url()));
    assert_eq!(m["jpegThumbnail"], "");
    let (_, v) = post(
        &sim,
        "send_message_file.aspx",
        "k",
        json!({"number": to, "caption": "", "url": "https://x.test/p.jpg", "type": "image/jpeg"}),
    )
    .await;
    let thumb = STANDARD
        .decode(v["message"]["jpegThumbnail"].as_str().unwrap())
        .unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
    // Inline.
    let data = vec![7u8; 100_000];
    let (_, v) = post(
        &sim,
        "send_message_file.aspx",
        "k",
        json!({"number": "1-2@g.us", "caption": "c", "mimetype": "application/pdf", "base64": STANDARD.encode(&data)}),
    )
    .await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["message"]["jpegThumbnail"], "");
    // Failures: neither, both, bad base64, no type.
    for body in [
        json!({"number": to, "caption": ""}),
        json!({"number": to, "url": "https://x.test/a", "type": "file", "mimetype": "a/b", "base64": "AAAA"}),
        json!({"number": to, "mimetype": "a/b", "base64": "!!not base64!!"}),
        json!({"number": to, "url": "https://x.test/a"}),
    ] {
        let (_, v) = post(&sim, "send_message_file.aspx", "k", body).await;
        assert_eq!(v, json!({"success": false, "message": null}));
    }
    // The log, oldest first.
    let (c, log) = control(&sim, "GET", "_sim/instances/k/sent", None).await;
    assert_eq!(c, 200);
    let log = log.as_array().unwrap().clone();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0]["command"], "send_message");
    assert_eq!(log[0]["id"], text_id);
    assert_eq!(log[0]["message"], "*oi*\nola");
    assert_eq!(log[0]["number"], to);
    assert_eq!(log[1]["type"], "file");
    assert_eq!(log[1]["filename"], "n.pdf");
    assert_eq!(log[1]["caption"], "nota");
    assert_eq!(log[3]["bytes"], 100_000);
    let hex: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(log[3]["sha256"], hex);
    assert_eq!(log[3]["mimetype"], "application/pdf");
    assert_eq!(
        log.iter()
            .map(|m| m["seq"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(log[0]["at_ms"].as_u64().unwrap() > 1_600_000_000_000);
    let typed = sim.sent("k").unwrap();
    assert_eq!(typed.len(), 4);
    assert_eq!(typed[3].bytes, Some(100_000));
    let (c, v) = control(&sim, "DELETE", "_sim/instances/k/sent", None).await;
    assert_eq!((c, v), (200, json!([])));
    assert!(sim.sent("k").unwrap().is_empty());
    let (c, _) = control(&sim, "GET", "_sim/instances/nobody/sent", None).await;
    assert_eq!(c, 404);
    // Too big for the body limit.
    let big = "A".repeat(9 * 1024 * 1024);
    let r = client()
        .post(url(&sim, "send_message_file.aspx", "k"))
        .body(format!(
            r#"{{"number":"{to}","mimetype":"a/b","base64":"{big}"}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    sim.shutdown().await;
}

#[tokio::test]
async fn profiles_follow_the_rule_and_the_overrides() {
    let sim = sim().await;
    authenticated(&sim, "k").await;
    let (_, contacts) = get(&sim, "contacts.aspx", "k").await;
    let contact = contacts[0]["jid"].as_str().unwrap().to_owned();
    let number = contact.trim_end_matches("@s.whatsapp.net").to_owned();
    let web_id = sim.instance("k").unwrap().web_id;
    for cmd in ["get_profile.aspx", "query_profile.aspx"] {
        let (_, v) = post(&sim, cmd, "k", json!({"number": contact})).await;
        assert_eq!(v["sucesso"], true, "{cmd}: {v}");
        assert_eq!(v["mensagem"]["jid"], contact.as_str());
        assert_eq!(v["mensagem"]["name"], contacts[0]["name"]);
        assert_eq!(
            v["mensagem"]["picture"],
            format!(
                "{}static/{web_id}/profile/{number}.jpeg?h={number}",
                sim.url()
            )
        );
    }
    let stranger = "5521912345671@s.whatsapp.net";
    let absent = "5521912345670@s.whatsapp.net";
    let fail = json!({"sucesso": false, "mensagem": null});
    let (_, v) = post(&sim, "get_profile.aspx", "k", json!({"number": stranger})).await;
    assert_eq!(v, fail, "not a contact");
    let (_, v) = post(&sim, "query_profile.aspx", "k", json!({"number": stranger})).await;
    assert_eq!(v["sucesso"], true);
    assert_eq!(v["mensagem"]["isGroup"], false);
    let (_, v) = post(&sim, "query_profile.aspx", "k", json!({"number": absent})).await;
    assert_eq!(v, fail, "ends in 0: not on WhatsApp");
    let (_, v) = post(
        &sim,
        "query_profile.aspx",
        "k",
        json!({"number": "5521912345671"}),
    )
    .await;
    assert_eq!(v, fail, "not a JID");
    // Overrides, over HTTP and in Rust.
    let (c, v) = control(
        &sim,
        "POST",
        "_sim/instances/k/profiles",
        Some(json!({"on_whatsapp": [absent], "not_on_whatsapp": [stranger, contact]})),
    )
    .await;
    assert_eq!(c, 200, "{v}");
    assert_eq!(v["on_whatsapp"], json!([absent]));
    let (_, v) = post(&sim, "query_profile.aspx", "k", json!({"number": absent})).await;
    assert_eq!(v["sucesso"], true);
    let (_, v) = post(&sim, "query_profile.aspx", "k", json!({"number": stranger})).await;
    assert_eq!(v, fail);
    let (_, v) = post(&sim, "query_profile.aspx", "k", json!({"number": contact})).await;
    assert_eq!(v, fail, "overrides win over the contact list");
    let (_, v) = post(&sim, "get_profile.aspx", "k", json!({"number": contact})).await;
    assert_eq!(
        v["sucesso"], true,
        "get_profile reads the contact list only"
    );
    let now = sim
        .set_profiles(
            "k",
            ProfileOverrides {
                on_whatsapp: vec![stranger.into()],
                not_on_whatsapp: vec![],
            },
        )
        .unwrap();
    assert!(now.on_whatsapp.contains(&stranger.to_owned()));
    let (c, v) = control(&sim, "DELETE", "_sim/instances/k/profiles", None).await;
    assert_eq!(
        (c, v),
        (200, json!({"on_whatsapp": [], "not_on_whatsapp": []}))
    );
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/k/profiles",
        Some(json!({"on_whatsapp": ["no digits"]})),
    )
    .await;
    assert_eq!(c, 400);
    sim.shutdown().await;
}
