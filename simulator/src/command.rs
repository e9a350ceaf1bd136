//! The commands the simulator speaks: the eight of the connection chapter and those of the
//! Messages, Contacts and Groups chapters. Kept apart from wire.rs so that adding a chapter
//! does not grow the JSON shapes' file, and so that routing, faults and call counters share
//! one list.

/// Every command, by its path segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Command {
    GenerateQrcode,
    Status,
    Disconnect,
    CloseSession,
    SaveSession,
    RestoreSession,
    Clear,
    SetConfig,
    Chats,
    SendMessage,
    SendMessageFile,
    Contacts,
    GetProfile,
    QueryProfile,
    GroupCreate,
    GroupAdd,
    GroupRemove,
}

impl Command {
    /// How many commands there are (the size of per-instance call counters).
    pub(crate) const COUNT: usize = 17;

    pub(crate) const ALL: [Command; Command::COUNT] = [
        Command::GenerateQrcode,
        Command::Status,
        Command::Disconnect,
        Command::CloseSession,
        Command::SaveSession,
        Command::RestoreSession,
        Command::Clear,
        Command::SetConfig,
        Command::Chats,
        Command::SendMessage,
        Command::SendMessageFile,
        Command::Contacts,
        Command::GetProfile,
        Command::QueryProfile,
        Command::GroupCreate,
        Command::GroupAdd,
        Command::GroupRemove,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Command::GenerateQrcode => "generate_qrcode.aspx",
            Command::Status => "status.aspx",
            Command::Disconnect => "disconnect.aspx",
            Command::CloseSession => "close_session.aspx",
            Command::SaveSession => "save_session.aspx",
            Command::RestoreSession => "restore_session.aspx",
            Command::Clear => "clear.aspx",
            Command::SetConfig => "set_config.aspx",
            Command::Chats => "chats.aspx",
            Command::SendMessage => "send_message.aspx",
            Command::SendMessageFile => "send_message_file.aspx",
            Command::Contacts => "contacts.aspx",
            Command::GetProfile => "get_profile.aspx",
            Command::QueryProfile => "query_profile.aspx",
            Command::GroupCreate => "group_create.aspx",
            Command::GroupAdd => "group_add.aspx",
            Command::GroupRemove => "group_remove.aspx",
        }
    }

    /// Index into per-instance call counters.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn is_post(self) -> bool {
        !matches!(
            self,
            Command::Status
                | Command::Disconnect
                | Command::CloseSession
                | Command::SaveSession
                | Command::RestoreSession
                | Command::Clear
                | Command::Chats
                | Command::Contacts
        )
    }

    /// Commands of the Messages, Contacts and Groups chapters: their answers hold URLs built
    /// from the base URL the client used.
    pub(crate) fn needs_base_url(self) -> bool {
        self.index() >= Command::Chats.index()
    }

    /// Accepts `status.aspx` and, for the control API's convenience, `status`.
    pub(crate) fn parse(name: &str) -> Option<Command> {
        let stem = name.strip_suffix(".aspx").unwrap_or(name);
        Command::ALL
            .into_iter()
            .find(|c| c.name().strip_suffix(".aspx") == Some(stem))
    }

    /// Routing accepts only the real names (with `.aspx`).
    pub(crate) fn from_path_segment(segment: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.name() == segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names() {
        assert_eq!(Command::parse("status"), Some(Command::Status));
        assert_eq!(Command::parse("status.aspx"), Some(Command::Status));
        assert_eq!(Command::parse("send_message"), Some(Command::SendMessage));
        assert_eq!(Command::from_path_segment("status"), None);
        for (i, c) in Command::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
        assert!(Command::Chats.needs_base_url() && !Command::Clear.needs_base_url());
        assert!(!Command::Contacts.is_post() && Command::GroupRemove.is_post());
    }
}
