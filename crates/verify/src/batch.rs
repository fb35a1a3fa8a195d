//! Auditing many inputs at once: files and folders expanded, audited on every core, and handed
//! back in the order given, each as soon as the ones before it are done, so that a caller can
//! stream the report instead of holding it whole.
//!
//! CA certificates given on their own (an intermediate in its own file, beside the leaves) are
//! found first and offered as chain material to every other input of the run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use rustls_pki_types::CertificateDer;

use crate::auditor::Auditor;
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

/// An input audited by a worker.
enum Step<T> {
    /// Audited and mapped; its certificates when it holds CA certificates only.
    Done {
        value: T,
        ca: Vec<CertificateDer<'static>>,
    },
    /// A leaf whose chain is not trusted: its audit so far, and what it takes to audit it again
    /// once the run's CA certificates are known (only if the run brought any).
    /// A file is read again for the second audit rather than held (a run of many such leaves
    /// would hold them all); standard input, which cannot be read twice, is held.
    Waiting {
        value: T,
        index: usize,
        held: Option<(String, input::Contents)>,
        ca: Vec<CertificateDer<'static>>,
    },
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
        let _ = for_each_ordered(
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

impl Auditor {
    /// Audits every input of `batch` on all cores. `map` runs in the worker that audited the
    /// input (render or serialise there); `sink` receives the results on the calling thread,
    /// in input order, each as soon as the ones before it are done. An error from `sink` stops
    /// the run and is returned.
    ///
    /// ```
    /// use picert_verify::{Audited, Auditor, Batch};
    /// let batch = Batch::expand(&["../../fixtures/pki".into()]);
    /// let mut paths = Vec::new();
    /// Auditor::new().audit_batch(&batch, |a| a, |audited| {
    ///     if let Audited::Reports(reports) = audited {
    ///         paths.extend(reports.into_iter().map(|r| r.path));
    ///     }
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// assert!(paths.windows(2).all(|w| w[0] <= w[1]), "in name order");
    /// ```
    pub fn audit_batch<T: Send, E>(
        &self,
        batch: &Batch,
        map: impl Fn(Audited) -> T + Sync,
        mut sink: impl FnMut(T) -> Result<(), E>,
    ) -> Result<(), E> {
        // One pass, streamed. A CA certificate given on its own is chain material for every
        // other input, but it may come after the leaf that needs it: a leaf whose chain is not
        // trusted waits (and the results after it are held) until every input has been read,
        // then is audited again with the CA certificates the run brought. Runs whose chains
        // are complete, the usual case, are never held.
        let several = batch
            .items
            .iter()
            .filter(|i| matches!(i, Item::File { .. } | Item::Stdin))
            .count()
            > 1;
        let mut cas: Vec<CertificateDer<'static>> = Vec::new();
        let mut held: Vec<Step<T>> = Vec::new();
        for_each_ordered(
            batch.items.len(),
            |i| {
                let stdin = matches!(batch.items[i], Item::Stdin);
                self.step(
                    batch.read(&batch.items[i], self.password()),
                    i,
                    stdin,
                    several,
                    &map,
                )
            },
            |step| {
                let (Step::Done { ca, .. } | Step::Waiting { ca, .. }) = &step;
                cas.extend(ca.iter().cloned());
                match step {
                    Step::Done { value, .. } if held.is_empty() => sink(value),
                    other => {
                        held.push(other);
                        Ok(())
                    }
                }
            },
        )?;
        let again = self.clone().extra_chain(cas.clone());
        for step in held {
            match step {
                // No CA certificate came: the first audit stands.
                Step::Done { value, .. } | Step::Waiting { value, .. } if cas.is_empty() => {
                    sink(value)?
                }
                Step::Done { value, .. } => sink(value)?,
                Step::Waiting {
                    value, index, held, ..
                } => {
                    let read = match held {
                        Some((path, contents)) => Read::Contents(path, contents),
                        None => batch.read(&batch.items[index], self.password()),
                    };
                    match read {
                        Read::Contents(path, contents) => sink(map(Audited::Reports(
                            again.audit_contents(&path, &contents),
                        )))?,
                        // Changed or gone since: the first audit stands.
                        _ => sink(value)?,
                    }
                }
            }
        }
        Ok(())
    }

    /// One input audited in a worker: done (mapped there), or waiting for the CA certificates
    /// of the rest of the run.
    fn step<T>(
        &self,
        read: Read,
        index: usize,
        stdin: bool,
        several: bool,
        map: &impl Fn(Audited) -> T,
    ) -> Step<T> {
        let Read::Contents(path, contents) = read else {
            return Step::Done {
                value: map(self.audit_read(read)),
                ca: Vec::new(),
            };
        };
        let reports = self.audit_contents(&path, &contents);
        let only_cas = !reports.is_empty()
            && reports
                .iter()
                .all(|r| r.kind == Some(crate::facts::InputKind::CaCertificate));
        let ca = if several && only_cas {
            contents.certificates.clone()
        } else {
            Vec::new()
        };
        let untrusted = reports
            .iter()
            .any(|r| r.kind == Some(crate::facts::InputKind::Certificate) && r.chain.is_none());
        if several && untrusted {
            Step::Waiting {
                value: map(Audited::Reports(reports)),
                index,
                held: stdin.then_some((path, contents)),
                ca,
            }
        } else {
            Step::Done {
                value: map(Audited::Reports(reports)),
                ca,
            }
        }
    }

    /// Audits the whole batch and returns the report (held whole: for a few inputs).
    pub fn audit_all(&self, batch: &Batch) -> crate::Report {
        let mut inputs = Vec::new();
        let mut notes = Vec::new();
        let mut skipped = 0;
        let _ = self.audit_batch(
            batch,
            |a| a,
            |audited| {
                match audited {
                    Audited::Reports(r) => inputs.extend(r),
                    Audited::Skipped { path, reason } => {
                        skipped += 1;
                        notes.push(format!("{path}: skipped: {reason}"));
                    }
                    Audited::Note(n) => notes.push(n),
                }
                Ok::<(), ()>(())
            },
        );
        let mut report = self.report(inputs);
        report.notes = notes;
        report.summary.skipped = skipped;
        report
    }

    fn audit_read(&self, read: Read) -> Audited {
        match read {
            Read::Contents(shown, contents) => {
                Audited::Reports(self.audit_contents(&shown, &contents))
            }
            Read::Unreadable(report) => Audited::Reports(vec![*report]),
            Read::Skipped { path, reason } => Audited::Skipped { path, reason },
            Read::Note(n) => Audited::Note(n),
        }
    }
}

/// Runs `work` on every index on all cores and hands the results to `sink` in index order, as
/// soon as the ones before are done: the writer works while the workers do. Workers stay within
/// a window of the writer, so the results waiting to be written stay bounded.
pub(crate) fn for_each_ordered<T: Send, E>(
    count: usize,
    work: impl Fn(usize) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    // Workers claim CHUNK inputs at a time and send each chunk's results at once: one channel
    // hand-off per chunk, not per input.
    const CHUNK: usize = 32;
    const WINDOW: usize = 1024;
    if count == 0 {
        return Ok(());
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(count.div_ceil(CHUNK));
    let next = AtomicUsize::new(0);
    // How many results the writer has handed on; workers beyond the window wait for it to move.
    let written = (std::sync::Mutex::new(0usize), std::sync::Condvar::new());
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<T>)>(WINDOW / CHUNK);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, written, stop, work) = (&next, &written, &stop, &work);
            scope.spawn(move || loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= count || stop.load(Ordering::Relaxed) {
                    break;
                }
                {
                    let (count_written, moved) = written;
                    let mut done = count_written.lock().unwrap_or_else(|e| e.into_inner());
                    while start >= *done + WINDOW && !stop.load(Ordering::Relaxed) {
                        done = moved.wait(done).unwrap_or_else(|e| e.into_inner());
                    }
                }
                let results: Vec<T> = (start..(start + CHUNK).min(count)).map(work).collect();
                if tx.send((start, results)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 0;
        let mut result = Ok(());
        for (start, values) in rx {
            pending.insert(start, values);
            while let Some(values) = pending.remove(&expected) {
                expected += values.len();
                for value in values {
                    if result.is_ok() {
                        result = sink(value);
                        if result.is_err() {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                let (count_written, moved) = &written;
                *count_written.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                moved.notify_all();
            }
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_a_sink_error_stops_the_run() {
        let mut seen = Vec::new();
        for_each_ordered(
            1000,
            |i| i * 2,
            |v| {
                seen.push(v);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        let mut count = 0;
        let stopped = for_each_ordered(
            5000,
            |i| i,
            |_| {
                count += 1;
                if count == 10 {
                    Err("enough")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(stopped, Err("enough"));
        assert_eq!(count, 10);
    }

    #[test]
    fn workers_wait_within_the_window_of_a_slow_writer() {
        let produced = AtomicUsize::new(0);
        let mut consumed = 0usize;
        let mut most_ahead = 0usize;
        for_each_ordered(
            20_000,
            |i| {
                produced.fetch_add(1, Ordering::SeqCst);
                i
            },
            |v| {
                assert_eq!(v, consumed, "in order");
                consumed += 1;
                most_ahead = most_ahead.max(produced.load(Ordering::SeqCst) - consumed);
                if consumed.is_multiple_of(2048) {
                    // A writer that falls behind now and then.
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(consumed, 20_000);
        // A chunk is claimed only within 1024 inputs of the writer, and is at most 32 long.
        assert!(most_ahead <= 1024 + 32, "{most_ahead} results waiting");
    }

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

    #[test]
    fn a_ca_certificate_completes_the_chains_before_and_after_it() {
        let pki = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/pki");
        let auditor = crate::AuditOptions {
            trust_store: Some(pki.join("public-root.pem")),
            at: Some(picert_core::Timestamp::from_date(2026, 6, 1)),
            ..Default::default()
        }
        .auditor()
        .unwrap();
        let leaf = pki.join("missing-intermediate.pem");
        let batch = Batch::expand(&[leaf.clone(), pki.join("public-issuing.pem"), leaf]);
        let report = auditor.audit_all(&batch);
        let kinds: Vec<_> = report.inputs.iter().map(|r| r.kind).collect();
        use crate::facts::InputKind::*;
        assert_eq!(
            kinds,
            [Some(Certificate), Some(CaCertificate), Some(Certificate)]
        );
        assert!(
            report.inputs[0].chain.is_some(),
            "the first leaf waited for the CA"
        );
        assert!(report.inputs[2].chain.is_some());
        // Alone, the leaf's intermediate is missing.
        let alone = auditor.audit_all(&Batch::expand(&[pki.join("missing-intermediate.pem")]));
        assert!(alone.inputs[0].chain.is_none());
    }
}
