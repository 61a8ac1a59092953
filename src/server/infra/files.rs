//! The data directory and what it holds (the server key, the SQLite database and its journal)
//! are secrets at rest: their owner's alone. What Steward creates, it creates that way; what it
//! finds open to other users, it reports at start with the command that closes it, and leaves
//! alone (the operator may have reasons, such as a backup group). And secret settings read
//! from files (`*_FILE`: systemd credentials, container secrets).

use anyhow::Context;
use std::path::Path;

/// `dir`, created (with any missing parents) readable by its owner only, or checked when it
/// exists already.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        report_if_open(dir, 0o700);
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

/// `file`, created empty and readable by its owner only when it does not exist (SQLite then
/// gives its journal the same mode), or checked when it does.
pub fn private_file(file: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            report_if_open(file, 0o600);
            Ok(())
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {}", file.display())),
    }
}

/// The permission bits of `path` that let users other than its owner in, when there are any.
pub fn open_to_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Logs a warning, once per path, when `path` is open to other users, with the `chmod` to
/// `wanted` that closes it.
pub fn report_if_open(path: &Path, wanted: u32) {
    use std::collections::HashSet;
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock};
    static REPORTED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let Some(mode) = open_to_others(path) else {
        return;
    };
    let first = REPORTED
        .get_or_init(Default::default)
        .lock()
        .map(|mut seen| seen.insert(path.to_path_buf()))
        .unwrap_or(true);
    if first {
        tracing::warn!(
            "{} is open to other users (mode {mode:o}); `chmod {wanted:o} {}` makes it its owner's only",
            path.display(),
            path.display()
        );
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn what_is_created_is_the_owners_only_and_what_exists_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("a/b");
        private_dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        let file = data.join("steward.db");
        private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(open_to_others(&file), None);

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o640, "reported, not changed");
        assert_eq!(open_to_others(&file), Some(0o640));
    }
}

/// A secret given either in a variable or in a file named by `NAME_FILE`, never both. The file's
/// trailing newline is not part of the secret.
pub fn secret_setting(
    name: &str,
    value: Option<String>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Option<String>> {
    use anyhow::Context;
    match (value, file) {
        (Some(_), Some(_)) => anyhow::bail!("set {name} or {name}_FILE, not both"),
        (value, None) => Ok(value),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{name}_FILE: cannot read {}", path.display()))?;
            let text = text.trim_end_matches(['\n', '\r']);
            anyhow::ensure!(!text.is_empty(), "{name}_FILE: {} is empty", path.display());
            Ok(Some(text.to_owned()))
        }
    }
}

#[cfg(test)]
mod secret_setting_tests {
    use super::*;

    #[test]
    fn a_secret_comes_from_the_variable_or_the_file_never_both() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, "s3cret\r\n").unwrap();
        assert_eq!(
            secret_setting("X", None, Some(&file)).unwrap().as_deref(),
            Some("s3cret")
        );
        assert_eq!(
            secret_setting("X", Some("v".to_owned()), None)
                .unwrap()
                .as_deref(),
            Some("v")
        );
        assert_eq!(secret_setting("X", None, None).unwrap(), None);
        let both = secret_setting("X", Some("v".to_owned()), Some(&file)).unwrap_err();
        assert!(both.to_string().contains("not both"));
        std::fs::write(&file, "\n").unwrap();
        assert!(secret_setting("X", None, Some(&file)).is_err(), "empty");
        assert!(secret_setting("X", None, Some(&dir.path().join("none"))).is_err());
    }
}
