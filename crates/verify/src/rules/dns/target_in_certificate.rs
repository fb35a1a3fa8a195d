//! "The exact FQDN must be present in either the SN or the SAN of the external certificate":
//! a partner that connects to the SRV target checks that name against the certificate it gets.

use rustls_pki_types::CertificateDer;

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, DomainContext, Needs, Outcome, Rule, Source};

/// `dns.federation.target_in_certificate`
pub static RULE: Rule = Rule {
    id: "dns.federation.target_in_certificate",
    severity: Severity::Error,
    applies_to: AppliesTo::SipDomains,
    needs: Needs::Federation,
    description: "the federation SRV target is a DNS name of the certificate every one of its addresses presents (a SAN, or the subject when there is no SAN)",
    citation: "For federation, the exact FQDN of the SRV target must be present in either the SN or the SAN of the external certificate",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 / Skype for Business federation DNS and certificate requirements; seeds 001/002 (sip.<domain> SANs)",
    effective: None,
    advice: None,
    check: Check::Domain(check),
};

/// Whether `leaf` names `target`: a DNS SAN (as a TLS client matches it), or the subject CN
/// when the certificate has no SAN extension.
fn names(target: &str, leaf: &CertificateDer<'_>) -> bool {
    if crate::chain::matches_name(leaf, target).is_ok() {
        return true;
    }
    match crate::facts::certificate_facts(leaf) {
        Ok(f) if !f.san_present => f
            .common_names
            .iter()
            .flatten()
            .any(|cn| picert_core::names::same_dns_name(cn, target)),
        _ => false,
    }
}

/// Only a leaf whose key the endpoint proved counts as what it presents: anyone can replay a
/// chain.
fn check(ctx: &DomainContext<'_>) -> Outcome {
    super::per_target(ctx, |t| {
        if let Some(none) = super::no_endpoint(t) {
            return none;
        }
        let named: Vec<(String, bool)> = t
            .endpoints
            .iter()
            .filter_map(|e| {
                let presented = super::presented(e).filter(|p| p.tls.key_proved)?;
                Some((
                    super::endpoint_label(t, e.address),
                    names(&t.record.target, &presented.chain[0]),
                ))
            })
            .collect();
        judge(&t.record.target, &named)
    })
}

/// The verdict over the addresses of `target`: `(address, names the target)` for each one that
/// presented a certificate.
fn judge(target: &str, seen: &[(String, bool)]) -> Outcome {
    if seen.is_empty() {
        return Outcome::NotApplicable(format!("no address of {target} presented a certificate"));
    }
    let missing: Vec<&str> = seen
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(a, _)| a.as_str())
        .collect();
    if missing.is_empty() {
        Outcome::Pass(Some(format!("{target} is in the certificate")))
    } else {
        Outcome::Finding(format!(
            "the certificate presented by {} does not carry {target}: partners connecting to the SRV target refuse it; add {target} to the certificate's SANs (it is the sip.<domain> SAN of the table)",
            missing.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_must_name_the_target() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        assert!(names("sip.contoso.com", cert.der()));
        assert!(!names("sip.fabrikam.com", cert.der()));
        let mut cn_only = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        cn_only
            .distinguished_name
            .push(rcgen::DnType::CommonName, "sip.fabrikam.com");
        let cn_only = cn_only.self_signed(&key).unwrap();
        assert!(
            names("sip.fabrikam.com", cn_only.der()),
            "the subject counts without SANs"
        );
        assert!(matches!(
            judge("sip.contoso.com", &[("127.0.0.1:5061".into(), true)]),
            Outcome::Pass(_)
        ));
        let Outcome::Finding(why) = judge(
            "sip.contoso.com",
            &[
                ("127.0.0.1:5061".into(), true),
                ("[::1]:5061".into(), false),
            ],
        ) else {
            panic!()
        };
        assert!(why
            .starts_with("the certificate presented by [::1]:5061 does not carry sip.contoso.com"));
    }
}
