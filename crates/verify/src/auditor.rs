//! The [`Auditor`]: one set of options (expectations, trust store, time), applied to
//! certificates, bundles, requests, what live endpoints presented and what partners find for
//! a SIP domain.

use std::path::Path;
use std::sync::Arc;

use picert_core::{Expectations, Timestamp};
use rustls_pki_types::CertificateDer;

use crate::chain::{self, ChainSource, ChainVerdict, IssuerCache, TrustStore};
use crate::facts::tls::{Presented, TlsFacts};
use crate::facts::{self, Facts, InputKind};
use crate::failure::Failure;
use crate::input;
use crate::report::{InputReport, Report};
use crate::rules::{self, Context};

/// Runs audits with one set of options. Cheap to clone; safe to share between threads.
#[derive(Clone)]
pub struct Auditor {
    trust: TrustStore,
    expectations: Option<Expectations>,
    at: Timestamp,
    warn_days: u32,
    extra_chain: Vec<CertificateDer<'static>>,
    pfx_password: Option<String>,
    loopback_allowed: bool,
    issuers: Arc<IssuerCache>,
}

impl std::fmt::Debug for Auditor {
    /// Every setting but the PKCS#12 password, which shows only whether there is one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auditor")
            .field("trust", &self.trust)
            .field("expectations", &self.expectations)
            .field("at", &self.at)
            .field("warn_days", &self.warn_days)
            .field("extra_chain", &self.extra_chain.len())
            .field("pfx_password", &crate::redacted(&self.pfx_password))
            .field("loopback_allowed", &self.loopback_allowed)
            .finish_non_exhaustive()
    }
}

impl Default for Auditor {
    fn default() -> Self {
        Auditor::new()
    }
}

impl Auditor {
    /// Mozilla's roots, no topology, the current time, 30 warning days.
    pub fn new() -> Auditor {
        Auditor {
            trust: TrustStore::mozilla(),
            expectations: None,
            at: Timestamp::now(),
            warn_days: 30,
            extra_chain: Vec::new(),
            pfx_password: None,
            loopback_allowed: false,
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

    /// Sets the audit time.
    pub fn at(mut self, at: Timestamp) -> Auditor {
        self.at = at;
        self.issuers = Default::default();
        self
    }

    /// Sets the `validity.expiring_soon` threshold.
    pub fn warn_days(mut self, days: u32) -> Auditor {
        self.warn_days = days;
        self
    }

    /// Adds intermediates offered to every certificate's chain check (not to live endpoints,
    /// whose audit is of what the server sends).
    pub fn extra_chain(mut self, certs: Vec<CertificateDer<'static>>) -> Auditor {
        self.extra_chain.extend(certs);
        self
    }

    /// Sets the password that opens PKCS#12 (`.pfx`) inputs.
    pub fn pfx_password(mut self, password: Option<String>) -> Auditor {
        self.pfx_password = password;
        self
    }

    /// Accepts loopback addresses in the DNS answers for public names (a lab on this
    /// machine); otherwise they are a `dns.federation.target_resolves` finding, as no partner
    /// can reach them. The unspecified address (`0.0.0.0`, `::`) is a finding either way.
    pub fn allow_loopback(mut self, allowed: bool) -> Auditor {
        self.loopback_allowed = allowed;
        self
    }

    /// Whether loopback answers are accepted ([`Auditor::allow_loopback`]).
    pub fn loopback_allowed(&self) -> bool {
        self.loopback_allowed
    }

    /// The audit time.
    pub fn audit_time(&self) -> Timestamp {
        self.at
    }

    /// The trust store's name.
    pub fn trust_name(&self) -> &str {
        &self.trust.name
    }

    /// The expectations, if a topology was given.
    pub fn expected(&self) -> Option<&Expectations> {
        self.expectations.as_ref()
    }

    /// The `validity.expiring_soon` threshold in days.
    pub fn warning_days(&self) -> u32 {
        self.warn_days
    }

    pub(crate) fn password(&self) -> Option<&str> {
        self.pfx_password.as_deref()
    }

    /// Reads and audits one file. A read error becomes an unreadable report naming it.
    pub fn audit_file(&self, path: &Path) -> Vec<InputReport> {
        let shown = path.display().to_string();
        match std::fs::File::open(path)
            .and_then(|file| input::read_limited(file, input::MAX_INPUT_BYTES))
        {
            Ok(Ok(bytes)) => self.audit_bytes(&shown, &bytes),
            Ok(Err(too_big)) => vec![InputReport::unreadable(&shown, too_big)],
            Err(e) => vec![InputReport::unreadable(&shown, &e)],
        }
    }

    /// Audits the bytes of one file: its certificates as one leaf with its chain, and each
    /// request on its own.
    pub fn audit_bytes(&self, path: &str, bytes: &[u8]) -> Vec<InputReport> {
        match input::read_contents_with_password(bytes, self.pfx_password.as_deref()) {
            Ok(contents) => self.audit_contents(path, &contents),
            Err(e) => vec![InputReport::unreadable(path, e)],
        }
    }

    /// Audits what one file held (see [`input::read_contents`]).
    pub fn audit_contents(&self, path: &str, contents: &input::Contents) -> Vec<InputReport> {
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
            out.push(self.audit_request(&name, csr.as_ref()));
        }
        if let Some(first) = out.first_mut() {
            first.notes.extend(contents.notes.iter().cloned());
            first.notes.extend(
                contents
                    .skipped
                    .iter()
                    .map(|what| format!("the file also holds {what}, which is not audited")),
            );
        }
        out
    }

    /// Audits a certificate bundle (any order): the leaf is found by building the chain. A
    /// bundle of CA certificates only is reported as a CA certificate, without the Edge rules.
    pub fn audit_certificates(&self, path: &str, certs: &[CertificateDer<'_>]) -> InputReport {
        use x509_parser::certificate::{X509Certificate, X509CertificateParser};
        use x509_parser::nom::Parser;
        // The first certificate (usually the leaf) is parsed in full, the others without their
        // extensions, which finding the leaf does not need; the leaf is parsed in full once.
        fn parse<'a>(der: &'a [u8], deep: bool) -> Option<X509Certificate<'a>> {
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
        let unparsable = || {
            InputReport::unreadable(path, Failure::Parse("not a valid X.509 certificate".into()))
        };
        let facts = match (leaf_index, &parsed[leaf_index]) {
            (0, Some(cert)) => facts::parsed_certificate_facts(cert),
            (_, Some(_)) => match parse(leaf, true) {
                Some(cert) => facts::parsed_certificate_facts(&cert),
                None => return unparsable(),
            },
            (_, None) => return unparsable(),
        };
        if facts.is_ca {
            return ca_report(path, &facts, certs.len());
        }
        let mut others: Vec<CertificateDer<'_>> = certs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != leaf_index)
            .map(|(_, c)| c.clone())
            .collect();
        others.extend(self.extra_chain.iter().cloned());
        let verdict = self.check_chain(leaf, &others, &facts, ChainSource::Files);
        self.run(path, &facts, Some(&verdict), Some(leaf), None)
    }

    /// The chain check, at the audit time when the leaf is valid then, else at the nearest
    /// moment it is (its last day when it has expired, its first when it is not yet valid):
    /// the leaf's own dates are `validity.current`'s to report, once, and the chain is still
    /// worth reporting. Issuers validated at the audit time are not reused for another time.
    fn check_chain(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        facts: &Facts,
        source: ChainSource,
    ) -> ChainVerdict {
        let at = match (facts.not_before, facts.not_after) {
            (Some(nb), Some(na)) if nb <= na => self.at.clamp(nb, na),
            _ => self.at,
        };
        if at == self.at {
            chain::check_chain_from(leaf, intermediates, &self.trust, at, &self.issuers, source)
        } else {
            let fresh = chain::IssuerCache::default();
            chain::check_chain_from(leaf, intermediates, &self.trust, at, &fresh, source)
        }
    }

    /// Audits the chain a live endpoint presented (leaf first), checking `host` against its
    /// names too (`tls.host.name_match`) and the handshake (`tls.version.minimum`,
    /// `tls.client_auth.accepted`). The extra intermediates given to
    /// [`Auditor::extra_chain`] are not used: the audit is of what the server sends.
    pub fn audit_presented(&self, label: &str, presented: &Presented, host: &str) -> InputReport {
        self.audit_live_facts(label, presented, host, false)
    }

    /// [`Auditor::audit_presented`], for an endpoint reached as a federation SRV target when
    /// `federation` (its name is then the domain's rule, not `tls.host.name_match`).
    pub(crate) fn audit_live_facts(
        &self,
        label: &str,
        presented: &Presented,
        host: &str,
        federation: bool,
    ) -> InputReport {
        let chain = &presented.chain;
        let Some(leaf) = chain.first() else {
            return InputReport::unreadable(
                label,
                Failure::Other("the endpoint presented no certificate".into()),
            );
        };
        let facts = match facts::certificate_facts(leaf) {
            Ok(f) => f,
            Err(e) => return InputReport::unreadable(label, Failure::Parse(e.to_string())),
        };
        // Only what the server sent: extra intermediates would hide the chain a partner gets.
        let verdict = self.check_chain(leaf, &chain[1..], &facts, ChainSource::Presented);
        let live = Live {
            host,
            tls: &presented.tls,
            federation,
        };
        let mut report = self.run(label, &facts, Some(&verdict), Some(leaf), Some(live));
        report.tls = Some(presented.tls.clone());
        report
    }

    /// Audits one request (DER).
    pub fn audit_request(&self, path: &str, der: &[u8]) -> InputReport {
        match facts::csr_facts(der) {
            Ok(f) => self.run(path, &f, None, None, None),
            Err(e) => InputReport::unreadable(path, Failure::Parse(e.to_string())),
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
        leaf: Option<&CertificateDer<'_>>,
        live: Option<Live<'_>>,
    ) -> InputReport {
        let ctx = Context {
            facts,
            expectations: self.expectations.as_ref(),
            chain,
            at: self.at,
            warn_days: self.warn_days,
            host: live.as_ref().map(|l| l.host),
            tls: live.as_ref().map(|l| l.tls),
            leaf,
            federation: live.is_some_and(|l| l.federation),
        };
        let results = rules::input_rules().map(|r| r.run(&ctx)).collect();
        let mut report = describe(path, facts);
        if let Some(leaf) = leaf {
            report.thumbprint = Some(picert_core::pfx::thumbprint_hex(leaf));
            report.sha256 = Some(picert_core::pfx::sha256_hex(leaf));
        }
        report.chain = match chain {
            Some(ChainVerdict::Trusted(p)) => Some(p.clone()),
            _ => None,
        };
        report.expectations = Some(
            if self.expectations.is_some() {
                "topology"
            } else {
                "inferred"
            }
            .into(),
        );
        report.results = Some(results);
        report
    }

    /// Wraps reports into the whole [`Report`].
    pub fn report(&self, inputs: Vec<InputReport>) -> Report {
        let mut report = Report::new(self.at, &self.trust.name, inputs);
        report.certificate = Some(
            self.expectations
                .as_ref()
                .map_or(picert_core::plan::CertificateKind::EdgeExternal, |e| e.kind)
                .to_string(),
        );
        report.pool = self.expectations.as_ref().and_then(|e| e.pool.clone());
        report
    }
}

/// How a live endpoint was reached, for the rules that judge the connection.
#[derive(Clone, Copy)]
struct Live<'a> {
    host: &'a str,
    tls: &'a TlsFacts,
    federation: bool,
}

/// What the report says about any certificate or request, before the rules.
fn describe(path: &str, facts: &Facts) -> InputReport {
    InputReport {
        path: path.to_string(),
        kind: Some(facts.kind),
        subject: Some(facts.subject.clone()),
        issuer: facts.issuer.clone(),
        not_before: facts.not_before,
        not_after: facts.not_after,
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
        ..InputReport::default()
    }
}

/// A CA certificate given on its own: described, no Edge rule run (`results` is empty).
fn ca_report(path: &str, facts: &Facts, count: usize) -> InputReport {
    let mut report = describe(path, facts);
    report.kind = Some(InputKind::CaCertificate);
    report.results = Some(Vec::new());
    report.notes.push(if count > 1 {
        format!("{count} CA certificates and no Edge certificate: offered as chain material to the other inputs; no Edge rule applies")
    } else {
        "a CA certificate, not an Edge certificate: offered as chain material to the other inputs; no Edge rule applies".into()
    });
    report
}
