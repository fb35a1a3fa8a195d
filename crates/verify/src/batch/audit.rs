//! A batch audited: every input on all cores, streamed in input order; CA certificates given
//! on their own offered to the other inputs of the run.

use rustls_pki_types::CertificateDer;

use super::executor::for_each_ordered;
use super::{Audited, Batch, Item, Read};
use crate::auditor::Auditor;
use crate::input;

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

#[cfg(test)]
mod tests {
    use super::*;

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
