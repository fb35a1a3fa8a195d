//! picert-verify: audit an Edge Server external certificate, or its request, against the PIC
//! certificate summary table and the requirements around it.
//!
//! Findings are data: [`Auditor::audit_bytes`] returns reports even when every rule fails; an
//! input that cannot be read becomes a report with an `error` and no results.
//!
//! ```
//! use picert_verify::{Auditor, Status};
//! # let key = rcgen::KeyPair::generate().unwrap();
//! # let mut params = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()]).unwrap();
//! # params.distinguished_name.push(rcgen::DnType::CommonName, "sip.contoso.com");
//! # let pem = params.self_signed(&key).unwrap().pem();
//! let auditor = Auditor::new();
//! let reports = auditor.audit_bytes("edge.pem", pem.as_bytes());
//! let public_ca = reports[0].results.as_ref().unwrap().iter().find(|r| r.rule == "pic.issuer.public_ca").unwrap();
//! assert_eq!(public_ca.status, Status::Finding); // self-signed
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::path::Path;

pub mod chain;
pub mod facts;
pub mod input;
pub mod live;
pub mod report;
pub mod rules;
pub mod sig;
pub mod sigalgs;

#[cfg(test)]
mod tests_support;

pub use chain::{ChainVerdict, TrustStore};
pub use facts::{Facts, InputKind};
pub use picert_core::Expectations;
pub use report::{InputReport, Report, RuleResult, Severity, Status, Summary};
pub use rules::{Rule, RULES};

/// Runs audits with one set of options.
#[derive(Debug, Clone)]
pub struct Auditor {
    trust: TrustStore,
    expectations: Option<Expectations>,
    at: i64,
    warn_days: u32,
    extra_chain: Vec<Vec<u8>>,
    pfx_password: Option<String>,
    issuers: std::sync::Arc<chain::IssuerCache>,
}

impl Default for Auditor {
    fn default() -> Self {
        Auditor::new()
    }
}

impl Auditor {
    /// Mozilla's roots, no topology, the current time, 30 warning days.
    pub fn new() -> Auditor {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Auditor {
            trust: TrustStore::mozilla(),
            expectations: None,
            at: now,
            warn_days: 30,
            extra_chain: Vec::new(),
            pfx_password: None,
            issuers: Default::default(),
        }
    }

    /// Replaces the trust store.
    pub fn trust(mut self, store: TrustStore) -> Auditor {
        self.trust = store;
        self.issuers = Default::default();
        self
    }

    /// Sets what the certificate should name (a topology); `None` leaves topology rules `na`.
    pub fn expectations(mut self, expectations: Option<Expectations>) -> Auditor {
        self.expectations = expectations;
        self
    }

    /// Sets the audit time (Unix seconds).
    pub fn at(mut self, unix_seconds: i64) -> Auditor {
        self.at = unix_seconds;
        self.issuers = Default::default();
        self
    }

    /// Sets the `validity.expiring_soon` threshold.
    pub fn warn_days(mut self, days: u32) -> Auditor {
        self.warn_days = days;
        self
    }

    /// Adds intermediates (DER) offered to every certificate's chain check.
    pub fn extra_chain(mut self, certs: Vec<Vec<u8>>) -> Auditor {
        self.extra_chain = certs;
        self
    }

    /// Sets the password that opens PKCS#12 (`.pfx`) inputs.
    pub fn pfx_password(mut self, password: Option<String>) -> Auditor {
        self.pfx_password = password;
        self
    }

    /// The audit time.
    pub fn audit_time(&self) -> i64 {
        self.at
    }

    /// The trust store's name.
    pub fn trust_name(&self) -> &str {
        &self.trust.name
    }

    /// Reads and audits one file. A read error becomes an unreadable report naming it.
    pub fn audit_file(&self, path: &Path) -> Vec<InputReport> {
        let shown = path.display().to_string();
        match input::read_path_limited(path, input::MAX_INPUT_BYTES) {
            Ok(Ok(bytes)) => self.audit_bytes(&shown, &bytes),
            Ok(Err(too_big)) => vec![InputReport::unreadable(&shown, too_big.to_string())],
            Err(e) => vec![InputReport::unreadable(&shown, picert_core::io_message(&e))],
        }
    }

    /// Audits the bytes of one file: its certificates as one leaf with its chain, and each
    /// request on its own.
    pub fn audit_bytes(&self, path: &str, bytes: &[u8]) -> Vec<InputReport> {
        let contents = match input::read_contents_with_password(bytes, self.pfx_password.as_deref())
        {
            Ok(c) => c,
            Err(e) => return vec![InputReport::unreadable(path, e.to_string())],
        };
        let mut out = Vec::new();
        if !contents.certificates.is_empty() {
            out.push(self.audit_certificates(path, &contents.certificates));
        }
        for (i, csr) in contents.requests.iter().enumerate() {
            let name = if i == 0 && out.is_empty() {
                path.to_string()
            } else {
                format!("{path}#{}", out.len() + 1)
            };
            out.push(self.audit_request(&name, csr));
        }
        out
    }

    /// Audits a certificate bundle (any order): the leaf is found by building the chain.
    pub fn audit_certificates(&self, path: &str, certs: &[Vec<u8>]) -> InputReport {
        use x509_parser::certificate::{X509Certificate, X509CertificateParser};
        use x509_parser::nom::Parser;
        // The first certificate (usually the leaf) is parsed in full, the others without their
        // extensions, which finding the leaf does not need; the leaf is parsed in full once.
        fn parse(der: &[u8], deep: bool) -> Option<X509Certificate<'_>> {
            X509CertificateParser::new()
                .with_deep_parse_extensions(deep)
                .parse(der)
                .ok()
                .map(|(_, c)| c)
        }
        let parsed: Vec<Option<X509Certificate<'_>>> = certs
            .iter()
            .enumerate()
            .map(|(i, d)| parse(d, i == 0))
            .collect();
        let mut leaf_index = chain::pick_leaf_parsed(&parsed);
        if leaf_index != 0 && parsed.iter().filter(|c| c.is_some()).count() > 2 {
            // Several candidates may need the basicConstraints tie-break: decide on full parses.
            let full: Vec<Option<X509Certificate<'_>>> =
                certs.iter().map(|d| parse(d, true)).collect();
            leaf_index = chain::pick_leaf_parsed(&full);
        }
        let leaf = &certs[leaf_index];
        let facts = match (leaf_index, &parsed[leaf_index]) {
            (0, Some(cert)) => facts::parsed_certificate_facts(cert),
            (_, Some(_)) => match parse(leaf, true) {
                Some(cert) => facts::parsed_certificate_facts(&cert),
                None => return InputReport::unreadable(path, "not a valid X.509 certificate"),
            },
            (_, None) => return InputReport::unreadable(path, "not a valid X.509 certificate"),
        };
        let mut others: Vec<Vec<u8>> = certs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != leaf_index)
            .map(|(_, c)| c.clone())
            .collect();
        others.extend(self.extra_chain.iter().cloned());
        let verdict = chain::check_chain_cached(leaf, &others, &self.trust, self.at, &self.issuers);
        self.run(path, &facts, Some(&verdict), None, Some(leaf))
    }

    /// Audits the chain a live endpoint presented (leaf first), checking `host` against its
    /// names too (`tls.host.name_match`). The extra intermediates given to
    /// [`Auditor::extra_chain`] are not used: the audit is of what the server sends.
    pub fn audit_presented(&self, label: &str, chain: &[Vec<u8>], host: &str) -> InputReport {
        let Some(leaf) = chain.first() else {
            return InputReport::unreadable(label, "the endpoint presented no certificate");
        };
        let facts = match facts::certificate_facts(leaf) {
            Ok(f) => f,
            Err(e) => return InputReport::unreadable(label, e),
        };
        // Only what the server sent: extra intermediates would hide the chain a partner gets.
        let verdict = chain::check_chain_from(
            leaf,
            &chain[1..],
            &self.trust,
            self.at,
            &self.issuers,
            chain::ChainSource::Presented,
        );
        self.run(label, &facts, Some(&verdict), Some(host), Some(leaf))
    }

    /// Audits one request (DER).
    pub fn audit_request(&self, path: &str, der: &[u8]) -> InputReport {
        match facts::csr_facts(der) {
            Ok(f) => self.run_rules(path, &f, None),
            Err(e) => InputReport::unreadable(path, e),
        }
    }

    /// Runs every rule on facts already read.
    pub fn run_rules(
        &self,
        path: &str,
        facts: &Facts,
        chain: Option<&ChainVerdict>,
    ) -> InputReport {
        self.run(path, facts, chain, None, None)
    }

    fn run(
        &self,
        path: &str,
        facts: &Facts,
        chain: Option<&ChainVerdict>,
        host: Option<&str>,
        leaf: Option<&[u8]>,
    ) -> InputReport {
        let ctx = rules::Context {
            facts,
            expectations: self.expectations.as_ref(),
            chain,
            at: self.at,
            warn_days: self.warn_days,
            host,
            leaf,
        };
        let results = RULES.iter().map(|r| r.run(&ctx)).collect();
        InputReport {
            path: path.to_string(),
            kind: Some(facts.kind),
            subject: Some(facts.subject.clone()),
            issuer: facts.issuer.clone(),
            not_before: facts.not_before.map(report::rfc3339),
            not_after: facts.not_after.map(report::rfc3339),
            dns_names: facts.dns_sans.clone(),
            other_names: facts.other_sans.clone(),
            eku: facts
                .eku
                .as_ref()
                .map(|l| l.iter().map(|o| facts::eku_name(o)).collect()),
            key: Some(facts.key.to_string()),
            signature: Some(facts.signature.name.clone()),
            templates: facts
                .templates
                .iter()
                .map(|t| format!("{} ({})", t.value, t.source))
                .collect(),
            chain: match chain {
                Some(ChainVerdict::Trusted(p)) => Some(p.clone()),
                _ => None,
            },
            expectations: Some(
                if self.expectations.is_some() {
                    "topology"
                } else {
                    "inferred"
                }
                .into(),
            ),
            results: Some(results),
            tls: None,
            error: None,
        }
    }

    /// Wraps reports into the whole [`Report`].
    pub fn report(&self, inputs: Vec<InputReport>) -> Report {
        Report::new(self.at, &self.trust.name, inputs)
    }
}
