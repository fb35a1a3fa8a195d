//! Lync Server 2013 "Wildcard certificate support": no wildcard as the subject name for any
//! role, and none for the Access Edge and Web Conferencing Edge SANs.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `lync.name.no_wildcard`
pub static RULE: Rule = Rule {
    id: "lync.name.no_wildcard",
    severity: Severity::Error,
    applies_to: AppliesTo::Both,
    needs: Needs::Nothing,
    description: "no '*' in the CN or any DNS SAN",
    citation: "Lync Server 2013: wildcards are not supported for the subject name, nor for the Access Edge and Web Conferencing Edge SAN entries",
    source: Source::Microsoft,
    reference: "Lync 2013 \"Wildcard certificate support\"",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let f = ctx.facts;
    let mut hits: Vec<String> = f
        .common_names
        .iter()
        .flatten()
        .filter(|cn| cn.contains('*'))
        .map(|cn| format!("CN={cn}"))
        .collect();
    hits.extend(
        f.dns_sans
            .iter()
            .filter(|s| s.contains('*'))
            .map(|s| format!("DNS:{s}")),
    );
    if hits.is_empty() {
        Outcome::Pass(None)
    } else {
        Outcome::Finding(format!(
            "wildcard name{}: {}; the Edge external certificate needs the exact FQDNs",
            if hits.len() > 1 { "s" } else { "" },
            hits.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn no_wildcard_anywhere() {
        let mut f = cert_facts();
        assert_eq!(run(&RULE, &context(&f)).0, Status::Pass);
        f.dns_sans.push("*.contoso.com".into());
        f.common_names = vec![Some("*.fabrikam.com".into())];
        let detail = run(&RULE, &context(&f)).1;
        assert!(
            detail.starts_with("wildcard names: CN=*.fabrikam.com, DNS:*.contoso.com"),
            "{detail}"
        );
    }
}
