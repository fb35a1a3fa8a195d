//! "Must carry the server EKU" (seeds 001/002, PIC certificate summary comments); every server
//! certificate of Lync Server needs the server EKU (Lync 2013 certificate infrastructure).

use crate::facts::{eku_name, EKU_SERVER_AUTH};
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.eku.server_auth`
pub static RULE: Rule = Rule {
    id: "pic.eku.server_auth",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "the EKU extension is present and contains serverAuth",
    citation: "PIC certificate summary: the certificate must carry the server EKU",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002), table",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.eku {
        None => Outcome::Finding(
            "there is no EKU extension; the Edge certificate needs serverAuth (1.3.6.1.5.5.7.3.1)"
                .into(),
        ),
        Some(list) if list.iter().any(|o| o == EKU_SERVER_AUTH) => Outcome::Pass(None),
        Some(list) => Outcome::Finding(format!(
            "the EKU ({}) lacks serverAuth (1.3.6.1.5.5.7.3.1)",
            list.iter()
                .map(|o| eku_name(o))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn server_auth_is_required() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.eku = Some(vec![crate::facts::EKU_CLIENT_AUTH.into()]);
        assert!(run(&RULE, &context(&f))
            .1
            .contains("(clientAuth) lacks serverAuth"));
        f.eku = None;
        assert!(run(&RULE, &context(&f)).1.contains("no EKU extension"));
    }
}
