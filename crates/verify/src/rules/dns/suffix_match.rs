//! "The SRV target must be a top-level suffix match of the SIP domain": for fabrikam.com the
//! target is sip.fabrikam.com, not sip.contoso.com (Microsoft, Skype for Business partner
//! discovery). A partner's Edge refuses a target outside the domain it looked up.

use picert_core::names::same_dns_name;

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, DomainContext, Needs, Outcome, Rule, Source};

/// `dns.federation.suffix_match`
pub static RULE: Rule = Rule {
    id: "dns.federation.suffix_match",
    severity: Severity::Error,
    applies_to: AppliesTo::SipDomains,
    needs: Needs::Federation,
    description: "the federation SRV target is the SIP domain itself or a name ending with .<SIP domain>",
    citation: "The SRV target must be a top-level suffix match of the SIP domain (sip.contoso.com for contoso.com, not sip.contoso-edge.com)",
    source: Source::Microsoft,
    reference: "Microsoft, Skype for Business Server federation DNS requirements (partner discovery)",
    effective: None,
    advice: None,
    check: Check::Domain(check),
};

fn check(ctx: &DomainContext<'_>) -> Outcome {
    super::per_target(ctx, |t| judge(&ctx.domain.domain, &t.record.target))
}

/// Whether `target` is within `domain`.
fn judge(domain: &str, target: &str) -> Outcome {
    let t = target.trim_end_matches('.').to_ascii_lowercase();
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    if same_dns_name(&t, &d) || t.ends_with(&format!(".{d}")) {
        Outcome::Pass(Some(format!("{t} is within {d}")))
    } else {
        Outcome::Finding(format!(
            "the SRV target {t} is not within {d}: partners refuse a target outside the SIP domain they looked up; point the record at a name in {d} (sip.{d}) that resolves to the Access Edge, and put that name in the certificate"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_must_end_with_the_domain() {
        assert!(matches!(
            judge("contoso.com", "sip.contoso.com."),
            Outcome::Pass(_)
        ));
        assert!(matches!(
            judge("contoso.com", "contoso.com"),
            Outcome::Pass(_)
        ));
        assert!(matches!(
            judge("contoso.com", "SIP.Contoso.COM"),
            Outcome::Pass(_)
        ));
        assert!(matches!(
            judge("fabrikam.com", "sip.contoso.com"),
            Outcome::Finding(_)
        ));
        // A suffix of characters is not a suffix of labels.
        assert!(matches!(
            judge("contoso.com", "sip.notcontoso.com"),
            Outcome::Finding(_)
        ));
    }
}
