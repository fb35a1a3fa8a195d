//! Skype for Business Server 2015 does not support CNG certificates, which in practice rules out
//! ECC keys for the Edge: RSA is the safe choice.

use crate::facts::KeyFacts;
use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};

/// `lync.key.algorithm`
pub static RULE: Rule = Rule {
    id: "lync.key.algorithm",
    severity: Severity::Warning,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the key is RSA (ECC keys are CNG keys, unsupported by SfB Server 2015)",
    citation: "Skype for Business Server 2015 does not support CNG certificates",
    source: "SfB Server documentation, note on CNG certificates",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.key {
        KeyFacts::Rsa { .. } => Outcome::Pass(None),
        KeyFacts::Ec { curve } => Outcome::Finding(format!(
            "the key is EC {curve}: Skype for Business Server 2015 does not support CNG (ECC) certificates; use RSA unless every Edge runs a release that supports it"
        )),
        other => Outcome::Finding(format!(
            "the key is {other}, not RSA: Lync and Skype for Business Server Edge certificates use RSA keys"
        )),
    }
}
