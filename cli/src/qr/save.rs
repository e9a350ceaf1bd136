//! Where a QR that is not drawn goes: files the user opens in an image viewer.
//!
//! A fixed name in the shared temporary folder is a trap (another local user plants a symlink
//! there and the CLI overwrites whatever it points at), so the files live in a folder of this
//! run made by `mkdtemp` semantics (a random name, created only if it did not exist, mode
//! 0700), and every file is written to a fresh temporary file beside its target and renamed
//! over it: a rename replaces a symlink rather than following it, and a viewer that reloads
//! the file never sees half of it. Each fresh QR replaces the last, at the same paths, so a
//! viewer left open shows the current one.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files of one saved QR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The SVG the API sent, as it sent it.
    pub svg: PathBuf,
    /// The image as drawn on white with a quiet zone, as PNG (every image viewer opens it);
    /// `None` when the SVG could not be drawn at all.
    pub png: Option<PathBuf>,
}

/// This run's folder in the temporary folder, once made, with what identifies it.
static RUN_FOLDER: Mutex<Option<(PathBuf, Identity)>> = Mutex::new(None);

/// What tells our folder from another one made later at the same path (the temporary folder
/// may be cleaned while the CLI waits, and anyone may then make a folder of that name): its
/// device and inode, its owner, and its mode (0700: no one else can add to it). Another
/// user's folder differs in owner, whatever inode it reuses.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Identity {
    #[cfg(unix)]
    dev_ino_uid_mode: (u64, u64, u32, u32),
}

/// The identity of the folder at `path`, not following a symlink; `None` if it is not one.
fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some(Identity {
            dev_ino_uid_mode: (meta.dev(), meta.ino(), meta.uid(), meta.mode() & 0o7777),
        })
    }
    #[cfg(not(unix))]
    Some(Identity {})
}

/// Makes a new private folder `witi-qr-XXXXXX` in `base`: a random name, created with
/// `mkdir` (which fails on any existing entry, a symlink included), mode 0700. `random`
/// is the number of random characters (0 only in tests, to show a planted name is refused).
pub fn new_folder(base: &Path, random: usize) -> io::Result<PathBuf> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("witi-qr-").rand_bytes(random);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    Ok(builder.tempdir_in(base)?.keep())
}

/// This run's folder in the system's temporary folder (`TMPDIR`), made on first use.
fn run_folder() -> io::Result<PathBuf> {
    let mut folder = RUN_FOLDER.lock().unwrap_or_else(|p| p.into_inner());
    let kept = folder
        .as_ref()
        .filter(|(path, made)| identity(path) == Some(*made));
    if let Some((path, _)) = kept {
        return Ok(path.clone());
    }
    let path = new_folder(&std::env::temp_dir(), 8)?;
    let made = identity(&path).ok_or_else(|| io::Error::other("the new folder is gone"))?;
    *folder = Some((path.clone(), made));
    Ok(path)
}

/// Writes `bytes` to `path` by renaming a new file (mode 0600, `O_EXCL`, random name, in the
/// same folder) over it: whatever was at `path`, a symlink included, is replaced, never
/// written through.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".witi-qr-")
        .tempfile_in(folder)?;
    file.write_all(bytes)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The PNG's path beside a user's SVG path: `qr.svg` → `qr.png`, `qr` → `qr.png`,
/// `qr.png` → `qr.png.png` (never the SVG's own path).
fn png_beside(svg: &Path) -> PathBuf {
    let png = svg.with_extension("png");
    if png == svg {
        let mut name = svg.as_os_str().to_owned();
        name.push(".png");
        PathBuf::from(name)
    } else {
        png
    }
}

/// Saves a QR: to the path the user gave (`--save-svg`, the PNG beside it), else to `qr.svg`
/// and `qr.png` in this run's private folder in the temporary folder.
pub fn save(svg: &str, png: Option<&[u8]>, user_path: Option<&Path>) -> io::Result<Saved> {
    let (svg_path, png_path) = match user_path {
        Some(path) => (path.to_path_buf(), png_beside(path)),
        None => {
            let folder = run_folder()?;
            (folder.join("qr.svg"), folder.join("qr.png"))
        }
    };
    save_to(svg, png, svg_path, png_path)
}

fn save_to(
    svg: &str,
    png: Option<&[u8]>,
    svg_path: PathBuf,
    png_path: PathBuf,
) -> io::Result<Saved> {
    replace(&svg_path, svg.as_bytes())?;
    let png = match png {
        Some(bytes) => {
            replace(&png_path, bytes)?;
            Some(png_path)
        }
        None => None,
    };
    Ok(Saved { svg: svg_path, png })
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{PermissionsExt as _, symlink};

    use super::*;

    /// Saves into a folder of its own made in `base` (what `save` does with the temporary folder).
    fn save_in(base: &Path, svg: &str, png: Option<&[u8]>) -> io::Result<Saved> {
        let folder = new_folder(base, 8)?;
        save_to(svg, png, folder.join("qr.svg"), folder.join("qr.png"))
    }

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    }

    /// The attack on the old fallback: links planted at `$TMPDIR/witi-qr-<pid>.svg` (and at
    /// the names of this scheme) must not be written through.
    #[test]
    fn planted_symlinks_are_not_followed() {
        let base = tempfile::tempdir().expect("a test folder");
        let victim = base.path().join("victim");
        std::fs::write(&victim, "precious").expect("victim");
        let pid = std::process::id();
        for name in [
            format!("witi-qr-{pid}.svg"),
            format!("witi-qr-{pid}.png"),
            "qr.svg".into(),
            "qr.png".into(),
        ] {
            symlink(&victim, base.path().join(name)).expect("plant");
        }
        let saved = save_in(base.path(), "<svg/>", Some(b"png")).expect("saves");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
        let folder = saved.svg.parent().expect("a folder");
        assert_eq!(folder.parent(), Some(base.path()));
        assert!(
            folder
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("witi-qr-") && n.len() == "witi-qr-".len() + 8)
        );
        assert_eq!(mode(folder), 0o700, "a private folder");
        assert_eq!(std::fs::read_to_string(&saved.svg).expect("svg"), "<svg/>");
        let png = saved.png.expect("a PNG");
        assert_eq!(std::fs::read(&png).expect("png"), b"png");
        for file in [&saved.svg, &png] {
            assert!(std::fs::symlink_metadata(file).expect("exists").is_file());
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }
    }

    /// `O_EXCL` semantics: the folder is made only where nothing was. With no random part the
    /// name is known in advance; a link planted there makes the call fail, not follow it.
    #[test]
    fn the_folder_is_never_an_existing_entry() {
        let base = tempfile::tempdir().expect("a test folder");
        let elsewhere = tempfile::tempdir().expect("another folder");
        symlink(elsewhere.path(), base.path().join("witi-qr-")).expect("plant");
        let err = new_folder(base.path(), 0).expect_err("refused");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(
            std::fs::read_dir(elsewhere.path()).expect("lists").count(),
            0,
            "nothing was created through the link"
        );
    }

    #[test]
    fn replacing_a_symlink_replaces_the_link_not_its_target() {
        let base = tempfile::tempdir().expect("a test folder");
        let victim = base.path().join("victim");
        std::fs::write(&victim, "precious").expect("victim");
        let path = base.path().join("qr.svg");
        symlink(&victim, &path).expect("plant");
        replace(&path, b"<svg/>").expect("replaces");
        assert_eq!(
            std::fs::read_to_string(&victim).expect("victim"),
            "precious"
        );
        assert!(std::fs::symlink_metadata(&path).expect("exists").is_file());
        assert_eq!(std::fs::read(&path).expect("reads"), b"<svg/>");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(base.path()).expect("lists").count(), 2);
    }

    /// The run's folder is kept while it is the one made; a folder made again at its path
    /// (after a cleaner removed it; here with a plain `mkdir`'s mode, as another user would:
    /// the owner check cannot be shown without a second user) is not used, a new one is made.
    #[test]
    fn a_folder_remade_at_the_runs_path_is_not_used() {
        let first = run_folder().expect("made");
        assert_eq!(run_folder().expect("kept"), first);
        std::fs::remove_dir(&first).expect("removed");
        std::fs::create_dir(&first).expect("remade by another");
        std::fs::set_permissions(&first, std::fs::Permissions::from_mode(0o755))
            .expect("a plain mkdir's mode");
        let second = run_folder().expect("made again");
        assert_ne!(second, first);
        assert_eq!(mode(&second), 0o700);
        for path in [first, second] {
            std::fs::remove_dir(path).expect("cleaned up");
        }
    }

    #[test]
    fn the_png_goes_beside_the_users_svg() {
        assert_eq!(png_beside(Path::new("a/qr.svg")), Path::new("a/qr.png"));
        assert_eq!(png_beside(Path::new("qr")), Path::new("qr.png"));
        assert_eq!(png_beside(Path::new("qr.png")), Path::new("qr.png.png"));
    }
}
