//! CA/B Forum BR: SHA-1 in subscriber certificates is sunset on 2026-09-15, MD5 long before;
//! both have practical collision attacks.

use crate::facts::HashKind;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.sig.weak_hash`
pub static RULE: Rule = Rule {
    id: "lync.sig.weak_hash",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Nothing,
    description: "the signature hash is neither MD5 nor SHA-1",
    citation: "BR: SHA-1 sunset 2026-09-15; MD5 and SHA-1 have collision attacks",
    source: Source::CaBrowserForum,
    reference: "CA/B Forum Baseline Requirements 7.1.3",
    effective: None,
    advice: None,
    check: Check::Input(check),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn md5_and_sha1_are_refused() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        for (hash, name) in [
            (HashKind::Sha1, "sha1WithRSAEncryption"),
            (HashKind::Md5, "md5WithRSAEncryption"),
        ] {
            f.signature.hash = hash;
            f.signature.name = name.into();
            assert!(run(&RULE, &context(&f))
                .1
                .starts_with(&format!("signed with {name}")));
        }
    }
}
