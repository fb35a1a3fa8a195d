//! Skype for Business Server 2015 does not support CNG certificates, which in practice rules out
//! ECC keys for the Edge: RSA is the safe choice.

use crate::facts::KeyFacts;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.key.algorithm`
pub static RULE: Rule = Rule {
    id: "lync.key.algorithm",
    severity: Severity::Warning,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the key is RSA (ECC keys are CNG keys, unsupported by SfB Server 2015)",
    citation: "Skype for Business Server 2015 does not support CNG certificates",
    source: Source::Microsoft,
    reference: "SfB Server documentation, note on CNG certificates",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    if let Some(product) = super::key_product_support::product_refuses_key(ctx) {
        return Outcome::NotApplicable(format!(
            "{product} cannot use this key at all: lync.key.product_support reports it as an error"
        ));
    }
    let product = ctx.expectations.and_then(|e| e.platform.product);
    match &ctx.facts.key {
        KeyFacts::Rsa { .. } => Outcome::Pass(None),
        KeyFacts::Ec { curve } => Outcome::Finding(match product {
            Some(p) => format!(
                "the key is EC {curve}, a CNG key on Windows: {p} (the topology's product) takes CNG certificates, but any Skype for Business Server 2015 server the certificate also serves does not; RSA works everywhere"
            ),
            None => format!(
                "the key is EC {curve}: Skype for Business Server 2015 does not support CNG (ECC) certificates; use RSA unless every Edge runs a release that supports it (name the product in the topology: product = \"sfb2019\")"
            ),
        }),
        other => Outcome::Finding(format!(
            "the key is {other}, not RSA: Lync and Skype for Business Server Edge certificates use RSA keys"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;
    use picert_core::Product;

    #[test]
    fn rsa_is_the_safe_choice() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.key = KeyFacts::Ec {
            curve: "P-256".into(),
        };
        assert!(run(&RULE, &context(&f)).1.contains("does not support CNG"));
        // The topology's product is named.
        // The topology's product is named; for SfB 2015, which cannot use the key, the error is
        // lync.key.product_support's and this rule says where to look.
        for (product, expected, says) in [
            (
                Product::Sfb2015,
                Status::Na,
                "lync.key.product_support reports it",
            ),
            (
                Product::Sfb2019,
                Status::Finding,
                "Skype for Business Server 2019 (the topology's product) takes CNG",
            ),
        ] {
            let mut exp = contoso();
            exp.platform.product = Some(product);
            let ctx = Context {
                expectations: Some(&exp),
                ..context(&f)
            };
            let (status, detail) = run(&RULE, &ctx);
            assert_eq!(status, expected);
            assert!(detail.contains(says), "{detail}");
        }
        f.key = KeyFacts::Other {
            oid: "Ed25519 (1.3.101.112)".into(),
        };
        assert!(run(&RULE, &context(&f)).1.contains("not RSA"));
    }
}
