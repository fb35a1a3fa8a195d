//! Access Edge federation on port 5061 is mutual TLS: the partner's Edge presents its own
//! certificate, and a server that checks client certificates may refuse it (an OpenSSL-based
//! server refuses one without clientAuth: "unsuitable certificate purpose").

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `tls.client_auth.accepted`
pub static RULE: Rule = Rule {
    id: "tls.client_auth.accepted",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::ClientCertificate,
    description: "with a client certificate presented, the server completed the mutual TLS handshake with it",
    citation: "Lync 2013 / Skype for Business: Access Edge federation uses mutual TLS (MTLS) on port 5061",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Plan for Edge Server certificates\" and SfB Edge environmental requirements (MTLS federation)",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(tls) = ctx.tls else {
        return Outcome::NotApplicable("no handshake recorded".into());
    };
    match tls.client_certificate_accepted {
        None => Outcome::NotApplicable("no client certificate was presented".into()),
        Some(true)
            if tls.client_certificate == crate::facts::tls::ClientCertificate::NotRequested =>
        {
            Outcome::Pass(Some(
                "the server did not ask for a client certificate".into(),
            ))
        }
        Some(true) => Outcome::Pass(Some("the server accepted our client certificate".into())),
        Some(false) => {
            let alert = tls.alert.as_deref().unwrap_or("");
            let shown = if alert.is_empty() {
                String::new()
            } else if alert.contains(' ') {
                format!(" ({alert})")
            } else {
                format!(" (alert {alert})")
            };
            // What the alert says is the cause: an EKU problem is only one of them.
            let cause = match alert {
                "unknown_ca" => "the server does not trust the CA that issued our certificate (its list of trusted roots for federation lacks it)",
                "certificate_expired" => "the server finds our certificate expired",
                "certificate_revoked" => "the server finds our certificate revoked",
                "access_denied" => "the server knows our certificate but does not allow it (a federation allow list?)",
                "unsupported_certificate" | "bad_certificate" | "certificate_unknown" => {
                    "a server that checks client certificates wants clientAuth in the EKU"
                }
                _ => "the alert does not say why; a server that checks client certificates wants clientAuth in the EKU and a CA it trusts",
            };
            Outcome::Finding(format!(
                "{} refused our client certificate{shown}: a partner Edge presenting this certificate cannot federate with it ({cause})",
                tls.address
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tls::ClientCertificate;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn refusal_is_an_error_with_the_alert() {
        let mut t = tls("TLSv1.2");
        let live = |t: &crate::facts::tls::TlsFacts| run_live(&RULE, t);
        assert_eq!(live(&t).0, Status::Na, "nothing presented");
        t.client_certificate = ClientCertificate::Requested;
        t.client_certificate_accepted = Some(true);
        assert_eq!(live(&t).0, Status::Pass);
        t.client_certificate_accepted = Some(false);
        t.alert = Some("unsupported_certificate".into());
        let (status, detail) = live(&t);
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("clientAuth"), "{detail}");
        t.alert = Some("unknown_ca".into());
        let (_, unknown) = live(&t);
        assert!(
            unknown.contains("does not trust the CA") && !unknown.contains("EKU"),
            "{unknown}"
        );
        assert!(
            detail.contains("(alert unsupported_certificate)"),
            "{detail}"
        );
    }
}
