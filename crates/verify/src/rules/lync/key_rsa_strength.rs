//! Lync 2013 certificate infrastructure: "key lengths of 1024, 2048 and 4096 ... 2048 and
//! above recommended"; CA/B Forum BR §6.1.5: RSA moduli of at least 2048 bits, "divisible by 8".

use crate::facts::KeyFacts;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.key.rsa_strength`
pub static RULE: Rule = Rule {
    id: "lync.key.rsa_strength",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "an RSA key is at least 2048 bits and its modulus length is a multiple of 8",
    citation: "BR 6.1.5: RSA modulus size in bits at least 2048 and divisible by 8; Microsoft recommends 2048 and above",
    source: Source::Microsoft,
    reference: "Lync 2013 certificate infrastructure requirements; CA/B Forum BR 6.1.5",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    match ctx.facts.key {
        KeyFacts::Rsa { bits } if bits < 2048 => Outcome::Finding(format!(
            "the RSA key has {bits} bits; 2048 is the minimum a public CA issues (generate a new key: picert request --key-type rsa2048)"
        )),
        KeyFacts::Rsa { bits } if bits % 8 != 0 => {
            Outcome::Finding(format!("the RSA modulus is {bits} bits, not a multiple of 8"))
        }
        KeyFacts::Rsa { bits } => Outcome::Pass(Some(format!("RSA {bits} bits"))),
        _ => Outcome::NotApplicable("not an RSA key".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn at_least_2048_bits_in_whole_bytes() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.key = KeyFacts::Rsa { bits: 1024 };
        assert!(run(&RULE, &context(&f)).1.contains("1024 bits"));
        f.key = KeyFacts::Rsa { bits: 2047 };
        assert!(run(&RULE, &context(&f)).1.contains("2047"));
        f.key = KeyFacts::Rsa { bits: 3073 };
        assert!(run(&RULE, &context(&f)).1.contains("not a multiple of 8"));
        f.key = KeyFacts::Ec {
            curve: "P-256".into(),
        };
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
    }
}
