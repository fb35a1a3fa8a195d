//! Writing outputs without losing anything.
//!
//! Every file is first written in full to a hidden temporary file in its destination folder
//! (created with its final mode, so a key file is never readable by others, not even for a
//! moment), flushed to disk, and only then moved into place: with a hard link that fails if the
//! destination exists, or, with `force`, a rename over it after keeping the old file aside. If
//! one output of a set cannot be placed, the ones already placed are taken back and any file
//! they replaced is restored, so a CSR is never left without its key.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::Error;

/// One file to write.
pub struct Output<'a> {
    /// Where it goes.
    pub path: PathBuf,
    /// Its contents.
    pub contents: &'a [u8],
    /// True for private keys: mode 0600 on Unix.
    pub secret: bool,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Writes every output, or none of them. Without `force`, any destination that already exists
/// stops the whole set before anything is written. Missing parent folders are created.
pub fn write_all(outputs: &[Output<'_>], force: bool) -> Result<(), Error> {
    for out in outputs {
        ensure_parent(&out.path)?;
    }
    if !force {
        for out in outputs {
            if out.path.exists() {
                return Err(Error::Exists(out.path.display().to_string()));
            }
        }
    }
    let mut staged = Vec::new();
    for out in outputs {
        staged.push(Staged::write(out)?);
    }
    let mut placed: Vec<Placed> = Vec::new();
    for stage in staged {
        match stage.place(force) {
            Ok(p) => placed.push(p),
            Err(e) => {
                for p in placed.into_iter().rev() {
                    p.undo();
                }
                return Err(e);
            }
        }
    }
    for p in placed {
        p.finish();
    }
    Ok(())
}

/// Creates the folder a file goes in, and its parents, when they do not exist yet.
pub fn ensure_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => ensure_folder(dir),
        _ => Ok(()),
    }
}

/// Creates a folder and its parents when it does not exist yet; an existing file of that name
/// is an error.
pub fn ensure_folder(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    // The nearest part of the path that exists must be a folder: name it when it is not.
    if let Some(blocking) = dir
        .ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.exists())
        .filter(|a| !a.is_dir())
    {
        return Err(Error::Folder {
            path: blocking.display().to_string(),
            message: "not a folder".into(),
        });
    }
    fs::create_dir_all(dir).map_err(|e| Error::Folder {
        path: dir.display().to_string(),
        message: format!("cannot create the folder: {}", crate::io_message(&e)),
    })
}

fn temp_path(dest: &Path, tag: &str) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dest.with_file_name(format!(".{name}.picert-{}-{n}.{tag}", std::process::id()))
}

fn write_error(path: &Path, e: &io::Error) -> Error {
    Error::Write {
        path: path.display().to_string(),
        message: crate::io_message(e),
    }
}

/// A temporary file holding the full contents; removed on drop unless placed.
struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
}

impl Staged {
    fn write(out: &Output<'_>) -> Result<Staged, Error> {
        let tmp = temp_path(&out.path, "tmp");
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if out.secret { 0o600 } else { 0o644 });
        }
        let file = opts.open(&tmp).map_err(|e| write_error(&out.path, &e))?;
        let staged = Staged {
            tmp,
            dest: out.path.clone(),
        };
        write_and_sync(file, out.contents).map_err(|e| write_error(&out.path, &e))?;
        Ok(staged)
    }

    fn place(self, force: bool) -> Result<Placed, Error> {
        let backup = if force && self.dest.exists() {
            let b = temp_path(&self.dest, "old");
            fs::hard_link(&self.dest, &b).map_err(|e| write_error(&self.dest, &e))?;
            Some(b)
        } else {
            None
        };
        let result = if backup.is_some() {
            fs::rename(&self.tmp, &self.dest)
        } else {
            // A hard link never replaces an existing file: the no-overwrite promise holds even
            // if the file appeared after the early check.
            match fs::hard_link(&self.tmp, &self.dest) {
                Ok(()) => fs::remove_file(&self.tmp),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
                Err(_) if !self.dest.exists() => fs::rename(&self.tmp, &self.dest),
                Err(e) => Err(e),
            }
        };
        match result {
            Ok(()) => {
                let placed = Placed {
                    dest: self.dest.clone(),
                    backup,
                };
                std::mem::forget(self);
                Ok(placed)
            }
            Err(e) => {
                if let Some(b) = backup {
                    let _ = fs::remove_file(b);
                }
                if e.kind() == io::ErrorKind::AlreadyExists {
                    return Err(Error::Exists(self.dest.display().to_string()));
                }
                Err(write_error(&self.dest, &e))
            }
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

fn write_and_sync(mut file: File, contents: &[u8]) -> io::Result<()> {
    file.write_all(contents)?;
    file.sync_all()
}

/// A file in place, with the file it replaced kept aside until the whole set succeeds.
struct Placed {
    dest: PathBuf,
    backup: Option<PathBuf>,
}

impl Placed {
    fn undo(self) {
        match &self.backup {
            Some(b) => {
                let _ = fs::rename(b, &self.dest);
            }
            None => {
                let _ = fs::remove_file(&self.dest);
            }
        }
    }

    fn finish(self) {
        if let Some(b) = &self.backup {
            let _ = fs::remove_file(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_existing_and_leaves_it_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("a.key");
        let csr = dir.path().join("a.csr");
        fs::write(&key, b"old key").unwrap();
        let err = write_all(
            &[
                Output {
                    path: csr.clone(),
                    contents: b"csr",
                    secret: false,
                },
                Output {
                    path: key.clone(),
                    contents: b"new key",
                    secret: true,
                },
            ],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Exists(_)));
        assert_eq!(fs::read(&key).unwrap(), b"old key");
        assert!(!csr.exists());
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn force_replaces_and_secret_is_0600() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("a.key");
        fs::write(&key, b"old key").unwrap();
        write_all(
            &[Output {
                path: key.clone(),
                contents: b"new key",
                secret: true,
            }],
            true,
        )
        .unwrap();
        assert_eq!(fs::read(&key).unwrap(), b"new key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&key).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failure_of_second_output_takes_back_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let csr = dir.path().join("a.csr");
        // A name longer than any file system allows: the key cannot even be staged.
        let key = dir.path().join("k".repeat(300));
        let err = write_all(
            &[
                Output {
                    path: csr.clone(),
                    contents: b"csr",
                    secret: false,
                },
                Output {
                    path: key,
                    contents: b"key",
                    secret: true,
                },
            ],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Write { .. }), "{err}");
        assert!(!csr.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_folders_are_created_and_a_file_in_the_way_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("a/b/edge.key");
        write_all(
            &[Output {
                path: key.clone(),
                contents: b"k",
                secret: true,
            }],
            false,
        )
        .unwrap();
        assert_eq!(fs::read(&key).unwrap(), b"k");
        let blocked = dir.path().join("a/b/edge.key/x.csr");
        let err = write_all(
            &[Output {
                path: blocked,
                contents: b"c",
                secret: false,
            }],
            false,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Folder { .. }), "{err}");
        assert!(err.to_string().ends_with("edge.key: not a folder"), "{err}");
    }
}
