//! "A federated partner looks up `_sipfederationtls._tcp.<SIP domain>` (SRV) and connects to the
//! target": without the record, partners that discover federation by DNS cannot find the
//! Access Edge (Microsoft, Skype for Business Edge DNS planning; "Deploy Skype connectivity").

use crate::facts::dns::{Lookup, SrvRecord};
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, DomainContext, Needs, Outcome, Rule, Source};

/// `dns.federation.srv_present`
pub static RULE: Rule = Rule {
    id: "dns.federation.srv_present",
    severity: Severity::Error,
    applies_to: AppliesTo::SipDomains,
    needs: Needs::Federation,
    description: "the SIP domain has a _sipfederationtls._tcp SRV record",
    citation: "Partner discovery: a federated partner looks up _sipfederationtls._tcp.<SIP domain> and connects to its target, normally on port 5061",
    source: Source::Microsoft,
    reference: "Microsoft, Skype for Business Server Edge DNS planning; \"Deploy Skype connectivity\"",
    effective: None,
    advice: None,
    check: Check::Domain(check),
};

fn check(ctx: &DomainContext<'_>) -> Outcome {
    judge(&ctx.domain.domain, &ctx.domain.federation_srv)
}

/// The record for `domain`, as `answer` found it.
fn judge(domain: &str, answer: &Lookup<SrvRecord>) -> Outcome {
    let name = format!("_sipfederationtls._tcp.{domain}");
    match answer {
        // RFC 2782: a target of "." means the service is decidedly not available here.
        Lookup::Found(records) if !records.is_empty() && records.iter().all(|r| r.target.is_empty()) => {
            Outcome::Finding(format!(
                "{name} has a target of '.', which RFC 2782 defines as \"the service is decidedly not available at this domain\": partners will not federate with {domain}; point it at the Access Edge ({name}. SRV 0 0 5061 sip.{domain}.) when federation is wanted"
            ))
        }
        Lookup::Found(records) if !records.is_empty() => {
            Outcome::Pass(Some(super::describe(records)))
        }
        _ => Outcome::Finding(format!(
            "{}: partners that discover federation by DNS cannot find the Access Edge; publish {name}. SRV 0 0 5061 sip.{domain}.",
            super::missing(&name, answer)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_passes_its_absence_says_what_to_publish() {
        let found = Lookup::Found(vec![SrvRecord {
            priority: 0,
            weight: 0,
            port: 5061,
            target: "sip.contoso.com".into(),
        }]);
        assert_eq!(
            judge("contoso.com", &found),
            Outcome::Pass(Some("sip.contoso.com:5061 (priority 0, weight 0)".into()))
        );
        let Outcome::Finding(why) = judge("contoso.com", &Lookup::NotFound { nxdomain: true })
        else {
            panic!("a missing record is a finding")
        };
        assert!(why.starts_with("_sipfederationtls._tcp.contoso.com does not exist (NXDOMAIN)"));
        assert!(why.ends_with("SRV 0 0 5061 sip.contoso.com."), "{why}");
    }
}
