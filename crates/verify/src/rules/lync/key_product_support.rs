//! A certificate whose key the topology's product cannot use is an error, not advice: Skype for
//! Business Server 2015 does not support CNG certificates, and Windows keeps every ECC key as a
//! CNG key, so an ECC certificate will not work on a 2015 Edge. `lync.key.algorithm` gives the
//! general advice (RSA is the safe choice) and defers to this rule when the product is known to
//! refuse the key, so the problem is said once, at the severity it has.

use picert_core::Product;

use crate::facts::KeyFacts;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.key.product_support`
pub static RULE: Rule = Rule {
    id: "lync.key.product_support",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the topology's product can use the key (Skype for Business Server 2015 takes no ECC/CNG certificate)",
    citation: "Skype for Business Server 2015 does not support CNG certificates",
    source: Source::Microsoft,
    reference: "SfB Server documentation, note on CNG certificates",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

/// The product of the topology (or `--product`) refuses an EC key: the one case this rule, and
/// not `lync.key.algorithm`, reports.
pub(crate) fn product_refuses_key(ctx: &Context<'_>) -> Option<Product> {
    let product = ctx.expectations.and_then(|e| e.platform.product)?;
    (product == Product::Sfb2015 && matches!(ctx.facts.key, KeyFacts::Ec { .. })).then_some(product)
}

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(product) = ctx.expectations.and_then(|e| e.platform.product) else {
        return Outcome::NotApplicable("no product named (topology product or --product)".into());
    };
    match (&ctx.facts.key, product_refuses_key(ctx)) {
        (KeyFacts::Ec { curve }, Some(p)) => Outcome::Finding(format!(
            "the key is EC {curve}, a CNG key on Windows, and {p} (the topology's product) does not support CNG certificates: this certificate will not work on its Edge; request one with an RSA key"
        )),
        (KeyFacts::Rsa { .. }, _) => Outcome::Pass(None),
        (KeyFacts::Ec { curve }, None) => Outcome::Pass(Some(format!(
            "{product} takes CNG certificates, so an EC {curve} key"
        ))),
        (other, _) => Outcome::NotApplicable(format!(
            "what {product} does with a key of {other} is not documented; lync.key.algorithm reports it"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    fn with_product(f: &crate::facts::Facts, product: Option<Product>) -> (Status, String) {
        let mut exp = contoso();
        exp.platform.product = product;
        let ctx = Context {
            expectations: Some(&exp),
            ..context(f)
        };
        run(&RULE, &ctx)
    }

    #[test]
    fn an_ecc_key_is_an_error_for_sfb_2015_only() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na, "no topology");
        assert_eq!(with_product(&f, None).0, Status::Na, "no product");
        assert_eq!(with_product(&f, Some(Product::Sfb2015)).0, Status::Pass);
        f.key = KeyFacts::Ec {
            curve: "P-256".into(),
        };
        let (status, detail) = with_product(&f, Some(Product::Sfb2015));
        assert_eq!(status, Status::Finding);
        assert!(
            detail.contains("will not work on its Edge")
                && detail.contains("Skype for Business Server 2015"),
            "{detail}"
        );
        assert_eq!(with_product(&f, Some(Product::Sfb2019)).0, Status::Pass);
        assert_eq!(with_product(&f, None).0, Status::Na);
        f.key = KeyFacts::Other {
            oid: "Ed25519 (1.3.101.112)".into(),
        };
        assert_eq!(with_product(&f, Some(Product::Sfb2015)).0, Status::Na);
    }
}
