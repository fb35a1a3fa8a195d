//! Rules for the DNS records federated partners and remote users look up (`picert
//! federation`): each reads a SIP domain's [`DomainFacts`](crate::facts::dns::DomainFacts).
//! The rules about targets judge each federation SRV target and make one result of them.

pub mod remote_access_srv_present;
pub mod srv_present;
pub mod suffix_match;
pub mod target_in_certificate;
pub mod target_resolves;

use std::net::IpAddr;

use crate::facts::dns::{EndpointFacts, Lookup, SrvRecord, TargetFacts};
use crate::facts::tls::{Presented, Target};
use crate::rules::{DomainContext, Outcome};

/// `target:port (priority p, weight w)` for each record.
pub(crate) fn describe(records: &[SrvRecord]) -> String {
    records
        .iter()
        .map(|r| {
            format!(
                "{}:{} (priority {}, weight {})",
                r.target, r.port, r.priority, r.weight
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an SRV lookup found nothing, in words.
pub(crate) fn missing(name: &str, answer: &Lookup<SrvRecord>) -> String {
    match answer {
        Lookup::NotFound { nxdomain: true } => format!("{name} does not exist (NXDOMAIN)"),
        Lookup::NotFound { nxdomain: false } => format!("{name} has no SRV record"),
        Lookup::Failed(why) => format!("the lookup of {name} failed: {why}"),
        Lookup::Found(_) => format!("{name} has an SRV record"),
    }
}

/// One outcome over every federation SRV target of the domain: a single target's outcome as it
/// is; for several, each one's detail labelled `target:port` and the worst status (a finding,
/// else a pass, else not applicable). Without a target, not applicable.
pub(crate) fn per_target(
    ctx: &DomainContext<'_>,
    judge: impl Fn(&TargetFacts) -> Outcome,
) -> Outcome {
    let mut outcomes: Vec<(String, Outcome)> = ctx
        .domain
        .targets
        .iter()
        .map(|t| (t.label(), judge(t)))
        .collect();
    if outcomes.len() <= 1 {
        return outcomes
            .pop()
            .map(|(_, o)| o)
            .unwrap_or_else(|| Outcome::NotApplicable("no federation SRV record".into()));
    }
    let rank = |o: &Outcome| match o {
        Outcome::Finding(_) => 2,
        Outcome::Pass(_) => 1,
        Outcome::NotApplicable(_) => 0,
    };
    let worst = outcomes.iter().map(|(_, o)| rank(o)).max().unwrap_or(0);
    let detail = outcomes
        .iter()
        .filter_map(|(label, o)| match o {
            Outcome::Finding(d) | Outcome::NotApplicable(d) | Outcome::Pass(Some(d)) => {
                Some(format!("{label}: {d}"))
            }
            Outcome::Pass(None) => None,
        })
        .collect::<Vec<_>>()
        .join("; ");
    match worst {
        2 => Outcome::Finding(detail),
        1 => Outcome::Pass((!detail.is_empty()).then_some(detail)),
        _ => Outcome::NotApplicable(detail),
    }
}

/// Why a target has no endpoint to judge, when it has none.
pub(crate) fn no_endpoint(target: &TargetFacts) -> Option<Outcome> {
    if !target.endpoints.is_empty() {
        return None;
    }
    Some(Outcome::NotApplicable(
        match target.addresses {
            Lookup::Found(_) => "the target has no address a partner can reach",
            _ => "the target has no address",
        }
        .into(),
    ))
}

/// What an endpoint presented, when it sent a certificate.
pub(crate) fn presented(endpoint: &EndpointFacts) -> Option<&Presented> {
    endpoint
        .presented
        .as_ref()
        .ok()
        .filter(|p| !p.chain.is_empty())
}

/// `address:port` of an endpoint of `target`, IPv6 in brackets.
pub(crate) fn endpoint_label(target: &TargetFacts, address: IpAddr) -> String {
    Target {
        host: address.to_string(),
        port: target.record.port,
    }
    .label()
}

#[cfg(test)]
pub(crate) mod testing {
    //! SIP domains as the probe would find them, for the rules' tests.
    use super::*;
    use crate::facts::dns::DomainFacts;

    /// A record for `target` on 5061.
    pub fn record(target: &str) -> SrvRecord {
        SrvRecord {
            priority: 0,
            weight: 0,
            port: 5061,
            target: target.into(),
        }
    }

    /// `contoso.com` with these targets.
    pub fn domain(targets: Vec<TargetFacts>) -> DomainFacts {
        DomainFacts {
            domain: "contoso.com".into(),
            unicode: None,
            federation_srv: Lookup::Found(targets.iter().map(|t| t.record.clone()).collect()),
            remote_access_srv: Lookup::NotFound { nxdomain: true },
            targets,
        }
    }

    /// A target with no address.
    pub fn target(name: &str) -> TargetFacts {
        TargetFacts {
            record: record(name),
            cnames: Vec::new(),
            cname_end: crate::facts::dns::ChainEnd::NotWalked,
            addresses: Lookup::NotFound { nxdomain: false },
            endpoints: Vec::new(),
        }
    }

    /// Runs a domain rule's check.
    pub fn run(rule: &crate::rules::Rule, domain: &DomainFacts) -> Outcome {
        let ctx = DomainContext {
            domain,
            loopback_allowed: false,
            at: picert_core::Timestamp::from_date(2026, 6, 1),
        };
        match rule.check {
            crate::rules::Check::Domain(check) => check(&ctx),
            crate::rules::Check::Input(_) => panic!("{} is not a domain rule", rule.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn several_targets_make_one_outcome_with_the_worst_status() {
        let two = domain(vec![target("sip.contoso.com"), target("sip.example.net")]);
        let Outcome::Finding(detail) = run(&suffix_match::RULE, &two) else {
            panic!("one target outside the domain is a finding")
        };
        assert!(
            detail.starts_with("sip.contoso.com:5061: sip.contoso.com is within contoso.com; sip.example.net:5061: the SRV target sip.example.net is not within"),
            "{detail}"
        );
        let one = domain(vec![target("sip.contoso.com")]);
        assert_eq!(
            run(&suffix_match::RULE, &one),
            Outcome::Pass(Some("sip.contoso.com is within contoso.com".into()))
        );
        assert_eq!(
            run(&target_in_certificate::RULE, &domain(Vec::new())),
            Outcome::NotApplicable("no federation SRV record".into())
        );
    }
}
