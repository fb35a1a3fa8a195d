//! Auditing many inputs at once: files and folders expanded, audited on every core, and handed
//! back in the order given, each as soon as the ones before it are done, so that a caller can
//! stream the report instead of holding it whole.
//!
//! CA certificates given on their own (an intermediate in its own file, beside the leaves) are
//! found first and offered as chain material to every other input of the run.

mod audit;
mod executor;
mod expand;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::failure::Failure;
use crate::input::{self, InputError};
use crate::report::InputReport;

/// File endings a folder scan picks up.
pub const CERT_EXTENSIONS: &[&str] = &[
    "pem", "crt", "cer", "der", "p7b", "p7c", "csr", "req", "pfx", "p12",
];

/// The inputs of one run, folders expanded.
#[derive(Debug, Default)]
pub struct Batch {
    items: Vec<Item>,
    stdin: OnceLock<Result<Vec<u8>, Failure>>,
}

#[derive(Debug)]
pub(crate) enum Item {
    /// A file named on the command line, or found in a folder.
    File { path: PathBuf, in_folder: bool },
    /// Standard input (`-`).
    Stdin,
    /// What a folder scan passed over, said in one line.
    Note(String),
    /// A folder that could not be read or holds nothing to audit.
    Unreadable(Box<InputReport>),
}

/// One entry, read.
pub(crate) enum Read {
    /// What the file holds; the name it is shown by.
    Contents(String, input::Contents),
    /// It could not be read.
    Unreadable(Box<InputReport>),
    /// Passed over (a private key in a folder).
    Skipped { path: String, reason: String },
    /// A folder's note.
    Note(String),
}

/// One input's outcome, in input order.
#[derive(Debug)]
pub enum Audited {
    /// The reports for one file (several for a file of several requests).
    Reports(Vec<InputReport>),
    /// A file found in a folder and passed over (a private key); why.
    Skipped {
        /// The file.
        path: String,
        /// Why it was passed over.
        reason: String,
    },
    /// What a folder scan passed over, in one line.
    Note(String),
}

impl Batch {
    /// How many entries the run has (files, notes and unreadable folders).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is nothing to audit.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// One entry read: its contents, or why it has none.
    pub(crate) fn read(&self, item: &Item, password: Option<&str>) -> Read {
        let (shown, bytes) = match item {
            Item::Note(n) => return Read::Note(n.clone()),
            Item::Unreadable(r) => return Read::Unreadable(r.clone()),
            _ => match self.bytes(item) {
                Some(b) => b,
                None => return Read::Note(String::new()),
            },
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => return Read::Unreadable(Box::new(InputReport::unreadable(&shown, e))),
        };
        match input::read_contents_with_password(&bytes, password) {
            Ok(contents) => Read::Contents(shown, contents),
            // A folder of certificates often holds their keys too: pass them over, said once.
            Err(e @ InputError::PrivateKey(_))
                if matches!(
                    item,
                    Item::File {
                        in_folder: true,
                        ..
                    }
                ) =>
            {
                Read::Skipped {
                    path: shown,
                    reason: e.to_string().trim_start_matches("holds ").to_string(),
                }
            }
            Err(e) => Read::Unreadable(Box::new(InputReport::unreadable(&shown, e))),
        }
    }

    /// Every entry read, in order, on all cores.
    pub(crate) fn read_each<T: Send>(
        &self,
        password: Option<&str>,
        map: impl Fn(Read) -> T + Sync,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(self.items.len());
        let _ = executor::for_each_ordered(
            self.items.len(),
            |i| map(self.read(&self.items[i], password)),
            |t| {
                out.push(t);
                Ok::<(), ()>(())
            },
        );
        out
    }

    /// The bytes of one entry, or why there are none.
    fn bytes(&self, item: &Item) -> Option<(String, Result<Vec<u8>, Failure>)> {
        match item {
            Item::File { path, .. } => Some((path.display().to_string(), read_file(path))),
            Item::Stdin => Some((
                "<stdin>".to_string(),
                self.stdin.get_or_init(read_stdin).clone(),
            )),
            _ => None,
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    match std::fs::File::open(path)
        .and_then(|file| input::read_limited(file, input::MAX_INPUT_BYTES))
    {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(too_big)) => Err(too_big.into()),
        Err(e) => Err((&e).into()),
    }
}

fn read_stdin() -> Result<Vec<u8>, Failure> {
    match input::read_limited(std::io::stdin().lock(), input::MAX_INPUT_BYTES) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(too_big)) => Err(too_big.into()),
        Err(e) => Err((&e).into()),
    }
}
