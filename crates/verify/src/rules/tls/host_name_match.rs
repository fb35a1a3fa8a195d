//! A TLS client checks the name it connected to against the server certificate's SANs
//! (RFC 6125, and for the Edge "the exact FQDN must be present in either the SN or the SAN of
//! the external certificate"): a partner that reaches sip.contoso.com must find that name.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `tls.host.name_match`
pub static RULE: Rule = Rule {
    id: "tls.host.name_match",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Host,
    description: "the host name connected to (or --server-name) is covered by a DNS or IP SAN of the certificate the endpoint presents",
    citation: "RFC 6125 6.4; Lync 2013: the exact FQDN must be present in the SN or SAN of the external certificate",
    source: Source::Rfc,
    reference: "RFC 6125; Microsoft, Lync Server 2013 DNS requirements for federation",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let (Some(host), Some(leaf)) = (ctx.host, ctx.leaf) else {
        return Outcome::NotApplicable("no live connection".into());
    };
    if ctx.federation {
        // One missing name is one problem, said once, for the domain.
        return Outcome::NotApplicable(
            "for federation, dns.federation.target_in_certificate judges the SRV target's name"
                .into(),
        );
    }
    match crate::chain::matches_name(leaf, host) {
        Ok(()) => Outcome::Pass(Some(format!("valid for {host}"))),
        Err(why) => Outcome::Finding(format!(
            "{why}: clients connecting to {host} will refuse it"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn the_name_connected_to_must_be_covered() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["sip.contoso.com".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let f = crate::facts::certificate_facts(cert.der()).unwrap();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
        let ctx = |host| Context {
            host: Some(host),
            leaf: Some(cert.der()),
            ..context(&f)
        };
        assert_eq!(run(&RULE, &ctx("sip.contoso.com")).0, Status::Pass);
        let (status, detail) = run(&RULE, &ctx("sip.fabrikam.com"));
        assert_eq!(status, Status::Finding);
        assert!(
            detail.ends_with("clients connecting to sip.fabrikam.com will refuse it"),
            "{detail}"
        );
        // Reached as a federation SRV target, the name is the domain rule's.
        let (status, detail) = run(
            &RULE,
            &Context {
                federation: true,
                ..ctx("sip.fabrikam.com")
            },
        );
        assert_eq!(status, Status::Na);
        assert!(
            detail.contains("dns.federation.target_in_certificate"),
            "{detail}"
        );
    }
}
