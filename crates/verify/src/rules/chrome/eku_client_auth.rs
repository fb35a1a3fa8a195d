//! Chrome Root Program policy v1.8, §1.3.2: subscriber certificates issued on or after
//! 2027-03-15 by a CA in the Chrome Root Store may assert only serverAuth; such a certificate
//! with clientAuth puts its CA at risk of distrust. A certificate without clientAuth passes.

use crate::facts::EKU_CLIENT_AUTH;
use crate::report::Severity;
use picert_core::Timestamp;

use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `chrome.eku.client_auth`
pub static RULE: Rule = Rule {
    id: "chrome.eku.client_auth",
    severity: Severity::Notice,
    applies_to: AppliesTo::Certificates,
    needs: Needs::PublicCa,
    description: "a public-CA certificate with clientAuth issued from 2027-03-15 breaks Chrome Root Program policy 1.8",
    citation: "Chrome Root Program policy 1.8, 1.3.2: from 2027-03-15, server certificates may only contain serverAuth",
    source: Source::Chrome,
    reference: "Chrome Root Program policy 1.8",
    effective: Some(Timestamp::from_date(2027, 3, 15)),
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.eku {
        Some(list) if list.iter().any(|o| o == EKU_CLIENT_AUTH) => Outcome::Finding(
            "a public-CA certificate with clientAuth issued after 2027-03-15: Chrome's policy forbids it and the CA risks distrust; AOL PIC's client EKU now needs an enterprise CA".into(),
        ),
        // Only serverAuth (or no clientAuth at all) is what the policy asks for.
        _ => Outcome::Pass(Some("no clientAuth EKU".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn not_yet_effective_for_2026_certificates() {
        let mut f = cert_facts();
        let trusted = crate::chain::ChainVerdict::Trusted(vec![]);
        let public = |f| Context {
            chain: Some(&trusted),
            ..context(f)
        };
        assert_eq!(run(&RULE, &public(&f)).0, Status::Ne);
        f.not_before = Some(Timestamp::from_date(2027, 4, 1));
        assert_eq!(
            run(
                &RULE,
                &Context {
                    chain: Some(&trusted),
                    ..context(&f)
                }
            )
            .0,
            Status::Finding
        );
        assert_eq!(
            run(&RULE, &context(&f)).0,
            Status::Na,
            "not from a public CA"
        );
        f.eku = Some(vec![crate::facts::EKU_SERVER_AUTH.into()]);
        assert_eq!(
            run(
                &RULE,
                &Context {
                    chain: Some(&trusted),
                    ..context(&f)
                }
            )
            .0,
            Status::Pass
        );
    }
}
