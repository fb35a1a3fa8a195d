//! CA/B Forum BR: SHA-1 in subscriber certificates is sunset on 2026-09-15, MD5 long before;
//! both have practical collision attacks.

use crate::facts::HashKind;
use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};

/// `lync.sig.weak_hash`
pub static RULE: Rule = Rule {
    id: "lync.sig.weak_hash",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "the signature hash is neither MD5 nor SHA-1",
    citation: "BR: SHA-1 sunset 2026-09-15; MD5 and SHA-1 have collision attacks",
    source: "CA/B Forum Baseline Requirements 7.1.3",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    let sig = &ctx.facts.signature;
    match sig.hash {
        HashKind::Md5 | HashKind::Sha1 => Outcome::Finding(format!(
            "signed with {}: MD5 and SHA-1 signatures are broken and no longer issued; get a SHA-256 certificate",
            sig.name
        )),
        _ => Outcome::Pass(Some(sig.name.clone())),
    }
}
