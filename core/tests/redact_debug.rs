//! `Debug` of what a PostBack or a status answer gives never shows the instance's WebID: the
//! gateway appends it to PostBack URLs as `&wid=`, the same name as the key, and it may be it.

use witi::{PostbackLimits, decode_postback_for};

const WEB_ID: &str = "K3y+/=%41-witi-SECRET";

#[test]
fn event_and_status_debug_hide_the_web_id() {
    let body = format!(
        r#"[{{"status":10,"statusString":"authenticated","connected":true,"WebID":"{WEB_ID}","Webhook":"https://erp.example/hook?t=1&wid={WEB_ID}","storage":{{"Name":"{WEB_ID}","Bytes":5,"Files":1,"Subs":[{{"Name":"media","Bytes":5,"Files":1}}]}}}}]"#
    );
    let events = decode_postback_for(body.as_bytes(), Some(WEB_ID), &PostbackLimits::default())
        .expect("a status event");
    let event = &events[0];
    let status = event.status.as_ref().expect("a status event has a status");
    // The data is there for the handler...
    assert_eq!(status.web_id.as_deref(), Some(WEB_ID));
    assert_eq!(
        status.storage.as_ref().map(|n| n.name.as_str()),
        Some(WEB_ID)
    );
    assert_eq!(event.wid.as_deref(), Some(WEB_ID));
    // ...and no Debug form shows it, nor a fragment of it.
    for shown in [
        format!("{event:?}"),
        format!("{status:?}"),
        format!("{status:#?}"),
    ] {
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(!shown.contains("K3y"), "{shown}");
    }
    assert!(format!("{status:?}").contains("web_id: Some(\"<redacted>\")"));
}

#[test]
fn a_session_result_debug_hides_the_web_id_of_its_raw_text() {
    let result = witi::SessionResult {
        success: true,
        status: None,
        raw_json: format!(r#"{{"sucesso":true,"Status":"{{\"WebID\":\"{WEB_ID}\"}}"}}"#),
    };
    let shown = format!("{result:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
}
