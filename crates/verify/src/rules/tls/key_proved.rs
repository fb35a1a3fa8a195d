//! A chain received is not an identity proved: anyone can send the Edge's public chain. Only the
//! handshake signature, made with the leaf's private key over this connection's random values,
//! shows that the server is the Edge the certificate names (RFC 5246 section 7.4.3, RFC 8446
//! section 4.4.3). A server whose signature fails, or whose handshake breaks off after the
//! certificate for any reason other than refusing our client certificate, has not shown it.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `tls.handshake.key_proved`
pub static RULE: Rule = Rule {
    id: "tls.handshake.key_proved",
    severity: Severity::Error,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Host,
    description: "the server proved it holds the key of the certificate it sent: its handshake signature verified and the handshake completed (or ended in a refusal of our client certificate)",
    citation: "RFC 8446 4.4.3 and RFC 5246 7.4.3: the server signs the handshake with the private key of its certificate; without that signature the certificate proves nothing",
    source: Source::Rfc,
    reference: "RFC 8446 section 4.4.3 (CertificateVerify); RFC 5246 section 7.4.3 (ServerKeyExchange)",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(tls) = ctx.tls else {
        return Outcome::NotApplicable("no handshake recorded".into());
    };
    match (&tls.handshake_failure, tls.key_proved) {
        (None, true) => Outcome::Pass(Some(format!(
            "{} signed the {} handshake with the certificate's key",
            tls.address, tls.version
        ))),
        (Some(why), _) => Outcome::Finding(format!(
            "{}: {why}; the chain was received, but a chain alone does not show that the server is the Edge it names",
            tls.address
        )),
        (None, false) => Outcome::Finding(format!(
            "{}: the server never signed the handshake with the certificate's key",
            tls.address
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn only_a_verified_signature_passes() {
        let mut t = tls("TLSv1.2");
        let live = |t: &crate::facts::tls::TlsFacts| run_live(&RULE, t);
        assert_eq!(live(&t).0, Status::Pass);
        t.key_proved = false;
        assert_eq!(live(&t).0, Status::Finding);
        t.handshake_failure = Some("the server's handshake signature does not verify".into());
        let (status, detail) = live(&t);
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("does not verify"), "{detail}");
        assert!(detail.contains("a chain alone does not show"), "{detail}");
        t.key_proved = true;
        assert_eq!(live(&t).0, Status::Finding, "a failure after the proof");
        let f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na, "no handshake");
    }
}
