//! Lync 2013 "Certificate infrastructure requirements": every server certificate must contain a
//! CRL distribution point (CDP), which servers fetch over HTTP.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.crl.distribution_point`
pub static RULE: Rule = Rule {
    id: "lync.crl.distribution_point",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "a CRL distribution point with an http URL is present",
    citation:
        "Lync Server 2013: all server certificates must contain a CRL distribution point (CDP)",
    source: Source::Microsoft,
    reference: "Lync 2013 \"Certificate infrastructure requirements\"",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.crl_uris {
        None => Outcome::Finding("there is no CRL distribution point extension; Lync and Skype for Business need one to check revocation".into()),
        Some(uris) => match uris.iter().find(|u| {
            let l = u.to_ascii_lowercase();
            l.starts_with("http://") || l.starts_with("https://")
        }) {
            Some(u) => Outcome::Pass(Some(u.clone())),
            None if uris.is_empty() => Outcome::Finding("the CRL distribution point extension names no URL".into()),
            None => Outcome::Finding(format!(
                "the CRL distribution points ({}) have no http URL; an Edge in the perimeter can only fetch CRLs over HTTP",
                uris.join(", ")
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn an_http_crl_point_is_needed() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.crl_uris = Some(vec!["ldap:///CN=CA,CN=CDP".into()]);
        assert!(run(&RULE, &context(&f)).1.contains("no http URL"));
        f.crl_uris = Some(vec![]);
        assert!(run(&RULE, &context(&f)).1.contains("names no URL"));
        f.crl_uris = None;
        assert!(run(&RULE, &context(&f))
            .1
            .contains("no CRL distribution point"));
    }
}
