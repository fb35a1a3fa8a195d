//! "Skype for Business Server supports TLS 1.2" and RFC 8996 deprecates TLS 1.0 and 1.1: a
//! partner that offers only 1.2 and later cannot federate with an Edge stuck on 1.0.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `tls.version.minimum`
pub static RULE: Rule = Rule {
    id: "tls.version.minimum",
    severity: Severity::Warning,
    applies_to: AppliesTo::Certificates,
    needs: Needs::Host,
    description: "the live handshake negotiated TLS 1.2 or later, and the server no longer offers TLS 1.0 or 1.1 where its product can disable them",
    citation: "RFC 8996: TLS 1.0 and 1.1 are deprecated; Microsoft supports disabling them on Skype for Business Server 2015 CU9 and 2019 CU1 and later, not on Lync Server 2013",
    source: Source::Rfc,
    reference: "RFC 8996; Microsoft, \"Disable TLS 1.0/1.1 in Skype for Business Server 2015\" (supportability scope)",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let Some(tls) = ctx.tls else {
        return Outcome::NotApplicable("no handshake recorded".into());
    };
    if tls.below_tls12() {
        return Outcome::Finding(format!(
            "{} speaks only {}: partners that refuse older versions cannot connect; enable TLS 1.2 on the Edge (Schannel)",
            tls.address,
            if tls.offered_versions.is_empty() {
                tls.version.clone()
            } else {
                tls.offered_versions.join(" and ")
            }
        ));
    }
    let old: Vec<&str> = tls
        .offered_versions
        .iter()
        .map(String::as_str)
        .filter(|v| matches!(*v, "TLSv1.0" | "TLSv1.1"))
        .collect();
    let offered = if tls.offered_versions.is_empty() {
        String::new()
    } else {
        format!("; offered: {}", tls.offered_versions.join(", "))
    };
    if !old.is_empty() {
        let product = ctx.expectations.and_then(|e| e.platform.product);
        return match product {
            Some(picert_core::Product::Lync2013) => Outcome::Pass(Some(format!(
                "{}{offered}: Lync Server 2013 does not support disabling TLS 1.0 and 1.1 (outside the scope of Microsoft's TLS 1.0/1.1 disablement guidance), so they stay",
                expected(ctx, &tls.version)
            ))),
            _ => Outcome::Finding(format!(
                "{} still offers {} beside TLS 1.2: Skype for Business Server 2015 CU9 and 2019 CU1 and later support disabling them (Microsoft, \"Disable TLS 1.0/1.1 in Skype for Business Server 2015\"); RFC 8996 deprecates them",
                tls.address,
                old.join(" and ")
            )),
        };
    }
    if !tls.versions_not_probed.is_empty() {
        return Outcome::NotApplicable(format!(
            "{} negotiated {}, but whether it still offers older versions is unknown: {}",
            tls.address,
            tls.version,
            tls.versions_not_probed.join("; ")
        ));
    }
    let tls13_unexpected = tls.version == "TLSv1.3"
        && ctx
            .expectations
            .and_then(|e| e.platform.has_tls13())
            .is_some_and(|has| !has);
    if tls13_unexpected {
        // The declared Edge cannot speak TLS 1.3: whatever answered is not shown to be it.
        return Outcome::Finding(format!(
            "{} negotiated {}{offered}",
            tls.address,
            expected(ctx, &tls.version)
        ));
    }
    Outcome::Pass(Some(format!("{}{offered}", expected(ctx, &tls.version))))
}

/// The version negotiated, with what the topology's platform says of TLS 1.3: Schannel has it
/// from Windows Server 2022 only, so an older Edge that negotiates TLS 1.2 is doing its best,
/// and one that negotiates TLS 1.3 is probably not the Edge itself.
fn expected(ctx: &Context<'_>, version: &str) -> String {
    let platform = ctx.expectations.map(|e| e.platform).unwrap_or_default();
    let release = platform
        .windows
        .map(|w| w.to_string())
        .or_else(|| platform.product.map(|p| p.to_string()));
    match (version, platform.has_tls13(), release) {
        ("TLSv1.2", Some(false), Some(r)) => {
            format!("{version}, the newest {r} offers (Schannel has TLS 1.3 from Windows Server 2022 only)")
        }
        ("TLSv1.3", Some(false), Some(r)) => format!(
            "{version}, which {r} does not offer (Schannel has TLS 1.3 from Windows Server 2022 only): is something other than the Edge answering, such as a reverse proxy?"
        ),
        ("TLSv1.2", Some(true), Some(r)) => {
            format!("{version} ({r} can offer TLS 1.3; TLS 1.2 is what federation needs)")
        }
        _ => version.to_string(),
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

    /// The versions offered: old ones beside 1.2 are a finding except on Lync Server 2013, which
    /// cannot disable them; versions that could not be probed leave the rule unanswered.
    #[test]
    fn old_versions_offered_beside_tls_1_2() {
        use picert_core::Product;
        let f = cert_facts();
        let mut t = tls("TLSv1.3");
        t.offered_versions = vec!["TLSv1.0".into(), "TLSv1.2".into(), "TLSv1.3".into()];
        let judge = |t: &crate::facts::tls::TlsFacts, product: Option<Product>| {
            let mut exp = contoso();
            exp.platform.product = product;
            run(
                &RULE,
                &Context {
                    host: Some("sip.contoso.com"),
                    tls: Some(t),
                    expectations: Some(&exp),
                    ..context(&f)
                },
            )
        };
        let (status, detail) = judge(&t, Some(Product::Sfb2015));
        assert_eq!(status, Status::Finding);
        assert!(
            detail.contains("still offers TLSv1.0 beside TLS 1.2"),
            "{detail}"
        );
        assert_eq!(judge(&t, None).0, Status::Finding);
        let (status, detail) = judge(&t, Some(Product::Lync2013));
        assert_eq!(status, Status::Pass);
        assert!(detail.contains("does not support disabling"), "{detail}");
        // Skype for Business Server 2015 runs on releases without TLS 1.3: a 1.2 Edge passes.
        t.version = "TLSv1.2".into();
        t.offered_versions = vec!["TLSv1.2".into()];
        assert_eq!(judge(&t, Some(Product::Sfb2015)).0, Status::Pass);
        t.versions_not_probed = vec!["TLSv1.0: no answer in time".into()];
        let (status, detail) = judge(&t, Some(Product::Sfb2015));
        assert_eq!(status, Status::Na, "not a pass: {detail}");
        let mut only = tls("TLSv1.0");
        only.offered_versions = vec!["TLSv1.0".into()];
        let (status, detail) = judge(&only, Some(Product::Lync2013));
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("speaks only TLSv1.0"), "{detail}");
    }

    /// TLS 1.3 is not expected below Windows Server 2022.
    #[test]
    fn tls_1_3_is_expected_from_windows_server_2022() {
        use picert_core::{Product, WindowsServer};
        let f = cert_facts();
        let cases = [
            (
                Some(WindowsServer::W2019),
                None,
                "TLSv1.2",
                "the newest Windows Server 2019 offers",
            ),
            (
                Some(WindowsServer::W2016),
                None,
                "TLSv1.3",
                "is something other than the Edge answering",
            ),
            (
                Some(WindowsServer::W2022),
                None,
                "TLSv1.2",
                "Windows Server 2022 can offer TLS 1.3",
            ),
            (
                None,
                Some(Product::Lync2013),
                "TLSv1.2",
                "the newest Lync Server 2013 offers",
            ),
            (None, None, "TLSv1.2", "TLSv1.2"),
        ];
        for (windows, product, version, says) in cases {
            let mut exp = contoso();
            exp.platform.windows = windows;
            exp.platform.product = product;
            let t = tls(version);
            let ctx = Context {
                host: Some("sip.contoso.com"),
                tls: Some(&t),
                expectations: Some(&exp),
                ..context(&f)
            };
            let (status, detail) = run(&RULE, &ctx);
            // TLS 1.3 from an Edge that cannot speak it is a warning, not a pass.
            let unexpected = version == "TLSv1.3" && windows < Some(WindowsServer::W2022);
            let want = if unexpected {
                Status::Finding
            } else {
                Status::Pass
            };
            assert_eq!(status, want, "{windows:?} {version}: {detail}");
            assert!(detail.contains(says), "{windows:?} {version}: {detail}");
        }
    }
}
