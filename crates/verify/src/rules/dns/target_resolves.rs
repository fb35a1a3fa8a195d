//! The SRV target must resolve to the Access Edge's public address: an A or AAAA record,
//! directly or through a CNAME.

use std::net::IpAddr;

use crate::federation::Lookup;
use crate::report::Severity;
use crate::rules::{AppliesTo, Needs, Outcome, Rule, Source};

/// `dns.federation.target_resolves`
pub static RULE: Rule = Rule {
    id: "dns.federation.target_resolves",
    severity: Severity::Error,
    applies_to: AppliesTo::SipDomains,
    needs: Needs::Federation,
    description: "the federation SRV target has at least one A or AAAA record (after its CNAMEs)",
    citation: "The SRV target must resolve to the Access Edge external interface",
    source: Source::Microsoft,
    reference: "Microsoft, Skype for Business Server Edge DNS planning",
    effective: None,
    check: None,
};

/// The addresses `target` resolved to, through `cnames`.
pub(crate) fn check(target: &str, cnames: &[String], addresses: &Lookup<IpAddr>) -> Outcome {
    let via = if cnames.is_empty() {
        String::new()
    } else {
        format!(" (via CNAME {})", cnames.join(" -> "))
    };
    match addresses {
        Lookup::Found(list) if !list.is_empty() => Outcome::Pass(Some(format!(
            "{target}{via}: {}",
            list.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
        ))),
        Lookup::Failed(why) => Outcome::Finding(format!(
            "{target}{via} could not be resolved: {why}"
        )),
        _ => Outcome::Finding(format!(
            "{target}{via} has no A or AAAA record: partners find the SRV record but cannot reach the Edge; add an A record for it"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_needed() {
        let found = Lookup::Found(vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()]);
        assert_eq!(
            check("sip.contoso.com", &["edge.contoso.com".into()], &found),
            Outcome::Pass(Some(
                "sip.contoso.com (via CNAME edge.contoso.com): 127.0.0.1, ::1".into()
            ))
        );
        let Outcome::Finding(why) =
            check("sip.contoso.com", &[], &Lookup::NotFound { nxdomain: true })
        else {
            panic!()
        };
        assert!(
            why.starts_with("sip.contoso.com has no A or AAAA record"),
            "{why}"
        );
    }
}
