//! Microsoft's sample Edge request asks for KeyUsage 0xa0 (digitalSignature, keyEncipherment);
//! Schannel with an RSA key exchange needs keyEncipherment.

use crate::facts::KeyFacts;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.key_usage.rsa`
pub static RULE: Rule = Rule {
    id: "lync.key_usage.rsa",
    severity: Severity::Warning,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description:
        "if key usage is present on an RSA key, it has digitalSignature and keyEncipherment",
    citation: "Microsoft's sample request: KeyUsage = 0xa0 (digitalSignature, keyEncipherment)",
    source: Source::Microsoft,
    reference: "Microsoft certreq sample for the Edge external certificate",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    if !matches!(ctx.facts.key, KeyFacts::Rsa { .. }) {
        return Outcome::NotApplicable("not an RSA key".into());
    }
    match ctx.facts.key_usage {
        None => Outcome::NotApplicable("no key usage extension".into()),
        Some((true, true, _)) => Outcome::Pass(None),
        Some((ds, ke, _)) => {
            let mut missing = Vec::new();
            if !ds {
                missing.push("digitalSignature");
            }
            if !ke {
                missing.push("keyEncipherment");
            }
            Outcome::Finding(format!(
                "the key usage lacks {}; TLS clients that use RSA key exchange will refuse the certificate",
                missing.join(" and ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn rsa_key_usage_needs_both_bits_when_present() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.key_usage = Some((true, false, true));
        assert!(run(&RULE, &context(&f)).1.contains("lacks keyEncipherment"));
        f.key_usage = None;
        assert_eq!(
            run(&RULE, &context(&f)).0,
            Status::Na,
            "the rule applies when key usage is present"
        );
        f.key = KeyFacts::Ec {
            curve: "P-256".into(),
        };
        f.key_usage = Some((true, false, true));
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
    }
}
