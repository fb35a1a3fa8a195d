//! The HTTP client the ACME exchange runs on: rustls with aws-lc-rs and the roots picert
//! chooses (Mozilla's, plus any the caller trusts for a lab CA or a test server), a timeout
//! on every exchange (body included), and a bounded number of retries, with backoff, when the
//! network fails before an answer arrives.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use instant_acme::{BodyWrapper, BytesResponse, Error, HttpClient};
use rustls_pki_types::CertificateDer;

/// Attempts per request when the network fails (a refused connection, a reset, a timeout).
pub(crate) const ATTEMPTS: u32 = 3;

/// The most an answer of the ACME server may hold. A directory, an order or a certificate chain
/// is a few kilobytes; an answer larger than this is not read further.
pub(crate) const BODY_LIMIT: usize = 1 << 20;

/// Why an exchange failed, for [`crate::AcmeError`] to word.
#[derive(Debug)]
pub(crate) enum HttpFailure {
    /// No answer after every attempt.
    Unreachable {
        host: String,
        attempts: u32,
        why: String,
    },
    /// The server's TLS certificate is not trusted: not retried.
    Untrusted { host: String, why: String },
    /// A URL that is not https: ACME runs over HTTPS only (RFC 8555 section 6.1).
    NotHttps { url: String },
    /// The answer is larger than [`BODY_LIMIT`]: not read further.
    TooLarge {
        host: String,
        request: String,
        limit: usize,
    },
    /// An error status whose body is not a problem document (an HTML page, nothing).
    Status {
        host: String,
        request: String,
        status: http::StatusCode,
        retry_after: Option<String>,
        body: String,
    },
    /// The directory's answer is not an ACME directory.
    NotADirectory {
        host: String,
        status: http::StatusCode,
        why: String,
    },
}

/// An HTTP status as `503 Service Unavailable`.
pub(crate) fn status_text(status: http::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

impl std::fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpFailure::Unreachable {
                host,
                attempts,
                why,
            } => write!(
                f,
                "cannot reach the ACME server {host} ({attempts} attempts): {why}"
            ),
            HttpFailure::Untrusted { host, why } => write!(
                f,
                "the ACME server {host} presented a TLS certificate picert does not trust: {why}"
            ),
            HttpFailure::NotHttps { url } => write!(
                f,
                "{url} is not an https:// URL: ACME runs over HTTPS only"
            ),
            HttpFailure::TooLarge {
                host,
                request,
                limit,
            } => write!(
                f,
                "the answer from {host} to the {request} request is larger than {limit} bytes (not read further)"
            ),
            HttpFailure::Status {
                host,
                request,
                status,
                retry_after,
                body,
            } => {
                write!(
                    f,
                    "the ACME server {host} answered the {request} request with HTTP {}",
                    status_text(*status)
                )?;
                if let Some(after) = retry_after {
                    write!(f, ", {after}")?;
                }
                if !body.is_empty() {
                    write!(f, ": {body}")?;
                }
                Ok(())
            }
            HttpFailure::NotADirectory { host, status, why } => write!(
                f,
                "the ACME server {host} answered the directory request (HTTP {}) with what is not an ACME directory: {why}",
                status_text(*status)
            ),
        }
    }
}

impl std::error::Error for HttpFailure {}

/// The rustls certificate error in an error's causes, if any. An io::Error's source() skips
/// the error it wraps (and hyper-rustls wraps rustls' io::Error in another), so wrapped errors
/// are looked into as well as sources.
fn certificate_error(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(rustls::Error::InvalidCertificate(why)) = e.downcast_ref::<rustls::Error>() {
        return Some(format!("{why:?}"));
    }
    let wrapped = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .map(|inner| inner as &(dyn std::error::Error + 'static));
    wrapped
        .and_then(certificate_error)
        .or_else(|| e.source().and_then(certificate_error))
}

pub(crate) struct AcmeHttp {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, BodyWrapper<Bytes>>,
    timeout: Duration,
    /// The directory URL, and the resources its answer names, to name each request.
    names: Arc<Mutex<Names>>,
}

/// What each URL of the exchange is, as RFC 8555 names it.
#[derive(Debug, Default)]
struct Names {
    directory: Option<http::Uri>,
    resources: Vec<(String, String)>,
}

impl Names {
    /// The request's name: `directory`, `newNonce`, `newAccount`, `newOrder`, `renewalInfo`...
    /// or, for the URLs an order hands out, its path.
    fn of(&self, parts: &http::request::Parts) -> String {
        let url = parts.uri.to_string();
        if parts.method == http::Method::HEAD {
            return "newNonce".into();
        }
        if self.directory.as_ref() == Some(&parts.uri) {
            return "directory".into();
        }
        self.resources
            .iter()
            .find(|(base, _)| url == *base || url.starts_with(&format!("{base}/")))
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| format!("{} {}", parts.method, parts.uri.path()))
    }
}

impl AcmeHttp {
    /// A client trusting Mozilla's roots and `extra_roots`, each exchange bounded by `timeout`.
    pub(crate) fn new(
        directory: &str,
        extra_roots: &[CertificateDer<'static>],
        timeout: Duration,
    ) -> Result<AcmeHttp, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for (i, root) in extra_roots.iter().enumerate() {
            roots
                .add(root.clone())
                .map_err(|e| format!("certificate {} cannot be trusted: {e}", i + 1))?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_only()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        Ok(AcmeHttp {
            client: Client::builder(TokioExecutor::new()).build(https),
            timeout,
            names: Arc::new(Mutex::new(Names {
                directory: directory.parse().ok(),
                resources: Vec::new(),
            })),
        })
    }
}

/// The request again, for another attempt (the body is held as bytes).
fn rebuild(parts: &http::request::Parts, body: &Bytes) -> Request<BodyWrapper<Bytes>> {
    let mut request = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone())
        .version(parts.version)
        .body(BodyWrapper::from(body.to_vec()))
        .expect("the parts of a request that was built once");
    *request.headers_mut() = parts.headers.clone();
    request
}

impl HttpClient for AcmeHttp {
    fn request(
        &self,
        request: Request<BodyWrapper<Bytes>>,
    ) -> Pin<Box<dyn Future<Output = Result<BytesResponse, Error>> + Send>> {
        let client = self.client.clone();
        let timeout = self.timeout;
        let names = self.names.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let host = host_of(&parts);
            if parts.uri.scheme_str() != Some("https") {
                return Err(Error::Other(Box::new(HttpFailure::NotHttps {
                    url: parts.uri.to_string(),
                })));
            }
            let name = names.lock().map(|n| n.of(&parts)).unwrap_or_default();
            let body = body
                .collect()
                .await
                .map_err(|e| Error::Other(Box::new(e)))?
                .to_bytes();
            let mut last = None;
            let mut made = 0;
            let mut delay = None;
            for attempt in 0..ATTEMPTS {
                made = attempt + 1;
                if attempt > 0 {
                    let backoff = Duration::from_secs(1 << (attempt - 1));
                    tokio::time::sleep(delay.take().unwrap_or(backoff)).await;
                }
                let exchange = async {
                    let response = client.request(rebuild(&parts, &body)).await.map_err(|e| {
                        match certificate_error(&e) {
                            Some(why) => Error::Other(Box::new(HttpFailure::Untrusted {
                                host: host.clone(),
                                why,
                            })),
                            None => Error::Other(Box::new(e)),
                        }
                    })?;
                    let (head, incoming) = response.into_parts();
                    // Read up to the limit, and no further.
                    let bytes = match Limited::new(incoming, BODY_LIMIT).collect().await {
                        Ok(collected) => collected.to_bytes(),
                        Err(e) if e.is::<LengthLimitError>() => {
                            return Err(Error::Other(Box::new(HttpFailure::TooLarge {
                                host: host.clone(),
                                request: name.clone(),
                                limit: BODY_LIMIT,
                            })))
                        }
                        Err(e) => return Err(Error::Other(e)),
                    };
                    Ok::<_, Error>((head, bytes))
                };
                let (head, bytes) = match tokio::time::timeout(timeout, exchange).await {
                    Ok(Ok(answer)) => answer,
                    Ok(Err(Error::Other(inner))) if inner.is::<HttpFailure>() => {
                        return Err(Error::Other(inner))
                    }
                    Ok(Err(e)) => {
                        last = Some(causes(&e));
                        continue;
                    }
                    Err(_) => {
                        last = Some(format!("no answer within {}s", timeout.as_secs().max(1)));
                        continue;
                    }
                };
                // Busy: a GET or HEAD (nothing signed, no nonce spent) is asked again after the
                // time the server gives, when that fits within the timeout.
                if head.status == http::StatusCode::SERVICE_UNAVAILABLE
                    && matches!(parts.method, http::Method::GET | http::Method::HEAD)
                    && attempt + 1 < ATTEMPTS
                {
                    if let Some(seconds) = retry_after_seconds(&head) {
                        if Duration::from_secs(seconds) <= timeout {
                            delay = Some(Duration::from_secs(seconds));
                            last = Some(format!("HTTP {}", status_text(head.status)));
                            continue;
                        }
                    }
                }
                let failed = head.status.is_client_error() || head.status.is_server_error();
                let problem = is_json_object(&bytes);
                if failed && !problem {
                    return Err(Error::Other(Box::new(HttpFailure::Status {
                        host: host.clone(),
                        request: name.clone(),
                        status: head.status,
                        retry_after: retry_after_text(&head),
                        body: snippet(&bytes),
                    })));
                }
                if name == "directory" && !failed {
                    match directory_resources(&bytes) {
                        Ok(resources) => {
                            if let Ok(mut n) = names.lock() {
                                n.resources = resources;
                            }
                        }
                        Err(why) => {
                            return Err(Error::Other(Box::new(HttpFailure::NotADirectory {
                                host: host.clone(),
                                status: head.status,
                                why,
                            })))
                        }
                    }
                }
                let bytes = if failed {
                    with_status(&head, with_retry_after(&head, bytes))
                } else {
                    bytes
                };
                return Ok(BytesResponse {
                    parts: head,
                    body: Box::new(bytes),
                });
            }
            Err(Error::Other(Box::new(HttpFailure::Unreachable {
                host,
                attempts: made,
                why: last.unwrap_or_else(|| "no attempt was made".into()),
            })))
        })
    }
}

/// Whether `body` is a JSON object (a problem document, when the status is an error).
fn is_json_object(body: &[u8]) -> bool {
    matches!(
        serde_json::from_slice::<serde_json::Value>(body),
        Ok(serde_json::Value::Object(_))
    )
}

/// The start of a body that is not a problem document, as one line of text.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > 200 {
        format!("{line}...")
    } else {
        line
    }
}

/// The resources a directory names (RFC 8555 section 7.1.1), with the URL of each; an error
/// saying what is wrong when it is not a directory.
fn directory_resources(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        if body.is_empty() {
            "an empty answer".to_string()
        } else {
            format!("not JSON ({e}): {}", snippet(body))
        }
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(format!("not a JSON object: {}", snippet(body)));
    };
    let mut resources = Vec::new();
    for name in ["newNonce", "newAccount", "newOrder"] {
        match map.get(name).and_then(|v| v.as_str()) {
            Some(url) => resources.push((url.to_string(), name.to_string())),
            None => return Err(format!("it has no {name} URL")),
        }
    }
    for name in ["revokeCert", "keyChange", "renewalInfo"] {
        if let Some(url) = map.get(name).and_then(|v| v.as_str()) {
            resources.push((url.trim_end_matches('/').to_string(), name.to_string()));
        }
    }
    Ok(resources)
}

/// A Retry-After given in seconds.
fn retry_after_seconds(head: &http::response::Parts) -> Option<u64> {
    head.headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// A Retry-After header, worded: `retry after TIME (N s)`, or the date the server gave.
fn retry_after_text(head: &http::response::Parts) -> Option<String> {
    let after = head
        .headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if after.is_empty() {
        return None;
    }
    Some(match after.parse::<i64>() {
        Ok(seconds) => format!(
            "retry after {} ({seconds} s)",
            picert_core::Timestamp::now().plus_seconds(seconds)
        ),
        Err(_) => format!("retry after {after}"),
    })
}

/// A problem document without its `status` member gets the HTTP status, so that the error
/// can say it.
fn with_status(head: &http::response::Parts, body: Bytes) -> Bytes {
    let Ok(serde_json::Value::Object(mut problem)) = serde_json::from_slice(&body) else {
        return body;
    };
    if problem.get("status").is_some_and(|s| s.is_u64()) {
        return body;
    }
    problem.insert("status".into(), head.status.as_u16().into());
    serde_json::to_vec(&problem)
        .map(Bytes::from)
        .unwrap_or(body)
}

/// A rate-limit answer (429), or a busy one (503), carries the time to retry in its Retry-After header, which the
/// problem document reaching the caller does not keep: the header is added to the document's
/// detail, unless the detail already gives a time to retry.
fn with_retry_after(head: &http::response::Parts, body: Bytes) -> Bytes {
    if head.status != http::StatusCode::TOO_MANY_REQUESTS
        && head.status != http::StatusCode::SERVICE_UNAVAILABLE
    {
        return body;
    }
    let Some(when) = retry_after_text(head) else {
        return body;
    };
    let Ok(serde_json::Value::Object(mut problem)) = serde_json::from_slice(&body) else {
        return body;
    };
    let detail = problem
        .get("detail")
        .and_then(|d| d.as_str())
        .unwrap_or_default()
        .to_string();
    if detail.to_ascii_lowercase().contains("retry after") {
        return body;
    }
    let detail = if detail.is_empty() {
        when
    } else {
        format!("{detail}; {when}")
    };
    problem.insert("detail".into(), detail.into());
    serde_json::to_vec(&problem)
        .map(Bytes::from)
        .unwrap_or(body)
}

/// An error and its causes, as one line ("client error (Connect): invalid peer certificate:
/// UnknownIssuer"): hyper's own message alone says only which step failed.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let line = inner.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = inner.source();
    }
    text
}

/// The server a request goes to, as host and port.
fn host_of(parts: &http::request::Parts) -> String {
    parts
        .uri
        .authority()
        .map(|a| a.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: u16, retry_after: Option<&str>) -> http::response::Parts {
        let mut b = http::Response::builder().status(status);
        if let Some(v) = retry_after {
            b = b.header("Retry-After", v);
        }
        b.body(()).unwrap().into_parts().0
    }

    fn detail(body: &Bytes) -> String {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        v["detail"].as_str().unwrap().to_string()
    }

    #[test]
    fn requests_are_named_as_rfc_8555_names_them() {
        let request = |method: http::Method, url: &str| {
            http::Request::builder()
                .method(method)
                .uri(url)
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let directory = br#"{"newNonce":"https://ca.example/nonce","newAccount":"https://ca.example/acct","newOrder":"https://ca.example/order","renewalInfo":"https://ca.example/ari/"}"#;
        let names = Names {
            // Without a path: the request's URI says "/", the directory URL does not.
            directory: "https://ca.example".parse().ok(),
            resources: directory_resources(directory).unwrap(),
        };
        let of = |m, u| names.of(&request(m, u));
        assert_eq!(of(http::Method::GET, "https://ca.example"), "directory");
        assert_eq!(
            of(http::Method::HEAD, "https://ca.example/nonce"),
            "newNonce"
        );
        assert_eq!(
            of(http::Method::POST, "https://ca.example/acct"),
            "newAccount"
        );
        assert_eq!(
            of(http::Method::POST, "https://ca.example/order"),
            "newOrder"
        );
        assert_eq!(
            of(http::Method::GET, "https://ca.example/ari/abc.def"),
            "renewalInfo"
        );
        assert_eq!(
            of(http::Method::POST, "https://ca.example/finalize/7"),
            "POST /finalize/7"
        );
        assert_eq!(directory_resources(b"").unwrap_err(), "an empty answer");
        assert_eq!(
            directory_resources(br#"["newNonce"]"#).unwrap_err(),
            r#"not a JSON object: ["newNonce"]"#
        );
    }

    #[test]
    fn rate_limits_say_when_to_retry() {
        let problem = Bytes::from_static(
            br#"{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many new orders"}"#,
        );
        let d = detail(&with_retry_after(&head(429, Some("3600")), problem.clone()));
        assert!(
            d.starts_with("too many new orders; retry after ") && d.ends_with("(3600 s)"),
            "{d}"
        );
        let d = detail(&with_retry_after(
            &head(429, Some("Wed, 02 Dec 2026 10:00:00 GMT")),
            problem.clone(),
        ));
        assert_eq!(
            d,
            "too many new orders; retry after Wed, 02 Dec 2026 10:00:00 GMT"
        );
        // Other answers, a detail that already says when, and no header: unchanged.
        assert_eq!(
            with_retry_after(&head(400, Some("60")), problem.clone()),
            problem
        );
        assert_eq!(with_retry_after(&head(429, None), problem.clone()), problem);
        let says =
            Bytes::from_static(br#"{"detail":"limit hit, retry after 2026-12-02 10:00 UTC"}"#);
        assert_eq!(with_retry_after(&head(429, Some("60")), says.clone()), says);
        let not_json = Bytes::from_static(b"<html>busy</html>");
        assert_eq!(
            with_retry_after(&head(429, Some("60")), not_json.clone()),
            not_json
        );
    }
}
