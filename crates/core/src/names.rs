//! Name rules for the Edge external certificate.
//!
//! Every name picert puts in a request passes through [`normalize_fqdn`]: Microsoft supports no
//! wildcard for the Access Edge and Web Conferencing names, federation needs exact host names, and
//! a certificate name is compared in its ASCII (A-label) form.

use std::fmt;
use std::net::IpAddr;

/// Why a name was refused. Each variant renders as one sentence naming the name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty or only white space.
    Empty,
    /// The name contains `*`: Microsoft supports no wildcard for these names.
    Wildcard(String),
    /// The name is an IP address; the Edge certificate names hosts.
    IpAddress(String),
    /// The name ends with a dot; certificates carry names without the root dot.
    TrailingDot(String),
    /// The name has a single label; an Edge name must be fully qualified.
    NotQualified(String),
    /// The name is longer than 253 characters in its ASCII form.
    TooLong(String, usize),
    /// One label is longer than 63 characters.
    LabelTooLong(String, String),
    /// A label is empty (two dots in a row, or a leading dot).
    EmptyLabel(String),
    /// A label starts or ends with a hyphen.
    HyphenAtEdge(String, String),
    /// A character outside letters, digits and hyphens.
    BadCharacter(String, char),
    /// The international name could not be converted to A-labels (IDNA).
    Idna(String),
    /// The last label is all digits, which no top-level domain is.
    NumericTld(String),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "a name is empty"),
            Self::Wildcard(n) => write!(
                f,
                "'{n}' is a wildcard: Lync and Skype for Business support no wildcard in the Edge external certificate's subject or SANs"
            ),
            Self::IpAddress(n) => write!(
                f,
                "'{n}' is an IP address: the Edge external certificate names hosts by their DNS names"
            ),
            Self::TrailingDot(n) => write!(
                f,
                "'{n}' ends with a dot: write the name without the trailing dot, as certificates carry it"
            ),
            Self::NotQualified(n) => write!(
                f,
                "'{n}' is not a fully qualified domain name (it needs at least two labels)"
            ),
            Self::TooLong(n, len) => {
                write!(f, "'{n}' is {len} characters long; a DNS name has at most 253")
            }
            Self::LabelTooLong(n, l) => write!(
                f,
                "'{n}': the label '{l}' is {} characters long; a DNS label has at most 63",
                l.len()
            ),
            Self::EmptyLabel(n) => write!(f, "'{n}' has an empty label"),
            Self::HyphenAtEdge(n, l) => write!(
                f,
                "'{n}': the label '{l}' starts or ends with a hyphen"
            ),
            Self::BadCharacter(n, c) => write!(
                f,
                "'{n}' contains {c:?}; DNS names use letters, digits and hyphens"
            ),
            Self::Idna(n) => write!(
                f,
                "'{n}' is not a valid international domain name (IDNA conversion failed)"
            ),
            Self::NumericTld(n) => write!(f, "'{n}' ends in an all-numeric label"),
        }
    }
}

impl std::error::Error for NameError {}

/// Normalises a host name for the Edge certificate: trims it, refuses wildcards, IP addresses
/// and trailing dots, converts international names to A-labels, folds case to lower case, and
/// checks DNS syntax (labels of letters, digits and hyphens, at most 63 characters each, at most
/// 253 in all, at least two labels).
///
/// ```
/// use picert_core::names::normalize_fqdn;
/// assert_eq!(normalize_fqdn("SIP.Contoso.com").unwrap(), "sip.contoso.com");
/// assert_eq!(normalize_fqdn("bücher.example").unwrap(), "xn--bcher-kva.example");
/// assert!(normalize_fqdn("*.contoso.com").is_err());
/// ```
pub fn normalize_fqdn(input: &str) -> Result<String, NameError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.contains('*') {
        return Err(NameError::Wildcard(name.to_string()));
    }
    if is_ip_address(name) {
        return Err(NameError::IpAddress(name.to_string()));
    }
    if name.ends_with('.') {
        return Err(NameError::TrailingDot(name.to_string()));
    }
    let ascii = if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii_strict(name).map_err(|_| NameError::Idna(name.to_string()))?
    };
    check_dns_syntax(name, &ascii)?;
    Ok(ascii)
}

fn is_ip_address(name: &str) -> bool {
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok()
}

/// Checks the LDH syntax of an ASCII name; `shown` is what the user wrote, for messages.
fn check_dns_syntax(shown: &str, ascii: &str) -> Result<(), NameError> {
    if ascii.len() > 253 {
        return Err(NameError::TooLong(shown.to_string(), ascii.len()));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err(NameError::EmptyLabel(shown.to_string()));
        }
        if label.len() > 63 {
            return Err(NameError::LabelTooLong(
                shown.to_string(),
                label.to_string(),
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(NameError::BadCharacter(shown.to_string(), c));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(NameError::HyphenAtEdge(
                shown.to_string(),
                label.to_string(),
            ));
        }
    }
    if labels.len() < 2 {
        return Err(NameError::NotQualified(shown.to_string()));
    }
    if labels
        .last()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(NameError::NumericTld(shown.to_string()));
    }
    Ok(())
}

/// The U-label form of an A-label name (`xn--bcher-kva.example` is `bücher.example`), when it
/// has one that differs from the name.
///
/// ```
/// use picert_core::names::unicode_form;
/// assert_eq!(unicode_form("xn--bcher-kva.example").as_deref(), Some("bücher.example"));
/// assert_eq!(unicode_form("contoso.com"), None);
/// ```
pub fn unicode_form(ascii: &str) -> Option<String> {
    if !ascii.split('.').any(|l| l.starts_with("xn--")) {
        return None;
    }
    let (unicode, result) = idna::domain_to_unicode(ascii);
    (result.is_ok() && unicode != ascii).then_some(unicode)
}

/// Compares two DNS names as certificates do: ASCII case-insensitively, international names
/// as A-labels. Names that do not normalise are compared as written, case-insensitively.
pub fn same_dns_name(a: &str, b: &str) -> bool {
    // ASCII names (A-labels included) compare without allocating; only international names
    // need the IDNA conversion.
    if a.is_ascii() && b.is_ascii() {
        return a.trim().eq_ignore_ascii_case(b.trim());
    }
    let fold = |n: &str| normalize_fqdn(n).unwrap_or_else(|_| n.to_ascii_lowercase());
    fold(a) == fold(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_folds() {
        assert_eq!(
            normalize_fqdn(" Sip.CONTOSO.com ").unwrap(),
            "sip.contoso.com"
        );
        assert_eq!(normalize_fqdn("a-b.c1.example").unwrap(), "a-b.c1.example");
        assert_eq!(
            normalize_fqdn("BÜCHER.example").unwrap(),
            "xn--bcher-kva.example"
        );
    }

    type Check = fn(&NameError) -> bool;

    #[test]
    fn refuses_each_bad_shape() {
        let cases: &[(&str, Check)] = &[
            ("", |e| matches!(e, NameError::Empty)),
            ("*.contoso.com", |e| matches!(e, NameError::Wildcard(_))),
            ("sip*.contoso.com", |e| matches!(e, NameError::Wildcard(_))),
            ("192.0.2.1", |e| matches!(e, NameError::IpAddress(_))),
            ("2001:db8::1", |e| matches!(e, NameError::IpAddress(_))),
            ("sip.contoso.com.", |e| {
                matches!(e, NameError::TrailingDot(_))
            }),
            ("contoso", |e| matches!(e, NameError::NotQualified(_))),
            ("a..b", |e| matches!(e, NameError::EmptyLabel(_))),
            ("-a.b", |e| matches!(e, NameError::HyphenAtEdge(..))),
            ("a_b.c", |e| matches!(e, NameError::BadCharacter(..))),
            ("a b.c", |e| matches!(e, NameError::BadCharacter(..))),
            ("host.123", |e| matches!(e, NameError::NumericTld(_))),
        ];
        for (name, check) in cases {
            let err = normalize_fqdn(name).unwrap_err();
            assert!(check(&err), "{name}: {err:?}");
        }
        let long_label = format!("{}.com", "a".repeat(64));
        assert!(matches!(
            normalize_fqdn(&long_label),
            Err(NameError::LabelTooLong(..))
        ));
        let long_name = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert!(matches!(
            normalize_fqdn(&long_name),
            Err(NameError::TooLong(..))
        ));
    }

    #[test]
    fn compares_like_certificates() {
        assert!(same_dns_name("SIP.contoso.com", "sip.contoso.COM"));
        assert!(same_dns_name("bücher.example", "xn--bcher-kva.example"));
        assert!(!same_dns_name("sip.contoso.com", "sip.fabrikam.com"));
    }
}
