//! Seed 000: "Request-CsCertificate ... -Template NAME"; "the default template name used for
//! Lync Server is WebServer". An enterprise CA (AD CS) needs a template in an offline request;
//! a public CA ignores it.

use crate::report::Severity;
use crate::rules::{AppliesTo, Check, Context, Needs, Outcome, Rule, Source};

/// `csr.template`
pub static RULE: Rule = Rule {
    id: "csr.template",
    severity: Severity::Notice,
    applies_to: AppliesTo::Requests,
    needs: Needs::Nothing,
    description: "names the certificate template the request carries (attribute 1.3.6.1.4.1.311.13.2.1, extension 1.3.6.1.4.1.311.20.2 or 1.3.6.1.4.1.311.21.7); a notice when none",
    citation: "Request-CsCertificate -Template: the default template for Lync Server is WebServer",
    source: Source::Microsoft,
    reference: "Microsoft, Lync Server 2013 \"Setting up public instant messaging connectivity\" (seed 000): Request-CsCertificate -Template",
    effective: None,
    advice: None,
    check: Check::Input(check),
};

fn check(ctx: &Context<'_>) -> Outcome {
    let t = &ctx.facts.templates;
    if t.is_empty() {
        Outcome::Finding(
            "the request names no certificate template: an enterprise CA needs one (picert request --template WebServer, or certreq -attrib CertificateTemplate:WebServer); a public CA ignores it".into(),
        )
    } else {
        Outcome::Pass(Some(
            t.iter()
                .map(|x| format!("{} ({})", x.value, x.source))
                .collect::<Vec<_>>()
                .join(", "),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;
    use crate::rules::testing::*;

    #[test]
    fn names_the_template_or_notes_its_absence() {
        let mut f = request_facts(&["sip.contoso.com"]);
        let (status, detail) = run(&RULE, &context(&f));
        assert_eq!(status, Status::Finding);
        assert!(detail.contains("an enterprise CA needs one"));
        f.templates.push(crate::facts::TemplateFacts {
            source: "request attribute",
            value: "WebServer".into(),
        });
        assert_eq!(run(&RULE, &context(&f)).1, "WebServer (request attribute)");
    }
}
