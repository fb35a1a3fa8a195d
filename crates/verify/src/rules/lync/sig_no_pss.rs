//! Lync Server 2013 certificate infrastructure: SHA-1 and SHA-2 signatures are supported;
//! "RSASSA-PSS is not supported".

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.sig.no_pss`
pub static RULE: Rule = Rule {
    id: "lync.sig.no_pss",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the signature is not RSASSA-PSS",
    citation: "Lync Server 2013: the RSASSA-PSS signature algorithm is unsupported",
    source: Source::Microsoft,
    reference: "Lync 2013 \"Certificate infrastructure requirements\"",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    if ctx.facts.signature.pss {
        Outcome::Finding("signed with RSASSA-PSS, which Lync Server does not support; ask the CA for a PKCS#1 v1.5 signature (sha256WithRSAEncryption)".into())
    } else {
        Outcome::Pass(Some(ctx.facts.signature.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn pss_is_refused() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.signature.pss = true;
        assert!(run(&RULE, &context(&f)).1.contains("RSASSA-PSS"));
    }
}
