//! Whether two files of a run are one file: the same path spelled differently, a symbolic link
//! to the other, or a hard link (the same file on disk). Checked before anything is ordered, so
//! that no output is written over the account key or over another output.

use std::path::{Component, Path, PathBuf};

use crate::error::AcmeError;

/// How many symbolic links are followed in a path that does not resolve (a dangling link).
const MAX_LINKS: usize = 16;

/// Where `path` leads: the canonical path when it exists; else the canonical form of its
/// nearest existing folder with the rest appended, a dangling symbolic link followed to where
/// it points.
fn place(path: &Path, depth: usize) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    // A link whose target does not exist (yet): where it points is where a write would go.
    if depth < MAX_LINKS {
        if let Ok(target) = std::fs::read_link(&absolute) {
            let target = match absolute.parent() {
                Some(dir) if target.is_relative() => dir.join(target),
                _ => target,
            };
            return place(&target, depth + 1);
        }
    }
    let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return lexical(&absolute);
    };
    place(parent, depth).join(name)
}

/// `.` and `..` removed without looking at the disk (for a path none of which exists).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether `a` and `b` are one file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    // Existing files: the same file on disk (hard links, symbolic links, other spellings).
    if same_file::is_same_file(a, b).unwrap_or(false) {
        return true;
    }
    place(a, 0) == place(b, 0)
}

/// Refuses when any two of `files` (each with what it is) are one file, naming both.
pub(crate) fn check_distinct(files: &[(&'static str, &Path)]) -> Result<(), AcmeError> {
    for (i, (first_role, first)) in files.iter().enumerate() {
        for (second_role, second) in &files[i + 1..] {
            if same_file(first, second) {
                return Err(AcmeError::SameFile {
                    first_role,
                    first: first.display().to_string(),
                    second_role,
                    second: second.display().to_string(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_under_other_names_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let key = d.join("account.key");
        std::fs::write(&key, "account").unwrap();
        // Spellings.
        assert!(same_file(&key, &d.join("sub/../account.key")));
        assert!(same_file(&key, &d.join("./account.key")));
        // Files not written yet, in a folder not made yet.
        assert!(same_file(&d.join("out/a.pem"), &d.join("out/x/../a.pem")));
        assert!(!same_file(&d.join("out/a.pem"), &d.join("out/a.key")));
        assert!(!same_file(&key, &d.join("other.key")));
        #[cfg(unix)]
        {
            // A symbolic link, a dangling one to where the key would go, and a hard link.
            std::os::unix::fs::symlink(&key, d.join("link")).unwrap();
            assert!(same_file(&key, &d.join("link")));
            std::os::unix::fs::symlink("later.key", d.join("dangling")).unwrap();
            assert!(same_file(&d.join("later.key"), &d.join("dangling")));
            std::fs::hard_link(&key, d.join("hard")).unwrap();
            assert!(same_file(&key, &d.join("hard")));
            // A folder reached through a link.
            std::os::unix::fs::symlink(d, d.join("again")).unwrap();
            assert!(same_file(&d.join("new.pem"), &d.join("again/new.pem")));
        }
        let err = check_distinct(&[
            ("the account key", &key),
            ("the certificate chain", &d.join("c.pem")),
            ("the certificate key", &d.join("./account.key")),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the account key {} and the certificate key {} are the same file: picert never writes over an account key; give each file its own path",
                key.display(),
                d.join("./account.key").display()
            )
        );
        assert!(check_distinct(&[
            ("the account key", &key),
            ("the PKCS#12 file", &d.join("e.pfx"))
        ])
        .is_ok());
    }
}
