//! Helpers for the rules' unit tests: facts of a good Edge certificate or request, which a test
//! changes field by field, and a context around them.

use picert_core::{Expectations, Timestamp, Topology};

use super::{Context, Rule};
use crate::facts::{certificate_facts, csr_facts, Facts, KeyFacts};
use crate::report::{RuleResult, Status};

/// 2026-06-01: inside the test certificates' validity.
pub const AT: Timestamp = Timestamp::from_date(2026, 6, 1);

/// The facts of a request with these DNS names (the first is the CN), RSA-free (P-256).
pub fn request_facts(names: &[&str]) -> Facts {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0]);
    let csr = params.serialize_request(&key).unwrap();
    csr_facts(csr.der()).unwrap()
}

/// The facts of the seed table's certificate: CN sip.contoso.com, the three SANs in order,
/// both EKUs, an RSA-2048 key with digitalSignature and keyEncipherment, a CRL point, valid
/// from 2026-04-01 for 180 days.
pub fn cert_facts() -> Facts {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![
        "sip.contoso.com".into(),
        "webcon.contoso.com".into(),
        "sip.fabrikam.com".into(),
    ])
    .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sip.contoso.com");
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
        uris: vec!["http://crl.example.com/ca.crl".into()],
    }];
    params.not_before = rcgen::date_time_ymd(2026, 4, 1);
    params.not_after = rcgen::date_time_ymd(2026, 9, 28);
    let cert = params.self_signed(&key).unwrap();
    let mut facts = certificate_facts(cert.der()).unwrap();
    // rcgen makes P-256 keys; the facts say RSA, as the Edge's are.
    facts.key = KeyFacts::Rsa { bits: 2048 };
    facts
}

/// The contoso topology's expectations (AOL on).
pub fn contoso() -> Expectations {
    Topology::from_toml(
        "access_edge = 'sip.contoso.com'\nwebconf_edge = 'webcon.contoso.com'\nsip_domains = ['contoso.com', 'fabrikam.com']\naol = true\n",
        "contoso.toml",
    )
    .unwrap()
    .expectations()
    .unwrap()
}

/// The expectations of the multi-site fixture's Redmond Front End pool certificate.
pub fn front_end() -> Expectations {
    let deployment = picert_core::deployment::Deployment::parse_bytes(
        include_bytes!("../../../../fixtures/topology/multi.tbxml"),
        "multi.tbxml",
    )
    .unwrap();
    let plans = picert_core::plan::plan(&deployment, "multi.tbxml").unwrap();
    let fe = picert_core::plan::choose(
        &plans,
        picert_core::plan::CertificateKind::FrontEnd,
        Some("fepool-red.contoso.com"),
        "multi.tbxml",
    )
    .unwrap();
    Expectations::for_certificate(fe, &Topology::default()).unwrap()
}

/// A context with no topology, no chain, no live connection, at [`AT`].
pub fn context(facts: &Facts) -> Context<'_> {
    Context {
        facts,
        expectations: None,
        chain: None,
        at: AT,
        warn_days: 30,
        host: None,
        tls: None,
        leaf: None,
        federation: false,
    }
}

/// A handshake record with this version, no client certificate asked for.
pub fn tls(version: &str) -> crate::facts::tls::TlsFacts {
    crate::facts::tls::TlsFacts {
        address: "127.0.0.1:5061".into(),
        server_name: "sip.contoso.com".into(),
        version: version.into(),
        cipher: "TLS13_AES_256_GCM_SHA384".into(),
        certificates_sent: 2,
        client_certificate: crate::facts::tls::ClientCertificate::NotRequested,
        client_certificate_accepted: None,
        alert: None,
        key_proved: true,
        handshake_failure: None,
        offered_versions: Vec::new(),
        versions_not_probed: Vec::new(),
    }
}

/// Runs `rule` on the good certificate as a live endpoint reached as `sip.contoso.com`, with
/// the handshake `tls`.
pub fn run_live(rule: &Rule, tls: &crate::facts::tls::TlsFacts) -> (Status, String) {
    let f = cert_facts();
    run(
        rule,
        &Context {
            host: Some("sip.contoso.com"),
            tls: Some(tls),
            ..context(&f)
        },
    )
}

/// Runs `rule` and returns its status and detail.
pub fn run(rule: &Rule, ctx: &Context<'_>) -> (Status, String) {
    let RuleResult { status, detail, .. } = rule.run(ctx);
    (status, detail.unwrap_or_default().into_owned())
}
