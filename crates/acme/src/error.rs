//! What can stop an ACME run, each worded as one line; problem documents (RFC 8555 6.7) are
//! turned into text naming the names they concern.

use instant_acme::{Identifier, Problem};

use crate::hook::HookError;

/// Why no certificate was issued (or written).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AcmeError {
    /// The options cannot be used (a directory URL, extra roots).
    #[error("{0}")]
    Setup(String),
    /// The account key file cannot be used.
    #[error("{path}: {why}")]
    AccountKey {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The HMAC key of the External Account Binding does not decode.
    #[error("the External Account Binding HMAC key is not base64url text")]
    EabKey,
    /// The CA requires External Account Binding and none was given.
    #[error("the CA requires External Account Binding: give the key identifier and HMAC key it issued for this account")]
    EabRequired,
    /// The account key exists but has no account, and the CA requires EAB, which only a new
    /// key can carry here.
    #[error("{path} has no account at this CA, and the CA requires External Account Binding, which picert sends only when it creates the account and its key: move the file away and run again with the binding")]
    EabNeedsNewKey {
        /// The account key file.
        path: String,
    },
    /// The CA's terms of service were not agreed to.
    #[error("the CA requires agreeing to its terms of service before it opens an account{0}")]
    TermsNotAgreed(String),
    /// The request asks for the client EKU with AOL declared; ACME certificates are
    /// serverAuth only.
    #[error("the topology declares PIC with AOL, which needs the client EKU, and ACME certificates carry the server EKU only (public CAs stopped issuing clientAuth in 2026). AOL's PIC ended in June 2014: if AOL is not in use, declare it off; if it is, an enterprise CA template with clientAuth is Microsoft's way")]
    ClientEkuUnavailable,
    /// Two files of the run are one file (the same path, or a link to it): an output and the
    /// account key, or two outputs. Refused before anything is ordered, whatever may be
    /// replaced: an account key is never written over.
    #[error("{first_role} {first} and {second_role} {second} are the same file: {}", if .first_role == &"the account key" { "picert never writes over an account key; give each file its own path" } else { "give each file its own path" })]
    SameFile {
        /// What the first file is ("the account key", "the certificate chain", ...).
        first_role: &'static str,
        /// The first file, as given.
        first: String,
        /// What the second file is.
        second_role: &'static str,
        /// The second file, as given.
        second: String,
    },
    /// The ACME server could not be reached (after the attempts said).
    #[error("cannot reach the ACME server {host} ({attempts} attempts): {why}")]
    Unreachable {
        /// Host and port.
        host: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        why: String,
    },
    /// The ACME server's TLS certificate is not trusted (not retried: it will not change).
    #[error("the ACME server {host} presented a TLS certificate picert does not trust: {why}")]
    UntrustedServer {
        /// Host and port.
        host: String,
        /// Why.
        why: String,
    },
    /// The directory URL is not https (ACME runs over HTTPS only, RFC 8555 section 6.1).
    #[error("the ACME directory {url} is not an https:// URL: ACME runs over HTTPS only")]
    NotHttps {
        /// The URL given.
        url: String,
    },
    /// The ACME server's answer cannot be used: an error status without a problem document, an
    /// answer larger than picert reads, a directory that is not one. The message names the
    /// step, the server, the request and the HTTP status.
    #[error("{0}")]
    Server(String),
    /// The CA refused something; the problem document, worded.
    #[error("{0}")]
    Ca(String),
    /// The CA offers no dns-01 challenge for a name.
    #[error("the CA offers no dns-01 challenge for {0}")]
    NoDns01(String),
    /// A DNS hook failed.
    #[error(transparent)]
    Hook(#[from] HookError),
    /// The deploy hook cannot be run (found before the order is placed).
    #[error(transparent)]
    Deploy(#[from] crate::hook::DeployError),
    /// Names the CA could not validate, each with the CA's reason.
    #[error("the CA could not validate {}", .0.iter().map(|(n, why)| format!("{n} ({why})")).collect::<Vec<_>>().join("; "))]
    Validation(Vec<(String, String)>),
    /// A wait ran out.
    #[error("{0}")]
    Timeout(String),
    /// A generation of the sets picert placed (`<access edge>.picert`) cannot be written or
    /// read.
    #[error("{path}: {why}")]
    Generation {
        /// The file or folder.
        path: String,
        /// Why.
        why: String,
    },
    /// A file of the set in place is neither the committed generation's nor an earlier one's:
    /// picert does not write over it.
    #[error("{file} is not a file picert placed (neither generation {generation} of {store} nor an earlier one): picert does not write over it. Move it away to have generation {generation} placed again, or remove {store} to keep it")]
    NotPlacedByPicert {
        /// The file in place.
        file: String,
        /// The store folder.
        store: String,
        /// The committed generation.
        generation: u32,
    },
    /// The run was interrupted (SIGINT, SIGTERM); what was left, worded.
    #[error("interrupted {0}")]
    Interrupted(String),
    /// picert-core refused the request or could not write the files.
    #[error(transparent)]
    Core(#[from] picert_core::Error),
}

/// The last segment of an ACME error type (`urn:ietf:params:acme:error:rateLimited` ->
/// `rateLimited`).
fn short_type(t: &str) -> &str {
    t.rsplit(':').next().unwrap_or(t)
}

fn identifier(i: &Identifier) -> String {
    match i {
        Identifier::Dns(name) => name.clone(),
        Identifier::Ip(ip) => ip.to_string(),
        other => format!("{other:?}"),
    }
}

/// A problem document as one line: its type, its detail, and each subproblem with the name it
/// concerns. A rate limit says when to try again when the CA says it.
pub fn problem_text(problem: &Problem) -> String {
    let kind = problem.r#type.as_deref().map(short_type).unwrap_or("error");
    let mut text = match &problem.detail {
        Some(d) => format!("{kind}: {d}"),
        None => kind.to_string(),
    };
    if kind == "rateLimited" {
        text.push_str(" (a rate limit: wait until the time the CA gives, then run again)");
    }
    let subs: Vec<String> = problem
        .subproblems
        .iter()
        .map(|s| {
            let name = s
                .identifier
                .as_ref()
                .map(identifier)
                .unwrap_or_else(|| "?".into());
            let kind = s.r#type.as_deref().map(short_type).unwrap_or("error");
            match &s.detail {
                Some(d) => format!("{name}: {kind}: {d}"),
                None => format!("{name}: {kind}"),
            }
        })
        .collect();
    if !subs.is_empty() {
        text.push_str(&format!(" [{}]", subs.join("; ")));
    }
    text
}

/// How many times picert sends a request the ACME server refused with `badNonce` (RFC 8555
/// section 6.5), in all. Each time, instant-acme itself sends the request up to three times,
/// with the fresh nonce each refusal carries; these attempts are apart from the network retries
/// of [`crate::http`].
pub(crate) const NONCE_ATTEMPTS: u32 = 5;

/// Whether an instant-acme error is the server refusing the request's nonce.
pub(crate) fn is_bad_nonce(e: &instant_acme::Error) -> bool {
    matches!(e, instant_acme::Error::Api(p)
        if p.r#type.as_deref() == Some("urn:ietf:params:acme:error:badNonce"))
}

/// Evaluates an ACME request (an expression giving `Result<_, instant_acme::Error>`) again
/// while the server refuses it with `badNonce`, [`NONCE_ATTEMPTS`] times in all. A request
/// refused for its nonce was not acted on, so sending it again is safe.
macro_rules! nonce_retry {
    ($call:expr) => {{
        let mut attempt = 1;
        loop {
            match $call {
                Err(e)
                    if $crate::error::is_bad_nonce(&e)
                        && attempt < $crate::error::NONCE_ATTEMPTS =>
                {
                    attempt += 1
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use nonce_retry;

/// The host (and port) of the ACME server, from its directory URL.
pub(crate) fn server_host(options: &crate::AcmeOptions) -> String {
    options
        .directory
        .parse::<http::Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| options.directory.clone())
}

/// An instant-acme error, worded; `what` says which step failed (and the request, as RFC
/// 8555 names it), the server's host is said.
pub(crate) fn from_acme(
    options: &crate::AcmeOptions,
    what: &str,
    e: instant_acme::Error,
) -> AcmeError {
    use instant_acme::Error as E;
    let host = server_host(options);
    match e {
        E::Api(p) => {
            let kind = p.r#type.as_deref().map(short_type).unwrap_or_default();
            match kind {
                "externalAccountRequired" => AcmeError::EabRequired,
                "userActionRequired" | "agreementRequired" => {
                    AcmeError::TermsNotAgreed(match &p.detail {
                        Some(d) => format!(" ({d})"),
                        None => String::new(),
                    })
                }
                _ => AcmeError::Ca(format!(
                    "{what}: the ACME server {host} answered{}: {}",
                    p.status
                        .and_then(|s| http::StatusCode::from_u16(s).ok())
                        .map(|s| format!(" HTTP {}", crate::http::status_text(s)))
                        .unwrap_or_default(),
                    problem_text(&p)
                )),
            }
        }
        E::Timeout(Some(when)) => AcmeError::Timeout(format!(
            "{what}: the ACME server {host} asks to poll again in {}s, after picert's wait ends",
            when.saturating_duration_since(std::time::Instant::now())
                .as_secs()
        )),
        E::Timeout(None) => AcmeError::Timeout(format!(
            "{what}: the ACME server {host} did not finish in time"
        )),
        E::Other(inner) => match inner.downcast::<crate::http::HttpFailure>() {
            Ok(failure) => match *failure {
                crate::http::HttpFailure::Unreachable {
                    host,
                    attempts,
                    why,
                } => AcmeError::Unreachable {
                    host,
                    attempts,
                    why,
                },
                crate::http::HttpFailure::Untrusted { host, why } => {
                    AcmeError::UntrustedServer { host, why }
                }
                crate::http::HttpFailure::NotHttps { url } => AcmeError::NotHttps { url },
                other => AcmeError::Server(format!("{what}: {other}")),
            },
            Err(inner) => AcmeError::Ca(format!("{what}: the ACME server {host}: {inner}")),
        },
        E::Json(e) => AcmeError::Server(format!(
            "{what}: the answer of the ACME server {host} is not what RFC 8555 says it is ({e})"
        )),
        other => AcmeError::Ca(format!("{what}: the ACME server {host}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_their_names() {
        let p: Problem = serde_json::from_str(
            r#"{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Error creating new order :: Cannot issue for 2 names","status":400,
                "subproblems":[{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Domain name contains an invalid character","identifier":{"type":"dns","value":"sip.contoso.local"}},
                               {"type":"urn:ietf:params:acme:error:caa","detail":"CAA record forbids issuance","identifier":{"type":"dns","value":"webcon.contoso.com"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            problem_text(&p),
            "rejectedIdentifier: Error creating new order :: Cannot issue for 2 names [sip.contoso.local: rejectedIdentifier: Domain name contains an invalid character; webcon.contoso.com: caa: CAA record forbids issuance]"
        );
        let rate: Problem = serde_json::from_str(
            r#"{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-12-02 10:00:00 UTC","status":429}"#,
        )
        .unwrap();
        let text = problem_text(&rate);
        assert!(
            text.starts_with("rateLimited: too many certificates")
                && text.contains("retry after 2026-12-02"),
            "{text}"
        );
        assert!(matches!(
            from_acme(
                &crate::AcmeOptions::new("https://ca.example/dir", "k".into()),
                "account",
                instant_acme::Error::Api(
                    serde_json::from_str(
                        r#"{"type":"urn:ietf:params:acme:error:externalAccountRequired"}"#
                    )
                    .unwrap()
                )
            ),
            AcmeError::EabRequired
        ));
    }
}
