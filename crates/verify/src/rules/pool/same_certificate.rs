//! "Every Edge server in a pool carries the exact same certificate and private key" (Skype for
//! Business Edge environmental requirements): a partner load-balanced to another member must
//! see the same certificate.

use crate::report::Severity;
use crate::rules::dns::{endpoint_label, no_endpoint, per_target, presented};
use crate::rules::{AppliesTo, Check, DomainContext, Needs, Outcome, Rule, Source};

/// `pool.same_certificate`
pub static RULE: Rule = Rule {
    id: "pool.same_certificate",
    severity: Severity::Error,
    applies_to: AppliesTo::SipDomains,
    needs: Needs::Federation,
    description: "every address behind one name presents the same leaf certificate",
    citation: "All Edge servers of a pool use the same external certificate and private key (the key must be exportable)",
    source: Source::Microsoft,
    reference: "Microsoft, Skype for Business Server Edge environmental requirements; Lync 2013 \"Plan for Edge Server certificates\"",
    effective: None,
    advice: None,
    check: Check::Domain(check),
};

fn check(ctx: &DomainContext<'_>) -> Outcome {
    per_target(ctx, |t| {
        if let Some(none) = no_endpoint(t) {
            return none;
        }
        let mut seen = Vec::new();
        let mut unproved = Vec::new();
        for e in &t.endpoints {
            let Some(p) = presented(e) else { continue };
            let label = endpoint_label(t, e.address);
            if p.tls.key_proved {
                seen.push((label, picert_core::pfx::thumbprint_hex(&p.chain[0])));
            } else {
                unproved.push(label);
            }
        }
        judge(&t.record.target, &seen, &unproved)
    })
}

/// The verdict over `(address, leaf thumbprint)` for every address of `name` that presented a
/// certificate and proved it holds its key; `unproved` are the addresses that sent a
/// certificate without that proof, which cannot count as carrying the pool's certificate.
fn judge(name: &str, seen: &[(String, String)], unproved: &[String]) -> Outcome {
    if !unproved.is_empty() {
        return Outcome::Finding(format!(
            "{} sent a certificate for {name} but did not prove it holds its key: that address is not shown to be a member of the pool",
            unproved.join(", ")
        ));
    }
    match seen {
        [] => Outcome::NotApplicable(format!("no address of {name} presented a certificate")),
        [(address, _)] => Outcome::NotApplicable(format!("{name} has one address ({address})")),
        [(_, first), rest @ ..] if rest.iter().all(|(_, t)| t == first) => Outcome::Pass(Some(
            format!("{} addresses present {first}", seen.len()),
        )),
        _ => Outcome::Finding(format!(
            "the addresses of {name} present different certificates: {}; every Edge of the pool must carry the same certificate and key (export the PFX from one and import it on the others)",
            seen.iter()
                .map(|(a, t)| format!("{a} {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_leaf_for_the_whole_pool() {
        let same = [
            ("127.0.0.1:5061".to_string(), "AB".to_string()),
            ("[::1]:5061".into(), "AB".into()),
        ];
        assert_eq!(
            judge("sip.contoso.com", &same, &[]),
            Outcome::Pass(Some("2 addresses present AB".into()))
        );
        let differ = [
            ("127.0.0.1:5061".to_string(), "AB".to_string()),
            ("127.0.0.2:5061".into(), "CD".into()),
        ];
        let Outcome::Finding(why) = judge("sip.contoso.com", &differ, &[]) else {
            panic!()
        };
        assert!(
            why.contains("127.0.0.1:5061 AB, 127.0.0.2:5061 CD"),
            "{why}"
        );
        assert!(matches!(
            judge("sip.contoso.com", &same[..1], &[]),
            Outcome::NotApplicable(_)
        ));
    }
}
