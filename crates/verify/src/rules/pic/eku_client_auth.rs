//! "Must carry ... the client EKU if Public IM Connectivity with AOL is deployed" (seeds 001/002);
//! "Request-CsCertificate ... -ClientEku $true" (seed 000); AOL PIC (seed 004).

use crate::facts::EKU_CLIENT_AUTH;
use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule};

/// `pic.eku.client_auth`
pub static RULE: Rule = Rule {
    id: "pic.eku.client_auth",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Aol,
    description: "with PIC with AOL on, the EKU contains clientAuth",
    citation: "PIC certificate summary: client EKU if Public IM Connectivity with AOL is deployed",
    source: "Microsoft, Lync Server 2013 \"Setting up public instant messaging connectivity\" (seed 000) and Microsoft, Lync Server 2013 \"Certificate summary - Public IM Connectivity\" (seeds 001/002)",
    effective: None,
    check,
};

fn check(ctx: &Context<'_>) -> Outcome {
    match &ctx.facts.eku {
        Some(list) if list.iter().any(|o| o == EKU_CLIENT_AUTH) => Outcome::Pass(None),
        _ => Outcome::Finding(
            "AOL PIC needs the client EKU (clientAuth), which this certificate lacks; public CAs have stopped adding it (2026), so an enterprise CA template that allows it is Microsoft's way".into(),
        ),
    }
}
