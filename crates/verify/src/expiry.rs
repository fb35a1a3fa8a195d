//! Days left per certificate, soonest first: for a cron job that watches the files in a folder,
//! or what live Edges actually serve.

use picert_core::plan::CertificateKind;
use picert_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, Read};
use crate::chain::pick_leaf;
use crate::facts::certificate_facts;
use crate::facts::tls::{LiveError, Presented};
use crate::failure::Failure;
use crate::report::Verdict;

/// One certificate's expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryEntry {
    /// The file, or `host:port` for a live endpoint.
    pub path: String,
    /// The subject's CN, or the whole subject when it has none.
    pub subject: String,
    /// notAfter.
    pub not_after: Timestamp,
    /// Whole days from the check's time to notAfter (negative once expired).
    pub days_left: i64,
    /// The issuer's DN.
    #[serde(default)]
    pub issuer: String,
    /// The SHA-1 thumbprint, upper-case hex, as `Get-CsCertificate` shows it.
    #[serde(default)]
    pub thumbprint: String,
    /// The SHA-256 fingerprint, upper-case hex.
    #[serde(default)]
    pub sha256: String,
    /// The certificate of the topology a live target serves, when a topology named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateKind>,
    /// That certificate's pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

/// Which certificate of a topology a live target serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Its kind.
    pub certificate: CertificateKind,
    /// Its pool, as the plan names it.
    pub pool: String,
}

/// What one live target presented, as picert-probe fetches it for [`check_expiry`].
#[derive(Debug, Clone)]
pub struct LiveRead {
    /// The label of its entry: `host:port`.
    pub label: String,
    /// The certificate of a topology it serves, when a topology named it.
    pub served: Option<Served>,
    /// What it presented, or why nothing.
    pub presented: Result<Presented, LiveError>,
}

/// An input that gave no expiry, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoExpiry {
    /// The file or endpoint.
    pub path: String,
    /// Why; its message in JSON.
    #[serde(with = "crate::failure::text")]
    pub error: Failure,
    /// The certificate of the topology a live target serves, when a topology named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateKind>,
    /// That certificate's pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
}

impl NoExpiry {
    fn of(path: String, error: Failure) -> NoExpiry {
        NoExpiry {
            path,
            error,
            certificate: None,
            pool: None,
        }
    }

    fn served(mut self, served: Option<&Served>) -> NoExpiry {
        if let Some(s) = served {
            self.certificate = Some(s.certificate);
            self.pool = Some(s.pool.clone());
        }
        self
    }
}

/// The expiry of every certificate of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryReport {
    /// Format version: 1.
    pub version: u32,
    /// The time days are counted from.
    pub at: Timestamp,
    /// Every certificate, soonest expiry first.
    pub certificates: Vec<ExpiryEntry>,
    /// Inputs with nothing that expires (requests, private keys in a folder); they do not change
    /// the verdict.
    pub skipped: Vec<NoExpiry>,
    /// Inputs that could not be read.
    pub unreadable: Vec<NoExpiry>,
    /// What folder scans passed over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ExpiryReport {
    /// `Incomplete` when an input could not be read, `Fail` when a certificate has fewer than
    /// `fail_within` days left (expired ones included), else `Pass`.
    pub fn verdict(&self, fail_within: Option<i64>) -> Verdict {
        if !self.unreadable.is_empty() {
            Verdict::Incomplete
        } else if fail_within.is_some_and(|d| self.certificates.iter().any(|e| e.days_left < d)) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }

    fn sort(&mut self) {
        self.certificates
            .sort_by(|a, b| (a.not_after, &a.path).cmp(&(b.not_after, &b.path)));
    }
}

fn entry(path: String, der: &[u8], at: Timestamp) -> Result<ExpiryEntry, NoExpiry> {
    match certificate_facts(der) {
        Ok(f) => {
            let not_after = f.not_after.unwrap_or(at);
            Ok(ExpiryEntry {
                subject: f
                    .common_names
                    .iter()
                    .flatten()
                    .next()
                    .cloned()
                    .unwrap_or(f.subject),
                path,
                not_after,
                days_left: at.days_until(not_after),
                issuer: f.issuer.clone().unwrap_or_default(),
                thumbprint: picert_core::pfx::thumbprint_hex(der),
                sha256: picert_core::pfx::sha256_hex(der),
                certificate: None,
                pool: None,
            })
        }
        Err(e) => Err(NoExpiry::of(path, Failure::Parse(e.to_string()))),
    }
}

/// The expiry of each file's leaf certificate (a file's chain is not counted; its leaf is
/// what the Edge serves), and of what each live target presented, as picert-probe's
/// `check_expiry` fetches them; a target's entry names the certificate of the topology it
/// serves, when it has one.
///
/// ```
/// use picert_verify::{expiry::check_expiry, Batch};
/// let batch = Batch::expand(&["../../fixtures/pki/good.pem".into()]);
/// let at = picert_core::Timestamp::parse("2026-06-01").unwrap();
/// let report = check_expiry(&batch, &[], at, None);
/// assert_eq!(report.certificates[0].days_left, 121);
/// ```
pub fn check_expiry(
    batch: &Batch,
    live: &[LiveRead],
    at: Timestamp,
    pfx_password: Option<&str>,
) -> ExpiryReport {
    let mut report = ExpiryReport {
        version: 1,
        at,
        certificates: Vec::new(),
        skipped: Vec::new(),
        unreadable: Vec::new(),
        notes: Vec::new(),
    };
    for read in live {
        let label = &read.label;
        let served = read.served.as_ref();
        let failed = |error: Failure| NoExpiry::of(label.clone(), error).served(served);
        match &read.presented {
            Ok(presented) => match presented.chain.first() {
                Some(leaf) => match entry(label.clone(), leaf, at) {
                    Ok(mut e) => {
                        if let Some(s) = served {
                            e.certificate = Some(s.certificate);
                            e.pool = Some(s.pool.clone());
                        }
                        report.certificates.push(e)
                    }
                    Err(e) => report.unreadable.push(e.served(served)),
                },
                None => report
                    .unreadable
                    .push(failed(LiveError::NoCertificate(label.clone()).into())),
            },
            Err(e) => report.unreadable.push(failed(e.clone().into())),
        }
    }
    enum Outcome {
        Entry(Result<ExpiryEntry, NoExpiry>),
        Skipped(NoExpiry),
        Unreadable(NoExpiry),
        Note(String),
    }
    let outcomes = batch.read_each(pfx_password, |read| match read {
        Read::Contents(path, contents) if contents.certificates.is_empty() => {
            Outcome::Skipped(NoExpiry::of(
                path,
                Failure::Other("a certificate request has no expiry".into()),
            ))
        }
        Read::Contents(path, contents) => {
            let leaf = &contents.certificates[pick_leaf(&contents.certificates)];
            Outcome::Entry(entry(path, leaf, at))
        }
        Read::Unreadable(r) => Outcome::Unreadable(NoExpiry::of(
            r.path.clone(),
            r.error.unwrap_or(Failure::Other("unreadable".into())),
        )),
        Read::Skipped { path, reason } => {
            Outcome::Skipped(NoExpiry::of(path, Failure::Other(reason)))
        }
        Read::Note(n) => Outcome::Note(n),
    });
    for outcome in outcomes {
        match outcome {
            Outcome::Entry(Ok(e)) => report.certificates.push(e),
            Outcome::Entry(Err(e)) | Outcome::Unreadable(e) => report.unreadable.push(e),
            Outcome::Skipped(e) => report.skipped.push(e),
            Outcome::Note(n) => report.notes.push(n),
        }
    }
    report.sort();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_down_and_the_verdict_follows() {
        let mut report = ExpiryReport {
            version: 1,
            at: Timestamp::from_date(2026, 6, 1),
            certificates: vec![
                ExpiryEntry {
                    path: "b.pem".into(),
                    subject: "sip.contoso.com".into(),
                    not_after: Timestamp::from_date(2026, 9, 30),
                    days_left: 121,
                    issuer: "CN=picert Test Issuing CA".into(),
                    thumbprint: String::new(),
                    sha256: String::new(),
                    certificate: None,
                    pool: None,
                },
                ExpiryEntry {
                    path: "a.pem".into(),
                    subject: "sip.contoso.com".into(),
                    not_after: Timestamp::from_date(2026, 6, 15),
                    days_left: 14,
                    issuer: "CN=picert Test Issuing CA".into(),
                    thumbprint: String::new(),
                    sha256: String::new(),
                    certificate: None,
                    pool: None,
                },
            ],
            skipped: vec![],
            unreadable: vec![],
            notes: vec![],
        };
        report.sort();
        assert_eq!(report.certificates[0].path, "a.pem");
        assert_eq!(report.verdict(None), Verdict::Pass);
        assert_eq!(report.verdict(Some(30)), Verdict::Fail);
        assert_eq!(report.verdict(Some(14)), Verdict::Pass);
        report.unreadable.push(NoExpiry::of(
            "x.pem".into(),
            Failure::Io("no such file or directory".into()),
        ));
        assert_eq!(report.verdict(Some(14)), Verdict::Incomplete);
    }

    #[test]
    fn a_live_target_names_the_certificate_it_serves() {
        let batch = Batch::expand(&["../../fixtures/pki/good.pem".into()]);
        let live = [LiveRead {
            label: "edge-red1.contoso.com:5061".into(),
            served: Some(Served {
                certificate: CertificateKind::EdgeInternal,
                pool: "edgepool-red.contoso.com".into(),
            }),
            presented: Err(LiveError::Resolve {
                host: "edge-red1.contoso.com".into(),
                why: "no address".into(),
            }),
        }];
        let report = check_expiry(&batch, &live, Timestamp::from_date(2026, 6, 1), None);
        let file = &report.certificates[0];
        assert_eq!((file.certificate, file.pool.as_deref()), (None, None));
        assert_eq!(file.sha256.len(), 64);
        assert!(file
            .sha256
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
        let u = &report.unreadable[0];
        assert_eq!(u.certificate, Some(CertificateKind::EdgeInternal));
        assert_eq!(u.pool.as_deref(), Some("edgepool-red.contoso.com"));
        assert_eq!(report.verdict(None), Verdict::Incomplete);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["unreadable"][0]["certificate"], "edge-internal");
        assert!(json["certificates"][0].get("certificate").is_none());
    }
}
