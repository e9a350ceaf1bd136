//! The Groups chapter over real TCP: the group object with its GroupInformation string, and
//! groups showing in chats.aspx and status.aspx's stats.

mod common;

use common::*;
use serde_json::{Value, json};
use witi_sim::{InstanceConfig, Simulator};

async fn authenticated(sim: &Simulator, key: &str) {
    sim.set_instance_config(
        key,
        InstanceConfig {
            starting_delay_ms: Some(0),
            ..Default::default()
        },
    )
    .expect("config");
    post(sim, "generate_qrcode.aspx", key, json!({})).await;
    sim.scan(key, None).expect("scan");
}

fn info(group: &Value) -> Value {
    let text = group["GroupInformation"].as_str().expect("a string");
    serde_json::from_str(text).expect("JSON inside the string")
}

fn member_ids(info: &Value) -> Vec<String> {
    info["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_add_remove() {
    let sim = sim().await;
    authenticated(&sim, "k").await;
    let (_, status) = get(&sim, "status.aspx", "k").await;
    let me = status["ConnectionInfo"]["wid"].as_str().unwrap().to_owned();
    let (a, b, c) = (
        "5511900000001@s.whatsapp.net",
        "5511900000002@s.whatsapp.net",
        "5511900000003@s.whatsapp.net",
    );
    let (code, v) = post(
        &sim,
        "group_create.aspx",
        "k",
        json!({"name": "Equipe", "participants": format!("{a}, {b}")}),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(v["success"], true, "{v}");
    let g = &v["message"];
    assert_eq!(
        keys(g),
        sorted(&[
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
            "OriginalPicture",
            "LastPresenceTime",
            "GroupInformation",
        ])
    );
    assert_eq!(g["isGroup"], true);
    assert_eq!(g["name"], "Equipe");
    let i = info(g);
    let jid = i["id"].as_str().unwrap().to_owned();
    assert_eq!(g["jid"], jid.as_str());
    let (left, right) = jid.trim_end_matches("@g.us").split_once('-').unwrap();
    assert!(
        left.bytes()
            .chain(right.bytes())
            .all(|b| b.is_ascii_digit())
    );
    assert_eq!(i["subject"], "Equipe");
    assert_eq!(i["owner"], me.as_str());
    assert_eq!(i["subjectOwner"], me.as_str());
    assert!(i["creation"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(i["subjectTime"], i["creation"]);
    assert_eq!(member_ids(&i), [me.as_str(), a, b]);
    assert_eq!(i["participants"][0]["isSuperAdmin"], true);
    assert_eq!(i["participants"][0]["isAdmin"], true);
    assert_eq!(i["participants"][1]["isAdmin"], false);

    // It is a chat now, and the stats agree.
    let (_, chats) = get(&sim, "chats.aspx", "k").await;
    assert_eq!(chats.as_array().unwrap().len(), 33);
    assert!(
        chats
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["jid"] == jid.as_str())
    );
    let (_, status) = get(&sim, "status.aspx", "k").await;
    assert_eq!(status["stats"]["Chats"], 33);

    // A second group in the same second gets another id.
    let (_, v2) = post(
        &sim,
        "group_create.aspx",
        "k",
        json!({"name": "B", "participants": a}),
    )
    .await;
    assert_ne!(info(&v2["message"])["id"], jid.as_str());

    let (_, v) = post(
        &sim,
        "group_add.aspx",
        "k",
        json!({"jid": jid, "participants": format!("{c},{a}")}),
    )
    .await;
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(member_ids(&info(&v["message"])), [me.as_str(), a, b, c]);
    let (_, v) = post(
        &sim,
        "group_remove.aspx",
        "k",
        json!({"jid": jid, "participants": b}),
    )
    .await;
    assert_eq!(member_ids(&info(&v["message"])), [me.as_str(), a, c]);

    let fail = json!({"success": false, "message": null});
    for (cmd, body) in [
        (
            "group_add.aspx",
            json!({"jid": "1-2@g.us", "participants": a}),
        ),
        (
            "group_add.aspx",
            json!({"jid": jid, "participants": "nope"}),
        ),
        ("group_remove.aspx", json!({"jid": jid, "participants": me})),
        ("group_create.aspx", json!({"participants": a})),
        (
            "group_create.aspx",
            json!({"name": "x", "participants": ""}),
        ),
        (
            "group_create.aspx",
            json!({"name": "x", "participants": "5511"}),
        ),
    ] {
        let (_, v) = post(&sim, cmd, "k", body).await;
        assert_eq!(v, fail, "{cmd}");
    }
    let (code, _) = post(
        &sim,
        "group_create.aspx",
        "k",
        json!({"name": "x", "participants": [a]}),
    )
    .await;
    assert_eq!(code, 400, "participants is one string");

    // A base group (in chats before any create) can grow too.
    let base = chats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["jid"].as_str().unwrap().ends_with("@g.us") && c["jid"] != jid.as_str())
        .unwrap()["jid"]
        .clone();
    let (_, v) = post(
        &sim,
        "group_add.aspx",
        "k",
        json!({"jid": base, "participants": c}),
    )
    .await;
    assert_eq!(v["success"], true);
    assert!(member_ids(&info(&v["message"])).contains(&c.to_owned()));
    let (_, chats) = get(&sim, "chats.aspx", "k").await;
    assert_eq!(
        chats.as_array().unwrap().len(),
        34,
        "changing a base group adds no chat"
    );
    sim.shutdown().await;
}
