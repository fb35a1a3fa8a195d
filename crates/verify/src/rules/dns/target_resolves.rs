//! The SRV target must resolve to the Access Edge's public address: an A or AAAA record,
//! directly or through a CNAME.

use std::net::IpAddr;

use crate::facts::dns::{ChainEnd, Lookup, TargetFacts};
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, DomainContext, Needs, Outcome, Rule, Source};

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
    advice: None,
    check: Check::Domain(check),
};

fn check(ctx: &DomainContext<'_>) -> Outcome {
    super::per_target(ctx, |t| {
        chain_end(t).unwrap_or_else(|| {
            judge(
                &t.record.target,
                &t.cnames,
                &t.addresses,
                ctx.loopback_allowed,
            )
        })
    })
}

/// A target without an address whose CNAME chain was walked: where the chain ends, said.
fn chain_end(t: &TargetFacts) -> Option<Outcome> {
    let target = &t.record.target;
    let last = t.cnames.last()?;
    let chain = format!("{target} -> {}", t.cnames.join(" -> "));
    match t.cname_end {
        ChainEnd::NotWalked => None,
        ChainEnd::NoAddress => Some(Outcome::Finding(format!(
            "{target}'s CNAME chain ({chain}) ends at {last}, which has no A or AAAA record: partners find the SRV record but cannot reach the Edge; add an A record for {last}, or point {target} at the Access Edge's address"
        ))),
        ChainEnd::Loop => Some(Outcome::Finding(format!(
            "{target}'s CNAME chain loops ({chain}): no resolver reaches an address; point {target} at the Access Edge's address with an A record"
        ))),
        ChainEnd::BeyondResolver => Some(Outcome::Finding(format!(
            "{target}'s CNAME chain is {} CNAMEs long ({chain}): {last} has an address, but resolvers stop following before it (picert's did), so partners may find no address; shorten the chain or give {target} an A record",
            t.cnames.len()
        ))),
    }
}

/// The addresses `target` resolved to, through `cnames`.
fn judge(
    target: &str,
    cnames: &[String],
    addresses: &Lookup<IpAddr>,
    loopback_allowed: bool,
) -> Outcome {
    let via = if cnames.is_empty() {
        String::new()
    } else {
        format!(" (via CNAME {})", cnames.join(" -> "))
    };
    if let Lookup::Found(list) = addresses {
        let bad: Vec<String> = list
            .iter()
            .filter_map(|ip| {
                unusable(target, ip, loopback_allowed).map(|why| format!("{ip} ({why})"))
            })
            .collect();
        if !bad.is_empty() {
            return Outcome::Finding(format!(
                "{target}{via} resolves to {}: no partner can reach the Edge there; publish the Access Edge's public address",
                bad.join(", ")
            ));
        }
    }
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
            judge(
                "sip.contoso.com",
                &["edge.contoso.com".into()],
                &found,
                true
            ),
            Outcome::Pass(Some(
                "sip.contoso.com (via CNAME edge.contoso.com): 127.0.0.1, ::1".into()
            ))
        );
        let Outcome::Finding(why) = judge(
            "sip.contoso.com",
            &[],
            &Lookup::NotFound { nxdomain: true },
            false,
        ) else {
            panic!()
        };
        assert!(
            why.starts_with("sip.contoso.com has no A or AAAA record"),
            "{why}"
        );
    }
}

/// Why an address in a public name's answer cannot be the Edge partners reach: the unspecified
/// address (`0.0.0.0`, `::`) always; a loopback address for a name outside the special-use
/// names of RFC 6761 (`.test`, `.localhost`, `.invalid`, `.example`) unless loopback is allowed
/// (a lab on this machine).
pub(crate) fn unusable(target: &str, ip: &IpAddr, loopback_allowed: bool) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("the unspecified address");
    }
    let special = ["test", "localhost", "invalid", "example"]
        .iter()
        .any(|tld| target == *tld || target.ends_with(&format!(".{tld}")));
    if ip.is_loopback() && !special && !loopback_allowed {
        return Some("a loopback address");
    }
    None
}

#[cfg(test)]
mod address_tests {
    use super::*;

    #[test]
    fn unspecified_and_loopback_answers_are_findings() {
        let found = |ips: &[&str]| Lookup::Found(ips.iter().map(|i| i.parse().unwrap()).collect());
        let finding = |o: Outcome| matches!(o, Outcome::Finding(_));
        assert!(finding(judge(
            "sip.contoso.com",
            &[],
            &found(&["0.0.0.0"]),
            true
        )));
        assert!(finding(judge(
            "sip.contoso.com",
            &[],
            &found(&["::"]),
            true
        )));
        assert!(finding(judge(
            "sip.contoso.com",
            &[],
            &found(&["127.0.0.1"]),
            false
        )));
        assert!(!finding(judge(
            "sip.contoso.com",
            &[],
            &found(&["127.0.0.1"]),
            true
        )));
        assert!(!finding(judge(
            "sip.contoso.test",
            &[],
            &found(&["127.0.0.1"]),
            false
        )));
        assert!(!finding(judge(
            "sip.contoso.com",
            &[],
            &found(&["192.0.2.1"]),
            false
        )));
    }
}
