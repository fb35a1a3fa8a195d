//! The inputs of a run: files as given, `-` for standard input, folders expanded into their
//! certificate files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{Batch, Item, CERT_EXTENSIONS};
use crate::failure::Failure;
use crate::report::InputReport;

impl Batch {
    /// The inputs: files as given, `-` for standard input, folders expanded into their
    /// certificate files in name order (links followed; other files and sub-folders counted in
    /// a note).
    pub fn expand(inputs: &[PathBuf]) -> Batch {
        let mut items = Vec::new();
        for input in inputs {
            if input.as_os_str() == "-" {
                items.push(Item::Stdin);
            } else if input.is_dir() {
                expand_folder(input, &mut items);
            } else {
                items.push(Item::File {
                    path: input.clone(),
                    in_folder: false,
                });
            }
        }
        Batch {
            items,
            stdin: OnceLock::new(),
        }
    }
}

fn expand_folder(dir: &Path, items: &mut Vec<Item>) {
    let shown = dir.display().to_string();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            items.push(Item::Unreadable(Box::new(InputReport::unreadable(
                &shown, &e,
            ))));
            return;
        }
    };
    let mut files = Vec::new();
    let mut passed: BTreeMap<String, usize> = BTreeMap::new();
    let mut folders = 0;
    for entry in entries.filter_map(Result::ok) {
        // The entry's own type (no stat per file); links are followed.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
        let is_file = kind.is_file() || (kind.is_symlink() && path.is_file());
        if is_dir {
            folders += 1;
            continue;
        }
        if !is_file {
            continue;
        }
        let ext = path
            .extension()
            .and_then(|x| x.to_str())
            .map(str::to_ascii_lowercase);
        match ext {
            Some(x) if CERT_EXTENSIONS.contains(&x.as_str()) => files.push(path),
            Some(x) => *passed.entry(format!(".{x}")).or_default() += 1,
            None => *passed.entry("no ending".into()).or_default() += 1,
        }
    }
    // All in one folder, so the whole paths compare as their names do, byte for byte (cheaper
    // than comparing path components).
    files.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    let skipped: usize = passed.values().sum();
    if skipped + folders > 0 {
        let mut parts = Vec::new();
        if skipped > 0 {
            let kinds: Vec<String> = passed.iter().map(|(k, n)| format!("{n} {k}")).collect();
            parts.push(format!(
                "{skipped} file{} that {} not a certificate file ({})",
                if skipped == 1 { "" } else { "s" },
                if skipped == 1 { "is" } else { "are" },
                kinds.join(", ")
            ));
        }
        if folders > 0 {
            parts.push(format!(
                "{folders} sub-folder{} (not searched)",
                if folders == 1 { "" } else { "s" }
            ));
        }
        items.push(Item::Note(format!(
            "{shown}: passed over {}",
            parts.join(" and ")
        )));
    }
    if files.is_empty() {
        items.push(Item::Unreadable(Box::new(InputReport::unreadable(
            &shown,
            Failure::Other(format!(
                "the directory holds no certificate or request file ({})",
                CERT_EXTENSIONS.join(", ")
            )),
        ))));
    }
    items.extend(files.into_iter().map(|path| Item::File {
        path,
        in_folder: true,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_say_what_they_pass_over() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.pem", "b.key", "c.toml", "d.key"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("old")).unwrap();
        let batch = Batch::expand(&[dir.path().to_path_buf()]);
        let note = match &batch.items[0] {
            Item::Note(n) => n.clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            note.ends_with("passed over 3 files that are not a certificate file (2 .key, 1 .toml) and 1 sub-folder (not searched)"),
            "{note}"
        );
        assert!(matches!(
            &batch.items[1],
            Item::File {
                in_folder: true,
                ..
            }
        ));
        assert_eq!(batch.len(), 2);
    }
}
