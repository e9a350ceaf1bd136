//! The results of the Messages, Contacts and Groups calls (`Chat`, `Contact`, `Group`,
//! `GroupInformation`, `GroupParticipant`, `SentMessage`) to their classes in
//! `witi/_models.py`, in the field order declared there (which is the core's).
//!
//! The classes are looked up on first use (the connection results' are handed over by
//! `init_types` at import): a result of these calls is never built before `import witi`.

use super::{Class, ToPy};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

struct Types {
    chat: Class,
    contact: Class,
    group: Class,
    group_information: Class,
    group_participant: Class,
    sent_message: Class,
}

static TYPES: PyOnceLock<Types> = PyOnceLock::new();

fn types(py: Python<'_>) -> PyResult<&Types> {
    TYPES.get_or_try_init(py, || {
        let models = py.import("witi._models")?;
        let models = models.as_any();
        Ok(Types {
            chat: Class::load(models, "Chat")?,
            contact: Class::load(models, "Contact")?,
            group: Class::load(models, "Group")?,
            group_information: Class::load(models, "GroupInformation")?,
            group_participant: Class::load(models, "GroupParticipant")?,
            sent_message: Class::load(models, "SentMessage")?,
        })
    })
}

impl ToPy for witi::Chat {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py;
            &self.jid,
            &self.name,
            self.unread_count,
            self.muted,
            &self.mute_until,
            self.spam,
            self.archived,
            self.last_message_time,
            &self.modify_tag,
            &self.picture,
            &self.last_update,
            &self.raw_json,
        ];
        types(py)?.chat.build(py, args)
    }
}

impl ToPy for witi::Contact {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py;
            &self.jid,
            &self.push_name,
            &self.name,
            &self.short_name,
            &self.verified_name,
            &self.verify,
            &self.picture,
            &self.last_update,
            self.last_message_time,
            self.is_business,
            self.status,
            &self.tag,
            self.unread_count,
            self.muted,
            self.spam,
            self.archived,
            self.is_group,
            &self.raw_json,
        ];
        types(py)?.contact.build(py, args)
    }
}

impl ToPy for witi::Group {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py;
            &self.jid,
            &self.name,
            &self.picture,
            &self.original_picture,
            &self.last_update,
            self.last_presence_time,
            self.information.to_py(py)?,
            &self.information_json,
            &self.raw_json,
        ];
        types(py)?.group.build(py, args)
    }
}

impl ToPy for witi::GroupInformation {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let participants = self
            .participants
            .iter()
            .map(|p| p.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        let args = args![py;
            &self.id,
            &self.subject,
            &self.owner,
            &self.subject_owner,
            self.creation,
            self.subject_time,
            PyTuple::new(py, participants)?,
        ];
        types(py)?.group_information.build(py, args)
    }
}

impl ToPy for witi::GroupParticipant {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; &self.id, self.is_admin, self.is_super_admin];
        types(py)?.group_participant.build(py, args)
    }
}

impl ToPy for witi::SentMessage {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; &self.id, &self.url, &self.jpeg_thumbnail, &self.raw_json];
        types(py)?.sent_message.build(py, args)
    }
}

impl ToPy for bool {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.into_bound_py_any(py)
    }
}

/// `call`'s answer: plain Python data.
impl ToPy for witi::calls::Json {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::json::to_py(py, self)
    }
}

/// One value of each of these types with every field set (each to a value of its own), beside
/// the core's JSON of it: a test compares that JSON with the Python object's `to_dict()`, so
/// a field added, renamed or built in the wrong order in `_models.py` or here fails it.
#[pyfunction]
pub fn model_samples(py: Python<'_>) -> PyResult<Vec<(Bound<'_, PyAny>, String)>> {
    let text = |s: &str| Some(s.to_owned());
    let participant = witi::GroupParticipant {
        id: text("p1@s.whatsapp.net"),
        is_admin: Some(true),
        is_super_admin: Some(false),
    };
    let information = witi::GroupInformation {
        id: text("g1@g.us"),
        subject: text("subject"),
        owner: text("owner@s.whatsapp.net"),
        subject_owner: text("subject-owner@s.whatsapp.net"),
        creation: Some(11),
        subject_time: Some(12),
        participants: vec![participant.clone()],
    };
    let chat = witi::Chat {
        jid: text("c1@s.whatsapp.net"),
        name: text("chat name"),
        unread_count: Some(1),
        muted: Some(true),
        mute_until: text("mute until"),
        spam: Some(false),
        archived: Some(true),
        last_message_time: Some(2),
        modify_tag: text("123"),
        picture: text("chat picture"),
        last_update: text("chat last update"),
        raw_json: "{\"chat\":1}".into(),
    };
    let contact = witi::Contact {
        jid: text("k1@s.whatsapp.net"),
        push_name: text("push name"),
        name: text("contact name"),
        short_name: text("short name"),
        verified_name: text("verified name"),
        verify: text("verify"),
        picture: text("contact picture"),
        last_update: text("contact last update"),
        last_message_time: Some(3),
        is_business: Some(true),
        status: Some(200),
        tag: text("tag"),
        unread_count: Some(4),
        muted: Some(false),
        spam: Some(true),
        archived: Some(false),
        is_group: Some(true),
        raw_json: "{\"contact\":1}".into(),
    };
    let group = witi::Group {
        jid: text("g1@g.us"),
        name: text("group name"),
        picture: text("group picture"),
        original_picture: text("original picture"),
        last_update: text("group last update"),
        last_presence_time: Some(5),
        information: Some(information.clone()),
        information_json: text("{\"id\":\"g1@g.us\"}"),
        raw_json: "{\"group\":1}".into(),
    };
    let sent = witi::SentMessage {
        id: "ABC".into(),
        url: text("sent url"),
        jpeg_thumbnail: text("thumbnail"),
        raw_json: "{\"sent\":1}".into(),
    };
    fn pair<'py, T: ToPy + serde::Serialize>(
        py: Python<'py>,
        value: &T,
    ) -> PyResult<(Bound<'py, PyAny>, String)> {
        let json = serde_json::to_string(value)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok((value.to_py(py)?, json))
    }
    Ok(vec![
        pair(py, &chat)?,
        pair(py, &contact)?,
        pair(py, &group)?,
        pair(py, &information)?,
        pair(py, &participant)?,
        pair(py, &sent)?,
    ])
}
