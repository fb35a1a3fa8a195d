//! Remote users' clients find the Access Edge through `_sip._tls.<SIP domain>` (SRV, port
//! 443): not federation, but the same certificate and Edge (Microsoft, SfB Edge DNS planning).

use crate::facts::dns::{Lookup, SrvRecord};
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, DomainContext, Needs, Outcome, Rule, Source};

/// `dns.remote_access.srv_present`
pub static RULE: Rule = Rule {
    id: "dns.remote_access.srv_present",
    severity: Severity::Notice,
    applies_to: AppliesTo::SipDomains,
    needs: Needs::Federation,
    description: "the SIP domain has a _sip._tls SRV record for remote users",
    citation: "Remote user access: clients look up _sip._tls.<SIP domain> (SRV), normally port 443 on the Access Edge",
    source: Source::Microsoft,
    reference: "Microsoft, Skype for Business Server Edge DNS planning (remote user access)",
    effective: None,
    advice: None,
    check: Check::Domain(check),
};

fn check(ctx: &DomainContext<'_>) -> Outcome {
    judge(&ctx.domain.domain, &ctx.domain.remote_access_srv)
}

/// The record for `domain`, as `answer` found it.
fn judge(domain: &str, answer: &Lookup<SrvRecord>) -> Outcome {
    let name = format!("_sip._tls.{domain}");
    match answer {
        Lookup::Found(records) if !records.is_empty() => {
            Outcome::Pass(Some(super::describe(records)))
        }
        _ => Outcome::Finding(format!(
            "{}: remote users' clients cannot discover the Access Edge by DNS (publish {name}. SRV 0 0 443 sip.{domain}. if remote access is offered)",
            super::missing(&name, answer)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_only_a_notice() {
        assert_eq!(RULE.severity, Severity::Notice);
        let Outcome::Finding(why) = judge("contoso.com", &Lookup::NotFound { nxdomain: false })
        else {
            panic!()
        };
        assert!(
            why.starts_with("_sip._tls.contoso.com has no SRV record"),
            "{why}"
        );
        assert!(matches!(
            judge(
                "contoso.com",
                &Lookup::Found(vec![SrvRecord {
                    priority: 0,
                    weight: 0,
                    port: 443,
                    target: "sip.contoso.com".into()
                }])
            ),
            Outcome::Pass(_)
        ));
    }
}
