//! What a topology's values deserve a word about, though none is an error.

use crate::error::Field;
use crate::names::normalize_fqdn;
use crate::notes::Note;
use crate::platform::{support, Support};

use super::Topology;

impl Topology {
    /// What this topology's values deserve a word about, though none is an error: a name
    /// written with the root's dot, a SIP domain that is already a SIP name, a Web Conferencing
    /// name that is the Access Edge's, a product on a Windows release with a caveat.
    pub fn notes(&self) -> Vec<Note> {
        let mut notes: Vec<Note> = self
            .origins
            .converted_files()
            .iter()
            .map(|(path, encoding)| Note::ConvertedText {
                path: path.clone(),
                encoding: *encoding,
            })
            .collect();
        self.each_name(|field, index, name| {
            if let Some(base) = dotted_name(name) {
                if let Ok(name) = normalize_fqdn(base) {
                    notes.push(Note::TrailingDot {
                        name,
                        origin: self.origins.of(field, index).cloned(),
                    });
                }
            }
        });
        let normal = |n: &str| normalize_fqdn(dotted_name(n).unwrap_or(n)).ok();
        for (i, domain) in self.sip_domains.iter().flatten().enumerate() {
            let Some(domain) = normal(domain) else {
                continue;
            };
            if let Some(meant) = domain.strip_prefix("sip.") {
                if meant.contains('.') {
                    notes.push(Note::SipNameAsDomain {
                        san: format!("sip.{domain}"),
                        meant: meant.to_string(),
                        origin: self.origins.of(Field::SipDomains, Some(i)).cloned(),
                        domain,
                    });
                }
            }
        }
        let access = self.access_edge.as_deref().and_then(normal);
        let webconf = self.webconf_edge.as_deref().and_then(normal);
        if let (Some(a), Some(w)) = (access, webconf) {
            if a == w {
                notes.push(Note::WebconfMerged { name: a });
            }
        }
        if let (Some(product), Some(windows)) = (self.product, self.windows) {
            if let Support::Caveat(caveat) = support(product, windows) {
                notes.push(Note::PlatformCaveat {
                    product,
                    windows,
                    caveat,
                });
            }
        }
        notes
    }
}

/// The name without its root dot when it ends with exactly one (`sip.contoso.com.`); a name
/// that is only a dot, or ends with two, is left to the name rules to refuse.
pub(super) fn dotted_name(name: &str) -> Option<&str> {
    let base = name.trim().strip_suffix('.')?;
    (!base.is_empty() && !base.ends_with('.')).then_some(base)
}
