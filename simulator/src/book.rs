//! The phone's data as the gateway shows it once paired: 72 contacts, 28 private chats and 4
//! groups, plus the groups made with group_create.aspx. Contacts and base chats are not stored:
//! they are drawn again on every call from a per-instance seed (the same answer every time),
//! so 100,000 idle instances cost a few bytes each. Only what clients change is stored
//! (groups created or changed, profile overrides, the log of sent messages), each bounded.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::groups::Group;
use crate::messages::SentLog;
use crate::wire::Stats;

/// Contacts in the phone's address book (the seed's `stats.Contacts`).
pub(crate) const CONTACTS: usize = 72;
/// Contacts that have a private chat; with the base groups, the seed's 32 `stats.Chats`.
pub(crate) const PRIVATE_CHATS: usize = 28;
/// Groups the phone is in before any group_create.aspx.
pub(crate) const BASE_GROUPS: usize = 4;
/// Groups that group_create.aspx may add per instance.
pub(crate) const MAX_CREATED_GROUPS: usize = 500;
/// Per-number overrides of the "on WhatsApp" rule kept per instance.
pub(crate) const MAX_PROFILE_OVERRIDES: usize = 10_000;

const FIRST: [&str; 24] = [
    "Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Heitor", "Isabela",
    "João", "Larissa", "Marcos", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Thiago",
    "Vanessa", "Wagner", "Yasmin", "Lucas", "Mariana", "Pedro",
];
const LAST: [&str; 16] = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Lima",
    "Pereira",
    "Costa",
    "Almeida",
    "Ferreira",
    "Rodrigues",
    "Gomes",
    "Martins",
    "Araújo",
    "Ribeiro",
    "Carvalho",
    "Rocha",
];
const BUSINESSES: [&str; 4] = [
    "Padaria Pão Quente",
    "Auto Peças Avenida",
    "Clínica Sorriso",
    "Pet Shop Amigo Fiel",
];
const AREA_CODES: [u32; 10] = [11, 21, 31, 41, 51, 61, 71, 81, 85, 91];
pub(crate) const GROUP_SUBJECTS: [&str; BASE_GROUPS] = [
    "Família",
    "Equipe Vendas",
    "Condomínio Bloco B",
    "Futebol de Quinta",
];

/// One contact of the address book, with what its chat (if any) shows.
pub(crate) struct Person {
    /// The number's digits (the JID is `<digits>@s.whatsapp.net`).
    pub digits: String,
    pub name: String,
    pub short: String,
    pub notify: String,
    pub biz: bool,
    pub vname: String,
    pub tag: Option<String>,
    /// Unix seconds of the last message; 0 for contacts without a chat.
    pub last_message: u64,
    pub unread: u32,
    /// Unix seconds the mute ends; none when not muted.
    pub muted_until: Option<u64>,
    pub archived: bool,
    pub modify_tag: u32,
    /// `Lastupdate` of the contact (7 fractional digits, `Z` or `-03:00`).
    pub contact_update: String,
    /// `Lastupdate` of the chat (ISO-8601; .NET's "never" for some).
    pub chat_update: String,
}

impl Person {
    pub(crate) fn jid(&self) -> String {
        format!("{}@s.whatsapp.net", self.digits)
    }
}

/// What clients changed on an instance's phone, and the seed its base data is drawn from.
pub(crate) struct Book {
    seed: u64,
    /// Unix seconds the instance was created: the base data's times are before it.
    pub anchor: u64,
    /// Groups created, or base groups changed (group_add/remove), by JID.
    pub groups: BTreeMap<String, Group>,
    /// How many entries of `groups` group_create.aspx made.
    pub created: usize,
    /// `/_sim/instances/{key}/profiles` overrides: number digits → on WhatsApp.
    pub profiles: HashMap<String, bool>,
    pub sent: SentLog,
}

impl Book {
    pub(crate) fn new() -> Self {
        Book {
            seed: fastrand::u64(..),
            anchor: unix_now(),
            groups: BTreeMap::new(),
            created: 0,
            profiles: HashMap::new(),
            sent: SentLog::default(),
        }
    }

    /// The address book, the same on every call: the first `PRIVATE_CHATS` have a chat.
    pub(crate) fn people(&self) -> Vec<Person> {
        let mut rng = fastrand::Rng::with_seed(self.seed);
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(CONTACTS);
        while out.len() < CONTACTS {
            // Contacts never end in 0, so the "on WhatsApp" rule holds for them by itself.
            let digits = format!(
                "55{}9{:07}{}",
                AREA_CODES[rng.usize(..AREA_CODES.len())],
                rng.u32(..10_000_000),
                rng.u32(1..10)
            );
            if !seen.insert(digits.clone()) {
                continue;
            }
            let i = out.len();
            let first = FIRST[rng.usize(..FIRST.len())];
            let last = LAST[rng.usize(..LAST.len())];
            let biz = i % 18 == 5;
            let has_chat = i < PRIVATE_CHATS;
            let last_message = if has_chat {
                self.anchor.saturating_sub(rng.u64(60..30 * 86_400))
            } else {
                0
            };
            let fraction = rng.u32(..10_000_000);
            let updated = self.anchor.saturating_sub(rng.u64(3_600..200 * 86_400));
            out.push(Person {
                name: if biz {
                    BUSINESSES[(i / 18) % BUSINESSES.len()].to_owned()
                } else {
                    format!("{first} {last}")
                },
                short: first.to_owned(),
                notify: if i % 3 == 0 {
                    format!("{first} {}", &last[..1])
                } else {
                    first.to_owned()
                },
                vname: if biz {
                    BUSINESSES[(i / 18) % BUSINESSES.len()].to_owned()
                } else {
                    String::new()
                },
                biz,
                tag: (i % 4 == 1).then(|| rng.u32(1_000_000_000..2_000_000_000).to_string()),
                last_message,
                unread: if has_chat && i % 3 == 0 {
                    rng.u32(1..6)
                } else {
                    0
                },
                muted_until: (has_chat && i % 9 == 4).then(|| self.anchor + 8 * 3_600),
                archived: has_chat && i % 7 == 6,
                modify_tag: rng.u32(100_000..1_000_000),
                contact_update: if i % 2 == 0 {
                    iso(updated, Some(fraction), Offset::Utc)
                } else {
                    iso(updated, Some(fraction), Offset::Brasilia)
                },
                chat_update: if !has_chat || i % 5 == 2 {
                    NEVER.to_owned()
                } else {
                    iso(last_message, None, Offset::None)
                },
                digits,
            });
        }
        out
    }

    /// The base groups, as they were before any change (see `groups`).
    pub(crate) fn base_groups(&self, owner: &str) -> Vec<Group> {
        let people = self.people();
        let mut rng = fastrand::Rng::with_seed(self.seed ^ 0x6772_6f75_7073);
        let owner_digits = owner.split('@').next().unwrap_or(owner);
        GROUP_SUBJECTS
            .iter()
            .map(|subject| {
                let creation = self
                    .anchor
                    .saturating_sub(rng.u64(30 * 86_400..400 * 86_400));
                let mut members: Vec<String> = Vec::new();
                for _ in 0..rng.usize(3..9) {
                    let jid = people[rng.usize(..people.len())].jid();
                    if !members.contains(&jid) {
                        members.push(jid);
                    }
                }
                Group::new(
                    format!("{owner_digits}-{creation}@g.us"),
                    (*subject).to_owned(),
                    owner.to_owned(),
                    creation,
                    &members,
                    false,
                )
            })
            .collect()
    }

    /// Every group the phone is in: base ones (as changed) then created ones.
    pub(crate) fn all_groups(&self, owner: &str) -> Vec<Group> {
        let mut out: Vec<Group> = self
            .base_groups(owner)
            .into_iter()
            .map(|g| self.groups.get(&g.jid).cloned().unwrap_or(g))
            .collect();
        out.extend(self.groups.values().filter(|g| g.created).cloned());
        out
    }

    /// The group `jid`, from the changed/created ones or the base ones.
    pub(crate) fn group(&self, jid: &str, owner: &str) -> Option<Group> {
        if let Some(g) = self.groups.get(jid) {
            return Some(g.clone());
        }
        self.base_groups(owner).into_iter().find(|g| g.jid == jid)
    }

    pub(crate) fn chat_count(&self) -> usize {
        PRIVATE_CHATS + BASE_GROUPS + self.created
    }

    /// `stats` as status.aspx shows it: `Contacts` and `Chats` are the lengths of what
    /// contacts.aspx and chats.aspx answer now (0 unless authenticated).
    pub(crate) fn visible_stats(&self, stats: Stats, authenticated: bool) -> Stats {
        let (contacts, chats) = if authenticated {
            (CONTACTS, self.chat_count())
        } else {
            (0, 0)
        };
        Stats {
            contacts: contacts as u64,
            chats: chats as u64,
            ..stats
        }
    }
}

/// A chat of chats.aspx, fields in the documentation's order.
#[derive(Serialize)]
pub(crate) struct ChatJson {
    pub jid: String,
    pub name: String,
    pub spam: bool,
    pub count: u32,
    /// A string: `""` when not muted, else the Unix seconds the mute ends.
    pub mute: String,
    pub t: u64,
    pub archive: bool,
    pub modify_tag: String,
    pub picture: String,
    #[serde(rename = "Lastupdate")]
    pub lastupdate: String,
}

/// A contact of contacts.aspx and of the profile commands.
#[derive(Serialize)]
#[allow(non_snake_case)] // the wire's own spellings
pub(crate) struct ContactJson {
    pub jid: String,
    pub notify: String,
    pub verify: String,
    pub vname: String,
    pub short: String,
    pub name: String,
    pub picture: String,
    pub Lastupdate: String,
    pub LastMessageTime: u64,
    pub biz: bool,
    pub status: u16,
    pub tag: Option<String>,
    pub Count: u32,
    /// A bool here, unlike the chats' string.
    pub Mute: bool,
    pub Spam: bool,
    pub Archive: bool,
    pub isGroup: bool,
}

impl ContactJson {
    pub(crate) fn of(p: &Person, picture: String) -> Self {
        ContactJson {
            jid: p.jid(),
            notify: p.notify.clone(),
            verify: if p.biz { "2" } else { "0" }.to_owned(),
            vname: p.vname.clone(),
            short: p.short.clone(),
            name: p.name.clone(),
            picture,
            Lastupdate: p.contact_update.clone(),
            LastMessageTime: p.last_message,
            biz: p.biz,
            status: 200,
            tag: p.tag.clone(),
            Count: p.unread,
            Mute: p.muted_until.is_some(),
            Spam: false,
            Archive: p.archived,
            isGroup: false,
        }
    }
}

/// `<base>get_picture.aspx?WID=<WebID>&jid=<jid>`: the picture URL of lists.
pub(crate) fn list_picture(base: &str, web_id: &str, jid: &str) -> String {
    format!("{base}get_picture.aspx?WID={web_id}&jid={jid}")
}

/// `<base>static/<WebID>/profile/<number>.jpeg?h=<number>`: the picture URL of profiles.
pub(crate) fn profile_picture(base: &str, web_id: &str, jid: &str) -> String {
    let number = jid.split('@').next().unwrap_or(jid);
    format!("{base}static/{web_id}/profile/{number}.jpeg?h={number}")
}

/// .NET's `DateTime.MinValue`, which the gateway shows for "never".
pub(crate) const NEVER: &str = "0001-01-01T00:00:00";

pub(crate) enum Offset {
    /// No zone designator (`2021-03-10T14:22:05`).
    None,
    /// `Z`.
    Utc,
    /// `-03:00`, the local time of São Paulo.
    Brasilia,
}

/// ISO-8601 of Unix seconds, with 7 fractional digits (.NET ticks) when given.
pub(crate) fn iso(unix: u64, fraction: Option<u32>, offset: Offset) -> String {
    let local = match offset {
        Offset::Brasilia => unix.saturating_sub(3 * 3_600),
        _ => unix,
    };
    let days = (local / 86_400) as i64;
    let secs = local % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    );
    if let Some(f) = fraction {
        out.push_str(&format!(".{:07}", f % 10_000_000));
    }
    match offset {
        Offset::None => {}
        Offset::Utc => out.push('Z'),
        Offset::Brasilia => out.push_str("-03:00"),
    }
    out
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn unix_now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// 32 upper-case hex digits: the ids of sent messages.
pub(crate) fn message_id() -> String {
    format!("{:016X}{:016X}", fastrand::u64(..), fastrand::u64(..))
}

/// An uppercase UUID-like id, as the seed's WebID.
pub(crate) fn random_web_id() -> String {
    let hex = |n: usize| -> String {
        std::iter::repeat_with(|| {
            char::from_digit(fastrand::u32(..16), 16)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .take(n)
        .collect()
    };
    format!("{}-{}-{}-{}-{}", hex(8), hex(4), hex(4), hex(4), hex(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso(0, None, Offset::None), "1970-01-01T00:00:00");
        assert_eq!(
            iso(1_615_386_125, Some(1_234_567), Offset::Utc),
            "2021-03-10T14:22:05.1234567Z"
        );
        assert_eq!(
            iso(1_615_386_125, Some(5), Offset::Brasilia),
            "2021-03-10T11:22:05.0000005-03:00"
        );
        assert_eq!(iso(951_782_400, None, Offset::None), "2000-02-29T00:00:00");
    }

    #[test]
    fn people_are_stable_and_distinct() {
        let book = Book::new();
        let a = book.people();
        let b = book.people();
        assert_eq!(a.len(), CONTACTS);
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.digits == y.digits && x.name == y.name)
        );
        let set: std::collections::HashSet<_> = a.iter().map(|p| &p.digits).collect();
        assert_eq!(set.len(), CONTACTS);
        assert!(a.iter().all(|p| !p.digits.ends_with('0')));
        assert_eq!(message_id().len(), 32);
    }
}
