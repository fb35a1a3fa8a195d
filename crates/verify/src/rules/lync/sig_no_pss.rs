//! Lync Server 2013 certificate infrastructure: SHA-1 and SHA-2 signatures are supported;
//! "RSASSA-PSS is not supported".

use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};

/// `lync.sig.no_pss`
pub static RULE: Rule = Rule {
    id: "lync.sig.no_pss",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the signature is not RSASSA-PSS",
    citation: "Lync Server 2013: the RSASSA-PSS signature algorithm is unsupported",
    source: "Lync 2013 \"Certificate infrastructure requirements\"",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    if ctx.facts.signature.pss {
        Outcome::Finding("signed with RSASSA-PSS, which Lync Server does not support; ask the CA for a PKCS#1 v1.5 signature (sha256WithRSAEncryption)".into())
    } else {
        Outcome::Pass(Some(ctx.facts.signature.name.clone()))
    }
}
