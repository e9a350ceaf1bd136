//! The Messages/Contacts/Groups parsers against the shapes of the documentation's examples
//! (`shared/spec/messages-contacts-groups.md`) and the ways they may drift.

use super::*;
use crate::redact::Redactor;

static REDACTOR: std::sync::LazyLock<Redactor> =
    std::sync::LazyLock::new(|| Redactor::new("K3y-witi-SECRET"));

fn body<'a>(command: &'static str, text: &'a str) -> Body<'a> {
    Body {
        command,
        text,
        content_type: Some("application/json"),
        redactor: &REDACTOR,
    }
}

#[test]
fn chats_read_the_documented_fields_and_quirks() {
    let text = r#"[
      {"jid":"5511987654321@s.whatsapp.net","name":"Ana","spam":false,"count":3,"mute":"",
       "t":1700000000,"archive":false,"modify_tag":"123456","picture":"https://api.witi.me/get_picture.aspx?WID=W&jid=1",
       "Lastupdate":"0001-01-01T00:00:00"},
      {"jid":"120363@g.us","name":"Team","count":"2","mute":"1700003600","t":0,"archive":"true",
       "Lastupdate":"2024-05-01T10:00:00.1234567Z"}
    ]"#;
    let chats = chats_response(&body("chats.aspx", text)).unwrap();
    assert_eq!(chats.len(), 2);
    let ana = &chats[0];
    assert_eq!(ana.jid.as_deref(), Some("5511987654321@s.whatsapp.net"));
    assert_eq!(ana.unread_count, Some(3));
    assert_eq!(ana.muted, Some(false));
    assert_eq!(ana.mute_until, None);
    assert_eq!(ana.last_message_time, Some(1_700_000_000));
    assert_eq!(ana.modify_tag.as_deref(), Some("123456"));
    assert_eq!(ana.last_update, None, ".NET's MinValue is never");
    assert!(ana.raw_json.contains("\"modify_tag\""));
    let team = &chats[1];
    assert_eq!(team.unread_count, Some(2), "a quoted number is read");
    assert_eq!(team.muted, Some(true));
    assert_eq!(team.mute_until.as_deref(), Some("1700003600"));
    assert_eq!(team.last_message_time, None, "0 is never");
    assert_eq!(team.archived, Some(true));
    assert_eq!(
        team.last_update.as_deref(),
        Some("2024-05-01T10:00:00.1234567Z")
    );
}

#[test]
fn empty_list_answers_are_empty_lists() {
    for text in [
        "",
        "  ",
        "null",
        "[]",
        "\u{feff}[]",
        r#"{"success":true,"message":null}"#,
    ] {
        assert!(
            chats_response(&body("chats.aspx", text))
                .unwrap()
                .is_empty(),
            "{text:?}"
        );
        assert!(
            contacts_response(&body("contacts.aspx", text))
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn a_success_envelope_around_a_list_is_read_like_the_bare_list() {
    let text = r#"{"success":true,"message":[{"jid":"1@s.whatsapp.net"},null,{"jid":"2@g.us"}]}"#;
    let chats = chats_response(&body("chats.aspx", text)).unwrap();
    assert_eq!(chats.len(), 2);
    assert_eq!(chats[1].jid.as_deref(), Some("2@g.us"));
    assert_eq!(chats[0].raw_json, r#"{"jid":"1@s.whatsapp.net"}"#);
    let e = chats_response(&body("chats.aspx", r#"{"success":true,"message":[1]}"#)).unwrap_err();
    assert_eq!(e.code().as_str(), "decode");
}

#[test]
fn list_refusals_and_garbage_are_typed_errors() {
    let e = chats_response(&body("chats.aspx", r#"{"success":false,"message":null}"#)).unwrap_err();
    assert_eq!(e.code().as_str(), "api");
    assert!(e.to_string().starts_with("chats.aspx:"), "{e}");
    for text in ["<html>502</html>", "[1, 2]", "\"x\"", "[{\"jid\":"] {
        let e = contacts_response(&body("contacts.aspx", text)).unwrap_err();
        assert_eq!(e.code().as_str(), "decode", "{text}");
    }
}

#[test]
fn contacts_take_mute_as_a_bool_and_mistyped_fields_as_absent() {
    let text = r#"[{"jid":"5511@s.whatsapp.net","notify":"Ana B","verify":"0","vname":"","short":"Ana",
      "name":"Ana Bezerra","Lastupdate":"2023-01-01T12:00:00-03:00","LastMessageTime":1690000000,
      "biz":true,"status":200,"tag":null,"Count":{"odd":1},"Mute":true,"Spam":false,"Archive":false,"isGroup":false}]"#;
    let c = &contacts_response(&body("contacts.aspx", text)).unwrap()[0];
    assert_eq!(c.push_name.as_deref(), Some("Ana B"));
    assert_eq!(c.short_name.as_deref(), Some("Ana"));
    assert_eq!(c.verified_name, None, "an empty string is absent");
    assert_eq!(c.last_update.as_deref(), Some("2023-01-01T12:00:00-03:00"));
    assert_eq!(c.is_business, Some(true));
    assert_eq!(c.status, Some(200));
    assert_eq!(c.tag, None);
    assert_eq!(
        c.unread_count, None,
        "an object where a number belongs is absent"
    );
    assert_eq!(c.muted, Some(true));
    assert_eq!(c.is_group, Some(false));
}

#[test]
fn profiles_say_no_with_none() {
    let yes =
        r#"{"sucesso":true,"mensagem":{"jid":"5511@s.whatsapp.net","notify":"Ana","status":200}}"#;
    let p = profile_response(&body("query_profile.aspx", yes))
        .unwrap()
        .unwrap();
    assert_eq!(p.jid.as_deref(), Some("5511@s.whatsapp.net"));
    for no in [
        r#"{"sucesso":false,"mensagem":null}"#,
        r#"{"sucesso":true,"mensagem":null}"#,
        r#"{"success":false}"#,
    ] {
        assert_eq!(
            profile_response(&body("get_profile.aspx", no)).unwrap(),
            None,
            "{no}"
        );
    }
    let e = profile_response(&body(
        "get_profile.aspx",
        r#"{"error":"Not authenticated"}"#,
    ))
    .unwrap_err();
    assert_eq!(e.code().as_str(), "api");
    let e = profile_response(&body("get_profile.aspx", "[]")).unwrap_err();
    assert_eq!(e.code().as_str(), "decode");
}

#[test]
fn sent_messages_take_both_id_spellings() {
    let text = r#"{"success":true,"message":{"Id":"3EB0C767D26A1D0F8D5B5D7F1E2A4B6C"}}"#;
    let m = sent_response(&body("send_message.aspx", text)).unwrap();
    assert_eq!(m.id, "3EB0C767D26A1D0F8D5B5D7F1E2A4B6C");
    assert_eq!(m.url, None);
    let text = r#"{"success":true,"message":{"MessageID":"ABCDEF0123456789ABCDEF0123456789",
        "Url":"https://api.witi.me/static/W/media/ABCDEF0123456789ABCDEF0123456789","jpegThumbnail":""}}"#;
    let m = sent_response(&body("send_message_file.aspx", text)).unwrap();
    assert_eq!(m.id, "ABCDEF0123456789ABCDEF0123456789");
    assert!(
        m.url
            .unwrap()
            .ends_with("/media/ABCDEF0123456789ABCDEF0123456789")
    );
    assert_eq!(m.jpeg_thumbnail, None, "an empty thumbnail is absent");
}

#[test]
fn send_refusals_name_the_command() {
    let e = sent_response(&body(
        "send_message.aspx",
        r#"{"success":false,"message":null}"#,
    ))
    .unwrap_err();
    assert_eq!(e.code().as_str(), "api");
    assert_eq!(e.command(), Some("send_message.aspx"));
    for text in [
        r#"{"success":true,"message":{}}"#,
        r#"{"message":{"Id":"X"}}"#,
        "",
    ] {
        let e = sent_response(&body("send_message.aspx", text)).unwrap_err();
        assert_eq!(e.code().as_str(), "decode", "{text}");
    }
}

#[test]
fn groups_parse_the_inner_json_and_keep_its_text() {
    let info = r#"{"id":"120363042@g.us","subject":"Sales","owner":"5511@s.whatsapp.net","subjectOwner":"5511@s.whatsapp.net","creation":1700000000,"subjectTime":1700000001,"participants":[{"id":"5511@s.whatsapp.net","isAdmin":true,"isSuperAdmin":true},{"isAdmin":false,"isSuperAdmin":false}]}"#;
    let text = serde_json::json!({"success": true, "message": {
        "name": "Sales", "isGroup": true, "OriginalPicture": "", "LastPresenceTime": 0,
        "GroupInformation": info}})
    .to_string();
    let g = group_response(&body("group_create.aspx", &text)).unwrap();
    assert_eq!(
        g.jid.as_deref(),
        Some("120363042@g.us"),
        "the id of the inner document"
    );
    assert_eq!(g.information_json.as_deref(), Some(info));
    let i = g.information.unwrap();
    assert_eq!(i.subject.as_deref(), Some("Sales"));
    assert_eq!(i.creation, Some(1_700_000_000));
    assert_eq!(i.participants.len(), 2);
    assert_eq!(i.participants[0].is_super_admin, Some(true));
    assert_eq!(i.participants[1].id, None);
    assert_eq!(g.original_picture, None);
    assert_eq!(g.last_presence_time, None);

    let broken = r#"{"success":true,"message":{"jid":"1@g.us","GroupInformation":"{not json"}}"#;
    let g = group_response(&body("group_add.aspx", broken)).unwrap();
    assert_eq!(g.information, None);
    assert_eq!(g.information_json.as_deref(), Some("{not json"));
}

#[test]
fn any_response_is_the_json_with_refusals_as_errors() {
    assert_eq!(any_response(&body("x.aspx", "")).unwrap(), Value::Null);
    assert_eq!(
        any_response(&body("x.aspx", r#"{"ok":1}"#)).unwrap(),
        serde_json::json!({"ok": 1})
    );
    for text in [
        r#"{"sucesso":false}"#,
        r#"{"success":"false"}"#,
        r#"{"error":"no"}"#,
    ] {
        let e = any_response(&body("mark_read.aspx", text)).unwrap_err();
        assert_eq!(e.code().as_str(), "api", "{text}");
        assert_eq!(e.command(), Some("mark_read.aspx"));
    }
    assert_eq!(
        any_response(&body("x.aspx", "nope"))
            .unwrap_err()
            .code()
            .as_str(),
        "decode"
    );
}

#[test]
fn a_list_of_millions_of_tiny_items_is_a_decode_error_not_gigabytes() {
    // 8 MiB of `{}` made 2.8 million models (1.6 GB and 17 s in Python's chats()).
    let n = MAX_LIST_ITEMS + 1;
    let text = format!("[{}]", vec!["{}"; n].join(","));
    for command in ["chats.aspx", "contacts.aspx"] {
        let e = chats_response(&body(command, &text))
            .map(|_| ())
            .unwrap_err();
        assert_eq!(e.code().as_str(), "decode", "{e}");
        assert!(e.to_string().contains("more than"), "{e}");
    }
    let e = contacts_response(&body(
        "contacts.aspx",
        &format!("{{\"success\":true,\"message\":{text}}}"),
    ))
    .map(|_| ())
    .unwrap_err();
    assert_eq!(e.code().as_str(), "decode", "{e}");
    // At the cap, still a list.
    let text = format!("[{}]", vec!["{}"; MAX_LIST_ITEMS].join(","));
    assert_eq!(
        chats_response(&body("chats.aspx", &text)).unwrap().len(),
        MAX_LIST_ITEMS
    );
}
