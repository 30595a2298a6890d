//! Files filterwatch writes hold personal data (usernames, searches, raw log lines), and a school
//! server is often shared. Everything the process creates is private to its user whatever umask
//! cron or systemd gave it (folders 0700, files 0600), a file is replaced only through a
//! temporary created fresh beside it (so a planted link is never written through), and a key
//! file others can read is refused.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Makes every file and folder this process creates private to its user (umask 077). Called
/// first thing by the `filterwatch` command, before any thread starts.
pub fn restrict_umask() {
    #[cfg(unix)]
    // SAFETY: umask only swaps the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Replaces `path` with `bytes` atomically: written to a new temporary in the same folder
/// (`create_new`: never an existing file or link), flushed, then renamed over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let (mut file, temporary) = create_temporary(path)?;
    let written = file.write_all(bytes).and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e).with_context(|| format!("cannot write {}", temporary.display()));
    }
    std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Replaces `path` with what `write` writes to the path it is given: a file in a folder created
/// fresh beside `path` for the purpose (so nothing planted is in it), renamed over `path`. For
/// libraries that insist on opening the file themselves (the PNG encoder).
pub fn write_atomically_with(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut attempt = 0u32;
    let fresh = loop {
        let fresh = folder.join(format!(".{}.{}-{attempt}.d", name.to_string_lossy(), std::process::id()));
        match std::fs::create_dir(&fresh) {
            Ok(()) => break fresh,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", fresh.display())),
        }
    };
    let temporary = fresh.join(&name);
    let result = write(&temporary)
        .and_then(|_| std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display())));
    let _ = std::fs::remove_dir_all(&fresh);
    result
}

/// A fresh file beside `path`, named `.<name>.<pid>-<n>.partial`, opened with `create_new`.
fn create_temporary(path: &Path) -> Result<(File, std::path::PathBuf)> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut attempt = 0u32;
    loop {
        let temporary = folder.join(format!(".{name}.{}-{attempt}.partial", std::process::id()));
        let mut options = File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&temporary) {
            Ok(file) => return Ok((file, temporary)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", temporary.display())),
        }
    }
}

/// Opens (creating if needed) the lock file `path` — never truncated, so a file that is not ours
/// loses nothing — for the caller to `lock()` or `try_lock()`; the lock goes with the handle.
pub fn open_lock(path: &Path) -> Result<File> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    }
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Refuses a secret file that its group or other users can read or write, naming the fix.
pub fn check_secret_file(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "the key file {} is readable by others (mode {mode:o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_planted_link_at_the_temporary_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let target = dir.path().join("report.pdf");
        for n in 0..3 {
            let planted = dir.path().join(format!(".report.pdf.{}-{n}.partial", std::process::id()));
            std::os::unix::fs::symlink(&victim, planted).unwrap();
        }
        std::os::unix::fs::symlink(&victim, dir.path().join("report.partial")).unwrap();
        write_atomically(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }
}
