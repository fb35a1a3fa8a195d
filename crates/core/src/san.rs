//! The SAN list in the PIC table's order, each name with the reason it is there.

use std::fmt;

/// Where a SAN entry in the plan comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanSource {
    /// The subject name, replicated in the SAN.
    Subject,
    /// The Web Conferencing Edge external FQDN.
    WebConferencing,
    /// `sip.<domain>` for this SIP domain.
    SipDomain(String),
    /// An extra name the administrator added.
    Extra,
    /// Carried over from the certificate being renewed.
    CurrentCertificate,
    /// A name of a certificate `picert plan` plans, with the plan's reason.
    Planned(String),
}

impl fmt::Display for SanSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SanSource::Subject => f.write_str("subject name"),
            SanSource::WebConferencing => f.write_str("Web Conferencing Edge"),
            SanSource::SipDomain(d) => write!(f, "SIP domain {d}"),
            SanSource::Extra => f.write_str("extra name"),
            SanSource::CurrentCertificate => f.write_str("from the certificate in service"),
            SanSource::Planned(why) => f.write_str(why),
        }
    }
}

/// One SAN entry and why it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanEntry {
    /// The DNS name, normalised.
    pub name: String,
    /// Why it is in the plan (the first reason, when several produce the same name).
    pub source: SanSource,
}

/// The SAN list in the PIC table's order: the subject name, the Web Conferencing Edge FQDN,
/// `sip.<domain>` for each SIP domain, then the extra names. A name that appears twice keeps
/// its first position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SanPlan {
    entries: Vec<SanEntry>,
}

impl SanPlan {
    /// Builds the plan from normalised names. With `primary_sip_only`, only the first SIP
    /// domain gets its `sip.` name.
    ///
    /// ```
    /// use picert_core::SanPlan;
    /// let domains = ["contoso.com".to_string(), "fabrikam.com".to_string()];
    /// let plan = SanPlan::new(Some("sip.contoso.com"), Some("webcon.contoso.com"), &domains, false, &[]);
    /// assert_eq!(plan.names(), ["sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"]);
    /// ```
    pub fn new(
        subject: Option<&str>,
        webconf: Option<&str>,
        sip_domains: &[String],
        primary_sip_only: bool,
        extras: &[String],
    ) -> SanPlan {
        let mut plan = SanPlan::default();
        if let Some(s) = subject {
            plan.push(s.to_string(), SanSource::Subject);
        }
        if let Some(w) = webconf {
            plan.push(w.to_string(), SanSource::WebConferencing);
        }
        let count = if primary_sip_only {
            1
        } else {
            sip_domains.len()
        };
        for domain in sip_domains.iter().take(count) {
            plan.push(
                format!("sip.{domain}"),
                SanSource::SipDomain(domain.clone()),
            );
        }
        for extra in extras {
            plan.push(extra.clone(), SanSource::Extra);
        }
        plan
    }

    /// A plan that keeps `first` in its order, then adds the names of `then` it lacks: renewal
    /// keeps every name of the certificate in service and adds what the topology wants.
    pub fn merged(first: &SanPlan, then: &SanPlan) -> SanPlan {
        let mut plan = first.clone();
        for e in then.entries() {
            plan.push(e.name.clone(), e.source.clone());
        }
        plan
    }

    /// A plan from names already normalised, each with its reason.
    pub fn from_entries(entries: impl IntoIterator<Item = SanEntry>) -> SanPlan {
        let mut plan = SanPlan::default();
        for e in entries {
            plan.push(e.name, e.source);
        }
        plan
    }

    fn push(&mut self, name: String, source: SanSource) {
        if !self.entries.iter().any(|e| e.name == name) {
            self.entries.push(SanEntry { name, source });
        }
    }

    /// The entries in order.
    pub fn entries(&self) -> &[SanEntry] {
        &self.entries
    }

    /// The names in order.
    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.name.as_str()).collect()
    }

    /// True when the plan has no names (nothing is known).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_keeps_the_first_order_and_adds_the_rest() {
        let domains = ["contoso.com".to_string(), "fabrikam.com".to_string()];
        let wanted = SanPlan::new(Some("sip.contoso.com"), None, &domains, false, &[]);
        let current =
            SanPlan::from_entries(["sip.fabrikam.com", "sip.contoso.com"].map(|n| SanEntry {
                name: n.to_string(),
                source: SanSource::CurrentCertificate,
            }));
        let merged = SanPlan::merged(&current, &wanted);
        assert_eq!(merged.names(), ["sip.fabrikam.com", "sip.contoso.com"]);
        assert_eq!(merged.entries()[0].source, SanSource::CurrentCertificate);
        assert!(SanPlan::default().is_empty());
        assert_eq!(
            SanSource::SipDomain("fabrikam.com".into()).to_string(),
            "SIP domain fabrikam.com"
        );
    }
}
