//! "Skype for Business Server supports TLS 1.2" and RFC 8996 deprecates TLS 1.0 and 1.1: a
//! partner that offers only 1.2 and later cannot federate with an Edge stuck on 1.0.

use crate::report::Severity;
use crate::rules::{AppliesTo, Context, Needs, Outcome, Rule, Source};

/// `tls.version.minimum`
pub static RULE: Rule = Rule {
    id: "tls.version.minimum",
    severity: Severity::Warning,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Host,
    description: "the live handshake negotiated TLS 1.2 or later",
    citation: "RFC 8996: TLS 1.0 and 1.1 are deprecated; Microsoft's TLS 1.2 guidance for Skype for Business Server",
    source: Source::Rfc,
    reference: "RFC 8996; Microsoft, \"TLS 1.2 support\" for Skype for Business Server",
    effective: None,
    check: Some(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(tls) = ctx.tls else {
        return Outcome::NotApplicable("no handshake recorded".into());
    };
    if tls.below_tls12() {
        Outcome::Finding(format!(
            "{} negotiated {}: enable TLS 1.2 on the Edge (Schannel) so that partners that refuse older versions can connect",
            tls.address, tls.version
        ))
    } else {
        Outcome::Pass(Some(tls.version.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn tls_1_2_and_later_pass() {
        let f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Na);
        for (version, status) in [
            ("TLSv1.3", Status::Pass),
            ("TLSv1.2", Status::Pass),
            ("TLSv1.0", Status::Finding),
        ] {
            let t = tls(version);
            let ctx = Context {
                host: Some("sip.contoso.com"),
                tls: Some(&t),
                ..context(&f)
            };
            assert_eq!(run(&RULE, &ctx).0, status, "{version}");
        }
    }
}
