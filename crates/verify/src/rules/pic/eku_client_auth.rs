//! "Must carry ... the client EKU if Public IM Connectivity with AOL is deployed" (seeds 001/002);
//! "Request-CsCertificate ... -ClientEku $true" (seed 000); AOL PIC (seed 004).

use crate::facts::EKU_CLIENT_AUTH;
use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `pic.eku.client_auth`
pub static RULE: Rule = Rule {
    id: "pic.eku.client_auth",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Aol,
    description: "with PIC with AOL declared, the EKU contains clientAuth (AOL's PIC ended in June 2014; Microsoft ties the client EKU to AOL alone)",
    citation: "PIC certificate summary: client EKU if Public IM Connectivity with AOL is deployed",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Setting up public instant messaging connectivity\" (seed 000) and Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002)",
    effective: None,
    advice: Some(
        "Microsoft ties the client EKU to PIC with AOL alone, and AOL's PIC ended in June 2014: Skype for Business Server 2015 and 2019 need only serverAuth. If AOL is not really in use, declare it off (aol = false in the topology, or leave out --aol). If a federation partner checks client certificates, picert federation --client-cert shows whether it accepts this one. Public CAs have stopped adding clientAuth (2026, Chrome Root Program policy 1.8), so where the client EKU is truly needed an enterprise CA template that allows it is the way to get it.",
    ),
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.eku {
        Some(list) if list.iter().any(|o| o == EKU_CLIENT_AUTH) => Outcome::Pass(None),
        _ => Outcome::Finding(
            "PIC with AOL is declared and needs the client EKU, which this certificate lacks (AOL's PIC ended in June 2014): if AOL is not in use, set aol = false; picert rules explain pic.eku.client_auth says more".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn client_auth_only_when_aol_is_declared() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
        let exp = contoso();
        assert_eq!(
            run(
                &RULE,
                &Context {
                    expectations: Some(&exp),
                    ..context(&f)
                }
            )
            .0,
            Status::Pass
        );
        f.eku = Some(vec![crate::facts::EKU_SERVER_AUTH.into()]);
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&exp),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("June 2014"), "{detail}");
        let fe = front_end();
        let (status, detail) = run(
            &RULE,
            &Context {
                expectations: Some(&fe),
                ..context(&f)
            },
        );
        assert_eq!(status, Status::Na);
        assert!(
            detail.contains("this is the front-end certificate"),
            "{detail}"
        );
    }
}
