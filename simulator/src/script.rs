//! Scripted `status.aspx` answers: a test plays a gateway's exact sequence (0, 3, 4, 11, 10;
//! an unknown code; a whole odd body) without a stub server of its own.
//!
//! A script only overrides **answers**: each `status.aspx` call takes the next scripted answer
//! while the state machine underneath goes on as usual (a QR code generated during a script is
//! live, expires and can be scanned; every other command sees the real state). When the script
//! runs out, status.aspx answers from the state machine again.

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::Value;

use crate::config::SimError;

/// Most answers one script may hold: a test needs a handful; the cap bounds memory.
pub(crate) const MAX_ANSWERS: usize = 1000;

/// One scripted answer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scripted {
    /// The instance's connection information with this status code (and its standard string;
    /// `ConnectionInfo` for 4, 10, 11; `connected` for 10), as a forced status shows it.
    Code(i64),
    /// This JSON body, sent as is.
    Body(Vec<u8>),
}

/// The answers still to play, first first.
#[derive(Debug, Default)]
pub(crate) struct StatusScript {
    answers: VecDeque<Scripted>,
}

impl StatusScript {
    pub(crate) fn next(&mut self) -> Option<Scripted> {
        self.answers.pop_front()
    }

    pub(crate) fn len(&self) -> usize {
        self.answers.len()
    }

    /// Replaces the script (an empty list clears it).
    pub(crate) fn set(&mut self, answers: Vec<Scripted>) {
        self.answers = answers.into();
    }
}

/// The control API's body: `{"answers": [0, 3, {"status": 4, ...}, 11, 10]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScriptBody {
    pub answers: Vec<Value>,
}

/// Each answer as a [`Scripted`]: an integer is a code, an object a whole body.
pub(crate) fn parse_answers(answers: &[Value]) -> Result<Vec<Scripted>, SimError> {
    if answers.len() > MAX_ANSWERS {
        return Err(SimError::Invalid(format!(
            "a status script holds at most {MAX_ANSWERS} answers"
        )));
    }
    answers
        .iter()
        .enumerate()
        .map(|(i, answer)| match answer {
            Value::Number(n) => n.as_i64().map(Scripted::Code).ok_or_else(|| {
                SimError::Invalid(format!("answers[{i}]: a status code is an integer"))
            }),
            Value::Object(_) => Ok(Scripted::Body(crate::wire::to_json(answer))),
            _ => Err(SimError::Invalid(format!(
                "answers[{i}]: give a status code (integer) or a whole body (object)"
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codes_and_bodies_parse_and_others_are_refused() {
        let parsed = parse_answers(&[json!(3), json!({"status": 4})]).unwrap();
        assert_eq!(parsed[0], Scripted::Code(3));
        assert_eq!(parsed[1], Scripted::Body(br#"{"status":4}"#.to_vec()));
        for bad in [json!("3"), json!(1.5), json!(null), json!([1])] {
            assert!(parse_answers(std::slice::from_ref(&bad)).is_err(), "{bad}");
        }
        assert!(parse_answers(&vec![json!(0); MAX_ANSWERS + 1]).is_err());
    }

    #[test]
    fn answers_play_in_order_then_run_out() {
        let mut script = StatusScript::default();
        script.set(vec![Scripted::Code(0), Scripted::Code(10)]);
        assert_eq!(script.next(), Some(Scripted::Code(0)));
        assert_eq!(script.len(), 1);
        assert_eq!(script.next(), Some(Scripted::Code(10)));
        assert_eq!(script.next(), None);
    }
}
